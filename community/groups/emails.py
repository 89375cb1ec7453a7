"""The group emails, as outbox data."""

from __future__ import annotations

from community.accounts.models import Member
from community.groups.models import Group, Invitation
from community.mail.outbox import Email


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
