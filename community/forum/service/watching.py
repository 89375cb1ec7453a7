"""Watching and muting threads and groups, and moving threads between groups."""

from __future__ import annotations

from typing import Any

from community import clock
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.db import transaction
from community.errors import NotFound, PermissionDenied
from community.forum import versions
from community.forum.access import access_forum, access_thread
from community.forum.models import Thread, Watch, WatchLevel
from community.groups.access import access_facilitation
from community.groups.models import Group, Role


async def _set(member: Member, level: WatchLevel | None, **target: Any) -> None:
    async with transaction():
        if level is None:
            await Watch.filter(member_id=member.id, **target).delete()
            return
        updated = await Watch.filter(member_id=member.id, **target).update(level=level)
        if not updated:
            await Watch.create(member_id=member.id, level=level, **target)


async def watch_thread(
    *, actor: Member | None, thread_id: int, level: WatchLevel | None
) -> WatchLevel | None:
    """Watch or mute a thread, or go back to the default (None)."""
    member = ensure_signed_in(actor)
    view = await access_thread(member, thread_id)
    await _set(member, level, thread_id=view.thread.id)
    return level


async def watch_group(
    *, actor: Member | None, slug: str, level: WatchLevel | None
) -> WatchLevel | None:
    """Watch or mute every thread of a group, or go back to the default (None)."""
    member = ensure_signed_in(actor)
    viewer = await access_forum(member, slug)
    await _set(member, level, group_id=viewer.group.id)
    return level


async def watch_levels(
    actor: Member | None, *, thread_id: int | None = None, group_id: int | None = None
) -> WatchLevel | None:
    """The member's own choice for a thread or a group (None: the default)."""
    if actor is None:
        return None
    query = Watch.filter(member_id=actor.id)
    query = query.filter(thread_id=thread_id) if thread_id else query.filter(group_id=group_id)
    watch = await query.first()
    return WatchLevel(watch.level) if watch else None


async def move_targets(*, actor: Member | None, thread_id: int) -> list[Group]:
    """The groups a facilitator may move this thread to: the others they facilitate."""
    view = await access_thread(actor, thread_id)
    if not view.can_moderate or actor is None:
        raise PermissionDenied("Only the group's facilitators can move a discussion.")
    groups = Group.exclude(id=view.viewer.group.id).order_by("name")
    if not actor.is_admin:
        groups = groups.filter(memberships__member_id=actor.id, memberships__role=Role.FACILITATOR)
    return list(await groups)


async def move_thread(*, actor: Member | None, thread_id: int, target_slug: str) -> Thread:
    """Move a thread to another group; the actor must facilitate both."""
    view = await access_thread(actor, thread_id)
    if not view.can_moderate:
        raise PermissionDenied("Only the group's facilitators can move a discussion.")
    try:
        target = (await access_facilitation(actor, target_slug)).group
    except NotFound:
        raise NotFound("There is no such group to move the discussion to.") from None
    if target.id == view.viewer.group.id:
        return view.thread
    async with transaction():
        await versions.list_changed(group_id=view.viewer.group.id)
        await versions.changed(thread_id, group_id=target.id)
        await Group.filter(id=target.id).update(last_activity_at=clock.now())
    return await Thread.get(id=thread_id).select_related("group")
