"""The site seen from outside: /metrics for Prometheus (with METRICS_TOKEN), and the admins'
operations page. Both read admin.health, as /healthz?deep=1 does."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import timedelta

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from community import db
from community.accounts.access import ensure_admin
from community.admin import health
from community.admin.health import LATE_EMAIL, SILENT_TICKS, Health
from community.text import spoken_duration
from community.web.templates import render


class _HealthCollector(Collector):
    """The site's state read from the database for this scrape (the same in every process:
    aggregate them with max(), not sum()), and this process's connection pool."""

    def __init__(self, state: Health, pool: db.PoolUsage | None) -> None:
        self.state = state
        self.pool = pool

    def collect(self) -> Iterator[Metric]:
        state = self.state
        outbox = GaugeMetricFamily(
            "community_outbox_messages", "Outbox messages by state", labels=("state",)
        )
        for name, count in state.outbox.counts.items():
            outbox.add_metric((name,), count)
        yield outbox
        yield GaugeMetricFamily(
            "community_outbox_oldest_due_age_seconds",
            "How long the oldest due email has waited to be sent (0 when none is due)",
            value=state.email_wait.total_seconds(),
        )
        yield GaugeMetricFamily(
            "community_outbox_failed_last_day",
            "Emails given up on in the last 24 hours",
            value=state.outbox.failed_since,
        )
        yield GaugeMetricFamily(
            "community_reminders_due_not_queued",
            "Event reminders whose time has come that no tick has queued yet",
            value=state.reminders.count,
        )
        yield GaugeMetricFamily(
            "community_reminders_oldest_due_age_seconds",
            "How long the oldest reminder not yet queued has been due (0 when none)",
            value=state.reminder_lag.total_seconds(),
        )
        last = state.last_beat_at
        yield GaugeMetricFamily(
            "community_worker_last_heartbeat_timestamp_seconds",
            "When a worker last beat, in Unix time (0: never)",
            value=last.timestamp() if last else 0,
        )
        yield GaugeMetricFamily(
            "community_workers_alive",
            f"Workers that beat within the last {SILENT_TICKS} ticks",
            value=sum(not worker.silent for worker in state.workers),
        )
        if self.pool is not None:
            connections = GaugeMetricFamily(
                "community_db_pool_connections",
                "This process's database connections, lent out or idle",
                labels=("state",),
            )
            connections.add_metric(("in_use",), self.pool.in_use)
            connections.add_metric(("idle",), self.pool.open - self.pool.in_use)
            yield connections
            yield GaugeMetricFamily(
                "community_db_pool_max_connections",
                "The most connections this process's pool opens",
                value=self.pool.most,
            )


async def metrics(request: Request) -> Response:
    """Prometheus's text format; 404 unless METRICS_TOKEN is set, 401 without it."""
    token = request.app.state.settings.metrics_token
    if not token:
        return PlainTextResponse("Not Found", status_code=404)
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return PlainTextResponse(
            "Send METRICS_TOKEN as a bearer token.",
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    state = await health.check(tick_seconds=request.app.state.settings.scheduler_tick_seconds)
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_HealthCollector(state, db.pool_usage()))
    body = generate_latest(request.app.state.http_metrics.registry) + generate_latest(scrape)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


async def operations(request: Request) -> Response:
    ensure_admin(request.state.member)
    state = await health.check(tick_seconds=request.app.state.settings.scheduler_tick_seconds)
    return render(
        request,
        "admin/operations.html",
        {
            "health": state,
            "since": lambda moment: spoken_duration(state.checked_at - moment),
            "spoken": spoken_duration,
            "tick": timedelta(seconds=state.tick_seconds),
            "silent_ticks": SILENT_TICKS,
            "late_email": spoken_duration(LATE_EMAIL),
        },
    )


routes = [
    Route("/metrics", metrics, name="admin:metrics"),
    Route("/admin/operations", operations, name="admin:operations"),
]
