"""What the reliability scripts share: a throwaway database, the site under uvicorn in child
processes, and the invariants every write path must leave true."""

from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "reliability-secret-key-not-for-production"
#: a traceback's last line: the exception raised and its message
_RAISED = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fresh_postgres(name: str) -> str:
    """An empty PostgreSQL database of that name on 127.0.0.1, and its URL."""
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(  # noqa: S603  # fixed commands
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c", sql],  # noqa: S607
            check=True,
        )
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def env(database_url: str, base_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "BASE_URL": base_url,
        "RATE_LIMITS": "off",
        "DEBUG": "1",
        "EMAIL_BACKEND": "console",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def migrate(database_url: str) -> None:
    subprocess.run(  # our own command line
        [sys.executable, "-m", "community", "migrate"],
        env=env(database_url, "http://127.0.0.1"),
        check=True,
        capture_output=True,
    )


class Site:
    """`uvicorn community.app:app` with some workers, started and stopped by the script."""

    def __init__(self, database_url: str, log: Path, *, workers: int = 1, **extra: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.log = log
        self.workers = workers
        self.extra = extra
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Site:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "community.app:app",
            "--port",
            str(self.port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        if self.workers > 1:
            command += ["--workers", str(self.workers)]
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603  # our own command line
                command,
                env=env(self.database_url, self.url, **self.extra),
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the site did not start:\n{self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown, no cleanup (a crash)."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
            self.process = None

    def errors_logged(self) -> list[str]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        # the error lines, and each traceback's last line: what was raised
        return [
            line
            for line in text.splitlines()
            if "ERROR" in line or "Traceback" in line or _RAISED.match(line)
        ]


def seeded_site(database: str, *, members: int) -> tuple[str, dict[str, Any], Site]:
    """A fresh database of that name, migrated and seeded (seed_site), and the site on it
    (not started yet): its URL, what seed_site returned, and the Site."""
    database_url = fresh_postgres(database)
    migrate(database_url)
    data = asyncio.run(seed_site(database_url, members=members))
    log = Path(tempfile.mkdtemp(prefix=f"{database}-")) / "site.log"
    return database_url, data, Site(database_url, log)


def report(figures: dict[str, Any], checks: dict[str, bool], site: Site | None = None) -> int:
    """Print the figures as JSON and a PASS or FAIL line a check (and the site's logged
    errors, if any); the exit status: 0 when every check passed."""
    print(json.dumps(figures, indent=2))
    for label, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    if site is not None and site.errors_logged():
        print("\n".join(site.errors_logged()[-20:]))
    return 0 if all(checks.values()) else 1


async def broken_invariants() -> list[str]:
    """What the kept counters and numbering say against the rows (empty: all hold)."""
    from tortoise import connections

    from community import clock

    client: Any = connections.get("default")
    checks = {
        "thread post_count = its posts": """
            SELECT t.id FROM forum_thread t LEFT JOIN forum_post p ON p.thread_id = t.id
            GROUP BY t.id, t.post_count HAVING COUNT(p.id) <> t.post_count""",
        "posts numbered 1..n in each thread": """
            SELECT thread_id FROM forum_post GROUP BY thread_id
            HAVING MAX(number) <> COUNT(*) OR MIN(number) <> 1""",
        "group member_count = its memberships": """
            SELECT g.id FROM groups_group g LEFT JOIN groups_membership m ON m.group_id = g.id
            GROUP BY g.id, g.member_count HAVING COUNT(m.id) <> g.member_count""",
        "group facilitator_count = its facilitators": """
            SELECT g.id FROM groups_group g
            LEFT JOIN groups_membership m ON m.group_id = g.id AND m.role = 'facilitator'
            GROUP BY g.id, g.facilitator_count HAVING COUNT(m.id) <> g.facilitator_count""",
        "event seats_taken = members going": """
            SELECT e.id FROM events_event e
            LEFT JOIN events_rsvp r ON r.event_id = e.id AND r.status = 'going'
            GROUP BY e.id, e.seats_taken HAVING COUNT(r.id) <> e.seats_taken""",
        "no event over capacity": """
            SELECT id FROM events_event WHERE capacity IS NOT NULL AND seats_taken > capacity""",
        "a full event's waitlist only": """
            SELECT e.id FROM events_event e JOIN events_rsvp r ON r.event_id = e.id
            WHERE r.status = 'waitlist' AND e.state = 'scheduled'
              AND (e.capacity IS NULL OR e.seats_taken < e.capacity)
              AND e.starts_at > $1""",
        "member unread count = unread notifications": """
            SELECT m.id FROM accounts_member m
            LEFT JOIN notifications_notification n ON n.member_id = m.id AND n.read_at IS NULL
            GROUP BY m.id, m.unread_notifications
            HAVING COUNT(n.id) <> m.unread_notifications""",
    }
    checks["programme seats_taken = members enrolled"] = """
        SELECT p.id FROM programmes_programme p
        LEFT JOIN programmes_enrolment n ON n.programme_id = p.id AND n.status = 'enrolled'
        GROUP BY p.id, p.seats_taken HAVING COUNT(n.id) <> p.seats_taken"""
    checks["no programme over capacity"] = """
        SELECT id FROM programmes_programme WHERE seats_taken > capacity"""
    checks["a full programme's waitlist only, while enrolment is open"] = """
        SELECT p.id FROM programmes_programme p JOIN programmes_enrolment n
          ON n.programme_id = p.id
        WHERE n.status = 'waitlist' AND p.seats_taken < p.capacity AND p.enrol_closes_at > $1"""
    checks["every member enrolled is going to each session to come"] = """
        SELECT n.id FROM programmes_enrolment n
        JOIN programmes_session s ON s.programme_id = n.programme_id
        JOIN events_event e ON e.id = s.event_id
        LEFT JOIN events_rsvp r ON r.event_id = e.id AND r.member_id = n.member_id
          AND r.status = 'going'
        WHERE n.status = 'enrolled' AND e.state = 'scheduled' AND e.starts_at > $1
          AND r.id IS NULL"""
    checks["no one going to a programme's session without a place"] = """
        SELECT r.id FROM events_rsvp r
        JOIN programmes_session s ON s.event_id = r.event_id
        LEFT JOIN programmes_enrolment n ON n.programme_id = s.programme_id
          AND n.member_id = r.member_id AND n.status = 'enrolled'
        JOIN events_event e ON e.id = r.event_id
        WHERE r.status = 'going' AND n.id IS NULL AND e.starts_at > $1"""
    checks["every thread has its opening post"] = """
        SELECT t.id FROM forum_thread t WHERE NOT EXISTS (
            SELECT 1 FROM forum_post p WHERE p.thread_id = t.id AND p.number = 1)"""
    broken = []
    for name, sql in checks.items():
        # "now" from the scripts' clock, not the database server's (it may run on another clock)
        values = [clock.now()] if "$1" in sql else None
        rows = await client.execute_query_dict(sql, values)
        if rows:
            broken.append(f"{name}: {len(rows)} rows break it, e.g. {rows[:3]}")
    return broken


async def invariants_of(database_url: str) -> list[str]:
    """broken_invariants() of that database, from outside the site."""
    from tortoise import Tortoise

    from community import db

    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        return await broken_invariants()
    finally:
        await Tortoise.close_connections()


async def seed_site(database_url: str, *, members: int) -> dict[str, Any]:
    """A small site (bulk seed) and what the scripts act on: the first public group's slug,
    some of its threads and posts, upcoming events, and an API token for each of its
    members."""
    from tortoise import Tortoise

    from community import db
    from community.accounts import tokens
    from community.accounts.models import Member
    from community.forum.models import Post, Thread
    from community.groups.models import Group, Membership
    from community.seed_bulk import Size, seed_bulk
    from community.settings import Settings, configure

    configure(Settings(database_url=database_url, secret_key="x" * 32))
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        await seed_bulk(
            Size(members=members, groups=5, threads=200, posts=5000, events=20),
            stream=io.StringIO(),
        )
        group = await Group.filter(visibility="public").order_by("id").first()
        assert group is not None
        people = [m.member_id for m in await Membership.filter(group_id=group.id)]
        writers = list(await Member.filter(id__in=people).order_by("id"))
        open_group = (
            await Group.filter(join_policy="open", visibility="public")
            .exclude(id=group.id)
            .order_by("id")
            .first()
        )
        return {
            "group": group.slug,
            "open_group": open_group.slug if open_group else group.slug,
            "threads": [t.id for t in await Thread.filter(group_id=group.id).limit(30)],
            "posts": [p.id for p in await Post.filter(thread__group_id=group.id).limit(200)],
            "events": await _upcoming_events(),
            "tokens": [(await tokens.create_token(member=m, name="soak"))[1] for m in writers],
        }
    finally:
        await Tortoise.close_connections()


async def _upcoming_events() -> list[int]:
    """Site-wide events still open to RSVPs (one is made if the seed left none)."""
    from datetime import timedelta
    from decimal import Decimal

    from community import clock
    from community.events.models import Event

    now = clock.now()
    found = [e.id for e in await Event.filter(group_id__isnull=True, starts_at__gt=now).limit(5)]
    if not found:
        made = await Event.create(
            title="Soak clinic",
            kind="talk",
            starts_at=now + timedelta(days=7),
            ends_at=now + timedelta(days=7, hours=2),
            time_zone="Asia/Singapore",
            venue="Hall",
            cpd_hours=Decimal(0),
            created_by_id=1,
            created_at=now,
        )
        found = [made.id]
    return found
