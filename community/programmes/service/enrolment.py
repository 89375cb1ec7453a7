"""Enrolling once for every session (a guarded count of places), withdrawing, and the
waitlist promoted exactly once."""

from __future__ import annotations

from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from community import clock
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, PermissionDenied
from community.events.models import Event, Rsvp, RsvpStatus
from community.notifications.service import Notice, notify
from community.programmes.kinds import ENROLMENT
from community.programmes.models import (
    Enrolment,
    EnrolmentStatus,
    Programme,
)
from community.programmes.service.access import ProgrammeView, access_programme
from community.programmes.service.sessions import session_events, spans
from community.urls import path as url_path


def ensure_enrolment_open(programme: Programme, first: datetime | None) -> None:
    """Conflict unless enrolment is open: before it closes and before the first session
    starts (`first`: the first session not cancelled, if any)."""
    now = clock.now()
    if programme.cancelled_at is not None:
        raise Conflict("This programme is cancelled.")
    if programme.enrol_opens_at is not None and now < programme.enrol_opens_at:
        raise Conflict("Enrolment for this programme has not opened yet.")
    if now >= programme.enrol_closes_at or first is None or now >= first:
        raise Conflict("Enrolment for this programme has closed.")


def _ensure_may_enrol(view: ProgrammeView) -> Member:
    actor = view.actor
    if actor is None:
        raise PermissionDenied("Please sign in to enrol.")
    if not actor.is_verified:
        raise PermissionDenied("Please verify your email address before you enrol.")
    if not view.may_enrol:
        raise PermissionDenied("Join the group to enrol in its programmes.")
    return actor


async def _seat_in_sessions(programme_id: int, member_id: int) -> None:
    """Going to every session still to come, the seats counted as the programme's. Call
    inside a transaction, once the member holds a place."""
    now = clock.now()
    for event in await session_events(programme_id):
        if event.is_cancelled or event.starts_at <= now:
            continue
        rsvp = await Rsvp.filter(event_id=event.id, member_id=member_id).first()
        if rsvp is None:
            await Rsvp.create(
                event_id=event.id, member_id=member_id, status=RsvpStatus.GOING, answered_at=now
            )
        elif rsvp.status != RsvpStatus.GOING:
            await Rsvp.filter(id=rsvp.id).update(status=RsvpStatus.GOING, answered_at=now)
        else:
            continue
        await Event.filter(id=event.id).update(seats_taken=F("seats_taken") + 1)


async def _unseat_from_sessions(programme_id: int, member_id: int) -> None:
    """Not going to the sessions still to come (those past keep their attendance)."""
    now = clock.now()
    for event in await session_events(programme_id):
        if event.starts_at <= now:
            continue
        freed = await Rsvp.filter(
            event_id=event.id, member_id=member_id, status=RsvpStatus.GOING
        ).update(status=RsvpStatus.NOT_GOING, answered_at=now)
        if freed:
            await Event.filter(id=event.id).update(seats_taken=F("seats_taken") - 1)


async def _take_place(programme_id: int) -> bool:
    """A place if one is free (a guarded counter: the database settles the race)."""
    return bool(
        await Programme.filter(id=programme_id, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
    )


async def enrol(*, actor: Member | None, programme_id: int) -> Enrolment:
    """Enrol for the whole programme: a place and a seat in each session if a place is free,
    else a place on its waitlist. Harmless to repeat: enrolling twice changes nothing."""
    view = await access_programme(actor, programme_id)
    member = _ensure_may_enrol(view)
    programme = view.programme
    existing = await Enrolment.filter(programme_id=programme.id, member_id=member.id).first()
    if existing is not None and existing.status != EnrolmentStatus.WITHDRAWN:
        return existing
    span = (await spans([programme.id])).get(programme.id)
    ensure_enrolment_open(programme, span.first if span else None)
    now = clock.now()
    try:
        async with transaction():
            placed = await _take_place(programme.id)
            status = EnrolmentStatus.ENROLLED if placed else EnrolmentStatus.WAITLIST
            if existing is None:
                await Enrolment.create(
                    programme_id=programme.id, member_id=member.id, status=status, answered_at=now
                )
            elif not await Enrolment.filter(
                id=existing.id, status=EnrolmentStatus.WITHDRAWN
            ).update(status=status, answered_at=now, promoted_at=None):
                raise _AnsweredMeanwhile
            if placed:
                await _seat_in_sessions(programme.id, member.id)
    except (IntegrityError, _AnsweredMeanwhile):
        pass  # a double submit enrolled first: its place stands, ours was rolled back
    return await Enrolment.get(programme_id=programme.id, member_id=member.id)


class _AnsweredMeanwhile(Exception):
    """Another request changed this enrolment first; roll ours back."""


async def withdraw(*, actor: Member | None, programme_id: int) -> Enrolment:
    """Withdraw: the place (and each seat still to come) goes at once to the first on the
    waitlist while enrolment is open. A completed programme stays completed."""
    view = await access_programme(actor, programme_id)
    member = ensure_signed_in(actor)
    programme = view.programme
    existing = await Enrolment.filter(programme_id=programme.id, member_id=member.id).first()
    if existing is None or existing.status == EnrolmentStatus.WITHDRAWN:
        raise Conflict("You are not enrolled in this programme.")
    if existing.completed_at is not None:
        raise Conflict("You have completed this programme: there is nothing to withdraw from.")
    now = clock.now()
    async with transaction():
        was_enrolled = await Enrolment.filter(
            id=existing.id, status=EnrolmentStatus.ENROLLED
        ).update(status=EnrolmentStatus.WITHDRAWN, answered_at=now)
        if was_enrolled:
            await Programme.filter(id=programme.id).update(seats_taken=F("seats_taken") - 1)
            await _unseat_from_sessions(programme.id, member.id)
            await promote_waitlist(programme.id)
        else:
            await Enrolment.filter(id=existing.id, status=EnrolmentStatus.WAITLIST).update(
                status=EnrolmentStatus.WITHDRAWN, answered_at=now
            )
    return await Enrolment.get(id=existing.id)


async def promote_waitlist(programme_id: int) -> int:
    """Enrol waitlisted members while places are free, first come first served, each exactly
    once (guarded updates), while enrolment is open; tell each. Call inside a transaction."""
    programme = await Programme.get(id=programme_id)
    span = (await spans([programme_id])).get(programme_id)
    if clock.now() >= programme.enrol_closes_at or span is None or clock.now() >= span.first:
        return 0
    if programme.cancelled_at is not None:
        return 0
    promoted = 0
    while True:
        candidate = (
            await Enrolment.filter(programme_id=programme_id, status=EnrolmentStatus.WAITLIST)
            .order_by("answered_at", "id")
            .select_related("member")
            .first()
        )
        if candidate is None or not await _take_place(programme_id):
            return promoted
        moved = await Enrolment.filter(id=candidate.id, status=EnrolmentStatus.WAITLIST).update(
            status=EnrolmentStatus.ENROLLED, promoted_at=clock.now()
        )
        if not moved:  # someone else moved them first: give the place back
            await Programme.filter(id=programme_id).update(seats_taken=F("seats_taken") - 1)
            continue
        await _seat_in_sessions(programme_id, candidate.member_id)
        promoted += 1
        await notify(
            [candidate.member],
            Notice(
                ENROLMENT,
                f"A place opened: you are enrolled in “{programme.title}”",
                url=url_path("programmes:detail", programme_id=programme.id),
                dedupe_key=f"programme-promoted:{programme.id}:{candidate.answered_at.timestamp():.0f}",
                body="Your seat in each session is taken for you.",
                topic=f"programme:{programme.id}",
            ),
        )
