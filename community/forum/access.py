"""Who may read and write in a group's forum. Visibility follows the group's."""

from __future__ import annotations

from dataclasses import dataclass

from community import db
from community.accounts.models import Member
from community.errors import NotFound, PermissionDenied
from community.forum.models import Post, Thread
from community.groups.access import Viewer, access_group_content, membership_in
from community.groups.models import Group, Membership
from community.text import INT_MAX


@dataclass(frozen=True)
class ThreadView:
    """A thread as one person sees it."""

    viewer: Viewer
    thread: Thread

    @property
    def can_moderate(self) -> bool:
        return self.viewer.can_facilitate

    @property
    def can_reply(self) -> bool:
        return can_post(self.viewer) and (not self.thread.locked or self.can_moderate)


def can_post(viewer: Viewer) -> bool:
    """Members (and admins) with a verified address write in the group's forum."""
    actor = viewer.actor
    if actor is None or not actor.is_verified:
        return False
    return viewer.is_member or actor.is_admin


def ensure_can_post(viewer: Viewer) -> Member:
    """The actor if they may write here; PermissionDenied with the reason otherwise."""
    actor = viewer.actor
    if actor is None:
        raise PermissionDenied("Please sign in to take part.")
    if not actor.is_verified:
        raise PermissionDenied(
            "Please verify your email address first: use the link we sent you, "
            "or ask for a new one from the banner at the top of the page."
        )
    if not can_post(viewer):
        raise PermissionDenied("Join the group to take part in its discussions.")
    return actor


async def access_thread(actor: Member | None, thread_id: int) -> ThreadView:
    """The thread if the actor may read it: its group's content is visible to them, and a
    hidden thread only to the group's facilitators (others get NotFound)."""
    # on every thread page: the thread, its group and the reader's membership in one
    # hand-written query (see `db.select`)
    rows = []
    if 1 <= thread_id <= INT_MAX:
        rows = await db.select(
            f"SELECT {db.columns(Thread, 't', 't__')}, {db.columns(Group, 'g', 'g__')}, "  # noqa: S608
            f"{db.columns(Membership, 'ms', 'ms__')} FROM {Thread._meta.db_table} t "
            f"JOIN {Group._meta.db_table} g ON g.id = t.group_id "
            f"LEFT JOIN {Membership._meta.db_table} ms "
            "ON ms.group_id = t.group_id AND ms.member_id = $1 WHERE t.id = $2",
            actor.id if actor is not None else 0,
            thread_id,
        )
    if not rows:
        raise NotFound("There is no such discussion.")
    thread = db.loaded(Thread, rows[0], "t__")
    group = db.loaded(Group, rows[0], "g__")
    db.attach(thread, "group", group)
    viewer = Viewer(group=group, actor=actor, membership=membership_in(rows[0]))
    if not viewer.can_see_content:
        if thread.group.is_private:
            raise NotFound("There is no such discussion.")
        raise PermissionDenied("This group is private: only its members can see this.")
    if thread.is_hidden and not viewer.can_facilitate:
        raise NotFound("There is no such discussion.")
    return ThreadView(viewer=viewer, thread=thread)


async def access_post(actor: Member | None, post_id: int) -> tuple[ThreadView, Post]:
    """A post and its thread, if the actor may read them."""
    post = await Post.filter(id=post_id).select_related("author").first()
    if post is None:
        raise NotFound("There is no such post.")
    view = await access_thread(actor, post.thread_id)
    if post.is_hidden and not view.can_moderate and (actor is None or actor.id != post.author.id):
        raise NotFound("There is no such post.")
    return view, post


async def access_forum(actor: Member | None, slug: str) -> Viewer:
    """A group whose forum the actor may read."""
    return await access_group_content(actor, slug)
