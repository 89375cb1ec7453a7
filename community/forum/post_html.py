"""A thread page's posts, rendered once and shared by every reader who sees them alike.

What a post shows is the same for every member of its group who did not write it, reads
times in the same zone and has the same rights (facilitator or not): its header, text, quote
and reaction counts. That part is rendered once per thread version (the thread's version
moves with every change its pages show) and kept; each reader's own part, the row of
actions under a post (their reactions pressed, Edit and Delete on their own posts, Flag on
others', a facilitator's Hide), is a few short strings added to it. The actions are buttons
of one form around the page's posts, so the page carries one CSRF input, not one a button.

Rendering splits at marks no text can hold (every input is refused with NUL, and control
characters are removed): `NAME_END` after the author's name, where their current
recognitions go (#19: a recognition given or ending does not move the thread's version, so
they are added on each view), `ACTIONS` where a post's actions go, `END` after each post.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from community.forum.models import REACTION_LABELS, Post, Thread
from community.urls import path as url_path

ACTIONS = Markup("\x00")
END = Markup("\x01")
NAME_END = Markup("\x04")


@dataclass(frozen=True)
class Fragment:
    """One post as every reader of a variant sees it, but for their own actions."""

    post_id: int
    number: int
    author_id: int
    #: hidden or held for review: its author sees its text where others see a placeholder
    hidden: bool
    held: bool
    #: the post's HTML up to the end of its author's name ("" for a deleted author), from
    #: there to where the actions go, and after them ("" without actions)
    byline: str
    head: str
    tail: str
    has_actions: bool

    @property
    def size(self) -> int:
        return len(self.byline) + len(self.head) + len(self.tail)


def fragments_of(posts: Sequence[Post], rendered: str) -> list[Fragment]:
    """The posts' fragments from the HTML of their shared render (one END after each)."""
    parts = rendered.split(END)
    found = []
    for post, html in zip(posts, parts, strict=False):
        head, mark, tail = html.partition(ACTIONS)
        byline, named, rest = head.partition(NAME_END)
        found.append(
            Fragment(
                post_id=post.id,
                number=post.number,
                author_id=post.author_id,
                hidden=post.is_hidden,
                held=post.is_held,
                byline=byline if named else "",
                head=rest if named else head,
                tail=tail,
                has_actions=bool(mark),
            )
        )
    return found


def actions(
    fragment: Fragment,
    *,
    mine: Iterable[str],
    own: bool,
    can_moderate: bool,
    quote_href: str,
) -> str:
    """One reader's actions under a post (the page's form sends them)."""
    chosen = set(mine)
    post_id = fragment.post_id
    # in the post's footer after its reactions (the article is labelled "Post 12 by …", so
    # its buttons need no more words)
    parts = []
    for kind, label in REACTION_LABELS.items():
        if kind in chosen:
            parts.append(
                f'<button name="{kind}" value="{post_id} off" aria-pressed="true">{label}</button>'
            )
        else:
            parts.append(
                f'<button name="{kind}" value="{post_id}" aria-pressed="false">{label}</button>'
            )
    parts.append(f'<a href="{quote_href}{post_id}#reply">Quote</a>')
    if own:
        edit = url_path("forum:post_edit", post_id=post_id)
        delete = url_path("forum:post_delete", post_id=post_id)
        parts.append(f'<a href="{edit}">Edit</a>')
        parts.append(f'<button formaction="{delete}" class="danger">Delete</button>')
    else:
        parts.append(f'<a href="{url_path("forum:flag", post_id=post_id)}">Flag</a>')
    if can_moderate:
        action = "restore" if fragment.hidden else "hide"
        label = ("Approve" if fragment.held else "Restore") if fragment.hidden else "Hide"
        target = url_path("forum:post_moderate", post_id=post_id, action=action)
        parts.append(f'<button formaction="{target}">{label}</button>')
    return "".join(parts)


def assemble(
    fragments: Sequence[Fragment],
    *,
    reader_id: int | None,
    mine: Mapping[int, Iterable[str]],
    can_moderate: bool,
    first_unread: int | None,
    quote_href: str,
    recognitions: Mapping[int, Sequence[str]],
) -> Markup:
    """The page's posts for one reader: the shared fragments with their own actions, and each
    author's current recognitions beside their name."""
    out = []
    for fragment in fragments:
        if first_unread is not None and fragment.number == first_unread:
            out.append('<p class="unread-marker" id="unread">New since your last visit</p>\n')
        if fragment.byline:
            out.append(fragment.byline)
            out.append(badges(recognitions.get(fragment.author_id, ())))
        out.append(fragment.head)
        if fragment.has_actions:
            out.append(
                actions(
                    fragment,
                    mine=mine.get(fragment.post_id, ()),
                    own=fragment.author_id == reader_id,
                    can_moderate=can_moderate,
                    quote_href=quote_href,
                )
            )
        out.append(fragment.tail)
    # the fragments come from the auto-escaped templates; actions hold ids and our own words
    return Markup("".join(out))  # noqa: S704


def badges(titles: Iterable[str]) -> str:
    """An author's current recognitions as small badges (the titles are admins' words)."""
    return "".join(f' <span class="badge-recognition">{escape(title)}</span>' for title in titles)


def quote_href(page: int) -> str:
    """The start of a post's Quote link: this page of the thread, asking to quote a post."""
    return str(escape(f"?page={page}&quote="))


#: in a thread row: where the reader's "unread" class goes, and where their badge goes
UNREAD_CLASS = Markup("\x02")
BADGE = Markup("\x03")


@dataclass(frozen=True)
class ThreadRow:
    """One row of a group's list of discussions, as every reader of a variant sees it but for
    how much of it they have read."""

    thread_id: int
    post_count: int
    #: the row's HTML around the reader's class and badge
    parts: tuple[str, str, str]


def rows_of(threads: Sequence[Thread], rendered: str) -> list[ThreadRow]:
    """The rows from the HTML of their shared render (one END after each)."""
    rows = []
    for thread, html in zip(threads, rendered.split(END), strict=False):
        before, _, rest = html.partition(UNREAD_CLASS)
        middle, _, after = rest.partition(BADGE)
        rows.append(ThreadRow(thread.id, thread.post_count, (before, middle, after)))
    return rows


def assemble_rows(
    rows: Sequence[ThreadRow], *, signed_in: bool, last_read: Mapping[int, int]
) -> Markup:
    """The list for one reader: bold and a badge where there is something they have not read."""
    out = []
    for row in rows:
        before, middle, after = row.parts
        if not signed_in:
            out += [before, middle, after]
            continue
        read = last_read.get(row.thread_id)
        unread = None if read is None else max(row.post_count - read, 0)
        if unread is None:
            out += [before, " thread-row--unread", middle, '<span class="badge">New</span>', after]
        elif unread > 0:
            badge = f'<span class="badge">{unread} new</span>'
            out += [before, " thread-row--unread", middle, badge, after]
        else:
            out += [before, middle, after]
    # the rows come from the auto-escaped templates; the badges hold numbers
    return Markup("".join(out))  # noqa: S704
