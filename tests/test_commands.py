"""Commands: a rule's own sentence, else the command's message for the field, else pydantic's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import pytest
from pydantic import field_validator

from community.commands import Command, rule
from community.errors import Invalid


class Example(Command):
    messages: ClassVar[Mapping[str, str]] = {"seats": "Enter the number of seats, from 1 to 9."}
    title: str
    seats: int = 1
    note: int = 0

    @field_validator("title")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise rule("Give it a title.")
        return value


def test_each_wrong_field_gets_its_sentence() -> None:
    with pytest.raises(Invalid) as refused:
        Example.from_json({"title": " ", "seats": "many", "note": "x", "extra": 1})
    assert refused.value.fields == {
        "title": "Give it a title.",
        "seats": "Enter the number of seats, from 1 to 9.",
        "note": "Input should be a valid integer, unable to parse string as an integer.",
        "extra": "There is no such field.",
    }


def test_a_missing_field_is_named() -> None:
    with pytest.raises(Invalid) as refused:
        Example.from_json({})
    assert set(refused.value.fields) == {"title"}


def test_a_form_gives_strings_and_its_own_fields_are_passed_over() -> None:
    example = Example.from_form({"title": "Clinic", "seats": "4", "csrf_token": "t"})
    assert example == Example(title="Clinic", seats=4)
