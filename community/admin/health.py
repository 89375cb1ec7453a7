"""The site's health as an operator sees it: the workers' heartbeats, the outbox, the reminders
waiting for a tick. One reading serves /healthz?deep=1, /metrics and the admins' page.

Every process running the timed jobs (each worker, or the one-process `serve`) beats once a
tick (SCHEDULER_TICK_SECONDS) into its own row. No beat for SILENT_TICKS ticks, or an email
due for longer than LATE_EMAIL, is a problem that turns the deep check to 503.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from community import clock
from community.admin.models import WorkerBeat
from community.events.reminders import PendingReminders, pending_reminders
from community.mail.outbox import OutboxState, outbox_state
from community.text import spoken_duration

#: ticks without a beat from any worker before the deep check fails
SILENT_TICKS = 3
#: how long a due email may wait before the deep check fails
LATE_EMAIL = timedelta(minutes=15)
#: a worker not seen for this long is forgotten by the daily clean-up
FORGET_WORKERS_AFTER = timedelta(days=7)
#: the workers listed, most recently seen first
WORKERS_SHOWN = 20


def new_worker_id() -> str:
    """This process's name in the heartbeats: host, process id and a random part (a restarted
    process with a reused id is still a new row)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


async def beat(worker_id: str, *, started_at: datetime) -> None:
    """Record that `worker_id` is alive now."""
    now = clock.now()
    if await WorkerBeat.filter(id=worker_id).update(beat_at=now):
        return
    host, pid, _ = worker_id.rsplit(":", 2)
    try:
        await WorkerBeat.create(
            id=worker_id, host=host, pid=int(pid), started_at=started_at, beat_at=now
        )
    except IntegrityError:  # a beat of the same process got there first
        await WorkerBeat.filter(id=worker_id).update(beat_at=now)


async def forget_old_workers() -> int:
    return await WorkerBeat.filter(beat_at__lt=clock.now() - FORGET_WORKERS_AFTER).delete()


@dataclass(frozen=True)
class WorkerSeen:
    id: str
    host: str
    pid: int
    started_at: datetime
    beat_at: datetime
    #: no beat for SILENT_TICKS ticks: stopped, killed or stuck
    silent: bool


@dataclass(frozen=True)
class Health:
    checked_at: datetime
    tick_seconds: int
    workers: list[WorkerSeen]
    outbox: OutboxState
    reminders: PendingReminders

    @property
    def last_beat_at(self) -> datetime | None:
        return max((w.beat_at for w in self.workers), default=None)

    @property
    def email_wait(self) -> timedelta:
        """How long the oldest due email has waited (0 when none is due)."""
        if self.outbox.oldest_due_at is None:
            return timedelta(0)
        return max(timedelta(0), self.checked_at - self.outbox.oldest_due_at)

    @property
    def reminder_lag(self) -> timedelta:
        """How long the oldest reminder not yet queued has been due (0 when none)."""
        if self.reminders.oldest_due_at is None:
            return timedelta(0)
        return max(timedelta(0), self.checked_at - self.reminders.oldest_due_at)

    @property
    def problems(self) -> list[str]:
        """What makes the deep check fail, in words for the operator."""
        found = []
        last = self.last_beat_at
        if last is None:
            found.append("No worker has run the timed jobs yet: start python -m community worker.")
        elif self.checked_at - last > timedelta(seconds=SILENT_TICKS * self.tick_seconds):
            found.append(
                f"No worker has beaten for {SILENT_TICKS} ticks: the last beat was "
                f"{spoken_duration(self.checked_at - last)} ago."
            )
        if self.email_wait > LATE_EMAIL:
            found.append(
                f"The oldest due email has waited {spoken_duration(self.email_wait)} "
                f"(more than {spoken_duration(LATE_EMAIL)})."
            )
        return found


async def check(*, tick_seconds: int) -> Health:
    now = clock.now()
    silent_after = timedelta(seconds=SILENT_TICKS * tick_seconds)
    rows = await WorkerBeat.all().order_by("-beat_at").limit(WORKERS_SHOWN)
    return Health(
        checked_at=now,
        tick_seconds=tick_seconds,
        workers=[
            WorkerSeen(
                id=row.id,
                host=row.host,
                pid=row.pid,
                started_at=row.started_at,
                beat_at=row.beat_at,
                silent=now - row.beat_at > silent_after,
            )
            for row in rows
        ],
        outbox=await outbox_state(failed_since=now - timedelta(days=1)),
        reminders=await pending_reminders(),
    )
