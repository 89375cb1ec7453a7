"""What every request leaves behind: an X-Request-ID, one log line, and its count and duration
in this process's metrics (by route name, never by raw path: ids would make a series each).

Each web process keeps its own metrics and is its own Prometheus target; see docs/DEPLOYMENT.md.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from prometheus_client import CollectorRegistry, Counter, Histogram
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from community.logs import ACCESS_LOGGER, request_id

access_log = logging.getLogger(ACCESS_LOGGER)

#: a request id taken from the proxy: short, and only characters that are safe in a log line
_GOOD_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
#: the route label of a request that matched no route (a 404)
UNMATCHED = "unmatched"


class HttpMetrics:
    """This process's request metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "community_http_requests",
            "Requests answered, by route name, method and status class",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.duration = Histogram(
            "community_http_request_duration_seconds",
            "Time from the request's arrival to its response's last byte, by route name",
            ("route", "method"),
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, f"{status // 100}xx").inc()
        self.duration.labels(route, method).observe(seconds)


class ObserveMiddleware:
    """Give each request an id (the proxy's X-Request-ID when TRUST_PROXY_HEADERS is on and
    it looks like one, else a new one), send it back, and count and log the request."""

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics, trust_proxy_headers: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.trust_proxy_headers = trust_proxy_headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        given = ""
        if self.trust_proxy_headers:
            for name, value in scope["headers"]:
                if name == b"x-request-id":
                    given = value.decode("latin-1")
                    break
        current = given if _GOOD_ID.fullmatch(given) else uuid.uuid4().hex
        token = request_id.set(current)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["x-request-id"] = current
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "name", None) or UNMATCHED
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            self.metrics.observe(route, method, status, seconds)
            access_log.info(
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                seconds * 1000,
                extra={
                    "request_id": current,
                    "route": route,
                    "method": method,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )
            request_id.reset(token)
