"""Database wiring: the Tortoise configuration, migrations and keyset pagination."""

from __future__ import annotations

import os
from typing import Any

from tortoise import Tortoise, connections
from tortoise.migrations.api import migrate as run_migrations

from community.settings import DEFAULT_DATABASE_URL

APP_LABEL = "community"
#: every module holding models; one Tortoise app, so string references read "community.Member"
MODEL_MODULES = [
    "community.sessions",
    "community.mail.models",
    "community.accounts.models",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise configuration for a database URL (UTC everywhere)."""
    if database_url.startswith(("postgres://", "asyncpg://")) and "maxsize=" not in database_url:
        database_url += ("&" if "?" in database_url else "?") + "maxsize=20"
    return {
        "connections": {"default": database_url},
        "apps": {
            APP_LABEL: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "community.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


#: for the `tortoise` command line (makemigrations): tortoise -c community.db.TORTOISE_ORM ...
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)


async def migrate(database_url: str) -> None:
    """Apply every migration not yet applied, then close the connections it opened."""
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


async def database_answers() -> bool:
    """True when a trivial query succeeds (for /healthz)."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any driver failure means "not healthy"; /healthz reports it
        return False
    return True
