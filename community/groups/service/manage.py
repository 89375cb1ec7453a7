"""Creating and running groups: settings, removing members, facilitators."""

from __future__ import annotations

import logging

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from community import clock
from community.accounts.access import ensure_admin
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid, NotFound
from community.groups.access import access_facilitation
from community.groups.models import Group, Membership, Role
from community.groups.schemas import GroupChanges, GroupForm
from community.groups.service.counters import (
    add_membership,
    give_up_facilitator,
    remove_membership,
)
from community.text import render_markdown

logger = logging.getLogger(__name__)
SLUG_TAKEN = "Another group has this web address. Choose another."


async def create_group(
    *, actor: Member | None, form: GroupForm, facilitator_id: int | None = None
) -> Group:
    """Create a group (admins only) with its first facilitator (the admin by default)."""
    admin = ensure_admin(actor)
    facilitator_id = facilitator_id or admin.id
    if not await Member.filter(
        id=facilitator_id, deleted_at__isnull=True, suspended_at__isnull=True
    ).exists():
        raise Invalid(facilitator_id="Choose an active member as the first facilitator.")
    now = clock.now()
    try:
        async with transaction():
            group = await Group.create(
                name=form.name,
                slug=form.slug,
                description=form.description,
                description_html=render_markdown(form.description) if form.description else "",
                join_policy=form.join_policy,
                visibility=form.visibility,
                last_activity_at=now,
                created_at=now,
                created_by_id=admin.id,
            )
            await add_membership(group.id, facilitator_id, Role.FACILITATOR)
    except IntegrityError:
        raise Invalid(slug=SLUG_TAKEN) from None
    logger.info("Admin %s created group %s", admin.id, group.id)
    return await Group.get(id=group.id)


async def update_group(*, actor: Member | None, slug: str, changes: GroupChanges) -> Group:
    """Change a group's name, address, description, join policy, visibility or whether it is
    for case discussion: only what the changes name (a blank address keeps the group's own)."""
    group = (await access_facilitation(actor, slug)).group
    description = group.description if changes.description is None else changes.description
    try:
        await Group.filter(id=group.id).update(
            name=changes.name or group.name,
            slug=changes.slug or group.slug,
            description=description,
            description_html=render_markdown(description) if description else "",
            join_policy=changes.join_policy or group.join_policy,
            visibility=changes.visibility or group.visibility,
            case_discussion=group.case_discussion
            if changes.case_discussion is None
            else changes.case_discussion,
        )
    except IntegrityError:
        raise Invalid(slug=SLUG_TAKEN) from None
    return await Group.get(id=group.id)


async def _membership_of(group: Group, member_id: int) -> Membership:
    membership = (
        await Membership.filter(group_id=group.id, member_id=member_id)
        .select_related("member")
        .first()
    )
    if membership is None:
        raise NotFound("That person is not a member of this group.")
    return membership


async def remove_member(*, actor: Member | None, slug: str, member_id: int) -> Membership:
    """Remove a member from the group (facilitators and admins); not a facilitator."""
    group = (await access_facilitation(actor, slug)).group
    membership = await _membership_of(group, member_id)
    if membership.is_facilitator:
        raise Conflict("Remove their facilitator role first.")
    async with transaction():
        await remove_membership(membership)
    return membership


async def appoint_facilitator(*, actor: Member | None, slug: str, member_id: int) -> Membership:
    """Make a member a facilitator. Admins may appoint any active member, who then joins."""
    viewer = await access_facilitation(actor, slug)
    group = viewer.group
    membership = (
        await Membership.filter(group_id=group.id, member_id=member_id)
        .select_related("member")
        .first()
    )
    if membership is None:
        if actor is None or not actor.is_admin:
            raise NotFound("That person is not a member of this group.")
        if not await Member.filter(id=member_id, deleted_at__isnull=True).exists():
            raise NotFound("There is no such member.")
        async with transaction():
            await add_membership(group.id, member_id, Role.FACILITATOR)
        return await _membership_of(group, member_id)
    if membership.is_facilitator:
        return membership
    async with transaction():
        changed = await Membership.filter(id=membership.id, role=Role.MEMBER).update(
            role=Role.FACILITATOR
        )
        if changed:
            await Group.filter(id=group.id).update(facilitator_count=F("facilitator_count") + 1)
    membership.role = Role.FACILITATOR
    return membership


async def remove_facilitator(*, actor: Member | None, slug: str, member_id: int) -> Membership:
    """Make a facilitator an ordinary member again; never the group's last facilitator."""
    group = (await access_facilitation(actor, slug)).group
    membership = await _membership_of(group, member_id)
    if not membership.is_facilitator:
        return membership
    async with transaction():
        changed = await Membership.filter(id=membership.id, role=Role.FACILITATOR).update(
            role=Role.MEMBER
        )
        if changed:
            await give_up_facilitator(group.id)
    membership.role = Role.MEMBER
    return membership
