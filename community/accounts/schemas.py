"""The account commands (registering, signing in, passwords, the profile), read alike from a
page's form and an API body."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from community.accounts.models import Profession, ProfileVisibility
from community.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from community.clock import zone_named
from community.commands import Command, Id, cleaned, form_number, one_line, rule

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MAX = 80
ORGANISATION_MAX = 120
BIO_MAX = 1000
STORY_MAX = 4000
YEARS_MAX = 70
TOKEN_NAME_MAX = 80
CPD_GOAL_MAX = 1000
CPD_GOAL_MESSAGE = (
    f"Enter your yearly goal as a whole number of hours from 1 to {CPD_GOAL_MAX}, "
    "or leave it empty for no goal."
)
SAME_TWICE = "The two passwords differ. Type the same one twice."


def normalise_email(value: str) -> str:
    """Emails are compared case-insensitively: stored and looked up lower-cased."""
    return value.strip().lower()


def _email(value: Any) -> Any:
    return normalise_email(cleaned(value)) if isinstance(value, str) else value


def _valid_email(email: str) -> str:
    if not email:
        raise rule("Enter your email address.")
    if len(email) > 254 or not _EMAIL.match(email):
        raise rule("Enter a valid email address, like name@example.org.")
    return email


def _given(message: str) -> Any:
    def check(value: str) -> str:
        if not value:
            raise rule(message)
        return value

    return AfterValidator(check)


def _name(value: str) -> str:
    return one_line(
        value,
        limit=NAME_MAX,
        missing="Enter the name other members will see.",
        too_long=f"Use at most {NAME_MAX} characters.",
    )


def _new_password(value: str, info: ValidationInfo) -> str:
    problem = password_problem(
        value, email=info.data.get("email", ""), display_name=info.data.get("display_name", "")
    )
    if problem:
        raise rule(problem)
    return value


def _same_as(field: str) -> Any:
    def check(value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and field in info.data and value != info.data[field]:
            raise rule(SAME_TWICE)
        return value

    return check


def _limited(limit: str, maximum: int) -> Any:
    def check(value: str) -> str:
        text = value.strip()
        if len(text) > maximum:
            raise rule(f"Keep your {limit} to {maximum} characters (it has {len(text)}).")
        return text

    return AfterValidator(check)


def _organisation(value: str) -> str:
    organisation = " ".join(value.split())
    if len(organisation) > ORGANISATION_MAX:
        raise rule(f"Use at most {ORGANISATION_MAX} characters.")
    return organisation


def _profession(value: Any) -> Any:
    return None if value == "" else value


def _zone(value: str) -> str:
    zone = value.strip()
    if zone and zone_named(zone) is None:
        raise rule("Choose a time zone from the list, such as Europe/London.")
    return zone


Email = Annotated[
    str,
    BeforeValidator(_email),
    AfterValidator(_valid_email),
    Field(json_schema_extra={"format": "email", "maxLength": 254}),
]
#: a password as typed: never trimmed or changed
NewPasswordText = Annotated[
    str,
    AfterValidator(_new_password),
    Field(json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH}),
]
DisplayName = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_name),
    Field(json_schema_extra={"pattern": r"\S", "maxLength": NAME_MAX}),
]
ACCOUNT_MESSAGES: Mapping[str, str] = {
    "email": "Enter your email address.",
    "display_name": "Enter the name other members will see.",
    "password": "Enter your password.",
    "current_password": "Enter your current password.",
    "new_password": f"Use at least {MIN_LENGTH} characters.",
    "password_confirm": SAME_TWICE,
    "new_password_confirm": SAME_TWICE,
    "profession": "Choose a profession from the list.",
    "organisation": f"Use at most {ORGANISATION_MAX} characters.",
    "years_in_practice": f"Enter a whole number of years from 0 to {YEARS_MAX}.",
    "bio": "Write your bio as text.",
    "story": "Write your story as text.",
    "time_zone": "Choose a time zone from the list, such as Europe/London.",
    "name": "Give the token a name, such as the script that will use it.",
    "profile_visibility": "Choose who may see your profile from the list.",
    "practice_areas": "Choose practice areas from the list (at most 30).",
    "cpd_goal_hours": CPD_GOAL_MESSAGE,
}


class Registration(Command):
    """A new account (the password is checked against the email and name)."""

    messages: ClassVar[Mapping[str, str]] = ACCOUNT_MESSAGES
    email: Email
    display_name: DisplayName
    password: NewPasswordText


class Credentials(Command):
    """An email and password, to sign in or to get a token."""

    messages: ClassVar[Mapping[str, str]] = ACCOUNT_MESSAGES
    email: Annotated[
        str,
        BeforeValidator(_email),
        _given("Enter your email address."),
        Field(json_schema_extra={"format": "email", "maxLength": 254}),
    ]
    password: Annotated[
        str, _given("Enter your password."), Field(json_schema_extra={"maxLength": MAX_LENGTH})
    ]


class TokenRequest(Credentials):
    """An email and password, and the name of the token to make with them."""

    name: Annotated[
        str, BeforeValidator(cleaned), Field(json_schema_extra={"maxLength": TOKEN_NAME_MAX})
    ]


class EmailOnly(Command):
    """An email address (a reset link, a new verification link)."""

    messages: ClassVar[Mapping[str, str]] = ACCOUNT_MESSAGES
    email: Email


class NewPassword(Command):
    """A new password from a reset link, typed twice on the page."""

    messages: ClassVar[Mapping[str, str]] = ACCOUNT_MESSAGES
    password: NewPasswordText
    password_confirm: str | None = None

    _confirmed = field_validator("password_confirm")(_same_as("password"))


class PasswordChange(Command):
    """A new password in place of the current one."""

    messages: ClassVar[Mapping[str, str]] = ACCOUNT_MESSAGES
    current_password: Annotated[str, _given("Enter your current password.")]
    new_password: NewPasswordText
    new_password_confirm: str | None = None

    _confirmed = field_validator("new_password_confirm")(_same_as("new_password"))


Organisation = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_organisation),
    Field(json_schema_extra={"maxLength": ORGANISATION_MAX}),
]
Bio = Annotated[
    str,
    BeforeValidator(cleaned),
    _limited("bio", BIO_MAX),
    Field(json_schema_extra={"maxLength": BIO_MAX, "description": "Markdown"}),
]
Story = Annotated[
    str,
    BeforeValidator(cleaned),
    _limited("story", STORY_MAX),
    Field(json_schema_extra={"maxLength": STORY_MAX, "description": "Markdown"}),
]
TimeZone = Annotated[
    str,
    BeforeValidator(cleaned),
    AfterValidator(_zone),
    Field(description="IANA zone, empty for the site's zone"),
]
Years = Annotated[
    Annotated[StrictInt, Field(ge=0, le=YEARS_MAX)] | None, BeforeValidator(form_number)
]

#: the CPD/CET hours a member means to earn in a year; None (or blank in a form): no goal
CpdGoalHours = Annotated[
    Annotated[StrictInt, Field(ge=1, le=CPD_GOAL_MAX)] | None, BeforeValidator(form_number)
]


AREAS_MAX = 30
AreaId = Annotated[Id, BeforeValidator(form_number)]


class ProfileUpdate(Command):
    """Changes to one's profile: only the fields sent change (null clears profession and
    years; an empty time zone is the site's)."""

    messages: ClassVar[Mapping[str, str]] = ACCOUNT_MESSAGES
    display_name: DisplayName | None = None
    profession: Annotated[Profession | None, BeforeValidator(_profession)] = None
    organisation: Organisation | None = None
    years_in_practice: Years = None
    bio: Bio | None = None
    story: Story | None = None
    time_zone: TimeZone | None = None
    profile_visibility: ProfileVisibility | None = Field(
        None, description="Who may see your profile and find you in the directory"
    )
    practice_areas: list[AreaId] | None = Field(
        None, max_length=AREAS_MAX, description="The ids of your practice areas (all of them)"
    )
    cpd_goal_hours: CpdGoalHours = Field(
        None, description="Your yearly goal of CPD/CET hours (1 to 1000); null for none"
    )

    @field_validator("display_name")
    @classmethod
    def _named(cls, value: str | None) -> str:
        if value is None:  # sent as null: everyone needs a name
            raise rule("Enter the name other members will see.")
        return value

    def sent(self) -> dict[str, Any]:
        """The fields the form or body named, with their values (None: cleared)."""
        return {name: getattr(self, name) for name in self.model_fields_set}
