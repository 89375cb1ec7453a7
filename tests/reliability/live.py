"""What the reliability scripts share: a throwaway database, the site under uvicorn in child
processes, and the invariants every write path must leave true."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
SECRET = "reliability-secret-key-not-for-production"


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
        return [line for line in text.splitlines() if "ERROR" in line or "Traceback" in line]


async def broken_invariants() -> list[str]:
    """What the kept counters and numbering say against the rows (empty: all hold)."""
    from tortoise import connections

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
              AND e.starts_at > now()""",
        "member unread count = unread notifications": """
            SELECT m.id FROM accounts_member m
            LEFT JOIN notifications_notification n ON n.member_id = m.id AND n.read_at IS NULL
            GROUP BY m.id, m.unread_notifications
            HAVING COUNT(n.id) <> m.unread_notifications""",
    }
    broken = []
    for name, sql in checks.items():
        rows = await client.execute_query_dict(sql)
        if rows:
            broken.append(f"{name}: {len(rows)} rows break it, e.g. {rows[:3]}")
    return broken
