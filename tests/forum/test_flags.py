"""Flags and the facilitators' review queue."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from community.accounts.models import Member
from community.errors import Conflict, PermissionDenied
from community.forum.models import Flag, FlagReason, FlagStatus, HiddenReason, Post
from community.forum.service import flags
from community.groups.models import Group
from tests.conftest import open_browser, text_of
from tests.factories import (
    PASSWORD,
    add_member,
    emails_to,
    make_group,
    make_member,
    make_reply,
    make_thread,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def flagged_setup() -> tuple[Group, Member, Post, list[Member]]:
    facilitator = await make_member(email="ff@example.org")
    group = await make_group(facilitator=facilitator, name="Flag Circle")
    author = await make_member(email="fa@example.org", name="Arlo Author")
    await add_member(group, author)
    readers = []
    for _ in range(3):
        reader = await make_member()
        await add_member(group, reader)
        readers.append(reader)
    thread = await make_thread(group, facilitator)
    post = await make_reply(thread, author, "Client Jane D., 14, of Block 5...")
    return group, facilitator, post, readers


async def test_three_flags_hide_a_post_until_reviewed(database: None) -> None:
    group, facilitator, post, readers = await flagged_setup()
    for reader in readers[:2]:
        await flags.flag_post(actor=reader, post_id=post.id, reason=FlagReason.CONFIDENTIAL)
        await flags.flag_post(actor=reader, post_id=post.id, reason=FlagReason.CONFIDENTIAL)
    assert (await Post.get(id=post.id)).hidden_at is None
    assert await Flag.all().count() == 2
    await flags.flag_post(actor=readers[2], post_id=post.id, reason=FlagReason.SPAM, details="?")
    stored = await Post.get(id=post.id)
    assert stored.is_hidden and stored.hidden_reason == HiddenReason.FLAGS
    _, queue = await flags.list_flag_queue(actor=facilitator, slug=group.slug)
    assert [(item.post.id, len(item.flags)) for item in queue.flagged] == [(post.id, 3)]
    await flags.dismiss_flags(actor=facilitator, post_id=post.id)
    stored = await Post.get(id=post.id)
    assert not stored.is_hidden and stored.hidden_reason is None
    assert set(await Flag.all().values_list("status", flat=True)) == {FlagStatus.DISMISSED}


async def test_own_posts_cannot_be_flagged_and_members_cannot_review(database: None) -> None:
    group, _, post, readers = await flagged_setup()
    author = await Member.get(id=post.author_id)  # type: ignore[attr-defined]
    with pytest.raises(Conflict):
        await flags.flag_post(actor=author, post_id=post.id, reason=FlagReason.SPAM)
    with pytest.raises(PermissionDenied):
        await flags.list_flag_queue(actor=readers[0], slug=group.slug)
    with pytest.raises(PermissionDenied):
        await flags.dismiss_flags(actor=readers[0], post_id=post.id)
    outsider = await make_member()
    with pytest.raises(PermissionDenied):
        await flags.flag_post(actor=outsider, post_id=post.id, reason=FlagReason.SPAM)
    assert await Flag.all().count() == 0


async def test_hide_and_warn_close_the_flags(database: None) -> None:
    _, facilitator, post, readers = await flagged_setup()
    await flags.flag_post(actor=readers[0], post_id=post.id, reason=FlagReason.ABUSIVE)
    await flags.warn_author(actor=facilitator, post_id=post.id, message="Please anonymise.")
    [warning] = [m for m in await emails_to("fa@example.org") if m.template == "forum/warning"]
    assert "Please anonymise." in warning.text_body
    assert (await Post.get(id=post.id)).hidden_at is None
    await flags.flag_post(actor=readers[1], post_id=post.id, reason=FlagReason.ABUSIVE)
    await flags.hide_flagged_post(actor=facilitator, post_id=post.id)
    stored = await Post.get(id=post.id)
    assert stored.is_hidden and stored.hidden_reason == HiddenReason.FACILITATOR
    assert not await Flag.filter(status=FlagStatus.OPEN).exists()


async def test_flag_and_review_through_the_pages(app: Starlette) -> None:
    group, _, post, _ = await flagged_setup()
    reader = await make_member(email="fr@example.org")
    await add_member(group, reader)
    async with open_browser(app) as browser, open_browser(app) as fac:
        await browser.login("fr@example.org", PASSWORD)
        page = await browser.get(f"/threads/{post.thread_id}?page=1")
        assert f'href="/posts/{post.id}/flag"' in page.text
        form = await browser.get(f"/posts/{post.id}/flag")
        assert "Shares identifiable client information" in text_of(form)
        bad = await browser.post(f"/posts/{post.id}/flag", {"reason": "boring"})
        assert bad.status_code == 422
        assert "Choose why this post needs a facilitator's attention." in text_of(bad)
        assert "Flag a post for the facilitators" in text_of(bad)
        done = await browser.post(f"/posts/{post.id}/flag", {"reason": "confidential"})
        assert done.status_code == 303
        assert (await browser.get(f"/groups/{group.slug}/flags")).status_code == 403
        await fac.login("ff@example.org", PASSWORD)
        queue = text_of(await fac.get(f"/groups/{group.slug}/flags"))
        assert "Shares identifiable client information" in queue and "1 flag" in queue
        hidden = await fac.post(f"/posts/{post.id}/flags/hide")
        assert hidden.status_code == 303
        assert "No open flags" in text_of(await fac.get(f"/groups/{group.slug}/flags"))
        member_view = text_of(await browser.get(f"/threads/{post.thread_id}?page=1"))
        assert "This post was hidden by a facilitator." in member_view
        assert "Jane D." not in member_view
