"""Who may see a member's profile: the member's own choice (accounts.ProfileVisibility).

Everyone sees an "everyone" profile; signed-in members see a "members" one; members who share
a group with them see a "groups" one; an "admins" profile is seen only by administrators. A
member always sees their own, and admins see every profile. Deleted accounts have none, and
accounts not yet verified are seen by no one else and listed nowhere. The
same rule is written twice, once for one profile (`can_see`) and once as SQL for lists
(`visible_sql`), and tests/people check both against every level and kind of viewer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from community import db
from community.accounts.models import Member, ProfileVisibility
from community.errors import NotFound
from community.groups.models import Membership

NOT_VISIBLE = "There is no profile here that you may see."


async def shares_a_group(first: int, second: int) -> bool:
    """Whether the two members belong to at least one group together."""
    table = Membership._meta.db_table
    rows = await db.select(
        f"SELECT 1 AS shared FROM {table} a JOIN {table} b ON b.group_id = a.group_id "  # noqa: S608
        "WHERE a.member_id = $1 AND b.member_id = $2 LIMIT 1",
        first,
        second,
    )
    return bool(rows)


async def can_see(viewer: Member | None, member: Member) -> bool:
    """Whether the viewer may see this member's profile (and so find them in lists)."""
    if member.is_deleted:
        return False
    if viewer is not None and (viewer.is_admin or viewer.id == member.id):
        return True
    if not member.is_verified:  # not a member yet
        return False
    level = ProfileVisibility(member.profile_visibility)
    if level == ProfileVisibility.EVERYONE:
        return True
    if viewer is None or level == ProfileVisibility.ADMINS:
        return False
    if level == ProfileVisibility.MEMBERS:
        return True
    return await shares_a_group(viewer.id, member.id)


async def access_profile(viewer: Member | None, member_id: int) -> Member:
    """The member whose profile the viewer opens; NotFound (never "forbidden") when there is
    none or the viewer may not see it, so a hidden profile cannot be told from a missing one."""
    rows = await db.select(
        f"SELECT {db.columns(Member, 'm')} FROM {Member._meta.db_table} m "  # noqa: S608
        "WHERE m.id = $1",
        member_id,
    )
    member = db.loaded(Member, rows[0]) if rows else None
    if member is None or not await can_see(viewer, member):
        hint = " Sign in to see more of the community's profiles." if viewer is None else ""
        raise NotFound(NOT_VISIBLE + hint)
    return member


def visible_sql(viewer: Member | None, value: Callable[[Any], str], alias: str = "m") -> str:
    """The SQL condition "the viewer may see the profile of `alias`" (`value` adds a bound
    parameter and returns its placeholder, as `db.select` numbers them)."""
    # accounts not yet verified are not members yet: listed for no one
    listed = f"{alias}.deleted_at IS NULL AND {alias}.verified_at IS NOT NULL"
    if viewer is not None and viewer.is_admin:
        return f"({listed})"
    if viewer is None:
        return (
            f"({listed} AND {alias}.profile_visibility = {value(ProfileVisibility.EVERYONE.value)})"
        )
    table = Membership._meta.db_table
    own = value(viewer.id)
    levels = f"{value(ProfileVisibility.EVERYONE.value)}, {value(ProfileVisibility.MEMBERS.value)}"
    groups = value(ProfileVisibility.GROUPS.value)
    shared = (
        f"EXISTS (SELECT 1 FROM {table} a JOIN {table} b ON b.group_id = a.group_id "  # noqa: S608
        f"WHERE a.member_id = {alias}.id AND b.member_id = {value(viewer.id)})"
    )
    return (
        f"({listed} AND ({alias}.id = {own} "
        f"OR {alias}.profile_visibility IN ({levels}) "
        f"OR ({alias}.profile_visibility = {groups} AND {shared})))"
    )
