"""The backend named by the settings."""

from __future__ import annotations

from community.mail.backends.base import Backend
from community.mail.backends.console import ConsoleBackend
from community.settings import Settings


def make_backend(settings: Settings) -> Backend:
    """The configured delivery backend."""
    if settings.email_backend == "console":
        return ConsoleBackend(settings.email_from)
    raise NotImplementedError("The postmark backend arrives with issue #3.")
