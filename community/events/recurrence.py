"""Recurrence rules for a series, expanded with dateutil's rrule (as icalendar does) in the
series' own time zone: the rule runs on local wall-clock times, which are then read in the
zone, so a 19:00 session stays at 19:00 across a daylight-saving change.

A local time the clocks skip (02:30 on the night they go forward) is read with the offset
before the change, so it lands an hour later (RFC 5545, 3.3.5); of a time that happens twice,
the first is taken.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil import rrule

from community.events.models import Repeat

#: the most sessions a series may have, and the fewest (one is a plain event)
MAX_SESSIONS = 100
MIN_SESSIONS = 2
#: every at most this many weeks or months
MAX_INTERVAL = 12
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Rule:
    """A series' rule: from the first session's start (an instant), in `zone`."""

    first: datetime
    zone: str
    repeat: Repeat
    interval: int
    #: how many sessions, or (when None) up to and including `until`
    count: int | None = None
    until: date | None = None

    @property
    def local_first(self) -> datetime:
        """The first start as a wall-clock time in the zone (naive)."""
        return self.first.astimezone(ZoneInfo(self.zone)).replace(tzinfo=None)

    @property
    def week_of_month(self) -> int | None:
        """For a monthly rule, the first session's weekday of the month: 1 to 4, or -1 when
        it is the fifth (the last of its kind in that month)."""
        if self.repeat != Repeat.MONTHLY:
            return None
        nth = (self.local_first.day - 1) // 7 + 1
        return -1 if nth == 5 else nth

    def _rrule(self, limit: int | None) -> rrule.rrule:
        local = self.local_first
        until = datetime.combine(self.until, time.max) if self.until and not self.count else None
        if self.repeat == Repeat.WEEKLY:
            return rrule.rrule(
                rrule.WEEKLY, interval=self.interval, dtstart=local, count=limit, until=until
            )
        weekday = rrule.weekday(local.weekday(), self.week_of_month)
        return rrule.rrule(
            rrule.MONTHLY,
            interval=self.interval,
            dtstart=local,
            byweekday=weekday,
            count=limit,
            until=until,
        )

    def starts(self, *, most: int = MAX_SESSIONS + 1) -> list[datetime]:
        """Each session's start (UTC), at most `most` of them."""
        zone = ZoneInfo(self.zone)
        local = itertools.islice(self._rrule(self.count), most)
        return [moment.replace(tzinfo=zone).astimezone(UTC) for moment in local]

    def ical(self, sessions: int) -> dict[str, object]:
        """The RRULE of `sessions` sessions, for icalendar."""
        value: dict[str, object] = {
            "FREQ": "WEEKLY" if self.repeat == Repeat.WEEKLY else "MONTHLY",
            "INTERVAL": self.interval,
            "COUNT": sessions,
        }
        if self.repeat == Repeat.MONTHLY:
            value["BYDAY"] = f"{self.week_of_month}{_RRULE_DAYS[self.local_first.weekday()]}"
        return value

    def describe(self) -> str:
        """In words: "every week on Tuesday", "every 2 months on the first Tuesday"."""
        day = _WEEKDAYS[self.local_first.weekday()]
        unit = "week" if self.repeat == Repeat.WEEKLY else "month"
        every = f"every {unit}" if self.interval == 1 else f"every {self.interval} {unit}s"
        if self.repeat == Repeat.WEEKLY:
            return f"{every} on {day}"
        return f"{every} on the {_ORDINALS[self.week_of_month or 1]} {day}"
