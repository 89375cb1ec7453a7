"""The group commands: a new group and changes to one, the same for the page and the API."""

from __future__ import annotations

import pytest

from community.errors import Invalid
from community.groups.models import JoinPolicy, Visibility
from community.groups.schemas import GroupChanges, GroupForm, Invitee, Message

SLUG_RULE = "Use 3 to 60 lower-case letters, numbers and single hyphens, like family-work."


def _refused(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        GroupForm.from_json(data)
    return refused.value.fields


def test_a_new_group_gets_its_address_from_its_name() -> None:
    form = GroupForm.from_form({"name": "  Case   Reviews ", "csrf_token": "t"})
    assert (form.name, form.slug) == ("Case Reviews", "case-reviews")
    assert (form.join_policy, form.visibility) == (JoinPolicy.OPEN, Visibility.PUBLIC)
    assert form.facilitator_id is None


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, {"name": "Enter the group's name."}),
        ({"name": " "}, {"name": "Enter the group's name."}),
        ({"name": "New"}, {"slug": "That web address is reserved. Choose another."}),
        ({"name": "!!!"}, {"slug": "Enter a web address made of letters and numbers, like "
                                   "family-work."}),
        ({"name": "Circle", "slug": "Bad Slug"}, {"slug": SLUG_RULE}),
        ({"name": "Circle", "join_policy": "x", "visibility": "y"},
         {"join_policy": "Choose who may join: anyone, by request, or by invitation.",
          "visibility": "Choose public or private."}),
        ({"name": "Circle", "facilitator_id": "²"}, {"facilitator_id": "Choose a member."}),
        ({"name": "Circle", "facilitator_id": 2**40}, {"facilitator_id": "Choose a member."}),
        ({"name": "Circle", "description": "x" * 5001},
         {"description": "Keep the description to 5000 characters (it has 5001)."}),
    ],
)  # fmt: skip
def test_new_group_refusals_name_each_field(
    data: dict[str, object], fields: dict[str, str]
) -> None:
    assert _refused(data) == fields


def test_changes_name_only_what_is_sent() -> None:
    changes = GroupChanges.from_json({"visibility": "private"})
    assert changes.visibility == Visibility.PRIVATE
    assert (changes.name, changes.slug, changes.description, changes.join_policy) == (
        None, None, None, None,
    )  # fmt: skip
    with pytest.raises(Invalid) as refused:
        GroupChanges.from_json({"name": "", "slug": "admin"})
    assert set(refused.value.fields) == {"name", "slug"}


def test_a_message_is_optional_and_short() -> None:
    assert Message.from_form({"csrf_token": "t"}).message == ""
    assert Message.from_json({"message": "  I work in a CPS team. "}).message == (
        "I work in a CPS team."
    )
    with pytest.raises(Invalid) as refused:
        Message.from_json({"message": "x" * 1001})
    assert refused.value.fields == {"message": "Keep the message to 1000 characters."}


@pytest.mark.parametrize("email", ["", "not an email", "a@b", "x" * 250 + "@b.org", 5])
def test_an_invitee_needs_an_email_address(email: object) -> None:
    with pytest.raises(Invalid) as refused:
        Invitee.from_json({"email": email})
    assert refused.value.fields == {
        "email": "Enter the email address to invite, like name@example.org."
    }
    assert Invitee.from_form({"email": " Ann@Example.org "}).email == "ann@example.org"
