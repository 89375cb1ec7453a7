"""The group emails, as outbox data."""

from __future__ import annotations

from community.accounts.models import Member
from community.groups.models import Group, Invitation
from community.mail.outbox import Email
from community.urls import absolute_url


def invitation(invite: Invitation, group: Group, inviter: Member, *, token: str) -> Email:
    return Email(
        to=invite.email,
        template="groups/invitation",
        context={
            "group": group.name,
            "inviter": inviter.display_name,
            "description": group.description[:500],
            "url": absolute_url("groups:invitation_link", token=token),
        },
        idempotency_key=f"groups:invitation:{invite.id}:{int(invite.created_at.timestamp())}",
    )
