"""API: programmes — listing and creating them, enrolling and withdrawing, the facilitators'
completion sheet, "my learning", and certificates (checked by anyone, revoked by admins).

Hours come out as decimal strings ("12", "7.5"); times in UTC with their offset. The bodies
are the pages' own commands: `ProgrammeForm` (a new series of sessions) and
`ProgrammeFromEvents` (events already scheduled).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, Field

from community.accounts.access import ensure_admin
from community.accounts.models import Member, Profession
from community.errors import NotFound
from community.events.cpd import format_hours
from community.groups.access import access_facilitation
from community.programmes import models, service
from community.programmes.schemas import (
    ProgrammeDetails,
    ProgrammeForm,
    ProgrammeFromEvents,
    Revocation,
)
from community.text import clean_text
from community.web.api import ID_MAX, Api, Call, Query

api = Api()
ItemId = Annotated[int, Field(ge=1, le=ID_MAX)]
EnrolmentState = Literal["enrolled", "waitlisted", "withdrawn"]
STATES: dict[models.EnrolmentStatus, EnrolmentState] = {
    models.EnrolmentStatus.ENROLLED: "enrolled",
    models.EnrolmentStatus.WAITLIST: "waitlisted",
    models.EnrolmentStatus.WITHDRAWN: "withdrawn",
}


async def admins_only(actor: Member | None, params: dict[str, Any]) -> None:
    ensure_admin(actor)


async def facilitators_only(actor: Member | None, params: dict[str, Any]) -> None:
    await access_facilitation(actor, str(params["slug"]))


async def readers_only(actor: Member | None, params: dict[str, Any]) -> None:
    await service.access_programme(actor, int(params["programme_id"]))


def _slug(call: Call) -> str:
    slug: str = call.path["slug"]
    if clean_text(slug) != slug:
        raise NotFound("There is no group here.")
    return slug


class Programme(BaseModel):
    id: ItemId
    title: str
    summary: str
    provider: str
    professions: list[Profession] = Field(description="Whom it is for; empty: everyone.")
    cpd_hours: str = Field(description='Hours for completing it, as a decimal string: "12".')
    capacity: int
    places_left: int
    min_attended: int
    time_zone: str
    first_starts_at: datetime | None = Field(description="The first session not cancelled.")
    last_starts_at: datetime | None = Field(description="The last session not cancelled.")
    enrol_closes_at: datetime
    group: str | None = Field(description="The group's slug; null: site-wide.")
    enrol_opens_at: datetime | None
    cancelled: bool

    @classmethod
    def of(
        cls, programme: models.Programme, slug: str | None, span: service.Span | None
    ) -> Programme:
        return cls(
            id=programme.id,
            title=programme.title,
            summary=programme.summary,
            provider=programme.provider,
            professions=[Profession(p) for p in programme.professions],
            cpd_hours=format_hours(programme.cpd_hours),
            capacity=programme.capacity,
            places_left=max(programme.capacity - programme.seats_taken, 0),
            min_attended=programme.min_attended,
            time_zone=programme.time_zone,
            first_starts_at=span.first if span else None,
            last_starts_at=span.last if span else None,
            enrol_closes_at=programme.enrol_closes_at,
            group=slug,
            enrol_opens_at=programme.enrol_opens_at,
            cancelled=programme.cancelled_at is not None,
        )


class ProgrammeList(BaseModel):
    items: list[Programme]


class Session(BaseModel):
    number: int
    event_id: ItemId
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    mandatory: bool
    attended: bool | None = Field(description="Your attendance, once marked; else null.")


class Progress(BaseModel):
    attended: int
    sessions: int
    required: int
    mandatory_missing: list[int]
    complete: bool


class Enrolment(BaseModel):
    status: EnrolmentState
    waitlist_position: int | None
    completed_at: datetime | None

    @classmethod
    def of(cls, enrolment: models.Enrolment, position: int | None = None) -> Enrolment:
        return cls(
            status=STATES[models.EnrolmentStatus(enrolment.status)],
            waitlist_position=position,
            completed_at=enrolment.completed_at,
        )


class ProgrammeDetail(Programme):
    sessions: list[Session]
    waitlist_length: int
    enrolment: Enrolment | None = Field(description="Yours; null if you never enrolled.")
    progress: Progress | None
    certificate: str | None = Field(description="Your certificate's code, once completed.")


def _progress(progress: service.Progress | None) -> Progress | None:
    if progress is None:
        return None
    return Progress(
        attended=progress.attended,
        sessions=progress.sessions,
        required=progress.required,
        mandatory_missing=progress.mandatory_missing,
        complete=progress.met,
    )


async def _detail(call: Call, programme_id: int) -> ProgrammeDetail:
    page = await service.programme_page(actor=call.actor, programme_id=programme_id)
    slug = page.view.viewer.group.slug if page.view.viewer else None
    span = (await service.spans([page.programme.id])).get(page.programme.id)
    base = Programme.of(page.programme, slug, span)
    return ProgrammeDetail(
        **base.model_dump(),
        sessions=[
            Session(
                number=row.number,
                event_id=row.event.id,
                starts_at=row.event.starts_at,
                ends_at=row.event.ends_at,
                cancelled=row.event.is_cancelled,
                mandatory=row.mandatory,
                attended=row.attended,
            )
            for row in page.sessions
        ],
        waitlist_length=page.waitlist_length,
        enrolment=Enrolment.of(page.enrolment, page.waitlist_position) if page.enrolment else None,
        progress=_progress(page.progress),
        certificate=page.certificate.code if page.certificate else None,
    )


class ProgrammesQuery(Query):
    profession: Profession | None = Field(None, description="For this profession (or everyone).")
    provider: str = Field("", max_length=120, description="Only this provider's.")
    messages: ClassVar[Mapping[str, str]] = {
        "profession": "Use one of: " + ", ".join(str(p) for p in Profession) + ".",
    }


@api.operation(
    "GET",
    "/programmes",
    summary="Programmes still to end that you may see, soonest first",
    tag="programmes",
    auth="optional",
    query=ProgrammesQuery,
    response=ProgrammeList,
)
async def list_programmes(call: Call) -> ProgrammeList:
    asked = call.params(ProgrammesQuery)
    cards = await service.list_programmes(
        actor=call.actor,
        profession=str(asked.profession) if asked.profession else "",
        provider=asked.provider,
    )
    slugs = await service.group_slugs([card.programme for card in cards])
    return ProgrammeList(
        items=[
            Programme.of(card.programme, slugs.get(card.programme.id), card.span) for card in cards
        ]
    )


@api.operation(
    "POST",
    "/groups/{slug}/programmes",
    summary="Create a programme over a new weekly or monthly series (the group's facilitators)",
    tag="programmes",
    body=ProgrammeForm,
    response=ProgrammeDetail,
    status=201,
    authorise=facilitators_only,
)
async def create_group_programme(call: Call) -> ProgrammeDetail:
    programme = await service.create_programme(
        actor=call.member(), slug=_slug(call), form=call.parsed(ProgrammeForm)
    )
    return await _detail(call, programme.id)


@api.operation(
    "POST",
    "/programmes",
    summary="Create a site-wide programme over a new series (admins)",
    tag="programmes",
    body=ProgrammeForm,
    response=ProgrammeDetail,
    status=201,
    authorise=admins_only,
)
async def create_site_programme(call: Call) -> ProgrammeDetail:
    programme = await service.create_programme(
        actor=call.member(), slug=None, form=call.parsed(ProgrammeForm)
    )
    return await _detail(call, programme.id)


@api.operation(
    "POST",
    "/groups/{slug}/programmes/from-events",
    summary="Create a programme of the group's events already scheduled (its facilitators)",
    tag="programmes",
    body=ProgrammeFromEvents,
    response=ProgrammeDetail,
    status=201,
    authorise=facilitators_only,
)
async def create_programme_from_events(call: Call) -> ProgrammeDetail:
    programme = await service.create_programme_from_events(
        actor=call.member(), slug=_slug(call), form=call.parsed(ProgrammeFromEvents)
    )
    return await _detail(call, programme.id)


@api.operation(
    "GET",
    "/programmes/{programme_id}",
    summary="One programme, with its sessions and your enrolment and progress",
    tag="programmes",
    auth="optional",
    response=ProgrammeDetail,
)
async def get_programme(call: Call) -> ProgrammeDetail:
    return await _detail(call, call.path["programme_id"])


async def managers_only(actor: Member | None, params: dict[str, Any]) -> None:
    service.ensure_manages(await service.access_programme(actor, int(params["programme_id"])))


@api.operation(
    "PUT",
    "/programmes/{programme_id}",
    summary="Change a programme's terms (its facilitators; every field, as GET gives them)",
    description="More places promote the waitlist; fewer than are taken are refused; a looser "
    "rule completes whoever now meets it. Sessions change as events do.",
    tag="programmes",
    body=ProgrammeDetails,
    response=ProgrammeDetail,
    authorise=managers_only,
)
async def update_programme(call: Call) -> ProgrammeDetail:
    await service.update_programme(
        actor=call.member(),
        programme_id=call.path["programme_id"],
        form=call.parsed(ProgrammeDetails),
    )
    return await _detail(call, call.path["programme_id"])


@api.operation(
    "POST",
    "/programmes/{programme_id}/cancel",
    summary="Cancel a programme and its sessions to come (its facilitators)",
    description="Everyone enrolled or waiting is told once; completions and certificates stand.",
    tag="programmes",
    response=ProgrammeDetail,
    authorise=managers_only,
)
async def cancel_programme(call: Call) -> ProgrammeDetail:
    await service.cancel_programme(actor=call.member(), programme_id=call.path["programme_id"])
    return await _detail(call, call.path["programme_id"])


@api.operation(
    "PUT",
    "/programmes/{programme_id}/enrolment",
    summary="Enrol: a place and a seat in every session, or the waitlist when it is full",
    description="Harmless to repeat: enrolling twice changes nothing.",
    tag="programmes",
    response=ProgrammeDetail,
    authorise=readers_only,
)
async def enrol(call: Call) -> ProgrammeDetail:
    await service.enrol(actor=call.member(), programme_id=call.path["programme_id"])
    return await _detail(call, call.path["programme_id"])


@api.operation(
    "DELETE",
    "/programmes/{programme_id}/enrolment",
    summary="Withdraw; the place goes to the first on the waitlist",
    tag="programmes",
    response=ProgrammeDetail,
    authorise=readers_only,
)
async def withdraw(call: Call) -> ProgrammeDetail:
    await service.withdraw(actor=call.member(), programme_id=call.path["programme_id"])
    return await _detail(call, call.path["programme_id"])


class SheetRow(BaseModel):
    member_id: ItemId
    name: str
    status: EnrolmentState
    waitlist_position: int | None
    attended: list[bool | None] = Field(description="Per session, in order.")
    progress: Progress
    completed_at: datetime | None
    certificate: str | None


class Sheet(BaseModel):
    sessions: list[ItemId] = Field(description="The sessions' event ids, in order.")
    enrolled: list[SheetRow]
    waitlist: list[SheetRow]


def _sheet_row(row: service.SheetRow) -> SheetRow:
    progress = _progress(row.progress)
    assert progress is not None  # noqa: S101  # every row has its progress
    return SheetRow(
        member_id=row.member.id,
        name=row.member.display_name,
        status=STATES[models.EnrolmentStatus(row.enrolment.status)],
        waitlist_position=row.waitlist_position,
        attended=row.marks,
        progress=progress,
        completed_at=row.enrolment.completed_at,
        certificate=row.certificate.code if row.certificate else None,
    )


@api.operation(
    "GET",
    "/programmes/{programme_id}/enrolments",
    summary="Enrolment, waitlist and completion (the programme's facilitators)",
    tag="programmes",
    response=Sheet,
)
async def enrolments(call: Call) -> Sheet:
    sheet = await service.completion_sheet(actor=call.actor, programme_id=call.path["programme_id"])
    return Sheet(
        sessions=[event.id for event in sheet.sessions],
        enrolled=[_sheet_row(row) for row in sheet.enrolled],
        waitlist=[_sheet_row(row) for row in sheet.waitlist],
    )


class LearningItem(BaseModel):
    programme: Programme
    enrolment: Enrolment
    progress: Progress
    certificate: str | None


class Learning(BaseModel):
    items: list[LearningItem]


@api.operation(
    "GET",
    "/me/learning",
    summary="Your programmes, with progress and certificates",
    tag="programmes",
    response=Learning,
)
async def my_learning(call: Call) -> Learning:
    rows = await service.my_learning(actor=call.member())
    slugs = await service.group_slugs([row.programme for row in rows])
    items = []
    for row in rows:
        progress = _progress(row.progress)
        assert progress is not None  # noqa: S101  # every row has its progress
        items.append(
            LearningItem(
                programme=Programme.of(row.programme, slugs.get(row.programme.id), row.span),
                enrolment=Enrolment.of(row.enrolment),
                progress=progress,
                certificate=row.certificate.code if row.certificate else None,
            )
        )
    return Learning(items=items)


class CertificateCheck(BaseModel):
    """What anyone checking a code sees: no more."""

    code: str
    name: str
    programme: str
    hours: str
    first_day: date
    last_day: date
    issued_at: datetime
    issuer: str
    revoked: bool
    revoked_reason: str | None

    @classmethod
    def of(cls, certificate: models.Certificate) -> CertificateCheck:
        return cls(
            code=certificate.code,
            name=certificate.member_name,
            programme=certificate.programme_title,
            hours=format_hours(certificate.hours),
            first_day=certificate.first_day,
            last_day=certificate.last_day,
            issued_at=certificate.issued_at,
            issuer=certificate.provider,
            revoked=certificate.revoked_at is not None,
            revoked_reason=certificate.revoked_reason if certificate.revoked_at else None,
        )


@api.operation(
    "GET",
    "/certificates/{code}",
    summary="Check a certificate by its code (anyone)",
    tag="programmes",
    auth="optional",
    response=CertificateCheck,
    path_schemas={"code": {"type": "string", "maxLength": 40}},
)
async def check_certificate(call: Call) -> CertificateCheck:
    return CertificateCheck.of(await service.verify(str(call.path["code"])))


@api.operation(
    "POST",
    "/certificates/{code}/revoke",
    summary="Revoke a certificate, with the reason anyone checking it reads (admins)",
    tag="programmes",
    body=Revocation,
    response=CertificateCheck,
    path_schemas={"code": {"type": "string", "maxLength": 40}},
    authorise=admins_only,
)
async def revoke_certificate(call: Call) -> CertificateCheck:
    certificate = await service.revoke(
        actor=call.member(), code=str(call.path["code"]), form=call.parsed(Revocation)
    )
    return CertificateCheck.of(certificate)
