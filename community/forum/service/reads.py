"""The reads behind the forum pages, each a fixed number of queries whatever its size."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q

from community import db
from community.accounts.models import Member
from community.db import Page, decode_cursor, encode_cursor, keyset_page
from community.forum.access import ThreadView, access_forum, access_thread, can_post
from community.forum.models import (
    Post,
    Reaction,
    ReactionKind,
    Thread,
    ThreadRead,
    Watch,
    WatchLevel,
)
from community.forum.service.posting import mark_read
from community.groups.access import Viewer
from community.groups.models import Group, Membership, Role, Visibility

POSTS_PER_PAGE = 50
THREADS_PER_PAGE = 30
LATEST_PER_PAGE = 20


@dataclass(frozen=True)
class ThreadListing:
    viewer: Viewer
    #: pinned threads, on the first page only
    pinned: list[Thread]
    threads: list[Thread]
    next_cursor: str | None
    #: thread id -> posts the viewer has not read (absent: never opened)
    unread: dict[int, int]
    can_post: bool


async def _unread(actor: Member | None, threads: list[Thread]) -> dict[int, int]:
    if actor is None or not threads:
        return {}
    last_read = await read_positions(actor, [t.id for t in threads])
    return {thread.id: unread_posts(thread, last_read.get(thread.id)) for thread in threads}


def unread_posts(thread: Thread, last_read: int | None) -> int:
    """The thread's posts the member has not read (all of them if they never opened it)."""
    return max(thread.post_count - (last_read or 0), 0)


async def read_positions(actor: Member | None, thread_ids: list[int]) -> dict[int, int]:
    """How far the member read each of these threads (absent: never opened): one query, none
    for a visitor or no threads."""
    if actor is None or not thread_ids:
        return {}
    marks = ", ".join(f"${n}" for n in range(2, 2 + len(thread_ids)))
    rows = await db.select(
        "SELECT thread_id, last_read_number "  # noqa: S608
        f"FROM {ThreadRead._meta.db_table} WHERE member_id = $1 AND thread_id IN ({marks})",
        actor.id,
        *thread_ids,
    )
    return {int(row["thread_id"]): int(row["last_read_number"]) for row in rows}


def _visible(viewer: Viewer) -> Q:
    return Q() if viewer.can_facilitate else Q(hidden_at__isnull=True)


async def list_threads(
    *, actor: Member | None, slug: str, cursor: str | None = None, limit: int = THREADS_PER_PAGE
) -> ThreadListing:
    """A group's threads by latest activity, pinned ones first (all of them, on the first page
    only, besides the `limit` others), keyset-paged."""
    viewer = await access_forum(actor, slug)
    pinned, page = await thread_rows(viewer, cursor=cursor, limit=limit)
    unread = await _unread(actor, pinned + page.items)
    return ThreadListing(viewer, pinned, page.items, page.next_cursor, unread, can_post(viewer))


async def thread_rows(
    viewer: Viewer, *, cursor: str | None = None, limit: int = THREADS_PER_PAGE
) -> tuple[list[Thread], Page[Thread]]:
    """A page of the group's threads as the viewer may see them (pinned ones on the first)."""
    base = Thread.filter(_visible(viewer), group_id=viewer.group.id).select_related("author")
    order = ("-last_activity_at", "-id")
    pinned: list[Thread] = []
    if decode_cursor(cursor, datetime, int) is None:  # the first page
        pinned = list(await base.filter(pinned=True).order_by(*order))
    page = await keyset_page(base.filter(pinned=False), order=order, cursor=cursor, limit=limit)
    return pinned, page


async def list_reader_state(
    actor: Member | None, group_id: int, thread_ids: list[int]
) -> tuple[dict[int, int], WatchLevel | None]:
    """How far the member read each of these threads, and their watch level for the group,
    in one round trip (a hand-written UNION, as `reader_state`)."""
    if actor is None:
        return {}, None
    marks = ", ".join(f"${n}" for n in range(4, 4 + len(thread_ids))) or "NULL"
    rows = await db.select(
        "SELECT 'watch' AS what, 0 AS thread_id, 0 AS number, level AS kind "  # noqa: S608
        f"FROM {Watch._meta.db_table} WHERE group_id = $1 AND member_id = $2 "
        "UNION ALL SELECT 'read', thread_id, last_read_number, '' "
        f"FROM {ThreadRead._meta.db_table} WHERE member_id = $3 AND thread_id IN ({marks})",
        group_id,
        actor.id,
        actor.id,
        *thread_ids,
    )
    last_read: dict[int, int] = {}
    level = None
    for row in rows:
        if row["what"] == "watch":
            level = WatchLevel(row["kind"])
        else:
            last_read[int(row["thread_id"])] = int(row["number"])
    return last_read, level


@dataclass(frozen=True)
class LatestThread:
    """A discussion on the Latest page: its group's name and address, and the reader's place."""

    thread: Thread
    group_name: str
    group_slug: str
    #: posts the reader has not read (all of them if never opened); None for a visitor
    unread: int | None
    #: the reader has opened the thread before (False for a visitor)
    opened: bool


async def list_latest(
    *,
    actor: Member | None,
    mine: bool = False,
    cursor: str | None = None,
    limit: int = LATEST_PER_PAGE,
) -> Page[LatestThread]:
    """New and active discussions across every group the actor may read (with `mine`, only
    the groups they belong to: none for a visitor), latest activity first, keyset-paged, with
    how much of each they have not read. Who reads what is decided as for a thread
    (`access_thread`): public groups' threads for everyone, a private group's for its members,
    hidden threads for the group's facilitators; admins read every group, hidden threads
    included. One hand-written query whatever the page's size: the threads with their groups
    and the reader's place in them (see `db.select`)."""
    if mine and actor is None:
        return Page(items=[], next_cursor=None)
    limit = max(int(limit), 1)
    params: list[Any] = []

    def value(item: Any) -> str:
        params.append(item)
        return f"${len(params)}"

    def member_of(member: Member, role: Role | None = None) -> str:
        # correlated, so the unique (group, member) index answers it for each row's group
        # (an IN over the member's memberships read that whole index: 2 ms, not 0.2)
        sql = (
            f"EXISTS (SELECT 1 FROM {Membership._meta.db_table} ms "  # noqa: S608
            f"WHERE ms.group_id = t.group_id AND ms.member_id = {value(member.id)}"
        )
        return sql + (f" AND ms.role = {value(role.value)})" if role is not None else ")")

    def public() -> str:
        return (
            f"EXISTS (SELECT 1 FROM {Group._meta.db_table} pg "  # noqa: S608
            f"WHERE pg.id = t.group_id AND pg.visibility = {value(Visibility.PUBLIC.value)})"
        )

    where: list[str] = []
    if actor is None:
        where += [public(), "t.hidden_at IS NULL"]
    else:
        if mine:
            where.append(member_of(actor))
        elif not actor.is_admin:
            where.append(f"({public()} OR {member_of(actor)})")
        if not actor.is_admin:
            where.append(f"(t.hidden_at IS NULL OR {member_of(actor, Role.FACILITATOR)})")
    position = decode_cursor(cursor, datetime, int)
    if position is not None:
        moment, last = position
        # a row value: both databases walk the (last_activity_at, id) index from here
        where.append(
            f"(t.last_activity_at, t.id) < ({value(moment.astimezone(UTC))}, {value(last)})"
        )
    # the page's threads first, walking the (last_activity_at, id) index, then their groups
    # and the reader's place in them: joining the groups inside made PostgreSQL read every
    # thread of the reader's groups and sort them (1.1 ms for "my groups", now 0.6)
    chosen = (
        f"SELECT * FROM {Thread._meta.db_table} t"  # noqa: S608
        + "".join(f" {'WHERE' if n == 0 else 'AND'} {clause}" for n, clause in enumerate(where))
        + f" ORDER BY t.last_activity_at DESC, t.id DESC LIMIT {limit + 1}"
    )
    place, join = "NULL", ""
    if actor is not None:
        place = "tr.last_read_number"
        join = (
            f" LEFT JOIN {ThreadRead._meta.db_table} tr "
            f"ON tr.thread_id = t.id AND tr.member_id = {value(actor.id)}"
        )
    rows = await db.select(
        f"SELECT {db.columns(Thread, 't')}, g.name AS group_name, g.slug AS group_slug, "  # noqa: S608
        f"{place} AS last_read FROM ({chosen}) t "
        f"JOIN {Group._meta.db_table} g ON g.id = t.group_id{join} "
        "ORDER BY t.last_activity_at DESC, t.id DESC",
        *params,
    )
    threads = [db.loaded(Thread, row) for row in rows[:limit]]
    items = [
        LatestThread(
            thread=thread,
            group_name=str(row["group_name"]),
            group_slug=str(row["group_slug"]),
            unread=None if actor is None else unread_posts(thread, row["last_read"]),
            opened=row["last_read"] is not None,
        )
        for thread, row in zip(threads, rows, strict=False)
    ]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(threads[-1].last_activity_at, threads[-1].id)
    return Page(items=items, next_cursor=next_cursor)


async def recent_threads(*, viewer: Viewer, limit: int = 5) -> list[Thread]:
    """The latest threads for a group's home page (nothing if the viewer may not read them)."""
    if not viewer.can_see_content:
        return []
    hidden = "" if viewer.can_facilitate else "AND t.hidden_at IS NULL "
    rows = await db.select(
        f"SELECT {db.columns(Thread, 't')} FROM {Thread._meta.db_table} t "  # noqa: S608
        f"WHERE t.group_id = $1 {hidden}"
        f"ORDER BY t.pinned DESC, t.last_activity_at DESC, t.id DESC LIMIT {int(limit)}",
        viewer.group.id,
    )
    return [db.loaded(Thread, row) for row in rows]


@dataclass(frozen=True)
class ReactionSummary:
    kind: ReactionKind
    names: list[str] = field(default_factory=list)
    mine: bool = False


@dataclass(frozen=True)
class ThreadPage:
    view: ThreadView
    posts: list[Post]
    page: int
    page_count: int
    #: post id -> its reactions, one entry per kind used
    reactions: dict[int, list[ReactionSummary]]
    #: the first post the viewer had not read before this page (None: all read or visitor)
    first_unread: int | None


def page_of(number: int) -> int:
    return (number - 1) // POSTS_PER_PAGE + 1


async def last_read_number(actor: Member | None, thread: Thread) -> int | None:
    """The member's read position in the thread (None: never opened, or a visitor)."""
    if actor is None:
        return None
    numbers: list[Any] = await ThreadRead.filter(
        thread_id=thread.id, member_id=actor.id
    ).values_list("last_read_number", flat=True)
    return int(numbers[0]) if numbers else None


def unread_from(last_read: int | None, thread: Thread) -> int | None:
    """Where the member should start reading: after their last read post, if any is newer."""
    if last_read is None or last_read >= thread.post_count:
        return None
    return last_read + 1


async def first_unread_number(actor: Member | None, thread: Thread) -> int | None:
    """Where the member should start reading: after their last read post, if any is newer."""
    return unread_from(await last_read_number(actor, thread), thread)


def page_bounds(thread: Thread, page: int) -> tuple[int, int]:
    """The page asked for, within the thread's pages, and how many pages it has."""
    page_count = max(1, math.ceil(thread.post_count / POSTS_PER_PAGE))
    return min(max(page, 1), page_count), page_count


async def page_posts(thread: Thread, page: int) -> list[Post]:
    """One page of posts by number (so page 1,000 costs what page 1 does), with their authors
    and quoted posts."""
    first = (page - 1) * POSTS_PER_PAGE + 1
    posts = list(
        await Post.filter(thread_id=thread.id, number__gte=first, number__lt=first + POSTS_PER_PAGE)
        .select_related("author")
        .order_by("number")
        # the limit keeps PostgreSQL on the (thread, number) index: without it, page 1 of a
        # long thread was estimated as half the table and scanned (measured: 550 ms -> 7 ms)
        .limit(POSTS_PER_PAGE)
    )
    await _attach_quotes(posts)
    return posts


async def read_to(actor: Member | None, thread: Thread, number: int, last_read: int | None) -> None:
    """Mark the member's reading up to `number`, unless they had read that far (no write)."""
    if actor is not None and (last_read is None or last_read < number):
        await mark_read(thread.id, actor.id, number)


@dataclass(frozen=True)
class ReaderState:
    """One member's place in a thread: how far they read, their own watch level, and the
    kinds they reacted with on the page's posts."""

    last_read: int | None = None
    watch_level: WatchLevel | None = None
    mine: dict[int, set[str]] = field(default_factory=dict)


async def reader_state(actor: Member | None, thread: Thread, post_ids: list[int]) -> ReaderState:
    """The reader's state on a thread page, in one round trip (a hand-written UNION: on every
    signed-in thread page, see `db.select`)."""
    if actor is None:
        return ReaderState()
    marks = ", ".join(f"${n}" for n in range(6, 6 + len(post_ids))) or "NULL"
    rows = await db.select(
        "SELECT 'read' AS what, last_read_number AS number, '' AS kind "  # noqa: S608
        f"FROM {ThreadRead._meta.db_table} WHERE thread_id = $1 AND member_id = $2 "
        "UNION ALL SELECT 'watch', 0, level "
        f"FROM {Watch._meta.db_table} WHERE thread_id = $3 AND member_id = $4 "
        "UNION ALL SELECT 'reaction', post_id, kind "
        f"FROM {Reaction._meta.db_table} WHERE member_id = $5 AND post_id IN ({marks})",
        thread.id,
        actor.id,
        thread.id,
        actor.id,
        actor.id,
        *post_ids,
    )
    last_read, level = None, None
    mine: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        if row["what"] == "read":
            last_read = int(row["number"])
        elif row["what"] == "watch":
            level = WatchLevel(row["kind"])
        else:
            mine[int(row["number"])].add(str(row["kind"]))
    return ReaderState(last_read, level, mine)


async def thread_page(*, actor: Member | None, thread_id: int, page: int = 1) -> ThreadPage:
    """One page of 50 posts (by number, so page 1,000 costs what page 1 does); marks them read."""
    view = await access_thread(actor, thread_id)
    thread = view.thread
    page, page_count = page_bounds(thread, page)
    posts = await page_posts(thread, page)
    reactions = await _reactions(actor, posts)
    last_read = await last_read_number(actor, thread)
    if posts:
        await read_to(actor, thread, posts[-1].number, last_read)
    return ThreadPage(view, posts, page, page_count, reactions, unread_from(last_read, thread))


async def _attach_quotes(posts: list[Post]) -> None:
    """Load the few quoted posts (with their authors) in one query, not three joins a row."""
    quote_ids = {post.quote_id for post in posts if post.quote_id is not None}
    quoted = {}
    if quote_ids:
        quoted = {q.id: q for q in await Post.filter(id__in=quote_ids).select_related("author")}
    for post in posts:
        post.quote = quoted.get(post.quote_id) if post.quote_id is not None else None


async def thread_author(thread: Thread) -> Member:
    """The member who started the thread (a deleted member stays as a nameless row)."""
    return await Member.get(id=thread.author_id)


def shows_body(post: Post, *, actor: Member | None, can_moderate: bool) -> bool:
    """Whether this reader sees the post's text, as the thread page shows it: never for a
    deleted post; for a hidden one (or one held for review), only facilitators and its author."""
    if post.is_deleted:
        return False
    return not post.is_hidden or can_moderate or (actor is not None and actor.id == post.author_id)


async def post_reactions(
    *, actor: Member | None, posts: list[Post]
) -> dict[int, list[ReactionSummary]]:
    """The reactions to these posts, one summary per kind used (as on the thread page)."""
    return await _reactions(actor, posts)


async def _reactions(actor: Member | None, posts: list[Post]) -> dict[int, list[ReactionSummary]]:
    if not posts:
        return {}
    rows = (
        await Reaction.filter(post_id__in=[p.id for p in posts])
        .select_related("member")
        .order_by("id")
    )
    grouped: dict[int, dict[ReactionKind, ReactionSummary]] = defaultdict(dict)
    for reaction in rows:
        kind = ReactionKind(reaction.kind)
        summary = grouped[reaction.post_id].setdefault(kind, ReactionSummary(kind=kind))
        summary.names.append(reaction.member.display_name)
        if actor is not None and reaction.member.id == actor.id:
            grouped[reaction.post_id][kind] = ReactionSummary(
                kind=kind, names=summary.names, mine=True
            )
    order = list(ReactionKind)
    return {
        post_id: sorted(kinds.values(), key=lambda s: order.index(s.kind))
        for post_id, kinds in grouped.items()
    }
