"""Dates for tests, always built from the clock: from `START` in the frozen-clock suite, from now
where a real clock runs (browser tests, reliability, perf). No test names a calendar date, so
moving `START` (TEST_START) or the system clock (faketime) moves the whole world with it.

    day(8, "19:00")              19:00 local time, eight days after today (Asia/Singapore)
    field(day(8, "19:00"))       "2026-12-01T19:00", as a datetime-local form field holds it
    long_date(moment)            "Tuesday 1 December 2026", as pages and emails write a day
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from community import clock

SITE_ZONE = "Asia/Singapore"


def zone_of(name: str | ZoneInfo) -> ZoneInfo:
    return name if isinstance(name, ZoneInfo) else ZoneInfo(name)


def today(zone: str | ZoneInfo = SITE_ZONE) -> date:
    """Today's date in `zone`, by the clock."""
    return clock.now().astimezone(zone_of(zone)).date()


def day(days: int, at: str = "19:00", zone: str | ZoneInfo = SITE_ZONE) -> datetime:
    """The local time `at` ("HH:MM") on the day `days` after today in `zone`, as an aware
    datetime in that zone (so `.astimezone(UTC)` gives what the database stores)."""
    hour, minute = (int(part) for part in at.split(":"))
    return datetime.combine(
        today(zone) + timedelta(days=days), time(hour, minute), tzinfo=zone_of(zone)
    )


def field(moment: datetime) -> str:
    """A moment as a datetime-local form field holds it, in the moment's own zone."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def iso(moment: datetime) -> str:
    """A moment as the API writes it: ISO 8601 in UTC with its offset."""
    return moment.astimezone(UTC).isoformat()


def long_date(moment: datetime | date) -> str:
    """ "Tuesday 1 December 2026": a day as pages and emails write it."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def month(moment: datetime | date) -> str:
    """ "2026-12": a month as the calendar's ?month= takes it."""
    return f"{moment:%Y-%m}"


def next_month(moment: datetime | date) -> str:
    """The ?month= value of the month after the moment's."""
    first = date(moment.year, moment.month, 1) + timedelta(days=32)
    return f"{first:%Y-%m}"


def next_shift(zone: str | ZoneInfo, *, forward: bool) -> datetime:
    """The next moment after today at which `zone`'s clocks go forward (`forward=True`, a gap
    in local time) or back (a fold), as an aware UTC datetime. Found by stepping through the
    next two years hour by hour, so no rule of any zone is written here."""
    info = zone_of(zone)
    moment = datetime.combine(today(info) + timedelta(days=1), time(0), tzinfo=UTC)
    before = moment.astimezone(info).utcoffset()
    for _ in range(2 * 366 * 24):
        moment += timedelta(hours=1)
        after = moment.astimezone(info).utcoffset()
        assert before is not None and after is not None
        if after != before and (after > before) == forward:
            # the shift happened within the last hour: find its exact minute
            step = moment - timedelta(hours=1)
            while step.astimezone(info).utcoffset() == before:
                step += timedelta(minutes=1)
            return step
        before = after
    raise AssertionError(f"{info.key} does not change its clocks")
