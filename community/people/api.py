"""API: the member directory, profiles as their owners let them be seen, practice areas, and
recognitions (given and taken back by admins). The same domain functions as the pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from community import clock
from community.accounts.access import ensure_admin
from community.accounts.models import Member, PracticeArea, Profession
from community.commands import rule
from community.people import service
from community.people.schemas import RecognitionGrant
from community.people.service import SEARCH_MAX, Person, Search
from community.web.api import Api, Call, Flag, Number, Paged, Text

api = Api()


async def admins_only(actor: Member | None, params: dict[str, Any]) -> None:
    """Recognitions are the admins' to give: refuse everyone else before a body is read."""
    ensure_admin(actor)


TAG = "people"
YEARS_MAX = 70


class MemberQuery(Paged):
    """The directory's search and filters (the page's form reads the same)."""

    q: Text = Field("", description="A name, or an @handle, or part of one.")
    profession: Profession | None = Field(None, description="Only this profession.")
    area: Number | None = Field(None, description="Only members in this practice area (its id).")
    organisation: Text = Field("", description="Only members whose organisation contains this.")
    years_min: Number | None = Field(
        None, ge=0, le=YEARS_MAX, description="At least this many years in practice."
    )
    years_max: Number | None = Field(
        None, ge=0, le=YEARS_MAX, description="At most this many years in practice."
    )
    recognition: Text = Field("", description="Only members holding this recognition now.")
    shared: Flag = Field(False, description="Only members who share a group with you.")
    sort: Literal["name", "active"] = Field(
        "name", description="By name, or most recently active first."
    )

    messages: ClassVar[Mapping[str, str]] = {
        **Paged.messages,
        "profession": "Choose a profession from the list.",
        "area": "Choose a practice area from the list.",
        "years_min": f"Use a whole number of years from 0 to {YEARS_MAX}.",
        "years_max": f"Use a whole number of years from 0 to {YEARS_MAX}.",
        "sort": "Sort by name or by recent activity.",
    }

    @field_validator("q")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > SEARCH_MAX:
            raise rule(f"Search with at most {SEARCH_MAX} characters.")
        return value

    @field_validator("years_max")
    @classmethod
    def _in_order(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("years_min")
        if value is not None and low is not None and value < low:
            raise rule("The most years cannot be fewer than the fewest.")
        return value

    def search(self) -> Search:
        return Search(
            q=self.q,
            profession=self.profession,
            area=self.area,
            organisation=self.organisation,
            years_min=self.years_min,
            years_max=self.years_max,
            recognition=self.recognition,
            shared=self.shared,
            sort=self.sort,
            cursor=self.cursor,
            limit=self.limit,
        )


class RecognitionAnswer(BaseModel):
    id: int
    title: str
    starts_on: date
    ends_on: date | None
    current: bool = Field(description="Whether its term includes today")


class PersonAnswer(BaseModel):
    """A member's profile, as the directory and their profile show it."""

    id: int
    display_name: str
    handle: str | None
    profession: Profession | None
    organisation: str
    years_in_practice: int | None
    bio: str
    practice_areas: list[str]
    recognitions: list[RecognitionAnswer]

    @classmethod
    def of(cls, person: Person) -> PersonAnswer:
        member, today = person.member, clock.now().date()
        return cls(
            id=member.id,
            display_name=member.display_name,
            handle=member.handle,
            profession=Profession(member.profession) if member.profession else None,
            organisation=member.organisation,
            years_in_practice=member.years_in_practice,
            bio=member.bio,
            practice_areas=person.areas,
            recognitions=[
                RecognitionAnswer(
                    id=held.id,
                    title=held.title,
                    starts_on=held.starts_on,
                    ends_on=held.ends_on,
                    current=held.is_current(today),
                )
                for held in person.recognitions
            ],
        )


class ProfessionCount(BaseModel):
    profession: Profession | None
    count: int


class MemberPage(BaseModel):
    items: list[PersonAnswer]
    next_cursor: str | None
    by_profession: list[ProfessionCount] = Field(
        description="Everyone found (not only this page), by profession"
    )


class PracticeAreaAnswer(BaseModel):
    id: int
    name: str

    @classmethod
    def of(cls, area: PracticeArea) -> PracticeAreaAnswer:
        return cls(id=area.id, name=area.name)


class PracticeAreaList(BaseModel):
    items: list[PracticeAreaAnswer]


@api.operation(
    "GET",
    "/members",
    summary="The member directory",
    description="The profiles you may see (each member chooses who sees theirs), by name or "
    "most recently active, with filters; `by_profession` counts everyone found.",
    tag=TAG,
    auth="optional",
    query=MemberQuery,
    response=MemberPage,
)
async def member_directory(call: Call) -> BaseModel:
    found = await service.directory(
        viewer=call.actor,
        search=call.params(MemberQuery).search(),
        cache=call.request.app.state.directory_pages,
    )
    return MemberPage(
        items=[PersonAnswer.of(person) for person in found.page.items],
        next_cursor=found.page.next_cursor,
        by_profession=[ProfessionCount(profession=p, count=n) for p, n in found.by_profession],
    )


@api.operation(
    "GET",
    "/members/{member_id}",
    summary="A member's profile",
    description="404 when there is none or its member does not let you see it.",
    tag=TAG,
    auth="optional",
    response=PersonAnswer,
)
async def get_profile(call: Call) -> BaseModel:
    return PersonAnswer.of(
        await service.profile(viewer=call.actor, member_id=call.path["member_id"])
    )


@api.operation(
    "GET",
    "/practice-areas",
    summary="The practice areas members choose from",
    tag=TAG,
    auth="optional",
    response=PracticeAreaList,
)
async def list_practice_areas(call: Call) -> BaseModel:
    return PracticeAreaList(
        items=[PracticeAreaAnswer.of(a) for a in await service.practice_areas()]
    )


@api.operation(
    "POST",
    "/members/{member_id}/recognitions",
    summary="Recognise a member for a term (admins)",
    description="The member is notified.",
    tag=TAG,
    body=RecognitionGrant,
    response=RecognitionAnswer,
    status=201,
    authorise=admins_only,
)
async def grant_recognition(call: Call) -> BaseModel:
    form = call.parsed(RecognitionGrant)
    recognition = await service.grant_recognition(
        actor=call.member(),
        member_id=call.path["member_id"],
        title=form.title,
        starts_on=form.starts_on,
        ends_on=form.ends_on,
    )
    held = service.Held(
        recognition.id, recognition.title, recognition.starts_on, recognition.ends_on
    )
    return RecognitionAnswer(
        id=held.id,
        title=held.title,
        starts_on=held.starts_on,
        ends_on=held.ends_on,
        current=held.is_current(clock.now().date()),
    )


@api.operation(
    "DELETE",
    "/recognitions/{recognition_id}",
    summary="Take a recognition back (admins)",
    description="The member is told.",
    tag=TAG,
    status=204,
)
async def revoke_recognition(call: Call) -> None:
    await service.revoke_recognition(
        actor=call.member(), recognition_id=call.path["recognition_id"]
    )
