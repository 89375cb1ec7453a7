"""Joining and leaving: open joins, join requests and their decisions, invitations."""

from __future__ import annotations

import secrets
from datetime import timedelta
from enum import StrEnum
from typing import Any

from tortoise.exceptions import IntegrityError

from community import clock, sessions
from community.accounts.access import ensure_signed_in, ensure_verified
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.groups import emails, kinds
from community.groups.access import access_facilitation, access_group
from community.groups.models import (
    Group,
    Invitation,
    InvitationStatus,
    JoinPolicy,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
)
from community.groups.service.counters import add_membership, remove_membership
from community.mail.outbox import enqueue
from community.notifications.service import Notice, notify
from community.urls import path as url_path

INVITATION_LIFETIME = timedelta(days=14)
INVITATION_GONE = "This invitation is no longer valid. Ask a facilitator for a new one."


class JoinOutcome(StrEnum):
    MEMBER = "member"
    REQUESTED = "requested"


async def join_group(*, actor: Member, slug: str, message: str = "") -> JoinOutcome:
    """Join an open group, or ask to join one that admits by request. Harmless when repeated."""
    ensure_verified(actor)
    viewer = await access_group(actor, slug)
    group = viewer.group
    if viewer.is_member:
        return JoinOutcome.MEMBER
    if group.join_policy == JoinPolicy.OPEN:
        async with transaction():
            await add_membership(group.id, actor.id)
        return JoinOutcome.MEMBER
    if group.join_policy == JoinPolicy.INVITE:
        raise PermissionDenied("This group is by invitation only. A facilitator can invite you.")
    await _request_to_join(actor, group, message)
    return JoinOutcome.REQUESTED


async def _request_to_join(actor: Member, group: Group, message: str) -> None:
    now = clock.now()
    async with transaction():
        reopened = await JoinRequest.filter(
            group_id=group.id,
            member_id=actor.id,
            status__in=[RequestStatus.DECLINED, RequestStatus.WITHDRAWN],
        ).update(
            status=RequestStatus.PENDING,
            message=message,
            created_at=now,
            decided_at=None,
            decided_by_id=None,
            decision_message="",
        )
        if not reopened:
            try:
                async with transaction():
                    await JoinRequest.create(
                        group_id=group.id, member_id=actor.id, message=message, created_at=now
                    )
            except IntegrityError:
                return  # already pending (a double submit): nothing more to send
        request = await JoinRequest.get(group_id=group.id, member_id=actor.id)
        facilitators = await Member.filter(
            memberships__group_id=group.id,
            memberships__role=Role.FACILITATOR,
            deleted_at__isnull=True,
        )
        await notify(
            facilitators,
            Notice(
                kinds.JOIN_REQUEST,
                f"{actor.display_name} asked to join {group.name}",
                url=url_path("groups:requests", slug=group.slug),
                dedupe_key=f"join-request:{request.id}:{now.timestamp():.0f}",
                body=message,
                topic=f"requests:{group.id}",
                actor_id=actor.id,
            ),
        )


async def leave_group(*, actor: Member, slug: str) -> Group:
    """Leave a group; the last facilitator must appoint another first."""
    viewer = await access_group(actor, slug)
    if viewer.membership is None:
        raise Conflict("You are not a member of this group.")
    async with transaction():
        await remove_membership(viewer.membership)
    return viewer.group


async def _pending_request(group: Group, request_id: int) -> JoinRequest:
    # the group in the filter refuses a forged id from another group's URL
    request = (
        await JoinRequest.filter(id=request_id, group_id=group.id).select_related("member").first()
    )
    if request is None:
        raise NotFound("There is no such request in this group.")
    return request


async def _decide(
    actor: Member | None, slug: str, request_id: int, status: RequestStatus, message: str
) -> JoinRequest:
    facilitator = ensure_signed_in(actor)
    group = (await access_facilitation(facilitator, slug)).group
    request = await _pending_request(group, request_id)
    if request.status == status:
        return request  # a double submit
    if request.status != RequestStatus.PENDING:
        raise Conflict(f"This request was already {request.status}.")
    now = clock.now()
    async with transaction():
        changed = await JoinRequest.filter(id=request.id, status=RequestStatus.PENDING).update(
            status=status, decided_at=now, decided_by_id=facilitator.id, decision_message=message
        )
        if not changed:
            return await _pending_request(group, request_id)
        request.status, request.decision_message = status, message
        if status == RequestStatus.APPROVED:
            await add_membership(group.id, request.member.id)
        await notify(
            [request.member],
            Notice(
                kinds.REQUEST_DECIDED,
                f"Your request to join {group.name} was {status}",
                url=url_path("groups:detail", slug=group.slug),
                dedupe_key=f"join-decision:{request.id}:{request.created_at.timestamp():.0f}",
                body=message,
                topic=f"group:{group.id}",
                actor_id=facilitator.id,
            ),
        )
    return request


async def approve_join_request(
    *, actor: Member | None, slug: str, request_id: int, message: str = ""
) -> JoinRequest:
    """Admit the requester (facilitators); they are emailed, with the message if any."""
    return await _decide(actor, slug, request_id, RequestStatus.APPROVED, message)


async def decline_join_request(
    *, actor: Member | None, slug: str, request_id: int, message: str = ""
) -> JoinRequest:
    """Turn a request down (facilitators); the requester is emailed, with the message if any."""
    return await _decide(actor, slug, request_id, RequestStatus.DECLINED, message)


async def invite(*, actor: Member | None, slug: str, email: str) -> Invitation:
    """Invite an email address: a member sees it in the site and by email; someone new gets a
    link that works once they have registered. Inviting again renews the link."""
    inviter = ensure_signed_in(actor)
    group = (await access_facilitation(inviter, slug)).group
    if await Membership.filter(group_id=group.id, member__email=email).exists():
        raise Invalid(email=f"{email} is already a member of this group.")
    token = secrets.token_urlsafe(32)
    now = clock.now()
    values: dict[str, Any] = {
        "token_hash": sessions.hash_key(token),
        "status": InvitationStatus.PENDING,
        "created_at": now,
        "expires_at": now + INVITATION_LIFETIME,
        "responded_at": None,
        "invited_by_id": inviter.id,
    }
    async with transaction():
        renewed = await Invitation.filter(group_id=group.id, email=email).update(**values)
        if not renewed:
            await Invitation.create(group_id=group.id, email=email, **values)
        invitation = await Invitation.get(group_id=group.id, email=email)
        invitee = await Member.filter(email=email, deleted_at__isnull=True).first()
        if invitee is None:  # someone new: the emailed link is how they find it
            await enqueue(emails.invitation(invitation, group, inviter, token=token))
        else:
            await notify(
                [invitee],
                Notice(
                    kinds.INVITATION,
                    f"{inviter.display_name} invited you to join {group.name}",
                    url=url_path("groups:invitations"),
                    dedupe_key=f"invitation:{invitation.id}:{now.timestamp():.0f}",
                    body=group.description,
                    topic=f"group:{group.id}",
                    actor_id=inviter.id,
                ),
            )
    return invitation


async def _actors_invitation(
    actor: Member, token: str | None, invitation_id: int | None
) -> Invitation:
    """The invitation by its link's secret, or by id if it was sent to the actor's address."""
    query = Invitation.filter(status=InvitationStatus.PENDING, expires_at__gt=clock.now())
    if token:
        query = query.filter(token_hash=sessions.hash_key(token))
    elif invitation_id is not None and actor.email:
        query = query.filter(id=invitation_id, email=actor.email)
    else:
        raise NotFound(INVITATION_GONE)
    invitation = await query.select_related("group").first()
    if invitation is None:
        raise NotFound(INVITATION_GONE)
    return invitation


async def accept_invitation(
    *, actor: Member, token: str | None = None, invitation_id: int | None = None
) -> Group:
    """Join the group of an invitation (by its link, or from the member's own invitations)."""
    ensure_verified(actor)
    invitation = await _actors_invitation(actor, token, invitation_id)
    async with transaction():
        changed = await Invitation.filter(id=invitation.id, status=InvitationStatus.PENDING).update(
            status=InvitationStatus.ACCEPTED, responded_at=clock.now()
        )
        if changed:
            await add_membership(invitation.group.id, actor.id)
    return invitation.group


async def decline_invitation(
    *, actor: Member, token: str | None = None, invitation_id: int | None = None
) -> Group:
    """Say no to an invitation."""
    invitation = await _actors_invitation(actor, token, invitation_id)
    await Invitation.filter(id=invitation.id, status=InvitationStatus.PENDING).update(
        status=InvitationStatus.DECLINED, responded_at=clock.now()
    )
    return invitation.group
