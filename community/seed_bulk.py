"""Large, realistic content for performance work: `python -m community seed --posts 1000000`.

Rows are written in bulk (PostgreSQL's COPY, SQLite's executemany in big transactions) with
ids chosen here, so every counter the site keeps (post counts, member counts, seats taken,
post numbers) is computed and written consistent, not left to triggers. Group sizes and
thread lengths are skewed the way real communities are: a few big groups, many small ones,
and one very long thread (half the posts when there are many), so deep pages exist.
"""

from __future__ import annotations

import itertools
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, TextIO

from tortoise import connections

from community import clock
from community.accounts.models import (
    DEFAULT_PRACTICE_AREAS,
    Member,
    PracticeArea,
    Profession,
    ProfileVisibility,
)
from community.accounts.passwords import hash_password
from community.db import transaction
from community.events.models import EventKind, EventState, RsvpStatus
from community.groups.models import JoinPolicy, Role, Visibility
from community.text import render_markdown

PASSWORD = "practice-together"  # noqa: S105  # the published demo password
DOMAIN = "bulk.community.test"
CHUNK = 20_000
#: the long thread gets this share of the posts once there are this many posts a thread
GIANT_SHARE = 0.5
GIANT_FROM = 20

_FIRST = (
    "Aisha",
    "Ben",
    "Chloe",
    "Daniel",
    "Elena",
    "Farah",
    "Grace",
    "Hannah",
    "Imran",
    "Jia Hui",
    "Kavitha",
    "Liam",
    "Mei Ling",
    "Nur",
    "Oliver",
    "Priya",
    "Qian",
    "Rachel",
    "Siti",
    "Tan Wei",
    "Umar",
    "Vanessa",
    "Wei Ming",
    "Xin Yi",
    "Yusof",
    "Zara",
)
_LAST = (
    "Rahman",
    "Tan",
    "Lim",
    "Koh",
    "Fernandez",
    "Ismail",
    "Ng",
    "Nair",
    "Chua",
    "Goh",
    "Ong",
    "Teo",
    "Lee",
    "Wong",
    "Abdullah",
    "Santos",
    "Kumar",
    "Chen",
    "Yeo",
    "Ho",
)
_ORGANISATIONS = (
    "Family Service Centre",
    "Youth Guidance Outreach",
    "Hospice Care",
    "EIPIC Centre",
    "Special School",
    "Community Hospital",
    "Counselling Practice",
    "Child Protection Service",
    "Dementia Day Care",
    "Play Therapy Studio",
)
_TOPICS = (
    "Child Protection",
    "Early Intervention",
    "Reflective Practice",
    "Grief Support",
    "Youth Work",
    "Family Therapy",
    "Disability Inclusion",
    "Mental Health",
    "Eldercare",
    "School Counselling",
    "Trauma-Informed Care",
    "Supervision",
)
_KINDS = ("Practice Circle", "Community of Practice", "Fellowship", "Network", "Study Group")
_QUESTIONS = (
    "How do you handle {}?",
    "Resources on {}",
    "Supervision after {}",
    "First year: {}",
    "Working with families on {}",
    "Self-care and {}",
    "Documenting {}",
    "Team meetings about {}",
)
_SUBJECTS = (
    "a hard case",
    "safety planning",
    "school refusal",
    "caregiver burnout",
    "transitions",
    "consent",
    "confidentiality",
    "case notes",
    "boundaries",
    "home visits",
    "assessment reports",
    "crisis calls",
)
#: sentence patterns; the slots take words from the lists below, so a large forum's text has
#: a realistic spread of words (a few common, most rare), as search needs to be measured on
_TEMPLATES = (
    "In my team we start with what the family already does well around {topic}.",
    "Peer supervision every fortnight helps me with {topic}.",
    "We tried {practice} for {topic} and it helped more than I expected.",
    "Has anyone used {practice} with {people}? I am unsure it fits.",
    "I write the case note the same day after a {place} visit about {topic}.",
    "**Safety first**: we agree the plan for {topic} with the {people} before anything else.",
    "A scaling question helps with {topic}: from 0 to 10, how {feeling} do you feel?",
    "Our agency has a short checklist for {topic}, happy to share it.",
    "The hardest part of {topic} is ending well when the funding ends.",
    "With {people} I name what I notice about {topic} without judging it.",
    "We bring the {place} in early on {topic}, with the family's consent.",
    "- shorter sessions\n- a clear ending ritual\n- one goal for {topic} at a time",
    "For {topic} I lean on {practice}; the {people} told us it felt {feeling}.",
    "Does anyone have resources on {topic} for {people} in a {place}?",
    "After a {feeling} week of {topic} cases, {practice} in supervision kept me steady.",
)
_WORDS = {
    "topic": (
        "school refusal",
        "kinship care",
        "foster placements",
        "eviction",
        "debt",
        "hoarding",
        "self-harm",
        "bereavement",
        "dementia care",
        "autism assessment",
        "speech delay",
        "family violence",
        "caregiver stress",
        "sleep routines",
        "toilet training",
        "transitions to primary school",
        "youth offending",
        "gaming addiction",
        "truancy",
        "parenting orders",
        "respite care",
        "palliative care",
        "grief after suicide",
        "migrant workers",
        "housing applications",
        "financial aid",
        "elder abuse",
        "sibling rivalry",
        "selective mutism",
        "sensory overload",
        "anxiety in teens",
        "postnatal depression",
        "adoption",
        "custody disputes",
        "disability benefits",
        "carer burnout",
        "loneliness in seniors",
        "early literacy",
        "fine motor skills",
        "challenging behaviour",
        "attachment",
        "trauma responses",
        "court reports",
        "safeguarding referrals",
        "home visits",
        "case conferences",
        "discharge planning",
        "medication adherence",
        "substance use",
        "gambling debts",
        "cyberbullying",
    ),
    "practice": (
        "motivational interviewing",
        "narrative therapy",
        "solution-focused questions",
        "play therapy",
        "sandtray work",
        "genograms",
        "eco-maps",
        "signs of safety",
        "cognitive behavioural therapy",
        "mindfulness",
        "visual schedules",
        "social stories",
        "family group conferencing",
        "strengths-based assessment",
        "reflective journaling",
        "art therapy",
        "psychoeducation",
        "trauma-informed care",
        "circle of security",
        "video interaction guidance",
        "dyadic developmental psychotherapy",
        "PECS",
    ),
    "people": (
        "parents",
        "grandparents",
        "teenagers",
        "toddlers",
        "teachers",
        "caregivers",
        "siblings",
        "foster carers",
        "young adults",
        "seniors",
        "volunteers",
        "interns",
    ),
    "place": (
        "school",
        "hospital",
        "home",
        "shelter",
        "day centre",
        "clinic",
        "court",
        "community centre",
        "nursing home",
        "kindergarten",
    ),
    "feeling": (
        "safe",
        "heard",
        "overwhelmed",
        "hopeful",
        "stuck",
        "calm",
        "exhausted",
        "relieved",
    ),
}
#: distinct post bodies the seed draws from
BODY_POOL = 20_000


def _zipf_choice(rng: random.Random, words: Sequence[str]) -> str:
    """A word from the list with Zipf's law: the n-th as often as the first divided by n."""
    return rng.choices(words, cum_weights=_zipf_weights(len(words)))[0]


@cache
def _zipf_weights(count: int) -> list[float]:
    return list(itertools.accumulate(1 / rank for rank in range(1, count + 1)))


def _body(rng: random.Random) -> str:
    sentences = []
    for template in rng.sample(_TEMPLATES, k=rng.randint(1, 3)):
        sentences.append(
            template.format(**{slot: _zipf_choice(rng, words) for slot, words in _WORDS.items()})
        )
    return "\n\n".join(sentences)


@dataclass(frozen=True)
class Size:
    members: int
    groups: int
    threads: int
    posts: int
    events: int

    def check(self) -> None:
        if min(self.members, self.groups) < 1 or min(self.threads, self.events) < 0:
            raise ValueError("members and groups must be at least 1, others at least 0")
        if self.posts < self.threads:
            raise ValueError("every thread needs its opening post: posts >= threads")


class Progress:
    """A one-line progress bar on stderr (a line a step when it is not a terminal)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.started = time.monotonic()

    def show(self, label: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.started
        line = f"{label:<12} [{bar:<30}] {done:>10,}/{total:,} {elapsed:6.1f}s"
        if self.stream.isatty():
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        elif done >= total:
            self.stream.write(line + "\n")
        self.stream.flush()


def _is_postgres() -> bool:
    return "asyncpg" in type(connections.get("default")).__module__


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    return value


async def _insert(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Write rows as they are (ids included), as fast as the database allows."""
    if not rows:
        return
    client: Any = connections.get("default")
    if _is_postgres():
        async with client.acquire_connection() as connection:
            await connection.copy_records_to_table(table, records=rows, columns=list(columns))
        return
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    values = [[_sqlite_value(v) for v in row] for row in rows]
    async with transaction() as connection:
        # table and column names are this module's own constants, never input
        sql = f'INSERT INTO "{table}" ({names}) VALUES ({marks})'  # noqa: S608
        await connection.execute_many(sql, values)


async def _insert_chunks(
    progress: Progress, label: str, table: str, rows: Iterable[dict[str, Any]], total: int
) -> None:
    """Write rows (dicts named by column, all with the same keys) in chunks, with progress."""
    columns: tuple[str, ...] = ()
    chunk: list[tuple[Any, ...]] = []
    done = 0
    for row in rows:
        columns = columns or tuple(row)
        chunk.append(tuple(row[column] for column in columns))
        if len(chunk) >= CHUNK:
            await _insert(table, columns, chunk)
            done += len(chunk)
            chunk = []
            progress.show(label, done, total)
    if chunk or not done:
        await _insert(table, columns, chunk)
        progress.show(label, done + len(chunk), total)


async def _reset_sequences(tables: Iterable[str]) -> None:
    """After explicit ids, PostgreSQL's sequences must continue after the largest."""
    if not _is_postgres():
        return
    client = connections.get("default")
    for table in tables:
        await client.execute_script(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # ours
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
        )
    # a bulk load leaves GIN pending lists and an empty visibility map: what autovacuum would
    # do later, done now, so the first measurements are of a settled database
    await client.execute_script("VACUUM ANALYZE")


def _skewed(rng: random.Random, count: int, size: int) -> int:
    """An index in range(size), small ones much more likely (roughly Zipf)."""
    return min(int(size * rng.random() ** 3), size - 1) if count else 0


@dataclass
class _Site:
    """What the phases of a bulk seed share: the size, the random source, the clock, and who
    belongs to which group (member ids by group index)."""

    size: Size
    rng: random.Random
    progress: Progress
    now: datetime
    #: when the site began: two years ago
    start: datetime
    group_members: list[list[int]]


async def _seed_members(site: _Site) -> None:
    """One admin and everyone else verified, with one shared password (hashing is slow on
    purpose, so it is done once)."""
    rng, start = site.rng, site.start
    password_hash = hash_password(PASSWORD)
    professions = [str(p) for p in Profession]
    # most keep the default (signed-in members); the admin (member 1) is seen by members
    levels = [str(level) for level in ProfileVisibility]
    level_weights = [15, 70, 10, 5]  # everyone, members, groups, admins

    def members() -> Iterable[dict[str, Any]]:
        for number in range(1, site.size.members + 1):
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            joined = start + timedelta(minutes=rng.randint(0, 700 * 24 * 60))
            yield {
                "id": number,
                "email": "admin@" + DOMAIN if number == 1 else f"member{number}@{DOMAIN}",
                "password_hash": password_hash,
                "display_name": name,
                "handle": f"member_{number}",
                "profession": rng.choice(professions),
                "organisation": rng.choice(_ORGANISATIONS),
                "years_in_practice": rng.randint(0, 30),
                "bio": "",
                "bio_html": "",
                "story": "",
                "story_html": "",
                "is_admin": number == 1,
                "verified_at": joined,
                "created_at": joined,
                "calendar_feed_version": 0,
                "time_zone": "",
                "unread_notifications": 0,
                "profile_visibility": (
                    levels[1] if number == 1 else rng.choices(levels, level_weights)[0]
                ),
                # a quarter never came back after joining
                "last_seen_at": None
                if rng.random() < 0.25
                else joined + (site.now - joined) * rng.random(),
            }

    await _insert_chunks(site.progress, "members", "accounts_member", members(), site.size.members)


def _group_members(size: Size, rng: random.Random) -> list[list[int]]:
    """Each member in one to four groups, group sizes skewed; no group empty."""
    group_members: list[list[int]] = [[] for _ in range(size.groups)]
    for member_id in range(1, size.members + 1):
        for _ in range(rng.randint(1, 4)):
            group_members[_skewed(rng, size.groups, size.groups)].append(member_id)
    return [sorted(set(people)) or [1] for people in group_members]


async def _seed_groups(site: _Site) -> int:
    """The groups and their memberships, the first member of each its facilitator; returns
    how many memberships."""
    memberships = [
        {
            "id": 0,
            "group_id": index + 1,
            "member_id": member_id,
            "role": str(Role.FACILITATOR if position == 0 else Role.MEMBER),
            "joined_at": site.start + timedelta(days=1),
        }
        for index, people in enumerate(site.group_members)
        for position, member_id in enumerate(people)
    ]
    for number, membership in enumerate(memberships, start=1):
        membership["id"] = number
    description = "A place to share practice, questions and resources with peers."
    description_html = render_markdown(description)
    policies = [str(JoinPolicy.OPEN)] * 3 + [str(JoinPolicy.REQUEST)]
    groups = [
        {
            "id": index + 1,
            "name": f"{_TOPICS[index % len(_TOPICS)]} {_KINDS[index % len(_KINDS)]} {index + 1}",
            "slug": f"group-{index + 1}",
            "description": description,
            "description_html": description_html,
            "join_policy": site.rng.choice(policies),
            "visibility": str(Visibility.PRIVATE if index % 10 == 9 else Visibility.PUBLIC),
            "member_count": len(people),
            "facilitator_count": 1,
            "last_activity_at": site.now,
            "created_at": site.start,
            "created_by_id": 1,
        }
        for index, people in enumerate(site.group_members)
    ]
    await _insert_chunks(site.progress, "groups", "groups_group", groups, site.size.groups)
    await _insert_chunks(
        site.progress, "memberships", "groups_membership", memberships, len(memberships)
    )
    return len(memberships)


def _thread_lengths(size: Size, rng: random.Random) -> list[int]:
    """Posts per thread, skewed; one giant thread when there are many posts a thread."""
    lengths = [1] * size.threads
    extra = size.posts - size.threads
    if size.threads and extra:
        if size.posts >= GIANT_FROM * size.threads:
            giant = int(extra * GIANT_SHARE)
            lengths[0] += giant
            extra -= giant
        for _ in range(extra):
            lengths[_skewed(rng, size.threads, size.threads)] += 1
    return lengths


async def _seed_forum(site: _Site) -> list[int]:
    """Threads in the groups and their posts by the groups' members; returns the threads'
    lengths."""
    size, rng = site.size, site.rng
    thread_group = [_skewed(rng, size.groups, size.groups) for _ in range(size.threads)]
    lengths = _thread_lengths(size, rng)
    bodies = []
    for _ in range(min(BODY_POOL, size.posts)):
        text = _body(rng)
        bodies.append((text, render_markdown(text)))
    threads: list[dict[str, Any]] = []
    for index in range(size.threads):
        group_id = thread_group[index] + 1
        author = rng.choice(site.group_members[group_id - 1])
        opened = site.start + timedelta(minutes=rng.randint(0, 600 * 24 * 60))
        threads.append(
            {
                "id": index + 1,
                "group_id": group_id,
                "author_id": author,
                "title": rng.choice(_QUESTIONS).format(rng.choice(_SUBJECTS)),
                "post_count": lengths[index],
                "pinned": index == 1,
                "locked": False,
                "created_at": opened,
                "last_activity_at": opened + timedelta(minutes=lengths[index]),
                "version": 0,
            }
        )
    await _insert_chunks(site.progress, "threads", "forum_thread", threads, size.threads)

    def posts() -> Iterable[dict[str, Any]]:
        post_id = 0
        for index, thread in enumerate(threads):
            people = site.group_members[thread_group[index]]
            for number in range(1, lengths[index] + 1):
                post_id += 1
                body, body_html = bodies[post_id % len(bodies)]
                yield {
                    "id": post_id,
                    "thread_id": thread["id"],
                    "number": number,
                    "author_id": thread["author_id"] if number == 1 else rng.choice(people),
                    "body": body,
                    "body_html": body_html,
                    "created_at": thread["created_at"] + timedelta(minutes=number - 1),
                }

    await _insert_chunks(site.progress, "posts", "forum_post", posts(), size.posts)
    return lengths


async def _seed_events(site: _Site) -> int:
    """Events within half a year either way, with RSVPs from the group's members (a waitlist
    when full; attendance marked on past ones); returns how many RSVPs."""
    size, rng, now = site.size, site.rng, site.now
    events = []
    rsvps: list[dict[str, Any]] = []
    kinds = [str(k) for k in EventKind]
    for number in range(1, size.events + 1):
        group_index = _skewed(rng, size.groups, size.groups)
        site_wide = number % 20 == 0
        begins = now + timedelta(days=rng.randint(-180, 180), hours=rng.randint(0, 10))
        begins = begins.replace(minute=0, second=0)
        capacity = rng.choice([None, 10, 20, 30, 50])
        people = list(range(1, size.members + 1)) if site_wide else site.group_members[group_index]
        going = rng.sample(people, k=min(len(people), rng.randint(0, 40)))
        seats = going if capacity is None else going[:capacity]
        for position, member_id in enumerate(going):
            status = RsvpStatus.GOING if member_id in seats else RsvpStatus.WAITLIST
            past_going = begins < now and status == RsvpStatus.GOING
            attended = (rng.random() < 0.85) if past_going else None
            rsvps.append(
                {
                    "id": len(rsvps) + 1,
                    "event_id": number,
                    "member_id": member_id,
                    "status": str(status),
                    "answered_at": begins - timedelta(days=7, minutes=-position),
                    "attended": attended,
                    "attendance_marked_at": (
                        begins + timedelta(hours=2) if attended is not None else None
                    ),
                }
            )
        events.append(
            {
                "id": number,
                "group_id": None if site_wide else group_index + 1,
                "title": f"{rng.choice(_TOPICS)}: {rng.choice(_SUBJECTS)} ({rng.choice(kinds)})",
                "description": "Bring a case or a question.",
                "description_html": "<p>Bring a case or a question.</p>",
                "kind": rng.choice(kinds),
                "starts_at": begins,
                "ends_at": begins + timedelta(hours=2),
                "time_zone": "Asia/Singapore",
                "venue": "Social Service Hub, Level 3",
                "online_url": "https://meet.example.org/practice",
                "capacity": capacity,
                "seats_taken": len(seats),
                "rsvp_deadline": None,
                "cpd_hours": Decimal(rng.choice(["0", "1", "1.5", "2", "3"])),
                "state": str(EventState.SCHEDULED),
                "created_at": site.start,
                "created_by_id": 1,
            }
        )
    await _insert_chunks(site.progress, "events", "events_event", events, size.events)
    await _insert_chunks(site.progress, "rsvps", "events_rsvp", rsvps, len(rsvps))
    return len(rsvps)


#: recognitions the bulk seed gives (one member in this many), and their titles
RECOGNISED_ONE_IN = 40
_RECOGNITIONS = ("Social Service Fellow", "Mentor", "Facilitator", "Practice Leader")


async def _seed_people(site: _Site) -> int:
    """One to three practice areas for each member (the default list, when the site has
    none), and recognitions for one member in forty: current, past and open-ended terms.
    Returns the number of recognitions."""
    rng, size = site.rng, site.size
    if not await PracticeArea.exists():
        await _insert(
            "accounts_practice_area",
            ("name", "position", "created_at"),
            [(name, n, site.now) for n, name in enumerate(DEFAULT_PRACTICE_AREAS)],
        )
    areas = [area.id for area in await PracticeArea.all().order_by("position")]

    def chosen() -> Iterable[dict[str, Any]]:
        number = itertools.count(1)
        for member in range(1, size.members + 1):
            for area in rng.sample(areas, k=min(len(areas), rng.randint(1, 3))):
                yield {"id": next(number), "member_id": member, "area_id": area}

    picks = list(chosen())
    await _insert_chunks(site.progress, "areas", "accounts_member_practice_area", picks, len(picks))
    today = site.now.date()
    recognitions: list[dict[str, Any]] = []
    for member in range(2, size.members + 1, RECOGNISED_ONE_IN):
        starts = date(today.year - rng.randint(0, 5), rng.randint(1, 12), 1)
        ends = None if rng.random() < 0.3 else date(starts.year + rng.randint(1, 4), 12, 31)
        recognitions.append(
            {
                "id": len(recognitions) + 1,
                "member_id": member,
                "title": rng.choice(_RECOGNITIONS),
                "starts_on": starts,
                "ends_on": ends,
                "granted_by_id": 1,
                "created_at": site.now,
            }
        )
    await _insert_chunks(
        site.progress, "recognitions", "people_recognition", recognitions, len(recognitions)
    )
    return len(recognitions)


async def seed_bulk(size: Size, *, stream: TextIO = sys.stderr, seed: int = 2026) -> str:
    """Fill an empty database with `size` of everything; refuses a database with members."""
    size.check()
    if await Member.exists():
        return "the database already has members; no content added."
    rng = random.Random(seed)  # the same site for the same size  # noqa: S311
    now = clock.now().replace(microsecond=0)
    site = _Site(size, rng, Progress(stream), now, now - timedelta(days=730), [])
    await _seed_members(site)
    recognitions = await _seed_people(site)
    site.group_members = _group_members(size, rng)
    memberships = await _seed_groups(site)
    lengths = await _seed_forum(site)
    rsvps = await _seed_events(site)
    await _reset_sequences(
        (
            "accounts_member",
            "accounts_practice_area",
            "accounts_member_practice_area",
            "people_recognition",
            "groups_group",
            "groups_membership",
            "forum_thread",
            "forum_post",
            "events_event",
            "events_rsvp",
        )
    )
    elapsed = time.monotonic() - site.progress.started
    return (
        f"added {size.members:,} members, {size.groups:,} groups, {memberships:,} "
        f"memberships, {size.threads:,} threads, {size.posts:,} posts (the longest has "
        f"{max(lengths, default=0):,}), {size.events:,} events, {rsvps:,} RSVPs and "
        f"{recognitions:,} recognitions in {elapsed:.0f}s. "
        f"Sign in as admin@{DOMAIN}, password {PASSWORD!r}."
    )
