"""Compressed responses (#22): gzip for every answer of 500 bytes or more whose client accepts
it, but for the pages that show a lasting secret.

BREACH recovers a secret from the compressed size of responses that also reflect what an
attacker sends. The CSRF token, on nearly every page, is masked afresh for each response
(`web.csrf`), so there is nothing stable to recover. The pages below show a lasting secret
that is not masked, and go out uncompressed: the calendar feed's secret address, and a new
API token (on the page and from the API)."""

from __future__ import annotations

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

#: paths whose answers carry a lasting secret
UNCOMPRESSED = ("/settings/calendar", "/settings/tokens", "/api/v1/auth/tokens")
#: below this, compressing saves less than it costs
MINIMUM_SIZE = 500


class CompressionMiddleware:
    """GZip for answers the client accepts compressed, but on `UNCOMPRESSED`. Level 1: a
    member's thread page goes from 59 KB to 8 KB (level 6: 7 KB) for about a fifth of the
    page's own CPU either way, measured by tests/perf/run ("member: thread page 1, gzip")."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=MINIMUM_SIZE, compresslevel=1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(UNCOMPRESSED):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
