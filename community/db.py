"""Database wiring: the Tortoise configuration, migrations and keyset pagination."""

from __future__ import annotations

import functools
import json
import os
import re
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.expressions import Q
from tortoise.fields import DatetimeField, IntField
from tortoise.migrations.api import migrate as run_migrations
from tortoise.models import Model
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from community.settings import DEFAULT_DATABASE_URL
from community.text import INT_MAX, clean_text

T = TypeVar("T")
M = TypeVar("M", bound=Model)
APP_LABEL = "community"


def _model_modules() -> list[str]:
    """The sessions' module and every package's models.py, found on disk (by name only:
    nothing is imported here), so a new feature's models need no registering."""
    packages = sorted(path.parent.name for path in Path(__file__).parent.glob("*/models.py"))
    return ["community.sessions", *(f"community.{name}.models" for name in packages)]


#: every module holding models; one Tortoise app, so string references read "community.Member"
MODEL_MODULES = _model_modules()


async def _keep_session(connection: object) -> None:
    """Give a connection back to the pool without a round trip. Tortoise takes a connection
    from the pool for each query, and asyncpg's default reset then runs `SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`: a second round trip per
    query (a sixth of a member's group page, measured). This app leaves nothing for it to undo:
    its advisory locks last to the end of their transaction, it never LISTENs, keeps a cursor
    or SETs a session setting (community_search SETs its own, for itself). asyncpg still
    rolls back a transaction left open before calling this (tests/test_db_pool.py)."""


def tortoise_config(database_url: str) -> dict[str, Any]:
    """The Tortoise configuration for a database URL (UTC everywhere)."""
    if database_url.startswith(("postgres://", "asyncpg://")) and "maxsize=" not in database_url:
        database_url += ("&" if "?" in database_url else "?") + "maxsize=20"
    connection: Any = database_url
    if database_url.startswith(("postgres://", "asyncpg://")):
        connection = expand_db_url(database_url)
        # short queries only: JIT compiling one costs more than it saves (measured 15 ms)
        connection["credentials"].setdefault("server_settings", {})["jit"] = "off"
        connection["credentials"]["reset"] = _keep_session
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


#: what the open transaction (of `transaction`) runs just before it commits; None outside one
_before_commit: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "before_commit", default=None
)


@asynccontextmanager
async def transaction() -> AsyncIterator[BaseDBAsyncClient]:
    """A transaction (a savepoint inside another), as Tortoise's `in_transaction`, which also
    runs what `before_commit` was given last, just before the outermost one commits."""
    if _before_commit.get() is not None:
        async with in_transaction() as connection:
            yield connection
        return
    hooks: list[Callable[[], Awaitable[None]]] = []
    token = _before_commit.set(hooks)
    try:
        async with in_transaction() as connection:
            yield connection
            for hook in hooks:
                await hook()
    finally:
        _before_commit.reset(token)


def before_commit(hook: Callable[[], Awaitable[None]]) -> bool:
    """Have the open transaction run `hook` once, as its last statements before it commits
    (False, and nothing kept, outside a transaction of `transaction`).

    For a write every transaction makes to one shared row (a version number): written last,
    a transaction holds that row's lock only while it commits and never waits for another
    lock while holding it, so two transactions cannot deadlock over it, whatever order they
    take the other rows in (a join locks the membership's group, a leave its group, and so
    on)."""
    hooks = _before_commit.get()
    if hooks is None:
        return False
    if hook not in hooks:
        hooks.append(hook)
    return True


async def database_answers() -> bool:
    """True when a trivial query succeeds (for /healthz)."""
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception:  # any driver failure means "not healthy"; /healthz reports it
        return False
    return True


@dataclass(frozen=True)
class PoolUsage:
    """The PostgreSQL connection pool of this process: connections lent out, open, at most."""

    in_use: int
    open: int
    most: int


def pool_usage() -> PoolUsage | None:
    """This process's pool (None on SQLite, which has one connection and no pool)."""
    pool = getattr(connections.get("default"), "_pool", None)
    if pool is None:
        return None
    return PoolUsage(
        in_use=pool.get_size() - pool.get_idle_size(),
        open=pool.get_size(),
        most=pool.get_max_size(),
    )


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


def _kind_of(model: type[Model], name: str) -> type:
    """The Python type a cursor holds for the model's field `name`."""
    field = model._meta.fields_map[name]
    if isinstance(field, DatetimeField):
        return datetime
    return int if isinstance(field, IntField) else str


async def keyset_page(
    query: QuerySet[M], *, order: tuple[str, ...], cursor: str | None, limit: int
) -> Page[M]:
    """One page of `query` in `order`, keyset-paged so page 10,000 costs what page 1 costs.

    `order` is one or two fields, both ascending or both descending ("-starts_at", "-id"); the
    last one is unique (the id), breaking ties. A cursor that cannot be read, or that names
    values the database would refuse, starts from the first page.
    """
    names = [part.removeprefix("-") for part in order]
    descending = {part.startswith("-") for part in order}
    if len(descending) != 1 or not 1 <= len(order) <= 2:
        raise ValueError(f"keyset order must be one or two fields, one direction: {order}")
    after = "lt" if descending.pop() else "gt"
    position = decode_cursor(cursor, *(_kind_of(query.model, name) for name in names))
    if position is not None:
        if len(names) == 1:
            query = query.filter(**{f"{names[0]}__{after}": position[0]})
        else:
            key, tie = names
            value, last = position
            query = query.filter(
                Q(**{f"{key}__{after}": value}) | Q(**{key: value, f"{tie}__{after}": last})
            )
    rows = list(await query.order_by(*order).limit(limit + 1))
    items = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(*(getattr(items[-1], name) for name in names))
    return Page(items=items, next_cursor=next_cursor)


# Hand-written reads, for the few queries every signed-in page makes (the session, a thread
# and the reader's place in its group): the ORM's query builder costs more CPU than the
# database's answer (measured: 0.3 ms of a 5 ms page, per query), so these skip it and build
# the same model objects from plain rows.

_PLACEHOLDER = re.compile(r"\$\d+")


@functools.cache
def columns(model: type[Model], alias: str, prefix: str = "") -> str:
    """The model's columns for a hand-written SELECT: `alias."col" AS "prefixcol", …`."""
    return ", ".join(
        f'{alias}."{column}" AS "{prefix}{column}"' for column in sorted(model._meta.db_fields)
    )


def loaded(model: type[M], row: Mapping[str, Any], prefix: str = "") -> M:
    """A model object from a row of `columns(model, …, prefix)`, as the ORM builds it."""
    return model._init_from_db(**{column: row[prefix + column] for column in model._meta.db_fields})


async def select(sql: str, *params: Any) -> list[dict[str, Any]]:
    """Rows of a hand-written SELECT whose parameters are written $1, $2… (in order, each
    once: SQLite's are positional)."""
    marks = _PLACEHOLDER.findall(sql)
    if marks != [f"${n}" for n in range(1, len(params) + 1)]:
        raise ValueError(f"the parameters are written {marks}, for {len(params)} values")
    connection = connections.get("default")
    if connection.capabilities.dialect == "sqlite":
        sql = _PLACEHOLDER.sub("?", sql)
    rows: list[dict[str, Any]] = await connection.execute_query_dict(sql, list(params))
    return rows


def attach(obj: Model, relation: str, related: Model | None) -> None:
    """Set a loaded relation (`post.author`) as `select_related` does."""
    object.__setattr__(obj, f"_{relation}", related)
