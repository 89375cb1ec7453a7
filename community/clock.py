"""The only clock: every "now" in the application comes from here.

Tests freeze and move it; nothing else may call `datetime.now()`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_frozen: datetime | None = None


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


def unfreeze() -> None:
    """Let the clock run again."""
    global _frozen
    _frozen = None
