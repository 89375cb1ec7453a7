"""Creating a programme over a new series or events already scheduled, changing its terms,
cancelling it."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.expressions import Subquery

from community import clock
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid
from community.events.cpd import format_hours
from community.events.kinds import EVENT_CHANGED
from community.events.models import Event, EventState, Rsvp
from community.events.schemas import instant
from community.events.service import create_series
from community.events.service.scheduling import event_owner
from community.notifications.service import Notice, notify
from community.programmes.models import (
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
)
from community.programmes.service.access import access_programme, ensure_manages
from community.programmes.service.completion import complete_all_who_meet
from community.programmes.service.enrolment import promote_waitlist
from community.programmes.service.sessions import sessions_in_order
from community.urls import path as url_path


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
    sessions = await sessions_in_order(programme_id)
    mandatory = [n for n, session in enumerate(sessions, start=1) if session.mandatory]
    return view.programme, details_of(view.programme, mandatory)


async def update_programme(
    *, actor: Member | None, programme_id: int, form: ProgrammeDetails
) -> Programme:
    """Change a programme's terms. More places promote its waitlist at once; fewer than are
    taken are refused; a looser rule completes whoever now meets it. Certificates already
    issued keep the hours they were issued with."""
    view = await access_programme(actor, programme_id)
    ensure_manages(view)
    programme = view.programme
    sessions = await sessions_in_order(programme.id)
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
        await complete_all_who_meet(updated)
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
