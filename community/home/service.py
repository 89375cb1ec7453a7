"""The reads behind the home page (a fixed number of queries whatever the data), and the one
change it makes: the member's yearly CPD/CET goal."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from community import clock, db
from community.accounts.models import Member
from community.clock import reader_zone
from community.db import Page, transaction
from community.events.cpd import format_hours, hours_in_year
from community.events.models import Event, EventState, Rsvp, RsvpStatus
from community.forum.service import LatestThread, list_latest
from community.groups.models import (
    Group,
    Invitation,
    InvitationStatus,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
    Visibility,
)
from community.groups.service import list_invitations
from community.home.schemas import CpdGoal
from community.settings import current as current_settings
from community.stories.service import Card, editors_picks

#: how many of each list the home page shows (each links to the whole list)
LATEST_LIMIT = 6
EVENTS_LIMIT = 5
PUBLIC_GROUPS_LIMIT = 6
PUBLIC_EVENTS_LIMIT = 4


@dataclass(frozen=True)
class MyEvent:
    """One of the member's next events, with their answer and, when waiting, their place."""

    event: Event
    #: empty for a site-wide event
    group_name: str
    group_slug: str
    status: RsvpStatus
    #: 1-based place on the waitlist (the rule of events.service.waitlist_position), else None
    waitlist_position: int | None

    @property
    def is_waiting(self) -> bool:
        return self.status == RsvpStatus.WAITLIST


@dataclass(frozen=True)
class GroupLink:
    """A group named in a list, with a number when the list counts something (requests)."""

    id: int
    name: str
    slug: str
    count: int = 0


@dataclass(frozen=True)
class CpdProgress:
    """The member's CPD/CET hours this year (in their time zone) against their yearly goal."""

    year: int
    hours: Decimal
    #: None: no goal set
    goal: int | None

    @property
    def hours_text(self) -> str:
        return format_hours(self.hours)

    @property
    def reached(self) -> bool:
        return self.goal is not None and self.hours >= self.goal

    @property
    def shown_value(self) -> str:
        """The bar's value: the hours, at most the goal (a full bar once it is reached)."""
        if self.goal is None:
            return "0"
        return format_hours(min(self.hours, Decimal(self.goal)))

    @property
    def percent(self) -> int:
        """Whole percent of the goal reached, at most 100 (0 without a goal)."""
        if not self.goal:
            return 0
        return min(math.floor(self.hours * 100 / self.goal), 100)


@dataclass(frozen=True)
class MemberHome:
    """Everything a signed-in member's home page shows."""

    member: Member
    #: the latest discussions in the member's groups, with what they have not read (its
    #: next_cursor says there are more)
    latest: Page[LatestThread]
    #: how many groups the member belongs to
    group_count: int
    events: list[MyEvent]
    more_events: bool
    #: invitations to the member's address, newest first
    invitations: list[Invitation]
    #: groups the member asked to join, waiting for a facilitator
    my_requests: list[GroupLink]
    #: groups the member facilitates with requests waiting, and how many
    requests_to_decide: list[GroupLink]
    cpd: CpdProgress
    #: the editors' latest picks of stories and profiles
    picks: list[Card]

    @property
    def more_latest(self) -> bool:
        return self.latest.next_cursor is not None


@dataclass(frozen=True)
class PublicEvent:
    """An upcoming event anyone may see: site-wide or of a public group."""

    event: Event
    #: empty for a site-wide event
    group_name: str
    group_slug: str


@dataclass(frozen=True)
class Welcome:
    """What the visitor's welcome page shows: a few public groups and the next public events."""

    groups: list[Group]
    events: list[PublicEvent]
    picks: list[Card]


async def member_home(*, actor: Member) -> MemberHome:
    """The member's home: four queries, whatever the data (the latest discussions and the
    reader's place in them, the next events, the groups, invitations and requests counted,
    and the year's CPD/CET hours), and a fifth for the invitations when some wait."""
    latest = await list_latest(actor=actor, mine=True, limit=LATEST_LIMIT)
    events, more_events = await _my_events(actor)
    group_count, invited, my_requests, to_decide = await _group_state(actor)
    # most members have none waiting: read them only when the count says some do
    invitations = await list_invitations(actor=actor) if invited else []
    return MemberHome(
        member=actor,
        latest=latest,
        group_count=group_count,
        events=events,
        more_events=more_events,
        invitations=invitations,
        my_requests=my_requests,
        requests_to_decide=to_decide,
        cpd=await cpd_progress(actor=actor),
        picks=await editors_picks(),
    )


async def cpd_progress(*, actor: Member) -> CpdProgress:
    """The member's CPD/CET hours in the current year (the year it is in their time zone; each
    event counts in the year it took place, as the printed record counts it) and their goal."""
    zone = reader_zone(actor.time_zone, current_settings().time_zone)
    year = clock.now().astimezone(zone).year
    hours = await hours_in_year(actor=actor, year=year)
    return CpdProgress(year=year, hours=hours, goal=actor.cpd_goal_hours)


async def set_cpd_goal(*, actor: Member, form: CpdGoal) -> Member:
    """Set the member's yearly CPD/CET goal, or clear it (None)."""
    async with transaction():
        await Member.filter(id=actor.id).update(cpd_goal_hours=form.cpd_goal_hours)
    actor.cpd_goal_hours = form.cpd_goal_hours
    return actor


async def _my_events(actor: Member) -> tuple[list[MyEvent], bool]:
    """The events the member is going to or waiting for that have not ended, soonest first,
    each with the member's place on its waitlist: one hand-written query (see `db.select`).
    The place is counted as `events.service.waitlist_position` counts it (those who answered
    earlier, the id breaking ties); events of private groups the member left are left out, as
    `events.service.list_events` leaves them out."""
    params: list[Any] = []

    def value(item: Any) -> str:
        params.append(item)
        return f"${len(params)}"

    rsvps, events, groups = Rsvp._meta.db_table, Event._meta.db_table, Group._meta.db_table
    place = (
        f"CASE WHEN r.status = {value(RsvpStatus.WAITLIST.value)} THEN 1 + ("  # noqa: S608
        f"SELECT count(*) FROM {rsvps} w WHERE w.event_id = r.event_id "
        f"AND w.status = {value(RsvpStatus.WAITLIST.value)} AND (w.answered_at < r.answered_at "
        "OR (w.answered_at = r.answered_at AND w.id < r.id))) END"
    )
    sql = (
        f"SELECT {db.columns(Event, 'e')}, g.name AS group_name, g.slug AS group_slug, "  # noqa: S608
        f"r.status AS my_status, {place} AS place "
        f"FROM {rsvps} r JOIN {events} e ON e.id = r.event_id "
        f"LEFT JOIN {groups} g ON g.id = e.group_id "
        f"WHERE r.member_id = {value(actor.id)} "
        f"AND r.status IN ({value(RsvpStatus.GOING.value)}, {value(RsvpStatus.WAITLIST.value)}) "
        f"AND e.ends_at >= {value(clock.now())}"
    )
    if not actor.is_admin:
        sql += (
            f" AND (e.group_id IS NULL OR g.visibility = {value(Visibility.PUBLIC.value)} "  # noqa: S608
            f"OR EXISTS (SELECT 1 FROM {Membership._meta.db_table} ms "
            f"WHERE ms.group_id = e.group_id AND ms.member_id = {value(actor.id)}))"
        )
    rows = await db.select(sql + f" ORDER BY e.starts_at, e.id LIMIT {EVENTS_LIMIT + 1}", *params)
    items = [
        MyEvent(
            event=db.loaded(Event, row),
            group_name=str(row["group_name"] or ""),
            group_slug=str(row["group_slug"] or ""),
            status=RsvpStatus(row["my_status"]),
            waitlist_position=None if row["place"] is None else int(row["place"]),
        )
        for row in rows[:EVENTS_LIMIT]
    ]
    return items, len(rows) > EVENTS_LIMIT


async def _group_state(actor: Member) -> tuple[int, int, list[GroupLink], list[GroupLink]]:
    """How many groups the member belongs to, how many invitations wait for them, their own
    pending join requests, and the groups they facilitate with requests pending (and how
    many): one hand-written UNION."""
    memberships, requests = Membership._meta.db_table, JoinRequest._meta.db_table
    groups, invitations = Group._meta.db_table, Invitation._meta.db_table
    rows = await db.select(
        f"SELECT 'groups' AS what, 0 AS id, '' AS name, '' AS slug, count(*) AS number "  # noqa: S608
        f"FROM {memberships} WHERE member_id = $1 "
        "UNION ALL "
        f"SELECT 'invited', 0, '', '', count(*) FROM {invitations} "
        "WHERE email = $2 AND status = $3 AND expires_at > $4 "
        "UNION ALL "
        f"SELECT 'mine', g.id, g.name, g.slug, 0 FROM {requests} jr "
        f"JOIN {groups} g ON g.id = jr.group_id WHERE jr.member_id = $5 AND jr.status = $6 "
        "UNION ALL "
        f"SELECT 'decide', g.id, g.name, g.slug, count(jr.id) FROM {memberships} f "
        f"JOIN {groups} g ON g.id = f.group_id "
        f"JOIN {requests} jr ON jr.group_id = f.group_id AND jr.status = $7 "
        "WHERE f.member_id = $8 AND f.role = $9 GROUP BY g.id, g.name, g.slug",
        actor.id,
        actor.email or "",
        InvitationStatus.PENDING.value,
        clock.now(),
        actor.id,
        RequestStatus.PENDING.value,
        RequestStatus.PENDING.value,
        actor.id,
        Role.FACILITATOR.value,
    )
    group_count = invited = 0
    mine: list[GroupLink] = []
    to_decide: list[GroupLink] = []
    for row in rows:
        if row["what"] == "groups":
            group_count = int(row["number"])
        elif row["what"] == "invited":
            invited = int(row["number"])
        else:
            link = GroupLink(int(row["id"]), str(row["name"]), str(row["slug"]), int(row["number"]))
            (mine if row["what"] == "mine" else to_decide).append(link)
    return group_count, invited, sorted(mine, key=_by_name), sorted(to_decide, key=_by_name)


def _by_name(link: GroupLink) -> tuple[str, str]:
    return link.name.lower(), link.slug


async def welcome() -> Welcome:
    """The visitor's welcome: the most recently active public groups and the next events
    anyone may see (site-wide, or of a public group, not cancelled): two queries. The events
    are those yet to start, so the walk along the start index begins at now (`ends_at` would
    read past every event that has ended: 2,480 rows for 4 on a seeded site)."""
    group_rows = await db.select(
        f"SELECT {db.columns(Group, 'g')} FROM {Group._meta.db_table} g "  # noqa: S608
        "WHERE g.visibility = $1 "
        f"ORDER BY g.last_activity_at DESC, g.id DESC LIMIT {PUBLIC_GROUPS_LIMIT}",
        Visibility.PUBLIC.value,
    )
    event_rows = await db.select(
        f"SELECT {db.columns(Event, 'e')}, g.name AS group_name, g.slug AS group_slug "  # noqa: S608
        f"FROM {Event._meta.db_table} e LEFT JOIN {Group._meta.db_table} g ON g.id = e.group_id "
        "WHERE e.starts_at >= $1 AND e.state = $2 AND (e.group_id IS NULL OR g.visibility = $3) "
        f"ORDER BY e.starts_at, e.id LIMIT {PUBLIC_EVENTS_LIMIT}",
        clock.now(),
        EventState.SCHEDULED.value,
        Visibility.PUBLIC.value,
    )
    return Welcome(
        groups=[db.loaded(Group, row) for row in group_rows],
        events=[
            PublicEvent(
                event=db.loaded(Event, row),
                group_name=str(row["group_name"] or ""),
                group_slug=str(row["group_slug"] or ""),
            )
            for row in event_rows
        ],
        picks=await editors_picks(),
    )
