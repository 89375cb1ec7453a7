"""Page rendering: one Jinja environment, and the helpers every door uses to answer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from community import urls
from community.clock import reader_zone
from community.settings import Settings
from community.text import clean_text
from community.web.assets import Assets
from community.web.context import page_context
from community.web.features import NavLink
from community.web.sessions import add_flash

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def asset_dir(name: str) -> Path:
    """templates/ or static/: inside the installed package, or beside it in a checkout."""
    installed = PACKAGE_ROOT / name
    return installed if installed.is_dir() else PACKAGE_ROOT.parent / name


def make_templates(
    settings: Settings, *, nav: Sequence[NavLink] = (), assets: Assets | None = None
) -> Jinja2Templates:
    """The page templates, auto-escaped (every page template ends in .html), with the main
    navigation's feature links and the static files' hashed addresses (`asset()`)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(asset_dir("templates")),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        # templates are part of the install: no file check on every include (50 a thread page)
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["site_name"] = settings.site_name
    env.globals["nav_links"] = tuple(nav)
    env.globals["url"] = urls.path
    env.globals["absolute_url"] = urls.absolute_url
    env.globals["asset"] = (assets or Assets(asset_dir("static"))).url

    def viewer_zone(context: Mapping[str, Any]) -> ZoneInfo:
        """The signed-in member's own zone if they chose one, else the site's."""
        member = context.get("member")
        return reader_zone(member.time_zone if member else "", settings.time_zone)

    @jinja2.pass_context
    def local_date(context: Mapping[str, Any], value: datetime) -> str:
        return value.astimezone(viewer_zone(context)).strftime("%-d %B %Y")

    @jinja2.pass_context
    def local_datetime(context: Mapping[str, Any], value: datetime) -> str:
        return value.astimezone(viewer_zone(context)).strftime("%-d %b %Y, %H:%M")

    env.filters["local_date"] = local_date
    env.filters["local_datetime"] = local_datetime
    env.globals["viewer_zone"] = jinja2.pass_context(viewer_zone)
    return Jinja2Templates(env=env)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> Response:
    """Render a page with the signed-in member, CSRF token and flash messages added."""
    full = page_context(request)
    full.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, full, status_code=status_code)


def redirect(request: Request, route: str, message: str | None = None, **params: Any) -> Response:
    """303 to a named route, with a flash message for the next page."""
    if message:
        add_flash(request, message)
    return RedirectResponse(urls.path(route, **params), status_code=303)


def redirect_to(request: Request, path: str, message: str | None = None) -> Response:
    """303 to a local path (never another host)."""
    if message:
        add_flash(request, message)
    if not path.startswith("/") or path.startswith("//"):
        path = "/"
    return RedirectResponse(path, status_code=303)


async def read_form(request: Request) -> dict[str, str]:
    """The submitted form as plain strings, with control characters removed (bytes that are
    not UTF-8, and NUL, never get here: SessionMiddleware answers those with a 400)."""
    form: FormData = await request.form()
    return {key: clean_text(value) for key, value in form.items() if isinstance(value, str)}


def request_zone(request: Request) -> ZoneInfo:
    """The zone the person making this request reads times in."""
    member = getattr(request.state, "member", None)
    return reader_zone(member.time_zone if member else "", request.app.state.settings.time_zone)
