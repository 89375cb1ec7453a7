"""Versions: every change a thread's pages show bumps the thread's version, and every change its
group's list of discussions shows bumps the group's forum version, so cached pages and post
fragments (see forum.routes) are used only while they are still what the database would render.
Call these inside the change's transaction."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import F, Subquery

from community.forum.models import Thread
from community.groups.models import Group

BUMP = {"version": F("version") + 1}
LIST_BUMP = {"forum_version": F("forum_version") + 1}


async def changed(thread_id: int, **fields: Any) -> None:
    """Something on the thread's pages changed (with `fields` set on the thread), and so maybe
    on its group's list: both versions move."""
    await Thread.filter(id=thread_id).update(**fields, **BUMP)
    await list_changed(thread_id=thread_id)


async def list_changed(*, group_id: int | None = None, thread_id: int | None = None) -> None:
    """A group's list of discussions changed: the group's, or the one holding the thread."""
    if group_id is not None:
        await Group.filter(id=group_id).update(**LIST_BUMP)
    else:
        holder = Subquery(Thread.filter(id=thread_id).values("group_id"))
        await Group.filter(id__in=holder).update(**LIST_BUMP)
