"""Writing: threads, replies with quotes, edits with history, deletion, reactions."""

from __future__ import annotations

import contextlib
import re
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from community import clock
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.client_details import DetailsToConfirm, find_client_details, stored
from community.db import transaction
from community.errors import Conflict, Invalid, NotFound, PermissionDenied, RateLimited
from community.forum import notify, versions
from community.forum.access import access_forum, access_post, access_thread, ensure_can_post
from community.forum.mentions import find_mentioned, link_mentions
from community.forum.models import (
    HiddenReason,
    Mention,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    Thread,
    ThreadRead,
)
from community.forum.schemas import BODY_MAX, NewPost, NewThread, PostEdit
from community.forum.versions import BUMP, LIST_BUMP
from community.groups.access import Viewer
from community.groups.models import Group
from community.settings import current as current_settings
from community.text import render_markdown

#: posts a member may write in the window before being asked to slow down
POST_LIMIT = 10
POST_WINDOW = timedelta(minutes=5)
#: the same post sent again this soon by its author is the same post (a double submit)
RESUBMIT_WINDOW = timedelta(seconds=60)


#: the first key of the advisory locks taken while posting (the second is the member's id)
POSTING_LOCK = 1


async def _one_at_a_time(author: Member, connection: BaseDBAsyncClient) -> None:
    """Make one member's posts go one after another, so a double submit sees the first copy.
    PostgreSQL: an advisory lock keyed by the member, held to the end of the transaction (not
    a row lock on the member: that row also takes unread counters, so two members replying
    to each other deadlocked); SQLite runs one write transaction at a time anyway. Call
    inside the transaction, with its connection."""
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query(
            "SELECT pg_advisory_xact_lock($1, $2)", [POSTING_LOCK, author.id]
        )


async def _check_rate(actor: Member) -> None:
    """Counted in the database, so every web process shares the limit (RATE_LIMITS=off,
    for load tests, turns it off with the others)."""
    if not current_settings().rate_limits:
        return
    since = clock.now() - POST_WINDOW
    recent = await Post.filter(author_id=actor.id, created_at__gt=since).count()
    if recent >= POST_LIMIT:
        raise RateLimited(
            "You are posting very quickly. Please wait a few minutes before posting again.",
            retry_after=int(POST_WINDOW.total_seconds()),
        )


_LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
#: visible posts after which a member's links are trusted
TRUSTED_AFTER = 2


async def _needs_review(author: Member, body: str, viewer: Viewer) -> bool:
    """A new member's post with links waits for a facilitator (against link spam)."""
    if not _LINK.search(body) or viewer.can_facilitate:
        return False
    visible = await Post.filter(
        author_id=author.id, hidden_at__isnull=True, deleted_at__isnull=True
    ).count()
    return visible < TRUSTED_AFTER


def _checked(group: Group, *, body: str, confirmed: bool, title: str = "") -> list[dict[str, str]]:
    """In a case-discussion group, the possible client details in the title and body, to keep
    with the post once the author confirmed them (#20); DetailsToConfirm until then, naming
    the title when they are all there. Other groups' posts are not checked."""
    if not group.case_discussion:
        return []
    text = f"{title}\n\n{body}" if title else body
    findings = find_client_details(text)
    if findings and not confirmed:
        in_title = all(finding.end <= len(title) for finding in findings)
        raise DetailsToConfirm(text, findings, field="title" if in_title else "body")
    return stored(findings)


async def preview(*, actor: Member | None, body: str) -> str:
    """The HTML a post would have, for the editor's preview (signed-in members)."""
    ensure_signed_in(actor)
    return (await _rendered(body[:BODY_MAX]))[0] if body.strip() else ""


async def _rendered(body: str) -> tuple[str, list[Member]]:
    mentioned = await find_mentioned(body)
    return link_mentions(render_markdown(body), mentioned), mentioned


async def _record_mentions(post: Post, members: list[Member], author: Member) -> list[Member]:
    """Record who the post mentions; returns those mentioned for the first time. Call inside
    a transaction."""
    now = clock.now()
    added = []
    for member in members:
        if member.id == author.id:
            continue
        try:
            async with transaction():
                await Mention.create(post_id=post.id, member_id=member.id, created_at=now)
        except IntegrityError:  # mentioned already (an edit repeating a mention)
            continue
        added.append(member)
    return added


async def mark_read(thread_id: int, member_id: int, number: int) -> None:
    """Move the member's read position forward to `number` (never back): a guarded UPDATE,
    so concurrent readers and repliers never move it backwards."""
    moved = await ThreadRead.filter(
        thread_id=thread_id, member_id=member_id, last_read_number__lt=number
    ).update(last_read_number=number)
    if moved:
        return
    try:
        async with transaction():
            await ThreadRead.create(
                thread_id=thread_id, member_id=member_id, last_read_number=number
            )
    except IntegrityError:  # the row exists and is already at or past `number`
        return


async def start_thread(*, actor: Member | None, slug: str, form: NewThread) -> Thread:
    """Open a discussion in a group's forum (members of the group). A new member's first
    posts with links are held (the thread with them) until a facilitator approves. In a
    case-discussion group, possible client details need the author's confirmation."""
    viewer = await access_forum(actor, slug)
    author = ensure_can_post(viewer)
    findings = _checked(
        viewer.group, title=form.title, body=form.body, confirmed=form.confirm_findings
    )
    await _check_rate(author)
    body_html, mentioned = await _rendered(form.body)
    now = clock.now()
    held = await _needs_review(author, form.body, viewer)
    async with transaction() as connection:
        await _one_at_a_time(author, connection)
        again = await Thread.filter(
            group_id=viewer.group.id,
            author_id=author.id,
            title=form.title,
            created_at__gte=now - RESUBMIT_WINDOW,
        ).first()
        if again is not None and await Post.exists(thread_id=again.id, number=1, body=form.body):
            return again  # sent twice: the first one stands
        thread = await Thread.create(
            group_id=viewer.group.id,
            author_id=author.id,
            title=form.title,
            post_count=1,
            created_at=now,
            last_activity_at=now,
            hidden_at=now if held else None,
        )
        post = await Post.create(
            thread_id=thread.id,
            number=1,
            author_id=author.id,
            body=form.body,
            body_html=body_html,
            confirmed_findings=findings,
            created_at=now,
            hidden_at=now if held else None,
            hidden_reason=HiddenReason.REVIEW if held else None,
        )
        await _record_mentions(post, mentioned, author)
        await ThreadRead.create(thread_id=thread.id, member_id=author.id, last_read_number=1)
        await Group.filter(id=viewer.group.id).update(last_activity_at=now, **LIST_BUMP)
        if not held:
            await notify.post_published(post, thread, viewer.group, author, mentioned)
    return thread


async def reply(*, actor: Member | None, thread_id: int, form: NewPost) -> Post:
    """Add a post at the end of a thread, optionally quoting one of its posts. In a
    case-discussion group, possible client details need the author's confirmation."""
    view = await access_thread(actor, thread_id)
    author = ensure_can_post(view.viewer)
    if view.thread.locked and not view.can_moderate:
        raise Conflict("This discussion is locked: no new replies.")
    if form.quote_post_id is not None:
        quoted = await Post.filter(
            id=form.quote_post_id,
            thread_id=thread_id,
            deleted_at__isnull=True,
            hidden_at__isnull=True,
        ).exists()
        if not quoted:
            raise Invalid(quote_post_id="You can only quote a visible post of this discussion.")
    findings = _checked(view.viewer.group, body=form.body, confirmed=form.confirm_findings)
    await _check_rate(author)
    body_html, mentioned = await _rendered(form.body)
    now = clock.now()
    held = await _needs_review(author, form.body, view.viewer)
    async with transaction() as connection:
        await _one_at_a_time(author, connection)
        again = await Post.filter(
            thread_id=thread_id,
            author_id=author.id,
            body=form.body,
            quote_id=form.quote_post_id,
            deleted_at__isnull=True,
            created_at__gte=now - RESUBMIT_WINDOW,
        ).first()
        if again is not None:
            return again  # sent twice: the first one stands
        # the guarded counter numbers the post and settles a race with locking
        guard = Thread.filter(id=thread_id)
        if not view.can_moderate:
            guard = guard.filter(locked=False)
        if not await guard.update(post_count=F("post_count") + 1, last_activity_at=now, **BUMP):
            raise Conflict("This discussion is locked: no new replies.")
        number = (await Thread.get(id=thread_id)).post_count
        post = await Post.create(
            thread_id=thread_id,
            number=number,
            author_id=author.id,
            body=form.body,
            body_html=body_html,
            quote_id=form.quote_post_id,
            confirmed_findings=findings,
            created_at=now,
            hidden_at=now if held else None,
            hidden_reason=HiddenReason.REVIEW if held else None,
        )
        await _record_mentions(post, mentioned, author)
        await mark_read(thread_id, author.id, number)
        await Group.filter(id=view.viewer.group.id).update(last_activity_at=now, **LIST_BUMP)
        if not held:
            await notify.post_published(post, view.thread, view.viewer.group, author, mentioned)
    return post


async def edit_post(*, actor: Member | None, post_id: int, form: PostEdit) -> Post:
    """Change one's own post; the previous text is kept for facilitators. In a
    case-discussion group, possible client details need the author's confirmation."""
    view, post = await access_post(actor, post_id)
    if actor is None or post.author.id != actor.id:
        raise PermissionDenied("You can only edit your own posts.")
    if post.is_deleted:
        raise Conflict("This post is deleted.")
    if view.thread.locked and not view.can_moderate:
        raise Conflict("This discussion is locked: posts can no longer be edited.")
    if form.body == post.body:
        return post
    findings = _checked(view.viewer.group, body=form.body, confirmed=form.confirm_findings)
    body_html, mentioned = await _rendered(form.body)
    now = clock.now()
    async with transaction():
        await PostRevision.create(post_id=post.id, body=post.body, replaced_at=now)
        await Post.filter(id=post.id).update(
            body=form.body, body_html=body_html, confirmed_findings=findings, edited_at=now
        )
        await versions.changed(post.thread_id)
        added = await _record_mentions(post, mentioned, actor)
        post.body, post.body_html = form.body, body_html
        if added and not post.is_hidden:
            await notify.mentions_added(post, view.thread, view.viewer.group, actor, added)
    return await Post.get(id=post.id)


async def delete_post(*, actor: Member | None, post_id: int) -> Post:
    """Delete one's own post: it keeps its place as "post deleted"."""
    _, post = await access_post(actor, post_id)
    if actor is None or post.author.id != actor.id:
        raise PermissionDenied("You can only delete your own posts.")
    if not post.is_deleted:
        post.deleted_at = clock.now()
        async with transaction():
            await Post.filter(id=post.id, deleted_at__isnull=True).update(
                deleted_at=post.deleted_at
            )
            await versions.changed(post.thread_id)
            await notify.post_withdrawn(post.id)
    return post


async def _reactable(actor: Member | None, post_id: int) -> tuple[Member, Post]:
    view, post = await access_post(actor, post_id)
    member = ensure_can_post(view.viewer)
    if post.is_deleted or post.is_hidden:
        raise NotFound("There is no such post.")
    return member, post


async def react(*, actor: Member | None, post_id: int, kind: ReactionKind) -> Post:
    """Add a reaction of this kind (once per member; repeating it changes nothing)."""
    member, post = await _reactable(actor, post_id)
    with contextlib.suppress(IntegrityError):  # a double submit: already reacted
        async with transaction():
            await Reaction.create(
                post_id=post.id, member_id=member.id, kind=kind, created_at=clock.now()
            )
            await versions.changed(post.thread_id)
    return post


async def unreact(*, actor: Member | None, post_id: int, kind: ReactionKind) -> Post:
    """Take a reaction back."""
    member, post = await _reactable(actor, post_id)
    async with transaction():
        if await Reaction.filter(post_id=post.id, member_id=member.id, kind=kind).delete():
            await versions.changed(post.thread_id)
    return post
