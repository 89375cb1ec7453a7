"""The forum's commands: the same rules and sentences for a page's form and an API body."""

from __future__ import annotations

import pytest

from community.errors import Invalid
from community.forum.schemas import BODY_MAX, TITLE_MAX, NewPost, NewThread, PostEdit


def _refused(
    command: type[NewThread | NewPost | PostEdit], data: dict[str, object]
) -> dict[str, str]:
    with pytest.raises(Invalid) as refused:
        command.from_json(data)
    return refused.value.fields


def test_a_thread_has_a_folded_title_and_a_trimmed_body() -> None:
    thread = NewThread.from_form(
        {"title": "  Safety \n planning ", "body": " Hi.\n", "csrf_token": "t"}
    )
    assert (thread.title, thread.body) == ("Safety planning", "Hi.")


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"title": " ", "body": ""}, {"title": "Give the discussion a title.",
                                      "body": "Write something before posting."}),
        ({"title": "x" * (TITLE_MAX + 1), "body": "Hi"},
         {"title": f"Keep the title to {TITLE_MAX} characters."}),
        ({"title": ["x"], "body": True}, {"title": "Give the discussion a title, as text.",
                                          "body": "Write the post as text."}),
        ({"body": "Hi"}, {"title": "Give the discussion a title, as text."}),
    ],
)  # fmt: skip
def test_thread_refusals_name_each_field(data: dict[str, object], fields: dict[str, str]) -> None:
    assert _refused(NewThread, data) == fields


def test_a_long_post_says_how_long_it_is() -> None:
    fields = _refused(PostEdit, {"body": "x" * (BODY_MAX + 5)})
    assert fields == {"body": f"Keep a post to {BODY_MAX:,} characters (it has {BODY_MAX + 5:,})."}


def test_control_characters_are_dropped_from_text() -> None:
    assert NewPost.from_json({"body": "a\x00b\x07c"}).body == "abc"


@pytest.mark.parametrize("quote", ["²", "0", "-1", True, 0, 2**31, "x", 1.5])
def test_a_quote_must_name_a_post(quote: object) -> None:
    fields = _refused(NewPost, {"body": "Yes.", "quote_post_id": quote})
    assert fields == {"quote_post_id": "Choose a post in this discussion to quote."}


@pytest.mark.parametrize(("quote", "read"), [("", None), ("12", 12), (12, 12), (None, None)])
def test_a_quote_from_a_form_or_a_body(quote: object, read: int | None) -> None:
    assert NewPost.from_json({"body": "Yes.", "quote_post_id": quote}).quote_post_id == read
