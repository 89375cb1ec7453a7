"""The event emails, as outbox data."""

from __future__ import annotations

from community.accounts.models import Member
from community.events.models import Event, Rsvp
from community.mail.outbox import Email


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
