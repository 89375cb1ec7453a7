"""The programme commands, read alike from a page's form and an API body: a programme with a
weekly or monthly series of new sessions, or with events already scheduled; the terms both
share; a certificate's revocation."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, StrictInt, field_validator

from community.accounts.models import Profession
from community.commands import Command, Id, cleaned, form_number, one_line, rule
from community.events.recurrence import MAX_SESSIONS, MIN_SESSIONS
from community.events.schemas import (
    SERIES_MESSAGES,
    TITLE_MAX,
    Description,
    OptionalMoment,
    SeriesForm,
    Title,
    Zone,
    parse_hours,
)

PROVIDER_MAX = 120
CAPACITY_MAX = 10_000
HOURS_MAX = 500
REASON_MAX = 1000

TERMS_MESSAGES: Mapping[str, str] = {
    "provider": "Name who runs the programme and issues its certificates.",
    "professions": "Choose the professions from the list.",
    "capacity": f"Enter the number of places, from 1 to {CAPACITY_MAX:,}.",
    "cpd_hours": f"Enter the programme's CET/CPD hours, from 0.5 to {HOURS_MAX}, like 12.",
    "min_attended": "Enter how many sessions a member must attend, as a whole number.",
    "mandatory": "Choose the mandatory sessions by their number, from 1.",
    "enrol_opens_at": "Enter when enrolment opens as a date and time, or leave it empty.",
    "enrol_closes_at": "Enter when enrolment closes as a date and time, or leave it empty.",
}


def _provider(value: str) -> str:
    return one_line(
        value,
        limit=PROVIDER_MAX,
        missing="Name who runs the programme and issues its certificates.",
        too_long=f"Keep the provider's name to {PROVIDER_MAX} characters.",
    )


def _hours(value: Any) -> Any:
    """Hours as a form's text or a JSON number: from 0.5, at most two decimals."""
    hours = parse_hours(value)
    if hours < 0.5 or hours > HOURS_MAX:
        raise ValueError("out of range")
    return hours


Provider = Annotated[str, BeforeValidator(cleaned), Field(max_length=1000)]
Places = Annotated[
    Annotated[StrictInt, Field(ge=1, le=CAPACITY_MAX)],
    BeforeValidator(form_number),
    Field(description="How many members may enrol."),
]
ProgrammeHours = Annotated[
    Decimal,
    BeforeValidator(_hours),
    Field(
        json_schema_extra={
            "type": ["number", "string"],
            "description": 'CET/CPD hours for completing it: 0.5 to 500, like 12 or "7.5".',
        }
    ),
]


class ProgrammeTerms(Command):
    """What a programme promises, whatever its sessions are: who runs it, for whom, its hours,
    its places and its completion rule."""

    provider: Annotated[Provider, Field(json_schema_extra={"pattern": r"\S"})]
    professions: list[Profession] = Field(
        default_factory=list, description="Whom it is for; empty: everyone."
    )
    capacity: Places
    cpd_hours: ProgrammeHours
    min_attended: Annotated[
        Annotated[StrictInt, Field(ge=1, le=MAX_SESSIONS)] | None,
        BeforeValidator(form_number),
        Field(description="Sessions to attend to complete it; null: every session."),
    ] = None
    mandatory: list[
        Annotated[Annotated[StrictInt, Field(ge=1, le=MAX_SESSIONS)], BeforeValidator(form_number)]
    ] = Field(
        default_factory=list,
        max_length=MAX_SESSIONS,
        description="Session numbers (from 1) every completing member must attend.",
    )
    enrol_opens_at: OptionalMoment = None
    enrol_closes_at: OptionalMoment = None

    @field_validator("provider")
    @classmethod
    def _named(cls, value: str) -> str:
        return _provider(value)


class ProgrammeForm(SeriesForm, ProgrammeTerms):
    """A programme with a new series of sessions: the first session as a whole event and the
    rule that repeats it (see SeriesForm); the sessions carry no hours of their own and take
    their seats only by enrolment."""

    messages: ClassVar[Mapping[str, str]] = {**SERIES_MESSAGES, **TERMS_MESSAGES}
    capacity: Places
    cpd_hours: ProgrammeHours


class ProgrammeFromEvents(ProgrammeTerms):
    """A programme of events already scheduled (in the same group, not started, no one
    answered yet): they become its sessions, in the order they start."""

    messages: ClassVar[Mapping[str, str]] = {
        **TERMS_MESSAGES,
        "title": "Give the programme a title.",
        "event_ids": f"Choose from {MIN_SESSIONS} to {MAX_SESSIONS} events by their ids.",
    }
    title: Title
    summary: Description = ""
    time_zone: Annotated[Zone, Field(validate_default=True)] = ""
    event_ids: list[Id] = Field(min_length=MIN_SESSIONS, max_length=MAX_SESSIONS)


class ProgrammeDetails(ProgrammeTerms):
    """A programme as its facilitators edit it: its terms, title and summary (its sessions
    change as events do). The page sends every field; so does the API (PUT)."""

    messages: ClassVar[Mapping[str, str]] = {
        **TERMS_MESSAGES,
        "title": "Give the programme a title.",
        "summary": "Write the summary as text.",
    }
    title: Title
    summary: Description = ""


class Revocation(Command):
    """Why a certificate is revoked: shown to anyone who checks its code."""

    messages: ClassVar[Mapping[str, str]] = {
        "reason": f"Write why the certificate is revoked, in up to {REASON_MAX} characters."
    }
    reason: Annotated[str, BeforeValidator(cleaned), Field(min_length=1, max_length=REASON_MAX)]

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise rule(f"Write why the certificate is revoked, in up to {REASON_MAX} characters.")
        return value


__all__ = [
    "TITLE_MAX",
    "ProgrammeDetails",
    "ProgrammeForm",
    "ProgrammeFromEvents",
    "ProgrammeTerms",
    "Revocation",
]
