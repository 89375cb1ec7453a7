"""The notification commands: how each kind is emailed, and which notifications to mark read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import Field, StrictInt, create_model, field_validator
from pydantic_core.core_schema import ValidationInfo

from community.commands import Command, rule
from community.notifications.kinds import LABELS, NO_DIGEST
from community.notifications.models import Delivery, NotificationKind
from community.text import INT_MAX

#: the most ids one request may mark read
IDS_MAX = 1000
CHOICE_MESSAGE = (
    "Choose one of the options: immediately (email me), digest (in my daily summary) or never."
)
NO_DIGEST_MESSAGE = (
    "This email only makes sense at once: choose immediately (email me) or never (no email)."
)


def allowed(kind: NotificationKind, delivery: Delivery) -> bool:
    """Whether a kind may be emailed that way (a reminder in tomorrow's digest is too late)."""
    return not (delivery == Delivery.DIGEST and kind in NO_DIGEST)


class EmailChoices(Command):
    """The member's choice for some kinds; kinds not sent keep theirs."""

    messages: ClassVar[Mapping[str, str]] = {str(kind): CHOICE_MESSAGE for kind in LABELS}

    @field_validator("*")
    @classmethod
    def _allowed(cls, value: Delivery, info: ValidationInfo) -> Delivery:
        if info.field_name is not None and not allowed(NotificationKind(info.field_name), value):
            raise rule(NO_DIGEST_MESSAGE)
        return value

    def chosen(self) -> dict[NotificationKind, Delivery]:
        """The kinds chosen, with their choice."""
        return {NotificationKind(name): value for name, value in self if value is not None}


def _choice(kind: NotificationKind) -> Any:
    offered = [str(choice) for choice in Delivery if allowed(kind, choice)]

    def described(schema: dict[str, Any]) -> None:
        schema.pop("default", None)  # leaving a kind out keeps its choice
        schema.pop("$ref", None)
        schema.update(type="string", enum=offered)

    # None only stands for "not sent": a null in the body is refused like any other non-choice
    return (Delivery, Field(default=None, description=LABELS[kind], json_schema_extra=described))


#: one optional field per kind, named as the kind ("reply", "event_reminder")
NotificationChoices = create_model(
    "NotificationChoices", __base__=EmailChoices, **{str(kind): _choice(kind) for kind in LABELS}
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
