"""Transactions (community.db.transaction): what they are given to run before they commit
runs last, once, and only when they commit; so writers of the directory's one version row
never deadlock, whatever order they take their other locks in."""

from __future__ import annotations

import asyncio

import pytest

from community import db
from community.accounts.versions import directory_changed, directory_version
from community.groups import service
from community.groups.models import Group, Membership
from tests.factories import make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_the_version_moves_once_as_the_transaction_commits(database: None) -> None:
    before = await directory_version()
    async with db.transaction():
        await directory_changed()
        async with db.transaction():  # a savepoint: still the one transaction
            await directory_changed()
        assert await directory_version() == before  # not yet: it is the last statement
    assert await directory_version() == before + 1


async def test_a_rolled_back_transaction_moves_nothing(database: None) -> None:
    before = await directory_version()
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await directory_changed()
            raise RuntimeError("undone")
    assert await directory_version() == before


async def test_outside_a_transaction_the_version_moves_at_once(database: None) -> None:
    before = await directory_version()
    await directory_changed()
    assert await directory_version() == before + 1


async def test_members_joining_and_leaving_at_once_all_succeed(database: None) -> None:
    # A join took the version row then the group's; a leave the group's then the version
    # row: on PostgreSQL two of them at once deadlocked and one answered 500.
    groups = [await make_group(), await make_group()]
    leavers = [await make_member() for _ in range(6)]
    joiners = [await make_member() for _ in range(6)]
    for member in leavers:
        for group in groups:
            await service.join_group(actor=member, slug=group.slug)
    before = await directory_version()
    await asyncio.gather(
        *(service.leave_group(actor=m, slug=g.slug) for m in leavers for g in groups),
        *(service.join_group(actor=m, slug=g.slug) for m in joiners for g in groups),
    )
    for group in groups:
        assert (await Group.get(id=group.id)).member_count == 1 + len(joiners)
        assert await Membership.filter(group_id=group.id).count() == 1 + len(joiners)
    assert await directory_version() == before + 2 * (len(leavers) + len(joiners))
