"""The backend named by the settings."""

from __future__ import annotations

from community.mail.backends.base import Backend
from community.mail.backends.console import ConsoleBackend
from community.mail.backends.postmark import PostmarkBackend
from community.settings import Settings


def make_backend(settings: Settings) -> Backend:
    """The configured delivery backend."""
    if settings.email_backend == "postmark":
        return PostmarkBackend(
            api_url=settings.email_api_url,
            token=settings.email_api_token,
            sender=settings.email_from,
            timeout_seconds=settings.email_timeout_seconds,
        )
    return ConsoleBackend(settings.email_from)
