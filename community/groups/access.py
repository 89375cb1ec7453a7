"""Who may see and do what in a group. Admins may act as facilitators anywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from community import db
from community.accounts.models import Member
from community.db import fits
from community.errors import NotFound, PermissionDenied
from community.groups.models import Group, Membership


@dataclass(frozen=True)
class Viewer:
    """A group as one person sees it: their membership (if any) decides what they may do."""

    group: Group
    actor: Member | None
    membership: Membership | None

    @property
    def is_member(self) -> bool:
        return self.membership is not None

    @property
    def is_facilitator(self) -> bool:
        return self.membership is not None and self.membership.is_facilitator

    @property
    def can_facilitate(self) -> bool:
        """Facilitators of this group, and admins."""
        return self.is_facilitator or (self.actor is not None and self.actor.is_admin)

    @property
    def can_see_content(self) -> bool:
        """Threads, events and members: everyone for public groups, members for private ones."""
        return (
            not self.group.is_private
            or self.is_member
            or (self.actor is not None and self.actor.is_admin)
        )


def manages(actor: Member | None, viewer: Viewer | None) -> bool:
    """Whether the actor runs a group's thing (an event, a programme): its facilitators, and
    admins, who alone run site-wide ones (`viewer` None)."""
    if actor is not None and actor.is_admin:
        return True
    return viewer is not None and viewer.can_facilitate


def takes_part(actor: Member | None, viewer: Viewer | None) -> bool:
    """Whether the actor may take part in a group's thing (RSVP, enrol): verified members of
    the group, and anyone verified for site-wide ones (`viewer` None)."""
    if actor is None or not actor.is_verified:
        return False
    return viewer is None or viewer.is_member or actor.is_admin


def membership_in(row: dict[str, Any], prefix: str = "ms__") -> Membership | None:
    """The membership of a row that LEFT JOINed it with `columns(Membership, …, prefix)`."""
    return db.loaded(Membership, row, prefix) if row[f"{prefix}id"] is not None else None


async def access_group(actor: Member | None, slug: str) -> Viewer:
    """The group and the actor's place in it; NotFound if there is no such group. (On every
    group page: the group and the membership in one hand-written query, see `db.select`.)"""
    if not fits(Group, "slug", slug):
        raise NotFound("There is no group here.")
    rows = await db.select(
        f"SELECT {db.columns(Group, 'g')}, {db.columns(Membership, 'ms', 'ms__')} "  # noqa: S608
        f"FROM {Group._meta.db_table} g LEFT JOIN {Membership._meta.db_table} ms "
        "ON ms.group_id = g.id AND ms.member_id = $1 WHERE g.slug = $2",
        actor.id if actor is not None else 0,
        slug,
    )
    if not rows:
        raise NotFound("There is no group here.")
    return Viewer(group=db.loaded(Group, rows[0]), actor=actor, membership=membership_in(rows[0]))


async def access_group_content(actor: Member | None, slug: str) -> Viewer:
    """The group, if the actor may see what is inside it (PermissionDenied if private)."""
    viewer = await access_group(actor, slug)
    if not viewer.can_see_content:
        raise PermissionDenied("This group is private: only its members can see this.")
    return viewer


async def access_facilitation(actor: Member | None, slug: str) -> Viewer:
    """The group, if the actor facilitates it (or is an admin)."""
    if actor is None:
        raise PermissionDenied("Please sign in to continue.")
    viewer = await access_group(actor, slug)
    if not viewer.can_facilitate:
        raise PermissionDenied("Only the group's facilitators can do that.")
    return viewer
