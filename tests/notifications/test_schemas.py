"""The email-choice command: one rule and one message for the settings page and the API."""

from __future__ import annotations

import pytest

from community.errors import Invalid
from community.events import kinds as events_kinds
from community.forum import kinds as forum_kinds
from community.notifications.models import Delivery
from community.notifications.schemas import (
    CHOICE_MESSAGE,
    NO_DIGEST_MESSAGE,
    MarkRead,
    NotificationChoices,
)


def test_choices_name_only_the_kinds_sent() -> None:
    choices = NotificationChoices.from_json({"reply": "digest", "event_reminder": "never"})
    assert choices.chosen() == {
        forum_kinds.REPLY: Delivery.DIGEST,
        events_kinds.EVENT_REMINDER: Delivery.NEVER,
    }


def test_a_reminder_cannot_wait_for_the_digest() -> None:
    with pytest.raises(Invalid) as refused:
        NotificationChoices.from_json({"event_reminder": "digest", "reply": "digest"})
    assert refused.value.fields == {"event_reminder": NO_DIGEST_MESSAGE}


@pytest.mark.parametrize("value", ["sometimes", None, 1, "", "DIGEST"])
def test_a_choice_that_is_not_one_of_the_options_is_refused(value: object) -> None:
    with pytest.raises(Invalid) as refused:
        NotificationChoices.from_json({"reply": value})
    assert refused.value.fields == {"reply": CHOICE_MESSAGE}


def test_every_wrong_field_is_named_at_once() -> None:
    with pytest.raises(Invalid) as refused:
        NotificationChoices.from_json(
            {"reply": "never", "mention": "loudly", "event_reminder": "digest", "party": "x"}
        )
    assert set(refused.value.fields) == {"mention", "event_reminder", "party"}
    assert refused.value.fields["party"] == "There is no such field."


def test_a_form_passes_over_the_pages_own_fields() -> None:
    choices = NotificationChoices.from_form({"csrf_token": "abc", "quote": "never"})
    assert choices.chosen() == {forum_kinds.QUOTE: Delivery.NEVER}


def test_the_documented_schema_offers_no_digest_for_reminders() -> None:
    properties = NotificationChoices.model_json_schema()["properties"]
    assert properties["event_reminder"]["enum"] == ["immediately", "never"]
    assert properties["reply"]["enum"] == ["immediately", "digest", "never"]
    assert "default" not in properties["reply"]


@pytest.mark.parametrize("ids", [[True], ["1"], [0], [2**31], list(range(1, 1002)), "1", [1.5]])
def test_mark_read_takes_at_most_a_thousand_ids(ids: object) -> None:
    with pytest.raises(Invalid) as refused:
        MarkRead.from_json({"ids": ids})
    assert set(refused.value.fields) == {"ids"}
    assert MarkRead.from_json({}).ids is None
    assert MarkRead.from_json({"ids": [1, 2]}).ids == [1, 2]
