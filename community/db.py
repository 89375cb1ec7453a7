"""Database wiring: the Tortoise configuration, migrations and keyset pagination."""

from __future__ import annotations

import json
import os
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.expressions import Q
from tortoise.migrations.api import migrate as run_migrations
from tortoise.models import Model
from tortoise.queryset import QuerySet

from community.settings import DEFAULT_DATABASE_URL
from community.text import INT_MAX, clean_text

T = TypeVar("T")
M = TypeVar("M", bound=Model)
APP_LABEL = "community"
#: every module holding models; one Tortoise app, so string references read "community.Member"
MODEL_MODULES = [
    "community.sessions",
    "community.mail.models",
    "community.accounts.models",
    "community.groups.models",
    "community.forum.models",
    "community.events.models",
    "community.notifications.models",
]


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise configuration for a database URL (UTC everywhere)."""
    if database_url.startswith(("postgres://", "asyncpg://")) and "maxsize=" not in database_url:
        database_url += ("&" if "?" in database_url else "?") + "maxsize=20"
    connection: Any = database_url
    if database_url.startswith(("postgres://", "asyncpg://")):
        connection = expand_db_url(database_url)
        # short queries only: JIT compiling one costs more than it saves (measured 15 ms)
        connection["credentials"].setdefault("server_settings", {})["jit"] = "off"
    return {
        "connections": {"default": connection},
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


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, newest first, and the cursor of the next page (None at the end)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(*parts: str | int | datetime) -> str:
    """An opaque keyset cursor for the last row of a page (datetimes as ISO 8601)."""
    values = [part.isoformat() if isinstance(part, datetime) else part for part in parts]
    return urlsafe_b64encode(json.dumps(values).encode()).decode()


#: the largest id the database holds (PostgreSQL's integer)
ID_MAX = INT_MAX


def fits(model: type[Model], field: str, value: str) -> bool:
    """Whether `value` fits the column it is looked up in. Tortoise refuses a longer string
    with a ValidationError even in a filter, and nothing so long can match anyway: callers
    answer "not found" instead of querying."""
    max_length: int | None = getattr(model._meta.fields_map[field], "max_length", None)
    return max_length is None or len(value) <= max_length


def decode_cursor(cursor: str | None, *kinds: type) -> tuple[Any, ...] | None:
    """The parts of a cursor, each checked against `kinds` (str, int or datetime); None if
    the cursor is absent or was tampered with, which starts from the first page. Values the
    database would refuse (ids beyond its integer, NUL, far-off dates) count as tampering."""
    if not cursor:
        return None
    try:
        values = json.loads(urlsafe_b64decode(cursor.encode()))
    except ValueError:
        return None
    if not isinstance(values, list) or len(values) != len(kinds):
        return None
    parts: list[Any] = []
    for value, kind in zip(values, kinds, strict=True):
        if kind is datetime:
            try:
                moment = datetime.fromisoformat(str(value))
            except ValueError:
                return None
            if moment.tzinfo is None or not 1970 <= moment.year <= 2200:
                return None
            parts.append(moment)
        elif kind is int and (not isinstance(value, int) or not 0 <= value <= ID_MAX):
            return None  # a bool, or beyond the database's integer
        elif kind is str and (not isinstance(value, str) or clean_text(value) != value):
            return None  # NUL and other characters the database refuses
        elif isinstance(value, kind) and not isinstance(value, bool):
            parts.append(value)
        else:
            return None
    return tuple(parts)


async def newest_first(query: QuerySet[M], *, cursor: str | None, limit: int) -> Page[M]:
    """A keyset page over (created_at, id), newest first: page 10,000 costs what page 1 costs.

    A cursor that cannot be read starts from the first page.
    """
    position = decode_cursor(cursor, datetime, int)
    if position is not None:
        created_at, row_id = position
        query = query.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=row_id))
    rows = await query.order_by("-created_at", "-id").limit(limit + 1)
    items = list(rows[:limit])
    next_cursor = None
    if len(rows) > limit:
        last = items[-1]
        next_cursor = encode_cursor(last.created_at, last.pk)  # type: ignore[attr-defined]
    return Page(items=items, next_cursor=next_cursor)
