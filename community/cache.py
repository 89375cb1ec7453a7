"""A process's own copies of what it rendered or read, each kept for one version of what it
shows (see forum.page_cache for the pages, groups.routes for the directory's cards and
forum.search for the results)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


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
