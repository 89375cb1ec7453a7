"""Benchmark: queue 10,000 messages and deliver them to the fake provider, with batching.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python -m tests.perf.outbox_benchmark

Target (issue #3): at least 500 messages a second on PostgreSQL. The database named by
DATABASE_URL is emptied first: point it at a throwaway one. Default: a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time

import httpx
from tortoise import Tortoise, connections
from tortoise.contrib.test import truncate_all_models

from community import clock, db
from community.mail.backends.postmark import PostmarkBackend
from community.mail.models import OutboxMessage, OutboxStatus
from community.mail.outbox import deliver_due
from tests.fakes.email_api import TOKEN, free_port


async def run(count: int, batch: int, url: str) -> None:
    if url.startswith("postgres"):
        await Tortoise.init(config=db.tortoise_config(url))
        await connections.get("default").execute_script(
            "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
        )
        await Tortoise.close_connections()
    await db.migrate(url)
    await Tortoise.init(config=db.tortoise_config(url))
    await truncate_all_models()
    now = clock.now()
    started = time.perf_counter()
    await OutboxMessage.bulk_create(
        [
            OutboxMessage(
                idempotency_key=f"bench:{number}",
                to_address=f"reader{number}@example.org",
                subject="Reminder: Reflective practice circle tomorrow",
                text_body="Hello,\n\nThis is a reminder.\n" * 10,
                html_body="<p>Hello,</p><p>This is a reminder.</p>" * 10,
                headers={},
                template="bench",
                next_attempt_at=now,
                created_at=now,
            )
            for number in range(count)
        ],
        batch_size=1000,
    )
    queued = time.perf_counter() - started

    port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.email_api", str(port)
    )
    try:
        deadline = time.monotonic() + 20
        async with httpx.AsyncClient() as probe:
            while time.monotonic() < deadline:
                try:
                    await probe.post(f"http://127.0.0.1:{port}/email", json={}, timeout=1)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        backend = PostmarkBackend(
            api_url=f"http://127.0.0.1:{port}", token=TOKEN, sender="bench@example.org"
        )
        started = time.perf_counter()
        sent = 0
        while sent < count:
            delivered = await deliver_due(backend, limit=batch)
            if not delivered:
                break
            sent += delivered
        elapsed = time.perf_counter() - started
        await backend.close()
    finally:
        server.terminate()
        await server.wait()
    left = await OutboxMessage.exclude(status=OutboxStatus.SENT).count()
    await Tortoise.close_connections()
    dialect = url.split(":", 1)[0]
    print(f"database: {dialect}; queued {count} messages in {queued:.2f} s")
    rate = sent / elapsed
    print(f"delivered {sent} in {elapsed:.2f} s, batches of {batch}: {rate:.0f} messages/s")
    print(f"not sent: {left}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or f"sqlite://{tempfile.mkdtemp()}/bench.sqlite3"
    asyncio.run(run(args.count, args.batch, url))


if __name__ == "__main__":
    main()
