"""Visitors' cached thread pages: reused while the thread is unchanged, never stale after a
change to it, never for members."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette

from community.forum.models import FlagReason, ReactionKind
from community.forum.page_cache import PageCache
from community.forum.schemas import PostEdit
from community.forum.service import flags, moderation, posting
from community.web.csrf import unmask
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_visitors_get_a_cached_page_that_follows_every_change(
    app: Starlette, count_queries: QueryCounter
) -> None:
    facilitator = await make_member(email="pc@example.org", name="Pat Cole")
    group = await make_group(facilitator=facilitator)
    member = await make_member(name="Mo Lee")
    await add_member(group, member)
    thread = await make_thread(group, facilitator, title="Cached or not")
    reply = await make_reply(thread, member, "First words")
    path = f"/threads/{thread.id}"
    async with open_browser(app) as visitor:
        assert "First words" in text_of(await visitor.get(path))
        count_queries.queries.clear()
        again = await visitor.get(path)
        assert "First words" in text_of(again)
        assert len(count_queries.queries) == 1, count_queries.queries  # the thread's version
        await make_reply(thread, facilitator, "A new reply")
        assert "A new reply" in text_of(await visitor.get(path))
        await posting.edit_post(actor=member, post_id=reply.id, form=PostEdit(body="Edited words"))
        assert "Edited words" in text_of(await visitor.get(path))
        await posting.react(actor=facilitator, post_id=reply.id, kind=ReactionKind.LIKE)
        assert "Like 1" in text_of(await visitor.get(path))
        await posting.unreact(actor=facilitator, post_id=reply.id, kind=ReactionKind.LIKE)
        assert "Like 1" not in text_of(await visitor.get(path))
        await moderation.hide_post(actor=facilitator, post_id=reply.id)
        assert "Edited words" not in text_of(await visitor.get(path))
        await moderation.restore_post(actor=facilitator, post_id=reply.id)
        assert "Edited words" in text_of(await visitor.get(path))
        await moderation.set_pinned(actor=facilitator, thread_id=thread.id, pinned=True)
        assert "Pinned" in text_of(await visitor.get(path))
        await moderation.set_locked(actor=facilitator, thread_id=thread.id, locked=True)
        assert "locked" in text_of(await visitor.get(path)).lower()
        third = await make_member()
        await add_member(group, third)
        for person in (facilitator, third):
            await flags.flag_post(actor=person, post_id=reply.id, reason=FlagReason.SPAM)
        fourth = await make_member()
        await add_member(group, fourth)
        await flags.flag_post(actor=fourth, post_id=reply.id, reason=FlagReason.SPAM)
        assert "Edited words" not in text_of(await visitor.get(path))  # hidden by flags
        gone = await make_reply(thread, facilitator, "Soon gone")
        assert "Soon gone" in text_of(await visitor.get(path))
        await posting.delete_post(actor=facilitator, post_id=gone.id)
        assert "Soon gone" not in text_of(await visitor.get(path))
        await moderation.hide_thread(actor=facilitator, thread_id=thread.id)
        assert (await visitor.get(path)).status_code == 404


async def test_members_never_get_the_visitors_copy(app: Starlette) -> None:
    facilitator = await make_member(email="mc@example.org")
    group = await make_group(facilitator=facilitator)
    thread = await make_thread(group, facilitator)
    async with open_browser(app) as visitor, open_browser(app) as signed_in:
        assert "Post reply" not in text_of(await visitor.get(f"/threads/{thread.id}"))
        await signed_in.login("mc@example.org", PASSWORD)
        page = await signed_in.get(f"/threads/{thread.id}?page=1")
        assert "Post reply" in text_of(page)
        # the member's own CSRF token, masked for this response
        shown = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)
        assert shown and {unmask(token) for token in shown} == {
            signed_in.client.cookies.get("community_csrf", "")
        }


async def test_cached_pages_expire_and_the_cache_is_bounded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [1000.0]
    monkeypatch.setattr("community.cache.time.monotonic", lambda: now[0])
    cache = PageCache(seconds=60, size=2)
    cache.put((1, 1, 0, 1), b"one")
    assert cache.get((1, 1, 0, 1)) == b"one"
    now[0] += 61
    assert cache.get((1, 1, 0, 1)) is None
    for number in range(3):
        cache.put((number, 1, 0, 1), b"x")
    assert cache.get((0, 1, 0, 1)) is None and cache.get((2, 1, 0, 1)) == b"x"
    off = PageCache(seconds=0)
    off.put((1, 1, 0, 1), b"one")
    assert off.get((1, 1, 0, 1)) is None


async def test_a_new_version_replaces_the_old_and_bytes_are_bounded() -> None:
    cache = PageCache(seconds=60, max_bytes=1000)
    for version in range(50):  # a busy thread: each reply makes a new version of page 1
        cache.put((7, 1, version, version + 1), b"p" * 100)
    assert len(cache) == 1 and cache.bytes == 100
    assert cache.get((7, 1, 48, 49)) is None
    assert cache.get((7, 1, 49, 50)) == b"p" * 100
    for thread in range(20):
        cache.put((thread, 1, 0, 1), b"q" * 300)
    assert cache.bytes <= 1000 and len(cache) == 3
    assert cache.get((19, 1, 0, 1)) == b"q" * 300 and cache.get((0, 1, 0, 1)) is None
    cache.put((99, 1, 0, 1), b"r" * 2000)  # larger than the whole cache: not kept
    assert cache.get((99, 1, 0, 1)) is None and cache.bytes <= 1000
