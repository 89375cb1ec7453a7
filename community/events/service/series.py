"""Series of events: sessions made from one rule (weekly, every N weeks, monthly on the n-th
weekday), each a whole event of its own. A session is moved or cancelled as any event is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from community import clock
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid, NotFound
from community.events import emails
from community.events.access import EventView, access_event
from community.events.kinds import EVENT_CHANGED
from community.events.models import Event, EventSeries, EventState, Rsvp, RsvpStatus
from community.events.recurrence import MAX_SESSIONS, MIN_SESSIONS, Rule
from community.events.schemas import EventChanges, EventForm, Scope, SeriesForm
from community.events.service.rsvp import promote_waitlist
from community.events.service.scheduling import (
    RESUBMIT_WINDOW,
    as_sent,
    ensure_manager,
    event_fields,
    event_owner,
    update_event,
)
from community.notifications.service import Notice, notify
from community.urls import path as url_path


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


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(UTC)


async def update_sessions(
    *, actor: Member | None, event_id: int, changes: EventChanges, scope: Scope
) -> Event:
    """Change a session, or it and the following ones, or all of a series' sessions that
    have not started. A new time moves each session by the same local hours (so 19:00 stays
    19:00 across a clock change); the other fields sent are set on each. Everyone going to a
    session whose time or place changed is told once, however many sessions changed."""
    if scope == Scope.THIS:
        return await update_event(actor=actor, event_id=event_id, changes=changes)
    view = await access_event(actor, event_id)
    manager = ensure_manager(view)
    event = view.event
    if event.series_id is None or event.series_index is None:
        raise Invalid(scope="This event is not part of a series: it changes on its own.")
    if event.is_cancelled:
        raise Conflict("This session is cancelled.")
    sent = changes.sent()
    form = EventForm.from_json({**as_sent(event), **sent})
    if form.time_zone != event.time_zone:
        raise Invalid(time_zone="Change the time zone of one session at a time.")
    series = await EventSeries.get(id=event.series_id)
    zone = ZoneInfo(event.time_zone)
    now = clock.now()
    shift = _local(form.starts_at, zone) - _local(event.starts_at, zone)
    duration = form.ends_at - form.starts_at
    notice = form.starts_at - form.rsvp_deadline if form.rsvp_deadline else None
    same = {
        name: value
        for name, value in event_fields(form).items()
        if name not in ("starts_at", "ends_at", "rsvp_deadline", "time_zone")
        and (name in sent or (name == "description_html" and "description" in sent))
    }
    query = Event.filter(series_id=series.id, state=EventState.SCHEDULED, starts_at__gt=now)
    if scope == Scope.FOLLOWING:
        query = query.filter(series_index__gte=event.series_index)
    targets = list(await query.order_by("series_index"))
    if event.starts_at <= now or event not in targets:
        raise Conflict("This session has started: change the sessions to come instead.")
    for session in targets:
        if form.capacity is not None and form.capacity < session.seats_taken:
            raise Invalid(
                capacity=f"{session.seats_taken} members are going to session "
                f"{(session.series_index or 0) + 1}: choose at least {session.seats_taken} "
                "seats, or leave it empty for no limit."
            )
    timed = shift or duration != event.ends_at - event.starts_at
    moved: list[Event] = []
    async with transaction():
        for session in targets:
            starts = _instant(_local(session.starts_at, zone) + shift, zone)
            values: dict[str, Any] = {
                **same,
                "starts_at": starts,
                "ends_at": starts + duration,
                "rsvp_deadline": starts - notice if notice is not None else None,
            }
            await Event.filter(id=session.id).update(**values)
            if (starts, starts + duration, form.venue, form.online_url) != (
                session.starts_at,
                session.ends_at,
                session.venue,
                session.online_url,
            ):
                moved.append(session)
            await promote_waitlist(session.id)
        if timed:
            await _retime(series, event, scope, shift, duration, zone)
        if "title" in sent and scope == Scope.ALL:
            await EventSeries.filter(id=series.id).update(title=form.title)
        if moved:
            await _tell_once(series, moved, manager, now)
    return await Event.get(id=event.id)


async def _retime(
    series: EventSeries,
    event: Event,
    scope: Scope,
    shift: timedelta,
    duration: timedelta,
    zone: ZoneInfo,
) -> None:
    """Keep the rule saying what the sessions are after a new time: for all sessions, the
    rule moves; from one session on, the series splits there into two (as calendars do)."""
    minutes = int(duration.total_seconds() // 60)
    if scope == Scope.ALL:
        first = _instant(_local(series.first_starts_at, zone) + shift, zone)
        await EventSeries.filter(id=series.id).update(
            first_starts_at=first, duration_minutes=minutes
        )
        series.first_starts_at, series.duration_minutes = first, minutes
        await _restamp(series)
        return
    index = event.series_index or 0
    if index == 0:  # from the first session on is all of them
        await _retime(series, event, Scope.ALL, shift, duration, zone)
        return
    rule = rule_of(series)
    starts = rule.starts()
    later = await EventSeries.create(
        group_id=series.group_id,
        title=series.title,
        time_zone=series.time_zone,
        repeat=series.repeat,
        interval=series.interval,
        week_of_month=series.week_of_month,
        first_starts_at=_instant(_local(starts[index], zone) + shift, zone),
        duration_minutes=minutes,
        sessions=series.sessions - index,
        until=series.until,
        created_by_id=series.created_by_id,  # type: ignore[attr-defined]
        created_at=clock.now(),
    )
    await EventSeries.filter(id=series.id).update(sessions=index, until=None)
    for session in await Event.filter(series_id=series.id, series_index__gte=index):
        await Event.filter(id=session.id).update(
            series_id=later.id, series_index=(session.series_index or 0) - index
        )
    await _restamp(later)


async def _restamp(series: EventSeries) -> None:
    """Each session's place by the rule, after the rule changed."""
    starts = rule_of(series).starts()
    for session in await Event.filter(series_id=series.id):
        index = session.series_index or 0
        if index < len(starts):
            await Event.filter(id=session.id).update(series_start=starts[index])


async def _tell_once(series: EventSeries, moved: list[Event], actor: Member, now: datetime) -> None:
    """One notice to each member going to any session that moved, naming the first."""
    rsvps = await Rsvp.filter(
        event_id__in=[s.id for s in moved], status=RsvpStatus.GOING
    ).select_related("member", "event")
    by_member: dict[int, list[Rsvp]] = {}
    for rsvp in rsvps:
        by_member.setdefault(rsvp.member_id, []).append(rsvp)
    for mine in by_member.values():
        member = mine[0].member
        first = min((rsvp.event for rsvp in mine), key=lambda e: e.starts_at)
        first = await Event.get(id=first.id)  # its new time
        count = len(mine)
        sessions = "a session" if count == 1 else f"{count} sessions"
        await notify(
            [member],
            Notice(
                EVENT_CHANGED,
                f"“{first.title}”: {sessions} you are going to changed",
                url=url_path("events:series", series_id=first.series_id or series.id),
                dedupe_key=f"series-changed:{series.id}:{now.timestamp():.0f}",
                body=f"From {emails.local_time(first, member)}. "
                f"Where: {emails.place_words(first)}.",
                topic=f"series:{series.id}",
                actor_id=actor.id,
            ),
        )
