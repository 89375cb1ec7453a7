"""The production processes seen from outside: the readiness check follows a real worker
killed and restarted, and a whole run's logs (JSON) name no one."""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import httpx
import pytest

from community.accounts.models import Member
from community.mail.models import OutboxMessage, OutboxStatus
from community.seed import DEMO_PASSWORD, seed_demo
from community.settings import Settings
from tests.redis_server import redis_server
from tests.servers import serve, start_worker

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.real_clock]

#: the worker's tick, and so its heartbeat, in these tests
TICK = "1"


async def deep_status(site: str) -> int:
    answer = await asyncio.to_thread(httpx.get, f"{site}/healthz?deep=1", timeout=5)
    return answer.status_code


async def wait_for(site: str, status: int, *, within: float) -> float:
    """Poll the deep check until it answers `status`; the seconds it took."""
    started = time.monotonic()
    while await deep_status(site) != status:
        if time.monotonic() - started > within:
            raise AssertionError(f"/healthz?deep=1 did not answer {status} within {within} s")
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_the_deep_check_fails_within_three_ticks_of_the_worker_dying(
    settings: Settings, database: None, tmp_path: Path
) -> None:
    with serve(settings, tmp_path / "web.log", SCHEDULER_TICK_SECONDS=TICK) as site:
        assert await deep_status(site) == 503  # no worker yet
        worker = start_worker(settings, site, tmp_path / "worker.out", SCHEDULER_TICK_SECONDS=TICK)
        try:
            await wait_for(site, 200, within=30)
            worker.kill()  # no goodbye: as a machine dies
            worker.wait(timeout=10)
            # the last beat was at most a tick ago; 503 once 3 ticks pass without one
            assert await wait_for(site, 503, within=10) <= 3 * int(TICK) + 1.5
            worker = start_worker(
                settings, site, tmp_path / "worker.out", SCHEDULER_TICK_SECONDS=TICK
            )
            await wait_for(site, 200, within=30)
        finally:
            worker.kill()
            worker.wait(timeout=10)


def _csrf(client: httpx.Client, path: str) -> str:
    client.get(path)
    return client.cookies["community_csrf"]


def _journey(site: str, emails: list[str]) -> None:
    """What members do in a while, through pages and the API, with their addresses in
    forms, JSON bodies and query strings."""
    first, second = emails[0], emails[1]
    with httpx.Client(base_url=site, timeout=10) as client:
        token = _csrf(client, "/login")
        wrong = client.post(
            "/login", data={"email": first, "password": "wrong!", "csrf_token": token}
        )
        assert wrong.status_code == 422
        signed_in = client.post(
            "/login", data={"email": first, "password": DEMO_PASSWORD, "csrf_token": token}
        )
        assert signed_in.status_code == 303
        for path in ("/", "/latest", "/members", f"/members?q={second}", "/stories", "/groups"):
            assert client.get(path).status_code == 200, path
        assert client.get("/search", params={"q": first}).status_code == 200
    with httpx.Client(base_url=site, timeout=10) as client:
        token = _csrf(client, "/password/forgot")
        reset = client.post("/password/forgot", data={"email": second, "csrf_token": token})
        assert reset.status_code in (200, 303)
        registered = client.post(
            "/api/v1/auth/register",
            json={
                "email": "newcomer.person@example.net",
                "password": "a long and new password",
                "display_name": "Newcomer Person",
            },
        )
        assert registered.status_code in (201, 404, 405, 422), registered.text
        failed = client.post(
            "/api/v1/auth/tokens",
            json={"email": second, "password": "nope nope nope", "name": "script"},
        )
        assert failed.status_code == 422


async def test_a_whole_run_logs_json_lines_that_name_no_one(
    settings: Settings, database: None, tmp_path: Path
) -> None:
    await seed_demo()
    emails = sorted(await Member.all().values_list("email", flat=True))
    assert len(emails) >= 5
    json_logs = {"LOG_FORMAT": "json", "SCHEDULER_TICK_SECONDS": TICK}
    with (
        redis_server(tmp_path) as redis,  # as in production: limits counted in Redis
        serve(settings, tmp_path / "web.log", REDIS_URL=redis.url, **json_logs) as site,
    ):
        worker = start_worker(
            settings, site, tmp_path / "worker.out", OUTBOX_INTERVAL_SECONDS="1", **json_logs
        )
        try:
            await asyncio.to_thread(_journey, site, emails)
            deadline = time.monotonic() + 30  # the reset email, sent by the worker
            while not await OutboxMessage.filter(
                status=OutboxStatus.SENT, to_address=emails[1]
            ).exists():
                assert time.monotonic() < deadline, "the worker sent nothing"
                await asyncio.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    logs = {
        "web": (tmp_path / "web.log").read_text(),
        "worker": (tmp_path / "worker.out.err").read_text(),
    }
    requests = []
    for name, text in logs.items():
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines, name
        for line in lines:
            entry = json.loads(line)  # every line is one JSON object
            assert {"time", "level", "logger", "message"} <= set(entry), line
            if entry["logger"] == "community.access":
                requests.append(entry)
        lowered = text.lower()
        named = [email for email in emails if email.lower() in lowered]
        assert named == [], f"the {name} log names {named}"
        assert "newcomer.person" not in lowered
        assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), f"an address in the {name} log"
    assert len(requests) >= 12
    assert logs["web"].count("counted in Redis, shared by every web process") == 1
    for entry in requests:
        assert re.fullmatch(r"[0-9a-f]{32}", entry["request_id"])
        assert {"route", "method", "status", "duration_ms"} <= set(entry)
        assert "/" not in entry["route"]
    assert {"accounts:login_submit", "people:directory", "forum:search"} <= {
        entry["route"] for entry in requests
    }
    # the console email goes to standard output, not to the log: the grep above could fail
    assert emails[1] in (tmp_path / "worker.out").read_text()
