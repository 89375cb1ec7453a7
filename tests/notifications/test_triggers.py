"""Who is told about what: every trigger, the visibility rule, never the actor, never twice."""

from __future__ import annotations

import pytest

from community import clock
from community.accounts.models import Member
from community.forum.models import FlagReason, Post, WatchLevel
from community.forum.schemas import NewPost, PostEdit
from community.forum.service import flags, moderation, posting, watching
from community.notifications.delivery import send_pending_emails
from community.notifications.models import Notification
from community.notifications.service import coalesce_window
from tests.factories import (
    add_member,
    make_group,
    make_member,
    make_reply,
    make_thread,
    notified,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def kinds_of(email: str) -> list[str]:
    return [str(n.kind) for n in await notified(email)]


async def circle(private: bool = False) -> tuple[Member, Member, Member, object]:
    """A group with a facilitator, a thread starter and a replier (all members)."""
    facilitator = await make_member(email="fac@example.org", name="Fay Cole")
    group = await make_group(facilitator=facilitator, visibility="private" if private else "public")
    starter = await make_member(email="starter@example.org", name="Sam Tan")
    replier = await make_member(email="replier@example.org", name="Rin Ong")
    for person in (starter, replier):
        await add_member(group, person)
    return facilitator, starter, replier, group


async def test_a_reply_tells_the_thread_starter_but_not_the_replier(database: None) -> None:
    _, starter, replier, group = await circle()
    thread = await make_thread(group, starter, title="Supervision after a hard case")
    post = await make_reply(thread, replier, "I find peer supervision helps.")
    [notice] = await notified("starter@example.org")
    assert notice.kind == "reply" and notice.actor_id == replier.id
    assert notice.title == "Rin Ong replied in “Supervision after a hard case”"
    assert notice.url == f"/posts/{post.id}" and notice.body == "I find peer supervision helps."
    assert await kinds_of("replier@example.org") == []  # never the actor
    await make_reply(thread, starter, "Thanks!")  # the starter's own reply tells no one new
    assert await kinds_of("starter@example.org") == ["reply"]
    assert await kinds_of("replier@example.org") == []  # not watching, not the starter


async def test_watchers_hear_replies_and_muting_silences_them(database: None) -> None:
    facilitator, starter, replier, group = await circle()
    thread = await make_thread(group, starter)
    await watching.watch_thread(actor=facilitator, thread_id=thread.id, level=WatchLevel.WATCHING)
    await watching.watch_thread(actor=starter, thread_id=thread.id, level=WatchLevel.MUTED)
    await make_reply(thread, replier)
    assert await kinds_of("fac@example.org") == ["reply"]
    assert await kinds_of("starter@example.org") == []  # muted their own thread


async def test_a_quote_is_told_once_as_a_quote(database: None) -> None:
    _, starter, replier, group = await circle()
    thread = await make_thread(group, starter)
    first = await Post.get(thread_id=thread.id, number=1)
    handle = starter.handle
    await posting.reply(
        actor=replier,
        thread_id=thread.id,
        form=NewPost(body=f"As @{handle} says, yes.", quote_post_id=first.id),
    )
    # quoted, mentioned and the thread's starter: one notification, the quote
    [notice] = await notified("starter@example.org")
    assert notice.kind == "quote" and notice.title.startswith("Rin Ong quoted you")


async def test_mentions_reach_those_who_can_see_the_group_only(database: None) -> None:
    _, starter, replier, group = await circle(private=True)
    outsider = await make_member(email="out@example.org", name="Otto Lim")
    thread = await make_thread(group, starter)
    await make_reply(thread, replier, f"@{starter.handle} and @{outsider.handle}, thoughts?")
    # the starter is mentioned in a reply to their thread: told once, as a mention
    assert await kinds_of("starter@example.org") == ["mention"]
    assert await kinds_of("out@example.org") == []  # cannot see a private group
    other = await make_thread(group, replier, title="Another", body=f"Hi @{starter.handle}")
    assert await kinds_of("starter@example.org") == ["mention", "mention"]
    mention = (await notified("starter@example.org"))[-1]
    assert mention.title == "Rin Ong mentioned you in “Another”"
    assert other.id != thread.id


async def test_an_edit_that_adds_a_mention_tells_the_new_person(database: None) -> None:
    facilitator, starter, replier, group = await circle()
    thread = await make_thread(group, starter)
    post = await make_reply(thread, replier, "No mention yet.")
    await posting.edit_post(
        actor=replier, post_id=post.id, form=PostEdit(body=f"Now @{facilitator.handle}")
    )
    await posting.edit_post(
        actor=replier, post_id=post.id, form=PostEdit(body=f"Again @{facilitator.handle}!")
    )
    [notice] = await notified("fac@example.org")
    assert notice.kind == "mention" and notice.body == f"Now @{facilitator.handle}"


async def test_new_threads_reach_group_watchers_not_muters(database: None) -> None:
    facilitator, starter, replier, group = await circle()
    await watching.watch_group(actor=facilitator, slug=group.slug, level=WatchLevel.WATCHING)
    await watching.watch_group(actor=replier, slug=group.slug, level=WatchLevel.MUTED)
    thread = await make_thread(group, starter, title="Burnout and boundaries")
    [notice] = await notified("fac@example.org")
    assert notice.kind == "new_thread"
    assert notice.title == f"Sam Tan started “Burnout and boundaries” in {group.name}"
    await make_reply(thread, starter, "Bump")  # a group watcher hears replies too
    assert await kinds_of("fac@example.org") == ["new_thread", "reply"]
    assert await kinds_of("replier@example.org") == []


async def test_a_held_post_tells_no_one_until_approved(database: None) -> None:
    facilitator, starter, _, group = await circle()
    thread = await make_thread(group, facilitator, title="Resources")
    newcomer = await make_member(email="new@example.org", name="Nia Goh")
    await add_member(group, newcomer)
    held = await make_reply(thread, newcomer, "See https://spam.example.com")
    assert held.hidden_at is not None
    assert await kinds_of("fac@example.org") == []
    await moderation.restore_post(actor=facilitator, post_id=held.id)  # approve
    assert await kinds_of("fac@example.org") == ["reply"]
    await moderation.restore_post(actor=facilitator, post_id=held.id)  # a second click
    assert await kinds_of("fac@example.org") == ["reply"]
    assert starter.id != newcomer.id


async def test_a_flag_tells_the_facilitators(database: None) -> None:
    _, starter, replier, group = await circle()
    thread = await make_thread(group, starter)
    post = await make_reply(thread, replier, "Something unkind")
    await flags.flag_post(actor=starter, post_id=post.id, reason=FlagReason.ABUSIVE)
    await flags.flag_post(actor=starter, post_id=post.id, reason=FlagReason.ABUSIVE)  # again
    [notice] = await notified("fac@example.org")
    assert notice.kind == "flag" and notice.url == f"/groups/{group.slug}/flags"
    assert await kinds_of("starter@example.org") == ["reply"]  # the flagger: only the reply


async def test_unread_counter_follows_notifications(database: None) -> None:
    _, starter, replier, group = await circle()
    thread = await make_thread(group, starter)
    for _ in range(3):
        await make_reply(thread, replier)
    member = await Member.get(id=starter.id)
    assert member.unread_notifications == 3
    assert await Notification.filter(member_id=starter.id).count() == 3


async def test_excerpts_are_plain_words_not_markdown(database: None) -> None:
    _, starter, replier, group = await circle()
    thread = await make_thread(group, starter)
    await make_reply(thread, replier, "Read *Being Mortal*\n\n- and **this** <b>too</b>")
    [notice] = await notified("starter@example.org")
    assert notice.body == "Read Being Mortal and this <b>too</b>"


async def test_hiding_or_deleting_takes_notifications_back(database: None) -> None:
    facilitator, starter, replier, group = await circle()
    thread = await make_thread(group, starter)
    hidden = await make_reply(thread, replier, "To be hidden")
    deleted = await make_reply(thread, replier, "To be deleted")
    kept = await make_reply(thread, replier, "To stay")
    assert (await Member.get(id=starter.id)).unread_notifications == 3
    await moderation.hide_post(actor=facilitator, post_id=hidden.id)
    await posting.delete_post(actor=replier, post_id=deleted.id)
    [left] = await notified("starter@example.org")
    assert left.url == f"/posts/{kept.id}"
    assert (await Member.get(id=starter.id)).unread_notifications == 1
    await moderation.hide_thread(actor=facilitator, thread_id=thread.id)
    assert await notified("starter@example.org") == []
    assert (await Member.get(id=starter.id)).unread_notifications == 0
    clock.advance(coalesce_window())
    assert await send_pending_emails() == 0  # nothing about hidden content is emailed
