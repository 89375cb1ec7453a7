"""Membership rows and the group's counters change together. Call inside a transaction."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from community import clock
from community.accounts.versions import directory_changed
from community.db import transaction
from community.errors import Conflict
from community.groups.models import Group, Membership, Role

LAST_FACILITATOR = "A group needs at least one facilitator: appoint another one first."


async def add_membership(group_id: int, member_id: int, role: Role = Role.MEMBER) -> bool:
    """Add the member (False if they already belong). Call inside a transaction."""
    now = clock.now()
    try:
        async with transaction():  # a savepoint: "already a member" must not undo the rest
            await Membership.create(
                group_id=group_id, member_id=member_id, role=role, joined_at=now
            )
    except IntegrityError:
        return False
    await directory_changed()  # "groups I share" and who sees a members-of-my-groups profile
    await Group.filter(id=group_id).update(
        member_count=F("member_count") + 1,
        facilitator_count=F("facilitator_count") + (1 if role == Role.FACILITATOR else 0),
        last_activity_at=now,
    )
    return True


async def give_up_facilitator(group_id: int) -> None:
    """Take one facilitator off the count, refusing to leave none. Call inside a transaction.

    The guarded UPDATE settles the race of two facilitators stepping down at once.
    """
    changed = await Group.filter(id=group_id, facilitator_count__gt=1).update(
        facilitator_count=F("facilitator_count") - 1
    )
    if changed != 1:
        raise Conflict(LAST_FACILITATOR)


async def remove_membership(membership: Membership) -> None:
    """Delete the membership and count it out. Call inside a transaction."""
    if membership.is_facilitator:
        await give_up_facilitator(membership.group_id)
    deleted = await Membership.filter(id=membership.id).delete()
    if deleted:
        await Group.filter(id=membership.group_id).update(member_count=F("member_count") - 1)
        await directory_changed()
