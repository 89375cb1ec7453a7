"""iCalendar (RFC 5545) for events: local times with their TZID and a VTIMEZONE."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from community import clock
from community.events.models import Event, EventState
from community.settings import current as current_settings
from community.urls import absolute_url

PRODUCT_ID = "-//community//learning events//EN"


def calendar_for(events: Iterable[Event], *, name: str, going: bool = False) -> bytes:
    """A calendar with the events, each in its own time zone; cancelled ones say so.

    `going`: for someone going to every one of them, so the online link is included.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    host = current_settings().base_url.split("://", 1)[-1].split("/", 1)[0]
    for event in events:
        zone = ZoneInfo(event.time_zone)
        entry = CalendarEvent()
        entry.add("uid", f"event-{event.id}@{host}")
        entry.add("dtstamp", clock.now())
        entry.add("dtstart", event.starts_at.astimezone(zone))
        entry.add("dtend", event.ends_at.astimezone(zone))
        entry.add("summary", event.title)
        url = absolute_url("events:detail", event_id=event.id)
        entry.add("url", url)
        details = [event.description, url]
        if going and event.online_url:
            details.insert(1, f"Join online: {event.online_url}")
        entry.add("description", "\n\n".join(part for part in details if part))
        if event.venue:
            entry.add("location", event.venue)
        cancelled = event.state == EventState.CANCELLED
        entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
