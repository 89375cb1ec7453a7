"""The request body limit, answered with the site's own 413 page (JSON for the API).

Starlette's `max_body_size` answers a plain-text "Content Too Large", and replaces any other
response whenever Content-Length is over the limit, so a person got a bare line of text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from community.errors import DomainError
from community.web.errors import error_response


class BodyTooLarge(DomainError):
    status_code = 413
    code = "too_large"
    default_message = "That was too much to send at once. Please shorten it and try again."


class UploadTooLarge(BodyTooLarge):
    default_message = "That image is over 5 MB: choose a smaller JPEG, PNG or WebP image."


class BodyLimitMiddleware:
    """Refuse bodies over `max_bytes` (over `upload_bytes` on the paths that take uploads):
    at once when Content-Length says so, else as soon as the bytes read pass it (BodyTooLarge
    from receive(), rendered by whoever catches it)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        upload_bytes: int = 0,
        upload_paths: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_bytes = upload_bytes
        self.upload_paths = [re.compile(pattern) for pattern in upload_paths]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = any(pattern.fullmatch(scope["path"]) for pattern in self.upload_paths)
        limit = max(self.upload_bytes, self.max_bytes) if upload else self.max_bytes
        refusal = UploadTooLarge() if upload else BodyTooLarge()
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > limit:
            await _refuse(scope, receive, send, refusal)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise refusal
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, receive, send, refusal)


async def _refuse(scope: Scope, receive: Receive, send: Send, refusal: BodyTooLarge) -> None:
    response = error_response(Request(scope, receive), refusal)
    await response(scope, receive, send)
