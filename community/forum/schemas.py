"""Parsing forum forms (HTML or JSON) into frozen commands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from community.errors import Invalid
from community.forum.models import ReactionKind
from community.text import whole_number

TITLE_MAX = 200
BODY_MAX = 20_000


def _body(raw: Mapping[str, str], errors: dict[str, str]) -> str:
    body = str(raw.get("body", "")).strip()
    if not body:
        errors["body"] = "Write something before posting."
    elif len(body) > BODY_MAX:
        errors["body"] = f"Keep a post to {BODY_MAX:,} characters (it has {len(body):,})."
    return body


@dataclass(frozen=True)
class NewThread:
    title: str
    body: str

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> NewThread:
        errors: dict[str, str] = {}
        title = " ".join(str(raw.get("title", "")).split())
        if not title:
            errors["title"] = "Give the discussion a title."
        elif len(title) > TITLE_MAX:
            errors["title"] = f"Keep the title to {TITLE_MAX} characters."
        body = _body(raw, errors)
        if errors:
            raise Invalid(**errors)
        return cls(title, body)


@dataclass(frozen=True)
class NewPost:
    body: str
    quote_post_id: int | None = None

    @classmethod
    def parse(cls, raw: Mapping[str, str]) -> NewPost:
        errors: dict[str, str] = {}
        body = _body(raw, errors)
        quote: int | None = None
        raw_quote = str(raw.get("quote_post_id", "") or "").strip()
        if raw_quote:
            quote = whole_number(raw_quote, low=1)
            if quote is None:
                errors["quote_post_id"] = "Choose a post in this discussion to quote."
        if errors:
            raise Invalid(**errors)
        return cls(body, quote)


def parse_reaction(kind: str) -> ReactionKind:
    try:
        return ReactionKind(kind)
    except ValueError:
        raise Invalid(kind="Choose one of: like, insightful, thanks, support.") from None
