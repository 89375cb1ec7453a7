"""Who may see and do what in a group. Admins may act as facilitators anywhere."""

from __future__ import annotations

from dataclasses import dataclass

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


async def access_group(actor: Member | None, slug: str) -> Viewer:
    """The group and the actor's place in it; NotFound if there is no such group."""
    group = await Group.filter(slug=slug).first() if fits(Group, "slug", slug) else None
    if group is None:
        raise NotFound("There is no group here.")
    membership = None
    if actor is not None:
        membership = await Membership.filter(group_id=group.id, member_id=actor.id).first()
    return Viewer(group=group, actor=actor, membership=membership)


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
