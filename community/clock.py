"""The only clock: every "now" in the application comes from here.

Tests freeze and move it; nothing else may call `datetime.now()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_frozen: datetime | None = None

#: the zones offered first in time-zone pickers
COMMON_ZONES = (
    "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Jakarta", "Asia/Manila", "Asia/Hong_Kong",
    "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Europe/London", "America/New_York", "UTC",
)  # fmt: skip


@cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted."""
    return tuple(sorted(available_timezones()))


def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone called `name`, or None for anything else (no file paths, no typos)."""
    if name not in all_zones():
        return None
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return None


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return _frozen if _frozen is not None else datetime.now(UTC)


def freeze(moment: datetime) -> None:
    """Stop the clock at `moment` (aware) until `unfreeze()`; for tests and the seed."""
    if moment.tzinfo is None:
        raise ValueError("freeze() needs an aware datetime")
    global _frozen
    _frozen = moment.astimezone(UTC)


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock")
    _frozen += delta


@contextmanager
def back_at(moment: datetime) -> Iterator[None]:
    """Run as if it were `moment`, then go back to the clock as it was (the demo seed writes
    a past through the real actions with it)."""
    global _frozen
    before = _frozen
    _frozen = moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = before


def unfreeze() -> None:
    """Let the clock run again."""
    global _frozen
    _frozen = None


def reader_zone(chosen: str, site_zone: str) -> ZoneInfo:
    """The zone a person reads times in: their chosen one if it is valid, else the site's."""
    return (zone_named(chosen) if chosen else None) or ZoneInfo(site_zone)
