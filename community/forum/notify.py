"""Who hears about forum activity: quotes, @mentions, replies, new threads, flags.

Called inside the transaction that makes the post visible (posting, or a facilitator's
approval of a held post). Only members who can see the group's content are told; muting a
thread or group silences its replies and new threads (a quote or mention still arrives); a
member hears about one post once, as a quote before a mention before a reply.

In a case-discussion group no notification carries the post's text (no excerpt in the inbox
or in emails, #20): only who, where and a link; the reader opens the site to read it.
"""

from __future__ import annotations

from collections.abc import Iterable

from community.accounts.models import Member
from community.forum import kinds
from community.forum.models import Post, Thread, Watch, WatchLevel
from community.groups.models import Group, Membership, Role
from community.notifications.kinds import Kind
from community.notifications.service import Notice, notify, withdraw
from community.text import plain_text
from community.urls import path as url_path


def _excerpt(post: Post, group: Group) -> str:
    return "" if group.case_discussion else plain_text(post.body_html)


def _where(thread: Thread, group: Group) -> str:
    """Where a post is: its thread, and in a case-discussion group the group too (the
    title then says all there is to say)."""
    return f"“{thread.title}” in {group.name}" if group.case_discussion else f"“{thread.title}”"


async def _who_can_see(group: Group, member_ids: Iterable[int]) -> list[Member]:
    ids = set(member_ids)
    if not ids:
        return []
    members = Member.filter(id__in=ids, deleted_at__isnull=True, suspended_at__isnull=True)
    if group.is_private:
        inside = set(
            await Membership.filter(group_id=group.id, member_id__in=ids).values_list(
                "member_id", flat=True
            )
        )
        admins = set(await Member.filter(id__in=ids, is_admin=True).values_list("id", flat=True))
        members = members.filter(id__in=inside | admins)
    return list(await members)


async def _watchers(thread: Thread, group: Group) -> tuple[set[int], set[int]]:
    """(watching, muted) member ids for this thread, a thread's own setting winning."""
    watches = await Watch.filter(thread_id=thread.id).only("id", "member_id", "level")
    group_watches = await Watch.filter(group_id=group.id).only("id", "member_id", "level")
    level: dict[int, str] = {w.member_id: w.level for w in group_watches}
    level.update({w.member_id: w.level for w in watches})
    watching = {m for m, lvl in level.items() if lvl == WatchLevel.WATCHING}
    muted = {m for m, lvl in level.items() if lvl == WatchLevel.MUTED}
    return watching, muted


async def post_published(
    post: Post, thread: Thread, group: Group, author: Member, mentioned: Iterable[Member]
) -> None:
    """Tell those who should hear about a newly visible post."""

    def notice(kind: Kind, title: str) -> Notice:
        return Notice(
            kind,
            title,
            url=url_path("forum:post", post_id=post.id),
            dedupe_key=f"post:{post.id}",
            body=_excerpt(post, group),
            topic=f"thread:{thread.id}",
            actor_id=author.id,
        )

    name = author.display_name
    watching, muted = await _watchers(thread, group)
    if post.quote_id is not None:
        quoted = await Post.filter(id=post.quote_id).only("id", "author_id").first()
        if quoted is not None:
            await notify(
                await _who_can_see(group, [quoted.author_id]),
                notice(kinds.QUOTE, f"{name} quoted you in {_where(thread, group)}"),
            )
    await notify(
        await _who_can_see(group, [m.id for m in mentioned]),
        notice(kinds.MENTION, f"{name} mentioned you in {_where(thread, group)}"),
    )
    if post.number == 1:
        await notify(
            await _who_can_see(group, watching - muted),
            notice(kinds.NEW_THREAD, f"{name} started “{thread.title}” in {group.name}"),
        )
        return
    await notify(
        await _who_can_see(group, (watching | {thread.author_id}) - muted),
        notice(kinds.REPLY, f"{name} replied in {_where(thread, group)}"),
    )


async def post_flagged(post: Post, thread: Thread, group: Group, flag_id: int) -> None:
    """Tell the group's facilitators that a post needs their attention."""
    facilitators = await Member.filter(
        memberships__group_id=group.id,
        memberships__role=Role.FACILITATOR,
        deleted_at__isnull=True,
    )
    await notify(
        facilitators,
        Notice(
            kinds.FLAG,
            f"A post in {_where(thread, group)} was flagged for review",
            url=url_path("forum:flags", slug=group.slug),
            dedupe_key=f"flag:{flag_id}",
            body=_excerpt(post, group),
            topic=f"flags:{group.id}",
        ),
    )


async def mentions_added(
    post: Post, thread: Thread, group: Group, author: Member, mentioned: Iterable[Member]
) -> None:
    """An edit mentioned new people: tell them (unless this post reached them already)."""
    await notify(
        await _who_can_see(group, [m.id for m in mentioned]),
        Notice(
            kinds.MENTION,
            f"{author.display_name} mentioned you in {_where(thread, group)}",
            url=url_path("forum:post", post_id=post.id),
            dedupe_key=f"post:{post.id}",
            body=_excerpt(post, group),
            topic=f"thread:{thread.id}",
            actor_id=author.id,
        ),
    )


async def held_post_approved(post: Post) -> None:
    """A facilitator approved a new member's held post: tell people now, as if just posted."""
    thread = await Thread.get(id=post.thread_id).select_related("group")
    author = await Member.get(id=post.author_id)
    mentioned = await Member.filter(mentions__post_id=post.id)
    await post_published(post, thread, thread.group, author, mentioned)


async def post_withdrawn(post_id: int) -> None:
    """A post was hidden or deleted: what it notified is taken back (flags stay, for the
    facilitators who can still see it)."""
    await withdraw(dedupe_key=f"post:{post_id}")


async def thread_withdrawn(thread_id: int) -> None:
    """A thread was hidden: every notification about it is taken back."""
    await withdraw(topic=f"thread:{thread_id}")
