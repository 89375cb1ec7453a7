"""Flags: members ask facilitators to review a post; three flags hide it until reviewed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError

from community import clock
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.forum import emails, notify, versions
from community.forum.access import access_forum, access_post, ensure_can_post
from community.forum.models import Flag, FlagReason, FlagStatus, HiddenReason, Post
from community.forum.schemas import DETAILS_MAX
from community.groups.access import Viewer
from community.mail.outbox import enqueue

#: flags from different members that hide a post until a facilitator reviews it
HIDE_AT = 3


async def flag_post(
    *, actor: Member | None, post_id: int, reason: FlagReason, details: str = ""
) -> Post:
    """Flag a post for the facilitators (once per member; repeating changes nothing)."""
    view, post = await access_post(actor, post_id)
    flagger = ensure_can_post(view.viewer)
    if post.author.id == flagger.id:
        raise Conflict("You cannot flag your own post; edit or delete it instead.")
    if post.is_deleted:
        raise NotFound("There is no such post.")
    now = clock.now()
    try:
        async with transaction():
            flag = await Flag.create(
                post_id=post.id,
                member_id=flagger.id,
                reason=reason,
                details=details,
                created_at=now,
            )
            await notify.post_flagged(post, view.thread, view.viewer.group, flag.id)
            open_flags = await Flag.filter(post_id=post.id, status=FlagStatus.OPEN).count()
            if open_flags >= HIDE_AT:
                hidden = await Post.filter(id=post.id, hidden_at__isnull=True).update(
                    hidden_at=now, hidden_reason=HiddenReason.FLAGS
                )
                if hidden:
                    await notify.post_withdrawn(post.id)
                    await versions.changed(post.thread_id)
    except IntegrityError:  # flagged it already
        pass
    return post


@dataclass(frozen=True)
class FlaggedPost:
    post: Post
    flags: list[Flag]


@dataclass(frozen=True)
class ReviewQueue:
    flagged: list[FlaggedPost]
    #: new members' posts with links, waiting for approval
    held: list[Post]


async def list_flag_queue(*, actor: Member | None, slug: str) -> tuple[Viewer, ReviewQueue]:
    """Posts of the group with open flags, oldest flag first, and posts held for review
    (facilitators)."""
    viewer = await access_forum(actor, slug)
    if not viewer.can_facilitate:
        raise PermissionDenied("Only the group's facilitators can review flags.")
    flags = (
        await Flag.filter(status=FlagStatus.OPEN, post__thread__group_id=viewer.group.id)
        .select_related("post", "post__author", "post__thread", "member")
        .order_by("created_at", "id")
    )
    by_post: dict[int, list[Flag]] = defaultdict(list)
    posts: dict[int, Post] = {}
    for flag in flags:
        by_post[flag.post_id].append(flag)
        posts[flag.post_id] = flag.post
    held = (
        await Post.filter(hidden_reason=HiddenReason.REVIEW, thread__group_id=viewer.group.id)
        .select_related("author", "thread")
        .order_by("created_at", "id")
    )
    flagged = [FlaggedPost(posts[post_id], by_post[post_id]) for post_id in by_post]
    return viewer, ReviewQueue(flagged=flagged, held=list(held))


async def _review(actor: Member | None, post_id: int) -> Post:
    view, post = await access_post(actor, post_id)
    if not view.can_moderate:
        raise PermissionDenied("Only the group's facilitators can review flags.")
    return post


async def _close_flags(post: Post, status: FlagStatus) -> int:
    """Call inside a transaction."""
    return await Flag.filter(post_id=post.id, status=FlagStatus.OPEN).update(
        status=status, resolved_at=clock.now()
    )


async def dismiss_flags(*, actor: Member | None, post_id: int) -> Post:
    """The post is fine: close its flags and show it again if flags had hidden it."""
    post = await _review(actor, post_id)
    async with transaction():
        await _close_flags(post, FlagStatus.DISMISSED)
        if post.hidden_reason == HiddenReason.FLAGS:
            await Post.filter(id=post.id).update(hidden_at=None, hidden_reason=None)
            await versions.changed(post.thread_id)
    return post


async def hide_flagged_post(*, actor: Member | None, post_id: int) -> Post:
    """The flags are right: hide the post for good and close its flags."""
    post = await _review(actor, post_id)
    async with transaction():
        await _close_flags(post, FlagStatus.ACTIONED)
        await Post.filter(id=post.id).update(
            hidden_at=post.hidden_at or clock.now(), hidden_reason=HiddenReason.FACILITATOR
        )
        await notify.post_withdrawn(post.id)
        await versions.changed(post.thread_id)
    return post


async def warn_author(*, actor: Member | None, post_id: int, message: str = "") -> Post:
    """Email the author a warning about the post and close its flags."""
    post = await _review(actor, post_id)
    if len(message) > DETAILS_MAX:
        raise Invalid(message=f"Keep the message to {DETAILS_MAX} characters.")
    author = post.author
    async with transaction():
        closed = await _close_flags(post, FlagStatus.ACTIONED)
        if closed and author.email:
            await enqueue(emails.warning(author, post, message=message))
    return post
