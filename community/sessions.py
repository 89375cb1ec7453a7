"""Server-side sessions as data: the cookie holds an opaque random key, the database the rest.

A core module (no HTTP) so that both the web middleware and account actions (password reset,
suspension, deletion end every session) can use it; `community.web.sessions` does the cookies.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, cast

from tortoise import fields
from tortoise.fields.relational import ForeignKeyFieldInstance
from tortoise.models import Model

from community import clock, db

#: last_seen_at is written at most this often, so a busy reader does not write on every page
TOUCH_INTERVAL = timedelta(minutes=5)


class WebSession(Model):
    """A signed-in browser. Deleting the row signs it out at once, wherever the cookie is."""

    id = fields.IntField(primary_key=True)
    #: sha256 hex of the cookie value: a copy of the database cannot be used to sign in
    key_hash = fields.CharField(max_length=64, unique=True)
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()
    #: the hard limit, SESSION_MAX_DAYS after sign-in (idle expiry counts from last_seen_at)
    expires_at = fields.DatetimeField(db_index=True)
    user_agent = fields.CharField(max_length=200, default="")

    class Meta:
        table = "web_session"


def hash_key(key: str) -> str:
    """The stored form of a secret: sha256 hex."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_session(*, member_id: int, max_days: int, user_agent: str = "") -> str:
    """Create a session for the member and return its secret key (for the cookie only)."""
    key = secrets.token_urlsafe(32)
    now = clock.now()
    await WebSession.create(
        key_hash=hash_key(key),
        member_id=member_id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=max_days),
        user_agent=user_agent[:200],
    )
    await _member_model().filter(id=member_id).update(last_seen_at=now)
    return key


def _member_model() -> type[Model]:
    """The member model as the ORM resolved it (accounts is a layer above this one)."""
    field = cast(ForeignKeyFieldInstance[Model], WebSession._meta.fields_map["member"])
    return field.related_model


async def find_session(key: str, *, idle_minutes: int) -> WebSession | None:
    """The live session for a cookie key, with its member loaded; None if unknown or expired.
    (Every signed-in request asks: one hand-written query, see `db.select`.)"""
    member_model = _member_model()
    rows = await db.select(
        # the columns come from the models, the key is a parameter
        f"SELECT {db.columns(WebSession, 's', 's__')}, {db.columns(member_model, 'm')} "  # noqa: S608
        "FROM web_session s JOIN accounts_member m ON m.id = s.member_id WHERE s.key_hash = $1",
        hash_key(key),
    )
    if not rows:
        return None
    session = db.loaded(WebSession, rows[0], "s__")
    db.attach(session, "member", db.loaded(member_model, rows[0]))
    now = clock.now()
    if session.expires_at <= now or session.last_seen_at + timedelta(minutes=idle_minutes) <= now:
        await WebSession.filter(id=session.id).delete()
        return None
    if now - session.last_seen_at >= TOUCH_INTERVAL:
        await WebSession.filter(id=session.id).update(last_seen_at=now)
        # the directory's "recently active" (as often as the session, not on every request)
        await member_model.filter(id=rows[0]["id"]).update(last_seen_at=now)
        session.last_seen_at = now
        session.member.last_seen_at = now
    return session


async def end_session(key: str) -> None:
    """Sign one browser out."""
    await WebSession.filter(key_hash=hash_key(key)).delete()


async def end_member_sessions(member_id: int, *, keep_key: str | None = None) -> int:
    """End every session of a member (but `keep_key`'s). Call inside the caller's transaction."""
    query = WebSession.filter(member_id=member_id)
    if keep_key:
        query = query.exclude(key_hash=hash_key(keep_key))
    return await query.delete()


async def delete_expired_sessions(*, idle_minutes: int) -> int:
    """Remove sessions past their hard or idle limit; returns how many."""
    now = clock.now()
    expired = await WebSession.filter(expires_at__lte=now).delete()
    idle = await WebSession.filter(last_seen_at__lte=now - timedelta(minutes=idle_minutes)).delete()
    return expired + idle
