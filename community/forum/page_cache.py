"""Visitors' copies of thread pages: every signed-out reader sees the same page, so it is
rendered once per (thread, page, thread version) and reused. A change to the thread bumps its
version (forum.versions), so it shows at once; changes the version does not cover (a member's
new name, a renamed group) show within PAGE_CACHE_SECONDS. Each web process has its own."""

from __future__ import annotations

import time
from collections import OrderedDict

Key = tuple[int, int, int, int]


class PageCache:
    def __init__(self, *, seconds: int, size: int = 512) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: OrderedDict[Key, tuple[float, bytes]] = OrderedDict()

    def get(self, key: Key) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        stored_at, body = entry
        if time.monotonic() - stored_at > self.seconds:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return body

    def put(self, key: Key, body: bytes) -> None:
        if self.seconds <= 0:
            return
        self._entries[key] = (time.monotonic(), body)
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
