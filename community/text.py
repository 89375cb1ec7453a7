"""Markdown in, safe HTML out: rendered once on write, stored beside the source."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import nh3
from markdown_it import MarkdownIt

# CommonMark with tables and autolinks (linkify needs an extra package, so only <url> autolinks);
# raw HTML is off in the parser and nh3 still sanitises what comes out (DESIGN.md, known traps).
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")

_ALLOWED_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
#: control characters, and lone surrogates (which JSON can smuggle in and UTF-8 cannot encode)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


#: the largest whole number a column holds (PostgreSQL's integer)
INT_MAX = 2**31 - 1


def whole_number(text: str, *, low: int = 0, high: int = INT_MAX) -> int | None:
    """The number that ASCII digits spell, if it lies from `low` to `high`; None otherwise.
    (str.isdigit() also passes "²", which int() refuses, and numbers past the column.)"""
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def clean_text(value: str) -> str:
    """Drop NUL and other control characters and lone surrogates, which PostgreSQL rejects
    and nobody means."""
    return _CONTROL.sub("", value)


def render_markdown(source: str) -> str:
    """Render Markdown to sanitised HTML; links get rel="nofollow ugc noopener"."""
    html = _markdown.render(clean_text(source))
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


def plain_text(html: str) -> str:
    """The words of sanitised HTML, for excerpts in notifications and emails."""
    text = nh3.clean(re.sub(r"</(p|li|h\d|tr|blockquote)>|<br>", " ", html), tags=set())
    return " ".join(unescape(text).split())


def spoken_duration(span: timedelta) -> str:
    """A span in the largest whole unit that keeps it readable: "45 seconds", "12 minutes",
    "3 hours", "9 days"."""
    seconds = max(0, int(span.total_seconds()))
    if seconds < 120:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    if seconds < 2 * 3600:
        return f"{seconds // 60} minutes"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} hours"
    return f"{seconds // 86400} days"
