"""Certificates: unguessable codes, checked by anyone, downloaded by their holder, revoked by
admins."""

from __future__ import annotations

import secrets

from community import clock
from community.accounts.access import ensure_admin, ensure_signed_in
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, NotFound
from community.events.models import LearningCredit
from community.programmes.models import (
    Certificate,
)
from community.programmes.schemas import (
    Revocation,
)

#: 20 random characters from 32 (100 bits): no one finds a certificate by guessing
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


CODE_LENGTH = 20


def new_code() -> str:
    """A certificate code, shown in groups of five: ABCDE-FGHJK-…"""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, CODE_LENGTH, 5))


def normal_code(text: str) -> str | None:
    """A code as typed (any case, spaces or dashes anywhere) in its stored form, or None."""
    raw = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return "-".join(raw[i : i + 5] for i in range(0, CODE_LENGTH, 5))


async def verify(code: str) -> Certificate:
    """The certificate with this code, for anyone (revoked ones too, which say so); a code
    that is not one is NotFound."""
    normal = normal_code(code)
    certificate = None if normal is None else await Certificate.filter(code=normal).first()
    if certificate is None:
        raise NotFound("There is no certificate with this code.")
    return certificate


async def own_certificate(*, actor: Member | None, code: str) -> Certificate:
    """A certificate for its holder (or an admin) to download; NotFound for anyone else."""
    member = ensure_signed_in(actor)
    certificate = await verify(code)
    if certificate.member_id != member.id and not member.is_admin:
        raise NotFound("There is no certificate with this code.")
    if certificate.revoked_at is not None:
        raise Conflict("This certificate was revoked: it can no longer be downloaded.")
    return certificate


async def revoke(*, actor: Member | None, code: str, form: Revocation) -> Certificate:
    """Revoke a certificate (admins): anyone checking the code sees it was revoked and why,
    and its hours leave the member's learning record. Revoking twice is refused."""
    admin = ensure_admin(actor)
    certificate = await verify(code)
    async with transaction():
        revoked = await Certificate.filter(id=certificate.id, revoked_at__isnull=True).update(
            revoked_at=clock.now(), revoked_reason=form.reason, revoked_by_id=admin.id
        )
        if not revoked:
            raise Conflict("This certificate is already revoked.")
        await LearningCredit.filter(
            source=f"programme:{certificate.programme_id}", member_id=certificate.member_id
        ).delete()
    return await Certificate.get(id=certificate.id)
