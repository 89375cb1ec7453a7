"""Parsing and validating account forms (HTML or JSON) into frozen commands."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from community.accounts.models import Profession
from community.accounts.passwords import password_problem
from community.clock import zone_named
from community.errors import Invalid
from community.text import whole_number

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NAME_MAX = 80
ORGANISATION_MAX = 120
BIO_MAX = 1000
STORY_MAX = 4000


def normalise_email(value: str) -> str:
    """Emails are compared case-insensitively: stored and looked up lower-cased."""
    return value.strip().lower()


def _email(raw: Mapping[str, str], errors: dict[str, str]) -> str:
    email = normalise_email(raw.get("email", ""))
    if not email:
        errors["email"] = "Enter your email address."
    elif len(email) > 254 or not _EMAIL.match(email):
        errors["email"] = "Enter a valid email address, like name@example.org."
    return email


def _display_name(raw: Mapping[str, str], errors: dict[str, str]) -> str:
    name = " ".join(raw.get("display_name", "").split())
    if not name:
        errors["display_name"] = "Enter the name other members will see."
    elif len(name) > NAME_MAX:
        errors["display_name"] = f"Use at most {NAME_MAX} characters."
    return name


def _new_password(
    raw: Mapping[str, str], errors: dict[str, str], field: str, *, email: str = "", name: str = ""
) -> str:
    password = raw.get(field, "")
    problem = password_problem(password, email=email, display_name=name)
    if problem:
        errors[field] = problem
    return password


def _raise(errors: dict[str, str]) -> None:
    if errors:
        raise Invalid(**errors)


@dataclass(frozen=True)
class Registration:
    email: str
    display_name: str
    password: str

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> Registration:
        errors: dict[str, str] = {}
        email = _email(raw, errors)
        name = _display_name(raw, errors)
        password = _new_password(raw, errors, "password", email=email, name=name)
        _raise(errors)
        return cls(email=email, display_name=name, password=password)


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> Credentials:
        errors: dict[str, str] = {}
        email = normalise_email(raw.get("email", ""))
        if not email:
            errors["email"] = "Enter your email address."
        password = raw.get("password", "")
        if not password:
            errors["password"] = "Enter your password."
        _raise(errors)
        return cls(email=email, password=password)


@dataclass(frozen=True)
class EmailOnly:
    email: str

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> EmailOnly:
        errors: dict[str, str] = {}
        email = _email(raw, errors)
        _raise(errors)
        return cls(email=email)


@dataclass(frozen=True)
class NewPassword:
    password: str

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> NewPassword:
        errors: dict[str, str] = {}
        password = _new_password(raw, errors, "password")
        if not errors and raw.get("password_confirm", password) != password:
            errors["password_confirm"] = "The two passwords differ. Type the same one twice."
        _raise(errors)
        return cls(password=password)


@dataclass(frozen=True)
class PasswordChange:
    current_password: str
    new_password: str

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> PasswordChange:
        errors: dict[str, str] = {}
        current = raw.get("current_password", "")
        if not current:
            errors["current_password"] = "Enter your current password."
        new = _new_password(raw, errors, "new_password")
        if "new_password" not in errors and raw.get("new_password_confirm", new) != new:
            errors["new_password_confirm"] = "The two passwords differ. Type the same one twice."
        _raise(errors)
        return cls(current_password=current, new_password=new)


@dataclass(frozen=True)
class ProfileUpdate:
    display_name: str
    profession: Profession | None
    organisation: str
    years_in_practice: int | None
    bio: str
    story: str
    #: empty for the site's zone
    time_zone: str = ""

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> ProfileUpdate:
        errors: dict[str, str] = {}
        name = _display_name(raw, errors)
        profession: Profession | None = None
        raw_profession = raw.get("profession", "").strip()
        if raw_profession:
            try:
                profession = Profession(raw_profession)
            except ValueError:
                errors["profession"] = "Choose a profession from the list."
        organisation = " ".join(raw.get("organisation", "").split())
        if len(organisation) > ORGANISATION_MAX:
            errors["organisation"] = f"Use at most {ORGANISATION_MAX} characters."
        years: int | None = None
        raw_years = str(raw.get("years_in_practice", "")).strip()
        if raw_years:
            years = whole_number(raw_years, high=70)
            if years is None:
                errors["years_in_practice"] = "Enter a whole number of years from 0 to 70."
        bio = raw.get("bio", "").strip()
        if len(bio) > BIO_MAX:
            errors["bio"] = f"Keep your bio to {BIO_MAX} characters (it has {len(bio)})."
        story = raw.get("story", "").strip()
        if len(story) > STORY_MAX:
            errors["story"] = f"Keep your story to {STORY_MAX} characters (it has {len(story)})."
        time_zone = raw.get("time_zone", "").strip()
        if time_zone and zone_named(time_zone) is None:
            errors["time_zone"] = "Choose a time zone from the list, such as Europe/London."
        _raise(errors)
        return cls(name, profession, organisation, years, bio, story, time_zone)
