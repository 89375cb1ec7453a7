"""Rate limits by client address and by account: fixed windows counted in memory.

Each web process counts on its own; REDIS_URL (a later issue) shares the counts.
"""

from __future__ import annotations

import math
import time

from starlette.requests import Request

from community.errors import RateLimited

#: bucket -> (attempts allowed, window in seconds)
LIMITS: dict[str, tuple[int, int]] = {
    "login": (10, 15 * 60),
    "register": (5, 60 * 60),
    "password_reset": (5, 60 * 60),
    "verification_resend": (3, 60 * 60),
}


class MemoryRateLimiter:
    """Fixed-window counters in this process."""

    def __init__(self) -> None:
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}

    def hit(self, bucket: str, key: str, *, limit: int, window: int) -> int:
        """Count one attempt; return 0 when allowed, else the seconds until the window ends."""
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

    def _forget_old(self, now: float) -> None:
        longest = max(window for _, window in LIMITS.values())
        self._windows = {
            key: value for key, value in self._windows.items() if now - value[0] < longest
        }


def client_address(request: Request) -> str:
    """The socket peer, or with TRUST_PROXY_HEADERS the address our proxy saw."""
    if request.app.state.settings.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.client.host if request.client else "unknown"


def check_rate_limit(request: Request, bucket: str, *extra_keys: str) -> None:
    """Count an attempt in `bucket` for the client address and each extra key (an email)."""
    settings = request.app.state.settings
    if not settings.rate_limits:
        return
    limiter: MemoryRateLimiter = request.app.state.rate_limiter
    limit, window = LIMITS[bucket]
    for key in (client_address(request), *(k.lower() for k in extra_keys if k)):
        retry_after = limiter.hit(bucket, key, limit=limit, window=window)
        if retry_after:
            minutes = max(1, math.ceil(retry_after / 60))
            raise RateLimited(
                f"Too many attempts. Please wait {minutes} minute{'s' if minutes > 1 else ''} "
                "and try again.",
                retry_after=retry_after,
            )
