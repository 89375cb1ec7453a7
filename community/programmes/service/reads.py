"""The pages: a programme with my progress, the list, my learning, the facilitators' sheet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q, Subquery

from community import clock
from community.accounts.access import ensure_signed_in
from community.accounts.models import PROFESSION_LABELS, Member, Profession
from community.db import fits
from community.errors import Conflict
from community.events.models import Event, EventState, Rsvp
from community.programmes.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeSession,
)
from community.programmes.service.access import (
    ProgrammeView,
    access_programme,
    ensure_manages,
    visible,
)
from community.programmes.service.completion import Progress, progress_of
from community.programmes.service.enrolment import ensure_enrolment_open
from community.programmes.service.sessions import Span, session_events, spans


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
            ensure_enrolment_open(self.programme, self.first_start)
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
        progress = (await progress_of(programme, [enrolment.member_id]))[enrolment.member_id]
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
    query = Programme.filter(visible(actor), id__in=Subquery(to_come), cancelled_at__isnull=True)
    if provider:
        if not fits(Programme, "provider", provider):
            return []  # no provider has so long a name
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
    names = await Programme.filter(visible(actor)).distinct().values_list("provider", flat=True)
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
        progress = (await progress_of(enrolment.programme, [member.id]))[member.id]
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
    events = await session_events(programme.id)
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
    progress = await progress_of(programme, member_ids)
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
