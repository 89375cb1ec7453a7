"""The account emails, as outbox data."""

from __future__ import annotations

from community.accounts.models import Member
from community.mail.outbox import Email
from community.urls import absolute_url


def verification(member: Member, *, token: str, token_id: int) -> Email:
    return Email(
        to=member.email or "",
        template="accounts/verify",
        context={"name": member.display_name, "url": absolute_url("accounts:verify", token=token)},
        idempotency_key=f"accounts:verify:{member.id}:{token_id}",
    )


def already_registered(member: Member, *, attempt: str) -> Email:
    """Sent instead of a second account, so registration never reveals who has one."""
    return Email(
        to=member.email or "",
        template="accounts/already_registered",
        context={
            "name": member.display_name,
            "login_url": absolute_url("accounts:login"),
            "reset_url": absolute_url("accounts:forgot"),
        },
        idempotency_key=f"accounts:already-registered:{member.id}:{attempt}",
    )


def password_reset(member: Member, *, token: str, token_id: int) -> Email:
    return Email(
        to=member.email or "",
        template="accounts/password_reset",
        context={"name": member.display_name, "url": absolute_url("accounts:reset", token=token)},
        idempotency_key=f"accounts:reset:{member.id}:{token_id}",
    )


def password_changed(member: Member, *, change_id: str) -> Email:
    return Email(
        to=member.email or "",
        template="accounts/password_changed",
        context={"name": member.display_name, "reset_url": absolute_url("accounts:forgot")},
        idempotency_key=f"accounts:password-changed:{member.id}:{change_id}",
    )
