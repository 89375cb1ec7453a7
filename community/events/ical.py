"""iCalendar (RFC 5545) for events: local times with their TZID and a VTIMEZONE."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from community import clock
from community.events.models import Event, EventSeries, EventState
from community.events.recurrence import Rule
from community.settings import current as current_settings
from community.urls import absolute_url

PRODUCT_ID = "-//community//learning events//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def _host() -> str:
    return current_settings().base_url.split("://", 1)[-1].split("/", 1)[0]


def _entry(
    event: Event, *, uid: str, starts: datetime, ends: datetime, url: str, going: bool
) -> CalendarEvent:
    """One VEVENT: the event's words and place, at the times given, in its own zone."""
    zone = ZoneInfo(event.time_zone)
    entry = CalendarEvent()
    entry.add("uid", uid)
    entry.add("dtstamp", clock.now())
    entry.add("dtstart", starts.astimezone(zone))
    entry.add("dtend", ends.astimezone(zone))
    entry.add("summary", event.title)
    entry.add("url", url)
    details = [event.description, url]
    if going and event.online_url:
        details.insert(1, f"Join online: {event.online_url}")
    entry.add("description", "\n\n".join(part for part in details if part))
    if event.venue:
        entry.add("location", event.venue)
    cancelled = event.state == EventState.CANCELLED
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return entry


def calendar_for(events: Iterable[Event], *, name: str, going: bool = False) -> bytes:
    """A calendar with the events, each in its own time zone; cancelled ones say so.

    `going`: for someone going to every one of them, so the online link is included.
    """
    calendar = _calendar(name)
    host = _host()
    for event in events:
        calendar.add_component(
            _entry(
                event,
                uid=f"event-{event.id}@{host}",
                starts=event.starts_at,
                ends=event.ends_at,
                url=absolute_url("events:detail", event_id=event.id),
                going=going,
            )
        )
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _same(session: Event, master: Event, duration: timedelta) -> bool:
    """Whether a session is what the rule and the first session say it is."""
    return (
        session.starts_at == session.series_start
        and session.ends_at - session.starts_at == duration
        and (session.title, session.description, session.venue, session.online_url)
        == (master.title, master.description, master.venue, master.online_url)
    )


def series_calendar(series: EventSeries, sessions: list[Event], rule: Rule) -> bytes:
    """A series as one VEVENT with its RRULE, an EXDATE for each cancelled session and a
    RECURRENCE-ID override for each session moved or changed on its own."""
    calendar = _calendar(series.title)
    uid = f"series-{series.id}@{_host()}"
    url = absolute_url("events:series", series_id=series.id)
    zone = ZoneInfo(series.time_zone)
    duration = timedelta(minutes=series.duration_minutes)
    master = sessions[0]
    entry = _entry(
        master,
        uid=uid,
        starts=series.first_starts_at,
        ends=series.first_starts_at + duration,
        url=url,
        going=False,
    )
    entry["status"] = "CONFIRMED"
    entry.add("rrule", rule.ical(series.sessions))
    cancelled = [s for s in sessions if s.state == EventState.CANCELLED and s.series_start]
    for session in cancelled:
        entry.add("exdate", session.series_start.astimezone(zone))  # type: ignore[union-attr]
    calendar.add_component(entry)
    for session in sessions:
        if session in cancelled or session.series_start is None:
            continue
        if _same(session, master, duration):
            continue
        override = _entry(
            session,
            uid=uid,
            starts=session.starts_at,
            ends=session.ends_at,
            url=absolute_url("events:detail", event_id=session.id),
            going=False,
        )
        override.add("recurrence-id", session.series_start.astimezone(zone))
        calendar.add_component(override)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
