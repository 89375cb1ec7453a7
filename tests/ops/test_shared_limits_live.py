"""Two web processes, one Redis: the sign-in limit is the same as with one process. Without
REDIS_URL each process counts its own (the documented trade-off). Redis stopped mid-run: no
failure, a warning; back: shared again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from community.settings import Settings
from tests.factories import make_member
from tests.redis_server import redis_server
from tests.servers import serve

pytestmark = pytest.mark.asyncio(loop_scope="session")

EMAIL = "limited@example.org"


async def sign_in(base_url: str) -> int:
    """A failed sign-in through the API (422: wrong password); its status."""
    answer = await asyncio.to_thread(
        httpx.post,
        f"{base_url}/api/v1/auth/tokens",
        json={"email": EMAIL, "password": "not the password at all", "name": "script"},
        timeout=10,
    )
    return answer.status_code


async def alternating(servers: tuple[str, str], count: int) -> list[int]:
    return [await sign_in(servers[n % 2]) for n in range(count)]


async def test_two_processes_share_the_sign_in_limit_through_redis(
    settings: Settings, database: None, tmp_path: Path
) -> None:
    await make_member(email=EMAIL)
    with (
        redis_server(tmp_path) as redis,
        serve(settings, tmp_path / "a.log", REDIS_URL=redis.url) as first,
        serve(settings, tmp_path / "b.log", REDIS_URL=redis.url) as second,
    ):
        servers = (first, second)
        assert await alternating(servers, 10) == [422] * 10
        assert [await sign_in(first), await sign_in(second)] == [429, 429]

        redis.stop()  # mid-run: requests go on, counted by each process meanwhile
        assert await alternating(servers, 4) == [422] * 4
        for log in ("a.log", "b.log"):
            text = (tmp_path / log).read_text()
            assert text.count("Redis did not answer") == 1, text[-2000:]
            assert "Traceback" not in text

        redis.start()  # empty (it keeps nothing on disk): a fresh count, shared again
        await asyncio.sleep(2.5)  # the limiter tries Redis again 2 s after a failure
        assert await alternating(servers, 10) == [422] * 10
        assert [await sign_in(second), await sign_in(first)] == [429, 429]
    for log in ("a.log", "b.log"):
        assert "rate limits are shared again" in (tmp_path / log).read_text()


async def test_without_redis_each_process_counts_its_own(
    settings: Settings, database: None, tmp_path: Path
) -> None:
    await make_member(email=EMAIL)
    with (
        serve(settings, tmp_path / "a.log", REDIS_URL="") as first,
        serve(settings, tmp_path / "b.log", REDIS_URL="") as second,
    ):
        assert await alternating((first, second), 20) == [422] * 20
        assert [await sign_in(first), await sign_in(second)] == [429, 429]
    assert "counted in each web process (no REDIS_URL)" in (tmp_path / "a.log").read_text()
