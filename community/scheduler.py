"""APScheduler wiring only: which job runs how often. The jobs keep their state in the database."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from community import clock, sessions
from community.accounts.jobs import delete_expired_tokens
from community.admin import health
from community.features import FEATURES
from community.mail.backends.base import Backend
from community.mail.outbox import delete_old_sent, deliver_due
from community.settings import Settings

logger = logging.getLogger(__name__)

#: how long a stopping process lets running jobs finish before cancelling them
STOP_GRACE_SECONDS = 20.0


class Scheduler:
    """The timed jobs of one process, and a clean stop that lets running jobs finish."""

    def __init__(self, settings: Settings, backend: Backend) -> None:
        self.settings = settings
        self.backend = backend
        self.running: set[asyncio.Task[None]] = set()
        self.scheduler = AsyncIOScheduler(
            timezone="UTC",
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        soon = clock.now() + timedelta(seconds=1)  # every job runs once at start: catch up
        lease = timedelta(seconds=settings.outbox_lease_seconds)
        #: this process's row in the heartbeats, which /healthz?deep=1 and /metrics read
        self.worker_id = health.new_worker_id()
        started_at = clock.now()
        self._add(
            "heartbeat",
            lambda: health.beat(self.worker_id, started_at=started_at),
            seconds=settings.scheduler_tick_seconds,
            first=clock.now(),
        )
        self._add(
            "deliver_email",
            lambda: deliver_due(backend, limit=settings.outbox_batch_size, lease=lease),
            seconds=settings.outbox_interval_seconds,
            first=soon,
        )
        self._add("clean_up", lambda: clean_up(settings), seconds=86400, first=soon)
        for feature in FEATURES:
            for job in feature.jobs:
                self._add(
                    job.name,
                    functools.partial(job.run, settings),
                    seconds=job.every(settings) if job.every is not None else 0,
                    cron=dict(job.cron) if job.cron is not None else None,
                    first=soon,
                )

    def _add(
        self,
        name: str,
        job: Callable[[], Awaitable[object]],
        *,
        seconds: int = 0,
        cron: dict[str, str] | None = None,
        first: object,
    ) -> None:
        async def run() -> None:
            task = asyncio.current_task()
            assert task is not None  # noqa: S101  # always inside a task here
            self.running.add(task)
            try:
                result = await job()
            except asyncio.CancelledError:
                logger.info("Job %s cancelled", name)
                raise
            except Exception:  # loop boundary: logged, and the next run tries again
                logger.exception("Job %s failed", name)
            else:
                if result:
                    logger.info("Job %s: %s", name, result)
            finally:
                self.running.discard(task)

        if cron is not None:
            self.scheduler.add_job(
                run, CronTrigger(timezone="UTC", **cron), id=name, name=name, next_run_time=first
            )
        else:
            self.scheduler.add_job(
                run, "interval", seconds=seconds, id=name, name=name, next_run_time=first
            )

    def start(self) -> None:
        self.scheduler.start()

    async def stop(self, grace_seconds: float = STOP_GRACE_SECONDS) -> None:
        """Start no new runs, let running ones finish (or cancel them after the grace time:
        claimed email is then released for another worker), then shut down."""
        self.scheduler.pause()
        if self.running:
            _, pending = await asyncio.wait(set(self.running), timeout=grace_seconds)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=5)
        self.scheduler.shutdown(wait=False)


async def clean_up(settings: Settings) -> dict[str, int]:
    """The daily clean-up: expired sessions and tokens, old sent email, workers long gone."""
    return {
        "sessions": await sessions.delete_expired_sessions(
            idle_minutes=settings.session_idle_minutes
        ),
        "tokens": await delete_expired_tokens(),
        "sent_messages": await delete_old_sent(),
        "workers": await health.forget_old_workers(),
    }
