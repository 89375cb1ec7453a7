"""Races on PostgreSQL from several processes: many RSVPs for few seats, concurrent
cancellations, double submits; and many members enrolling at once in a programme of six
sessions with few places, then withdrawals promoting its waitlist. The site runs under
uvicorn with two workers; the requests come from several client processes at once, through
the API with each member's token.

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
#: the programme's sessions
SESSIONS = 6


async def _setup(database_url: str, members: int, seats: int, places: int) -> dict[str, Any]:
    from tortoise import Tortoise

    from community import clock, db
    from community.accounts import tokens
    from community.accounts.models import Member
    from community.events.models import Event
    from community.programmes.models import Programme, ProgrammeSession
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
        programme = await Programme.create(
            title="The programme race",
            provider="Reliability",
            cpd_hours=Decimal(12),
            enrol_closes_at=starts,
            capacity=places,
            min_attended=SESSIONS,
            time_zone="Asia/Singapore",
            created_by_id=admin.id,
            created_at=now,
        )
        for week in range(SESSIONS):
            at = starts + timedelta(weeks=week)
            session = await Event.create(
                **{**common, "starts_at": at, "ends_at": at + timedelta(hours=2)},
                title=f"Programme session {week + 1}",
                capacity=places,
                enrolment_only=True,
            )
            await ProgrammeSession.create(programme_id=programme.id, event_id=session.id)
        return {
            "tokens": secrets,
            "race": race.id,
            "double": double.id,
            "programme": programme.id,
        }
    finally:
        await Tortoise.close_connections()


def _status(answer: dict[str, Any]) -> str:
    """An RSVP's status, or the enrolment's of a programme's answer."""
    if "enrolment" in answer:
        return str((answer["enrolment"] or {}).get("status", ""))
    return str(answer.get("status", ""))


def _client(
    base_url: str,
    path: str,
    tokens: list[str],
    body: dict[str, str] | None,
    start_at: float,
    copies: int,
    out: Any,
    method: str = "PUT",
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
                            response = await client.request(
                                method,
                                path,
                                json=body,
                                headers={"Authorization": f"Bearer {token}"},
                            )
                    except httpx.TransportError as exc:
                        failure = type(exc).__name__
                        await asyncio.sleep(0.2 * (attempt + 1))
                        continue
                    answer = response.json() if response.status_code == 200 else {}
                    return token, response.status_code, _status(answer)
                return token, 0, failure

            return list(await asyncio.gather(*(one(t) for t in tokens for _ in range(copies))))

    out.put(asyncio.run(run()))


def _burst(
    base_url: str,
    path: str,
    tokens: list[str],
    body: dict[str, str] | None,
    processes: int,
    copies: int = 1,
    method: str = "PUT",
) -> list[tuple[str, int, str]]:
    """Send the requests from several processes at the same moment; all their answers."""
    queue: Any = multiprocessing.Queue()
    start_at = time.time() + 1.5
    shares = [tokens[n::processes] for n in range(processes)]
    workers = [
        multiprocessing.Process(
            target=_client,
            args=(base_url, path, share, body, start_at, copies, queue, method),
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


async def _programme_check(programme_id: int, withdrawn: int) -> dict[str, Any]:
    """The programme after the race and the withdrawals: places, each session's seats, and
    whether the members promoted were the first waiting, in the order they answered."""
    from community.events.models import Event, Rsvp
    from community.notifications.models import Notification
    from community.programmes.models import Enrolment, Programme, ProgrammeSession

    programme = await Programme.get(id=programme_id)
    enrolments = await Enrolment.filter(programme_id=programme_id).order_by("answered_at", "id")
    promoted = [e for e in enrolments if e.promoted_at is not None]
    # those promoted must be exactly the earliest to answer among all who were waitlisted
    waited = [e for e in enrolments if e.promoted_at is not None or e.status == "waitlist"]
    session_ids = await ProgrammeSession.filter(programme_id=programme_id).values_list(
        "event_id", flat=True
    )
    seats = []
    for event_id in session_ids:
        event = await Event.get(id=event_id)
        going = await Rsvp.filter(event_id=event_id, status="going").count()
        seats.append((event.seats_taken, going))
    return {
        "programme places taken": programme.seats_taken,
        "programme enrolled": sum(1 for e in enrolments if e.status == "enrolled"),
        "programme waitlist": sum(1 for e in enrolments if e.status == "waitlist"),
        "programme withdrawn": sum(1 for e in enrolments if e.status == "withdrawn"),
        "programme promoted": len(promoted),
        "promoted in the waitlist's order": {e.id for e in promoted}
        == {e.id for e in waited[: len(promoted)]},
        "programme promotion notifications": await Notification.filter(
            kind="programme_enrolment"
        ).count(),
        "sessions (seats_taken, going)": sorted(set(seats)),
        "withdrawals sent": withdrawn,
    }


async def _check(
    database_url: str,
    race: int,
    double: int,
    seats: int,
    members: int,
    cancelled: int,
    programme: int,
    withdrawn: int,
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
            **await _programme_check(programme, withdrawn),
            "invariants broken": await broken_invariants(),
        }
    finally:
        await Tortoise.close_connections()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--seats", type=int, default=50)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--enrolling", type=int, default=200, help="members racing to enrol")
    parser.add_argument("--places", type=int, default=20, help="the programme's places")
    args = parser.parse_args()
    enrolling = min(args.enrolling, args.members)
    database_url = fresh_postgres(DATABASE)
    migrate(database_url)
    setup = asyncio.run(_setup(database_url, args.members, args.seats, args.places))
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
        enrolment = f"/api/v1/programmes/{setup['programme']}/enrolment"
        enrols = _burst(site.url, enrolment, setup["tokens"][:enrolling], None, args.processes)
        said_enrolled = sum(1 for _, _, status in enrols if status == "enrolled")
        server_errors += sum(1 for _, code, _ in enrols if code >= 500)
        # a quarter of those enrolled withdraw at once: each place goes to exactly one waiting
        leaving = [token for token, _, status in enrols if status == "enrolled"][: args.places // 4]
        withdrawals = _burst(site.url, enrolment, leaving, None, args.processes, method="DELETE")
        server_errors += sum(1 for _, code, _ in withdrawals if code >= 500)
        unsent = sum(
            1 for _, code, _ in [*answers, *cancels, *doubles, *enrols, *withdrawals] if code == 0
        )
    finally:
        site.stop()
    result = asyncio.run(
        _check(
            database_url,
            setup["race"],
            setup["double"],
            args.seats,
            args.members,
            len(cancel),
            setup["programme"],
            len(leaving),
        )
    )
    places = args.places
    promoted_expected = min(len(leaving), max(enrolling - places, 0))
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
        f"{enrolling} enrolling at once for {places} places: exactly {places} enrolled": result[
            "programme enrolled"
        ]
        == result["programme places taken"]
        == places
        == said_enrolled + promoted_expected - len(leaving),
        f"every session: {places} seats taken, {places} going": result[
            "sessions (seats_taken, going)"
        ]
        == [(places, places)],
        f"{len(leaving)} withdrawals promote {promoted_expected}, the first waiting, each once": (
            result["programme promoted"]
            == result["programme promotion notifications"]
            == promoted_expected
            and result["promoted in the waitlist's order"]
        ),
        "the rest still waiting": result["programme waitlist"]
        == enrolling - places - promoted_expected,
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
