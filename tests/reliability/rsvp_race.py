"""Races on PostgreSQL from several processes: many RSVPs for few seats, concurrent
cancellations, double submits. The site runs under uvicorn with two workers; the requests
come from several client processes at once, through the API with each member's token.

    python -m tests.reliability.rsvp_race                    # the short run CI does
    python -m tests.reliability.rsvp_race --members 5000     # a long one
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from tests.reliability.live import Site, broken_invariants, fresh_postgres, migrate, report

#: connections (and requests in flight) of each client process
CONNECTIONS = 200
DATABASE = "community_reliability"


async def _setup(database_url: str, members: int, seats: int) -> dict[str, Any]:
    from tortoise import Tortoise

    from community import clock, db
    from community.accounts import tokens
    from community.accounts.models import Member
    from community.events.models import Event
    from community.settings import Settings, configure

    configure(Settings(database_url=database_url, secret_key="x" * 32))
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        now = clock.now()
        await Member.bulk_create(
            [
                Member(
                    email=f"racer{n}@example.org",
                    display_name=f"Racer {n}",
                    handle=f"racer{n}",
                    verified_at=now,
                    created_at=now,
                )
                for n in range(members + 1)
            ],
            batch_size=1000,
        )
        people = list(await Member.all().order_by("id"))
        admin = people[0]
        await Member.filter(id=admin.id).update(is_admin=True)
        secrets = [(await tokens.create_token(member=m, name="race"))[1] for m in people[1:]]
        starts = now.replace(microsecond=0) + timedelta(days=10)
        common = {
            "description": "",
            "description_html": "",
            "kind": "talk",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "time_zone": "Asia/Singapore",
            "venue": "Hall",
            "online_url": "",
            "cpd_hours": Decimal(0),
            "created_by_id": admin.id,
            "created_at": now,
        }
        race = await Event.create(title="The race", capacity=seats, **common)
        double = await Event.create(title="Double submits", capacity=None, **common)
        return {"tokens": secrets, "race": race.id, "double": double.id}
    finally:
        await Tortoise.close_connections()


def _client(
    base_url: str,
    path: str,
    tokens: list[str],
    body: dict[str, str],
    start_at: float,
    copies: int,
    out: Any,
) -> None:
    """One client process: every token's request sent at once, at `start_at`."""

    async def run() -> list[tuple[str, int, str]]:
        limits = httpx.Limits(max_connections=CONNECTIONS)
        # as many in flight as connections: a longer queue inside httpx's pool costs the
        # client time that grows with its length (not the site's)
        in_flight = asyncio.Semaphore(CONNECTIONS)
        async with httpx.AsyncClient(base_url=base_url, timeout=120, limits=limits) as client:
            await asyncio.sleep(max(0.0, start_at - time.time()))

            async def one(token: str) -> tuple[str, int, str]:
                # a PUT may be sent again: a connection the server closed as it was reused
                # (keep-alive) is the client's to retry, as browsers do; 0 if it never got in
                for attempt in range(3):
                    try:
                        async with in_flight:
                            response = await client.put(
                                path, json=body, headers={"Authorization": f"Bearer {token}"}
                            )
                    except httpx.TransportError as exc:
                        failure = type(exc).__name__
                        await asyncio.sleep(0.2 * (attempt + 1))
                        continue
                    answer = response.json() if response.status_code == 200 else {}
                    return token, response.status_code, answer.get("status", "")
                return token, 0, failure

            return list(await asyncio.gather(*(one(t) for t in tokens for _ in range(copies))))

    out.put(asyncio.run(run()))


def _burst(
    base_url: str,
    path: str,
    tokens: list[str],
    body: dict[str, str],
    processes: int,
    copies: int = 1,
) -> list[tuple[str, int, str]]:
    """Send the requests from several processes at the same moment; all their answers."""
    queue: Any = multiprocessing.Queue()
    start_at = time.time() + 1.5
    shares = [tokens[n::processes] for n in range(processes)]
    workers = [
        multiprocessing.Process(
            target=_client, args=(base_url, path, share, body, start_at, copies, queue)
        )
        for share in shares
    ]
    for worker in workers:
        worker.start()
    answers: list[tuple[str, int, str]] = []
    for _ in workers:
        answers += queue.get(timeout=300)
    for worker in workers:
        worker.join()
    return answers


async def _check(
    database_url: str, race: int, double: int, seats: int, members: int, cancelled: int
) -> dict[str, Any]:
    from tortoise import Tortoise

    from community import db
    from community.events.models import Event, Rsvp
    from community.notifications.models import Notification

    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        event = await Event.get(id=race)
        going = await Rsvp.filter(event_id=race, status="going").count()
        waiting = await Rsvp.filter(event_id=race, status="waitlist").count()
        promoted = await Rsvp.filter(event_id=race, promoted_at__isnull=False).count()
        promotions = await Notification.filter(kind="promoted").count()
        distinct = len(
            set(await Notification.filter(kind="promoted").values_list("member_id", flat=True))
        )
        return {
            "seats_taken": event.seats_taken,
            "going": going,
            "waitlist": waiting,
            "promoted": promoted,
            "promotion notifications": promotions,
            "promoted members (distinct)": distinct,
            "double-submit rows": await Rsvp.filter(event_id=double).count(),
            "invariants broken": await broken_invariants(),
        }
    finally:
        await Tortoise.close_connections()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--processes", type=int, default=4)
    args = parser.parse_args()
    database_url = fresh_postgres(DATABASE)
    migrate(database_url)
    setup = asyncio.run(_setup(database_url, args.members, args.seats))
    log = Path(tempfile.mkdtemp(prefix="community-race-")) / "site.log"
    site = Site(database_url, log, workers=2).start()
    try:
        started = time.monotonic()
        answers = _burst(
            site.url,
            f"/api/v1/events/{setup['race']}/rsvp",
            setup["tokens"],
            {"status": "going"},
            args.processes,
        )
        race_seconds = time.monotonic() - started
        said_going = sum(1 for _, code, status in answers if status == "going")
        server_errors = sum(1 for _, code, _ in answers if code >= 500)
        # half of those going cancel at once: each frees a seat for exactly one waiting member
        going_tokens = [token for token, _, status in answers if status == "going"]
        cancel = going_tokens[: args.seats // 2]
        cancels = _burst(
            site.url,
            f"/api/v1/events/{setup['race']}/rsvp",
            cancel,
            {"status": "not_going"},
            args.processes,
        )
        server_errors += sum(1 for _, code, _ in cancels if code >= 500)
        doubles = _burst(
            site.url,
            f"/api/v1/events/{setup['double']}/rsvp",
            setup["tokens"][:100],
            {"status": "going"},
            args.processes,
            copies=2,
        )
        server_errors += sum(1 for _, code, _ in doubles if code >= 500)
        unsent = sum(1 for _, code, _ in [*answers, *cancels, *doubles] if code == 0)
    finally:
        site.stop()
    result = asyncio.run(
        _check(database_url, setup["race"], setup["double"], args.seats, args.members, len(cancel))
    )
    expected_waiting = args.members - args.seats - len(cancel)  # the promoted left it
    checks = {
        f"{args.members} RSVPs for {args.seats} seats: exactly {args.seats} going": result["going"]
        == result["seats_taken"]
        == args.seats
        == said_going,
        f"the rest waiting: {expected_waiting} after the promotions": result["waitlist"]
        == expected_waiting,
        f"{len(cancel)} concurrent cancellations promote {len(cancel)}, each once": result[
            "promoted"
        ]
        == result["promotion notifications"]
        == result["promoted members (distinct)"]
        == len(cancel),
        "100 members answering twice at once: 100 rows": result["double-submit rows"] == 100,
        "no 5xx": server_errors == 0,
        "every request answered (after at most 2 retries of a reused connection)": unsent == 0,
        "no errors in the site's log": not site.errors_logged(),
        "every invariant holds": not result["invariants broken"],
    }
    figures = {
        **result,
        "race seconds": round(race_seconds, 2),
        "server errors": server_errors,
        "requests never answered": unsent,
    }
    return report(figures, checks, site)


if __name__ == "__main__":
    sys.exit(main())
