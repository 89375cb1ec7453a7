"""New members' first posts with links wait for a facilitator's approval."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from community.accounts.models import Member
from community.errors import NotFound
from community.forum import service
from community.forum.models import Post, Thread
from community.forum.search import search_posts
from community.forum.service import flags
from community.groups.models import Group
from tests.conftest import open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")
SPAMMY = "Great deals at https://spam.example and www.spam.example"


async def test_new_members_link_reply_is_held_until_approved(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    newcomer = await make_member()
    reader = await make_member()
    for person in (newcomer, reader):
        await add_member(group, person)
    thread = await make_thread(group, facilitator, body="Resources? https://ok.example")
    held = await make_reply(thread, newcomer, SPAMMY)
    assert held.is_held and (await Thread.get(id=thread.id)).hidden_at is None
    page = await service.thread_page(actor=reader, thread_id=thread.id)
    assert [p.id for p in page.posts if p.is_held] == [held.id]  # shown as a placeholder
    assert await search_posts(actor=reader, query="deals") == []
    _, queue = await flags.list_flag_queue(actor=facilitator, slug=group.slug)
    assert [p.id for p in queue.held] == [held.id]
    await service.restore_post(actor=facilitator, post_id=held.id)
    assert not (await Post.get(id=held.id)).is_hidden
    assert [r.post_id for r in await search_posts(actor=reader, query="deals")] == [held.id]


async def test_held_opening_post_holds_its_thread(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    newcomer = await make_member()
    reader = await make_member()
    for person in (newcomer, reader):
        await add_member(group, person)
    thread = await make_thread(group, newcomer, title="Deals", body=SPAMMY)
    with pytest.raises(NotFound):
        await service.thread_page(actor=reader, thread_id=thread.id)
    opening = await Post.get(thread_id=thread.id)
    await service.restore_post(actor=facilitator, post_id=opening.id)
    assert (await service.thread_page(actor=reader, thread_id=thread.id)).posts


async def test_links_are_trusted_after_two_visible_posts_and_from_facilitators(
    database: None,
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    regular = await make_member()
    await add_member(group, regular)
    thread = await make_thread(group, regular, body="No links here.")
    await make_reply(thread, regular, "Still no links.")
    assert not (await make_reply(thread, regular, SPAMMY)).is_held
    assert not (await make_reply(thread, facilitator, SPAMMY)).is_held
    assert not (await make_reply(thread, await _newcomer(group), "No link at all")).is_held


async def _newcomer(group: Group) -> Member:
    person = await make_member()
    await add_member(group, person)
    return person


async def test_author_is_told_and_sees_the_waiting_post(app: Starlette) -> None:
    facilitator = await make_member(email="rf@example.org")
    group = await make_group(facilitator=facilitator)
    await make_member(email="rn@example.org")
    thread = await make_thread(group, facilitator)
    async with open_browser(app) as browser:
        await browser.login("rn@example.org", PASSWORD)
        await browser.post(f"/groups/{group.slug}/join")
        response = await browser.post(f"/threads/{thread.id}/posts", {"body": SPAMMY})
        page = text_of(await browser.get(response.headers["location"].split("#")[0]))
        assert "wait for a facilitator's approval" in page
        assert "Waiting for a facilitator's approval" in page and "spam.example" in page
