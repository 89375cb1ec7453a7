"""A fake Postmark-compatible email API, served by uvicorn on a loopback port.

Records every request, keeps a mailbox of accepted messages (one per Idempotency-Key, as a
provider that honours the key would), and answers according to a switchable mode.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from community import clock

TOKEN = "fake-server-token"
MODES = ("accept", "error500", "rate_limited", "slow", "unprocessable", "mixed", "unauthorised")


@dataclass
class FakeEmailApi:
    mode: str = "accept"
    #: seconds a "slow" answer takes
    delay: float = 2.0
    retry_after: str = "120"
    requests: list[dict[str, Any]] = field(default_factory=list)
    #: accepted messages by idempotency key (a retried key does not make a second one)
    mailbox: dict[str, dict[str, Any]] = field(default_factory=dict)
    deliveries: list[str] = field(default_factory=list)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def reset(self, mode: str = "accept") -> None:
        assert mode in MODES
        self.mode = mode
        self.requests.clear()
        self.mailbox.clear()
        self.deliveries.clear()

    def _accept(self, message: dict[str, Any]) -> dict[str, Any]:
        key = _key(message)
        if key not in self.mailbox:
            self.mailbox[key] = message
        self.deliveries.append(key)
        return {
            "To": message.get("To"),
            "SubmittedAt": f"{clock.now():%Y-%m-%dT%H:%M:%SZ}",  # the clock is in UTC
            "MessageID": f"msg-{next(self._ids)}",
            "ErrorCode": 0,
            "Message": "OK",
        }

    async def _answer(self, request: Request, batch: bool) -> Response:
        body = await request.json()
        self.requests.append(
            {"path": request.url.path, "headers": dict(request.headers), "json": body}
        )
        if request.headers.get("x-postmark-server-token") != TOKEN or self.mode == "unauthorised":
            return JSONResponse({"ErrorCode": 10, "Message": "Bad or missing API token"}, 401)
        if self.mode == "slow":
            await asyncio.sleep(self.delay)
            if await request.is_disconnected():  # the client gave up: deliver nothing
                return Response(status_code=499)
        if self.mode == "error500":
            return JSONResponse({"ErrorCode": 0, "Message": "Internal error"}, 500)
        if self.mode == "rate_limited":
            return JSONResponse(
                {"ErrorCode": 0, "Message": "Slow down"},
                429,
                headers={"Retry-After": self.retry_after},
            )
        if self.mode == "unprocessable":
            return JSONResponse(
                {"ErrorCode": 300, "Message": "Invalid 'To' address: 'nobody'."}, 422
            )
        messages = body if batch else [body]
        results = []
        for message in messages:
            if self.mode == "mixed" and "bad" in str(message.get("To", "")):
                results.append(
                    {"ErrorCode": 406, "Message": "You tried to send to an inactive recipient."}
                )
            else:
                results.append(self._accept(message))
        return JSONResponse(results if batch else results[0])

    def app(self) -> Starlette:
        async def single(request: Request) -> Response:
            return await self._answer(request, batch=False)

        async def batch(request: Request) -> Response:
            return await self._answer(request, batch=True)

        return Starlette(
            routes=[
                Route("/email", single, methods=["POST"]),
                Route("/email/batch", batch, methods=["POST"]),
            ]
        )


def _key(message: dict[str, Any]) -> str:
    return str(message.get("Metadata", {}).get("idempotency_key", ""))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve_fake_email_api() -> AsyncIterator[FakeEmailApi]:
    """Run the fake on a free loopback port as a task in the running loop."""
    fake = FakeEmailApi()
    port = free_port()
    config = uvicorn.Config(
        fake.app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    fake.url = f"http://127.0.0.1:{port}"
    try:
        yield fake
    finally:
        server.should_exit = True
        await task


def main() -> None:
    """Serve the fake alone (for benchmarks): python -m tests.fakes.email_api PORT."""
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8025
    uvicorn.run(FakeEmailApi().app(), host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
