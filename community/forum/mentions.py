"""@mentions: found in a post's source, linked in its rendered HTML."""

from __future__ import annotations

import re
from html import escape

from community.accounts.models import Member
from community.urls import path as url_path

_MENTION = re.compile(r"(?<![\w@/])@([a-z0-9_]{2,40})\b")
#: HTML between these tags is left alone: code keeps its text, links keep theirs
_SKIP = re.compile(r"(<(pre|code|a)\b.*?</\2>)", re.S | re.I)
MAX_MENTIONS = 20


def mentioned_handles(source: str) -> list[str]:
    """Handles written as @handle, in order, each once (at most 20)."""
    found: list[str] = []
    for handle in _MENTION.findall(source.lower()):
        if handle not in found:
            found.append(handle)
    return found[:MAX_MENTIONS]


async def find_mentioned(source: str) -> list[Member]:
    """The live members a post mentions."""
    handles = mentioned_handles(source)
    if not handles:
        return []
    return list(await Member.filter(handle__in=handles, deleted_at__isnull=True))


def link_mentions(html: str, members: list[Member]) -> str:
    """Turn @handle in rendered, sanitised HTML into links to the profiles (not inside code)."""
    if not members:
        return html
    by_handle = {member.handle: member for member in members if member.handle}

    def link(match: re.Match[str]) -> str:
        member = by_handle.get(match.group(1).lower())
        if member is None:
            return match.group(0)
        href = url_path("people:profile", member_id=member.id)
        return f'<a class="mention" href="{href}">@{escape(str(member.handle))}</a>'

    parts = _SKIP.split(html)
    out = []
    index = 0
    while index < len(parts):
        part = parts[index]
        if _SKIP.fullmatch(part or ""):
            out.append(part)
            index += 2  # skip the captured tag name
        else:
            out.append(_MENTION.sub(link, part))
            index += 1
    return "".join(out)
