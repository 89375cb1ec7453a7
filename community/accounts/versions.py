"""The member directory's version: one number that moves with every change the directory
shows or filters by, so each process keeps its directory pages for one version and never
shows a stale one (people.service.directory). The directory's "recently active" order
moves without it: a kept page of that order is at most `PAGE_CACHE_SECONDS` old."""

from __future__ import annotations

from tortoise import connections

from community import db
from community.accounts.models import DirectoryVersion

_TABLE = DirectoryVersion._meta.db_table


async def directory_changed() -> None:
    """Move the directory's version: inside a transaction (community.db.transaction), as its
    last statement before it commits, so that every change to the one shared row comes
    last and no two transactions deadlock over it; outside one, at once."""
    if not db.before_commit(_move_version):
        await _move_version()


async def _move_version() -> None:
    """The version plus one (making its row if a truncation removed it)."""
    # the same upsert on both databases (SQLite since 3.24): one statement, no race
    await connections.get("default").execute_query(
        f'INSERT INTO "{_TABLE}" ("id", "version") VALUES (1, 1) '  # noqa: S608  # our table
        f'ON CONFLICT ("id") DO UPDATE SET "version" = "{_TABLE}"."version" + 1'
    )


async def directory_version() -> int:
    """The directory's version now (0 before any change)."""
    rows = await db.select(f'SELECT "version" FROM "{_TABLE}" WHERE "id" = 1')  # noqa: S608
    return int(rows[0]["version"]) if rows else 0
