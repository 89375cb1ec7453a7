"""Typed commands: one pydantic model per action, read alike from an HTML form (strings, with
the page's own fields such as the CSRF token passed over) and from a JSON body (typed values,
unknown fields refused), and the schema the OpenAPI document describes the body with.

A failure becomes `Invalid` with one message per field: the command's `messages` for that
field if it has one, else the message of the rule that failed (a validator raises
`rule("...")`), else pydantic's own sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationError
from pydantic_core import PydanticCustomError

from community.errors import Invalid
from community.text import INT_MAX, clean_text, whole_number

#: the error type of our own rules (see `rule`)
RULE = "rule"
#: the id of a row in a JSON body (a positive integer the database can hold)
Id = Annotated[StrictInt, Field(ge=1, le=INT_MAX)]
ID_MESSAGE = "Must be the id of an existing item (a positive integer)."


def rule(message: str) -> PydanticCustomError:
    """A failed rule of a field, with the sentence the person reads: raise it in a validator."""
    return PydanticCustomError(RULE, message)


def cleaned(value: Any) -> Any:
    """A string without the control characters nobody means (a before-validator for text);
    anything else as it came, for the field's type to judge."""
    return clean_text(value) if isinstance(value, str) else value


def form_number(value: Any) -> Any:
    """A before-validator for whole numbers: a form's ASCII digits as the number (blank: none);
    anything else as it came, for a strict type and its bounds to accept (a JSON body's integer)
    or refuse ("²", digits past the database's integer, true)."""
    if isinstance(value, str):
        if not value.strip():
            return None
        number = whole_number(value)
        return value if number is None else number
    return value


def _checkbox(value: Any) -> Any:
    """A form's checkbox ("on" when ticked, absent or blank when not) or a JSON true/false."""
    if isinstance(value, str):
        return value.strip().lower() in ("on", "true", "1", "yes")
    return value


#: a yes-or-no field, from a page's checkbox or a JSON boolean
Checkbox = Annotated[bool, BeforeValidator(_checkbox)]


def blank_is_none(value: Any) -> Any:
    """A form's empty field is no value (for an optional date, choice or number)."""
    return None if isinstance(value, str) and not value.strip() else value


def one_line(value: str, *, limit: int, missing: str, too_long: str) -> str:
    """A name or title: white space folded to single spaces, not blank, at most `limit`."""
    line = " ".join(value.split())
    if not line:
        raise rule(missing)
    if len(line) > limit:
        raise rule(too_long)
    return line


class Command(BaseModel):
    """The base of every command: frozen, and strict about the fields a body may carry."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    #: the message shown beside a field, whatever is wrong with its value
    messages: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> Self:
        """The command from a page's form: fields it does not know are the page's own."""
        return cls.from_json(
            {name: value for name, value in form.items() if name in cls.model_fields}
        )

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Self:
        """The command from a JSON object; Invalid names each field that is wrong."""
        try:
            return cls.model_validate(body)
        except ValidationError as exc:
            raise Invalid(**cls.field_messages(exc)) from None

    @classmethod
    def field_messages(cls, exc: ValidationError) -> dict[str, str]:
        fields: dict[str, str] = {}
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "body"
            if name in fields:
                continue
            if error["type"] == "extra_forbidden":
                fields[name] = "There is no such field."
            elif error["type"] == RULE:
                fields[name] = error["msg"]
            else:
                fields[name] = cls.messages.get(name) or f"{error['msg']}."
        return fields
