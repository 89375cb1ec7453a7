"""The stories pages: reading, writing, submitting with consent, the editors' review, the
Atom feed, and the panels other pages show (a member's published pieces, editors' picks)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community import clock
from community.accounts.models import PROFESSION_LABELS, Member
from community.accounts.routes import require_member
from community.client_details import find_client_details, marked
from community.errors import Invalid
from community.media.service import store_image
from community.stories import feeds, service
from community.stories.access import is_editor
from community.stories.api import StoryQuery
from community.stories.models import KIND_LABELS, PieceKind, PieceState
from community.stories.schemas import (
    CONSENT_WORDING,
    CoverAlt,
    Decision,
    Pick,
    PieceForm,
    Publication,
    Submission,
)
from community.web.templates import read_form, redirect, render, request_zone


async def _filters(request: Request) -> tuple[dict[str, str], service.Filters, dict[str, str]]:
    raw = {name: value for name, value in request.query_params.items() if value != ""}
    try:
        asked = StoryQuery.from_form(raw)
    except Invalid as exc:
        return raw, service.Filters(), exc.fields
    return raw, asked.filters(), {}


async def story_index(request: Request) -> Response:
    raw, filters, errors = await _filters(request)
    page = await service.list_published(filters=filters)
    member = request.state.member
    return render(
        request,
        "stories/index.html",
        {
            "values": raw,
            "errors": errors,
            "page": page,
            "kinds": KIND_LABELS,
            "professions": PROFESSION_LABELS,
            "area_options": [(a.id, a.name) for a in await service.practice_areas()],
            "theme_options": [(t.id, t.name) for t in await service.themes()],
            "is_editor": is_editor(member),
            "next_query": {k: v for k, v in raw.items() if k != "cursor"},
        },
        status_code=422 if errors else 200,
    )


async def story_feed(request: Request) -> Response:
    entries = await service.feed_entries()
    return Response(
        feeds.atom(entries),
        media_type="application/atom+xml; charset=utf-8",
    )


async def story_mine(request: Request) -> Response:
    actor = require_member(request)
    return render(request, "stories/mine.html", {"cards": await service.my_pieces(actor=actor)})


async def story_review(request: Request) -> Response:
    queue = await service.review_queue(actor=request.state.member)
    return render(request, "stories/review.html", {"queue": queue})


async def _read_piece_form(request: Request) -> dict[str, Any]:
    """The piece's form as sent, its ticked areas and themes as lists."""
    form = await request.form()
    raw: dict[str, Any] = await read_form(request)
    raw["areas"] = [v for v in form.getlist("areas") if isinstance(v, str)]
    raw["themes"] = [v for v in form.getlist("themes") if isinstance(v, str)]
    return raw


async def _editor_page(
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    piece_id: int | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "stories/edit.html",
        {
            "values": values,
            "errors": errors or {},
            "piece_id": piece_id,
            "kinds": KIND_LABELS,
            "professions": PROFESSION_LABELS,
            "areas": await service.practice_areas(),
            "themes": await service.themes(),
        },
        status_code=status_code,
    )


async def story_new(request: Request) -> Response:
    require_member(request)
    kind = request.query_params.get("kind", PieceKind.STORY)
    return await _editor_page(request, values={"kind": kind, "areas": [], "themes": []})


async def story_create(request: Request) -> Response:
    actor = require_member(request)
    raw = await _read_piece_form(request)
    try:
        piece = await service.create_piece(actor=actor, form=PieceForm.from_form(raw))
    except Invalid as exc:
        return await _editor_page(request, values=raw, errors=exc.fields, status_code=422)
    return redirect(
        request, "stories:piece", "Your draft is saved. Only you can see it.", piece_id=piece.id
    )


async def story_edit(request: Request) -> Response:
    actor = require_member(request)
    view = await service.piece_view(viewer=actor, piece_id=request.path_params["piece_id"])
    piece = view.piece
    if piece.author_id != actor.id:
        return redirect(request, "stories:piece", piece_id=piece.id)
    values = {
        "kind": piece.kind,
        "title": piece.title,
        "summary": piece.summary,
        "body": piece.body,
        "profession": piece.profession or "",
        "areas": [str(a.id) for a in view.areas],
        "themes": [str(t.id) for t in view.themes],
    }
    return await _editor_page(request, values=values, piece_id=piece.id)


async def story_save(request: Request) -> Response:
    actor = require_member(request)
    piece_id = request.path_params["piece_id"]
    raw = await _read_piece_form(request)
    try:
        await service.update_piece(actor=actor, piece_id=piece_id, form=PieceForm.from_form(raw))
    except Invalid as exc:
        return await _editor_page(
            request, values=raw, errors=exc.fields, piece_id=piece_id, status_code=422
        )
    return redirect(request, "stories:piece", "Your changes are saved.", piece_id=piece_id)


async def story_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    actor: Member | None = request.state.member
    view = await service.piece_view(viewer=actor, piece_id=request.path_params["piece_id"])
    piece = view.piece
    is_author = actor is not None and actor.id == piece.author_id
    editor = is_editor(actor) and (not is_author or bool(actor and actor.is_admin))
    context: dict[str, Any] = {
        "view": view,
        "piece": piece,
        "is_author": is_author,
        "is_editor": editor,
        "editable": is_author and piece.state in service.EDITABLE,
        "withdrawable": is_author and piece.state in service.WITHDRAWABLE,
        "public": service.public(piece),
        "states": PieceState,
        "consent_wording": CONSENT_WORDING,
        "errors": errors or {},
        "values": values or {},
        "author": piece.author,
        "page_url": request.url.replace(query="").__str__(),
    }
    if is_author and piece.state in service.EDITABLE:
        text = "\n\n".join((piece.title, piece.summary, piece.body))
        findings = find_client_details(text)
        context["findings"] = findings
        context["findings_marked"] = marked(text, findings) if findings else ""
    return render(request, "stories/piece.html", context, status_code=status_code)


async def story_detail(request: Request) -> Response:
    return await story_page(request)


async def story_submit(request: Request) -> Response:
    actor = require_member(request)
    piece_id = request.path_params["piece_id"]
    raw = await read_form(request)
    try:
        submission = Submission.from_form(raw)
        await service.submit_piece(actor=actor, piece_id=piece_id, submission=submission)
    except Invalid as exc:
        return await story_page(request, errors=exc.fields, values=raw, status_code=422)
    return redirect(
        request,
        "stories:piece",
        "Submitted: the editors will review it, and you will hear from them.",
        piece_id=piece_id,
    )


def _action(
    do: Callable[[Member, int, dict[str, str]], Awaitable[object]], message: str
) -> Callable[[Request], Awaitable[Response]]:
    """A door for one review action: read the form, act, go back to the piece (or show its
    page again with the form's errors)."""

    async def door(request: Request) -> Response:
        actor = require_member(request)
        piece_id = request.path_params["piece_id"]
        raw = await read_form(request)
        try:
            await do(actor, piece_id, raw)
        except Invalid as exc:
            return await story_page(request, errors=exc.fields, values=raw, status_code=422)
        return redirect(request, "stories:piece", message, piece_id=piece_id)

    return door


async def _withdraw(actor: Member, piece_id: int, raw: dict[str, str]) -> None:
    await service.withdraw_piece(actor=actor, piece_id=piece_id)


async def _request_changes(actor: Member, piece_id: int, raw: dict[str, str]) -> None:
    decision = Decision.from_form(raw)
    await service.request_changes(actor=actor, piece_id=piece_id, message=decision.message)


async def _approve(actor: Member, piece_id: int, raw: dict[str, str]) -> None:
    decision = Decision.from_form(raw)
    await service.approve_piece(actor=actor, piece_id=piece_id, message=decision.message)


def local_instant(moment: datetime | None, request: Request) -> datetime | None:
    """A time given without an offset is the reader's local time."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=request_zone(request))


async def story_publish(request: Request) -> Response:
    actor = require_member(request)
    piece_id = request.path_params["piece_id"]
    raw = await read_form(request)
    try:
        publication = Publication.from_form(raw)
        piece = await service.publish_piece(
            actor=actor,
            piece_id=piece_id,
            publish_at=local_instant(publication.publish_at, request),
        )
    except Invalid as exc:
        return await story_page(request, errors=exc.fields, values=raw, status_code=422)
    published_at = piece.published_at
    message = (
        "Published."
        if published_at is None or published_at <= clock.now()
        else "Scheduled: it will be published at the time you chose."
    )
    return redirect(request, "stories:piece", message, piece_id=piece_id)


async def _unpublish(actor: Member, piece_id: int, raw: dict[str, str]) -> None:
    decision = Decision.from_form(raw)
    await service.unpublish_piece(actor=actor, piece_id=piece_id, message=decision.message)


async def _pick(actor: Member, piece_id: int, raw: dict[str, str]) -> None:
    await service.pick_piece(actor=actor, piece_id=piece_id, picked=Pick.from_form(raw).picked)


async def story_delete(request: Request) -> Response:
    actor = require_member(request)
    await service.delete_draft(actor=actor, piece_id=request.path_params["piece_id"])
    return redirect(request, "stories:mine", "The draft is deleted.")


async def story_cover(request: Request) -> Response:
    actor = require_member(request)
    piece_id = request.path_params["piece_id"]
    await service.cover_target(actor=actor, piece_id=piece_id)  # refused before the upload
    form = await request.form()
    raw = await read_form(request)
    try:
        upload = form.get("cover")
        alt = CoverAlt.from_form(raw).cover_alt
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid(cover="Choose an image file: JPEG, PNG or WebP, at most 5 MB.")
        image = await store_image(actor=actor, data=await upload.read(), field="cover")
        await service.set_cover(actor=actor, piece_id=piece_id, image=image, alt=alt)
    except Invalid as exc:
        return await story_page(request, errors=exc.fields, values=raw, status_code=422)
    finally:
        await form.close()
    return redirect(request, "stories:piece", "The cover image is saved.", piece_id=piece_id)


async def story_cover_remove(request: Request) -> Response:
    actor = require_member(request)
    piece_id = request.path_params["piece_id"]
    await service.remove_cover(actor=actor, piece_id=piece_id)
    return redirect(request, "stories:piece", "The cover image is removed.", piece_id=piece_id)


async def member_editor(request: Request) -> Response:
    member_id = request.path_params["member_id"]
    raw = await read_form(request)
    editor = raw.get("editor") == "1"
    await service.set_editor(actor=request.state.member, member_id=member_id, editor=editor)
    return redirect(
        request,
        "people:profile",
        "They are now an editor." if editor else "They are no longer an editor.",
        member_id=member_id,
    )


# -- panels of other features' pages ---------------------------------------------------------


async def profile_stories_section(actor: Member | None, member: Member) -> dict[str, Any]:
    """A member's published pieces under their name, for their profile."""
    return {
        "story_cards": await service.published_by(member.id),
        "can_make_editor": actor is not None and actor.is_admin and actor.id != member.id,
        "shown_member": member,
    }


PIECE = "/stories/{piece_id:int}"

routes = [
    Route("/stories", story_index, name="stories:index"),
    Route("/stories/feed.atom", story_feed, name="stories:feed"),
    Route("/stories/mine", story_mine, name="stories:mine"),
    Route("/stories/review", story_review, name="stories:review"),
    Route("/stories/new", story_new, name="stories:new"),
    Route("/stories/new", story_create, methods=["POST"], name="stories:create"),
    Route(PIECE, story_detail, name="stories:piece"),
    Route(f"{PIECE}/edit", story_edit, name="stories:edit"),
    Route(f"{PIECE}/edit", story_save, methods=["POST"], name="stories:save"),
    Route(f"{PIECE}/submit", story_submit, methods=["POST"], name="stories:submit"),
    Route(
        f"{PIECE}/withdraw",
        _action(_withdraw, "Withdrawn: it is your draft again."),
        methods=["POST"],
        name="stories:withdraw",
    ),
    Route(f"{PIECE}/delete", story_delete, methods=["POST"], name="stories:delete"),
    Route(
        f"{PIECE}/request-changes",
        _action(_request_changes, "The author is asked for changes."),
        methods=["POST"],
        name="stories:request_changes",
    ),
    Route(
        f"{PIECE}/approve",
        _action(_approve, "Approved: publish it now or at a time you choose."),
        methods=["POST"],
        name="stories:approve",
    ),
    Route(f"{PIECE}/publish", story_publish, methods=["POST"], name="stories:publish"),
    Route(
        f"{PIECE}/unpublish",
        _action(_unpublish, "Unpublished: it is off the site."),
        methods=["POST"],
        name="stories:unpublish",
    ),
    Route(
        f"{PIECE}/pick",
        _action(_pick, "The editors' picks are updated."),
        methods=["POST"],
        name="stories:pick",
    ),
    Route(f"{PIECE}/cover", story_cover, methods=["POST"], name="stories:cover"),
    Route(
        f"{PIECE}/cover/remove", story_cover_remove, methods=["POST"], name="stories:cover_remove"
    ),
    Route(
        "/members/{member_id:int}/editor", member_editor, methods=["POST"], name="stories:editor"
    ),
]


async def search_stories_section(actor: Member | None, query: str) -> dict[str, Any]:
    """Published pieces matching the search, for the search page."""
    return {"story_cards": await service.search_pieces(query), "query": query}
