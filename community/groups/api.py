"""API: the group directory, a group's settings, joining and leaving, members, join requests,
facilitators and invitations. Every operation calls the same domain function as the pages."""

from __future__ import annotations

from community.accounts.api import MEMBER_SUMMARY, member_summary
from community.errors import NotFound
from community.groups import service
from community.groups.models import (
    Group,
    Invitation,
    InvitationStatus,
    JoinPolicy,
    JoinRequest,
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
from community.web.api import (
    BOOLEAN,
    CURSOR,
    DATETIME,
    ID,
    INTEGER,
    JSON,
    LIMIT,
    Api,
    Call,
    Param,
    items,
    nullable,
    obj,
    page_of,
    string,
    when,
)

#: this feature's operations, served under /api/v1 with the others'
api = Api()


TAG = "groups"
#: the longest slug GroupForm accepts; longer ones name no group
SLUG_MAX = 60


def _enum(values: list[str], *, null: bool = False) -> JSON:
    """A string from a fixed list (or null: JSON Schema wants null among the enum's values)."""
    if null:
        return {"type": ["string", "null"], "enum": [*values, None]}
    return string(enum=values)


ROLE = _enum([str(role) for role in Role], null=True)
_GROUP_PROPERTIES: JSON = {
    "id": ID,
    "slug": string(),
    "name": string(),
    "description": string(description="Markdown, as written"),
    "description_html": string(description="The description rendered to sanitised HTML"),
    "visibility": _enum([str(v) for v in Visibility]),
    "join_policy": _enum([str(p) for p in JoinPolicy]),
    "member_count": INTEGER,
    "facilitator_count": INTEGER,
    "last_activity_at": DATETIME,
    "created_at": DATETIME,
    "my_role": {**ROLE, "description": "Your role in the group; null if you are not a member"},
}
GROUP = api.component("Group", obj(list(_GROUP_PROPERTIES), **_GROUP_PROPERTIES))
_DETAIL_PROPERTIES: JSON = {
    **_GROUP_PROPERTIES,
    "my_request": {
        **_enum([str(RequestStatus.PENDING)], null=True),
        "description": "Your request to join, while it waits for a facilitator",
    },
    "my_invitation_id": {
        **nullable(ID),
        "description": "Your pending invitation to the group: accept it at "
        "/invitations/{invitation_id}/accept",
    },
    "facilitators": {"type": "array", "items": MEMBER_SUMMARY},
    "can_facilitate": {**BOOLEAN, "description": "You facilitate the group, or are an admin"},
    "can_see_content": {
        **BOOLEAN,
        "description": "You may see its members, threads and events (private groups: members)",
    },
    "pending_request_count": {
        **nullable(INTEGER),
        "description": "Requests waiting for a decision; null unless you can facilitate",
    },
}
GROUP_DETAIL = api.component("GroupDetail", obj(list(_DETAIL_PROPERTIES), **_DETAIL_PROPERTIES))
GROUP_REF = api.component(
    "GroupRef", obj(["id", "slug", "name"], id=ID, slug=string(), name=string())
)
GROUP_MEMBER = api.component(
    "GroupMember",
    obj(
        ["member", "role", "joined_at"],
        member=MEMBER_SUMMARY,
        role=_enum([str(role) for role in Role]),
        joined_at=DATETIME,
    ),
)
JOIN_REQUEST = api.component(
    "JoinRequest",
    obj(
        ["id", "member", "message", "status", "created_at", "decision_message"],
        id=ID,
        member=MEMBER_SUMMARY,
        message=string(),
        status=_enum([str(status) for status in RequestStatus]),
        created_at=DATETIME,
        decision_message=string(),
    ),
)
INVITATION = api.component(
    "Invitation",
    obj(
        ["id", "group", "invited_by", "created_at", "expires_at"],
        id=ID,
        group=GROUP_REF,
        invited_by=nullable(MEMBER_SUMMARY),
        created_at=DATETIME,
        expires_at=DATETIME,
    ),
)
SENT_INVITATION = api.component(
    "SentInvitation",
    obj(
        ["id", "email", "status", "created_at", "expires_at"],
        id=ID,
        email=string(),
        status=_enum([str(status) for status in InvitationStatus]),
        created_at=DATETIME,
        expires_at=DATETIME,
    ),
)


def _group_fields(group: Group, role: Role | None) -> JSON:
    return {
        "id": group.id,
        "slug": group.slug,
        "name": group.name,
        "description": group.description,
        "description_html": group.description_html,
        "visibility": str(group.visibility),
        "join_policy": str(group.join_policy),
        "member_count": group.member_count,
        "facilitator_count": group.facilitator_count,
        "last_activity_at": when(group.last_activity_at),
        "created_at": when(group.created_at),
        "my_role": str(role) if role is not None else None,
    }


def directory_entry(entry: DirectoryEntry) -> JSON:
    return _group_fields(entry.group, entry.role)


def group_detail(home: service.GroupHome) -> JSON:
    viewer = home.viewer
    return {
        **_group_fields(viewer.group, viewer.membership.role if viewer.membership else None),
        "my_request": str(home.pending_request.status) if home.pending_request else None,
        "my_invitation_id": home.invitation.id if home.invitation else None,
        "facilitators": [member_summary(member) for member in home.facilitators],
        "can_facilitate": viewer.can_facilitate,
        "can_see_content": viewer.can_see_content,
        "pending_request_count": home.pending_request_count if viewer.can_facilitate else None,
    }


def group_ref(group: Group) -> JSON:
    return {"id": group.id, "slug": group.slug, "name": group.name}


def group_member(membership: Membership) -> JSON:
    return {
        "member": member_summary(membership.member),
        "role": str(membership.role),
        "joined_at": when(membership.joined_at),
    }


def join_request(request: JoinRequest) -> JSON:
    return {
        "id": request.id,
        "member": member_summary(request.member),
        "message": request.message,
        "status": str(request.status),
        "created_at": when(request.created_at),
        "decision_message": request.decision_message,
    }


def invitation(row: Invitation) -> JSON:
    return {
        "id": row.id,
        "group": group_ref(row.group),
        "invited_by": member_summary(row.invited_by) if row.invited_by else None,
        "created_at": when(row.created_at),
        "expires_at": when(row.expires_at),
    }


def sent_invitation(row: Invitation) -> JSON:
    return {
        "id": row.id,
        "email": row.email,
        "status": str(row.status),
        "created_at": when(row.created_at),
        "expires_at": when(row.expires_at),
    }


def _slug(call: Call) -> str:
    """The group's slug from the path; one no group can have is simply not found (and never
    reaches the database with characters it would refuse)."""
    slug: str = call.path["slug"]
    if len(slug) > SLUG_MAX or clean_text(slug) != slug:
        raise NotFound("There is no group here.")
    return slug


async def _detail(call: Call, slug: str) -> JSON:
    return group_detail(await service.group_home(actor=call.actor, slug=slug))


@api.operation(
    "GET",
    "/groups",
    summary="The group directory, by name",
    description="Every group's name and description, private groups too. With a token, "
    "`my_role` says your role in each.",
    tag=TAG,
    auth="optional",
    query=[
        Param("q", string(), "Only groups whose name contains this."),
        Param("mine", BOOLEAN, "Only the groups you belong to (none for visitors)."),
        CURSOR,
        LIMIT,
    ],
    response=page_of(GROUP),
)
async def list_groups(call: Call) -> JSON:
    page = await service.list_groups(
        actor=call.actor,
        query=clean_text(call.query.get("q", "")),
        mine=call.flag("mine"),
        cursor=call.cursor(),
        limit=call.limit(),
    )
    return items(page.items, directory_entry, page.next_cursor)


@api.operation(
    "POST",
    "/groups",
    summary="Create a group (admins)",
    description="The slug is made from the name when not given. The first facilitator is "
    "you, or the active member named by `facilitator_id`.",
    tag=TAG,
    body=GroupForm,
    response=GROUP_DETAIL,
    status=201,
)
async def create_group(call: Call) -> JSON:
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
    response=GROUP_DETAIL,
)
async def get_group(call: Call) -> JSON:
    return await _detail(call, _slug(call))


@api.operation(
    "PATCH",
    "/groups/{slug}",
    summary="Change a group's settings (facilitators); only the fields you send",
    tag=TAG,
    body=GroupChanges,
    response=GROUP_DETAIL,
)
async def update_group(call: Call) -> JSON:
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
    response=obj(["status"], status=_enum([str(outcome) for outcome in JoinOutcome])),
)
async def join_group(call: Call) -> JSON:
    message = call.parsed(Message).message
    outcome = await service.join_group(actor=call.member(), slug=_slug(call), message=message)
    return {"status": str(outcome)}


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
    query=[CURSOR, LIMIT],
    response=page_of(GROUP_MEMBER),
)
async def list_members(call: Call) -> JSON:
    _, page = await service.list_members(
        actor=call.member(), slug=_slug(call), cursor=call.cursor(), limit=call.limit()
    )
    return items(page.items, group_member, page.next_cursor)


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
    query=[CURSOR, LIMIT],
    response=page_of(JOIN_REQUEST),
)
async def list_join_requests(call: Call) -> JSON:
    _, page = await service.list_join_requests_page(
        actor=call.member(), slug=_slug(call), cursor=call.cursor(), limit=call.limit()
    )
    return items(page.items, join_request, page.next_cursor)


async def _decide(call: Call, *, approve: bool) -> JSON:
    decide = service.approve_join_request if approve else service.decline_join_request
    message = call.parsed(Message).message
    request = await decide(
        actor=call.member(),
        slug=_slug(call),
        request_id=call.path["request_id"],
        message=message,
    )
    return join_request(request)


@api.operation(
    "POST",
    "/groups/{slug}/requests/{request_id}/approve",
    summary="Admit the requester (facilitators); they are told, with your message if any",
    tag=TAG,
    body=Message,
    response=JOIN_REQUEST,
)
async def approve_join_request(call: Call) -> JSON:
    return await _decide(call, approve=True)


@api.operation(
    "POST",
    "/groups/{slug}/requests/{request_id}/decline",
    summary="Turn a request down (facilitators); they are told, with your message if any",
    tag=TAG,
    body=Message,
    response=JOIN_REQUEST,
)
async def decline_join_request(call: Call) -> JSON:
    return await _decide(call, approve=False)


@api.operation(
    "POST",
    "/groups/{slug}/facilitators",
    summary="Make a member a facilitator (facilitators; admins may appoint anyone active)",
    tag=TAG,
    body=FacilitatorChoice,
    response=GROUP_MEMBER,
)
async def appoint_facilitator(call: Call) -> JSON:
    member_id = call.parsed(FacilitatorChoice).user_id
    membership = await service.appoint_facilitator(
        actor=call.member(), slug=_slug(call), member_id=member_id
    )
    return group_member(membership)


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
    response=SENT_INVITATION,
    status=201,
)
async def invite(call: Call) -> JSON:
    email = call.parsed(Invitee).email
    row = await service.invite(actor=call.member(), slug=_slug(call), email=email)
    return sent_invitation(row)


@api.operation(
    "GET",
    "/invitations",
    summary="Your pending invitations, newest first",
    description="All of them on one page (at most one per group).",
    tag=TAG,
    response=page_of(INVITATION),
)
async def list_invitations(call: Call) -> JSON:
    rows = await service.list_invitations(actor=call.member())
    return items(rows, invitation, None)


@api.operation(
    "POST",
    "/invitations/{invitation_id}/accept",
    summary="Accept an invitation sent to your address: you join the group",
    tag=TAG,
    response=GROUP_REF,
)
async def accept_invitation(call: Call) -> JSON:
    group = await service.accept_invitation(
        actor=call.member(), invitation_id=call.path["invitation_id"]
    )
    return group_ref(group)


@api.operation(
    "POST",
    "/invitations/{invitation_id}/decline",
    summary="Decline an invitation sent to your address",
    tag=TAG,
    response=GROUP_REF,
)
async def decline_invitation(call: Call) -> JSON:
    group = await service.decline_invitation(
        actor=call.member(), invitation_id=call.path["invitation_id"]
    )
    return group_ref(group)
