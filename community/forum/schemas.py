"""The forum's commands (starting a thread, replying, editing a post), read alike from a page's
form and an API body, and the moderation actions."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from community.commands import Checkbox, Command, Id, cleaned, form_number, one_line, rule
from community.errors import Invalid
from community.forum.models import FlagReason, ReactionKind, WatchLevel
from community.text import whole_number

TITLE_MAX = 200
BODY_MAX = 20_000
DETAILS_MAX = 1000
#: text that must not be blank, as the OpenAPI document says it: something other than space
WORDS = r"\S"


def _title(value: str) -> str:
    return one_line(
        value,
        limit=TITLE_MAX,
        missing="Give the discussion a title.",
        too_long=f"Keep the title to {TITLE_MAX} characters.",
    )


def _body(value: str) -> str:
    body = value.strip()
    if not body:
        raise rule("Write something before posting.")
    if len(body) > BODY_MAX:
        raise rule(f"Keep a post to {BODY_MAX:,} characters (it has {len(body):,}).")
    return body


#: the documented limits; the validators above check them with the sentences people read
Title = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_title),
    Field(json_schema_extra={"pattern": WORDS, "maxLength": TITLE_MAX}),
]
Body = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_body),
    Field(json_schema_extra={"pattern": WORDS, "maxLength": BODY_MAX, "description": "Markdown"}),
]


#: for a value that is not text at all (the rules above say what is wrong with text)
TEXT_MESSAGES = {
    "title": "Give the discussion a title, as text.",
    "body": "Write the post as text.",
    "confirm_findings": "Confirm with true or false.",
}


def _confirm_findings() -> Any:
    return Field(
        False,
        description="In a case-discussion group: the possible client details found in the "
        "text (a 422's `error.details.findings`) are not a client's, or are shared with "
        "consent; post anyway (#20)",
    )


class NewThread(Command):
    """Start a discussion."""

    messages: ClassVar[Mapping[str, str]] = TEXT_MESSAGES
    title: Title
    body: Body
    confirm_findings: Checkbox = _confirm_findings()


class NewPost(Command):
    """Reply to a discussion, optionally quoting one of its posts."""

    messages: ClassVar[Mapping[str, str]] = {
        **TEXT_MESSAGES,
        "quote_post_id": "Choose a post in this discussion to quote.",
    }
    body: Body
    quote_post_id: Annotated[Id | None, BeforeValidator(form_number)] = None
    confirm_findings: Checkbox = _confirm_findings()


class PostEdit(Command):
    """The new text of one's own post."""

    messages: ClassVar[Mapping[str, str]] = TEXT_MESSAGES
    body: Body
    confirm_findings: Checkbox = _confirm_findings()


def _details(value: str) -> str:
    details = value.strip()
    if len(details) > DETAILS_MAX:
        raise rule(f"Keep the details to {DETAILS_MAX} characters.")
    return details


class FlagReport(Command):
    """Why a post needs a facilitator's attention."""

    messages: ClassVar[Mapping[str, str]] = {
        "reason": "Choose why this post needs a facilitator's attention.",
        "details": "Write the details as text.",
    }
    reason: FlagReason
    details: Annotated[
        str,
        BeforeValidator(cleaned),
        AfterValidator(_details),
        Field(json_schema_extra={"maxLength": DETAILS_MAX}),
    ] = ""


class WatchChoice(Command):
    """Watch a thread or group (hear of everything), or mute it (hear of nothing)."""

    messages: ClassVar[Mapping[str, str]] = {"level": "Choose watching or muted."}
    level: WatchLevel


class ThreadAction(StrEnum):
    """What facilitators do to a whole discussion."""

    PIN = "pin"
    UNPIN = "unpin"
    LOCK = "lock"
    UNLOCK = "unlock"
    HIDE = "hide"
    RESTORE = "restore"


class PostAction(StrEnum):
    """What facilitators do to one post."""

    HIDE = "hide"
    RESTORE = "restore"


REACTION_MESSAGE = "Choose a reaction button under a post."


def _reaction_target(value: str | None) -> tuple[int, bool] | None:
    """A reaction button's value: the post's id, and " off" to take the reaction back."""
    if value is None:
        return None
    post_id, _, off = value.partition(" ")
    number = whole_number(post_id, low=1)
    if number is None or off not in ("", "off"):
        raise rule(REACTION_MESSAGE)
    return number, off != "off"


_Target = Annotated[tuple[int, bool] | None, BeforeValidator(_reaction_target)]


class ReactionButton(Command):
    """A reaction button under a post, as the thread page's one form sends it: named by its
    kind, its value the post's id ("12"), or "12 off" to take the reaction back."""

    messages: ClassVar[Mapping[str, str]] = {str(kind): REACTION_MESSAGE for kind in ReactionKind}
    like: _Target = None
    insightful: _Target = None
    thanks: _Target = None
    support: _Target = None

    @model_validator(mode="after")
    def _one(self) -> ReactionButton:
        if sum(1 for kind in ReactionKind if getattr(self, kind) is not None) != 1:
            raise rule(REACTION_MESSAGE)
        return self

    def target(self) -> tuple[int, ReactionKind, bool]:
        """The post, the kind, and whether to add it (else take it back)."""
        kind = next(kind for kind in ReactionKind if getattr(self, kind) is not None)
        post_id, add = getattr(self, kind)
        return post_id, kind, add


if set(ReactionButton.model_fields) != {str(kind) for kind in ReactionKind}:  # pragma: no cover
    raise RuntimeError("ReactionButton needs one field per ReactionKind")


def parse_reaction(kind: str) -> ReactionKind:
    try:
        return ReactionKind(kind)
    except ValueError:
        raise Invalid(kind="Choose one of: like, insightful, thanks, support.") from None
