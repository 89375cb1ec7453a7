"""Email templates: templates/email/<name>.subject.txt, .txt and .html (only .html is escaped)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from community import urls

_environment: jinja2.Environment | None = None
_base_context: dict[str, Any] = {}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text_body: str
    html_body: str


def configure(template_dir: Path, *, site_name: str, base_url: str) -> None:
    """Point rendering at the templates; links in emails are built from BASE_URL only."""
    global _environment, _base_context
    _environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    _environment.globals["absolute_url"] = urls.absolute_url
    _base_context = {"site_name": site_name, "base_url": base_url}


def render_email(template: str, context: dict[str, Any]) -> RenderedEmail:
    """Render the three parts of `email/<template>`."""
    if _environment is None:
        raise RuntimeError("mail.render.configure() has not been called")
    full = {**_base_context, **context}
    subject = _environment.get_template(f"email/{template}.subject.txt").render(full)
    return RenderedEmail(
        subject=" ".join(subject.split()),
        text_body=_environment.get_template(f"email/{template}.txt").render(full),
        html_body=_environment.get_template(f"email/{template}.html").render(full),
    )
