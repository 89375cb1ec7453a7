"""Parsing group forms (HTML or JSON) into frozen commands."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from community.accounts.schemas import normalise_email
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


@dataclass(frozen=True)
class GroupForm:
    name: str
    slug: str
    description: str
    join_policy: JoinPolicy
    visibility: Visibility

    @classmethod
    def parse(cls, raw: Mapping[str, str], *, current_slug: str = "") -> GroupForm:
        errors: dict[str, str] = {}
        name = " ".join(str(raw.get("name", "")).split())
        if not name:
            errors["name"] = "Enter the group's name."
        elif len(name) > NAME_MAX:
            errors["name"] = f"Use at most {NAME_MAX} characters."
        slug = str(raw.get("slug", "")).strip().lower() or current_slug or slugify(name)
        if name and not slug:
            errors["slug"] = "Enter a web address made of letters and numbers, like family-work."
        elif slug and (not _SLUG.match(slug) or not 3 <= len(slug) <= 60):
            errors["slug"] = (
                "Use 3 to 60 lower-case letters, numbers and single hyphens, like family-work."
            )
        elif slug in RESERVED_SLUGS:
            errors["slug"] = "That web address is reserved. Choose another."
        description = str(raw.get("description", "")).strip()
        if len(description) > DESCRIPTION_MAX:
            errors["description"] = (
                f"Keep the description to {DESCRIPTION_MAX} characters (it has {len(description)})."
            )
        try:
            join_policy = JoinPolicy(str(raw.get("join_policy", "open")))
        except ValueError:
            errors["join_policy"] = "Choose who may join: anyone, by request, or by invitation."
            join_policy = JoinPolicy.OPEN
        try:
            visibility = Visibility(str(raw.get("visibility", "public")))
        except ValueError:
            errors["visibility"] = "Choose public or private."
            visibility = Visibility.PUBLIC
        if errors:
            raise Invalid(**errors)
        return cls(name, slug, description, join_policy, visibility)


def parse_message(raw: Mapping[str, str], field: str = "message") -> str:
    """An optional short message (join request, decision)."""
    message = str(raw.get(field, "")).strip()
    if len(message) > MESSAGE_MAX:
        raise Invalid(**{field: f"Keep the message to {MESSAGE_MAX} characters."})
    return message


def parse_invitee(raw: Mapping[str, str]) -> str:
    """The email address to invite."""
    email = normalise_email(str(raw.get("email", "")))
    if not email or len(email) > 254 or not _EMAIL.match(email):
        raise Invalid(email="Enter the email address to invite, like name@example.org.")
    return email


def parse_member_id(raw: Mapping[str, str], field: str = "member_id") -> int:
    member_id = whole_number(str(raw.get(field, "")), low=1)
    if member_id is None:
        raise Invalid(**{field: "Choose a member."})
    return member_id
