"""Soak: mixed reads and writes at a steady rate against the site under uvicorn, then zero
5xx, web memory growth under 10% (after a warm-up), and every invariant holding.

    python -m tests.reliability.soak                     # the short run CI does (30 s)
    python -m tests.reliability.soak --seconds 600       # ten minutes, on demand
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.reliability.live import invariants_of, report, seeded_site

DATABASE = "community_soak"
MEMBERS = 100


def _rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


async def _traffic(
    url: str, data: dict[str, Any], seconds: float, rate: float, site_pid: int
) -> dict[str, Any]:
    rng = random.Random(7)  # load, not secrets
    codes: Counter[str] = Counter()
    rss: list[tuple[float, float]] = []

    def request() -> tuple[str, str, dict[str, Any] | None, str | None]:
        token = rng.choice(data["tokens"])
        roll = rng.random()
        if roll < 0.15:
            return "GET", f"/threads/{rng.choice(data['threads'])}", None, None
        if roll < 0.25:
            return "GET", f"/groups/{data['group']}", None, None
        if roll < 0.32:
            return (
                "GET",
                "/search?q=" + rng.choice(["school refusal", "parents", "kinship"]),
                None,
                None,
            )
        if roll < 0.40:
            return "GET", f"/events/{rng.choice(data['events'])}", None, None
        if roll < 0.48:
            return "GET", "/", None, None
        if roll < 0.58:
            return "GET", f"/api/v1/threads/{rng.choice(data['threads'])}", None, token
        if roll < 0.66:
            return "GET", "/api/v1/notifications", None, token
        if roll < 0.76:
            status = rng.choice(["going", "not_going"])
            return (
                "PUT",
                f"/api/v1/events/{rng.choice(data['events'])}/rsvp",
                {"status": status},
                token,
            )
        if roll < 0.86:
            kind = rng.choice(["like", "insightful"])
            method = rng.choice(["PUT", "DELETE"])
            return (
                method,
                f"/api/v1/posts/{rng.choice(data['posts'])}/reactions/{kind}",
                None,
                token,
            )
        if roll < 0.93:
            return (
                "POST",
                f"/api/v1/threads/{rng.choice(data['threads'])}/posts",
                {"body": f"Soak reply {rng.randint(0, 10**9)}"},
                token,
            )
        return "POST", "/api/v1/notifications/read", {}, token

    async def send(client: httpx.AsyncClient) -> None:
        try:
            method, path, body, token = request()
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = await client.request(method, path, json=body, headers=headers)
            codes[str(response.status_code)] += 1
        except Exception as exc:  # every failure is counted and fails the run
            codes[type(exc).__name__] += 1

    async with httpx.AsyncClient(
        base_url=url, timeout=30, limits=httpx.Limits(max_connections=50)
    ) as client:
        started = time.monotonic()
        tasks: set[asyncio.Task[None]] = set()
        sent = 0
        next_sample = started
        while (now := time.monotonic()) - started < seconds:
            due = int((now - started) * rate)
            while sent < due:
                task = asyncio.create_task(send(client))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                sent += 1
            if now >= next_sample:
                rss.append((now - started, _rss_mb(site_pid)))
                next_sample = now + max(seconds / 20, 1)
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)
        rss.append((time.monotonic() - started, _rss_mb(site_pid)))
    return {"codes": dict(codes), "sent": sent, "rss": rss}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=40, help="requests a second")
    args = parser.parse_args()
    database_url, data, site = seeded_site(DATABASE, members=MEMBERS)
    site.start()
    assert site.process is not None
    try:
        result = asyncio.run(_traffic(site.url, data, args.seconds, args.rate, site.process.pid))
    finally:
        site.stop()
    broken = asyncio.run(invariants_of(database_url))
    rss = result["rss"]
    warm = [mb for moment, mb in rss if moment >= args.seconds * 0.2] or [rss[-1][1]]
    growth = (rss[-1][1] - warm[0]) / warm[0] if warm[0] else 0.0
    server_errors = sum(n for code, n in result["codes"].items() if code.startswith("5"))
    transport_errors = sum(n for code, n in result["codes"].items() if not code.isdigit())
    figures = {
        "requests": result["sent"],
        "answers": result["codes"],
        "rss after warm-up MB": round(warm[0], 1),
        "rss at the end MB": round(rss[-1][1], 1),
        "growth": f"{growth:.1%}",
        "invariants broken": broken,
    }
    checks = {
        "no 5xx": server_errors == 0,
        "no failed requests (connections or the script)": transport_errors == 0,
        "RSS growth under 10% after warm-up": growth < 0.10,
        "no errors in the site's log": not site.errors_logged(),
        "every invariant holds": not broken,
    }
    return report(figures, checks, site)


if __name__ == "__main__":
    sys.exit(main())
