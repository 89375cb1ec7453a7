"""Keyset pages and their cursors: opaque, every row once, and a tampered cursor starts from
the first page."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from tortoise.queryset import QuerySet

from community import clock, db
from community.accounts.models import Member
from community.db import decode_cursor, encode_cursor, keyset_page
from tests.conftest import START
from tests.factories import bulk_members


def test_cursor_round_trip() -> None:
    moment = START
    assert decode_cursor(encode_cursor(moment, 42), datetime, int) == (moment, 42)
    assert decode_cursor(encode_cursor("Circle", 7), str, int) == ("Circle", 7)


def test_bad_cursors_are_ignored() -> None:
    assert decode_cursor(None, int) is None
    assert decode_cursor("not base64 !!", int) is None
    assert decode_cursor(encode_cursor("x", 1), int, int) is None
    naive = START.replace(tzinfo=None).isoformat()  # a moment without its offset
    assert decode_cursor(encode_cursor(naive, 1), datetime, int) is None
    assert decode_cursor(encode_cursor(1), int, int) is None


async def _every_page(query: QuerySet[Member], order: tuple[str, ...]) -> list[list[int]]:
    pages: list[list[int]] = []
    cursor = None
    while True:
        page = await keyset_page(query, order=order, cursor=cursor, limit=3)
        pages.append([member.id for member in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize(
    "order",
    [("-created_at", "-id"), ("created_at", "id"), ("id",), ("-id",), ("display_name", "id")],
)
async def test_keyset_pages_cover_every_row_once_in_order(
    database: None, order: tuple[str, ...]
) -> None:
    members = await bulk_members(4)  # one created_at for all four: ties broken by id
    clock.advance(timedelta(minutes=1))
    members += await bulk_members(3)
    query = Member.filter(id__in=[m.id for m in members])
    expected = [m.id for m in await query.order_by(*order)]
    pages = await _every_page(query, order)
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [row for page in pages for row in page] == expected


@pytest.mark.asyncio(loop_scope="session")
async def test_keyset_page_with_a_tampered_cursor_starts_again(database: None) -> None:
    members = await bulk_members(4)
    query = Member.filter(id__in=[m.id for m in members])
    first = await keyset_page(query, order=("id",), cursor=None, limit=2)
    for cursor in ("not a cursor", encode_cursor(2**40), encode_cursor("x"), "42"):
        again = await keyset_page(query, order=("id",), cursor=cursor, limit=2)
        assert again == first


def test_keyset_order_must_run_one_way() -> None:
    with pytest.raises(ValueError, match="one direction"):
        asyncio.run(keyset_page(Member.all(), order=("-created_at", "id"), cursor=None, limit=2))


@pytest.mark.asyncio(loop_scope="session")
async def test_a_hand_written_select_takes_its_parameters_in_order(database: None) -> None:
    rows = await db.select("SELECT id FROM accounts_member WHERE id = $1 OR email = $2", 0, "x")
    assert rows == []
    for sql, params in (
        ("SELECT $1 AS a", (1, 2)),
        ("SELECT $2 AS a, $1 AS b", (1, 2)),
        ("SELECT $1 AS a, $1 AS b", (1, 1)),
    ):
        with pytest.raises(ValueError, match="parameters are written"):
            await db.select(sql, *params)
