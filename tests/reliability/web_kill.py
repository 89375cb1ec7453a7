"""The web process killed with SIGKILL, again and again, while members write: then no partial
rows (every invariant holds, every thread has its opening post), every write the site
acknowledged is stored, and no answer was a 5xx.

    python -m tests.reliability.web_kill                    # the short run CI does (6 kills)
    python -m tests.reliability.web_kill --kills 50         # a long one, on demand

Writers (members with API tokens) start threads, reply, RSVP and cancel, react, join and
leave another group and mark notifications read, as fast as the site answers (each member's
posts are rate-limited, so some answers are 429). Each kill takes the
whole uvicorn process group down mid-request (no shutdown, no cleanup) and starts it again.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections import Counter
from typing import Any

import httpx

from tests.reliability.live import Site, invariants_of, report, seeded_site

DATABASE = "community_web_kill"
MEMBERS = 40


class Writers:
    """Members writing through the API until told to stop; what the site acknowledged is kept
    to check against the database afterwards."""

    def __init__(self, url: str, data: dict[str, Any]) -> None:
        self.url = url
        self.data = data
        self.answers: Counter[str] = Counter()
        self.threads: list[int] = []  # acknowledged with 201
        self.posts: list[int] = []
        self.stopping = False

    async def run(self, writers: int) -> None:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            await asyncio.gather(*(self._write(client, n) for n in range(writers)))

    async def _write(self, client: httpx.AsyncClient, number: int) -> None:
        rng = random.Random(number)  # load, not secrets
        while not self.stopping:
            headers = {"Authorization": f"Bearer {rng.choice(self.data['tokens'])}"}
            roll = rng.random()
            try:
                if roll < 0.2:
                    response = await client.post(
                        f"/api/v1/groups/{self.data['group']}/threads",
                        json={
                            "title": f"Kill test {number}-{rng.randint(0, 10**9)}",
                            "body": f"Opening words {rng.randint(0, 10**9)}",
                        },
                        headers=headers,
                    )
                    if response.status_code == 201:
                        self.threads.append(response.json()["id"])
                elif roll < 0.5:
                    thread = rng.choice(self.data["threads"] + self.threads[-20:])
                    response = await client.post(
                        f"/api/v1/threads/{thread}/posts",
                        json={"body": f"A reply {rng.randint(0, 10**9)}"},
                        headers=headers,
                    )
                    if response.status_code == 201:
                        self.posts.append(response.json()["id"])
                elif roll < 0.7:
                    event = rng.choice(self.data["events"])
                    status = rng.choice(["going", "not_going"])
                    response = await client.put(
                        f"/api/v1/events/{event}/rsvp", json={"status": status}, headers=headers
                    )
                elif roll < 0.8:
                    post = rng.choice(self.data["posts"])
                    method = rng.choice(["PUT", "DELETE"])
                    response = await client.request(
                        method, f"/api/v1/posts/{post}/reactions/like", headers=headers
                    )
                elif roll < 0.9:
                    action = rng.choice(["join", "leave"])
                    response = await client.post(
                        f"/api/v1/groups/{self.data['open_group']}/{action}",
                        json={},
                        headers=headers,
                    )
                else:
                    response = await client.post(
                        "/api/v1/notifications/read", json={}, headers=headers
                    )
                self.answers[str(response.status_code)] += 1
            except httpx.TransportError as exc:  # the site was killed under this request
                self.answers[type(exc).__name__] += 1
                await asyncio.sleep(0.05)


async def _kill_while_writing(
    site: Site, data: dict[str, Any], kills: int, writers: int
) -> tuple[Writers, list[float]]:
    load = Writers(site.url, data)
    task = asyncio.create_task(load.run(writers))
    rng = random.Random(2026)
    downtimes = []
    for _ in range(kills):
        await asyncio.sleep(rng.uniform(1.0, 3.0))
        site.kill()
        started = time.monotonic()
        await asyncio.to_thread(site.start)
        downtimes.append(time.monotonic() - started)
    await asyncio.sleep(1.0)
    load.stopping = True
    await task
    return load, downtimes


async def _missing(database_url: str, load: Writers) -> dict[str, int]:
    """Acknowledged threads and posts that the database does not have."""
    from tortoise import Tortoise

    from community import db
    from community.forum.models import Post, Thread

    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        threads = set(await Thread.filter(id__in=load.threads).values_list("id", flat=True))
        posts = set(await Post.filter(id__in=load.posts).values_list("id", flat=True))
    finally:
        await Tortoise.close_connections()
    return {
        "threads": len(set(load.threads) - threads),
        "posts": len(set(load.posts) - posts),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--writers", type=int, default=20, help="members writing at once")
    args = parser.parse_args()
    database_url, data, site = seeded_site(DATABASE, members=MEMBERS)
    site.start()
    try:
        load, downtimes = asyncio.run(_kill_while_writing(site, data, args.kills, args.writers))
    finally:
        site.stop()
    missing = asyncio.run(_missing(database_url, load))
    broken = asyncio.run(invariants_of(database_url))
    answered = sum(n for code, n in load.answers.items() if code.isdigit())
    refused = load.answers["ConnectError"]  # sent while the site was down
    cut = sum(n for code, n in load.answers.items() if not code.isdigit()) - refused
    server_errors = sum(n for code, n in load.answers.items() if code.startswith("5"))
    figures = {
        "kills": args.kills,
        "answers": dict(load.answers),
        "requests answered": answered,
        "requests cut by a kill": cut,
        "requests refused while down": refused,
        "threads acknowledged": len(load.threads),
        "replies acknowledged": len(load.posts),
        "acknowledged but missing": missing,
        "seconds to restart (max)": round(max(downtimes, default=0.0), 2),
        "invariants broken": broken,
    }
    checks = {
        f"the site was killed {args.kills} times mid-write and started again": len(downtimes)
        == args.kills,
        "the kills landed mid-request (requests cut)": cut > 0,
        "no 5xx": server_errors == 0,
        "every acknowledged thread and reply is stored": not any(missing.values()),
        "no partial rows: every invariant holds": not broken,
        "no errors in the site's log": not site.errors_logged(),
    }
    return report(figures, checks, site)


if __name__ == "__main__":
    sys.exit(main())
