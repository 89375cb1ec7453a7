"""API: stories of change and worker profiles, their review and the editors' role. The same
domain functions and typed commands as the pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from community.accounts.access import ensure_admin
from community.accounts.models import Member, Profession
from community.clock import zone_named
from community.commands import Command, rule
from community.errors import Invalid
from community.media.service import store_image
from community.settings import current as current_settings
from community.stories import service
from community.stories.access import ensure_editor
from community.stories.models import Consent, PieceKind, PieceState
from community.stories.schemas import (
    ALT_MAX,
    Decision,
    Pick,
    PieceForm,
    Publication,
    Submission,
)
from community.urls import path as url_path
from community.web.api import Api, Call, Number, Paged, Query, Text

api = Api()
TAG = "stories"


async def admins_only(actor: Member | None, params: dict[str, Any]) -> None:
    """The editors' role is the admins' to give."""
    ensure_admin(actor)


async def editors_only(actor: Member | None, params: dict[str, Any]) -> None:
    """Reviewing is the editors': refuse everyone else before a body is read."""
    ensure_editor(actor)


class StoryQuery(Paged):
    """The filters of /stories (the page's form reads the same)."""

    q: Text = Field("", description="Words the title, summary or text must all contain.")
    kind: PieceKind | None = Field(None, description="story or profile")
    profession: Profession | None = Field(None, description="Only pieces about this profession.")
    area: Number | None = Field(None, description="Only pieces in this practice area (its id).")
    theme: Number | None = Field(None, description="Only pieces with this theme (its id).")

    messages: ClassVar[Mapping[str, str]] = {
        **Paged.messages,
        "kind": "Choose stories of change or worker profiles.",
        "profession": "Choose a profession from the list.",
        "area": "Choose a practice area from the list.",
        "theme": "Choose a theme from the list.",
        "q": f"Search with at most {service.SEARCH_MAX} characters.",
    }

    @field_validator("q")
    @classmethod
    def _short(cls, value: str) -> str:
        if len(value) > service.SEARCH_MAX:
            raise rule(f"Search with at most {service.SEARCH_MAX} characters.")
        return value

    def filters(self) -> service.Filters:
        return service.Filters(
            kind=self.kind,
            profession=self.profession,
            area=self.area,
            theme=self.theme,
            cursor=self.cursor,
            limit=self.limit,
        )


class CoverQuery(Query):
    """The cover's description, sent beside the image's bytes."""

    alt: Text = Field(description="What the image shows, for those who cannot see it")
    messages: ClassVar[Mapping[str, str]] = {
        "alt": f"Describe the image in 1 to {ALT_MAX} characters (the alt query parameter).",
    }


class Cover(BaseModel):
    url: str
    alt: str
    width: int
    height: int


class PieceSummary(BaseModel):
    """A piece as lists show it."""

    id: int
    kind: PieceKind
    state: PieceState
    title: str
    summary: str
    byline: str = Field(description="The author's name, or how they chose to be shown")
    themes: list[str]
    published_at: datetime | None
    url: str
    cover: Cover | None

    @classmethod
    def of(cls, card: service.Card) -> PieceSummary:
        piece = card.piece
        return cls(
            id=piece.id,
            kind=PieceKind(piece.kind),
            state=PieceState(piece.state),
            title=piece.title,
            summary=piece.summary,
            byline=card.byline,
            themes=card.themes,
            published_at=piece.published_at,
            url=url_path("stories:piece", piece_id=piece.id),
            cover=_cover(card.cover, piece.cover_alt),
        )


def _cover(image: Any, alt: str) -> Cover | None:
    if image is None:
        return None
    return Cover(
        url=url_path("media:image", key=image.key, extension=image.extension),
        alt=alt,
        width=image.width,
        height=image.height,
    )


class PiecePage(BaseModel):
    items: list[PieceSummary]
    next_cursor: str | None


class StepAnswer(BaseModel):
    action: str
    from_state: PieceState
    to_state: PieceState
    by: str
    message: str
    at: datetime


class ConsentAnswer(BaseModel):
    basis: str
    wording: str = Field(description="The exact sentences the author confirmed")
    named: bool
    shown_as: str
    at: datetime

    @classmethod
    def of(cls, consent: Consent) -> ConsentAnswer:
        return cls(
            basis=consent.basis,
            wording=consent.wording,
            named=consent.named,
            shown_as=consent.shown_as,
            at=consent.created_at,
        )


class FindingAnswer(BaseModel):
    kind: str
    text: str


class PieceAnswer(PieceSummary):
    """A whole piece; its review's history, consents and findings only for its author and
    the editors."""

    body: str = Field(description="Markdown")
    body_html: str
    profession: Profession | None
    practice_areas: list[str]
    named: bool
    shown_as: str
    scheduled: bool = Field(description="Published with a time still to come")
    picked: bool = Field(description="An editors' pick")
    history: list[StepAnswer]
    consents: list[ConsentAnswer]
    findings: list[FindingAnswer] = Field(
        description="Possible client details the guard found in the text as last saved"
    )
    findings_confirmed: bool

    @classmethod
    def of_view(cls, view: service.PieceView) -> PieceAnswer:
        piece = view.piece
        card = service.Card(piece, view.byline, [t.name for t in view.themes], view.cover)
        return cls(
            **PieceSummary.of(card).model_dump(),
            body=piece.body,
            body_html=piece.body_html,
            profession=Profession(piece.profession) if piece.profession else None,
            practice_areas=[a.name for a in view.areas],
            named=piece.named,
            shown_as=piece.shown_as,
            scheduled=view.is_scheduled,
            picked=piece.picked_at is not None,
            history=[
                StepAnswer(
                    action=step.transition.action,
                    from_state=PieceState(step.transition.from_state),
                    to_state=PieceState(step.transition.to_state),
                    by=step.actor_name,
                    message=step.transition.message,
                    at=step.transition.created_at,
                )
                for step in view.steps
            ],
            consents=[ConsentAnswer.of(c) for c in view.consents],
            findings=[FindingAnswer(**f) for f in view.findings],
            findings_confirmed=bool(view.findings) and piece.findings_confirmed_at is not None,
        )


class Queue(BaseModel):
    submitted: list[PieceSummary] = Field(description="Waiting for review, oldest first")
    approved: list[PieceSummary] = Field(description="Approved, waiting to be published")
    scheduled: list[PieceSummary] = Field(description="To be published at a time to come")


class ThemeAnswer(BaseModel):
    id: int
    name: str


class ThemeList(BaseModel):
    items: list[ThemeAnswer]


class EditorRole(Command):
    """Whether the member is an editor."""

    editor: bool


class EditorAnswer(BaseModel):
    member_id: int
    editor: bool


async def _answer(call: Call, piece_id: int) -> PieceAnswer:
    return PieceAnswer.of_view(await service.piece_view(viewer=call.actor, piece_id=piece_id))


@api.operation(
    "GET",
    "/stories",
    summary="Published stories and profiles, newest first",
    tag=TAG,
    auth="optional",
    query=StoryQuery,
    response=PiecePage,
)
async def list_stories(call: Call) -> BaseModel:
    asked = call.params(StoryQuery)
    if asked.q:  # the best matches, newest first, on one page
        found = await service.search_pieces(asked.q, limit=asked.limit)
        return PiecePage(items=[PieceSummary.of(c) for c in found], next_cursor=None)
    page = await service.list_published(filters=asked.filters())
    return PiecePage(items=[PieceSummary.of(c) for c in page.items], next_cursor=page.next_cursor)


@api.operation(
    "GET", "/stories/mine", summary="Your own pieces, in every state", tag=TAG, response=PiecePage
)
async def my_stories(call: Call) -> BaseModel:
    cards = await service.my_pieces(actor=call.member())
    return PiecePage(items=[PieceSummary.of(c) for c in cards], next_cursor=None)


@api.operation(
    "GET",
    "/stories/review",
    summary="The editors' queue",
    tag=TAG,
    response=Queue,
    authorise=editors_only,
)
async def review_queue(call: Call) -> BaseModel:
    queue = await service.review_queue(actor=call.actor)
    return Queue(
        submitted=[PieceSummary.of(c) for c in queue.submitted],
        approved=[PieceSummary.of(c) for c in queue.approved],
        scheduled=[PieceSummary.of(c) for c in queue.scheduled],
    )


@api.operation(
    "GET",
    "/themes",
    summary="The themes pieces are filed under",
    tag=TAG,
    auth="optional",
    response=ThemeList,
)
async def list_themes(call: Call) -> BaseModel:
    return ThemeList(items=[ThemeAnswer(id=t.id, name=t.name) for t in await service.themes()])


@api.operation(
    "POST",
    "/stories",
    summary="Start a draft",
    description="Only you see it until you submit it.",
    tag=TAG,
    body=PieceForm,
    response=PieceAnswer,
    status=201,
)
async def create_story(call: Call) -> BaseModel:
    piece = await service.create_piece(actor=call.member(), form=call.parsed(PieceForm))
    return await _answer(call, piece.id)


@api.operation(
    "GET",
    "/stories/{piece_id}",
    summary="A piece",
    description="404 when there is none or you may not see it (a draft is its author's).",
    tag=TAG,
    auth="optional",
    response=PieceAnswer,
)
async def get_story(call: Call) -> BaseModel:
    return await _answer(call, call.path["piece_id"])


@api.operation(
    "PUT",
    "/stories/{piece_id}",
    summary="Change a draft, or a piece sent back for changes (its author)",
    tag=TAG,
    body=PieceForm,
    response=PieceAnswer,
)
async def update_story(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.update_piece(actor=call.member(), piece_id=piece_id, form=call.parsed(PieceForm))
    return await _answer(call, piece_id)


@api.operation(
    "DELETE",
    "/stories/{piece_id}",
    summary="Delete a draft never submitted (its author)",
    tag=TAG,
    status=204,
)
async def delete_story(call: Call) -> None:
    await service.delete_draft(actor=call.member(), piece_id=call.path["piece_id"])


@api.operation(
    "POST",
    "/stories/{piece_id}/submit",
    summary="Submit for review, with consent confirmed (its author)",
    description="Possible client details found in the text must be removed, or confirmed "
    "with `confirm_findings`: until then, 422 naming `confirm_findings` (the piece's "
    "`findings` lists them).",
    tag=TAG,
    body=Submission,
    response=PieceAnswer,
)
async def submit_story(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.submit_piece(
        actor=call.member(), piece_id=piece_id, submission=call.parsed(Submission)
    )
    return await _answer(call, piece_id)


@api.operation(
    "POST",
    "/stories/{piece_id}/withdraw",
    summary="Take a piece back from the editors, as a draft (its author)",
    tag=TAG,
    response=PieceAnswer,
)
async def withdraw_story(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.withdraw_piece(actor=call.member(), piece_id=piece_id)
    return await _answer(call, piece_id)


@api.operation(
    "POST",
    "/stories/{piece_id}/request-changes",
    summary="Send a piece back to its author with what to change (editors)",
    description="409 when another editor decided first: the message says what they did.",
    tag=TAG,
    body=Decision,
    response=PieceAnswer,
    authorise=editors_only,
)
async def request_story_changes(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.request_changes(
        actor=call.actor, piece_id=piece_id, message=call.parsed(Decision).message
    )
    return await _answer(call, piece_id)


@api.operation(
    "POST",
    "/stories/{piece_id}/approve",
    summary="Approve a submitted piece (editors)",
    description="409 when another editor decided first: the message says what they did.",
    tag=TAG,
    body=Decision,
    response=PieceAnswer,
    authorise=editors_only,
)
async def approve_story(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.approve_piece(
        actor=call.actor, piece_id=piece_id, message=call.parsed(Decision).message
    )
    return await _answer(call, piece_id)


@api.operation(
    "POST",
    "/stories/{piece_id}/publish",
    summary="Publish an approved piece now, or at a time to come (editors)",
    tag=TAG,
    body=Publication,
    response=PieceAnswer,
    authorise=editors_only,
)
async def publish_story(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    publish_at = call.parsed(Publication).publish_at
    if publish_at is not None and publish_at.tzinfo is None:
        zone = zone_named(current_settings().time_zone)
        publish_at = publish_at.replace(tzinfo=zone or UTC)
    await service.publish_piece(actor=call.actor, piece_id=piece_id, publish_at=publish_at)
    return await _answer(call, piece_id)


@api.operation(
    "POST",
    "/stories/{piece_id}/unpublish",
    summary="Take a published piece off the site (editors)",
    tag=TAG,
    body=Decision,
    response=PieceAnswer,
    authorise=editors_only,
)
async def unpublish_story(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.unpublish_piece(
        actor=call.actor, piece_id=piece_id, message=call.parsed(Decision).message
    )
    return await _answer(call, piece_id)


@api.operation(
    "POST",
    "/stories/{piece_id}/pick",
    summary="Make a published piece an editors' pick, or no longer (editors)",
    tag=TAG,
    body=Pick,
    response=PieceAnswer,
    authorise=editors_only,
)
async def pick_story(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.pick_piece(actor=call.actor, piece_id=piece_id, picked=call.parsed(Pick).picked)
    return await _answer(call, piece_id)


@api.operation(
    "PUT",
    "/stories/{piece_id}/cover",
    summary="Give a piece its cover image (its author)",
    description="The body is the image itself (JPEG, PNG or WebP, at most 5 MB); `alt` "
    "describes it. It is re-encoded without its metadata (such as GPS location) and resized.",
    tag=TAG,
    query=CoverQuery,
    response=PieceAnswer,
)
async def set_story_cover(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    actor = call.member()
    await service.cover_target(actor=actor, piece_id=piece_id)  # refused before the upload
    alt = call.params(CoverQuery).alt
    if not alt or len(alt) > ALT_MAX:
        raise Invalid(alt=CoverQuery.messages["alt"])
    data = await call.request.body()
    if not data:
        raise Invalid(cover="Send the image (JPEG, PNG or WebP) as the body.")
    image = await store_image(actor=actor, data=data, field="cover")
    await service.set_cover(actor=actor, piece_id=piece_id, image=image, alt=alt)
    return await _answer(call, piece_id)


@api.operation(
    "DELETE",
    "/stories/{piece_id}/cover",
    summary="Take the cover image off a piece (its author)",
    tag=TAG,
    response=PieceAnswer,
)
async def remove_story_cover(call: Call) -> BaseModel:
    piece_id = call.path["piece_id"]
    await service.remove_cover(actor=call.member(), piece_id=piece_id)
    return await _answer(call, piece_id)


@api.operation(
    "PUT",
    "/members/{member_id}/editor",
    summary="Make a member an editor, or no longer one (admins)",
    description="The member is told.",
    tag=TAG,
    body=EditorRole,
    response=EditorAnswer,
    authorise=admins_only,
)
async def set_editor(call: Call) -> BaseModel:
    member = await service.set_editor(
        actor=call.actor, member_id=call.path["member_id"], editor=call.parsed(EditorRole).editor
    )
    return EditorAnswer(member_id=member.id, editor=member.is_editor)
