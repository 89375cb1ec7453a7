"""Forum rules at the domain level."""

from __future__ import annotations

import asyncio
import re

import pytest

from community.accounts.models import Member
from community.errors import Conflict, Invalid, NotFound, PermissionDenied, RateLimited
from community.forum import service
from community.forum.models import Mention, Post, PostRevision, Reaction, ReactionKind, Thread
from community.forum.schemas import NewPost, PostEdit
from community.forum.service.posting import POST_LIMIT
from community.groups.models import Group
from community.settings import configure
from tests.conftest import make_settings
from tests.factories import add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def setup_group(**kwargs: str) -> tuple[Group, Member, Member]:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator, **kwargs)
    member = await make_member()
    await add_member(group, member)
    return group, facilitator, member


async def test_thread_and_replies_are_numbered_and_counted(database: None) -> None:
    group, facilitator, member = await setup_group()
    thread = await make_thread(group, member, title="Supervision", body="How often?")
    first = await make_reply(thread, facilitator)
    second = await make_reply(thread, member, "Weekly.")
    assert (first.number, second.number) == (2, 3)
    stored = await Thread.get(id=thread.id)
    assert stored.post_count == 3 and stored.reply_count == 2
    assert stored.last_activity_at == second.created_at


async def test_non_members_and_unverified_cannot_post(database: None) -> None:
    group, _, member = await setup_group()
    thread = await make_thread(group, member)
    outsider = await make_member()
    with pytest.raises(PermissionDenied, match="Join the group"):
        await service.reply(actor=outsider, thread_id=thread.id, form=NewPost(body="Hi"))
    unverified = await make_member(verified=False)
    with pytest.raises(PermissionDenied, match="verify your email"):
        await service.reply(actor=unverified, thread_id=thread.id, form=NewPost(body="Hi"))
    assert await Post.all().count() == 1


async def test_locked_thread_refuses_replies_but_not_from_facilitators(database: None) -> None:
    group, facilitator, member = await setup_group()
    thread = await make_thread(group, member)
    await service.set_locked(actor=facilitator, thread_id=thread.id, locked=True)
    with pytest.raises(Conflict, match="locked"):
        await make_reply(thread, member)
    assert (await Thread.get(id=thread.id)).post_count == 1
    await make_reply(thread, facilitator, "Closing note.")
    with pytest.raises(PermissionDenied):
        await service.set_locked(actor=member, thread_id=thread.id, locked=False)


async def test_quote_must_be_a_visible_post_of_the_thread(database: None) -> None:
    group, facilitator, member = await setup_group()
    thread = await make_thread(group, member)
    other = await make_thread(group, member, title="Other")
    other_post = await Post.get(thread_id=other.id)
    with pytest.raises(Invalid):
        await service.reply(
            actor=member, thread_id=thread.id, form=NewPost(body="x", quote_post_id=other_post.id)
        )
    opening = await Post.get(thread_id=thread.id, number=1)
    quoting = await service.reply(
        actor=facilitator, thread_id=thread.id, form=NewPost(body="Yes", quote_post_id=opening.id)
    )
    assert quoting.quote_id == opening.id  # type: ignore[attr-defined]


async def test_edit_keeps_history_for_facilitators(database: None) -> None:
    group, facilitator, member = await setup_group()
    thread = await make_thread(group, member, body="First words.")
    post = await Post.get(thread_id=thread.id)
    edited = await service.edit_post(
        actor=member, post_id=post.id, form=PostEdit(body="Second words.")
    )
    assert edited.edited_at is not None and "Second words." in edited.body_html
    with pytest.raises(PermissionDenied):
        await service.edit_post(actor=facilitator, post_id=post.id, form=PostEdit(body="Not mine."))
    _, _, revisions = await service.list_revisions(actor=facilitator, post_id=post.id)
    assert [r.body for r in revisions] == ["First words."]
    with pytest.raises(PermissionDenied):
        await service.list_revisions(actor=member, post_id=post.id)
    assert await PostRevision.all().count() == 1


async def test_delete_is_soft_and_keeps_the_place(database: None) -> None:
    group, facilitator, member = await setup_group()
    thread = await make_thread(group, member)
    reply = await make_reply(thread, member)
    later = await make_reply(thread, facilitator)
    await service.delete_post(actor=member, post_id=reply.id)
    with pytest.raises(PermissionDenied):
        await service.delete_post(actor=member, post_id=later.id)
    stored = await Post.get(id=reply.id)
    assert stored.is_deleted and stored.number == 2
    assert (await Post.get(id=later.id)).number == 3


async def test_reactions_are_unique_per_kind_even_when_double_submitted(database: None) -> None:
    group, facilitator, member = await setup_group()
    thread = await make_thread(group, member)
    post = await Post.get(thread_id=thread.id)
    await asyncio.gather(
        *(
            service.react(actor=facilitator, post_id=post.id, kind=ReactionKind.LIKE)
            for _ in range(4)
        )
    )
    await service.react(actor=facilitator, post_id=post.id, kind=ReactionKind.SUPPORT)
    assert await Reaction.filter(post_id=post.id).count() == 2
    page = await service.thread_page(actor=member, thread_id=thread.id)
    [like, support] = page.reactions[post.id]
    assert (like.kind, len(like.names), like.mine) == (ReactionKind.LIKE, 1, False)
    assert support.kind == ReactionKind.SUPPORT
    await service.unreact(actor=facilitator, post_id=post.id, kind=ReactionKind.LIKE)
    assert await Reaction.filter(post_id=post.id).count() == 1


async def test_mentions_are_linked_and_recorded_but_not_in_code(database: None) -> None:
    group, _, member = await setup_group()
    named = await make_member(name="Nia Named")
    thread = await make_thread(
        group,
        member,
        body=f"Thanks @{named.handle} and @{member.handle}! `@{named.handle}` @nobody_here",
    )
    post = await Post.get(thread_id=thread.id)
    assert f'<a class="mention" href="/members/{named.id}">@{named.handle}</a>' in post.body_html
    assert f"<code>@{named.handle}</code>" in post.body_html
    assert "@nobody_here" in post.body_html
    mentioned = await Mention.filter(post_id=post.id).values_list("member_id", flat=True)
    assert list(mentioned) == [named.id]  # not the author themself


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<img src=x onerror="alert(1)">',
        '<a href="https://e.org" onclick="alert(1)">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "[x](JaVaScRiPt:alert(1))",
    ],
)
async def test_sanitiser_keeps_payloads_inert(database: None, payload: str) -> None:
    group, _, member = await setup_group()
    thread = await make_thread(group, member, body=payload)
    html = (await Post.get(thread_id=thread.id)).body_html.lower()
    assert "<script" not in html and "<iframe" not in html and "<img" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html), "an element kept an event handler"
    assert not re.search(r"href=\"\s*javascript", html)


async def test_links_get_nofollow_and_code_keeps_whitespace(database: None) -> None:
    group, _, member = await setup_group()
    thread = await make_thread(
        group,
        member,
        body=(
            "See <https://example.org>\n\n```\nline one\n    indented\n```\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |"
        ),
    )
    html = (await Post.get(thread_id=thread.id)).body_html
    assert 'rel="nofollow ugc noopener"' in html
    assert "line one\n    indented" in html
    assert "<table>" in html


async def test_unread_counts_are_right_after_concurrent_replies(database: None) -> None:
    group, facilitator, reader = await setup_group()
    thread = await make_thread(group, facilitator)
    await service.thread_page(actor=reader, thread_id=thread.id)  # read the opening post
    writers = [await make_member() for _ in range(8)]
    for writer in writers:
        await add_member(group, writer)
    await asyncio.gather(*(make_reply(thread, writer) for writer in writers))
    numbers = sorted(await Post.filter(thread_id=thread.id).values_list("number", flat=True))
    assert numbers == list(range(1, 10))
    listing = await service.list_threads(actor=reader, slug=group.slug)
    assert listing.unread[thread.id] == 8
    page = await service.thread_page(actor=reader, thread_id=thread.id)
    assert page.first_unread == 2
    listing = await service.list_threads(actor=reader, slug=group.slug)
    assert listing.unread[thread.id] == 0
    # each writer has read up to their own post at least
    writer_listing = await service.list_threads(actor=writers[0], slug=group.slug)
    assert writer_listing.unread[thread.id] <= 8


async def test_posting_is_rate_limited(database: None) -> None:
    group, _, member = await setup_group()
    thread = await make_thread(group, member)
    for _ in range(POST_LIMIT - 1):
        await make_reply(thread, member)
    with pytest.raises(RateLimited, match="posting very quickly"):
        await make_reply(thread, member)
    assert (await Thread.get(id=thread.id)).post_count == POST_LIMIT


async def test_rate_limits_off_lets_a_load_test_post_on(database: None) -> None:
    group, _, member = await setup_group()
    thread = await make_thread(group, member)
    configure(make_settings(rate_limits=False))
    try:
        for _ in range(POST_LIMIT + 5):
            await make_reply(thread, member)
    finally:
        configure(make_settings())
    assert (await Thread.get(id=thread.id)).post_count == POST_LIMIT + 6


async def test_hidden_posts_and_threads(database: None) -> None:
    group, facilitator, member = await setup_group()
    other = await make_member()
    await add_member(group, other)
    thread = await make_thread(group, member)
    post = await make_reply(thread, member, "Something unkind.")
    await service.hide_post(actor=facilitator, post_id=post.id)
    with pytest.raises(NotFound):
        await service.react(actor=other, post_id=post.id, kind=ReactionKind.LIKE)
    await service.hide_thread(actor=facilitator, thread_id=thread.id)
    with pytest.raises(NotFound):
        await service.thread_page(actor=other, thread_id=thread.id)
    assert (await service.thread_page(actor=facilitator, thread_id=thread.id)).posts
    assert thread.id not in [
        t.id for t in (await service.list_threads(actor=other, slug=group.slug)).threads
    ]
    await service.restore_thread(actor=facilitator, thread_id=thread.id)
    assert (await service.thread_page(actor=other, thread_id=thread.id)).posts
