"""Keyset cursors: opaque, and a tampered one starts from the first page."""

from __future__ import annotations

from datetime import datetime

from community.db import decode_cursor, encode_cursor
from tests.conftest import START


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
