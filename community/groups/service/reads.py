"""The reads behind the group pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.queryset import QuerySet

from community import clock
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.db import Page, keyset_page
from community.groups.access import Viewer, access_facilitation, access_group, access_group_content
from community.groups.models import (
    Group,
    Invitation,
    InvitationStatus,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
)
from community.sessions import hash_key

DIRECTORY_PAGE_SIZE = 30
MEMBERS_PAGE_SIZE = 50
REQUESTS_PAGE_SIZE = 50


@dataclass(frozen=True)
class DirectoryEntry:
    group: Group
    #: the viewer's role in the group, or None
    role: Role | None


async def list_groups(
    *,
    actor: Member | None,
    query: str = "",
    mine: bool = False,
    cursor: str | None = None,
    limit: int = DIRECTORY_PAGE_SIZE,
) -> Page[DirectoryEntry]:
    """The directory: every group's name and description, by name, searchable, or only mine."""
    groups = Group.all()
    if query.strip():
        groups = groups.filter(name__icontains=query.strip()[:100])
    if mine:
        if actor is None:
            return Page(items=[], next_cursor=None)
        groups = groups.filter(memberships__member_id=actor.id)
    page = await keyset_page(groups, order=("name", "id"), cursor=cursor, limit=limit)
    roles: dict[int, Role] = {}
    if actor is not None and page.items:
        memberships = await Membership.filter(
            member_id=actor.id, group_id__in=[g.id for g in page.items]
        ).values_list("group_id", "role")
        roles = {int(group_id): Role(role) for group_id, role in memberships}
    return Page(
        items=[DirectoryEntry(group=g, role=roles.get(g.id)) for g in page.items],
        next_cursor=page.next_cursor,
    )


@dataclass(frozen=True)
class GroupHome:
    viewer: Viewer
    facilitators: list[Member]
    #: the viewer's own pending request, if any
    pending_request: JoinRequest | None
    #: a pending invitation to the viewer's address, if any
    invitation: Invitation | None
    pending_request_count: int


async def group_home(*, actor: Member | None, slug: str) -> GroupHome:
    """Everything the group's home page shows to this viewer."""
    viewer = await access_group(actor, slug)
    group = viewer.group
    facilitators = await Member.filter(
        memberships__group_id=group.id, memberships__role=Role.FACILITATOR
    ).order_by("display_name")
    pending_request = None
    invitation = None
    if actor is not None and not viewer.is_member:
        pending_request = await JoinRequest.filter(
            group_id=group.id, member_id=actor.id, status=RequestStatus.PENDING
        ).first()
        if actor.email:
            invitation = await Invitation.filter(
                group_id=group.id,
                email=actor.email,
                status=InvitationStatus.PENDING,
                expires_at__gt=clock.now(),
            ).first()
    count = 0
    if viewer.can_facilitate:
        count = await JoinRequest.filter(group_id=group.id, status=RequestStatus.PENDING).count()
    return GroupHome(viewer, list(facilitators), pending_request, invitation, count)


async def list_members(
    *,
    actor: Member | None,
    slug: str,
    cursor: str | None = None,
    limit: int = MEMBERS_PAGE_SIZE,
) -> tuple[Viewer, Page[Membership]]:
    """A page of the group's members, oldest first (private groups: members only)."""
    viewer = await access_group_content(ensure_signed_in(actor), slug)
    query = Membership.filter(group_id=viewer.group.id).select_related("member")
    return viewer, await keyset_page(query, order=("id",), cursor=cursor, limit=limit)


def _pending_requests(group: Group) -> QuerySet[JoinRequest]:
    return JoinRequest.filter(group_id=group.id, status=RequestStatus.PENDING).select_related(
        "member"
    )


async def list_join_requests(
    *, actor: Member | None, slug: str
) -> tuple[Viewer, list[JoinRequest]]:
    """Pending requests, oldest first (facilitators)."""
    viewer = await access_facilitation(actor, slug)
    requests = await _pending_requests(viewer.group).order_by("created_at", "id")
    return viewer, list(requests)


async def list_join_requests_page(
    *,
    actor: Member | None,
    slug: str,
    cursor: str | None = None,
    limit: int = REQUESTS_PAGE_SIZE,
) -> tuple[Viewer, Page[JoinRequest]]:
    """A page of pending requests, oldest first (facilitators); for the API."""
    viewer = await access_facilitation(actor, slug)
    query = _pending_requests(viewer.group)
    page = await keyset_page(query, order=("created_at", "id"), cursor=cursor, limit=limit)
    return viewer, page


async def list_invitations(*, actor: Member | None) -> list[Invitation]:
    """The signed-in member's pending invitations, newest first."""
    member = ensure_signed_in(actor)
    if not member.email:
        return []
    return list(
        await Invitation.filter(
            email=member.email, status=InvitationStatus.PENDING, expires_at__gt=clock.now()
        )
        .select_related("group", "invited_by")
        .order_by("-created_at")
    )


async def find_invitation(*, token: str) -> Invitation | None:
    """A pending invitation by its link's secret (to show before signing in)."""
    return (
        await Invitation.filter(
            token_hash=hash_key(token),
            status=InvitationStatus.PENDING,
            expires_at__gt=clock.now(),
        )
        .select_related("group", "invited_by")
        .first()
    )
