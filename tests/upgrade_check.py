"""Apply the migrations one by one to a SQLite database whose tables already hold a row (see
tests/test_migrations.py): `python -m tests.upgrade_check PATH`."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from community import db

MIGRATIONS = Path(db.__file__).parent / "migrations"
#: the rows go in once the database is here; every later migration meets them. (The earlier
#: ones only ever ran on empty databases: no site was upgraded through them, and some add a
#: NOT NULL column the way Tortoise writes it, without a DEFAULT, which rows would refuse.)
FILLED_AT = "0015_notification_kinds"


async def upgrade(path: Path) -> None:
    config = db.tortoise_config(f"sqlite://{path}")
    names = sorted(p.stem for p in MIGRATIONS.glob("0*.py"))
    await run_migrations(config=config, target=f"community.{FILLED_AT}")
    await Tortoise.close_connections()
    _fill(path)
    for name in names[names.index(FILLED_AT) + 1 :]:
        await run_migrations(config=config, target=f"community.{name}")
        await Tortoise.close_connections()


def _fill(path: Path) -> None:
    """One member and one group, once, with what the columns of the day require."""
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        if "groups_group" not in tables:
            return
        if connection.execute("SELECT count(*) FROM groups_group").fetchone() != (0,):
            return
        for table, values in (
            ("accounts_member", {"id": 1, "email": "a@example.org", "display_name": "A"}),
            ("groups_group", {"id": 1, "name": "G", "slug": "g", "created_by_id": 1}),
        ):
            columns = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
            row = {
                name: values.get(name, _filler(kind))
                for _, name, kind, notnull, default, _pk in columns
                if (notnull and default is None and name != "id") or name in values
            }
            marks = ", ".join("?" for _ in row)
            connection.execute(
                f'INSERT INTO "{table}" ({", ".join(row)}) VALUES ({marks})',  # noqa: S608
                list(row.values()),
            )


def _filler(kind: str) -> object:
    kind = kind.upper()
    if "INT" in kind or "BOOL" in kind:
        return 0
    if "TIMESTAMP" in kind or "DATE" in kind:
        return "2026-01-01 00:00:00"
    return ""


if __name__ == "__main__":
    target = Path(sys.argv[1])
    try:
        asyncio.run(upgrade(target))
    except Exception as exc:  # reported, then out at once (no hung threads)
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        os._exit(1)
    with sqlite3.connect(target) as connection:
        print(
            "forum_version", connection.execute("SELECT forum_version FROM groups_group").fetchall()
        )
