"""A post or thread sent twice by its author within a minute is one post (a double submit):
one after the other, or both at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from community import clock
from community.forum import service
from community.forum.models import Post, Thread
from community.forum.schemas import NewPost, NewThread
from tests.factories import add_member, make_group, make_member, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_reply_sent_twice_is_one_post(database: None) -> None:
    author = await make_member()
    group = await make_group(facilitator=author)
    thread = await make_thread(group, author)
    form = NewPost(body="Same words")
    first = await service.reply(actor=author, thread_id=thread.id, form=form)
    second = await service.reply(actor=author, thread_id=thread.id, form=form)
    assert first.id == second.id
    both = await asyncio.gather(
        *(service.reply(actor=author, thread_id=thread.id, form=NewPost(body="At once"))
          for _ in range(2))
    )  # fmt: skip
    assert both[0].id == both[1].id
    assert await Post.filter(thread_id=thread.id).count() == 3
    assert (await Thread.get(id=thread.id)).post_count == 3
    clock.advance(timedelta(seconds=61))  # meant again, a minute later: a new post
    third = await service.reply(actor=author, thread_id=thread.id, form=form)
    assert third.id != first.id and third.number == 4


async def test_the_same_words_from_someone_else_are_their_own_post(database: None) -> None:
    author = await make_member()
    other = await make_member()
    group = await make_group(facilitator=author)
    await add_member(group, other)
    thread = await make_thread(group, author)
    form = NewPost(body="+1")
    mine = await service.reply(actor=author, thread_id=thread.id, form=form)
    theirs = await service.reply(actor=other, thread_id=thread.id, form=form)
    assert mine.id != theirs.id


async def test_a_thread_sent_twice_is_one_thread(database: None) -> None:
    author = await make_member()
    group = await make_group(facilitator=author)
    form = NewThread(title="Twice?", body="Opening words")
    threads = await asyncio.gather(
        *(service.start_thread(actor=author, slug=group.slug, form=form) for _ in range(2))
    )
    again = await service.start_thread(actor=author, slug=group.slug, form=form)
    assert threads[0].id == threads[1].id == again.id
    assert await Thread.filter(group_id=group.id).count() == 1
    other = await service.start_thread(
        actor=author, slug=group.slug, form=NewThread(title="Twice?", body="Different words")
    )
    assert other.id != again.id


async def test_members_replying_to_each_other_at_once_never_deadlock(database: None) -> None:
    """Each reply guards its author and counts an unread notification on the other thread
    authors: both must not lock member rows in opposite orders (PostgreSQL's deadlock)."""
    members = [await make_member() for _ in range(4)]
    group = await make_group(facilitator=members[0])
    for member in members[1:]:
        await add_member(group, member)
    threads = [await make_thread(group, member) for member in members]
    for round_ in range(5):
        clock.advance(timedelta(minutes=6))  # past the posting rate limit
        await asyncio.gather(
            *(
                service.reply(
                    actor=member,
                    thread_id=thread.id,
                    form=NewPost(body=f"Round {round_}: {member.id} to {thread.id}"),
                )
                for member in members
                for thread in threads
                if thread.author_id != member.id
            )
        )
    assert await Post.filter(thread__group_id=group.id).count() == 4 + 5 * 12
