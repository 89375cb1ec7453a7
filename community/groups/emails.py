"""The group emails, as outbox data."""

from __future__ import annotations

from community.accounts.models import Member
from community.groups.models import Group, Invitation, JoinRequest
from community.mail.outbox import Email


def request_received(
    facilitator: Member, request: JoinRequest, requester: Member, group: Group, *, base_url: str
) -> Email:
    return Email(
        to=facilitator.email or "",
        template="groups/request_received",
        context={
            "name": facilitator.display_name,
            "requester": requester.display_name,
            "group": group.name,
            "message": request.message,
            "url": f"{base_url}/groups/{group.slug}/requests",
        },
        idempotency_key=f"groups:request:{request.id}:{facilitator.id}:{int(request.created_at.timestamp())}",
    )


def request_decided(
    request: JoinRequest, requester: Member, group: Group, *, base_url: str
) -> Email:
    return Email(
        to=requester.email or "",
        template=f"groups/request_{request.status}",
        context={
            "name": requester.display_name,
            "group": group.name,
            "message": request.decision_message,
            "url": f"{base_url}/groups/{group.slug}",
        },
        idempotency_key=f"groups:decision:{request.id}:{request.status}:{int(request.created_at.timestamp())}",
    )


def invitation(
    invite: Invitation, group: Group, inviter: Member, *, token: str, base_url: str
) -> Email:
    return Email(
        to=invite.email,
        template="groups/invitation",
        context={
            "group": group.name,
            "inviter": inviter.display_name,
            "description": group.description[:500],
            "url": f"{base_url}/invitations/{token}",
        },
        idempotency_key=f"groups:invitation:{invite.id}:{int(invite.created_at.timestamp())}",
    )
