"""The rate limiter's counting: in Redis shared by every process, in memory without it, and
back in memory (with one warning) while Redis is away."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from community.web.limits import MemoryRateLimiter, RedisRateLimiter, make_rate_limiter
from tests.redis_server import RedisServer, redis_server

pytestmark = pytest.mark.asyncio(loop_scope="session")

KEYS = ["203.0.113.9", "someone@example.org"]


async def hits(limiter: object, count: int, keys: list[str] = KEYS) -> list[int]:
    return [
        await limiter.hit("login", keys, limit=10, window=900)  # type: ignore[attr-defined]
        for _ in range(count)
    ]


async def test_two_limiters_on_one_redis_count_together(tmp_path: Path) -> None:
    with redis_server(tmp_path) as server:
        first, second = RedisRateLimiter(server.url), RedisRateLimiter(server.url)
        try:
            waits = [
                await (first if n % 2 else second).hit("login", KEYS, limit=10, window=900)
                for n in range(10)
            ]
            assert waits == [0] * 10
            assert 890 <= await first.hit("login", KEYS, limit=10, window=900) <= 900
            assert await second.hit("login", KEYS, limit=10, window=900) > 0
            # another bucket and another key are counted apart
            assert await first.hit("register", KEYS, limit=10, window=900) == 0
            assert await first.hit("login", ["198.51.100.1"], limit=10, window=900) == 0
            # one key over its limit is enough: the address is, the new email is not
            assert await first.hit("login", [KEYS[0], "new@example.org"], limit=10, window=900)
            # no address or email is kept in Redis, only digests
            names = server.keys()
            assert len(names) == 6  # login: 2 addresses, 2 emails; register: 2
            assert all(name.startswith("community:limit:") for name in names)
            assert not any("example.org" in name or "203.0.113" in name for name in names)
        finally:
            await first.close()
            await second.close()


async def test_the_window_runs_out_in_redis(tmp_path: Path) -> None:
    with redis_server(tmp_path) as server:
        limiter = RedisRateLimiter(server.url)
        try:
            waits = [await limiter.hit("login", KEYS, limit=2, window=1) for _ in range(3)]
            assert waits == [0, 0, 1]
            await asyncio.sleep(1.1)
            assert await limiter.hit("login", KEYS, limit=2, window=1) == 0
        finally:
            await limiter.close()


async def hits_limited(limiter: RedisRateLimiter, count: int) -> list[int]:
    return [await limiter.hit("login", KEYS, limit=2, window=900) for _ in range(count)]


async def test_without_redis_it_counts_in_the_process_and_warns_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = RedisServer(tmp_path)  # not started: nothing listens on its port
    limiter = RedisRateLimiter(server.url, retry_seconds=0.2)
    try:
        with caplog.at_level(logging.WARNING, logger="community.web.limits"):
            assert await hits_limited(limiter, 3) == [0, 0, 900]  # counted here, never a failure
            await asyncio.sleep(0.3)
            await hits_limited(limiter, 2)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1  # once a minute at most, however many requests
        assert "Redis did not answer" in warnings[0]
        assert "counted in this process" in warnings[0]

        server.start()  # Redis comes (back): after the pause, counts go to it again
        try:
            await asyncio.sleep(0.3)
            caplog.clear()
            with caplog.at_level(logging.WARNING, logger="community.web.limits"):
                assert await hits_limited(limiter, 1) == [0]
            assert "shared again" in caplog.text
            assert len(server.keys()) == 2
        finally:
            server.stop()
    finally:
        await limiter.close()


async def test_memory_limiter_counts_each_key() -> None:
    limiter = MemoryRateLimiter()
    assert await hits(limiter, 10) == [0] * 10
    assert await limiter.hit("login", KEYS, limit=10, window=900) == 900
    assert await limiter.hit("login", ["other"], limit=10, window=900) == 0


async def test_the_limiter_is_chosen_by_redis_url(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="community.web.limits"):
        assert isinstance(make_rate_limiter(""), MemoryRateLimiter)
    assert "counted in each web process (no REDIS_URL)" in caplog.text
    assert isinstance(make_rate_limiter("redis://127.0.0.1:1/0"), RedisRateLimiter)
