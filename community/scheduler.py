"""APScheduler wiring only: which job runs how often. The jobs keep their state in the database."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from community import clock, sessions
from community.accounts.jobs import delete_expired_tokens
from community.mail.backends.base import Backend
from community.mail.outbox import delete_old_sent, deliver_due
from community.settings import Settings

logger = logging.getLogger(__name__)


def _logged(name: str, job: Callable[[], Awaitable[object]]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        try:
            result = await job()
        except Exception:  # loop boundary: a failing run is logged and the next one tries again
            logger.exception("Job %s failed", name)
        else:
            if result:
                logger.info("Job %s: %s", name, result)

    return run


async def clean_up(settings: Settings) -> dict[str, int]:
    """The daily clean-up: expired sessions and tokens, old sent email."""
    return {
        "sessions": await sessions.delete_expired_sessions(
            idle_minutes=settings.session_idle_minutes
        ),
        "tokens": await delete_expired_tokens(),
        "sent_messages": await delete_old_sent(),
    }


def make_scheduler(settings: Settings, backend: Backend) -> AsyncIOScheduler:
    """A scheduler with every timed job; start() it on a running loop."""
    scheduler = AsyncIOScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    soon = clock.now() + timedelta(seconds=1)  # every job runs once at start: catch up
    scheduler.add_job(
        _logged("deliver_email", lambda: deliver_due(backend)),
        "interval",
        seconds=settings.outbox_interval_seconds,
        id="deliver_email",
        name="deliver_email",
        next_run_time=soon,
    )
    scheduler.add_job(
        _logged("clean_up", lambda: clean_up(settings)),
        "interval",
        hours=24,
        id="clean_up",
        name="clean_up",
        next_run_time=soon,
    )
    return scheduler
