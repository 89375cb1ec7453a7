"""The commands of stories: a piece's text, its submission with consent, editors' decisions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from community.accounts.models import Profession
from community.commands import (
    Checkbox,
    Command,
    Id,
    blank_is_none,
    cleaned,
    form_number,
    one_line,
    rule,
)
from community.stories.models import PieceKind

TITLE_MAX = 160
SUMMARY_MAX = 400
BODY_MAX = 40_000
SHOWN_AS_MAX = 120
MESSAGE_MAX = 4000
ALT_MAX = 200
#: how many practice areas or themes a piece may be filed under
TAGS_MAX = 10

#: what the author confirms on submitting, word for word as stored (Consent.wording)
CONSENT_WORDING = {
    "consented": (
        "Everyone who could be identified from this piece has agreed to it being published "
        "on this site."
    ),
    "de_identified": (
        "No client, family or other person can be identified from this piece: names and "
        "details have been removed or changed."
    ),
}


def _text(value: Any) -> Any:
    return cleaned(value).strip() if isinstance(value, str) else value


TagId = Annotated[Id, BeforeValidator(form_number)]


class PieceForm(Command):
    """A piece's words and filing: what its author writes and saves as a draft."""

    messages: ClassVar[Mapping[str, str]] = {
        "kind": "Choose whether this is a story of change or a worker profile.",
        "title": f"Give it a title of 1 to {TITLE_MAX} characters.",
        "summary": f"Keep the summary to at most {SUMMARY_MAX} characters.",
        "body": f"Write the piece in at most {BODY_MAX:,} characters.",
        "profession": "Choose a profession from the list.",
        "areas": f"Choose at most {TAGS_MAX} practice areas from the list.",
        "themes": f"Choose at most {TAGS_MAX} themes from the list.",
    }
    kind: PieceKind = Field(description="story (a story of change) or profile (a worker profile)")
    title: Annotated[str, BeforeValidator(_text)]
    summary: Annotated[str, BeforeValidator(_text)] = Field("", max_length=SUMMARY_MAX)
    body: Annotated[str, BeforeValidator(cleaned)] = Field(
        "", max_length=BODY_MAX, description="Markdown"
    )
    profession: Annotated[Profession | None, BeforeValidator(blank_is_none)] = None
    areas: list[TagId] = Field(
        default_factory=list, max_length=TAGS_MAX, description="Practice area ids"
    )
    themes: list[TagId] = Field(default_factory=list, max_length=TAGS_MAX, description="Theme ids")

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return one_line(
            value,
            limit=TITLE_MAX,
            missing="Give it a title.",
            too_long=f"Keep the title to at most {TITLE_MAX} characters.",
        )


class Submission(Command):
    """The author's confirmations on submitting a piece for review."""

    messages: ClassVar[Mapping[str, str]] = {
        "basis": "Confirm that everyone identifiable has agreed, or that no one can be identified.",
    }
    basis: Literal["consented", "de_identified"] = Field(
        description="consented: everyone identifiable agreed; de_identified: no one can be "
        "identified"
    )
    named: Checkbox = Field(description="Show the author's name with the piece")
    shown_as: Annotated[str, BeforeValidator(_text)] = Field(
        "",
        max_length=SHOWN_AS_MAX,
        description='How the author is shown when not named ("a social worker in family services")',
    )
    confirm_findings: Checkbox = Field(
        False,
        description="The possible client details found in the text are not a client's (or "
        "are shared with consent)",
    )

    @field_validator("shown_as")
    @classmethod
    def _shown_somehow(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.data.get("named") is False:
            raise rule(
                'Say how you are shown without your name, such as "a social worker in '
                'family services", or choose to be named.'
            )
        return value

    def wording(self, author_name: str) -> str:
        """The exact sentences confirmed, as stored."""
        shown = f"named as {author_name}" if self.named else f"shown as \u201c{self.shown_as}\u201d"
        return f"{CONSENT_WORDING[self.basis]} I wish to be {shown}."


class Decision(Command):
    """An editor's message with a decision (required when asking for changes)."""

    messages: ClassVar[Mapping[str, str]] = {
        "message": f"Write at most {MESSAGE_MAX} characters.",
    }
    message: Annotated[str, BeforeValidator(_text)] = Field("", max_length=MESSAGE_MAX)


class Publication(Command):
    """When to publish: now (empty), or a time to come."""

    messages: ClassVar[Mapping[str, str]] = {
        "publish_at": "Give a date and time such as 2027-03-01T09:00, or leave it empty for now.",
    }
    publish_at: Annotated[datetime | None, BeforeValidator(blank_is_none)] = Field(
        None, description="ISO 8601; without an offset, the site's time zone; empty: now"
    )


class Pick(Command):
    """An editors' pick on the home page, or not."""

    picked: Checkbox = Field(description="Whether the piece is an editors' pick")


class CoverAlt(Command):
    """The description of a cover image for those who cannot see it."""

    messages: ClassVar[Mapping[str, str]] = {
        "cover_alt": (
            f"Describe the image in 1 to {ALT_MAX} characters, for those who cannot see it."
        ),
    }
    cover_alt: Annotated[str, BeforeValidator(_text)] = Field(min_length=1, max_length=ALT_MAX)
