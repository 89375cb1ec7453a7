"""Parsing group forms (HTML or JSON) into frozen commands."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
)

from community.accounts.schemas import normalise_email
from community.commands import (
    ID_MESSAGE,
    Checkbox,
    Command,
    Id,
    cleaned,
    form_number,
    one_line,
    rule,
)
from community.errors import Invalid
from community.groups.models import JoinPolicy, Visibility
from community.text import whole_number

NAME_MAX = 100
DESCRIPTION_MAX = 5000
MESSAGE_MAX = 1000
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: slugs that would shadow a page under /groups/
RESERVED_SLUGS = frozenset({"new", "mine", "search", "admin"})


def slugify(name: str) -> str:
    """A URL slug from a name: lower-case ASCII words joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")


def _name(value: str) -> str:
    return one_line(
        value,
        limit=NAME_MAX,
        missing="Enter the group's name.",
        too_long=f"Use at most {NAME_MAX} characters.",
    )


def _slug(value: str) -> str:
    """A web address as given (blank: made from the name, or kept when changing a group)."""
    slug = value.strip().lower()
    if slug and (not _SLUG.match(slug) or not 3 <= len(slug) <= 60):
        raise rule("Use 3 to 60 lower-case letters, numbers and single hyphens, like family-work.")
    if slug in RESERVED_SLUGS:
        raise rule("That web address is reserved. Choose another.")
    return slug


def _description(value: str) -> str:
    description = value.strip()
    if len(description) > DESCRIPTION_MAX:
        raise rule(
            f"Keep the description to {DESCRIPTION_MAX} characters (it has {len(description)})."
        )
    return description


Name = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_name),
    Field(json_schema_extra={"maxLength": NAME_MAX}),
]
Slug = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_slug),
    Field(
        description="3 to 60 lower-case letters, numbers and single hyphens, like family-work",
    ),
]
Description = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_description),
    Field(json_schema_extra={"maxLength": DESCRIPTION_MAX, "description": "Markdown"}),
]
GROUP_MESSAGES: Mapping[str, str] = {
    "name": "Enter the group's name.",
    "slug": "Enter a web address made of letters and numbers, like family-work.",
    "description": "Write the description as text.",
    "join_policy": "Choose who may join: anyone, by request, or by invitation.",
    "visibility": "Choose public or private.",
    "facilitator_id": "Choose a member.",
    "case_discussion": "Choose whether the group is for case discussion (true or false).",
}


class GroupForm(Command):
    """A new group: its web address is made from the name when not given."""

    messages: ClassVar[Mapping[str, str]] = GROUP_MESSAGES
    name: Name
    slug: Annotated[Slug, Field(validate_default=True)] = ""
    description: Description = ""
    join_policy: JoinPolicy = JoinPolicy.OPEN
    visibility: Visibility = Visibility.PUBLIC
    #: the first facilitator (admins may name one; else the admin creating it)
    facilitator_id: Annotated[Id | None, BeforeValidator(form_number)] = None

    @field_validator("slug")
    @classmethod
    def _address(cls, slug: str, info: ValidationInfo) -> str:
        if slug:
            return slug
        name = info.data.get("name")
        if not name:
            return ""  # the name is wrong, and says so
        made = slugify(name)
        if not made:
            raise rule(GROUP_MESSAGES["slug"])
        return _slug(made)


class GroupChanges(Command):
    """A group's new settings: only the fields sent change (a blank address keeps its own)."""

    messages: ClassVar[Mapping[str, str]] = GROUP_MESSAGES
    name: Name | None = None
    slug: (
        Annotated[Slug, Field(description="A new web address; the old one stops working")] | None
    ) = None
    description: Description | None = None
    join_policy: JoinPolicy | None = None
    visibility: Visibility | None = None
    case_discussion: Checkbox | None = Field(
        default=None,
        description="A case-discussion group: posts are checked for clients' details before "
        "they are saved, and notifications carry no post text (#20)",
    )

    @classmethod
    def from_form(cls, form: Mapping[str, Any]) -> Self:
        """The settings page shows every setting, and an unticked box is not sent: there,
        no `case_discussion` means no."""
        return super().from_form({"case_discussion": "", **form})


def _message(value: str) -> str:
    message = value.strip()
    if len(message) > MESSAGE_MAX:
        raise rule(f"Keep the message to {MESSAGE_MAX} characters.")
    return message


def _invitee(value: Any) -> Any:
    return normalise_email(cleaned(value)) if isinstance(value, str) else value


def _valid_invitee(email: str) -> str:
    if not email or len(email) > 254 or not _EMAIL.match(email):
        raise rule(INVITEE_MESSAGE)
    return email


INVITEE_MESSAGE = "Enter the email address to invite, like name@example.org."


class Message(Command):
    """An optional short message: with a request to join, or with a facilitator's decision."""

    messages: ClassVar[Mapping[str, str]] = {"message": "Write the message as text."}
    message: Annotated[
        str,
        BeforeValidator(cleaned),
        AfterValidator(_message),
        Field(json_schema_extra={"maxLength": MESSAGE_MAX, "description": "Optional"}),
    ] = ""


class FacilitatorChoice(Command):
    """The member to make a facilitator (the API names members `user_id`)."""

    messages: ClassVar[Mapping[str, str]] = {"user_id": ID_MESSAGE}
    user_id: Id


class Invitee(Command):
    """The email address to invite to a group."""

    messages: ClassVar[Mapping[str, str]] = {"email": INVITEE_MESSAGE}
    email: Annotated[
        str,
        BeforeValidator(_invitee),
        AfterValidator(_valid_invitee),
        Field(json_schema_extra={"format": "email", "maxLength": 254}),
    ]


def parse_member_id(raw: Mapping[str, str], field: str = "member_id") -> int:
    member_id = whole_number(str(raw.get(field, "")), low=1)
    if member_id is None:
        raise Invalid(**{field: "Choose a member."})
    return member_id
