"""Programmes: creating one over a series of new sessions or events already scheduled,
enrolling once for all its sessions (a guarded count of places, a waitlist promoted exactly
once), completion from attendance (hours credited once, a certificate issued once), and the
certificates anyone can check.

Hours: a programme's sessions carry none of their own. Completing the programme credits its
hours once, in the learning record and the yearly CPD record, on the day of the last session
attended; a member who attends sessions without completing earns no hours from them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q, Subquery

from community import clock
from community.accounts.access import ensure_admin, ensure_signed_in
from community.accounts.models import PROFESSION_LABELS, Member, Profession
from community.db import transaction
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.events.attendance import on_attended
from community.events.cpd import format_hours
from community.events.kinds import EVENT_CHANGED
from community.events.models import Event, EventState, LearningCredit, Rsvp, RsvpStatus
from community.events.schemas import instant
from community.events.service import create_series
from community.events.service.scheduling import event_owner
from community.groups.access import Viewer, access_group, manages, takes_part
from community.groups.models import Group, Membership, Visibility
from community.notifications.service import Notice, notify
from community.programmes.kinds import ENROLMENT
from community.programmes.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeSession,
)
from community.programmes.schemas import (
    ProgrammeDetails,
    ProgrammeForm,
    ProgrammeFromEvents,
    ProgrammeTerms,
    Revocation,
)
from community.text import INT_MAX
from community.urls import path as url_path

#: 20 random characters from 32 (100 bits): no one finds a certificate by guessing
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 20
NOT_FOUND = "There is no such programme."


def new_code() -> str:
    """A certificate code, shown in groups of five: ABCDE-FGHJK-…"""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, CODE_LENGTH, 5))


def normal_code(text: str) -> str | None:
    """A code as typed (any case, spaces or dashes anywhere) in its stored form, or None."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 5] for i in range(0, CODE_LENGTH, 5))


# --- seeing a programme -------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeView:
    """A programme as one person sees it."""

    programme: Programme
    actor: Member | None
    #: the group as the actor sees it; None for a site-wide programme
    viewer: Viewer | None

    @property
    def can_manage(self) -> bool:
        return manages(self.actor, self.viewer)

    @property
    def may_enrol(self) -> bool:
        return takes_part(self.actor, self.viewer)


async def access_programme(actor: Member | None, programme_id: int) -> ProgrammeView:
    """The programme if the actor may see it: those of private groups are NotFound to others."""
    if not 1 <= programme_id <= INT_MAX:
        raise NotFound(NOT_FOUND)
    programme = await Programme.filter(id=programme_id).select_related("group").first()
    if programme is None:
        raise NotFound(NOT_FOUND)
    viewer = None
    if programme.group is not None:
        viewer = await access_group(actor, programme.group.slug)
        if not viewer.can_see_content:
            raise NotFound(NOT_FOUND)
    return ProgrammeView(programme=programme, actor=actor, viewer=viewer)


def _visible(actor: Member | None) -> Q:
    """Programmes of site-wide, public and the actor's own groups (all, for admins)."""
    if actor is not None and actor.is_admin:
        return Q()
    seen = Q(group_id__isnull=True) | Q(group__visibility=Visibility.PUBLIC)
    if actor is not None:
        seen |= Q(group_id__in=Subquery(Membership.filter(member_id=actor.id).values("group_id")))
    return seen


# --- creating one -------------------------------------------------------------------------


def _opens(form: ProgrammeTerms, zone: str, closes: datetime) -> datetime | None:
    """When enrolment opens (UTC), None for at once: before it closes."""
    if form.enrol_opens_at is None:
        return None
    try:
        opens = instant(form.enrol_opens_at, zone)
    except ValueError as exc:
        raise Invalid(enrol_opens_at=str(exc)) from None
    if opens >= closes:
        raise Invalid(enrol_opens_at="Open enrolment before it closes.")
    return opens


def _check_terms(
    form: ProgrammeTerms,
    starts: list[datetime],
    zone: str,
    kept: datetime | None = None,
) -> datetime:
    """The completion rule and the enrolment window against the sessions: the time
    enrolment closes (UTC). `kept`: the closing time the programme has, which may stay as it
    is though it has passed."""
    count = len(starts)
    if form.min_attended is not None and form.min_attended > count:
        raise Invalid(
            min_attended=f"The programme has {count} sessions: a member cannot attend more."
        )
    wrong = [number for number in form.mandatory if number > count]
    if wrong:
        raise Invalid(
            mandatory=f"The programme has {count} sessions: choose numbers up to {count}."
        )
    if form.enrol_closes_at is None:
        return starts[0]
    try:
        closes = instant(form.enrol_closes_at, zone)
    except ValueError as exc:
        raise Invalid(enrol_closes_at=str(exc)) from None
    if closes > starts[0]:
        raise Invalid(
            enrol_closes_at="Close enrolment at the latest when the first session starts."
        )
    if closes <= clock.now() and closes != kept:
        raise Invalid(enrol_closes_at="Choose a time for enrolment to close that is still to come.")
    return closes


async def _make(
    form: ProgrammeForm | ProgrammeFromEvents,
    *,
    group_id: int | None,
    creator: Member,
    title: str,
    summary: str,
    zone: str,
    events: list[Event],
) -> Programme:
    """The programme over `events` (in start order), whose seats then go by enrolment only.
    Call inside a transaction."""
    starts = [event.starts_at for event in events]
    closes = _check_terms(form, starts, zone)
    opens = _opens(form, zone, closes)
    programme = await Programme.create(
        enrol_opens_at=opens,
        group_id=group_id,
        title=title,
        summary=summary,
        provider=form.provider,
        professions=sorted({str(profession) for profession in form.professions}),
        cpd_hours=form.cpd_hours,
        enrol_closes_at=closes,
        capacity=form.capacity,
        min_attended=form.min_attended or len(events),
        time_zone=zone,
        created_by_id=creator.id,
        created_at=clock.now(),
    )
    mandatory = set(form.mandatory)
    for number, event in enumerate(events, start=1):
        await ProgrammeSession.create(
            programme_id=programme.id, event_id=event.id, mandatory=number in mandatory
        )
    await Event.filter(id__in=[event.id for event in events]).update(
        enrolment_only=True, capacity=form.capacity, cpd_hours=Decimal(0)
    )
    return programme


async def create_programme(
    *, actor: Member | None, slug: str | None, form: ProgrammeForm
) -> Programme:
    """A programme with a new weekly or monthly series of sessions, for a group (its
    facilitators) or the whole site (admins). Sent twice, the first one stands."""
    async with transaction():
        series = await create_series(actor=actor, slug=slug, form=form)
        events = await Event.filter(series_id=series.id).order_by("series_index")
        existing = await ProgrammeSession.filter(event_id=events[0].id).first()
        if existing is not None:
            return await Programme.get(id=existing.programme_id)
        creator = ensure_signed_in(actor)
        return await _make(
            form,
            group_id=series.group_id,
            creator=creator,
            title=form.title,
            summary=form.description,
            zone=form.time_zone,
            events=events,
        )


async def create_programme_from_events(
    *, actor: Member | None, slug: str | None, form: ProgrammeFromEvents
) -> Programme:
    """A programme of events already scheduled by the same group (or site-wide ones, for
    admins): not started, not cancelled, in no other programme, and no one answered yet."""
    group_id, creator = await event_owner(actor, slug)
    ids = sorted(set(form.event_ids))
    if len(ids) != len(form.event_ids):
        raise Invalid(event_ids="Choose each event once.")
    async with transaction():
        events = await Event.filter(id__in=ids, group_id=group_id).order_by("starts_at", "id")
        if len(events) != len(ids):
            raise Invalid(event_ids="Choose events of this group, by their ids.")
        now = clock.now()
        if any(event.is_cancelled or event.starts_at <= now for event in events):
            raise Invalid(event_ids="Choose events that are still to come and not cancelled.")
        if await ProgrammeSession.filter(event_id__in=ids).exists():
            raise Invalid(event_ids="One of these events is already a session of a programme.")
        if await Rsvp.filter(event_id__in=ids).exists():
            raise Invalid(
                event_ids="Members have already answered one of these events: a programme's "
                "sessions take their seats by enrolment only."
            )
        return await _make(
            form,
            group_id=group_id,
            creator=creator,
            title=form.title,
            summary=form.summary,
            zone=form.time_zone,
            events=events,
        )


def ensure_manages(view: ProgrammeView) -> Member:
    """The actor, if they run the programme (its group's facilitators, admins)."""
    if view.actor is None:
        raise PermissionDenied("Please sign in to continue.")
    if not view.can_manage:
        raise PermissionDenied("Only the programme's facilitators can do that.")
    return view.actor


def details_of(programme: Programme, mandatory: list[int]) -> dict[str, object]:
    """The programme as its edit form holds it (times in its zone, as the form shows them)."""
    zone = ZoneInfo(programme.time_zone)
    return {
        "title": programme.title,
        "summary": programme.summary,
        "provider": programme.provider,
        "professions": list(programme.professions),
        "capacity": programme.capacity,
        "cpd_hours": format_hours(Decimal(programme.cpd_hours)),
        "min_attended": programme.min_attended,
        "mandatory": mandatory,
        "enrol_opens_at": programme.enrol_opens_at.astimezone(zone).replace(tzinfo=None)
        if programme.enrol_opens_at
        else None,
        "enrol_closes_at": programme.enrol_closes_at.astimezone(zone).replace(tzinfo=None),
    }


async def programme_to_edit(
    *, actor: Member | None, programme_id: int
) -> tuple[Programme, dict[str, object]]:
    """The programme and its edit form's values, for its facilitators."""
    view = await access_programme(actor, programme_id)
    ensure_manages(view)
    sessions = await _sessions_in_order(programme_id)
    mandatory = [n for n, session in enumerate(sessions, start=1) if session.mandatory]
    return view.programme, details_of(view.programme, mandatory)


async def _sessions_in_order(programme_id: int) -> list[ProgrammeSession]:
    sessions = await ProgrammeSession.filter(programme_id=programme_id).select_related("event")
    sessions.sort(key=lambda session: (session.event.starts_at, session.event_id))
    return sessions


async def update_programme(
    *, actor: Member | None, programme_id: int, form: ProgrammeDetails
) -> Programme:
    """Change a programme's terms. More places promote its waitlist at once; fewer than are
    taken are refused; a looser rule completes whoever now meets it. Certificates already
    issued keep the hours they were issued with."""
    view = await access_programme(actor, programme_id)
    ensure_manages(view)
    programme = view.programme
    sessions = await _sessions_in_order(programme.id)
    starts = [session.event.starts_at for session in sessions]
    live = [s.event.starts_at for s in sessions if not s.event.is_cancelled] or starts
    closes = _check_terms(form, starts, programme.time_zone, kept=programme.enrol_closes_at)
    if closes > min(live):
        raise Invalid(
            enrol_closes_at="Close enrolment at the latest when the first session starts."
        )
    opens = _opens(form, programme.time_zone, closes)
    if form.capacity < programme.seats_taken:
        raise Invalid(
            capacity=f"{programme.seats_taken} members are enrolled: choose at least "
            f"{programme.seats_taken} places."
        )
    mandatory = set(form.mandatory)
    async with transaction():
        await Programme.filter(id=programme.id).update(
            title=form.title,
            summary=form.summary,
            provider=form.provider,
            professions=sorted({str(profession) for profession in form.professions}),
            cpd_hours=form.cpd_hours,
            capacity=form.capacity,
            min_attended=form.min_attended or len(sessions),
            enrol_opens_at=opens,
            enrol_closes_at=closes,
        )
        for number, session in enumerate(sessions, start=1):
            if session.mandatory != (number in mandatory):
                await ProgrammeSession.filter(id=session.id).update(mandatory=number in mandatory)
        await Event.filter(id__in=[session.event_id for session in sessions]).update(
            capacity=form.capacity
        )
        await promote_waitlist(programme.id)
        updated = await Programme.get(id=programme.id)
        await _complete_all_who_meet(updated)
    return updated


async def cancel_programme(*, actor: Member | None, programme_id: int) -> Programme:
    """Cancel a programme (its facilitators): its sessions still to come are cancelled, and
    everyone enrolled or waiting is told once. Completions and certificates stand."""
    view = await access_programme(actor, programme_id)
    manager = ensure_manages(view)
    programme = view.programme
    now = clock.now()
    async with transaction():
        if not await Programme.filter(id=programme.id, cancelled_at__isnull=True).update(
            cancelled_at=now
        ):
            raise Conflict("This programme is already cancelled.")
        sessions = ProgrammeSession.filter(programme_id=programme.id).values("event_id")
        await Event.filter(
            id__in=Subquery(sessions), starts_at__gt=now, state=EventState.SCHEDULED
        ).update(state=EventState.CANCELLED)
        told = await Enrolment.filter(
            programme_id=programme.id,
            status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLIST],
            completed_at__isnull=True,
        ).select_related("member")
        await notify(
            [enrolment.member for enrolment in told],
            Notice(
                EVENT_CHANGED,
                f"“{programme.title}” is cancelled",
                url=url_path("programmes:detail", programme_id=programme.id),
                dedupe_key=f"programme-cancelled:{programme.id}",
                body="Its sessions still to come will not take place.",
                topic=f"programme:{programme.id}",
                actor_id=manager.id,
            ),
        )
    return await Programme.get(id=programme.id)


async def _complete_all_who_meet(programme: Programme) -> None:
    """Complete every enrolled member who meets the rule now (after the rule changed)."""
    enrolments = await Enrolment.filter(
        programme_id=programme.id, status=EnrolmentStatus.ENROLLED, completed_at__isnull=True
    ).select_related("member")
    progress = await _progress_of(programme, [enrolment.member_id for enrolment in enrolments])
    for enrolment in enrolments:
        if progress[enrolment.member_id].met and progress[enrolment.member_id].attended:
            await _complete(programme, enrolment)


# --- enrolling ----------------------------------------------------------------------------


def _ensure_enrolment_open(programme: Programme, first: datetime | None) -> None:
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


async def _session_events(programme_id: int) -> list[Event]:
    """The programme's sessions, in the order they start, cancelled ones too."""
    ids = ProgrammeSession.filter(programme_id=programme_id).values("event_id")
    return await Event.filter(id__in=Subquery(ids)).order_by("starts_at", "id")


async def _seat_in_sessions(programme_id: int, member_id: int) -> None:
    """Going to every session still to come, the seats counted as the programme's. Call
    inside a transaction, once the member holds a place."""
    now = clock.now()
    for event in await _session_events(programme_id):
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
    for event in await _session_events(programme_id):
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
    _ensure_enrolment_open(programme, span.first if span else None)
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


# --- progress and completion --------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """How far one member is through a programme."""

    attended: int
    #: sessions not cancelled
    sessions: int
    #: sessions to attend, mandatory ones included
    required: int
    #: mandatory sessions not yet attended, by number from 1
    mandatory_missing: list[int]

    @property
    def met(self) -> bool:
        return self.attended >= self.required and not self.mandatory_missing

    @property
    def text(self) -> str:
        return f"Attended {self.attended} of {self.sessions}"


async def _progress_of(programme: Programme, member_ids: list[int]) -> dict[int, Progress]:
    sessions = await ProgrammeSession.filter(programme_id=programme.id).select_related("event")
    sessions.sort(key=lambda session: (session.event.starts_at, session.event_id))
    live = [session for session in sessions if not session.event.is_cancelled]
    attended: dict[int, set[int]] = {member_id: set() for member_id in member_ids}
    if member_ids:
        for rsvp in await Rsvp.filter(
            event_id__in=[session.event_id for session in live],
            member_id__in=member_ids,
            attended=True,
        ).only("event_id", "member_id"):
            attended[rsvp.member_id].add(rsvp.event_id)
    required = min(programme.min_attended, len(live))
    numbers = {session.event_id: number for number, session in enumerate(live, start=1)}
    return {
        member_id: Progress(
            attended=len(seen),
            sessions=len(live),
            required=required,
            mandatory_missing=[
                numbers[session.event_id]
                for session in live
                if session.mandatory and session.event_id not in seen
            ],
        )
        for member_id, seen in attended.items()
    }


async def complete_if_met(event: Event, member_ids: set[int]) -> None:
    """The programme rule, applied when members are marked as attended at one of its sessions
    (in the marking transaction): each member who now meets it completes it exactly once,
    with the hours credited, a certificate and a notice. Marked twice, or by two facilitators
    at once, the guarded update lets one of them complete it."""
    session = await ProgrammeSession.filter(event_id=event.id).first()
    if session is None:
        return
    programme = await Programme.get(id=session.programme_id)
    enrolments = await Enrolment.filter(
        programme_id=programme.id,
        member_id__in=sorted(member_ids),
        status=EnrolmentStatus.ENROLLED,
        completed_at__isnull=True,
    ).select_related("member")
    if not enrolments:
        return
    progress = await _progress_of(programme, [enrolment.member_id for enrolment in enrolments])
    for enrolment in enrolments:
        if progress[enrolment.member_id].met:
            await _complete(programme, enrolment)


async def _attended_days(programme: Programme, member_id: int) -> tuple[date, date]:
    ids = ProgrammeSession.filter(programme_id=programme.id).values("event_id")
    starts = sorted(
        rsvp.event.starts_at
        for rsvp in await Rsvp.filter(
            event_id__in=Subquery(ids), member_id=member_id, attended=True
        ).select_related("event")
    )
    zone = ZoneInfo(programme.time_zone)
    return starts[0].astimezone(zone).date(), starts[-1].astimezone(zone).date()


async def _complete(programme: Programme, enrolment: Enrolment) -> None:
    now = clock.now()
    done = await Enrolment.filter(id=enrolment.id, completed_at__isnull=True).update(
        completed_at=now
    )
    if not done:
        return  # completed meanwhile by another marking
    member: Member = enrolment.member
    first_day, last_day = await _attended_days(programme, member.id)
    path = url_path("programmes:detail", programme_id=programme.id)
    await LearningCredit.create(
        member_id=member.id,
        group_id=programme.group_id,
        source=f"programme:{programme.id}",
        title=programme.title,
        path=path,
        hours=programme.cpd_hours,
        earned_on=last_day,
        created_at=now,
    )
    certificate = await Certificate.create(
        code=new_code(),
        enrolment_id=enrolment.id,
        member_id=member.id,
        programme_id=programme.id,
        member_name=member.display_name,
        programme_title=programme.title,
        provider=programme.provider,
        hours=programme.cpd_hours,
        first_day=first_day,
        last_day=last_day,
        issued_at=now,
    )
    await notify(
        [member],
        Notice(
            ENROLMENT,
            f"You completed “{programme.title}”",
            url=url_path("programmes:certificate", code=certificate.code),
            dedupe_key=f"programme-completed:{programme.id}",
            body=f"{format_hours(Decimal(programme.cpd_hours))} CET/CPD hours are in your "
            "learning record, and your certificate is ready.",
            topic=f"programme:{programme.id}",
        ),
    )


# --- pages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    number: int
    event: Event
    mandatory: bool
    #: the member's attendance: True, False, or None (not marked, or not going)
    attended: bool | None


@dataclass(frozen=True)
class ProgrammePage:
    view: ProgrammeView
    sessions: list[SessionRow]
    #: the actor's enrolment, if any (withdrawn ones too)
    enrolment: Enrolment | None
    #: 1-based, on the waitlist
    waitlist_position: int | None
    progress: Progress | None
    certificate: Certificate | None
    waitlist_length: int

    @property
    def programme(self) -> Programme:
        return self.view.programme

    @property
    def first_start(self) -> datetime | None:
        """When the first session not cancelled starts."""
        live = [row.event.starts_at for row in self.sessions if not row.event.is_cancelled]
        return min(live) if live else None

    @property
    def enrolment_open(self) -> bool:
        try:
            _ensure_enrolment_open(self.programme, self.first_start)
        except Conflict:
            return False
        return True

    @property
    def places_left(self) -> int:
        return max(self.programme.capacity - self.programme.seats_taken, 0)


async def programme_page(*, actor: Member | None, programme_id: int) -> ProgrammePage:
    view = await access_programme(actor, programme_id)
    programme = view.programme
    sessions = await ProgrammeSession.filter(programme_id=programme.id).select_related("event")
    sessions.sort(key=lambda session: (session.event.starts_at, session.event_id))
    enrolment = progress = certificate = position = None
    marks: dict[int, bool | None] = {}
    if actor is not None:
        enrolment = await Enrolment.filter(programme_id=programme.id, member_id=actor.id).first()
    if enrolment is not None:
        for rsvp in await Rsvp.filter(
            event_id__in=[session.event_id for session in sessions],
            member_id=enrolment.member_id,
        ).only("event_id", "attended"):
            marks[rsvp.event_id] = rsvp.attended
        progress = (await _progress_of(programme, [enrolment.member_id]))[enrolment.member_id]
        certificate = await Certificate.filter(enrolment_id=enrolment.id).first()
        if enrolment.status == EnrolmentStatus.WAITLIST:
            position = (
                1
                + await Enrolment.filter(
                    Q(answered_at__lt=enrolment.answered_at)
                    | Q(answered_at=enrolment.answered_at, id__lt=enrolment.id),
                    programme_id=programme.id,
                    status=EnrolmentStatus.WAITLIST,
                ).count()
            )
    waiting = await Enrolment.filter(
        programme_id=programme.id, status=EnrolmentStatus.WAITLIST
    ).count()
    rows = [
        SessionRow(number, session.event, session.mandatory, marks.get(session.event_id))
        for number, session in enumerate(sessions, start=1)
    ]
    return ProgrammePage(view, rows, enrolment, position, progress, certificate, waiting)


@dataclass(frozen=True)
class Span:
    """When a programme runs: its first and last sessions not cancelled, and how many."""

    first: datetime
    last: datetime
    sessions: int


async def spans(programme_ids: list[int]) -> dict[int, Span]:
    """The span of each programme, by id, in one query (a programme whose every session is
    cancelled has none)."""
    starts: dict[int, list[datetime]] = {}
    for session in await ProgrammeSession.filter(
        programme_id__in=programme_ids, event__state=EventState.SCHEDULED
    ).select_related("event"):
        starts.setdefault(session.programme_id, []).append(session.event.starts_at)
    return {
        programme_id: Span(min(moments), max(moments), len(moments))
        for programme_id, moments in starts.items()
    }


@dataclass(frozen=True)
class ProgrammeCard:
    programme: Programme
    span: Span

    @property
    def professions_text(self) -> str:
        return ", ".join(PROFESSION_LABELS[Profession(key)] for key in self.programme.professions)


async def list_programmes(
    *, actor: Member | None, profession: str = "", provider: str = "", limit: int = 100
) -> list[ProgrammeCard]:
    """Programmes with a session still to come, soonest first; for a profession (those for
    everyone too) or a provider."""
    to_come = ProgrammeSession.filter(
        event__starts_at__gte=clock.now(), event__state=EventState.SCHEDULED
    ).values("programme_id")
    query = Programme.filter(_visible(actor), id__in=Subquery(to_come), cancelled_at__isnull=True)
    if provider:
        query = query.filter(provider=provider)
    programmes = await query.order_by("-id").limit(limit * 3)
    if profession:
        programmes = [p for p in programmes if not p.professions or profession in p.professions]
    known = await spans([programme.id for programme in programmes])
    cards = [ProgrammeCard(p, known[p.id]) for p in programmes if p.id in known]
    cards.sort(key=lambda card: (card.span.first, card.programme.id))
    return cards[:limit]


async def providers(*, actor: Member | None) -> list[str]:
    """The providers of the programmes the actor may see, for the filter."""
    names = await Programme.filter(_visible(actor)).distinct().values_list("provider", flat=True)
    return sorted({str(name) for name in names})


@dataclass(frozen=True)
class LearningRow:
    programme: Programme
    enrolment: Enrolment
    progress: Progress
    certificate: Certificate | None
    #: None when every session was cancelled
    span: Span | None


async def my_learning(*, actor: Member | None) -> list[LearningRow]:
    """The actor's programmes (enrolled, waiting, completed; not those withdrawn from), the
    latest first, with progress and certificates."""
    member = ensure_signed_in(actor)
    enrolments = (
        await Enrolment.filter(member_id=member.id)
        .filter(Q(status__not=EnrolmentStatus.WITHDRAWN) | Q(completed_at__isnull=False))
        .select_related("programme")
        .order_by("-answered_at")
    )
    certificates = {
        certificate.enrolment_id: certificate
        for certificate in await Certificate.filter(member_id=member.id)
    }
    known = await spans([enrolment.programme_id for enrolment in enrolments])
    rows = []
    for enrolment in enrolments:
        progress = (await _progress_of(enrolment.programme, [member.id]))[member.id]
        rows.append(
            LearningRow(
                enrolment.programme,
                enrolment,
                progress,
                certificates.get(enrolment.id),
                known.get(enrolment.programme_id),
            )
        )
    rows.sort(key=lambda row: row.span.first if row.span else row.enrolment.answered_at)
    return list(reversed(rows))


# --- the facilitators' sheet ----------------------------------------------------------------


@dataclass(frozen=True)
class SheetRow:
    enrolment: Enrolment
    member: Member
    #: per session, in order: True, False or None
    marks: list[bool | None]
    progress: Progress
    certificate: Certificate | None
    waitlist_position: int | None


@dataclass(frozen=True)
class Sheet:
    view: ProgrammeView
    sessions: list[Event]
    enrolled: list[SheetRow]
    waitlist: list[SheetRow]

    @property
    def programme(self) -> Programme:
        return self.view.programme


async def completion_sheet(*, actor: Member | None, programme_id: int) -> Sheet:
    """Who is enrolled and waiting, each enrolled member's attendance per session and whether
    they completed: for the programme's facilitators and admins."""
    view = await access_programme(actor, programme_id)
    ensure_manages(view)
    programme = view.programme
    events = await _session_events(programme.id)
    enrolments = (
        await Enrolment.filter(
            programme_id=programme.id,
            status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLIST],
        )
        .select_related("member")
        .order_by("answered_at", "id")
    )
    member_ids = [enrolment.member_id for enrolment in enrolments]
    marks: dict[tuple[int, int], bool | None] = {
        (rsvp.event_id, rsvp.member_id): rsvp.attended
        for rsvp in await Rsvp.filter(
            event_id__in=[event.id for event in events], member_id__in=member_ids
        ).only("event_id", "member_id", "attended")
    }
    progress = await _progress_of(programme, member_ids)
    certificates = {
        certificate.enrolment_id: certificate
        for certificate in await Certificate.filter(programme_id=programme.id)
    }
    enrolled: list[SheetRow] = []
    waitlist: list[SheetRow] = []
    for enrolment in enrolments:
        waiting = enrolment.status == EnrolmentStatus.WAITLIST
        row = SheetRow(
            enrolment=enrolment,
            member=enrolment.member,
            marks=[marks.get((event.id, enrolment.member_id)) for event in events],
            progress=progress[enrolment.member_id],
            certificate=certificates.get(enrolment.id),
            waitlist_position=len(waitlist) + 1 if waiting else None,
        )
        (waitlist if waiting else enrolled).append(row)
    return Sheet(view, events, enrolled, waitlist)


# --- certificates -------------------------------------------------------------------------


async def verify(code: str) -> Certificate:
    """The certificate with this code, for anyone (revoked ones too, which say so); a code
    that is not one is NotFound."""
    normal = normal_code(code)
    certificate = None if normal is None else await Certificate.filter(code=normal).first()
    if certificate is None:
        raise NotFound("There is no certificate with this code.")
    return certificate


async def own_certificate(*, actor: Member | None, code: str) -> Certificate:
    """A certificate for its holder (or an admin) to download; NotFound for anyone else."""
    member = ensure_signed_in(actor)
    certificate = await verify(code)
    if certificate.member_id != member.id and not member.is_admin:
        raise NotFound("There is no certificate with this code.")
    if certificate.revoked_at is not None:
        raise Conflict("This certificate was revoked: it can no longer be downloaded.")
    return certificate


async def revoke(*, actor: Member | None, code: str, form: Revocation) -> Certificate:
    """Revoke a certificate (admins): anyone checking the code sees it was revoked and why,
    and its hours leave the member's learning record. Revoking twice is refused."""
    admin = ensure_admin(actor)
    certificate = await verify(code)
    async with transaction():
        revoked = await Certificate.filter(id=certificate.id, revoked_at__isnull=True).update(
            revoked_at=clock.now(), revoked_reason=form.reason, revoked_by_id=admin.id
        )
        if not revoked:
            raise Conflict("This certificate is already revoked.")
        await LearningCredit.filter(
            source=f"programme:{certificate.programme_id}", member_id=certificate.member_id
        ).delete()
    return await Certificate.get(id=certificate.id)


# completion runs whenever a facilitator marks attendance, in the same transaction
on_attended(complete_if_met)


async def programme_of_event(*, actor: Member | None, event_id: int) -> Programme:
    """The programme an event is a session of, if the actor may see it."""
    session = None
    if 1 <= event_id <= INT_MAX:
        session = await ProgrammeSession.filter(event_id=event_id).first()
    if session is None:
        raise NotFound(NOT_FOUND)
    return (await access_programme(actor, session.programme_id)).programme


async def group_slugs(programmes: list[Programme]) -> dict[int, str]:
    """The slug of each group programme's group, by programme id, in one query."""
    ids = {programme.group_id for programme in programmes if programme.group_id is not None}
    slugs = dict(await Group.filter(id__in=sorted(ids)).values_list("id", "slug")) if ids else {}
    return {
        programme.id: str(slugs[programme.group_id])
        for programme in programmes
        if programme.group_id is not None
    }
