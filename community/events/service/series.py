"""Series of events: sessions made from one rule (weekly, every N weeks, monthly on the n-th
weekday), each a whole event of its own. A session is moved or cancelled as any event is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from community import clock
from community.accounts.models import Member
from community.db import transaction
from community.errors import Invalid, NotFound
from community.events.access import EventView, access_event
from community.events.models import Event, EventSeries
from community.events.recurrence import MAX_SESSIONS, MIN_SESSIONS, Rule
from community.events.schemas import SeriesForm
from community.events.service.scheduling import RESUBMIT_WINDOW, event_fields, event_owner


def rule_of(series: EventSeries) -> Rule:
    return Rule(
        first=series.first_starts_at,
        zone=series.time_zone,
        repeat=series.repeat,
        interval=series.interval,
        count=series.sessions,
    )


def _rule(form: SeriesForm) -> tuple[Rule, list[datetime]]:
    rule = Rule(
        first=form.starts_at,
        zone=form.time_zone,
        repeat=form.repeat,
        interval=form.interval,
        count=form.sessions,
        until=form.until,
    )
    end = "sessions" if form.sessions is not None else "until"
    if form.until is not None and form.until < rule.local_first.date():
        raise Invalid(until="Choose a last day on or after the first session.")
    starts = rule.starts()
    if len(starts) > MAX_SESSIONS:
        raise Invalid(
            **{
                end: f"This rule makes more than {MAX_SESSIONS} sessions: choose an earlier "
                "last day, or repeat less often."
            }
        )
    if len(starts) < MIN_SESSIONS:
        raise Invalid(
            **{
                end: "This rule makes only one session: choose a later last day, or "
                "schedule a single event."
            }
        )
    return rule, starts


async def create_series(*, actor: Member | None, slug: str | None, form: SeriesForm) -> EventSeries:
    """Schedule every session of a series at once, for a group (its facilitators) or the
    whole site (admins). The form's event is the first session: each session has its times
    at the same local hours, and its RSVP deadline as long before its start."""
    group_id, creator = await event_owner(actor, slug)
    rule, starts = _rule(form)
    now = clock.now()
    again = await EventSeries.filter(
        group_id=group_id,
        created_by_id=creator.id,
        title=form.title,
        first_starts_at=form.starts_at,
        created_at__gte=now - RESUBMIT_WINDOW,
    ).first()
    if again is not None:
        return again  # the form sent twice: the first one stands
    duration = form.ends_at - form.starts_at
    notice = form.starts_at - form.rsvp_deadline if form.rsvp_deadline else None
    fields = event_fields(form)
    async with transaction():
        series = await EventSeries.create(
            group_id=group_id,
            title=form.title,
            time_zone=form.time_zone,
            repeat=form.repeat,
            interval=form.interval,
            week_of_month=rule.week_of_month,
            first_starts_at=starts[0],
            duration_minutes=int(duration.total_seconds() // 60),
            sessions=len(starts),
            until=form.until,
            created_by_id=creator.id,
            created_at=now,
        )
        for index, start in enumerate(starts):
            await Event.create(
                **{
                    **fields,
                    "starts_at": start,
                    "ends_at": start + duration,
                    "rsvp_deadline": start - notice if notice is not None else None,
                },
                group_id=group_id,
                created_by_id=creator.id,
                created_at=now,
                series_id=series.id,
                series_index=index,
                series_start=start,
            )
    return series


@dataclass(frozen=True)
class SeriesPage:
    series: EventSeries
    #: every session, in the rule's order, cancelled ones too
    sessions: list[Event]
    #: the first session's view: who may see and manage the series
    view: EventView

    @property
    def rule(self) -> Rule:
        return rule_of(self.series)


async def series_page(*, actor: Member | None, series_id: int) -> SeriesPage:
    """A series with its sessions, for those who may see its events (NotFound otherwise)."""
    series = await EventSeries.filter(id=series_id).select_related("group").first()
    first = await Event.filter(series_id=series_id).order_by("series_index").first()
    if series is None or first is None:
        raise NotFound("There is no such series.")
    view = await access_event(actor, first.id)
    sessions = (
        await Event.filter(series_id=series_id)
        .select_related("group")
        .order_by("series_index", "id")
    )
    return SeriesPage(series=series, sessions=list(sessions), view=view)
