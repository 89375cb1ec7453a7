"""Event reminders: the schedule is data. A tick sends what is due and records each delivery.

For every event that has not started, the latest reminder offset whose time has come is sent
to each member going, once: a unique delivery row per (event, member, offset, start) settles
two workers racing, and a worker that was down catches up with that latest reminder only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError

from community import clock
from community.db import transaction
from community.errors import NotFound
from community.events import emails
from community.events.kinds import EVENT_REMINDER
from community.events.models import Event, EventState, ReminderDelivery, Rsvp, RsvpStatus
from community.mail.outbox import enqueue
from community.notifications.models import Delivery
from community.notifications.service import deliveries
from community.settings import current as current_settings
from community.urls import absolute_url

logger = logging.getLogger(__name__)


def cancel_signature(rsvp: Rsvp) -> str:
    """The signature of a one-click "I can't make it" link (no sign-in needed). It covers the
    moment the member answered, so the link works once: cancelling changes that moment, and a
    later "going" is not undone by an old email."""
    secret = current_settings().secret_key.encode()
    answered = f"{rsvp.answered_at.timestamp():.6f}"
    message = f"events:cant-make-it:{rsvp.event_id}:{rsvp.member_id}:{answered}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


async def rsvp_for_cancel_link(event_id: int, member_id: int, signature: str) -> Rsvp:
    """The RSVP a one-click link may cancel; NotFound for forged, used or outdated links."""
    rsvp = await Rsvp.filter(
        event_id=event_id,
        member_id=member_id,
        status__in=[RsvpStatus.GOING, RsvpStatus.WAITLIST],
    ).first()
    if rsvp is None or not hmac.compare_digest(cancel_signature(rsvp), signature):
        raise NotFound(
            "This link is not valid any more: it was used already, or your RSVP changed since."
        )
    return rsvp


def cancel_url(rsvp: Rsvp) -> str:
    return absolute_url(
        "events:cant_make_it",
        event_id=rsvp.event_id,
        member=rsvp.member_id,
        signature=cancel_signature(rsvp),
    )


def _label(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


async def send_due_reminders(offsets: tuple[timedelta, ...] | None = None) -> int:
    """Queue every reminder that is due now; returns how many. Safe to run anywhere, often."""
    offsets = tuple(sorted(offsets or current_settings().reminder_offsets))
    if not offsets:
        return 0
    now = clock.now()
    sent = 0
    for event, offset in await _due_events(offsets, now):
        sent += await _remind(event, offset)
    return sent


async def _due_events(
    offsets: tuple[timedelta, ...], now: datetime
) -> list[tuple[Event, timedelta]]:
    """Each event not started whose first reminder time has come, with its latest due offset
    (the smallest one whose moment has come). `offsets` sorted, smallest first."""
    events = await Event.filter(
        state=EventState.SCHEDULED, starts_at__gt=now, starts_at__lte=now + offsets[-1]
    )
    return [(e, next(o for o in offsets if e.starts_at - o <= now)) for e in events]


@dataclass(frozen=True)
class PendingReminders:
    """Reminders due now that no tick has queued yet: how many, and since when the oldest."""

    count: int
    oldest_due_at: datetime | None


async def pending_reminders() -> PendingReminders:
    """What the next tick would queue (for the operator's view), in four queries."""
    offsets = tuple(sorted(current_settings().reminder_offsets))
    if not offsets:
        return PendingReminders(0, None)
    now = clock.now()
    due = {event.id: (event, offset) for event, offset in await _due_events(offsets, now)}
    going = await Rsvp.filter(event_id__in=list(due), status=RsvpStatus.GOING).values_list(
        "event_id", "member_id"
    )
    done = set(
        await ReminderDelivery.filter(event_id__in=list(due)).values_list(
            "event_id", "member_id", "offset_minutes", "starts_at"
        )
    )
    choices = await deliveries([member_id for _, member_id in going], EVENT_REMINDER)
    count, oldest = 0, None
    for event_id, member_id in going:
        event, offset = due[event_id]
        minutes = int(offset.total_seconds() // 60)
        if (event_id, member_id, minutes, event.starts_at) in done:
            continue
        if choices[member_id] == Delivery.NEVER:
            continue
        count += 1
        due_at = event.starts_at - offset
        oldest = due_at if oldest is None else min(oldest, due_at)
    return PendingReminders(count, oldest)


async def _remind(event: Event, offset: timedelta) -> int:
    minutes = int(offset.total_seconds() // 60)
    done = {
        delivery.member_id  # type: ignore[attr-defined]
        for delivery in await ReminderDelivery.filter(
            event_id=event.id, offset_minutes=minutes, starts_at=event.starts_at
        ).only("id", "member_id")
    }
    rsvps = await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING).select_related("member")
    choices = await deliveries([r.member_id for r in rsvps], EVENT_REMINDER)
    sent = 0
    for rsvp in rsvps:
        member = rsvp.member
        if member.id in done or not member.email or choices[member.id] == Delivery.NEVER:
            continue
        try:
            async with transaction():
                await ReminderDelivery.create(
                    event_id=event.id,
                    member_id=member.id,
                    offset_minutes=minutes,
                    starts_at=event.starts_at,
                    created_at=clock.now(),
                )
                await enqueue(
                    emails.reminder(
                        event,
                        member,
                        label=_label(offset),
                        cancel_url=cancel_url(rsvp),
                    )
                )
        except IntegrityError:  # another worker sent this one a moment ago
            continue
        sent += 1
    if sent:
        logger.info("Queued %d reminders for event %s (%s before)", sent, event.id, _label(offset))
    return sent
