"""What every page template gets: the signed-in member, the CSRF token, flash messages."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request


def page_context(request: Request) -> dict[str, Any]:
    """The base context of a page; safe even before the session middleware ran (a 413)."""
    state = request.state
    return {
        "member": getattr(state, "member", None),
        "csrf_token": getattr(state, "csrf_token", ""),
        "flash": getattr(state, "flash", []),
        "errors": {},
        "values": {},
    }
