"""The timed jobs: the daily clean-up removes what has expired and keeps the rest."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from community import clock, sessions
from community.accounts import service
from community.accounts.models import AccountToken
from community.accounts.schemas import Credentials
from community.admin import health
from community.admin.models import WorkerBeat
from community.mail.backends.console import ConsoleBackend
from community.mail.models import OutboxMessage
from community.scheduler import Scheduler, clean_up
from community.settings import Settings
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_clean_up_removes_expired_sessions_tokens_and_old_mail(
    database: None, settings: Settings
) -> None:
    await make_member(email="old@example.org")  # a used verification token
    await service.log_in(credentials=Credentials(email="old@example.org", password=PASSWORD))
    await OutboxMessage.all().update(status="sent", sent_at=clock.now())  # as the worker would
    await health.beat("old-host:41:cafe", started_at=clock.now())  # a worker long gone
    assert await clean_up(settings) == {
        "sessions": 0, "tokens": 0, "sent_messages": 0, "workers": 0,
    }  # fmt: skip

    clock.advance(timedelta(days=31))
    await make_member(email="new@example.org")
    _, key = await service.log_in(
        credentials=Credentials(email="new@example.org", password=PASSWORD)
    )
    await health.beat("new-host:42:beef", started_at=clock.now())
    assert await clean_up(settings) == {
        "sessions": 1, "tokens": 1, "sent_messages": 0, "workers": 1,
    }  # fmt: skip
    assert await WorkerBeat.all().values_list("host", flat=True) == ["new-host"]
    assert await sessions.find_session(key, idle_minutes=60) is not None
    assert await AccountToken.all().count() == 1
    clock.advance(timedelta(days=89))
    await OutboxMessage.filter(sent_at__isnull=True).update(status="sent", sent_at=clock.now())
    clock.advance(timedelta(days=2))
    result = await clean_up(settings)
    assert result["sent_messages"] == 1  # the one sent 91 days ago, not the one sent 2 days ago
    assert await OutboxMessage.all().count() == 1


async def test_the_worker_runs_every_job_with_digests_on_a_quarter_hour_cron(
    settings: Settings,
) -> None:
    scheduler = Scheduler(settings, ConsoleBackend(sender="x@example.org", stream=io.StringIO()))
    jobs = {job.id: job for job in scheduler.scheduler.get_jobs()}
    assert set(jobs) == {
        "heartbeat", "deliver_email", "send_reminders", "email_notifications", "daily_digests",
        "clean_up",
    }  # fmt: skip
    digest_trigger = jobs["daily_digests"].trigger
    assert isinstance(digest_trigger, CronTrigger)
    assert "minute='*/15'" in str(digest_trigger)
    assert isinstance(jobs["email_notifications"].trigger, IntervalTrigger)
    assert jobs["email_notifications"].trigger.interval.total_seconds() == (
        settings.scheduler_tick_seconds
    )
