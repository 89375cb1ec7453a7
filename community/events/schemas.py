"""The event commands: a whole event (scheduling one, or what it becomes after changes) and the
changes to one, read alike from a page's form and an API body.

Times: one rule for both doors. A time with an offset (the API) is that instant. A time without
one (a page's datetime-local field, or the API) is the local time in the event's zone; when the
clocks go back it happens twice and is read as the first of the two (send an offset for the
second), and when they go forward it does not exist and is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from community import settings
from community.clock import zone_named
from community.commands import (
    ID_MESSAGE,
    Command,
    Id,
    blank_is_none,
    cleaned,
    form_number,
    one_line,
    rule,
)
from community.events.models import EventKind, Repeat
from community.events.recurrence import MAX_INTERVAL, MAX_SESSIONS, MIN_SESSIONS

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
CAPACITY_MAX = 100_000
CPD_MAX = 500
TIME_DESCRIPTION = (
    "ISO 8601. With an offset: that instant. Without one: the local time in `time_zone`."
)
EVENT_MESSAGES: Mapping[str, str] = {
    "title": "Give the event a title.",
    "description": "Write the description as text.",
    "kind": "Choose the kind of event from the list.",
    "time_zone": "Choose a time zone such as Asia/Singapore.",
    "starts_at": "Enter when the event starts, as a date and time.",
    "ends_at": "Enter when the event ends, as a date and time.",
    "rsvp_deadline": "Enter the RSVP deadline as a date and time.",
    "venue": "Enter the venue as text.",
    "online_url": "Enter the full online link, starting with https://.",
    "capacity": f"Enter the number of seats, from 1 to {CAPACITY_MAX:,}, or leave it empty.",
    "cpd_hours": f"Enter CPD hours as a number from 0 to {CPD_MAX}, like 1.5.",
}


def _text(value: Any) -> Any:
    """Text without control characters; null is no text (for the fields that allow it)."""
    return "" if value is None else cleaned(value)


def _title(value: str) -> str:
    return one_line(
        value,
        limit=TITLE_MAX,
        missing="Give the event a title.",
        too_long=f"Keep the title to {TITLE_MAX} characters.",
    )


def _description(value: str) -> str:
    if len(value.strip()) > DESCRIPTION_MAX:
        raise rule(f"Keep the description to {DESCRIPTION_MAX:,} characters.")
    return value.strip()


def _zone(value: str) -> str:
    """An IANA zone's name; blank: the site's zone."""
    name = value.strip() or settings.current().time_zone
    if zone_named(name) is None:
        raise rule("Choose a time zone such as Asia/Singapore.")
    return name


def _online_url(value: str) -> str:
    url = value.strip()
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500):
        raise rule("Enter the full online link, starting with https://.")
    return url


def _moment(value: Any) -> Any:
    """An ISO 8601 date and time, with or without an offset (blank or null: none)."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("not a date and time")  # a number is no time (pydantic would take it)
    if not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip())  # ValueError: the field's message
    if not 2000 <= moment.year <= 2100:
        raise ValueError("out of range")
    return moment


def parse_hours(value: Any) -> Decimal:
    """CPD hours from a form's text or a JSON number: 0 to 500, at most two decimals (blank:
    none); ValueError otherwise."""
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("not a number")
    try:
        hours = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not hours.is_finite() or not 0 <= hours <= CPD_MAX or hours != round(hours, 2):
        raise ValueError("out of range")
    return hours


Title = Annotated[
    str,
    BeforeValidator(_text),
    AfterValidator(_title),
    Field(json_schema_extra={"pattern": r"\S", "maxLength": TITLE_MAX}),
]
Description = Annotated[
    str,
    BeforeValidator(_text),
    AfterValidator(_description),
    Field(json_schema_extra={"maxLength": DESCRIPTION_MAX, "description": "Markdown."}),
]
Zone = Annotated[
    str,
    BeforeValidator(_text),
    AfterValidator(_zone),
    Field(description="An IANA zone; empty: the site's zone.", examples=["Asia/Singapore"]),
]
Moment = Annotated[datetime, BeforeValidator(_moment), Field(description=TIME_DESCRIPTION)]
#: blank or null: none (the union sits inside, so "" is read before it is tried)
OptionalMoment = Annotated[
    datetime | None, BeforeValidator(_moment), Field(description=TIME_DESCRIPTION)
]
Venue = Annotated[
    str,
    BeforeValidator(_text),
    AfterValidator(lambda venue: venue.strip()[:1000]),
    Field(description="A venue, an online link, or both."),
]
OnlineUrl = Annotated[
    str,
    BeforeValidator(_text),
    AfterValidator(_online_url),
    Field(description="An http(s) link.", examples=["https://meet.example.org/abc"]),
]
Capacity = Annotated[
    Annotated[StrictInt, Field(ge=1, le=CAPACITY_MAX)] | None,
    BeforeValidator(form_number),
    Field(description="Null: no limit."),
]
CpdHours = Annotated[
    Decimal,
    BeforeValidator(parse_hours),
    Field(
        json_schema_extra={
            "type": ["number", "string", "null"],
            "description": 'From 0 to 500, at most two decimals: 1.5 or "1.5".',
        }
    ),
]


def instant(moment: datetime, zone_name: str) -> datetime:
    """A time as the instant it names, in UTC: with an offset, itself; without one, the local
    time in the zone (the first of two when the clocks go back; a time skipped when they go
    forward raises ValueError with the sentence to show)."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    zone = zone_named(zone_name)
    assert zone is not None  # noqa: S101  # a valid zone was checked first
    at = moment.replace(tzinfo=zone).astimezone(UTC)
    if at.astimezone(zone).replace(tzinfo=None) != moment:
        raise ValueError(
            f"That time does not exist in {zone.key}: the clocks go forward then. "
            "Choose a time an hour later."
        )
    return at


class EventForm(Command):
    """A whole event: its times as instants in UTC, read in its zone when given without one."""

    messages: ClassVar[Mapping[str, str]] = EVENT_MESSAGES
    title: Title
    description: Description = ""
    kind: EventKind = EventKind.TALK
    # the zone comes before the times: they are read in it
    time_zone: Annotated[Zone, Field(validate_default=True)] = ""
    starts_at: Moment
    ends_at: Moment
    rsvp_deadline: OptionalMoment = None
    # the link comes before the venue: an event needs one of the two
    online_url: OnlineUrl = ""
    venue: Annotated[Venue, Field(validate_default=True)] = ""
    capacity: Capacity = None
    cpd_hours: Annotated[CpdHours, Field(validate_default=True)] = Decimal(0)

    @field_validator("starts_at", "ends_at", "rsvp_deadline")
    @classmethod
    def _in_the_zone(cls, moment: datetime | None, info: ValidationInfo) -> datetime | None:
        zone_name = info.data.get("time_zone")
        if moment is None or zone_name is None:
            return moment  # no deadline; or the zone is wrong, and says so
        try:
            at = instant(moment, zone_name)
        except ValueError as exc:
            raise rule(str(exc)) from None
        starts = info.data.get("starts_at")
        if info.field_name == "ends_at" and starts is not None and at <= starts:
            raise rule("Choose an end time after the start.")
        if info.field_name == "rsvp_deadline" and starts is not None and at > starts:
            raise rule("Choose an RSVP deadline before the start.")
        return at

    @field_validator("venue")
    @classmethod
    def _somewhere(cls, venue: str, info: ValidationInfo) -> str:
        if not venue and info.data.get("online_url") == "":
            raise rule("Enter a venue address, an online link, or both.")
        return venue


SERIES_MESSAGES: Mapping[str, str] = {
    **EVENT_MESSAGES,
    "repeat": "Choose how the series repeats: weekly or monthly.",
    "interval": f"Repeat every 1 to {MAX_INTERVAL} weeks or months.",
    "sessions": f"Choose from {MIN_SESSIONS} to {MAX_SESSIONS} sessions.",
    "until": "Enter the last day as a date.",
}


class SeriesForm(EventForm):
    """A series: its first session as a whole event, and the rule that repeats it for a
    number of sessions or up to a last day (one of the two)."""

    messages: ClassVar[Mapping[str, str]] = SERIES_MESSAGES
    repeat: Repeat
    interval: Annotated[StrictInt, Field(ge=1, le=MAX_INTERVAL), BeforeValidator(form_number)] = 1
    sessions: Annotated[
        Annotated[StrictInt, Field(ge=MIN_SESSIONS, le=MAX_SESSIONS)] | None,
        BeforeValidator(form_number),
        Field(description="How many sessions; or give `until`."),
    ] = None
    until: Annotated[
        date | None,
        BeforeValidator(blank_is_none),
        Field(validate_default=True, description="The last day (local); or give `sessions`."),
    ] = None

    @field_validator("until")
    @classmethod
    def _one_end(cls, until: date | None, info: ValidationInfo) -> date | None:
        if "sessions" not in info.data:
            return until  # the number was wrong, and says so
        if until is None and info.data["sessions"] is None:
            raise rule("Give the number of sessions, or the last day.")
        if until is not None and info.data["sessions"] is not None:
            raise rule("Give the number of sessions or the last day, not both.")
        return until


class Scope(StrEnum):
    """Which sessions of a series a change is for."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"


class ScopeChoice(Command):
    """Which sessions of a series a change is for: this one (the default), this one and
    those after it, or all of them (those already started keep what they were)."""

    messages: ClassVar[Mapping[str, str]] = {
        "scope": "Choose this session, this and the following sessions, or all sessions."
    }
    scope: Scope = Scope.THIS


class EventChanges(Command):
    """Changes to an event: only the fields sent change (null clears the optional ones); what
    the event then is must still be a whole event (`EventForm`)."""

    messages: ClassVar[Mapping[str, str]] = EVENT_MESSAGES
    title: Title | None = None
    description: Description | None = None
    kind: EventKind | None = None
    time_zone: Zone | None = None
    starts_at: OptionalMoment = None
    ends_at: OptionalMoment = None
    rsvp_deadline: OptionalMoment = None
    online_url: OnlineUrl | None = None
    venue: Venue | None = None
    capacity: Capacity = None
    cpd_hours: CpdHours | None = None

    def sent(self) -> dict[str, Any]:
        """The fields the body or form named, with their values (None: cleared)."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class RsvpAnswer(Command):
    """Going, or not going (the API's answer to an event)."""

    messages: ClassVar[Mapping[str, str]] = {"status": "Use going or not_going."}
    status: Literal["going", "not_going"]


class AttendanceMark(Command):
    """Whether a member who was going attended (the API names members `user_id`)."""

    messages: ClassVar[Mapping[str, str]] = {
        "user_id": ID_MESSAGE,
        "attended": "Must be true or false.",
    }
    user_id: Id
    attended: StrictBool
