"""Stories at the domain level: writing, the review's transitions for every role (each refusal
changing nothing), consent, the client-details guard, publishing and the reads."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from itertools import pairwise

import pytest

from community import clock
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.stories import service
from community.stories.models import Consent, Piece, PieceKind, PieceState, Theme, Transition
from community.stories.schemas import CONSENT_WORDING, PieceForm, Submission
from tests.factories import make_member, notified

pytestmark = pytest.mark.asyncio(loop_scope="session")

S = PieceState
BODY = "We started a weekly group for young carers at the community centre. It grew."
PHONE_BODY = "Call the family on 9123 4567 after school."


def form(**changes: object) -> PieceForm:
    fields: dict[str, object] = {
        "kind": "story",
        "title": "A carers' circle",
        "summary": "How a weekly group grew.",
        "body": BODY,
    }
    fields.update(changes)
    return PieceForm.from_json(fields)


def consent(**changes: object) -> Submission:
    fields: dict[str, object] = {"basis": "de_identified", "named": True}
    fields.update(changes)
    return Submission.from_json(fields)


async def editor() -> Member:
    admin = await make_member(admin=True)
    member = await make_member()
    return await service.set_editor(actor=admin, member_id=member.id, editor=True)


async def draft(author: Member | None = None, **changes: object) -> Piece:
    author = author or await make_member()
    return await service.create_piece(actor=author, form=form(**changes))


async def submitted(author: Member | None = None) -> Piece:
    piece = await draft(author)
    author_member = await Member.get(id=piece.author_id)
    return await service.submit_piece(actor=author_member, piece_id=piece.id, submission=consent())


async def approved(reviewer: Member) -> Piece:
    piece = await submitted()
    return await service.approve_piece(actor=reviewer, piece_id=piece.id)


async def published(reviewer: Member) -> Piece:
    piece = await approved(reviewer)
    return await service.publish_piece(actor=reviewer, piece_id=piece.id)


async def state_of(piece: Piece) -> PieceState:
    return PieceState((await Piece.get(id=piece.id)).state)


# -- writing ---------------------------------------------------------------------------------


async def test_create_piece_is_a_draft_only_its_author_sees(database: None) -> None:
    author, other, reviewer = await make_member(), await make_member(), await editor()
    piece = await draft(author)
    assert piece.state == S.DRAFT
    assert (await service.piece_view(viewer=author, piece_id=piece.id)).piece.id == piece.id
    for viewer in (None, other, reviewer):
        with pytest.raises(NotFound):
            await service.piece_view(viewer=viewer, piece_id=piece.id)


async def test_create_piece_with_an_unknown_theme_is_refused(database: None) -> None:
    author = await make_member()
    with pytest.raises(Invalid) as caught:
        await service.create_piece(actor=author, form=form(themes=[999_999]))
    assert caught.value.fields == {"themes": "There is no such theme: choose themes from the list."}
    assert await Piece.all().count() == 0


async def test_unverified_member_cannot_write(database: None) -> None:
    author = await make_member(verified=False)
    with pytest.raises(PermissionDenied):
        await service.create_piece(actor=author, form=form())
    assert await Piece.all().count() == 0


async def test_update_piece_by_another_member_is_refused(database: None) -> None:
    piece = await draft()
    other = await make_member()
    with pytest.raises(NotFound):
        await service.update_piece(actor=other, piece_id=piece.id, form=form(title="Mine now"))
    assert (await Piece.get(id=piece.id)).title == "A carers' circle"


async def test_update_piece_files_it_under_themes(database: None) -> None:
    piece = await draft()
    author = await Member.get(id=piece.author_id)
    themes = [
        (await Theme.get_or_create(name=name, defaults={"position": n}))[0]
        for n, name in enumerate(("Advocacy", "Inclusion"))
    ]
    await service.update_piece(
        actor=author, piece_id=piece.id, form=form(themes=[t.id for t in themes])
    )
    view = await service.piece_view(viewer=author, piece_id=piece.id)
    assert [t.id for t in view.themes] == [t.id for t in themes]


async def test_submitted_piece_cannot_be_edited(database: None) -> None:
    piece = await submitted()
    author = await Member.get(id=piece.author_id)
    with pytest.raises(Conflict, match="withdraw it first"):
        await service.update_piece(actor=author, piece_id=piece.id, form=form(title="Changed"))
    assert (await Piece.get(id=piece.id)).title == "A carers' circle"


# -- submitting, consent and the guard -------------------------------------------------------


async def test_submit_records_consent_word_for_word_and_tells_the_editors(
    database: None,
) -> None:
    reviewer = await editor()
    author = await make_member(name="Aisha")
    piece = await draft(author)
    await service.submit_piece(
        actor=author,
        piece_id=piece.id,
        submission=consent(basis="consented", named=False, shown_as="a youth worker"),
    )
    assert await state_of(piece) == S.SUBMITTED
    [record] = await Consent.filter(piece_id=piece.id)
    assert record.wording == (
        f"{CONSENT_WORDING['consented']} I wish to be shown as \u201ca youth worker\u201d."
    )
    assert record.basis == "consented" and not record.named
    stored = await Piece.get(id=piece.id)
    assert stored.shown_as == "a youth worker" and stored.submitted_at is not None
    [step] = await Transition.filter(piece_id=piece.id)
    assert (step.action, step.from_state, step.to_state, step.actor_id) == (
        "submit",
        S.DRAFT,
        S.SUBMITTED,
        author.id,
    )
    assert reviewer.email is not None
    [notice] = await notified(reviewer.email, "story_review")
    assert "A carers' circle" in notice.title


async def test_submit_without_a_basis_or_a_name_is_refused(database: None) -> None:
    with pytest.raises(Invalid) as caught:
        Submission.from_form({"named": "false", "shown_as": ""})
    assert set(caught.value.fields) == {"basis", "shown_as"}


async def test_submit_with_a_phone_number_needs_confirming(database: None) -> None:
    author = await make_member()
    piece = await draft(author, body=PHONE_BODY)
    with pytest.raises(Invalid) as caught:
        await service.submit_piece(actor=author, piece_id=piece.id, submission=consent())
    assert "1 possible client detail" in caught.value.fields["confirm_findings"]
    assert await state_of(piece) == S.DRAFT
    assert await Consent.filter(piece_id=piece.id).count() == 0
    await service.submit_piece(
        actor=author, piece_id=piece.id, submission=consent(confirm_findings=True)
    )
    stored = await Piece.get(id=piece.id)
    assert stored.state == S.SUBMITTED
    assert stored.findings == [{"kind": "phone", "text": "9123 4567"}]
    assert stored.findings_confirmed_at is not None


async def test_removing_the_phone_number_lets_it_through(database: None) -> None:
    author = await make_member()
    piece = await draft(author, body=PHONE_BODY)
    await service.update_piece(actor=author, piece_id=piece.id, form=form())
    await service.submit_piece(actor=author, piece_id=piece.id, submission=consent())
    stored = await Piece.get(id=piece.id)
    assert stored.state == S.SUBMITTED and stored.findings == []


async def test_submit_by_another_member_is_refused(database: None) -> None:
    piece = await draft()
    other = await make_member()
    with pytest.raises(NotFound):
        await service.submit_piece(actor=other, piece_id=piece.id, submission=consent())
    assert await state_of(piece) == S.DRAFT


async def test_submit_an_empty_piece_is_refused(database: None) -> None:
    author = await make_member()
    piece = await draft(author, body="", summary="")
    with pytest.raises(Invalid) as caught:
        await service.submit_piece(actor=author, piece_id=piece.id, submission=consent())
    assert set(caught.value.fields) == {"body", "summary"}
    assert await state_of(piece) == S.DRAFT


# -- the review ------------------------------------------------------------------------------


async def test_withdraw_returns_it_to_a_draft(database: None) -> None:
    piece = await submitted()
    author = await Member.get(id=piece.author_id)
    await service.withdraw_piece(actor=author, piece_id=piece.id)
    assert await state_of(piece) == S.DRAFT
    with pytest.raises(Conflict):
        await service.withdraw_piece(actor=author, piece_id=piece.id)


async def test_request_changes_needs_a_message_and_tells_the_author(database: None) -> None:
    reviewer = await editor()
    author = await make_member(email="writer@example.org")
    piece = await submitted(author)
    with pytest.raises(Invalid):
        await service.request_changes(actor=reviewer, piece_id=piece.id, message="")
    assert await state_of(piece) == S.SUBMITTED
    await service.request_changes(
        actor=reviewer, piece_id=piece.id, message="Say more about the outcome."
    )
    assert await state_of(piece) == S.CHANGES_REQUESTED
    [notice] = await notified("writer@example.org", "story_decision")
    assert notice.body == "Say more about the outcome."
    # the author edits and resubmits
    await service.update_piece(actor=author, piece_id=piece.id, form=form(body=BODY + " More."))
    await service.submit_piece(actor=author, piece_id=piece.id, submission=consent())
    assert await state_of(piece) == S.SUBMITTED
    assert await Consent.filter(piece_id=piece.id).count() == 2


@pytest.mark.parametrize("role", ["author", "member", "visitor"])
async def test_review_actions_by_non_editors_are_refused(database: None, role: str) -> None:
    piece = await submitted()
    actor = {
        "author": await Member.get(id=piece.author_id),
        "member": await make_member(),
        "visitor": None,
    }[role]
    for action in (
        service.approve_piece(actor=actor, piece_id=piece.id),
        service.request_changes(actor=actor, piece_id=piece.id, message="No"),
        service.publish_piece(actor=actor, piece_id=piece.id),
        service.unpublish_piece(actor=actor, piece_id=piece.id),
        service.pick_piece(actor=actor, piece_id=piece.id, picked=True),
    ):
        with pytest.raises(PermissionDenied):
            await action
    assert await state_of(piece) == S.SUBMITTED
    assert await Transition.filter(piece_id=piece.id).count() == 1


async def test_an_editor_cannot_review_their_own_piece(database: None) -> None:
    reviewer = await editor()
    piece = await submitted(reviewer)
    with pytest.raises(PermissionDenied, match="Another editor"):
        await service.approve_piece(actor=reviewer, piece_id=piece.id)
    assert await state_of(piece) == S.SUBMITTED


async def test_admin_reviews_like_an_editor(database: None) -> None:
    admin = await make_member(admin=True)
    piece = await submitted()
    await service.approve_piece(actor=admin, piece_id=piece.id)
    assert await state_of(piece) == S.APPROVED


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        (S.SUBMITTED, {"approve", "request_changes"}),
        (S.APPROVED, {"publish", "request_changes"}),
        (S.PUBLISHED, {"unpublish"}),
    ],
)
async def test_each_state_allows_only_its_decisions(
    database: None, state: PieceState, allowed: set[str]
) -> None:
    reviewer = await editor()
    piece = {
        S.SUBMITTED: submitted,
        S.APPROVED: lambda: approved(reviewer),
        S.PUBLISHED: lambda: published(reviewer),
    }[state]
    made = await piece()  # type: ignore[operator]
    actions = {
        "approve": lambda: service.approve_piece(actor=reviewer, piece_id=made.id),
        "request_changes": lambda: service.request_changes(
            actor=reviewer, piece_id=made.id, message="Change it"
        ),
        "publish": lambda: service.publish_piece(actor=reviewer, piece_id=made.id),
        "unpublish": lambda: service.unpublish_piece(actor=reviewer, piece_id=made.id),
    }
    for name, act in actions.items():
        if name in allowed:
            continue
        steps = await Transition.filter(piece_id=made.id).count()
        with pytest.raises(Conflict):
            await act()
        assert await state_of(made) == state, name
        assert await Transition.filter(piece_id=made.id).count() == steps


async def test_two_editors_at_once_decide_once(database: None) -> None:
    first, second = await editor(), await editor()
    piece = await submitted()
    results = await asyncio.gather(
        service.approve_piece(actor=first, piece_id=piece.id),
        service.request_changes(actor=second, piece_id=piece.id, message="Shorter, please."),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, Exception)]
    steps = await Transition.filter(piece_id=piece.id).order_by("id")
    # when the two overlap, the guarded update lets one decide and tells the other; when the
    # scheduler happens to run one after the other, the second acts on what the first left.
    # Either way no decision is lost: the history is one chain of states
    assert all(isinstance(r, Conflict) for r in refused) and len(refused) <= 1
    for exc in refused:
        assert "look at it again" in exc.message  # type: ignore[attr-defined]
    assert len(steps) == 3 - len(refused)
    assert all(b.from_state == a.to_state for a, b in pairwise(steps))


async def test_the_second_editor_is_told_what_happened(database: None) -> None:
    first, second = await editor(), await editor()
    piece = await submitted()
    seen_by_second = await Piece.get(id=piece.id)
    await service.approve_piece(actor=first, piece_id=piece.id)
    # the second decides on the state they saw: the guarded update refuses
    with pytest.raises(Conflict) as caught:
        async with transaction():
            await service._move(seen_by_second, actor=second, action="approve", to=S.APPROVED)
    assert f"{first.display_name} approved it" in caught.value.message


# -- publishing ------------------------------------------------------------------------------


async def test_publish_now_makes_it_public(database: None) -> None:
    reviewer = await editor()
    piece = await published(reviewer)
    view = await service.piece_view(viewer=None, piece_id=piece.id)
    assert view.piece.state == S.PUBLISHED and view.steps == [] and view.consents == []
    page = await service.list_published(filters=service.Filters())
    assert [c.piece.id for c in page.items] == [piece.id]
    assert [c.piece.id for c in await service.feed_entries()] == [piece.id]


async def test_publish_at_a_time_to_come_schedules_it(database: None) -> None:
    reviewer = await editor()
    piece = await approved(reviewer)
    later = clock.now() + timedelta(days=2)
    await service.publish_piece(actor=reviewer, piece_id=piece.id, publish_at=later)
    with pytest.raises(NotFound):
        await service.piece_view(viewer=None, piece_id=piece.id)
    assert (await service.list_published(filters=service.Filters())).items == []
    queue = await service.review_queue(actor=reviewer)
    assert [c.piece.id for c in queue.scheduled] == [piece.id]
    clock.advance(timedelta(days=2, minutes=1))
    assert (await service.piece_view(viewer=None, piece_id=piece.id)).piece.id == piece.id


async def test_publish_in_the_past_is_refused(database: None) -> None:
    reviewer = await editor()
    piece = await approved(reviewer)
    with pytest.raises(Invalid) as caught:
        await service.publish_piece(
            actor=reviewer, piece_id=piece.id, publish_at=clock.now() - timedelta(hours=1)
        )
    assert "publish_at" in caught.value.fields
    assert await state_of(piece) == S.APPROVED


async def test_unconfirmed_findings_cannot_be_published(database: None) -> None:
    reviewer = await editor()
    piece = await approved(reviewer)
    # a state the guard's own steps never leave (found, never confirmed): written directly
    await Piece.filter(id=piece.id).update(
        findings=[{"kind": "phone", "text": "9123 4567"}], findings_confirmed_at=None
    )
    with pytest.raises(Conflict, match="not confirmed"):
        await service.publish_piece(actor=reviewer, piece_id=piece.id)
    assert await state_of(piece) == S.APPROVED


async def test_unpublish_and_publish_again(database: None) -> None:
    reviewer = await editor()
    piece = await published(reviewer)
    await service.pick_piece(actor=reviewer, piece_id=piece.id, picked=True)
    assert [c.piece.id for c in await service.editors_picks()] == [piece.id]
    await service.unpublish_piece(actor=reviewer, piece_id=piece.id, message="Consent withdrawn.")
    with pytest.raises(NotFound):
        await service.piece_view(viewer=None, piece_id=piece.id)
    assert await service.editors_picks() == []
    await service.publish_piece(actor=reviewer, piece_id=piece.id)
    assert await state_of(piece) == S.PUBLISHED


async def test_author_cannot_withdraw_a_published_piece(database: None) -> None:
    reviewer = await editor()
    piece = await published(reviewer)
    author = await Member.get(id=piece.author_id)
    with pytest.raises(Conflict):
        await service.withdraw_piece(actor=author, piece_id=piece.id)
    assert await state_of(piece) == S.PUBLISHED


# -- reads -----------------------------------------------------------------------------------


async def test_filters_and_search_find_published_pieces_only(database: None) -> None:
    reviewer = await editor()
    story = await published(reviewer)
    profile_author = await make_member()
    profile = await draft(profile_author, kind="profile", title="A day at the clinic")
    await service.submit_piece(actor=profile_author, piece_id=profile.id, submission=consent())
    kinds = await service.list_published(filters=service.Filters(kind=PieceKind.PROFILE))
    assert kinds.items == []
    assert [c.piece.id for c in await service.search_pieces("carers weekly")] == [story.id]
    assert await service.search_pieces("clinic") == []


async def test_profile_lists_only_named_published_pieces(database: None) -> None:
    reviewer = await editor()
    author = await make_member()
    named = await draft(author, title="Named one")
    await service.submit_piece(actor=author, piece_id=named.id, submission=consent())
    await service.approve_piece(actor=reviewer, piece_id=named.id)
    await service.publish_piece(actor=reviewer, piece_id=named.id)
    anonymous = await draft(author, title="Unnamed one")
    await service.submit_piece(
        actor=author,
        piece_id=anonymous.id,
        submission=consent(named=False, shown_as="a counsellor"),
    )
    await service.approve_piece(actor=reviewer, piece_id=anonymous.id)
    await service.publish_piece(actor=reviewer, piece_id=anonymous.id)
    assert [c.piece.title for c in await service.published_by(author.id)] == ["Named one"]
    view = await service.piece_view(viewer=None, piece_id=anonymous.id)
    assert view.byline == "a counsellor"


async def test_set_editor_only_by_admins_and_the_member_is_told(database: None) -> None:
    member = await make_member(email="new-editor@example.org")
    other = await make_member()
    with pytest.raises(PermissionDenied):
        await service.set_editor(actor=other, member_id=member.id, editor=True)
    assert not (await Member.get(id=member.id)).is_editor
    admin = await make_member(admin=True)
    await service.set_editor(actor=admin, member_id=member.id, editor=True)
    assert (await Member.get(id=member.id)).is_editor
    [notice] = await notified("new-editor@example.org", "story_editor")
    assert "now an editor" in notice.title
