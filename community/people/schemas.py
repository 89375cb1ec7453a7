"""What admins send to give a member a recognition."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from community.commands import Command, blank_is_none, cleaned, rule

TITLE_MAX = 80


class RecognitionGrant(Command):
    """A recognition for a term: its title, the day it starts and (optionally) ends."""

    messages: ClassVar[Mapping[str, str]] = {
        "title": f"Give the recognition a title of 1 to {TITLE_MAX} characters.",
        "starts_on": "Give the day the term starts, as a date (2025-01-31).",
        "ends_on": "Give the day the term ends as a date (2028-12-31), or leave it empty.",
    }
    title: Annotated[
        str,
        BeforeValidator(lambda value: cleaned(value).strip() if isinstance(value, str) else value),
    ] = Field(min_length=1, max_length=TITLE_MAX)
    starts_on: date
    ends_on: Annotated[date | None, BeforeValidator(blank_is_none)] = None

    @field_validator("ends_on")
    @classmethod
    def _in_order(cls, value: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if value is not None and starts_on is not None and value < starts_on:
            raise rule("The term cannot end before it starts.")
        return value
