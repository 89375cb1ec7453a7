"""The performance harness: seed a fresh database of a given size, serve the site under uvicorn
(one process, no access log) and, beside it, the reference app (the thread template from
memory: the limit), drive each page for a fixed time and print req/s, p50 and p99, each page's
share of the limit, and the site's peak memory.

    tests/perf/run                                  # PostgreSQL, 1,000,000 posts, 10 s a page
    tests/perf/run --database sqlite --size small   # a quick look on SQLite
    tests/perf/run --reuse                          # the last database again, without seeding

The load comes from wrk when it is installed (apt-get install wrk), else from an asyncio client
in this process. Targets (issue #10) are checked at the end; the exit code is 1 if one fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.reliability.live import env as site_env
from tests.reliability.live import free_port, fresh_postgres

ROOT = Path(__file__).resolve().parents[2]
SIZES = {
    "small": {"members": 2000, "groups": 20, "threads": 2000, "posts": 100_000, "events": 200},
    "1m": {"members": 20000, "groups": 200, "threads": 20000, "posts": 1_000_000, "events": 5000},
}
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "community_perf"
SECRET = "perf-secret-key-not-for-production"
WORK = Path(tempfile.gettempdir()) / "community-perf"
#: a member's search: a topic of middling frequency in the generated text
SEARCH = "sensory overload parents"
#: the commonest phrase of the generated text (in about a fifth of the posts)
COMMON = "school refusal"


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


def _database_url(kind: str) -> str:
    if kind == "sqlite":
        WORK.mkdir(exist_ok=True)
        return f"sqlite://{WORK}/perf.sqlite3"
    return f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"


def _fresh_database(kind: str) -> None:
    if kind == "sqlite":
        for path in WORK.glob("perf.sqlite3*"):
            path.unlink()
        return
    fresh_postgres(PG_DATABASE)


def _env(database_url: str, base_url: str) -> dict[str, str]:
    return site_env(database_url, base_url, SECRET_KEY=SECRET)


def _seed(database_url: str, size: dict[str, int]) -> None:
    args = [f"--{name}={value}" for name, value in size.items()]
    subprocess.run(  # noqa: S603  # our own command line
        [sys.executable, "-m", "community", "seed", *args],
        env=_env(database_url, "http://127.0.0.1"),
        check=True,
        cwd=WORK,
    )


def _serve(
    app: str, port: int, env: dict[str, str], log: Path, *, workers: int = 1, pin: bool = True
) -> subprocess.Popen[bytes]:
    """uvicorn serving the app; one process is pinned to core 0 (the load runs on core 1)."""
    pinned = ["taskset", "-c", "0"] if pin and shutil.which("taskset") else []
    extra = ["--workers", str(workers)] if workers > 1 else []
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603  # our own command line
            [
                *pinned,
                sys.executable,
                "-m",
                "uvicorn",
                app,
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
                *extra,
            ],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=WORK,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return process
        except httpx.TransportError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{app} did not start:\n{log.read_text()[-2000:]}")


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


async def _targets(database_url: str, base_url: str, members: int) -> dict[str, Any]:
    """The ids and cursors the pages need, found in the seeded database, and API tokens for
    members who will RSVP."""
    from tortoise import Tortoise
    from tortoise.expressions import Subquery

    from community import clock, db, sessions
    from community.accounts import tokens
    from community.accounts.models import Member
    from community.db import encode_cursor
    from community.events.models import Event
    from community.forum.models import Thread
    from community.groups.models import Group, Membership, Role, Visibility
    from community.settings import Settings, configure

    configure(Settings(database_url=database_url, secret_key=SECRET, base_url=base_url))
    await Tortoise.init(config=db.tortoise_config(database_url))
    try:
        giant = await Thread.all().order_by("-post_count").first()
        assert giant is not None
        big_group = (
            await Group.filter(visibility=Visibility.PUBLIC).order_by("-member_count").first()
        )
        assert big_group is not None
        listed = Thread.filter(group_id=big_group.id, pinned=False, hidden_at__isnull=True)
        total = await listed.count()
        deep = await listed.order_by("-last_activity_at", "-id").offset(max(total - 40, 0)).first()
        deep_cursor = encode_cursor(deep.last_activity_at, deep.id) if deep else ""
        event = await Event.filter(group_id__isnull=True, capacity__isnull=True).first()
        if event is None:
            event = await Event.filter(group_id__isnull=True).first()
        assert event is not None
        await Event.filter(id=event.id).update(
            starts_at=clock.now() + timedelta(days=30),
            ends_at=clock.now() + timedelta(days=30, hours=2),
            capacity=None,
            rsvp_deadline=None,
        )
        home_group = await Group.get(id=giant.group_id)
        # a plain member of the giant thread's group who is also in the big group (whose
        # pages they open: measured as the users are, as a member of the group)
        in_big_group = Subquery(Membership.filter(group_id=big_group.id).values("member_id"))
        member = await Membership.filter(
            group_id=home_group.id, role=Role.MEMBER, member_id__in=in_big_group
        ).first()
        facilitator = await Membership.filter(group_id=home_group.id, role=Role.FACILITATOR).first()
        assert member is not None and facilitator is not None
        signed_in = {
            "member": await sessions.create_session(member_id=member.member_id, max_days=1),
            "facilitator": await sessions.create_session(
                member_id=facilitator.member_id, max_days=1
            ),
        }
        rsvp_tokens = []
        rsvp_sessions = []
        for member in await Member.filter(id__gt=1).order_by("id").limit(min(50, members)):
            _, secret = await tokens.create_token(member=member, name="perf")
            rsvp_tokens.append(secret)
            key = await sessions.create_session(member_id=member.id, max_days=1)
            rsvp_sessions.append((key, secrets.token_urlsafe(32)))
        return {
            "giant": giant.id,
            "giant_pages": (giant.post_count + 49) // 50,
            "group": big_group.slug,
            "deep_cursor": deep_cursor,
            "deep_depth": total // 20,
            "event": event.id,
            "tokens": rsvp_tokens,
            "sessions": rsvp_sessions,
            "signed_in": signed_in,
        }
    finally:
        await Tortoise.close_connections()


def _wrk_script(tokens: list[str], folder: Path) -> Path:
    """A wrk script for the API: each request RSVPs one of the members, going then not going."""
    script = folder / "rsvp-api.lua"
    listed = ", ".join(json.dumps(token) for token in tokens)
    script.write_text(
        f"local tokens = {{{listed}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local token = tokens[(n % #tokens) + 1]\n"
        "  local status = (math.floor(n / #tokens) % 2 == 0) and 'going' or 'not_going'\n"
        "  return wrk.format('PUT', nil, {['Authorization'] = 'Bearer ' .. token,\n"
        "    ['Content-Type'] = 'application/json'}, '{\"status\": \"' .. status .. '\"}')\n"
        "end\n"
    )
    return script


def _wrk_form_script(sessions: list[tuple[str, str]], folder: Path) -> Path:
    """A wrk script for the page's form: signed-in members POST going / not going in turn,
    with their session cookie and CSRF token, as a browser does."""
    script = folder / "rsvp-form.lua"
    listed = ", ".join(f"{{{json.dumps(key)}, {json.dumps(csrf)}}}" for key, csrf in sessions)
    script.write_text(
        f"local people = {{{listed}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local person = people[(n % #people) + 1]\n"
        "  local answer = (math.floor(n / #people) % 2 == 0) and 'going' or 'not_going'\n"
        "  return wrk.format('POST', nil, {\n"
        "    ['Cookie'] = 'community_session=' .. person[1] .. '; community_csrf=' .. person[2],\n"
        "    ['X-CSRF-Token'] = person[2],\n"
        "    ['Content-Type'] = 'application/x-www-form-urlencoded'}, 'answer=' .. answer)\n"
        "end\n"
    )
    return script


def _wrk(
    url: str,
    seconds: int,
    connections: int,
    script: Path | None,
    cookie: str | None,
    *,
    gzip: bool = False,
) -> Result:
    command = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if shutil.which("taskset"):
        command[:0] = ["taskset", "-c", "1"]
    if cookie:
        command[-1:-1] = ["-H", f"Cookie: {cookie}"]
    if gzip:
        command[-1:-1] = ["-H", "Accept-Encoding: gzip"]
    if script is not None:
        command[-1:-1] = ["-s", str(script)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603

    def latency(label: str) -> float:
        # wrk writes 812.00us, 91.00ms, 1.20s or 1.05m (its own units, trailing blanks too)
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: .*?(\d+) timeout", output)
    return Result(
        name="",
        requests_per_second=float(rate.group(1)) if rate else 0.0,
        p50_ms=latency("50%"),
        p99_ms=latency("99%"),
        errors=(int(non_2xx.group(1)) if non_2xx else 0) + (int(errors.group(1)) if errors else 0),
    )


async def _python_load(
    url: str,
    seconds: int,
    connections: int,
    tokens: list[str] | None,
    cookie: str | None,
    people: list[tuple[str, str]] | None = None,
) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    counter = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors, counter
        while time.monotonic() < deadline:
            counter += 1
            started = time.perf_counter()
            if people:
                key, csrf = people[counter % len(people)]
                answer = "going" if (counter // len(people)) % 2 == 0 else "not_going"
                response = await client.post(
                    url,
                    data={"answer": answer},
                    headers={
                        "Cookie": f"community_session={key}; community_csrf={csrf}",
                        "X-CSRF-Token": csrf,
                    },
                )
            elif tokens:
                token = tokens[counter % len(tokens)]
                status = "going" if (counter // len(tokens)) % 2 == 0 else "not_going"
                response = await client.put(
                    url, json={"status": status}, headers={"Authorization": f"Bearer {token}"}
                )
            else:
                response = await client.get(url)
            latencies.append(time.perf_counter() - started)
            if response.status_code >= 400:
                errors += 1

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    headers = {"Cookie": cookie} if cookie else {}
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as client:
        started = time.monotonic()
        await asyncio.gather(*(worker(client) for _ in range(connections)))
        elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(share: float) -> float:
        return latencies[min(int(len(latencies) * share), len(latencies) - 1)] * 1000

    return Result("", len(latencies) / elapsed, percentile(0.50), percentile(0.99), errors)


def _drive(
    url: str,
    seconds: int,
    connections: int,
    tokens: list[str] | None,
    cookie: str | None,
    people: list[tuple[str, str]] | None = None,
    *,
    gzip: bool = False,
) -> Result:
    if shutil.which("wrk"):
        script = None
        if people:
            script = _wrk_form_script(people, WORK)
        elif tokens:
            script = _wrk_script(tokens, WORK)
        return _wrk(url, seconds, connections, script, cookie, gzip=gzip)
    return asyncio.run(_python_load(url, seconds, connections, tokens, cookie, people))


@dataclass(frozen=True)
class Page:
    name: str
    #: a path on the site, or a full URL (the reference app)
    path: str
    #: "visitor", "member" (a plain member of the thread's group) or "facilitator"
    who: str = "member"
    #: what it is compared with: "thread" (the limit's thread page), "list" (its topic list)
    kind: str = ""
    #: asked for compressed (Accept-Encoding: gzip); its KB are then the bytes sent (#22)
    gzip: bool = False


def _pages(targets: dict[str, Any], reference: str) -> list[Page]:
    thread = f"/threads/{targets['giant']}"
    group = targets["group"]
    return [
        Page("limit: thread template from memory", f"{reference}/threads/1", "visitor"),
        Page("limit: 20-topic list from memory", f"{reference}/groups/group-1/threads", "visitor"),
        Page("visitor: thread page 1 (cached)", f"{thread}?page=1", "visitor", "thread"),
        Page("visitor: home", "/", "visitor", "list"),
        Page("member: thread page 1 (50 posts)", f"{thread}?page=1", "member", "thread"),
        Page("member: thread page 1, gzip", f"{thread}?page=1", "member", "thread", gzip=True),
        Page("member: thread page 10,000", f"{thread}?page=10000", "member", "thread"),
        Page("facilitator: thread page 1", f"{thread}?page=1", "facilitator", "thread"),
        Page("member: thread list", f"/groups/{group}/threads", "member", "list"),
        Page(
            f"member: thread list {targets['deep_depth']:,} pages deep",
            f"/groups/{group}/threads?cursor={targets['deep_cursor']}",
            "member",
            "list",
        ),
        Page("member: group page", f"/groups/{group}", "member", "list"),
        Page("member: group directory", "/groups", "member", "list"),
        Page("member: event page", f"/events/{targets['event']}", "member", "list"),
        Page("member: home", "/", "member", "list"),
        Page("member: notifications", "/notifications", "member", "list"),
        Page("member: latest", "/latest", "member", "list"),
        Page("member: member directory", "/members", "member", "list"),
        Page(
            "member: member directory, social workers in my groups",
            "/members?profession=social_worker&shared=1&sort=active",
            "member",
            "list",
        ),
        Page(f'member: search "{COMMON}"', "/search?q=" + COMMON.replace(" ", "+"), "member"),
        Page(f'member: search "{SEARCH}"', "/search?q=" + SEARCH.replace(" ", "+"), "member"),
        Page("RSVP (POST, the page's form)", f"/events/{targets['event']}/rsvp", "members"),
        Page("RSVP (PUT, API)", f"/api/v1/events/{targets['event']}/rsvp", "tokens"),
    ]


def _cookie(targets: dict[str, Any], who: str) -> str | None:
    key = targets["signed_in"].get(who)
    # with a CSRF cookie, as a browser that has opened a page before sends
    return f"community_session={key}; community_csrf={'c' * 43}" if key else None


def _measure(
    page: Page, url: str, targets: dict[str, Any], seconds: int, connections: int
) -> tuple[Result, int]:
    cookie = _cookie(targets, page.who)
    encoding = "gzip" if page.gzip else "identity"
    size = 0
    if page.who not in ("members", "tokens"):
        headers = {"Accept-Encoding": encoding, **({"Cookie": cookie} if cookie else {})}
        check = httpx.get(url, timeout=30, headers=headers)
        if check.status_code != 200:
            raise SystemExit(f"{page.name}: {url} answered {check.status_code}")
        size = check.num_bytes_downloaded if page.gzip else len(check.content)
    tokens = targets["tokens"] if page.who == "tokens" else None
    people = targets["sessions"] if page.who == "members" else None
    result = _drive(url, seconds, connections, tokens, cookie, people, gzip=page.gzip)
    result.name = page.name
    return result, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--size", choices=sorted(SIZES), default="1m")
    parser.add_argument("--seconds", type=int, default=10, help="load time per page")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--reuse", action="store_true", help="keep the last seeded database")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    args = parser.parse_args()
    WORK.mkdir(exist_ok=True)
    database_url = _database_url(args.database)
    size = SIZES[args.size]
    if not args.reuse:
        _fresh_database(args.database)
        started = time.monotonic()
        _seed(database_url, size)
        print(f"seeded {size} in {time.monotonic() - started:.0f}s")
    else:  # the kept database, brought up to date
        subprocess.run(  # our own command line
            [sys.executable, "-m", "community", "migrate"],
            env=_env(database_url, "http://127.0.0.1"),
            check=True,
            cwd=WORK,
        )
    site_port, reference_port, pair_port = free_port(), free_port(), free_port()
    site_url = f"http://127.0.0.1:{site_port}"
    targets = asyncio.run(_targets(database_url, site_url, size["members"]))
    env = _env(database_url, site_url)
    site = _serve("community.app:app", site_port, env, WORK / "site.log")
    reference_url = f"http://127.0.0.1:{reference_port}"
    reference = _serve(
        "tests.perf.reference:app", reference_port, _env(database_url, reference_url),
        WORK / "reference.log",
    )  # fmt: skip
    results: list[Result] = []
    sizes: dict[str, int] = {}
    pages = [
        page
        for page in _pages(targets, reference_url)
        if page.name.startswith("limit") or args.only in page.name
    ]
    try:
        for page in pages:
            url = page.path if page.path.startswith("http") else site_url + page.path
            result, sizes[page.name] = _measure(page, url, targets, args.seconds, args.connections)
            results.append(result)
        rss = _peak_rss_mb(site.pid)
    finally:
        for process in (site, reference):
            process.terminate()
            process.wait(timeout=30)
    pair = None
    if not args.only or "two processes" in args.only:
        # the member's thread page again, from two web processes on the two cores
        pair_url = f"http://127.0.0.1:{pair_port}"
        two = _serve(
            "community.app:app", pair_port, _env(database_url, pair_url), WORK / "pair.log",
            workers=2, pin=False,
        )  # fmt: skip
        try:
            page = Page(
                "member: thread page 1, two processes", f"/threads/{targets['giant']}?page=1"
            )
            pair, _ = _measure(page, pair_url + page.path, targets, args.seconds, args.connections)
            pair.name = page.name
        finally:
            two.terminate()
            two.wait(timeout=30)
    return _report(results, sizes, pages, pair, rss, args)


def _report(
    results: list[Result],
    sizes: dict[str, int],
    pages: list[Page],
    pair: Result | None,
    rss: float,
    args: argparse.Namespace,
) -> int:
    limit, limit_list = results[0], results[1]
    loader = "wrk" if shutil.which("wrk") else "python asyncio client"
    pinned = " (site on core 0, load on core 1)" if shutil.which("taskset") else ""
    print(
        f"\n{args.database}, size {args.size}, {args.seconds}s a page, "
        f"{args.connections} connections, load from {loader}{pinned}\n"
    )
    header = f"{'page':<44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'of limit':>9} {'KB':>6}"
    print(header + f" {'errors':>6}")
    kinds = {page.name: page.kind for page in pages}
    for result in [*results, *([pair] if pair else [])]:
        base = limit_list if kinds.get(result.name) == "list" else limit
        share = result.requests_per_second / base.requests_per_second if base else 0
        print(
            f"{result.name:<44} {result.requests_per_second:>7.0f} {result.p50_ms:>7.1f} "
            f"{result.p99_ms:>7.1f} {share:>8.0%} {sizes.get(result.name, 0) / 1024:>6.0f} "
            f"{result.errors:>6}"
        )
    print(f"\nweb process peak RSS: {rss:.0f} MB")
    by_name = {r.name: r for r in results}
    checks: list[tuple[str, bool]] = []
    thread = by_name.get("member: thread page 1 (50 posts)")
    if thread is not None:
        checks += [
            (
                "member's thread page >= 60% of the limit",
                thread.requests_per_second >= 0.6 * limit.requests_per_second,
            ),
            ("member's thread page p99 <= 2x the limit's", thread.p99_ms <= 2 * limit.p99_ms),
            (
                "member's thread page <= 1.5x the visitor's bytes",
                sizes[thread.name] <= 1.5 * sizes["visitor: thread page 1 (cached)"],
            ),
        ]
        deep = by_name.get("member: thread page 10,000")
        if deep is not None:
            checks.append(
                (
                    "thread page 10,000 within 1.5x of page 1 (p50)",
                    deep.p50_ms <= 1.5 * thread.p50_ms,
                )
            )
        if pair is not None:
            checks.append(
                (
                    "two processes >= 1.7x one process (member's thread page)",
                    pair.requests_per_second >= 1.7 * thread.requests_per_second,
                )
            )
    for page in pages:
        result = by_name[page.name]
        if page.kind == "list" and page.who == "member":
            checks.append(
                (
                    f"{page.name} >= 30% of the limit's list",
                    result.requests_per_second >= 0.3 * limit_list.requests_per_second,
                )
            )
        if "search" in page.name:
            checks.append((f"{page.name} p99 under 100 ms", result.p99_ms < 100))
    checks += [
        ("web RSS under 150 MB", rss < 150),
        ("no errors", all(r.errors == 0 for r in results)),
    ]
    print()
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
