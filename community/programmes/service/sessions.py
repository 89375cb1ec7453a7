"""A programme's sessions, and when it runs (its first and last sessions not cancelled)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery

from community.events.models import Event, EventState
from community.programmes.models import (
    ProgrammeSession,
)


async def sessions_in_order(programme_id: int) -> list[ProgrammeSession]:
    sessions = await ProgrammeSession.filter(programme_id=programme_id).select_related("event")
    sessions.sort(key=lambda session: (session.event.starts_at, session.event_id))
    return sessions


async def session_events(programme_id: int) -> list[Event]:
    """The programme's sessions, in the order they start, cancelled ones too."""
    ids = ProgrammeSession.filter(programme_id=programme_id).values("event_id")
    return await Event.filter(id__in=Subquery(ids)).order_by("starts_at", "id")


@dataclass(frozen=True)
class Span:
    """When a programme runs: its first and last sessions not cancelled, and how many."""

    first: datetime
    last: datetime
    sessions: int


async def spans(programme_ids: list[int]) -> dict[int, Span]:
    """The span of each programme, by id, in one query (a programme whose every session is
    cancelled has none)."""
    starts: dict[int, list[datetime]] = {}
    for session in await ProgrammeSession.filter(
        programme_id__in=programme_ids, event__state=EventState.SCHEDULED
    ).select_related("event"):
        starts.setdefault(session.programme_id, []).append(session.event.starts_at)
    return {
        programme_id: Span(min(moments), max(moments), len(moments))
        for programme_id, moments in starts.items()
    }
