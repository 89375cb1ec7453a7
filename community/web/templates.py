"""Page rendering: one Jinja environment, and the helpers every door uses to answer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes
from zoneinfo import ZoneInfo

import jinja2
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from community.clock import reader_zone
from community.errors import BadRequest
from community.settings import Settings
from community.text import clean_text
from community.web.context import page_context
from community.web.sessions import add_flash

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def asset_dir(name: str) -> Path:
    """templates/ or static/: inside the installed package, or beside it in a checkout."""
    installed = PACKAGE_ROOT / name
    return installed if installed.is_dir() else PACKAGE_ROOT.parent / name


def make_templates(settings: Settings) -> Jinja2Templates:
    """The page templates, auto-escaped (every page template ends in .html)."""
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
    return RedirectResponse(request.url_for(route, **params).path, status_code=303)


def redirect_to(request: Request, path: str, message: str | None = None) -> Response:
    """303 to a local path (never another host)."""
    if message:
        add_flash(request, message)
    if not path.startswith("/") or path.startswith("//"):
        path = "/"
    return RedirectResponse(path, status_code=303)


async def read_form(request: Request) -> dict[str, str]:
    """The submitted form as plain strings, with control characters removed (400 for bytes
    that are not UTF-8 and for NUL: no browser sends those)."""
    form = await form_data(request)
    return {key: clean_text(value) for key, value in form.items() if isinstance(value, str)}


async def form_data(request: Request) -> FormData:
    """The submitted form, refused with a 400 if a name or value is not UTF-8 or holds NUL."""
    if request.headers.get("content-type", "").startswith(FORM_TYPE):
        check_form_bytes(await request.body())
    return await request.form()


FORM_TYPE = "application/x-www-form-urlencoded"


def check_form_bytes(body: bytes) -> None:
    """Raise BadRequest unless every name and value of a urlencoded body decodes to UTF-8
    text without NUL. (Starlette itself would quietly turn bad bytes into U+FFFD.)"""
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            raw = unquote_to_bytes(part.replace(b"+", b" "))
            if b"\x00" in raw:
                raise BadRequest(
                    "The form held a NUL character, which no field accepts. Nothing was saved."
                )
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise BadRequest(
                    "The form held bytes that are not UTF-8 text. Nothing was saved: "
                    "check the browser's text encoding and send it again."
                ) from None


def request_zone(request: Request) -> ZoneInfo:
    """The zone the person making this request reads times in."""
    member = getattr(request.state, "member", None)
    return reader_zone(member.time_zone if member else "", request.app.state.settings.time_zone)
