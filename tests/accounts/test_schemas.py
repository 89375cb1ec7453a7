"""The account commands: the same rules and sentences on the pages and in the API."""

from __future__ import annotations

import pytest

from community.accounts.schemas import (
    Credentials,
    NewPassword,
    PasswordChange,
    ProfileUpdate,
    Registration,
)
from community.errors import Invalid

GOOD = "correct horse battery"


def _fields(command: type[Registration | Credentials | NewPassword | PasswordChange |
                          ProfileUpdate], data: dict[str, object]) -> dict[str, str]:  # fmt: skip
    with pytest.raises(Invalid) as refused:
        command.from_json(data)
    return refused.value.fields


def test_a_registration_is_normalised() -> None:
    form = Registration.from_form({"email": " Ann@Example.ORG ", "display_name": " Ann  Lee ",
                                   "password": GOOD, "csrf_token": "t"})  # fmt: skip
    assert (form.email, form.display_name, form.password) == ("ann@example.org", "Ann Lee", GOOD)


def test_a_password_may_not_be_the_email_or_the_name() -> None:
    assert _fields(
        Registration, {"email": "annlee1234@x.org", "display_name": "Ann", "password": "annlee1234"}
    ) == {"password": "Do not use your email address as your password."}
    assert _fields(
        Registration, {"email": "a@x.org", "display_name": "Ann Lee Tan", "password": "ann lee tan"}
    ) == {"password": "Do not use your name as your password."}


def test_every_wrong_field_is_named() -> None:
    assert set(_fields(Registration, {"email": "bad", "display_name": " ", "password": 5})) == {
        "email", "display_name", "password",
    }  # fmt: skip
    assert _fields(Credentials, {}) == {
        "email": "Enter your email address.",
        "password": "Enter your password.",
    }


def test_a_new_password_typed_twice_must_match() -> None:
    assert _fields(NewPassword, {"password": GOOD, "password_confirm": GOOD + "!"}) == {
        "password_confirm": "The two passwords differ. Type the same one twice."
    }
    assert NewPassword.from_json({"password": GOOD}).password == GOOD  # the API types it once
    fields = _fields(PasswordChange, {"current_password": "", "new_password": "short"})
    assert set(fields) == {"current_password", "new_password"}


def test_profile_changes_name_what_was_sent() -> None:
    changes = ProfileUpdate.from_json({"profession": None, "bio": "  Hi  "})
    assert changes.sent() == {"profession": None, "bio": "Hi"}
    assert ProfileUpdate.from_form({"profession": "", "years_in_practice": ""}).sent() == {
        "profession": None,
        "years_in_practice": None,
    }
    assert _fields(ProfileUpdate, {"display_name": None}) == {
        "display_name": "Enter the name other members will see."
    }
    assert set(_fields(ProfileUpdate, {"years_in_practice": 71, "profession": "wizard"})) == {
        "years_in_practice", "profession",
    }  # fmt: skip
