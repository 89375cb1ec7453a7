"""Watching and muting; moving a thread between groups a facilitator runs."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from community.errors import NotFound, PermissionDenied
from community.forum.models import Thread, Watch, WatchLevel
from community.forum.service import watching
from tests.conftest import open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_watch_mute_and_reset_a_thread_and_a_group(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await make_member()
    await add_member(group, member)
    thread = await make_thread(group, facilitator)
    await watching.watch_thread(actor=member, thread_id=thread.id, level=WatchLevel.WATCHING)
    await watching.watch_thread(actor=member, thread_id=thread.id, level=WatchLevel.MUTED)
    assert await watching.watch_levels(member, thread_id=thread.id) == WatchLevel.MUTED
    assert await Watch.all().count() == 1
    await watching.watch_group(actor=member, slug=group.slug, level=WatchLevel.WATCHING)
    assert await watching.watch_levels(member, group_id=group.id) == WatchLevel.WATCHING
    await watching.watch_thread(actor=member, thread_id=thread.id, level=None)
    assert await watching.watch_levels(member, thread_id=thread.id) is None
    assert await Watch.all().count() == 1


async def test_cannot_watch_what_one_cannot_read(database: None) -> None:
    facilitator = await make_member()
    private = await make_group(facilitator=facilitator, visibility="private")
    thread = await make_thread(private, facilitator)
    outsider = await make_member()
    with pytest.raises(NotFound):
        await watching.watch_thread(actor=outsider, thread_id=thread.id, level=WatchLevel.WATCHING)
    with pytest.raises(PermissionDenied):
        await watching.watch_group(actor=outsider, slug=private.slug, level=WatchLevel.WATCHING)
    assert await Watch.all().count() == 0


async def test_move_needs_facilitating_both_groups(database: None) -> None:
    facilitator = await make_member()
    admin = await make_member(admin=True)
    source = await make_group(admin=admin, facilitator=facilitator, name="Source Circle")
    target = await make_group(admin=admin, facilitator=facilitator, name="Target Circle")
    elsewhere = await make_group(admin=admin, name="Elsewhere Circle")
    thread = await make_thread(source, facilitator)
    assert [
        g.slug for g in await watching.move_targets(actor=facilitator, thread_id=thread.id)
    ] == [target.slug]
    with pytest.raises(PermissionDenied):
        await watching.move_thread(
            actor=facilitator, thread_id=thread.id, target_slug=elsewhere.slug
        )
    moved = await watching.move_thread(
        actor=facilitator, thread_id=thread.id, target_slug=target.slug
    )
    assert moved.group.id == target.id
    member = await make_member()
    await add_member(target, member)
    with pytest.raises(PermissionDenied):
        await watching.move_thread(actor=member, thread_id=thread.id, target_slug=source.slug)
    assert (await Thread.get(id=thread.id)).group_id == target.id  # type: ignore[attr-defined]


async def test_watch_and_move_through_the_pages(app: Starlette) -> None:
    facilitator = await make_member(email="wm@example.org")
    admin = await make_member(admin=True)
    source = await make_group(admin=admin, facilitator=facilitator, name="From Circle")
    target = await make_group(admin=admin, facilitator=facilitator, name="To Circle")
    thread = await make_thread(source, facilitator, title="Moving day")
    async with open_browser(app) as browser:
        await browser.login("wm@example.org", PASSWORD)
        watched = await browser.post(f"/threads/{thread.id}/watch", {"level": "watching"})
        assert watched.status_code == 303
        page = await browser.get(f"/threads/{thread.id}?page=1")
        assert '<option value="watching" selected>' in page.text
        bad = await browser.post(f"/threads/{thread.id}/watch", {"level": "loud"})
        assert bad.status_code == 422
        form = await browser.get(f"/threads/{thread.id}/move")
        assert "To Circle" in text_of(form)
        moved = await browser.post(f"/threads/{thread.id}/move", {"group": target.slug})
        assert moved.status_code == 303
        assert "The discussion is moved to To Circle." in text_of(
            await browser.get(f"/threads/{thread.id}?page=1")
        )
