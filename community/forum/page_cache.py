"""Visitors' copies of thread pages: every signed-out reader sees the same page, so it is
rendered once per (thread, page, thread version) and reused. A change to the thread bumps its
version (forum.versions), so it shows at once; changes the version does not cover (a member's
new name, a renamed group) show within PAGE_CACHE_SECONDS. Each web process has its own.

Only the newest version of a page is kept (an older one can never be asked for again), and
the copies are bounded by their bytes: a busy forum replaces pages, it does not pile them up
(the ten-minute soak found the web process growing by a fifth when it kept old versions).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from community.forum.post_html import Fragment, ThreadRow

V = TypeVar("V")
#: (thread id, page, thread version, post count)
Key = tuple[int, int, int, int]


class VersionedCache(Generic[V]):
    """Values by slot, each valid for one version of what it shows and for `seconds`; only the
    newest version of a slot is kept, and the values are bounded by their size."""

    def __init__(self, *, seconds: int, size: int = 512, max_bytes: int = 8 * 1024**2) -> None:
        self.seconds = seconds
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        #: slot -> (version, stored at, value, its size)
        self._entries: OrderedDict[Hashable, tuple[Hashable, float, V, int]] = OrderedDict()

    def lookup(self, slot: Hashable, version: Hashable) -> V | None:
        entry = self._entries.get(slot)
        if entry is None or entry[0] != version:
            return None
        if time.monotonic() - entry[1] > self.seconds:
            self._drop(slot)
            return None
        self._entries.move_to_end(slot)
        return entry[2]

    def store(self, slot: Hashable, version: Hashable, value: V, size: int) -> None:
        if self.seconds <= 0 or size > self.max_bytes:
            return
        self._drop(slot)
        self._entries[slot] = (version, time.monotonic(), value, size)
        self.bytes += size
        while len(self._entries) > self.size or self.bytes > self.max_bytes:
            self._drop(next(iter(self._entries)))

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, slot: Hashable) -> None:
        entry = self._entries.pop(slot, None)
        if entry is not None:
            self.bytes -= entry[3]


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
