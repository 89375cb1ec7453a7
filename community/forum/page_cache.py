"""Visitors' copies of thread pages: every signed-out reader sees the same page, so it is
rendered once per (thread, page, thread version) and reused. A change to the thread bumps its
version (forum.versions), so it shows at once; changes the version does not cover (a member's
new name, a renamed group) show within PAGE_CACHE_SECONDS. Each web process has its own.

Only the newest version of a page is kept (an older one can never be asked for again), and
the copies are bounded by their bytes: a busy forum replaces pages, it does not pile them up
(the ten-minute soak found the web process growing by a fifth when it kept old versions).
"""

from __future__ import annotations

from community.cache import VersionedCache
from community.forum.post_html import Fragment, ThreadRow

#: (thread id, page, thread version, post count)
Key = tuple[int, int, int, int]


class PageCache(VersionedCache[bytes]):
    """Visitors' whole pages, by (thread, page) and (version, post count)."""

    def get(self, key: Key) -> bytes | None:
        return self.lookup(key[:2], key[2:])

    def put(self, key: Key, body: bytes) -> None:
        self.store(key[:2], key[2:], body, len(body))


class FragmentCache(VersionedCache[list[Fragment]]):
    """Members' shared post fragments, by (thread, page, variant) and (version, post count):
    a variant is what changes a post's shared part (facilitator or not, may reply or not,
    the reader's time zone)."""


class RowCache(VersionedCache[tuple[list[ThreadRow], str | None]]):
    """Groups' lists of discussions (the rows and the next page's cursor), by (group, cursor,
    variant) and the group's forum version."""
