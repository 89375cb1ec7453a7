"""Stories of change and worker profiles: writing, the review (every step recorded, each
decided once however many editors act at once), publishing, and the reads behind the pages,
the feed, search and the home page's editors' picks."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from community import clock
from community.accounts.access import ensure_admin, ensure_verified
from community.accounts.models import Member, PracticeArea, Profession
from community.client_details import Finding, find_client_details, stored
from community.db import Page, keyset_page, transaction
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.media.models import Image
from community.notifications.service import Notice, notify
from community.stories import kinds
from community.stories.access import access_piece, ensure_editor, is_editor, is_public
from community.stories.models import (
    Consent,
    Piece,
    PieceArea,
    PieceKind,
    PieceState,
    PieceTheme,
    Theme,
    Transition,
)
from community.stories.schemas import PieceForm, Submission
from community.text import render_markdown
from community.urls import path as url_path

logger = logging.getLogger(__name__)

PAGE_SIZE = 12
SEARCH_MAX = 100
PICKS_MAX = 3

S = PieceState
#: the states an author may edit the text in
EDITABLE = (S.DRAFT, S.CHANGES_REQUESTED)
#: the states an author may withdraw from (back to a draft)
WITHDRAWABLE = (S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED)

#: what each action is called in the history and the notices
ACTION_WORDS = {
    "submit": "submitted it for review",
    "withdraw": "withdrew it",
    "request_changes": "asked for changes",
    "approve": "approved it",
    "publish": "published it",
    "schedule": "scheduled it",
    "unpublish": "unpublished it",
}


@dataclass(frozen=True)
class Card:
    """A piece as lists show it."""

    piece: Piece
    byline: str
    themes: list[str]
    cover: Image | None

    @property
    def kind(self) -> PieceKind:
        return PieceKind(self.piece.kind)


@dataclass(frozen=True)
class Step:
    """One recorded transition, with the name of who made it."""

    transition: Transition
    actor_name: str

    @property
    def what(self) -> str:
        """What was done, in words ("approved it")."""
        return ACTION_WORDS.get(self.transition.action, self.transition.action)


@dataclass
class PieceView:
    """A piece with all a page about it shows (what the viewer may see of it)."""

    piece: Piece
    byline: str
    areas: list[PracticeArea]
    themes: list[Theme]
    cover: Image | None
    #: the review's history and the consents: for its author and the editors only
    steps: list[Step] = field(default_factory=list)
    consents: list[Consent] = field(default_factory=list)
    findings: list[dict[str, str]] = field(default_factory=list)

    @property
    def state(self) -> PieceState:
        return PieceState(self.piece.state)

    @property
    def is_scheduled(self) -> bool:
        published_at = self.piece.published_at
        return self.state == S.PUBLISHED and published_at is not None and published_at > clock.now()

    @property
    def last_message(self) -> Step | None:
        """The editor's latest message to the author (asking for changes, or unpublishing)."""
        for step in reversed(self.steps):
            if step.transition.message and step.transition.action != "submit":
                return step
        return None


@dataclass(frozen=True)
class Filters:
    """The filters of /stories."""

    kind: PieceKind | None = None
    profession: Profession | None = None
    area: int | None = None
    theme: int | None = None
    cursor: str | None = None
    limit: int = PAGE_SIZE


# -- reads of the lists' choices -------------------------------------------------------------


async def themes() -> list[Theme]:
    """Every theme, in the admins' order."""
    return await Theme.all().order_by("position", "name")


async def practice_areas() -> list[PracticeArea]:
    """Every practice area, in the admins' order."""
    return await PracticeArea.all().order_by("position", "name")


def byline(piece: Piece, author: Member) -> str:
    """How the author is shown: their name, or as they chose to be shown."""
    if piece.named or not piece.shown_as:
        return author.display_name
    return piece.shown_as


# -- writing ---------------------------------------------------------------------------------


async def _checked_tags(form: PieceForm) -> tuple[list[int], list[int]]:
    areas = sorted(set(form.areas))
    chosen_themes = sorted(set(form.themes))
    errors = {}
    if areas and await PracticeArea.filter(id__in=areas).count() != len(areas):
        errors["areas"] = "Choose practice areas from the list."
    if chosen_themes and await Theme.filter(id__in=chosen_themes).count() != len(chosen_themes):
        errors["themes"] = "There is no such theme: choose themes from the list."
    if errors:
        raise Invalid(**errors)
    return areas, chosen_themes


def _findings_of(piece: Piece) -> list[Finding]:
    return find_client_details("\n\n".join((piece.title, piece.summary, piece.body)))


async def create_piece(*, actor: Member, form: PieceForm) -> Piece:
    """Start a draft (only its author sees it)."""
    ensure_verified(actor)
    areas, chosen_themes = await _checked_tags(form)
    now = clock.now()
    piece = Piece(
        kind=form.kind,
        author_id=actor.id,
        title=form.title,
        summary=form.summary,
        body=form.body,
        body_html=render_markdown(form.body),
        profession=form.profession,
        created_at=now,
        updated_at=now,
    )
    piece.findings = stored(_findings_of(piece))
    async with transaction():
        await piece.save()
        await _file(piece.id, areas, chosen_themes)
    logger.info("Member %s started piece %s", actor.id, piece.id)
    return piece


async def _file(piece_id: int, areas: Iterable[int], chosen_themes: Iterable[int]) -> None:
    """Replace the piece's areas and themes. Call inside a transaction."""
    await PieceArea.filter(piece_id=piece_id).delete()
    await PieceTheme.filter(piece_id=piece_id).delete()
    await PieceArea.bulk_create([PieceArea(piece_id=piece_id, area_id=a) for a in areas])
    await PieceTheme.bulk_create([PieceTheme(piece_id=piece_id, theme_id=t) for t in chosen_themes])


async def _own(actor: Member, piece_id: int) -> Piece:
    piece = await access_piece(actor, piece_id)
    if piece.author_id != actor.id:
        raise PermissionDenied("Only its author can change this piece.")
    return piece


async def update_piece(*, actor: Member, piece_id: int, form: PieceForm) -> Piece:
    """Change a draft, or a piece an editor asked changes of. New findings of the guard
    need confirming again when it is submitted."""
    piece = await _own(actor, piece_id)
    if piece.state not in EDITABLE:
        raise Conflict(_not_editable(piece))
    areas, chosen_themes = await _checked_tags(form)
    seen = piece.state
    piece.kind = form.kind
    piece.title, piece.summary, piece.body = form.title, form.summary, form.body
    piece.body_html = render_markdown(form.body)
    piece.profession = form.profession  # type: ignore[assignment]  # the field is nullable
    findings = stored(_findings_of(piece))
    if findings != piece.findings:
        piece.findings_confirmed_at = None
    piece.findings = findings
    piece.updated_at = clock.now()
    async with transaction():
        changed = await Piece.filter(id=piece.id, state=seen).update(
            kind=piece.kind,
            title=piece.title,
            summary=piece.summary,
            body=piece.body,
            body_html=piece.body_html,
            profession=piece.profession,
            findings=piece.findings,
            findings_confirmed_at=piece.findings_confirmed_at,
            updated_at=piece.updated_at,
        )
        if not changed:
            raise Conflict(await _what_happened(piece.id))
        await _file(piece.id, areas, chosen_themes)
    return piece


def _not_editable(piece: Piece) -> str:
    if piece.state == S.SUBMITTED or piece.state == S.APPROVED:
        return "It is with the editors: withdraw it first to change it."
    return "A published piece cannot be changed here: ask an editor to unpublish it."


async def cover_target(*, actor: Member, piece_id: int) -> Piece:
    """The actor's own piece, if its cover may change now: the refusal (NotFound,
    PermissionDenied, Conflict) comes before an upload is read and stored."""
    piece = await _own(actor, piece_id)
    if piece.state not in EDITABLE:
        raise Conflict(_not_editable(piece))
    return piece


async def set_cover(*, actor: Member, piece_id: int, image: Image, alt: str) -> None:
    """Give the piece its cover image (stored by media.service) and its description: one
    guarded update, which loads the piece only to say why it was refused."""
    changed = await Piece.filter(id=piece_id, author_id=actor.id, state__in=EDITABLE).update(
        cover_id=image.id, cover_alt=alt, updated_at=clock.now()
    )
    if not changed:
        await cover_target(actor=actor, piece_id=piece_id)  # raises the reason
        raise Conflict("The piece changed meanwhile: look at it again.")


async def remove_cover(*, actor: Member, piece_id: int) -> Piece:
    """Take the cover image off the piece."""
    piece = await _own(actor, piece_id)
    if piece.state not in EDITABLE:
        raise Conflict(_not_editable(piece))
    piece.cover_id, piece.cover_alt = None, ""
    await Piece.filter(id=piece.id).update(cover_id=None, cover_alt="", updated_at=clock.now())
    return piece


async def delete_draft(*, actor: Member, piece_id: int) -> None:
    """Delete a draft for good (a piece the editors have seen keeps its history)."""
    piece = await _own(actor, piece_id)
    if piece.state != S.DRAFT or await Transition.filter(piece_id=piece.id).exists():
        raise Conflict("Only a draft never submitted can be deleted: withdraw it instead.")
    await Piece.filter(id=piece.id, state=S.DRAFT).delete()


# -- the review ------------------------------------------------------------------------------


async def _what_happened(piece_id: int) -> str:
    """What moved the piece since the actor looked (for the one who acted second)."""
    last = (
        await Transition.filter(piece_id=piece_id).order_by("-id").select_related("actor").first()
    )
    if last is None:
        return "This piece changed meanwhile: look at it again."
    who = last.actor.display_name if last.actor else "Someone"
    when = last.created_at.strftime("%d %b %Y %H:%M UTC")
    return (
        f"{who} {ACTION_WORDS.get(last.action, last.action)} at {when}, so it is now "
        f"{PieceState(last.to_state).label.lower()}: look at it again."
    )


async def _move(
    piece: Piece,
    *,
    actor: Member,
    action: str,
    to: PieceState,
    message: str = "",
    **changes: Any,
) -> Transition:
    """Move the piece from the state the actor saw to `to`, recording the step. Call inside a
    transaction. The guarded update settles two editors acting at once: the second is told
    what the first did."""
    now = clock.now()
    moved = await Piece.filter(id=piece.id, state=piece.state).update(
        state=to, updated_at=now, **changes
    )
    if not moved:
        raise Conflict(await _what_happened(piece.id))
    step = await Transition.create(
        piece_id=piece.id,
        actor_id=actor.id,
        action=action,
        from_state=piece.state,
        to_state=to,
        message=message,
        created_at=now,
    )
    piece.state = to
    piece.updated_at = now
    for name, value in changes.items():
        setattr(piece, name, value)
    return step


async def _editors() -> list[Member]:
    """Who hears of a piece waiting for review: the editors, or the admins while there are none."""
    editors = await Member.filter(is_editor=True, deleted_at__isnull=True).order_by("id")
    return editors or await Member.filter(is_admin=True, deleted_at__isnull=True).order_by("id")


async def _tell_author(piece: Piece, step: Transition, title: str, body: str = "") -> None:
    author = await Member.get(id=piece.author_id)
    await notify(
        [author],
        Notice(
            kinds.DECISION,
            title,
            url=url_path("stories:piece", piece_id=piece.id),
            dedupe_key=f"stories:{piece.id}:{step.id}",
            body=body,
            actor_id=step.actor_id,
        ),
    )


async def submit_piece(*, actor: Member, piece_id: int, submission: Submission) -> Piece:
    """Send a draft (or a changed piece) to the editors, with the author's consent confirmed.
    Possible client details the guard finds must be removed or confirmed first."""
    ensure_verified(actor)
    piece = await _own(actor, piece_id)
    if piece.state not in EDITABLE:
        raise Conflict(_not_editable(piece))
    errors = {}
    if not piece.body.strip():
        errors["body"] = "Write the piece before you submit it."
    if not piece.summary.strip():
        errors["summary"] = "Give it a summary of a sentence or two before you submit it."
    findings = _findings_of(piece)
    if findings and not submission.confirm_findings:
        errors["confirm_findings"] = (
            f"We found {len(findings)} possible client detail"
            f"{'s' if len(findings) != 1 else ''}: remove "
            f"{'them' if len(findings) != 1 else 'it'}, or confirm "
            f"{'they are' if len(findings) != 1 else 'it is'} not a client's."
        )
    if errors:
        raise Invalid(**errors)
    now = clock.now()
    async with transaction():
        step = await _move(
            piece,
            actor=actor,
            action="submit",
            to=S.SUBMITTED,
            submitted_at=now,
            named=submission.named,
            shown_as=submission.shown_as,
            findings=stored(findings),
            findings_confirmed_at=now if findings else None,
        )
        await Consent.create(
            piece_id=piece.id,
            member_id=actor.id,
            basis=submission.basis,
            wording=submission.wording(actor.display_name),
            named=submission.named,
            shown_as=submission.shown_as,
            created_at=now,
        )
        await notify(
            await _editors(),
            Notice(
                kinds.REVIEW,
                f"To review: \u201c{piece.title}\u201d",
                url=url_path("stories:piece", piece_id=piece.id),
                dedupe_key=f"stories:{piece.id}:{step.id}",
                body=piece.summary,
                actor_id=actor.id,
            ),
        )
    logger.info("Member %s submitted piece %s", actor.id, piece.id)
    return piece


async def withdraw_piece(*, actor: Member, piece_id: int) -> Piece:
    """Take a piece back from the editors, as a draft (until it is published)."""
    piece = await _own(actor, piece_id)
    if piece.state not in WITHDRAWABLE:
        raise Conflict(
            "Only a piece with the editors can be withdrawn: this one is "
            f"{PieceState(piece.state).label.lower()}."
        )
    async with transaction():
        await _move(piece, actor=actor, action="withdraw", to=S.DRAFT)
    return piece


async def _reviewed(actor: Member | None, piece_id: int) -> tuple[Member, Piece]:
    editor = ensure_editor(actor)
    piece = await access_piece(editor, piece_id)
    if piece.author_id == editor.id and not editor.is_admin:
        raise PermissionDenied("Another editor must review your own piece.")
    return editor, piece


def _refuse_from(piece: Piece, allowed: Sequence[PieceState], doing: str) -> None:
    if piece.state not in allowed:
        raise Conflict(
            f"A piece that is {PieceState(piece.state).label.lower()} cannot be {doing}."
        )


async def request_changes(*, actor: Member | None, piece_id: int, message: str) -> Piece:
    """Send the piece back to its author with what to change (editors)."""
    editor, piece = await _reviewed(actor, piece_id)
    _refuse_from(piece, (S.SUBMITTED, S.APPROVED), "sent back for changes")
    if not message:
        raise Invalid(message="Tell the author what to change.")
    async with transaction():
        step = await _move(
            piece, actor=editor, action="request_changes", to=S.CHANGES_REQUESTED, message=message
        )
        await _tell_author(
            piece, step, f"Changes asked for \u201c{piece.title}\u201d", body=message
        )
    return piece


async def approve_piece(*, actor: Member | None, piece_id: int, message: str = "") -> Piece:
    """Approve a submitted piece for publishing (editors)."""
    editor, piece = await _reviewed(actor, piece_id)
    _refuse_from(piece, (S.SUBMITTED,), "approved")
    async with transaction():
        step = await _move(piece, actor=editor, action="approve", to=S.APPROVED, message=message)
        await _tell_author(piece, step, f"\u201c{piece.title}\u201d is approved", body=message)
    return piece


async def publish_piece(
    *, actor: Member | None, piece_id: int, publish_at: datetime | None = None
) -> Piece:
    """Publish an approved (or unpublished) piece now, or schedule it for a time to come
    (editors). A piece whose possible client details are not confirmed is refused."""
    editor, piece = await _reviewed(actor, piece_id)
    _refuse_from(piece, (S.APPROVED, S.UNPUBLISHED), "published")
    now = clock.now()
    if publish_at is not None and publish_at < now:
        raise Invalid(publish_at="Choose a time to come, or leave it empty to publish now.")
    if piece.findings and piece.findings_confirmed_at is None:
        raise Conflict(
            "Its author has not confirmed the possible client details found in it: ask them "
            "for changes."
        )
    at = publish_at or now
    scheduled = at > now
    async with transaction():
        step = await _move(
            piece,
            actor=editor,
            action="schedule" if scheduled else "publish",
            to=S.PUBLISHED,
            published_at=at,
        )
        title = (
            f"\u201c{piece.title}\u201d will be published on {at.strftime('%d %b %Y %H:%M UTC')}"
            if scheduled
            else f"\u201c{piece.title}\u201d is published"
        )
        await _tell_author(piece, step, title)
    logger.info("Editor %s published piece %s", editor.id, piece.id)
    return piece


async def unpublish_piece(*, actor: Member | None, piece_id: int, message: str = "") -> Piece:
    """Take a published (or scheduled) piece off the site (editors); it keeps its history."""
    editor, piece = await _reviewed(actor, piece_id)
    _refuse_from(piece, (S.PUBLISHED,), "unpublished")
    async with transaction():
        step = await _move(
            piece,
            actor=editor,
            action="unpublish",
            to=S.UNPUBLISHED,
            message=message,
            picked_at=None,
        )
        await _tell_author(piece, step, f"\u201c{piece.title}\u201d was unpublished", body=message)
    return piece


async def pick_piece(*, actor: Member | None, piece_id: int, picked: bool) -> Piece:
    """Make a published piece an editors' pick for the home page, or no longer (editors)."""
    editor = ensure_editor(actor)
    piece = await access_piece(editor, piece_id)
    if piece.state != S.PUBLISHED:
        raise Conflict("Only a published piece can be an editors' pick.")
    piece.picked_at = clock.now() if picked else None
    await Piece.filter(id=piece.id, state=S.PUBLISHED).update(picked_at=piece.picked_at)
    return piece


async def set_editor(*, actor: Member | None, member_id: int, editor: bool) -> Member:
    """Make a member an editor, or no longer one (admins); they are told."""
    admin = ensure_admin(actor)
    member = await Member.filter(id=member_id, deleted_at__isnull=True).first()
    if member is None:
        raise NotFound("There is no member here.")
    if member.is_editor == editor:
        return member
    async with transaction():
        await Member.filter(id=member.id).update(is_editor=editor)
        member.is_editor = editor
        await notify(
            [member],
            Notice(
                kinds.EDITOR,
                "You are now an editor of stories and profiles"
                if editor
                else "You are no longer an editor of stories and profiles",
                url=url_path("stories:review") if editor else url_path("stories:index"),
                dedupe_key=f"stories:editor:{member.id}:{clock.now().isoformat()}",
                actor_id=admin.id,
            ),
        )
    logger.info("Admin %s set editor=%s for member %s", admin.id, editor, member.id)
    return member


# -- reads -----------------------------------------------------------------------------------


def _published(now: datetime) -> QuerySet[Piece]:
    return Piece.filter(state=S.PUBLISHED, published_at__lte=now, author__deleted_at__isnull=True)


async def _cards(pieces: Sequence[Piece]) -> list[Card]:
    """Cards for pieces loaded with their authors: 2 queries for the lot."""
    ids = [p.id for p in pieces]
    names: dict[int, list[str]] = defaultdict(list)
    if ids:
        for row in (
            await PieceTheme.filter(piece_id__in=ids)
            .order_by("theme__position", "theme__name")
            .values("piece_id", "theme__name")
        ):
            names[row["piece_id"]].append(row["theme__name"])
    covers = await _covers([p.cover_id for p in pieces if p.cover_id])
    return [Card(p, byline(p, p.author), names[p.id], covers.get(p.cover_id or 0)) for p in pieces]


async def _covers(ids: Sequence[int]) -> dict[int, Image]:
    """The covers' rows without their bytes (pages need only their addresses and sizes)."""
    if not ids:
        return {}
    images = await Image.filter(id__in=ids).only("id", "key", "content_type", "width", "height")
    return {image.id: image for image in images}


async def list_published(*, filters: Filters) -> Page[Card]:
    """Published pieces, newest first, with /stories' filters."""
    query = _published(clock.now()).select_related("author")
    if filters.kind:
        query = query.filter(kind=filters.kind)
    if filters.profession:
        query = query.filter(profession=filters.profession)
    if filters.area:
        query = query.filter(area_links__area_id=filters.area)
    if filters.theme:
        query = query.filter(theme_links__theme_id=filters.theme)
    page = await keyset_page(
        query, order=("-published_at", "-id"), cursor=filters.cursor, limit=filters.limit
    )
    return Page(await _cards(page.items), page.next_cursor)


async def editors_picks(limit: int = PICKS_MAX) -> list[Card]:
    """The editors' latest picks, for the home page: one query (their themes are not shown),
    and one more for their covers when they have some."""
    pieces = (
        await _published(clock.now())
        .filter(picked_at__isnull=False)
        .select_related("author")
        .order_by("-picked_at", "-id")
        .limit(limit)
    )
    covers = await _covers([p.cover_id for p in pieces if p.cover_id])
    return [Card(p, byline(p, p.author), [], covers.get(p.cover_id or 0)) for p in pieces]


async def published_by(member_id: int) -> list[Card]:
    """A member's published pieces under their name (for their profile)."""
    pieces = (
        await _published(clock.now())
        .filter(author_id=member_id, named=True)
        .select_related("author")
        .order_by("-published_at", "-id")
        .limit(50)
    )
    return await _cards(pieces)


async def feed_entries(limit: int = 20) -> list[Card]:
    """The latest published pieces, for the Atom feed."""
    pieces = (
        await _published(clock.now())
        .select_related("author")
        .order_by("-published_at", "-id")
        .limit(limit)
    )
    return await _cards(pieces)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def search_pieces(q: str, limit: int = 5) -> list[Card]:
    """Published pieces whose title, summary or text contain every word asked."""
    words = q.split()[:8]
    if not words or len(q) > SEARCH_MAX:
        return []
    query = _published(clock.now()).select_related("author")
    for word in words:
        query = query.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
        )
    pieces = await query.order_by("-published_at", "-id").limit(limit)
    return await _cards(pieces)


async def my_pieces(*, actor: Member) -> list[Card]:
    """The actor's own pieces in every state, latest change first."""
    pieces = (
        await Piece.filter(author_id=actor.id)
        .select_related("author")
        .order_by("-updated_at", "-id")
    )
    return await _cards(pieces)


@dataclass(frozen=True)
class Queue:
    """What the editors have to do: pieces to review (oldest first), approved ones to publish,
    and those scheduled."""

    submitted: list[Card]
    approved: list[Card]
    scheduled: list[Card]


async def review_queue(*, actor: Member | None) -> Queue:
    """The editors' queue (editors only)."""
    ensure_editor(actor)
    submitted = (
        await Piece.filter(state=S.SUBMITTED, author__deleted_at__isnull=True)
        .select_related("author")
        .order_by("submitted_at", "id")
        .limit(200)
    )
    approved = (
        await Piece.filter(state=S.APPROVED, author__deleted_at__isnull=True)
        .select_related("author")
        .order_by("updated_at", "id")
        .limit(200)
    )
    scheduled = (
        await Piece.filter(
            state=S.PUBLISHED, published_at__gt=clock.now(), author__deleted_at__isnull=True
        )
        .select_related("author")
        .order_by("published_at", "id")
        .limit(200)
    )
    return Queue(await _cards(submitted), await _cards(approved), await _cards(scheduled))


async def piece_view(*, viewer: Member | None, piece_id: int) -> PieceView:
    """A piece as the viewer may see it: the review's history, consents and findings only for
    its author and the editors."""
    piece = await access_piece(viewer, piece_id)
    areas = await PracticeArea.filter(piece_links__piece_id=piece.id).order_by("position", "name")
    piece_themes = await Theme.filter(piece_links__piece_id=piece.id).order_by("position", "name")
    covers = await _covers([piece.cover_id] if piece.cover_id else [])
    view = PieceView(
        piece, byline(piece, piece.author), areas, piece_themes, covers.get(piece.cover_id or 0)
    )
    insider = viewer is not None and (viewer.id == piece.author_id or is_editor(viewer))
    if insider:
        view.steps = [
            Step(t, t.actor.display_name if t.actor else "Someone")
            for t in await Transition.filter(piece_id=piece.id)
            .select_related("actor")
            .order_by("id")
        ]
        view.consents = await Consent.filter(piece_id=piece.id).order_by("id")
        view.findings = list(piece.findings)
    return view


def public(piece: Piece) -> bool:
    """Published, with its time come."""
    return is_public(piece, clock.now())
