"""What every page template gets: the signed-in member, the CSRF token, flash messages."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from community.web.csrf import mask_token


def page_context(request: Request) -> dict[str, Any]:
    """The base context of a page; safe even before the session middleware ran (a 413). The
    CSRF token is masked afresh for each response (`sessions.mask_token`), and the masked
    form is kept on the request, so a page cache can tell whether a page holds one."""
    state = request.state
    token = getattr(state, "csrf_token", "")
    masked = mask_token(token) if token else ""
    state.csrf_masked = masked
    return {
        "member": getattr(state, "member", None),
        "csrf_token": masked,
        "flash": getattr(state, "flash", []),
        "errors": {},
        "values": {},
    }
