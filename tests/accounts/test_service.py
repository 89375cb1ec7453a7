"""Account rules at the domain level, without HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community import clock, sessions
from community.accounts import service
from community.accounts.access import ensure_verified
from community.accounts.models import Member
from community.accounts.passwords import hash_password, verify_password
from community.accounts.schemas import Credentials, Registration
from community.errors import Conflict, Invalid, PermissionDenied
from tests.factories import PASSWORD, emails_to, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_unverified_member_may_not_post_or_rsvp(database: None) -> None:
    member = await make_member(verified=False)
    with pytest.raises(PermissionDenied, match="verify your email address"):
        ensure_verified(member)
    ensure_verified(await make_member())


async def test_register_twice_at_once_makes_one_account(database: None) -> None:
    form = Registration(email="twin@example.org", display_name="Twin", password=PASSWORD)
    first = await service.register(form=form)
    second = await service.register(form=form)
    assert first is not None and second is None
    assert await Member.filter(email="twin@example.org").count() == 1
    templates = [m.template for m in await emails_to("twin@example.org")]
    assert templates == ["accounts/verify", "accounts/already_registered"]


async def test_suspended_member_cannot_log_in_even_with_the_right_password(database: None) -> None:
    admin = await make_member(admin=True)
    member = await make_member(email="s@example.org")
    await service.suspend_member(actor=admin, member_id=member.id)
    with pytest.raises(PermissionDenied, match="suspended"):
        await service.log_in(credentials=Credentials(email="s@example.org", password=PASSWORD))
    with pytest.raises(Invalid):  # a wrong password says nothing about suspension
        await service.log_in(credentials=Credentials(email="s@example.org", password="x" * 12))


async def test_admin_cannot_suspend_themselves(database: None) -> None:
    admin = await make_member(admin=True)
    with pytest.raises(Conflict):
        await service.suspend_member(actor=admin, member_id=admin.id)
    assert (await Member.get(id=admin.id)).suspended_at is None


async def test_suspension_ends_every_session(database: None) -> None:
    admin = await make_member(admin=True)
    member = await make_member(email="t@example.org")
    _, key = await service.log_in(credentials=Credentials(email="t@example.org", password=PASSWORD))
    assert await sessions.find_session(key, idle_minutes=60) is not None
    await service.suspend_member(actor=admin, member_id=member.id)
    assert await sessions.find_session(key, idle_minutes=60) is None


async def test_idle_session_expires(database: None) -> None:
    await make_member(email="u@example.org")
    _, key = await service.log_in(credentials=Credentials(email="u@example.org", password=PASSWORD))
    clock.advance(timedelta(minutes=59))
    assert await sessions.find_session(key, idle_minutes=60) is not None
    clock.advance(timedelta(minutes=61))
    assert await sessions.find_session(key, idle_minutes=60) is None


async def test_passwords_are_hashed_with_argon2id() -> None:
    hashed = hash_password("a long passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long passphrase")
    assert not verify_password(hashed, "another passphrase")
    assert not verify_password("", "a long passphrase")


async def test_members_get_unique_handles_from_their_names(database: None) -> None:
    first = await make_member(name="Chen Mei Ling")
    second = await make_member(name="Chen  Mei-Ling!")
    third = await make_member(name="Éloïse")
    assert (first.handle, second.handle, third.handle) == (
        "chen_mei_ling",
        "chen_mei_ling2",
        "eloise",
    )
