"""Who may see and do what with accounts."""

from __future__ import annotations

from community.accounts.models import Member
from community.errors import NotFound, PermissionDenied


def ensure_verified(actor: Member) -> None:
    """Raise PermissionDenied unless the member has verified their email (needed to post, RSVP)."""
    if not actor.is_verified:
        raise PermissionDenied(
            "Please verify your email address first: use the link we sent you, "
            "or ask for a new one from the banner at the top of the page."
        )


def ensure_signed_in(actor: Member | None) -> Member:
    """The actor, or PermissionDenied for a visitor."""
    if actor is None:
        raise PermissionDenied("Please sign in to continue.")
    return actor


def ensure_admin(actor: Member | None) -> Member:
    """The actor if they are an admin; PermissionDenied otherwise."""
    if actor is None or not actor.is_admin:
        raise PermissionDenied("Only administrators can see this page.")
    return actor


def can_moderate_members(actor: Member | None) -> bool:
    """Admins suspend and reinstate members."""
    return actor is not None and actor.is_admin


async def access_member(actor: Member | None, member_id: int) -> Member:
    """A member's profile, for signed-in members only; deleted accounts are not found."""
    if actor is None:
        raise PermissionDenied("Sign in to see members' profiles.")
    member = await Member.filter(id=member_id, deleted_at__isnull=True).first()
    if member is None:
        raise NotFound("There is no member here.")
    return member
