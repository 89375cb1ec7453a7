"""The operator's view: heartbeats, the outbox and reminders read by admin.health, served by
/healthz?deep=1, /metrics (Prometheus) and the admins' operations page."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from community import clock
from community.admin import health
from community.app import create_app
from community.events import service as events_service
from community.events.reminders import PendingReminders, pending_reminders, send_due_reminders
from community.logs import JsonFormatter
from community.mail.backends.base import Outcome
from community.mail.models import OutboxMessage
from community.mail.outbox import claim_due, record_outcome
from community.settings import Settings
from tests.conftest import BASE_URL, make_settings, open_browser
from tests.factories import PASSWORD, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

TOKEN = "a-metrics-token-for-the-tests"


@pytest_asyncio.fixture(loop_scope="session")
async def ops_app(settings: Settings, database: None) -> AsyncIterator[Starlette]:
    """The site with METRICS_TOKEN set, trusting its proxy's headers."""
    application = create_app(
        make_settings(metrics_token=TOKEN, trust_proxy_headers=True), manage_orm=False
    )
    async with LifespanManager(application):
        yield application


def client(app: Starlette) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL)


async def test_no_worker_then_alive_then_silent_after_three_ticks(database: None) -> None:
    state = await health.check(tick_seconds=60)
    assert state.problems == [
        "No worker has run the timed jobs yet: start python -m community worker."
    ]
    await health.beat("web-1:100:aa", started_at=clock.now())
    assert (await health.check(tick_seconds=60)).problems == []
    clock.advance(timedelta(seconds=180))
    assert (await health.check(tick_seconds=60)).problems == []  # 3 ticks: not yet
    clock.advance(timedelta(seconds=1))
    state = await health.check(tick_seconds=60)
    assert state.problems == ["No worker has beaten for 3 ticks: the last beat was 3 minutes ago."]
    assert [w.silent for w in state.workers] == [True]
    await health.beat("web-2:200:bb", started_at=clock.now())  # another worker takes over
    state = await health.check(tick_seconds=60)
    assert state.problems == []
    assert [(w.host, w.silent) for w in state.workers] == [("web-2", False), ("web-1", True)]


async def test_an_email_due_for_more_than_15_minutes_is_a_problem(database: None) -> None:
    await health.beat("web-1:100:aa", started_at=clock.now())
    await make_member(email="waiting@example.org")  # its verification email is due now
    clock.advance(timedelta(minutes=15))
    state = await health.check(tick_seconds=3600)
    assert state.email_wait == timedelta(minutes=15)
    assert state.problems == []
    clock.advance(timedelta(seconds=60))
    assert (await health.check(tick_seconds=3600)).problems == [
        "The oldest due email has waited 16 minutes (more than 15 minutes)."
    ]
    # a retry not yet due is not waiting
    (message,) = await claim_due()
    await record_outcome(message, Outcome(sent=False, error="503 from the provider"))
    state = await health.check(tick_seconds=3600)
    assert state.problems == []
    assert state.outbox.counts["pending"] == 1
    assert state.email_wait == timedelta(0)


async def test_failures_of_the_last_day(database: None) -> None:
    await make_member(email="bounce@example.org")
    (message,) = await claim_due()
    await record_outcome(message, Outcome(sent=False, permanent=True, error="422 inactive"))
    assert (await OutboxMessage.get(id=message.id)).failed_at == clock.now()
    assert (await health.check(tick_seconds=60)).outbox.failed_since == 1
    clock.advance(timedelta(hours=24, seconds=1))
    state = await health.check(tick_seconds=60)
    assert state.outbox.failed_since == 0
    assert state.outbox.counts["failed"] == 1


async def test_reminders_due_but_not_queued(database: None) -> None:
    admin = await make_member(admin=True)
    event = await make_event(None, admin)  # a site-wide event: any member may go
    for n in range(3):
        member = await make_member(email=f"going{n}@example.org")
        await events_service.rsvp(actor=member, event_id=event.id)
    assert await pending_reminders() == PendingReminders(0, None)  # eight days ahead: none due
    clock.advance(event.starts_at - clock.now() - timedelta(hours=23))
    pending = await pending_reminders()
    assert pending.count >= 3
    assert pending.oldest_due_at == event.starts_at - timedelta(hours=24)
    assert (await health.check(tick_seconds=60)).reminder_lag == timedelta(hours=1)
    assert await send_due_reminders() == pending.count
    assert (await pending_reminders()).count == 0


async def test_healthz_deep_reports_the_worker_and_the_outbox(ops_app: Starlette) -> None:
    async with client(ops_app) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        answer = await http.get("/healthz?deep=1")
        assert answer.status_code == 503
        assert answer.json()["status"] == "unhealthy"
        assert "No worker has run" in answer.json()["problems"][0]
        await health.beat("w:1:aa", started_at=clock.now())
        answer = await http.get("/healthz", params={"deep": "1"})
        assert answer.status_code == 200
        assert answer.json() == {
            "status": "ok",
            "problems": [],
            "worker_last_beat_at": clock.now().isoformat(),
            "oldest_due_email_wait_seconds": 0,
            "reminders_due_not_queued": 0,
        }


def families(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


async def test_metrics_need_the_token(ops_app: Starlette, app: Starlette) -> None:
    async with client(app) as http:  # no METRICS_TOKEN: as if there were no such page
        assert (await http.get("/metrics")).status_code == 404
        assert (
            await http.get("/metrics", headers={"Authorization": "Bearer x"})
        ).status_code == 404
    async with client(ops_app) as http:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            answer = await http.get("/metrics", headers=headers)
            assert answer.status_code == 401
            assert answer.headers["www-authenticate"].startswith("Bearer")
            assert "community_" not in answer.text


async def test_metrics_are_prometheus_text_by_route_name(ops_app: Starlette) -> None:
    member = await make_member(email="reader@example.org")
    group = await make_group(facilitator=member)
    await health.beat("w:1:aa", started_at=clock.now())
    async with client(ops_app) as http:
        for _ in range(2):
            assert (await http.get(f"/groups/{group.slug}")).status_code == 200
        assert (await http.get("/no/such/page")).status_code == 404
        answer = await http.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    samples = families(answer.text)
    requests = {
        (labels["route"], labels["method"], labels["status"]): value
        for labels, value in samples["community_http_requests_total"]
    }
    assert requests[("groups:detail", "GET", "2xx")] == 2
    assert requests[("unmatched", "GET", "4xx")] == 1
    assert not any("/" in route for route, _, _ in requests)  # never a raw path
    durations = {
        labels["route"]: value
        for labels, value in samples["community_http_request_duration_seconds_count"]
    }
    assert durations["groups:detail"] == 2
    outbox = {labels["state"]: value for labels, value in samples["community_outbox_messages"]}
    assert outbox == {"pending": 2, "sending": 0, "sent": 0, "failed": 0}  # two verifications
    assert samples["community_outbox_oldest_due_age_seconds"] == [({}, 0.0)]
    assert samples["community_worker_last_heartbeat_timestamp_seconds"] == [
        ({}, clock.now().timestamp())
    ]
    assert samples["community_workers_alive"] == [({}, 1.0)]
    assert samples["community_reminders_due_not_queued"] == [({}, 0.0)]
    if ops_app.state.settings.database_url.startswith("postgres"):
        pool = {labels["state"] for labels, _ in samples["community_db_pool_connections"]}
        assert pool == {"in_use", "idle"}
        assert samples["community_db_pool_max_connections"][0][1] >= 1


async def test_the_operations_page_is_for_admins(ops_app: Starlette) -> None:
    await make_member(email="root@example.org", admin=True)
    await make_member(email="plain@example.org")
    async with open_browser(ops_app) as visitor:
        assert (await visitor.get("/admin/operations")).status_code == 403
    async with open_browser(ops_app) as plain:
        await plain.login("plain@example.org", PASSWORD)
        assert (await plain.get("/admin/operations")).status_code == 403
    async with open_browser(ops_app) as admin:
        await admin.login("root@example.org", PASSWORD)
        page = await admin.get("/admin/operations")
        assert page.status_code == 200
        assert "Needs attention" in page.text
        assert "No worker has run yet" in page.text
        await health.beat("web-7:4242:aa", started_at=clock.now())
        page = await admin.get("/admin/operations")
        assert "Needs attention" not in page.text
        assert "All is well" in page.text
        assert re.search(r"<td>web-7</td>\s*<td>4242</td>", page.text)
        assert "Alive" in page.text
        # the outbox's counts link to its lists
        assert re.search(r'href="/admin/outbox\?status=pending">2<', page.text)
        home = await admin.get("/")
        assert 'href="/admin/operations"' in home.text
    async with open_browser(ops_app) as plain:
        await plain.login("plain@example.org", PASSWORD)
        assert 'href="/admin/operations"' not in (await plain.get("/")).text


async def test_every_response_carries_a_request_id(ops_app: Starlette, app: Starlette) -> None:
    async with client(app) as http:
        made = (await http.get("/healthz")).headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        assert (await http.get("/healthz")).headers["x-request-id"] != made
        # not trusting the proxy's headers: a client's id is not taken
        given = await http.get("/healthz", headers={"X-Request-ID": "proxy-abc-123"})
        assert given.headers["x-request-id"] != "proxy-abc-123"
        assert (await http.get("/nothing-here")).headers["x-request-id"]
    async with client(ops_app) as http:  # TRUST_PROXY_HEADERS on
        given = await http.get("/healthz", headers={"X-Request-ID": "proxy-abc-123"})
        assert given.headers["x-request-id"] == "proxy-abc-123"
        bad = await http.get("/healthz", headers={"X-Request-ID": "a b\tc<script>"})
        assert re.fullmatch(r"[0-9a-f]{32}", bad.headers["x-request-id"])
        long = await http.get("/healthz", headers={"X-Request-ID": "x" * 200})
        assert len(long.headers["x-request-id"]) == 32


async def test_a_request_logs_one_line_with_its_id(
    app: Starlette, caplog: pytest.LogCaptureFixture
) -> None:
    async with client(app) as http:
        with caplog.at_level(logging.INFO, logger="community.access"):
            answer = await http.get("/groups", params={"q": "someone@example.org"})
    (record,) = [r for r in caplog.records if r.name == "community.access"]
    assert record.getMessage().startswith("GET groups:directory 200 ")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == answer.headers["x-request-id"]
    assert line["route"] == "groups:directory"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert isinstance(line["duration_ms"], float)
    assert set(line) == {
        "time", "level", "logger", "message", "request_id", "route", "method", "status",
        "duration_ms",
    }  # fmt: skip
    assert "someone@example.org" not in json.dumps(line)  # the query string is not logged
    # the record's own time (the system clock, not the suite's frozen one), in UTC
    logged = datetime.fromisoformat(line["time"])
    assert logged.utcoffset() == timedelta(0)
    assert abs(logged - datetime.now(UTC)) < timedelta(minutes=1)
