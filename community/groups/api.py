"""API: the group directory, a group's settings, joining and leaving, members, join requests,
facilitators and invitations. Every operation calls the same domain function as the pages."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from community.accounts.access import ensure_admin
from community.accounts.api import MemberSummary
from community.accounts.models import Member
from community.errors import NotFound
from community.groups import models, service
from community.groups.access import access_facilitation, access_group
from community.groups.models import (
    InvitationStatus,
    JoinPolicy,
    Membership,
    RequestStatus,
    Role,
    Visibility,
)
from community.groups.schemas import (
    FacilitatorChoice,
    GroupChanges,
    GroupForm,
    Invitee,
    Message,
)
from community.groups.service.membership import JoinOutcome
from community.groups.service.reads import DirectoryEntry
from community.text import clean_text
from community.web.api import Api, Call, Flag, Instant, Paged, Text

#: this feature's operations, served under /api/v1 with the others'
api = Api()


async def group_readers_only(actor: Member | None, params: dict[str, Any]) -> None:
    """A group that does not exist is a 404 before a body is read (#22)."""
    await access_group(actor, str(params["slug"]))


async def admins_only(actor: Member | None, params: dict[str, Any]) -> None:
    """Refuse everyone but admins before a body is read (#22)."""
    ensure_admin(actor)


async def facilitators_only(actor: Member | None, params: dict[str, Any]) -> None:
    """Refuse everyone but the group's facilitators and admins before a body is read (#22):
    404 for a group the actor may not see, 403 for one they may."""
    await access_facilitation(actor, str(params["slug"]))


TAG = "groups"
#: the longest slug GroupForm accepts; longer ones name no group
SLUG_MAX = 60


class Joined(BaseModel):
    """`member`: you are in (also when you were already); `requested`: facilitators decide."""

    status: JoinOutcome


class GroupRef(BaseModel):
    """A group, named."""

    id: int
    slug: str
    name: str

    @classmethod
    def of(cls, group: models.Group) -> GroupRef:
        return cls(id=group.id, slug=group.slug, name=group.name)


class Group(GroupRef):
    """A group in the directory, with your role in it."""

    description: str = Field(description="Markdown, as written")
    description_html: str = Field(description="The description rendered to sanitised HTML")
    visibility: Visibility
    join_policy: JoinPolicy
    member_count: int
    facilitator_count: int
    last_activity_at: Instant
    created_at: Instant
    case_discussion: bool = Field(
        description="Posts are checked for clients' details before they are saved, and "
        "notifications carry no post text"
    )
    my_role: Role | None = Field(description="Your role in the group; null if not a member")

    @classmethod
    def of_role(cls, group: models.Group, role: Role | None) -> dict[str, Any]:
        return {
            "id": group.id,
            "slug": group.slug,
            "name": group.name,
            "description": group.description,
            "description_html": group.description_html,
            "visibility": Visibility(group.visibility),
            "join_policy": JoinPolicy(group.join_policy),
            "member_count": group.member_count,
            "facilitator_count": group.facilitator_count,
            "last_activity_at": group.last_activity_at,
            "created_at": group.created_at,
            "case_discussion": group.case_discussion,
            "my_role": role,
        }

    @classmethod
    def entry(cls, entry: DirectoryEntry) -> Group:
        return cls(**cls.of_role(entry.group, entry.role))


class DirectoryQuery(Paged):
    q: Text = Field("", description="Only groups whose name contains this.")
    mine: Flag = Field(False, description="Only the groups you belong to (none for visitors).")


class GroupPage(BaseModel):
    items: list[Group]
    next_cursor: str | None


class GroupDetail(Group):
    """A group, and your place in it."""

    my_request: Literal["pending"] | None = Field(
        description="Your request to join, while it waits for a facilitator"
    )
    my_invitation_id: int | None = Field(
        description="Your pending invitation to the group: accept it at "
        "/invitations/{invitation_id}/accept"
    )
    facilitators: list[MemberSummary]
    can_facilitate: bool = Field(description="You facilitate the group, or are an admin")
    can_see_content: bool = Field(
        description="You may see its members, threads and events (private groups: members)"
    )
    pending_request_count: int | None = Field(
        description="Requests waiting for a decision; null unless you can facilitate"
    )

    @classmethod
    def of_home(cls, home: service.GroupHome) -> GroupDetail:
        viewer = home.viewer
        role = viewer.membership.role if viewer.membership else None
        return cls(
            **cls.of_role(viewer.group, Role(role) if role is not None else None),
            my_request="pending" if home.pending_request else None,
            my_invitation_id=home.invitation.id if home.invitation else None,
            facilitators=[MemberSummary.of(member) for member in home.facilitators],
            can_facilitate=viewer.can_facilitate,
            can_see_content=viewer.can_see_content,
            pending_request_count=home.pending_request_count if viewer.can_facilitate else None,
        )


class GroupMember(BaseModel):
    member: MemberSummary
    role: Role
    joined_at: Instant

    @classmethod
    def of(cls, membership: Membership) -> GroupMember:
        return cls(
            member=MemberSummary.of(membership.member),
            role=Role(membership.role),
            joined_at=membership.joined_at,
        )


class GroupMemberPage(BaseModel):
    items: list[GroupMember]
    next_cursor: str | None


class JoinRequest(BaseModel):
    id: int
    member: MemberSummary
    message: str
    status: RequestStatus
    created_at: Instant
    decision_message: str

    @classmethod
    def of(cls, request: models.JoinRequest) -> JoinRequest:
        return cls(
            id=request.id,
            member=MemberSummary.of(request.member),
            message=request.message,
            status=RequestStatus(request.status),
            created_at=request.created_at,
            decision_message=request.decision_message,
        )


class JoinRequestPage(BaseModel):
    items: list[JoinRequest]
    next_cursor: str | None


class Invitation(BaseModel):
    """An invitation to you."""

    id: int
    group: GroupRef
    invited_by: MemberSummary | None
    created_at: Instant
    expires_at: Instant

    @classmethod
    def of(cls, row: models.Invitation) -> Invitation:
        return cls(
            id=row.id,
            group=GroupRef.of(row.group),
            invited_by=MemberSummary.of(row.invited_by) if row.invited_by else None,
            created_at=row.created_at,
            expires_at=row.expires_at,
        )


class InvitationPage(BaseModel):
    items: list[Invitation]
    next_cursor: str | None


class SentInvitation(BaseModel):
    """An invitation you sent."""

    id: int
    email: str
    status: InvitationStatus
    created_at: Instant
    expires_at: Instant

    @classmethod
    def of(cls, row: models.Invitation) -> SentInvitation:
        return cls(
            id=row.id,
            email=row.email,
            status=InvitationStatus(row.status),
            created_at=row.created_at,
            expires_at=row.expires_at,
        )


def _slug(call: Call) -> str:
    """The group's slug from the path; one no group can have is simply not found (and never
    reaches the database with characters it would refuse)."""
    slug: str = call.path["slug"]
    if len(slug) > SLUG_MAX or clean_text(slug) != slug:
        raise NotFound("There is no group here.")
    return slug


async def _detail(call: Call, slug: str) -> GroupDetail:
    return GroupDetail.of_home(await service.group_home(actor=call.actor, slug=slug))


@api.operation(
    "GET",
    "/groups",
    summary="The group directory, by name",
    description="Every group's name and description, private groups too. With a token, "
    "`my_role` says your role in each.",
    tag=TAG,
    auth="optional",
    query=DirectoryQuery,
    response=GroupPage,
)
async def list_groups(call: Call) -> BaseModel:
    asked = call.params(DirectoryQuery)
    page = await service.list_groups(
        actor=call.actor, query=asked.q, mine=asked.mine, cursor=asked.cursor, limit=asked.limit
    )
    return GroupPage(items=[Group.entry(e) for e in page.items], next_cursor=page.next_cursor)


@api.operation(
    "POST",
    "/groups",
    summary="Create a group (admins)",
    description="The slug is made from the name when not given. The first facilitator is "
    "you, or the active member named by `facilitator_id`.",
    tag=TAG,
    body=GroupForm,
    response=GroupDetail,
    status=201,
    authorise=admins_only,
)
async def create_group(call: Call) -> BaseModel:
    form = call.parsed(GroupForm)
    group = await service.create_group(
        actor=call.member(), form=form, facilitator_id=form.facilitator_id
    )
    return await _detail(call, group.slug)


@api.operation(
    "GET",
    "/groups/{slug}",
    summary="A group, and your place in it",
    description="Anyone may see a group's name and description; `can_see_content` says "
    "whether you may see its members, threads and events.",
    tag=TAG,
    auth="optional",
    response=GroupDetail,
)
async def get_group(call: Call) -> BaseModel:
    return await _detail(call, _slug(call))


@api.operation(
    "PATCH",
    "/groups/{slug}",
    summary="Change a group's settings (facilitators); only the fields you send",
    tag=TAG,
    body=GroupChanges,
    response=GroupDetail,
    authorise=facilitators_only,
)
async def update_group(call: Call) -> BaseModel:
    updated = await service.update_group(
        actor=call.member(), slug=_slug(call), changes=call.parsed(GroupChanges)
    )
    return await _detail(call, updated.slug)


@api.operation(
    "POST",
    "/groups/{slug}/join",
    summary="Join an open group, or ask to join one that admits by request",
    description="`member`: you are in (also when you were already). `requested`: the "
    "facilitators will decide. Groups by invitation only answer 403.",
    tag=TAG,
    body=Message,
    response=Joined,
    authorise=group_readers_only,
)
async def join_group(call: Call) -> BaseModel:
    message = call.parsed(Message).message
    outcome = await service.join_group(actor=call.member(), slug=_slug(call), message=message)
    return Joined(status=outcome)


@api.operation(
    "POST",
    "/groups/{slug}/leave",
    summary="Leave a group (the last facilitator must appoint another first)",
    tag=TAG,
    status=204,
)
async def leave_group(call: Call) -> None:
    await service.leave_group(actor=call.member(), slug=_slug(call))


@api.operation(
    "GET",
    "/groups/{slug}/members",
    summary="The group's members, oldest first (private groups: members only)",
    tag=TAG,
    query=Paged,
    response=GroupMemberPage,
)
async def list_members(call: Call) -> BaseModel:
    _, page = await service.list_members(
        actor=call.member(),
        slug=_slug(call),
        cursor=call.params(Paged).cursor,
        limit=call.params(Paged).limit,
    )
    return GroupMemberPage(
        items=[GroupMember.of(m) for m in page.items], next_cursor=page.next_cursor
    )


@api.operation(
    "DELETE",
    "/groups/{slug}/members/{user_id}",
    summary="Remove a member from the group (facilitators); not a facilitator",
    tag=TAG,
    status=204,
)
async def remove_member(call: Call) -> None:
    await service.remove_member(
        actor=call.member(), slug=_slug(call), member_id=call.path["user_id"]
    )


@api.operation(
    "GET",
    "/groups/{slug}/requests",
    summary="Requests to join waiting for a decision, oldest first (facilitators)",
    tag=TAG,
    query=Paged,
    response=JoinRequestPage,
)
async def list_join_requests(call: Call) -> BaseModel:
    _, page = await service.list_join_requests_page(
        actor=call.member(),
        slug=_slug(call),
        cursor=call.params(Paged).cursor,
        limit=call.params(Paged).limit,
    )
    return JoinRequestPage(
        items=[JoinRequest.of(r) for r in page.items], next_cursor=page.next_cursor
    )


async def _decide(call: Call, *, approve: bool) -> BaseModel:
    decide = service.approve_join_request if approve else service.decline_join_request
    message = call.parsed(Message).message
    request = await decide(
        actor=call.member(),
        slug=_slug(call),
        request_id=call.path["request_id"],
        message=message,
    )
    return JoinRequest.of(request)


@api.operation(
    "POST",
    "/groups/{slug}/requests/{request_id}/approve",
    summary="Admit the requester (facilitators); they are told, with your message if any",
    tag=TAG,
    body=Message,
    response=JoinRequest,
    authorise=facilitators_only,
)
async def approve_join_request(call: Call) -> BaseModel:
    return await _decide(call, approve=True)


@api.operation(
    "POST",
    "/groups/{slug}/requests/{request_id}/decline",
    summary="Turn a request down (facilitators); they are told, with your message if any",
    tag=TAG,
    body=Message,
    response=JoinRequest,
    authorise=facilitators_only,
)
async def decline_join_request(call: Call) -> BaseModel:
    return await _decide(call, approve=False)


@api.operation(
    "POST",
    "/groups/{slug}/facilitators",
    summary="Make a member a facilitator (facilitators; admins may appoint anyone active)",
    tag=TAG,
    body=FacilitatorChoice,
    response=GroupMember,
    authorise=facilitators_only,
)
async def appoint_facilitator(call: Call) -> BaseModel:
    member_id = call.parsed(FacilitatorChoice).user_id
    membership = await service.appoint_facilitator(
        actor=call.member(), slug=_slug(call), member_id=member_id
    )
    return GroupMember.of(membership)


@api.operation(
    "DELETE",
    "/groups/{slug}/facilitators/{user_id}",
    summary="Make a facilitator an ordinary member again (facilitators); never the last one",
    tag=TAG,
    status=204,
)
async def remove_facilitator(call: Call) -> None:
    await service.remove_facilitator(
        actor=call.member(), slug=_slug(call), member_id=call.path["user_id"]
    )


@api.operation(
    "POST",
    "/groups/{slug}/invitations",
    summary="Invite an email address to the group (facilitators)",
    description="A member with that address is notified; someone new is emailed a link. "
    "Inviting the same address again renews the invitation.",
    tag=TAG,
    body=Invitee,
    response=SentInvitation,
    status=201,
    authorise=facilitators_only,
)
async def invite(call: Call) -> BaseModel:
    email = call.parsed(Invitee).email
    row = await service.invite(actor=call.member(), slug=_slug(call), email=email)
    return SentInvitation.of(row)


@api.operation(
    "GET",
    "/invitations",
    summary="Your pending invitations, newest first",
    description="All of them on one page (at most one per group).",
    tag=TAG,
    response=InvitationPage,
)
async def list_invitations(call: Call) -> BaseModel:
    rows = await service.list_invitations(actor=call.member())
    return InvitationPage(items=[Invitation.of(row) for row in rows], next_cursor=None)


@api.operation(
    "POST",
    "/invitations/{invitation_id}/accept",
    summary="Accept an invitation sent to your address: you join the group",
    tag=TAG,
    response=GroupRef,
)
async def accept_invitation(call: Call) -> BaseModel:
    group = await service.accept_invitation(
        actor=call.member(), invitation_id=call.path["invitation_id"]
    )
    return GroupRef.of(group)


@api.operation(
    "POST",
    "/invitations/{invitation_id}/decline",
    summary="Decline an invitation sent to your address",
    tag=TAG,
    response=GroupRef,
)
async def decline_invitation(call: Call) -> BaseModel:
    group = await service.decline_invitation(
        actor=call.member(), invitation_id=call.path["invitation_id"]
    )
    return GroupRef.of(group)
