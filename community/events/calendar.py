"""The month calendar: which events fall on which day, in the reader's time zone."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from community.errors import Invalid
from community.events.models import Event
from community.text import whole_number


@dataclass
class Day:
    date: date
    in_month: bool
    #: (local start, event): an event that spans several days is on each of them
    events: list[tuple[datetime, Event]] = field(default_factory=list)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, value: str, *, today: date) -> Month:
        """`YYYY-MM`, or this month when empty."""
        if not value:
            return cls(today.year, today.month)
        year, _, month = value.partition("-")
        if whole_number(year) is None or len(year) != 4 or not whole_number(month, low=1, high=12):
            message = "Choose a month as year and month, like 2026-12."
            raise Invalid(message, month=message)
        if whole_number(year, low=2000, high=2100) is None:
            message = "Choose a month between the years 2000 and 2100."
            raise Invalid(message, month=message)
        return cls(int(year), int(month))

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def title(self) -> str:
        return date(self.year, self.month, 1).strftime("%B %Y")

    @property
    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    @property
    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def weeks(self) -> list[list[date]]:
        """The weeks (Monday first) that show this month, with the days around it."""
        return calendar.Calendar(firstweekday=0).monthdatescalendar(self.year, self.month)

    def bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The UTC moments at which the shown weeks begin and end, in `zone`."""
        weeks = self.weeks()
        first, last = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
        start = datetime.combine(first, time(), tzinfo=zone).astimezone(UTC)
        return start, datetime.combine(last, time(), tzinfo=zone).astimezone(UTC)


def month_grid(month: Month, events: list[Event], zone: ZoneInfo) -> list[list[Day]]:
    """The month's weeks of days, each with the events on it in the reader's zone."""
    days = {day: Day(day, day.month == month.month) for week in month.weeks() for day in week}
    for event in events:
        local_start = event.starts_at.astimezone(zone)
        # an event ending at midnight does not take up the next day
        last = (event.ends_at.astimezone(zone) - timedelta(microseconds=1)).date()
        day = local_start.date()
        while day <= last:
            if day in days:
                days[day].events.append((local_start, event))
            day += timedelta(days=1)
    return [[days[day] for day in week] for week in month.weeks()]
