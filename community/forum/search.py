"""Full-text search over the posts a viewer may see: ranked, with highlighted snippets.

PostgreSQL: tsvector columns with GIN indexes (migration 0005), websearch_to_tsquery,
ts_rank and ts_headline. SQLite: an FTS5 table kept by triggers, bm25 and snippet().
Private groups' posts are filtered in the query itself, so they never reach a result or a
snippet for someone who may not read them.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any

from markupsafe import Markup
from tortoise import connections

from community import db
from community.accounts.models import Member
from community.cache import VersionedCache
from community.db import fits
from community.groups.models import Group, Membership, Visibility

RESULTS_LIMIT = 30
#: the newest posts a phrase is looked for in first, then more (then all of them)
RECENT_WINDOWS = (20_000, 200_000)
QUERY_MAX = 200
#: snippet markers that cannot occur in text; replaced by <mark> after escaping
_START, _STOP = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchResult:
    post_id: int
    post_number: int
    thread_id: int
    thread_title: str
    group_name: str
    group_slug: str
    author_name: str
    created_at: datetime
    #: escaped text with the matches in <mark>
    snippet: Markup


def highlight(raw: str) -> Markup:
    """Escape a snippet and turn the markers around matches into <mark> elements."""
    text = escape(raw.replace("\n", " "))
    return Markup(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S704


class ResultCache(VersionedCache[list[SearchResult]]):
    """The results of a search, by (words, the groups the reader may read, filters) and the
    sum of those groups' forum versions: any new, edited, hidden or moved post in one of them
    moves the sum (forum.versions), so it shows at once; what the versions do not cover (a
    member's new name) shows within PAGE_CACHE_SECONDS, as on the thread pages. Readers who
    may read the same groups share the results: a common phrase is ranked once, not per
    request (measured: 40 ms of the database's time each)."""


async def _readable_groups(actor: Member | None) -> tuple[str | None, int]:
    """The groups whose posts the actor may read, as their ids joined by commas in order (None:
    every group, for admins), and the sum of their forum versions: one query and one row."""
    table = Group._meta.db_table
    if actor is not None and actor.is_admin:
        rows = await db.select(
            f"SELECT COUNT(*) AS n, COALESCE(SUM(forum_version), 0) AS v FROM {table}"  # noqa: S608
        )
        return None, int(rows[0]["n"]) * 1_000_003 + int(rows[0]["v"])
    readable = (
        f"FROM {table} g WHERE g.visibility = $1 OR g.id IN "  # noqa: S608
        f"(SELECT group_id FROM {Membership._meta.db_table} WHERE member_id = $2)"
    )
    if connections.get("default").capabilities.dialect == "postgres":
        sql = (
            "SELECT string_agg(g.id::text, ',' ORDER BY g.id) AS ids, "
            f"SUM(g.forum_version) AS v {readable}"
        )
    else:  # SQLite's group_concat keeps the order of its (ordered) subquery
        sql = (
            "SELECT group_concat(id, ',') AS ids, SUM(forum_version) AS v "  # noqa: S608
            f"FROM (SELECT g.id, g.forum_version {readable} ORDER BY g.id)"
        )
    [row] = await db.select(sql, Visibility.PUBLIC.value, actor.id if actor is not None else 0)
    return row["ids"] or "", int(row["v"] or 0)


async def search_posts(
    *,
    actor: Member | None,
    query: str,
    group_slug: str = "",
    author_handle: str = "",
    limit: int = RESULTS_LIMIT,
    cache: ResultCache | None = None,
) -> list[SearchResult]:
    """The best matches (at most `limit`) among the posts the actor may read (visible, not
    deleted), optionally only in one group (by slug) or by one author (by @handle); from the
    `cache` while none of those groups' discussions has changed."""
    words = _WORD.findall(query[:QUERY_MAX])
    if not words:
        return []
    group_id = author_id = None
    if group_slug:
        group = None
        if fits(Group, "slug", group_slug):
            group = await Group.filter(slug=group_slug).only("id").first()
        if group is None:
            return []
        group_id = group.id
    if author_handle:
        handle = author_handle.lstrip("@").lower()
        author = None
        if fits(Member, "handle", handle):
            author = await Member.filter(handle=handle).only("id").first()
        if author is None:
            return []
        author_id = author.id
    readable, version = await _readable_groups(actor)
    if readable == "":
        return []
    slot = (tuple(word.lower() for word in words), readable, group_id, author_id, limit)
    if cache is not None and (cached := cache.lookup(slot, version)) is not None:
        return cached
    listed = None if readable is None else [int(part) for part in readable.split(",")]
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        sql, values = _sqlite_sql(words, listed, group_id, author_id, limit)
        results = [_result(row) for row in await client.execute_query_dict(sql, values)]
    else:
        results = await _postgres_search(" ".join(words), listed, group_id, author_id, limit)
    if cache is not None:
        size = sum(200 + len(r.snippet) + len(r.thread_title) for r in results)
        cache.store(slot, version, results, size)
    return results


async def _postgres_search(
    text: str, readable: list[int] | None, group_id: int | None, author_id: int | None, limit: int
) -> list[SearchResult]:
    """Rank the matches among the newest posts first: a common phrase has enough matches in
    the latest RECENT_WINDOWS[0] posts (so its work is bounded), a rarer one is looked for in
    more and then all posts, where its short index entry makes that cheap.

    The matching and ranking is the database function community_search (migration 0014),
    whose own planner settings keep the matches on the GIN indexes: PostgreSQL
    underestimates how many posts a phrase matches and would otherwise sometimes walk the
    primary key or the threads table, evaluating every row (150-460 ms instead of 5-20).
    """
    top = await _newest_post_id()
    windows = [top - size for size in RECENT_WINDOWS if top > size] + [0]
    client = connections.get("default")
    rows: list[dict[str, Any]] = []
    for since in windows:
        rows = await client.execute_query_dict(
            _POSTGRES_RESULTS, [text, since, readable, group_id, author_id, limit]
        )
        if len(rows) >= limit:
            break
    return [_result(row) for row in rows]


#: (when it was read, the newest post id): the windows' edge needs no more precision than
#: this, as posts newer than it are always included
_newest: tuple[float, int] = (-1e9, 0)
NEWEST_SECONDS = 30.0


async def _newest_post_id() -> int:
    global _newest
    read_at, newest = _newest
    if time.monotonic() - read_at < NEWEST_SECONDS:
        return newest
    client = connections.get("default")
    rows = await client.execute_query_dict('SELECT MAX(id) AS id FROM "forum_post"')
    _newest = (time.monotonic(), rows[0]["id"] or 0)
    return _newest[1]


def forget_newest() -> None:
    """Read the newest post id afresh next time (tests that change the posts a lot)."""
    global _newest
    _newest = (-1e9, 0)


def _result(row: dict[str, Any]) -> SearchResult:
    created_at = row["created_at"]
    if isinstance(created_at, str):
        created_at = datetime.fromisoformat(created_at)
    return SearchResult(
        post_id=row["post_id"],
        post_number=row["number"],
        thread_id=row["thread_id"],
        thread_title=row["title"],
        group_name=row["group_name"],
        group_slug=row["slug"],
        author_name=row["display_name"],
        created_at=created_at,
        snippet=highlight(row["snippet"] or ""),
    )


_SELECT = """
    p.id AS post_id, p.number, p.thread_id, p.created_at, t.title,
    g.name AS group_name, g.slug, m.display_name
"""
_JOINS = """
    JOIN "forum_thread" t ON t.id = p.thread_id
    JOIN "groups_group" g ON g.id = t.group_id
    JOIN "accounts_member" m ON m.id = p.author_id
"""
_VISIBLE = """
    p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.hidden_at IS NULL
"""


def _filters(
    placeholder: Any,
    readable: list[int] | None,
    group_id: int | None,
    author_id: int | None,
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    values: list[Any] = []
    if readable is not None:
        marks = ", ".join(placeholder(len(values) + index) for index in range(len(readable)))
        clauses.append(f"t.group_id IN ({marks})")
        values.extend(readable)
    if group_id is not None:
        clauses.append(f"t.group_id = {placeholder(len(values))}")
        values.append(group_id)
    if author_id is not None:
        clauses.append(f"p.author_id = {placeholder(len(values))}")
        values.append(author_id)
    return "".join(f" AND {clause}" for clause in clauses), values


#: the best posts after id $2 (community_search picks and ranks them), with what a result
#: shows and a highlighted snippet, in one round trip
_POSTGRES_RESULTS = f"""
    SELECT {_SELECT},
        ts_headline('english', p.body, websearch_to_tsquery('english', $1),
            'StartSel=' || chr(2) || ', StopSel=' || chr(3) ||
            ', MaxWords=30, MinWords=10, MaxFragments=2') AS snippet
    FROM community_search($1, $2, $3, $4, $5, $6) s
    JOIN "forum_post" p ON p.id = s.post_id {_JOINS}
    ORDER BY s.rank DESC, p.id DESC
"""  # noqa: S608  # constant SQL


def _sqlite_sql(
    words: list[str],
    readable: list[int] | None,
    group_id: int | None,
    author_id: int | None,
    limit: int,
) -> tuple[str, list[Any]]:
    def placeholder(index: int) -> str:
        return "?"

    filters, values = _filters(placeholder, readable, group_id, author_id)
    # each word a quoted FTS5 string: no operator or column syntax reaches MATCH
    match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    sql = f"""
        SELECT {_SELECT},
            snippet("forum_post_fts", 1, char(2), char(3), '…', 24) AS snippet
        FROM "forum_post_fts" f
        JOIN "forum_post" p ON p.id = f.rowid {_JOINS}
        WHERE "forum_post_fts" MATCH ? AND {_VISIBLE} {filters}
        ORDER BY bm25("forum_post_fts", 4.0, 1.0), p.id DESC
        LIMIT {int(limit)}
    """  # noqa: S608  # values are bound; only placeholders and the int limit are formatted
    return sql, [match, *values]
