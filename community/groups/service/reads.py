"""The reads behind the group pages, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.queryset import QuerySet

from community import clock, db
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.db import Page, decode_cursor, encode_cursor, keyset_page
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
    """The directory: every group's name and description, by name, searchable, or only mine,
    with the viewer's role in each: one hand-written query (see `db.select`)."""
    if mine and actor is None:
        return Page(items=[], next_cursor=None)
    params: list[Any] = [actor.id if actor is not None else 0]
    where: list[str] = []

    def value(item: Any) -> str:
        params.append(item)
        return f"${len(params)}"

    if query.strip():
        words = query.strip()[:100].lower()
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(f"LOWER(g.name) LIKE {value(pattern)} ESCAPE '\\'")
    if mine:
        where.append("ms.role IS NOT NULL")
    position = decode_cursor(cursor, str, int)
    if position is not None:
        name, last = position
        where.append(
            f"(g.name > {value(name)} OR (g.name = {value(name)} AND g.id > {value(last)}))"
        )
    rows = await db.select(
        f"SELECT {db.columns(Group, 'g')}, ms.role AS my_role "  # noqa: S608
        f"FROM {Group._meta.db_table} g LEFT JOIN {Membership._meta.db_table} ms "
        "ON ms.group_id = g.id AND ms.member_id = $1"
        + "".join(f" {'WHERE' if n == 0 else 'AND'} {clause}" for n, clause in enumerate(where))
        + f" ORDER BY g.name, g.id LIMIT {int(limit) + 1}",
        *params,
    )
    entries = [
        DirectoryEntry(db.loaded(Group, row), Role(row["my_role"]) if row["my_role"] else None)
        for row in rows[:limit]
    ]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(entries[-1].group.name, entries[-1].group.id)
    return Page(items=entries, next_cursor=next_cursor)


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
    rows = await db.select(
        f"SELECT {db.columns(Member, 'm')} FROM {Membership._meta.db_table} f "  # noqa: S608
        f"JOIN {Member._meta.db_table} m ON m.id = f.member_id "
        "WHERE f.group_id = $1 AND f.role = $2 ORDER BY m.display_name, m.id",
        group.id,
        Role.FACILITATOR.value,
    )
    facilitators = [db.loaded(Member, row) for row in rows]
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
    return GroupHome(viewer, facilitators, pending_request, invitation, count)


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
    # one hand-written query (the ORM's select_related cost 3 ms of building on the home page)
    rows = await db.select(
        f"SELECT {db.columns(Invitation, 'i')}, {db.columns(Group, 'g', 'g__')}, "  # noqa: S608
        f"{db.columns(Member, 'm', 'm__')} FROM {Invitation._meta.db_table} i "
        f"JOIN {Group._meta.db_table} g ON g.id = i.group_id "
        f"LEFT JOIN {Member._meta.db_table} m ON m.id = i.invited_by_id "
        "WHERE i.email = $1 AND i.status = $2 AND i.expires_at > $3 "
        "ORDER BY i.created_at DESC, i.id DESC",
        member.email,
        InvitationStatus.PENDING.value,
        clock.now(),
    )
    invitations = []
    for row in rows:
        invitation = db.loaded(Invitation, row)
        db.attach(invitation, "group", db.loaded(Group, row, "g__"))
        inviter = db.loaded(Member, row, "m__") if row["m__id"] is not None else None
        db.attach(invitation, "invited_by", inviter)
        invitations.append(invitation)
    return invitations


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
