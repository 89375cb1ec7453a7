"""Rate limits by client address and by account: fixed windows, counted in Redis when
REDIS_URL is set (every web process shares the counts), else in this process's memory.

If Redis stops answering, requests go on: the counts fall back to this process (a warning at
most once a minute) and go back to Redis, shared again, once it answers.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from typing import Protocol

from redis import asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from starlette.requests import Request

from community.errors import RateLimited

logger = logging.getLogger(__name__)

#: bucket -> (attempts allowed, window in seconds)
LIMITS: dict[str, tuple[int, int]] = {
    "login": (10, 15 * 60),
    "register": (5, 60 * 60),
    "password_reset": (5, 60 * 60),
    "verification_resend": (3, 60 * 60),
}


class RateLimiter(Protocol):
    async def hit(self, bucket: str, keys: list[str], *, limit: int, window: int) -> int:
        """Count one attempt for each key; return 0 when every key is within its limit, else
        the seconds until the longest-waiting key's window ends."""

    async def close(self) -> None: ...


class MemoryRateLimiter:
    """Fixed-window counters in this process: N web processes allow N times the attempts."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    async def hit(self, bucket: str, keys: list[str], *, limit: int, window: int) -> int:
        return max(
            (self.hit_one(bucket, key, limit=limit, window=window) for key in keys), default=0
        )

    def hit_one(self, bucket: str, key: str, *, limit: int, window: int) -> int:
        now = time.monotonic()
        started, count = self._windows.get((bucket, key), (now, 0))
        if now - started >= window:
            started, count = now, 0
        count += 1
        self._windows[(bucket, key)] = (started, count)
        if len(self._windows) > 100_000:
            self._forget_old(now)
        if count > limit:
            return max(1, math.ceil(window - (now - started)))
        return 0

    def reset(self) -> None:
        self._windows.clear()

    async def close(self) -> None:
        return None

    def _forget_old(self, now: float) -> None:
        longest = max(window for _, window in LIMITS.values())
        self._windows = {
            key: value for key, value in self._windows.items() if now - value[0] < longest
        }


#: counts every key given and gives back each one's count and seconds left, in one round trip;
#: a key's window starts with its first attempt (INCR, then EXPIRE on the first)
_HIT_SCRIPT = """
local result = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = redis.call('TTL', key)
  if count == 1 or ttl < 0 then
    redis.call('EXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1])
  end
  result[#result + 1] = count
  result[#result + 1] = ttl
end
return result
"""


class RedisRateLimiter:
    """Counts in Redis, shared by every process; this process's own counters while Redis is
    away. A failed call waits `retry_seconds` before Redis is tried again, so an unreachable
    Redis costs one timeout now and then, not one a request."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.5,
        retry_seconds: float = 2.0,
        warn_every_seconds: float = 60.0,
    ) -> None:
        self.client = aioredis.Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # this class decides what happens on a failure
        )
        self.script = self.client.register_script(_HIT_SCRIPT)
        self.fallback = MemoryRateLimiter()
        self.retry_seconds = retry_seconds
        self.warn_every_seconds = warn_every_seconds
        self._down_until = 0.0
        self._warned_at = -math.inf

    async def hit(self, bucket: str, keys: list[str], *, limit: int, window: int) -> int:
        now = time.monotonic()
        if now >= self._down_until:
            try:
                counts = await self.script(
                    keys=[_redis_key(bucket, k) for k in keys], args=[window]
                )
            except (RedisError, OSError) as exc:
                self._down_until = now + self.retry_seconds
                if now - self._warned_at >= self.warn_every_seconds:
                    self._warned_at = now
                    logger.warning(
                        "Redis did not answer (%s): rate limits are counted in this process "
                        "until it does",
                        type(exc).__name__,
                    )
            else:
                if self._down_until:
                    self._down_until = 0.0
                    logger.warning("Redis answers again: rate limits are shared again")
                return max(
                    (
                        ttl
                        for count, ttl in zip(counts[::2], counts[1::2], strict=True)
                        if count > limit
                    ),
                    default=0,
                )
        return await self.fallback.hit(bucket, keys, limit=limit, window=window)

    async def close(self) -> None:
        await self.client.aclose()


def _redis_key(bucket: str, key: str) -> str:
    """The key names no one: an email address or a client address is kept as a digest."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"community:limit:{bucket}:{digest}"


def make_rate_limiter(redis_url: str) -> RateLimiter:
    if redis_url:
        logger.info("Rate limits are counted in Redis, shared by every web process")
        return RedisRateLimiter(redis_url)
    logger.info(
        "Rate limits are counted in each web process (no REDIS_URL): with N web processes, "
        "a client gets N times the attempts"
    )
    return MemoryRateLimiter()


def client_address(request: Request) -> str:
    """The socket peer, or with TRUST_PROXY_HEADERS the address our proxy saw."""
    if request.app.state.settings.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"


async def check_rate_limit(request: Request, bucket: str, *extra_keys: str) -> None:
    """Count an attempt in `bucket` for the client address and each extra key (an email)."""
    settings = request.app.state.settings
    if not settings.rate_limits:
        return
    limiter: RateLimiter = request.app.state.rate_limiter
    limit, window = LIMITS[bucket]
    keys = [client_address(request), *(k.lower() for k in extra_keys if k)]
    retry_after = await limiter.hit(bucket, keys, limit=limit, window=window)
    if retry_after:
        minutes = max(1, math.ceil(retry_after / 60))
        raise RateLimited(
            f"Too many attempts. Please wait {minutes} minute{'s' if minutes > 1 else ''} "
            "and try again.",
            retry_after=retry_after,
        )
