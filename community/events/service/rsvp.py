"""RSVPs: a seat or a waitlist place, cancelling one, and promotion from the waitlist."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from community import clock
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, NotFound
from community.events import emails
from community.events.access import access_event, ensure_may_rsvp
from community.events.kinds import PROMOTED
from community.events.models import Event, Rsvp, RsvpStatus
from community.events.reminders import rsvp_for_cancel_link
from community.notifications.service import Notice, notify
from community.urls import path as url_path


class _AnsweredMeanwhile(Exception):
    """Another request changed this RSVP first; roll ours back."""


def ensure_rsvp_open(event: Event) -> None:
    """Conflict unless the event still takes RSVPs (not cancelled, not started, before the
    deadline)."""
    now = clock.now()
    if event.is_cancelled:
        raise Conflict("This event is cancelled.")
    if now >= event.starts_at:
        raise Conflict("RSVPs for this event have closed: it has started.")
    if event.rsvp_deadline is not None and now >= event.rsvp_deadline:
        raise Conflict("RSVPs for this event have closed: the deadline has passed.")


PROGRAMME_SESSION = (
    "This session is part of a programme: its seats are taken by enrolling in the programme, "
    "and given back by withdrawing from it."
)


def ensure_not_programme_session(event: Event) -> None:
    """Conflict for a programme's session: no seat in it by the side door."""
    if event.enrolment_only:
        raise Conflict(PROGRAMME_SESSION)


async def _take_seat(event: Event) -> bool:
    """Take a seat if one is free (a guarded counter). Call inside a transaction."""
    seats = Event.filter(id=event.id)
    if event.capacity is not None:
        seats = seats.filter(seats_taken__lt=F("capacity"))
    return bool(await seats.update(seats_taken=F("seats_taken") + 1))


async def rsvp(*, actor: Member | None, event_id: int) -> Rsvp:
    """Say "going": a seat if one is free, else a place on the waitlist. Harmless to repeat."""
    view = await access_event(actor, event_id)
    member = ensure_may_rsvp(view)
    event = view.event
    ensure_not_programme_session(event)
    ensure_rsvp_open(event)
    existing = await Rsvp.filter(event_id=event.id, member_id=member.id).first()
    if existing is not None and existing.status != RsvpStatus.NOT_GOING:
        return existing
    now = clock.now()
    try:
        async with transaction():
            # the guarded seat comes first: the database settles the race for the last seat
            seated = await _take_seat(event)
            status = RsvpStatus.GOING if seated else RsvpStatus.WAITLIST
            if existing is None:
                await Rsvp.create(
                    event_id=event.id, member_id=member.id, status=status, answered_at=now
                )
            else:
                changed = await Rsvp.filter(id=existing.id, status=RsvpStatus.NOT_GOING).update(
                    status=status, answered_at=now
                )
                if not changed:
                    raise _AnsweredMeanwhile
    except (IntegrityError, _AnsweredMeanwhile):
        pass  # a double submit answered first: its seat stands, ours was rolled back
    return await Rsvp.get(event_id=event.id, member_id=member.id)


async def cancel_rsvp(*, actor: Member | None, event_id: int) -> Rsvp | None:
    """Say "not going"; a freed seat goes at once to the first on the waitlist."""
    view = await access_event(actor, event_id)
    member = ensure_may_rsvp(view)
    event = view.event
    ensure_not_programme_session(event)
    existing = await Rsvp.filter(event_id=event.id, member_id=member.id).first()
    if existing is None or existing.status == RsvpStatus.NOT_GOING:
        return existing
    async with transaction():
        was_going = await Rsvp.filter(id=existing.id, status=RsvpStatus.GOING).update(
            status=RsvpStatus.NOT_GOING, answered_at=clock.now()
        )
        if was_going:
            await Event.filter(id=event.id).update(seats_taken=F("seats_taken") - 1)
            await promote_waitlist(event.id)
        else:
            await Rsvp.filter(id=existing.id, status=RsvpStatus.WAITLIST).update(
                status=RsvpStatus.NOT_GOING, answered_at=clock.now()
            )
    return await Rsvp.get(id=existing.id)


async def cancel_rsvp_by_link(*, event_id: int, member_id: int, signature: str) -> Event:
    """The one-click "I can't make it" from a reminder: no sign-in, a signed link instead."""
    await rsvp_for_cancel_link(event_id, member_id, signature)
    member = await Member.filter(id=member_id, deleted_at__isnull=True).first()
    if member is None:
        raise NotFound("This link is not valid.")
    await cancel_rsvp(actor=member, event_id=event_id)
    return await Event.get(id=event_id)


async def promote_waitlist(event_id: int) -> int:
    """Move waitlisted members to going while seats are free, first come first served, each
    exactly once (guarded updates), and email them. Call inside a transaction."""
    event = await Event.get(id=event_id)
    if event.is_cancelled or clock.now() >= event.starts_at:
        return 0
    promoted = 0
    while True:
        candidate = (
            await Rsvp.filter(event_id=event_id, status=RsvpStatus.WAITLIST)
            .order_by("answered_at", "id")
            .select_related("member")
            .first()
        )
        if candidate is None or not await _take_seat(event):
            return promoted
        moved = await Rsvp.filter(id=candidate.id, status=RsvpStatus.WAITLIST).update(
            status=RsvpStatus.GOING, promoted_at=clock.now()
        )
        if not moved:  # someone else moved them first: give the seat back
            await Event.filter(id=event_id).update(seats_taken=F("seats_taken") - 1)
            continue
        promoted += 1
        member = candidate.member
        await notify(
            [member],
            Notice(
                PROMOTED,
                f"A seat opened: you are going to “{event.title}”",
                url=url_path("events:detail", event_id=event.id),
                dedupe_key=f"promoted:{event.id}:{candidate.answered_at.timestamp():.0f}",
                body=f"It starts {emails.local_time(event, member)}.",
                topic=f"event:{event.id}",
            ),
        )
