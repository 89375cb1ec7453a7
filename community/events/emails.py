"""The event emails, as outbox data."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from community.accounts.models import Member
from community.events.models import Event, Rsvp
from community.mail.outbox import Email


def local_time(event: Event) -> str:
    """When the event happens, in its own time zone, for emails."""
    start = event.starts_at.astimezone(ZoneInfo(event.time_zone))
    return f"{start:%A %-d %B %Y, %H:%M} ({event.time_zone})"


def promoted(rsvp: Rsvp, member: Member, event: Event, *, base_url: str, when: str) -> Email:
    """A seat opened and the member moved from the waitlist to going."""
    return Email(
        to=member.email or "",
        template="events/promoted",
        context={
            "name": member.display_name,
            "event": event.title,
            "when": when,
            "url": f"{base_url}/events/{event.id}",
        },
        idempotency_key=f"events:promoted:{event.id}:{member.id}:{rsvp.answered_at.timestamp():.0f}",
    )


def reminder(event: Event, member: Member, *, label: str, base_url: str, cancel_url: str) -> Email:
    """A reminder before the event, with its details in the event's time."""
    return Email(
        to=member.email or "",
        template="events/reminder",
        context={
            "name": member.display_name,
            "event": event.title,
            "when": local_time(event),
            "venue": event.venue,
            "online_url": event.online_url,
            "url": f"{base_url}/events/{event.id}",
            "cancel_url": cancel_url,
            "soon": label,
        },
        idempotency_key=(
            f"events:reminder:{event.id}:{member.id}:{label}:{event.starts_at.timestamp():.0f}"
        ),
    )


def event_news(event: Event, member: Member, *, template: str, kind: str, base_url: str) -> Email:
    """The event changed (time or place) or was cancelled."""
    return Email(
        to=member.email or "",
        template=template,
        context={
            "name": member.display_name,
            "event": event.title,
            "when": local_time(event),
            "venue": event.venue,
            "online_url": event.online_url,
            "url": f"{base_url}/events/{event.id}",
        },
        idempotency_key=f"events:{kind}:{event.id}:{member.id}",
    )
