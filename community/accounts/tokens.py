"""Personal access tokens for the API: members create, name and revoke them; only a hash is
kept, the secret is shown once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from community import clock, sessions
from community.accounts.models import AccessToken, Member
from community.accounts.schemas import TOKEN_NAME_MAX as NAME_MAX
from community.accounts.schemas import Credentials
from community.accounts.service import check_credentials
from community.errors import Invalid, NotFound, PermissionDenied

PREFIX = "cop_"
TOKENS_MAX = 50
#: last_used_at is written at most this often
TOUCH_EVERY = timedelta(minutes=1)


def token_name(raw: str) -> str:
    """A token's label, checked."""
    name = " ".join(raw.split())
    if not name:
        raise Invalid(name="Give the token a name, such as the script that will use it.")
    if len(name) > NAME_MAX:
        raise Invalid(name=f"Keep the name to {NAME_MAX} characters.")
    return name


async def create_token(*, member: Member, name: str) -> tuple[AccessToken, str]:
    """A new token for the member; returns it with its secret (never shown again)."""
    name = token_name(name)
    if member.is_suspended or member.is_deleted:
        raise PermissionDenied("This account cannot use the API.")
    if await AccessToken.filter(member_id=member.id).count() >= TOKENS_MAX:
        raise Invalid(name=f"You have {TOKENS_MAX} tokens: revoke one you no longer use first.")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = await AccessToken.create(
        member_id=member.id, name=name, token_hash=sessions.hash_key(secret), created_at=clock.now()
    )
    return token, secret


async def create_token_with_password(
    *, credentials: Credentials, name: str
) -> tuple[AccessToken, str]:
    """For scripts: a token from an email and password (same errors as signing in)."""
    member = await check_credentials(credentials)
    if member.is_suspended:
        raise PermissionDenied("This account is suspended.")
    return await create_token(member=member, name=name)


async def list_tokens(*, member: Member) -> list[AccessToken]:
    return list(await AccessToken.filter(member_id=member.id).order_by("-created_at", "-id"))


async def revoke_token(*, member: Member, token_id: int) -> None:
    """Delete one of the member's tokens; another member's id is NotFound."""
    deleted = await AccessToken.filter(id=token_id, member_id=member.id).delete()
    if not deleted:
        raise NotFound("There is no such token.")


async def member_for_token(secret: str) -> Member | None:
    """The active member a token belongs to, or None; notes when it was last used."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = await AccessToken.filter(token_hash=sessions.hash_key(secret)).first()
    if token is None:
        return None
    member = await Member.filter(
        id=token.member_id, deleted_at__isnull=True, suspended_at__isnull=True
    ).first()
    if member is None:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        await AccessToken.filter(id=token.id).update(last_used_at=now)
    return member
