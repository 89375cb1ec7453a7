"""The notification commands: how each kind is emailed, and which notifications to mark read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import Field, StrictInt, create_model, field_validator
from pydantic_core.core_schema import ValidationInfo

from community.commands import Command, rule
from community.notifications.kinds import Kind, all_kinds, kind_named
from community.notifications.models import Delivery
from community.text import INT_MAX

#: the most ids one request may mark read
IDS_MAX = 1000
CHOICE_MESSAGE = (
    "Choose one of the options: immediately (email me), digest (in my daily summary) or never."
)
NO_DIGEST_MESSAGE = (
    "This email only makes sense at once: choose immediately (email me) or never (no email)."
)


class EmailChoices(Command):
    """The member's choice for some kinds; kinds not sent keep theirs."""

    messages: ClassVar[Mapping[str, str]] = {kind.key: CHOICE_MESSAGE for kind in all_kinds()}

    @field_validator("*")
    @classmethod
    def _allowed(cls, value: Delivery, info: ValidationInfo) -> Delivery:
        if info.field_name is not None and not kind_named(info.field_name).allows(value):
            raise rule(NO_DIGEST_MESSAGE)
        return value

    def chosen(self) -> dict[Kind, Delivery]:
        """The kinds chosen, with their choice."""
        return {kind_named(name): value for name, value in self if value is not None}


def _choice(kind: Kind) -> Any:
    offered = [str(choice) for choice in Delivery if kind.allows(choice)]

    def described(schema: dict[str, Any]) -> None:
        schema.pop("default", None)  # leaving a kind out keeps its choice
        schema.pop("$ref", None)
        schema.update(type="string", enum=offered)

    # None only stands for "not sent": a null in the body is refused like any other non-choice
    return (Delivery, Field(default=None, description=kind.label, json_schema_extra=described))


#: one optional field per kind, named as the kind ("reply", "event_reminder")
NotificationChoices = create_model(
    "NotificationChoices",
    __base__=EmailChoices,
    **{kind.key: _choice(kind) for kind in all_kinds()},
)


class MarkRead(Command):
    """Mark these notifications read, or all of them."""

    messages: ClassVar[Mapping[str, str]] = {
        "ids": f"Give a list of at most {IDS_MAX} notification ids, or leave it out."
    }
    ids: (
        Annotated[
            list[Annotated[StrictInt, Field(ge=1, le=INT_MAX)]],
            Field(max_length=IDS_MAX, description="Null: all."),
        ]
        | None
    ) = None
