"""Email under faults: the provider cycles through accepting, 500s, 429s with Retry-After,
hanging past the timeout and refusing connections, while two workers deliver; one worker is
killed with SIGKILL mid-batch and started again. In the end every message is sent, exactly
once (the provider's mailbox holds each idempotency key once, and nothing is missing).

    python -m tests.reliability.email_faults                      # the short run CI does
    python -m tests.reliability.email_faults --messages 5000      # a long one
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import uvicorn

from tests.fakes.email_api import TOKEN, FakeEmailApi, free_port
from tests.reliability.live import ROOT, env, fresh_postgres, migrate, report

DATABASE = "community_email_faults"
#: what the provider does, in turn, for PHASE_SECONDS each
PHASES = ("accept", "error500", "rate_limited", "slow", "down", "accept")
PHASE_SECONDS = 2.0


async def _enqueue(database_url: str, count: int) -> None:
    from tortoise import Tortoise

    from community import clock, db
    from community.mail.models import OutboxMessage

    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        now = clock.now()
        await OutboxMessage.bulk_create(
            [
                OutboxMessage(
                    idempotency_key=f"faults:{n}",
                    to_address=f"r{n}@example.org",
                    subject=f"Message {n}",
                    text_body="Hello",
                    html_body="<p>Hello</p>",
                    template="faults",
                    next_attempt_at=now,
                    created_at=now,
                )
                for n in range(count)
            ],
            batch_size=1000,
        )
    finally:
        await Tortoise.close_connections()


async def _outbox(database_url: str) -> Counter[str]:
    from tortoise import Tortoise

    from community import db
    from community.mail.models import OutboxMessage

    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        return Counter(await OutboxMessage.all().values_list("status", flat=True))
    finally:
        await Tortoise.close_connections()


def _worker(database_url: str, api_url: str, log: Path) -> subprocess.Popen[bytes]:
    extra = {
        "EMAIL_BACKEND": "postmark",
        "EMAIL_API_URL": api_url,
        "EMAIL_API_TOKEN": TOKEN,
        "EMAIL_FROM": "Community <no-reply@example.org>",
        "EMAIL_TIMEOUT_SECONDS": "1",
        "OUTBOX_INTERVAL_SECONDS": "1",
        "OUTBOX_LEASE_SECONDS": "8",
        "OUTBOX_BATCH_SIZE": "25",
        "OUTBOX_RETRY_SECONDS": "1",
    }
    with log.open("ab") as output:
        return subprocess.Popen(  # our own command line
            [sys.executable, "-m", "community", "worker"],
            env=env(database_url, "http://127.0.0.1", **extra),
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def _run(args: argparse.Namespace, database_url: str, folder: Path) -> dict[str, Any]:
    fake = FakeEmailApi(delay=3.0, retry_after="1")
    port = free_port()
    fake.url = f"http://127.0.0.1:{port}"

    def server() -> uvicorn.Server:
        return uvicorn.Server(
            uvicorn.Config(
                fake.app(),
                host="127.0.0.1",
                port=port,
                log_level="critical",
                lifespan="off",
                timeout_graceful_shutdown=1,
            )
        )

    serving = server()
    task = asyncio.create_task(serving.serve())
    workers = [_worker(database_url, fake.url, folder / f"worker{n}.log") for n in range(2)]
    started = time.monotonic()
    killed = restarted = False
    phases: Counter[str] = Counter()
    try:
        while time.monotonic() - started < args.timeout:
            elapsed = time.monotonic() - started
            phase = PHASES[int(elapsed / PHASE_SECONDS) % len(PHASES)]
            if elapsed > args.fault_seconds:
                phase = "accept"  # the provider recovers: what was held back must go now
            if phase == "down" and serving.started:
                serving.should_exit = True  # connections are refused until it is back
                await task
            elif phase != "down" and task.done():
                serving = server()
                task = asyncio.create_task(serving.serve())
            if phase != "down":
                fake.mode = phase
            phases[phase] += 1
            if not killed and elapsed > PHASE_SECONDS * 1.5:
                os.killpg(workers[0].pid, signal.SIGKILL)  # mid-batch, no goodbye
                workers[0].wait()
                killed = True
            if killed and not restarted and elapsed > PHASE_SECONDS * 4:
                workers[0] = _worker(database_url, fake.url, folder / "worker0-again.log")
                restarted = True
            statuses = await _outbox(database_url)
            if restarted and statuses.get("sent", 0) == args.messages:
                break
            await asyncio.sleep(0.5)
        return {
            "seconds": round(time.monotonic() - started, 1),
            "statuses": dict(await _outbox(database_url)),
            "mailbox": len(fake.mailbox),
            "accepted sends": len(fake.deliveries),
            "requests": len(fake.requests),
            "killed and restarted": killed and restarted,
        }
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=40)
        serving.should_exit = True
        if not task.done():
            await task


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--fault-seconds", type=float, default=24, help="how long faults last")
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args()
    database_url = fresh_postgres(DATABASE)
    migrate(database_url)
    asyncio.run(_enqueue(database_url, args.messages))
    folder = Path(tempfile.mkdtemp(prefix="community-email-faults-"))
    result = asyncio.run(_run(args, database_url, folder))
    expected = {f"faults:{n}" for n in range(args.messages)}
    checks = {
        f"all {args.messages} messages sent": result["statuses"] == {"sent": args.messages},
        "each delivered once: the mailbox holds every key once": result["mailbox"] == len(expected),
        "a worker was killed with SIGKILL and started again": result["killed and restarted"],
    }
    return report(result, checks)


if __name__ == "__main__":
    sys.exit(main())
