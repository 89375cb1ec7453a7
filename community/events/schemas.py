"""Parsing event forms into frozen commands; local times are read in the event's zone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from community.clock import zone_named
from community.errors import Invalid
from community.events.models import EventKind
from community.text import whole_number

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
CAPACITY_MAX = 100_000


def _local(
    value: str, zone: ZoneInfo | None, errors: dict[str, str], field: str, message: str
) -> datetime | None:
    """A `YYYY-MM-DDTHH:MM` (datetime-local) value in `zone`, as aware UTC.

    Records `message` under `field` when it is not a date and time, and says so when the
    time does not exist there (the hour skipped when daylight saving starts). A time that
    happens twice (when it ends) is read as the first of the two.
    """
    moment = _parse_local(value, zone)
    if moment is None:
        if zone is not None:
            errors[field] = message
        return None
    assert zone is not None  # noqa: S101  # a moment needs a zone
    if moment.astimezone(zone).replace(tzinfo=None) != datetime.fromisoformat(value.strip()):
        errors[field] = (
            f"That time does not exist in {zone.key}: the clocks go forward then. "
            "Choose a time an hour later."
        )
        return None
    return moment


def _parse_local(value: str, zone: ZoneInfo | None) -> datetime | None:
    try:
        naive = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if naive.tzinfo is not None or zone is None or not 2000 <= naive.year <= 2100:
        return None
    return naive.replace(tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class EventForm:
    title: str
    description: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue: str
    online_url: str
    capacity: int | None
    rsvp_deadline: datetime | None
    cpd_hours: Decimal

    @classmethod
    def parse(cls, raw: Mapping[str, str], *, default_zone: str = "Asia/Singapore") -> EventForm:
        errors: dict[str, str] = {}
        title = " ".join(str(raw.get("title", "")).split())
        if not title:
            errors["title"] = "Give the event a title."
        elif len(title) > TITLE_MAX:
            errors["title"] = f"Keep the title to {TITLE_MAX} characters."
        description = str(raw.get("description", "")).strip()
        if len(description) > DESCRIPTION_MAX:
            errors["description"] = f"Keep the description to {DESCRIPTION_MAX:,} characters."
        try:
            kind = EventKind(str(raw.get("kind", "talk")))
        except ValueError:
            errors["kind"] = "Choose the kind of event from the list."
            kind = EventKind.OTHER
        zone_name = str(raw.get("time_zone", "")).strip() or default_zone
        zone = zone_named(zone_name)
        if zone is None:
            errors["time_zone"] = "Choose a time zone such as Asia/Singapore."
        starts_at = _local(
            str(raw.get("starts_at", "")),
            zone,
            errors,
            "starts_at",
            "Enter when the event starts, as a date and time.",
        )
        ends_at = _local(
            str(raw.get("ends_at", "")),
            zone,
            errors,
            "ends_at",
            "Enter when the event ends, as a date and time.",
        )
        if starts_at and ends_at and ends_at <= starts_at:
            errors["ends_at"] = "Choose an end time after the start."
        venue = str(raw.get("venue", "")).strip()[:1000]
        online_url = str(raw.get("online_url", "")).strip()
        if online_url:
            parts = urlsplit(online_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(online_url) > 500:
                errors["online_url"] = "Enter the full online link, starting with https://."
        if not venue and not online_url:
            errors["venue"] = "Enter a venue address, an online link, or both."
        capacity: int | None = None
        raw_capacity = str(raw.get("capacity", "")).strip()
        if raw_capacity:
            capacity = whole_number(raw_capacity, low=1, high=CAPACITY_MAX)
            if capacity is None:
                errors["capacity"] = (
                    f"Enter the number of seats, from 1 to {CAPACITY_MAX:,}, or leave it empty."
                )
        deadline: datetime | None = None
        raw_deadline = str(raw.get("rsvp_deadline", "")).strip()
        if raw_deadline:
            deadline = _local(
                raw_deadline,
                zone,
                errors,
                "rsvp_deadline",
                "Enter the RSVP deadline as a date and time.",
            )
            if deadline is not None and starts_at and deadline > starts_at:
                errors["rsvp_deadline"] = "Choose an RSVP deadline before the start."
        cpd_hours = Decimal(0)
        raw_hours = str(raw.get("cpd_hours", "")).strip()
        if raw_hours:
            try:
                cpd_hours = Decimal(raw_hours)
            except InvalidOperation:
                cpd_hours = Decimal(-1)
            if (
                not cpd_hours.is_finite()
                or not 0 <= cpd_hours <= 500
                or cpd_hours != round(cpd_hours, 2)
            ):
                errors["cpd_hours"] = "Enter CPD hours as a number from 0 to 500, like 1.5."
        if errors:
            raise Invalid(**errors)
        assert starts_at is not None and ends_at is not None  # noqa: S101  # checked above
        return cls(
            title, description, kind, starts_at, ends_at, zone_name, venue, online_url,
            capacity, deadline, cpd_hours,
        )  # fmt: skip
