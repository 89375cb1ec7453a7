"""The event emails, as outbox data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from community.accounts.models import Member
from community.clock import reader_zone
from community.events.ical import calendar_for
from community.events.kinds import EVENT_REMINDER
from community.events.models import Event
from community.mail.outbox import Attachment, Email
from community.notifications.delivery import footer_context, unsubscribe_headers
from community.settings import current as current_settings
from community.urls import absolute_url


def local_time(event: Event, member: Member | None = None) -> str:
    """When the event starts, for emails: in the member's own zone if given, else the event's."""
    zone = ZoneInfo(event.time_zone)
    if member is not None:
        zone = reader_zone(member.time_zone, current_settings().time_zone)
    start = event.starts_at.astimezone(zone)
    return f"{start:%A %-d %B %Y, %H:%M} ({zone.key})"


def event_time(event: Event, member: Member) -> str:
    """The event's own local start, when the member reads times in another zone (else "")."""
    if reader_zone(member.time_zone, current_settings().time_zone).key == event.time_zone:
        return ""
    return local_time(event)


def _details(event: Event, member: Member) -> dict[str, str]:
    return {
        "name": member.display_name,
        "event": event.title,
        "when": local_time(event, member),
        "event_when": event_time(event, member),
        "venue": event.venue,
        "online_url": event.online_url,
        "url": absolute_url("events:detail", event_id=event.id),
    }


def ics_attachment(event: Event) -> Attachment:
    """The event as an .ics file for someone going (so with its online link)."""
    return Attachment(
        name=f"event-{event.id}.ics",
        content_type="text/calendar",
        content=calendar_for([event], name=event.title, going=True),
    )


def reminder(event: Event, member: Member, *, label: str, cancel_url: str) -> Email:
    """A reminder before the event, with its details in the member's time and an .ics file."""
    return Email(
        to=member.email or "",
        template="events/reminder",
        context={
            **_details(event, member),
            **footer_context(member.id, EVENT_REMINDER),
            "cancel_url": cancel_url,
            "soon": label,
        },
        headers=unsubscribe_headers(member.id, EVENT_REMINDER),
        attachments=(ics_attachment(event),),
        idempotency_key=(
            f"events:reminder:{event.id}:{member.id}:{label}:{event.starts_at.timestamp():.0f}"
        ),
    )


def place_words(event: Event) -> str:
    """Where an event is, in words: its venue, "online", or both."""
    return " and ".join(
        part for part in (event.venue, "online" if event.online_url else "") if part
    )
