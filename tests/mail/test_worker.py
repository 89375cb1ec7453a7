"""The worker process: several at once, killed mid-send, stopped with SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest

from community import clock
from community.mail.models import OutboxMessage, OutboxStatus
from community.mail.outbox import Email, enqueue
from tests.conftest import DATABASE_URL
from tests.fakes.email_api import TOKEN, FakeEmailApi

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.commits]


@asynccontextmanager
async def worker(
    email_api: FakeEmailApi, **extra: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": "worker-test-secret-key",
        "BASE_URL": "https://community.test",
        "EMAIL_BACKEND": "postmark",
        "EMAIL_API_URL": email_api.url,
        "EMAIL_API_TOKEN": TOKEN,
        "OUTBOX_INTERVAL_SECONDS": "1",
        **extra,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "community", "worker", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def queue(count: int) -> None:
    for number in range(count):
        await enqueue(
            Email(
                to=f"member{number}@example.org",
                template="accounts/verify",
                context={"name": "M", "url": "https://community.test/verify?token=t"},
                idempotency_key=f"test:worker:{number}",
            )
        )


async def wait_until(condition: Callable[[], Awaitable[bool]], seconds: float = 60) -> None:
    """Poll `condition` until it holds; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("timed out waiting")


def sent(count: int) -> Callable[[], Awaitable[bool]]:
    async def condition() -> bool:
        return await OutboxMessage.filter(status=OutboxStatus.SENT).count() >= count

    return condition


def requests(email_api: FakeEmailApi, count: int) -> Callable[[], Awaitable[bool]]:
    async def condition() -> bool:
        return len(email_api.requests) >= count

    return condition


async def test_two_workers_send_each_message_exactly_once(
    database: None, email_api: FakeEmailApi
) -> None:
    clock.unfreeze()  # the workers run on real time
    await queue(200)
    async with (
        worker(email_api, OUTBOX_BATCH_SIZE="25") as first,
        worker(email_api, OUTBOX_BATCH_SIZE="25") as second,
    ):
        await wait_until(sent(200))
        first.send_signal(signal.SIGTERM)
        second.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(first.wait(), 30) == 0
        assert await asyncio.wait_for(second.wait(), 30) == 0
    # a "slow" answer of an earlier test may land late: count this test's messages only
    delivered = [key for key in email_api.deliveries if key.startswith("test:worker:")]
    assert sorted(delivered) == sorted(f"test:worker:{number}" for number in range(200))
    batches = [r for r in email_api.requests if r["path"] == "/email/batch"]
    assert batches and max(len(r["json"]) for r in batches) <= 25


async def test_worker_killed_mid_send_is_resent_once_after_the_lease(
    database: None, email_api: FakeEmailApi
) -> None:
    clock.unfreeze()
    await queue(1)
    email_api.reset("slow")
    email_api.delay = 30
    async with worker(email_api, OUTBOX_LEASE_SECONDS="5") as doomed:
        await wait_until(requests(email_api, 1))
        doomed.kill()  # SIGKILL: no chance to release its claim
        await doomed.wait()
    assert (await OutboxMessage.get()).status == OutboxStatus.SENDING
    email_api.mode = "accept"
    started = time.monotonic()
    async with worker(email_api, OUTBOX_LEASE_SECONDS="5") as survivor:
        await wait_until(sent(1), seconds=30)
        survivor.send_signal(signal.SIGTERM)
        await asyncio.wait_for(survivor.wait(), 30)
    assert time.monotonic() - started < 20
    assert email_api.deliveries == ["test:worker:0"]
    message = await OutboxMessage.get()
    assert message.attempts == 1 and message.status == OutboxStatus.SENT


async def test_sigterm_lets_a_running_send_finish(database: None, email_api: FakeEmailApi) -> None:
    clock.unfreeze()
    await queue(1)
    email_api.reset("slow")
    email_api.delay = 2
    async with worker(email_api) as process:
        await wait_until(requests(email_api, 1))
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    message = await OutboxMessage.get()
    assert message.status == OutboxStatus.SENT
    assert email_api.deliveries == ["test:worker:0"]
