"""Thread versions: every change a thread's pages show bumps its version, so cached pages
(see forum.routes) are used only while they are still what the database would render."""

from __future__ import annotations

from tortoise.expressions import F

from community.forum.models import Thread

BUMP = {"version": F("version") + 1}


async def changed(thread_id: int) -> None:
    """Something on the thread's pages changed. Call inside the change's transaction."""
    await Thread.filter(id=thread_id).update(**BUMP)
