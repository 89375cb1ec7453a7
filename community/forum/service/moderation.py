"""Facilitators keep discussions in order: pin, lock, hide and restore; edit history."""

from __future__ import annotations

from community import clock
from community.accounts.models import Member
from community.db import transaction
from community.errors import PermissionDenied
from community.forum import notify, versions
from community.forum.access import ThreadView, access_post, access_thread
from community.forum.models import HiddenReason, Post, PostRevision, Thread
from community.forum.schemas import PostAction, ThreadAction

NOT_FACILITATOR = "Only the group's facilitators can do that."


async def _moderated_thread(actor: Member | None, thread_id: int) -> ThreadView:
    view = await access_thread(actor, thread_id)
    if not view.can_moderate:
        raise PermissionDenied(NOT_FACILITATOR)
    return view


async def set_pinned(*, actor: Member | None, thread_id: int, pinned: bool) -> Thread:
    """Pin a thread to the top of its group's list, or unpin it."""
    view = await _moderated_thread(actor, thread_id)
    await versions.changed(thread_id, pinned=pinned)
    view.thread.pinned = pinned
    return view.thread


async def set_locked(*, actor: Member | None, thread_id: int, locked: bool) -> Thread:
    """Lock a thread (no new replies) or open it again."""
    view = await _moderated_thread(actor, thread_id)
    await versions.changed(thread_id, locked=locked)
    view.thread.locked = locked
    return view.thread


async def hide_thread(*, actor: Member | None, thread_id: int) -> Thread:
    """Hide a thread from everyone but the facilitators."""
    view = await _moderated_thread(actor, thread_id)
    if view.thread.hidden_at is None:
        view.thread.hidden_at = clock.now()
        async with transaction():
            await versions.changed(thread_id, hidden_at=view.thread.hidden_at)
            await notify.thread_withdrawn(thread_id)
    return view.thread


async def restore_thread(*, actor: Member | None, thread_id: int) -> Thread:
    """Show a hidden thread again."""
    view = await _moderated_thread(actor, thread_id)
    await versions.changed(thread_id, hidden_at=None)
    view.thread.hidden_at = None
    return view.thread


async def moderate_thread(*, actor: Member | None, thread_id: int, action: ThreadAction) -> Thread:
    """Pin, unpin, lock, unlock, hide or restore a thread (its group's facilitators)."""
    if action in (ThreadAction.PIN, ThreadAction.UNPIN):
        return await set_pinned(actor=actor, thread_id=thread_id, pinned=action == ThreadAction.PIN)
    if action in (ThreadAction.LOCK, ThreadAction.UNLOCK):
        return await set_locked(
            actor=actor, thread_id=thread_id, locked=action == ThreadAction.LOCK
        )
    if action == ThreadAction.HIDE:
        return await hide_thread(actor=actor, thread_id=thread_id)
    return await restore_thread(actor=actor, thread_id=thread_id)


async def _moderated_post(actor: Member | None, post_id: int) -> tuple[ThreadView, Post]:
    view, post = await access_post(actor, post_id)
    if not view.can_moderate:
        raise PermissionDenied(NOT_FACILITATOR)
    return view, post


async def hide_post(*, actor: Member | None, post_id: int) -> Post:
    """Hide a post: members see that it was hidden, facilitators still see it."""
    _, post = await _moderated_post(actor, post_id)
    if post.hidden_at is None or post.hidden_reason != HiddenReason.FACILITATOR:
        post.hidden_at = post.hidden_at or clock.now()
        post.hidden_reason = HiddenReason.FACILITATOR
        async with transaction():
            await Post.filter(id=post_id).update(
                hidden_at=post.hidden_at, hidden_reason=HiddenReason.FACILITATOR
            )
            await versions.changed(post.thread_id)
            await notify.post_withdrawn(post_id)
    return post


async def restore_post(*, actor: Member | None, post_id: int) -> Post:
    """Show a hidden post again; for a post held for review, this approves it (and its
    thread, if it opened one)."""
    _, post = await _moderated_post(actor, post_id)
    async with transaction():
        await Post.filter(id=post_id).update(hidden_at=None, hidden_reason=None)
        await versions.changed(post.thread_id)
        if post.is_held and post.number == 1:
            await Thread.filter(id=post.thread_id).update(hidden_at=None)
        if post.is_held:
            await notify.held_post_approved(post)
    post.hidden_at = None
    post.hidden_reason = None  # type: ignore[assignment]  # the field is nullable
    return post


async def moderate_post(*, actor: Member | None, post_id: int, action: PostAction) -> Post:
    """Hide a post, or restore (approve) it (its group's facilitators)."""
    if action == PostAction.HIDE:
        return await hide_post(actor=actor, post_id=post_id)
    return await restore_post(actor=actor, post_id=post_id)


async def list_revisions(
    *, actor: Member | None, post_id: int
) -> tuple[ThreadView, Post, list[PostRevision]]:
    """A post's earlier texts, newest first (facilitators)."""
    view, post = await _moderated_post(actor, post_id)
    revisions = await PostRevision.filter(post_id=post_id).order_by("-replaced_at", "-id")
    return view, post, list(revisions)
