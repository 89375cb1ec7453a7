"""The member directory, profiles with their practice areas and recognitions, and giving and
taking back recognitions. Every read is a fixed number of hand-written queries (`db.select`),
and every list obeys the profiles' visibility (people.access) in SQL."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from community import clock, db
from community.accounts.access import ensure_admin
from community.accounts.models import (
    PROFESSION_LABELS,
    Member,
    MemberPracticeArea,
    PracticeArea,
    Profession,
)
from community.accounts.versions import directory_changed, directory_version
from community.cache import VersionedCache
from community.db import Page, decode_cursor, encode_cursor, transaction
from community.errors import Invalid, NotFound
from community.groups.models import Membership
from community.notifications.service import Notice, notify
from community.people import kinds
from community.people.access import access_profile, visible_sql
from community.people.models import Recognition
from community.urls import path as url_path

logger = logging.getLogger(__name__)

DIRECTORY_PAGE_SIZE = 20
SEARCH_MAX = 100


@dataclass(frozen=True)
class Held:
    """A recognition as a profile shows it."""

    id: int
    title: str
    starts_on: date
    ends_on: date | None

    def is_current(self, today: date) -> bool:
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)

    @property
    def term(self) -> str:
        """The years of the term: "2025 to 2028" with an en dash, "since 2025", or one year."""
        if self.ends_on is None:
            return f"since {self.starts_on.year}"
        if self.ends_on.year == self.starts_on.year:
            return str(self.starts_on.year)
        return f"{self.starts_on.year}\u2013{self.ends_on.year}"


@dataclass(frozen=True)
class Person:
    """A member as the directory and their profile show them."""

    member: Member
    areas: list[str] = field(default_factory=list)
    recognitions: list[Held] = field(default_factory=list)

    def current(self, today: date) -> list[Held]:
        return [held for held in self.recognitions if held.is_current(today)]

    def past(self, today: date) -> list[Held]:
        return [held for held in self.recognitions if not held.is_current(today)]


@dataclass(frozen=True)
class Search:
    """What the directory is asked for (validated by people.api.MemberQuery)."""

    q: str = ""
    profession: Profession | None = None
    area: int | None = None
    organisation: str = ""
    years_min: int | None = None
    years_max: int | None = None
    recognition: str = ""
    shared: bool = False
    sort: str = "name"
    cursor: str | None = None
    limit: int = DIRECTORY_PAGE_SIZE


@dataclass(frozen=True)
class Directory:
    page: Page[Person]
    #: (profession or None, how many) of the people found, whatever their profession
    by_profession: list[tuple[Profession | None, int]]
    #: the practice areas to filter by, in their order
    areas: list[PracticeArea]
    #: the titles of current recognitions held by people the viewer may see
    recognitions: list[str]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _conditions(
    viewer: Member | None, search: Search, value: Callable[[Any], str], *, profession: bool
) -> list[str]:
    """The directory's WHERE, its parameters added through `value` in the order they appear."""
    where = [visible_sql(viewer, value)]
    words = search.q.strip().lower()
    if words:
        name = value(_like(words))
        handle = value(_like(words.lstrip("@")))
        where.append(
            f"(LOWER(m.display_name) LIKE {name} ESCAPE '\\' OR m.handle LIKE {handle} ESCAPE '\\')"
        )
    if profession and search.profession is not None:
        where.append(f"m.profession = {value(search.profession.value)}")
    if search.area is not None:
        where.append(
            f"EXISTS (SELECT 1 FROM {MemberPracticeArea._meta.db_table} pa "  # noqa: S608
            f"WHERE pa.member_id = m.id AND pa.area_id = {value(search.area)})"
        )
    if search.organisation.strip():
        where.append(
            f"LOWER(m.organisation) LIKE {value(_like(search.organisation.strip().lower()))} "
            "ESCAPE '\\'"
        )
    if search.years_min is not None:
        where.append(f"m.years_in_practice >= {value(search.years_min)}")
    if search.years_max is not None:
        where.append(f"m.years_in_practice <= {value(search.years_max)}")
    if search.recognition.strip():
        today = clock.now().date()
        where.append(
            f"EXISTS (SELECT 1 FROM {Recognition._meta.db_table} r WHERE r.member_id = m.id "  # noqa: S608
            f"AND LOWER(r.title) = {value(search.recognition.strip().lower())} "
            f"AND r.starts_on <= {value(today)} "
            f"AND (r.ends_on IS NULL OR r.ends_on >= {value(today)}))"
        )
    if search.shared and viewer is not None:
        table = Membership._meta.db_table
        where.append(
            f"EXISTS (SELECT 1 FROM {table} a JOIN {table} b ON b.group_id = a.group_id "  # noqa: S608
            f"WHERE a.member_id = m.id AND b.member_id = {value(viewer.id)} "
            f"AND a.member_id <> {value(viewer.id)})"
        )
    return where


class _Params:
    """Bound parameters, numbered $1, $2… in the order they are added."""

    def __init__(self) -> None:
        self.values: list[Any] = []

    def __call__(self, item: Any) -> str:
        self.values.append(item)
        return f"${len(self.values)}"


def _active_key(member: Member) -> datetime:
    """When a member was last active, for the "recently active" order."""
    return member.last_seen_at or member.created_at


async def practice_areas() -> list[PracticeArea]:
    """The practice areas, in the order admins gave them."""
    return list(await PracticeArea.all().order_by("position", "name", "id"))


class DirectoryCache(VersionedCache[Directory]):
    """A process's directory pages, by viewer and search, each kept for one version of the
    directory (accounts.versions) and for at most `PAGE_CACHE_SECONDS`."""


#: what a kept directory page is taken to weigh, per person on it (for the cache's bound)
_PERSON_BYTES = 2048


async def directory(
    *, viewer: Member | None, search: Search, cache: DirectoryCache | None = None
) -> Directory:
    """A page of the people the viewer may see who match the search, with the count of all of
    them by profession, the areas and the recognitions to filter by. With a cache, a page
    is computed once per viewer, search and version of the directory: counting who is here
    reads every member the viewer may see (about 20 ms at 20,000 members)."""
    if len(search.q) > SEARCH_MAX:
        raise Invalid(q=f"Search with at most {SEARCH_MAX} characters.")
    if cache is None:
        return await _directory(viewer, search)
    # each viewer their own slot: who they may see depends on their groups and role
    slot = (viewer.id if viewer else 0, bool(viewer and viewer.is_admin), search)
    version = (await directory_version(), clock.now().date())
    found = cache.lookup(slot, version)
    if found is None:
        found = await _directory(viewer, search)
        cache.store(slot, version, found, _PERSON_BYTES * (len(found.page.items) + 1))
    return found


async def _directory(viewer: Member | None, search: Search) -> Directory:
    areas = await practice_areas()
    if search.area is not None and search.area not in {area.id for area in areas}:
        raise Invalid(area="There is no such practice area: choose one from the list.")
    params = _Params()
    where = _conditions(viewer, search, params, profession=True)
    active = "COALESCE(m.last_seen_at, m.created_at)"
    if search.sort == "active":
        position = decode_cursor(search.cursor, datetime, int)
        if position is not None:
            where.append(
                f"({active} < {params(position[0])} "
                f"OR ({active} = {params(position[0])} AND m.id < {params(position[1])}))"
            )
        order = f"{active} DESC, m.id DESC"
    else:
        position = decode_cursor(search.cursor, str, int)
        if position is not None:
            where.append(
                f"(m.display_name > {params(position[0])} "
                f"OR (m.display_name = {params(position[0])} AND m.id > {params(position[1])}))"
            )
        order = "m.display_name, m.id"
    rows = await db.select(
        f"SELECT {db.columns(Member, 'm')} FROM {Member._meta.db_table} m "  # noqa: S608
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT {int(search.limit) + 1}",
        *params.values,
    )
    members = [db.loaded(Member, row) for row in rows]
    shown = members[: search.limit]
    next_cursor = None
    if len(members) > search.limit:
        last = shown[-1]
        if search.sort == "active":
            next_cursor = encode_cursor(_active_key(last), last.id)
        else:
            next_cursor = encode_cursor(last.display_name, last.id)
    people = await _people(shown)
    counted = _Params()
    count_where = _conditions(viewer, search, counted, profession=False)
    counts = await db.select(
        f"SELECT m.profession AS profession, COUNT(*) AS n FROM {Member._meta.db_table} m "  # noqa: S608
        f"WHERE {' AND '.join(count_where)} GROUP BY m.profession",
        *counted.values,
    )
    by_profession = sorted(
        (
            (Profession(row["profession"]) if row["profession"] else None, int(row["n"]))
            for row in counts
        ),
        key=lambda pair: (-pair[1], PROFESSION_LABELS[pair[0]] if pair[0] else "~"),
    )
    return Directory(
        page=Page(items=people, next_cursor=next_cursor),
        by_profession=by_profession,
        areas=areas,
        recognitions=await _recognition_titles(viewer),
    )


async def _recognition_titles(viewer: Member | None) -> list[str]:
    params = _Params()
    today = clock.now().date()
    visible = visible_sql(viewer, params)
    rows = await db.select(
        f"SELECT DISTINCT r.title AS title FROM {Recognition._meta.db_table} r "  # noqa: S608
        f"JOIN {Member._meta.db_table} m ON m.id = r.member_id WHERE {visible} "
        f"AND r.starts_on <= {params(today)} "
        f"AND (r.ends_on IS NULL OR r.ends_on >= {params(today)}) "
        "ORDER BY r.title",
        *params.values,
    )
    return [row["title"] for row in rows]


async def _people(members: list[Member]) -> list[Person]:
    """The members with their practice areas and recognitions: two queries for any number."""
    if not members:
        return []
    ids = [member.id for member in members]
    marks = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
    area_rows = await db.select(
        f"SELECT pa.member_id AS member_id, a.name AS name "  # noqa: S608
        f"FROM {MemberPracticeArea._meta.db_table} pa "
        f"JOIN {PracticeArea._meta.db_table} a ON a.id = pa.area_id "
        f"WHERE pa.member_id IN ({marks}) ORDER BY a.position, a.name",
        *ids,
    )
    held_rows = await db.select(
        f"SELECT {db.columns(Recognition, 'r')} FROM {Recognition._meta.db_table} r "  # noqa: S608
        f"WHERE r.member_id IN ({marks}) ORDER BY r.starts_on DESC, r.id DESC",
        *ids,
    )
    areas: dict[int, list[str]] = defaultdict(list)
    for row in area_rows:
        areas[int(row["member_id"])].append(row["name"])
    held: dict[int, list[Held]] = defaultdict(list)
    for row in held_rows:
        recognition = db.loaded(Recognition, row)
        held[recognition.member_id].append(
            Held(recognition.id, recognition.title, recognition.starts_on, recognition.ends_on)
        )
    return [Person(m, areas.get(m.id, []), held.get(m.id, [])) for m in members]


async def current_recognitions(member_ids: Iterable[int]) -> dict[int, list[str]]:
    """The titles of the recognitions each of these members holds today, for the badges
    beside their names on posts: one query, none for no members."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    today = clock.now().date()
    marks = ", ".join(f"${n}" for n in range(1, len(ids) + 1))
    rows = await db.select(
        f"SELECT r.member_id AS member_id, r.title AS title FROM {Recognition._meta.db_table} r "  # noqa: S608
        f"WHERE r.member_id IN ({marks}) AND r.starts_on <= ${len(ids) + 1} "
        f"AND (r.ends_on IS NULL OR r.ends_on >= ${len(ids) + 2}) "
        "ORDER BY r.starts_on, r.id",
        *ids,
        today,
        today,
    )
    titles: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        titles[int(row["member_id"])].append(str(row["title"]))
    return dict(titles)


async def profile(*, viewer: Member | None, member_id: int) -> Person:
    """A member's profile as the viewer may see it (NotFound if they may not)."""
    member = await access_profile(viewer, member_id)
    [person] = await _people([member])
    return person


async def grant_recognition(
    *, actor: Member | None, member_id: int, title: str, starts_on: date, ends_on: date | None
) -> Recognition:
    """Give a member a recognition for a term (admins); the member is notified."""
    admin = ensure_admin(actor)
    member = await Member.filter(id=member_id, deleted_at__isnull=True).first()
    if member is None:
        raise NotFound("There is no member here.")
    async with transaction():
        recognition = await Recognition.create(
            member_id=member.id,
            title=title,
            starts_on=starts_on,
            ends_on=ends_on,
            granted_by_id=admin.id,
            created_at=clock.now(),
        )
        await directory_changed()
        term = Held(recognition.id, title, starts_on, ends_on).term
        await notify(
            [member],
            Notice(
                kinds.RECOGNITION,
                f"You are recognised: {title} ({term})",
                url=url_path("people:profile", member_id=member.id),
                dedupe_key=f"recognition:{recognition.id}",
                actor_id=admin.id,
            ),
        )
    logger.info("Admin %s recognised member %s: %s", admin.id, member.id, title)
    return recognition


async def revoke_recognition(*, actor: Member | None, recognition_id: int) -> int:
    """Take a recognition back (admins); the member is told. Returns the member's id."""
    admin = ensure_admin(actor)
    recognition = await Recognition.filter(id=recognition_id).first()
    if recognition is None:
        raise NotFound("There is no such recognition.")
    async with transaction():
        await recognition.delete()
        await directory_changed()
        member = await Member.get(id=recognition.member_id)
        await notify(
            [member],
            Notice(
                kinds.RECOGNITION,
                f"Your recognition {recognition.title} was taken back",
                url=url_path("people:profile", member_id=member.id),
                dedupe_key=f"recognition-revoked:{recognition.id}",
                actor_id=admin.id,
            ),
        )
    logger.info("Admin %s took back recognition %s", admin.id, recognition.id)
    return recognition.member_id


AREA_NAME_MAX = 80


@dataclass(frozen=True)
class CountedArea:
    area: PracticeArea
    members: int


async def practice_areas_counted() -> list[CountedArea]:
    """The practice areas, each with how many members chose it (for the admins' page)."""
    areas = await practice_areas()
    rows = await db.select(
        f"SELECT area_id, COUNT(*) AS n FROM {MemberPracticeArea._meta.db_table} "  # noqa: S608
        "GROUP BY area_id"
    )
    counts = {int(row["area_id"]): int(row["n"]) for row in rows}
    return [CountedArea(area, counts.get(area.id, 0)) for area in areas]


def _area_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not 1 <= len(cleaned) <= AREA_NAME_MAX:
        raise Invalid(name=f"Give the practice area a name of 1 to {AREA_NAME_MAX} characters.")
    return cleaned


async def _unique_name(name: str, area_id: int | None = None) -> None:
    same = await PracticeArea.filter(name=name).exclude(id=area_id or 0).exists()
    if same:
        raise Invalid(name=f"There is already a practice area called {name}.")


async def add_practice_area(*, actor: Member | None, name: str) -> PracticeArea:
    """Add a practice area at the end of the list (admins)."""
    admin = ensure_admin(actor)
    cleaned = _area_name(name)
    await _unique_name(cleaned)
    last = await PracticeArea.all().order_by("-position").first()
    async with transaction():
        area = await PracticeArea.create(
            name=cleaned, position=(last.position + 1) if last else 0, created_at=clock.now()
        )
        await directory_changed()
    logger.info("Admin %s added practice area %s", admin.id, area.id)
    return area


async def _area(area_id: int) -> PracticeArea:
    area = await PracticeArea.filter(id=area_id).first()
    if area is None:
        raise NotFound("There is no such practice area.")
    return area


async def rename_practice_area(*, actor: Member | None, area_id: int, name: str) -> PracticeArea:
    """Rename a practice area (admins): every profile with it shows the new name."""
    ensure_admin(actor)
    area = await _area(area_id)
    cleaned = _area_name(name)
    await _unique_name(cleaned, area.id)
    area.name = cleaned
    async with transaction():
        await area.save(update_fields=["name"])
        await directory_changed()
    return area


async def move_practice_area(*, actor: Member | None, area_id: int, up: bool) -> None:
    """Move a practice area one place up or down the list (admins)."""
    ensure_admin(actor)
    areas = await practice_areas()
    index = next((n for n, area in enumerate(areas) if area.id == area_id), None)
    if index is None:
        raise NotFound("There is no such practice area.")
    other = index - 1 if up else index + 1
    if not 0 <= other < len(areas):
        return
    areas[index], areas[other] = areas[other], areas[index]
    async with transaction():
        for position, area in enumerate(areas):
            if area.position != position:
                await PracticeArea.filter(id=area.id).update(position=position)
        await directory_changed()


async def remove_practice_area(*, actor: Member | None, area_id: int) -> str:
    """Remove a practice area from the list and from every profile (admins)."""
    admin = ensure_admin(actor)
    area = await _area(area_id)
    async with transaction():
        await MemberPracticeArea.filter(area_id=area.id).delete()
        await area.delete()
        await directory_changed()
    logger.info("Admin %s removed practice area %s", admin.id, area.id)
    return area.name
