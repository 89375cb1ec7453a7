"""Shapes shared by several parts of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from community.accounts.models import Member
from community.api.framework import ID, JSON, nullable, obj, string
from community.api.registry import api

MEMBER_SUMMARY = api.component(
    "MemberSummary",
    obj(
        ["id", "display_name", "handle", "profession", "organisation"],
        id=ID,
        display_name=string(),
        handle=nullable(string()),
        profession=nullable(string()),
        organisation=string(),
    ),
)


def when(value: datetime | None) -> str | None:
    """ISO 8601 with its offset (UTC as stored)."""
    return value.isoformat() if value is not None else None


def member_summary(member: Member) -> JSON:
    return {
        "id": member.id,
        "display_name": member.display_name,
        "handle": member.handle,
        "profession": str(member.profession) if member.profession else None,
        "organisation": member.organisation,
    }


def items(rows: list[Any], serialize: Any, next_cursor: str | None) -> JSON:
    return {"items": [serialize(row) for row in rows], "next_cursor": next_cursor}
