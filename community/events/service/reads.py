"""What the event pages and the API read: an event page, lists, the calendar, places."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from community import clock, db
from community.accounts.models import Member
from community.db import Page, fits, keyset_page
from community.errors import Conflict
from community.events.access import EventView, access_event
from community.events.models import Event, EventKind, EventState, Rsvp, RsvpStatus
from community.events.service.rsvp import ensure_rsvp_open
from community.groups.access import Viewer
from community.groups.models import Group, Membership, Role, Visibility

EVENTS_PER_PAGE = 20
#: the most events one calendar month shows
MONTH_LIMIT = 500


@dataclass(frozen=True)
class EventPage:
    view: EventView
    my_rsvp: Rsvp | None
    #: 1-based place on the waitlist, if the viewer is on it
    waitlist_position: int | None
    waitlist_length: int
    rsvp_open: bool

    @property
    def shows_place(self) -> bool:
        """The venue and online link are shown to members going and to those who manage it."""
        going = self.my_rsvp is not None and self.my_rsvp.status == RsvpStatus.GOING
        return going or self.view.can_manage


async def waitlist_position(rsvp: Rsvp) -> int | None:
    """The 1-based place of an RSVP on its event's waitlist (first come, first served, as
    promote_waitlist takes them); None if it is not waiting."""
    if rsvp.status != RsvpStatus.WAITLIST:
        return None
    ahead = await Rsvp.filter(
        Q(answered_at__lt=rsvp.answered_at) | Q(answered_at=rsvp.answered_at, id__lt=rsvp.id),
        event_id=rsvp.event_id,
        status=RsvpStatus.WAITLIST,
    ).count()
    return ahead + 1


async def event_page(*, actor: Member | None, event_id: int) -> EventPage:
    """What the event page shows to this viewer."""
    view = await access_event(actor, event_id)
    event = view.event
    position = None
    # the reader's RSVP and the waitlist's length in one hand-written query (see `db.select`)
    table = Rsvp._meta.db_table
    rows = await db.select(
        f"SELECT {db.columns(Rsvp, 'r', 'r__')}, "  # noqa: S608
        f"(SELECT count(*) FROM {table} w WHERE w.event_id = $1 AND w.status = $2) AS waiting "
        f"FROM (SELECT 1) one LEFT JOIN {table} r ON r.event_id = $3 AND r.member_id = $4",
        event.id,
        str(RsvpStatus.WAITLIST),
        event.id,
        actor.id if actor is not None else 0,
    )
    my_rsvp = db.loaded(Rsvp, rows[0], "r__") if rows[0]["r__id"] is not None else None
    waitlist_length = int(rows[0]["waiting"])
    if my_rsvp is not None:
        position = await waitlist_position(my_rsvp)
    try:
        ensure_rsvp_open(event)
        rsvp_open = True
    except Conflict:
        rsvp_open = False
    return EventPage(view, my_rsvp, position, waitlist_length, rsvp_open)


async def _my_group_ids(actor: Member) -> list[int]:
    return [m.group_id for m in await Membership.filter(member_id=actor.id).only("group_id")]


async def _visible_groups(actor: Member | None) -> Q:
    if actor is not None and actor.is_admin:
        return Q()
    visible = Q(group_id__isnull=True) | Q(group__visibility=Visibility.PUBLIC)
    if actor is not None:
        mine = await _my_group_ids(actor)
        if mine:
            visible |= Q(group_id__in=mine)
    return visible


def _filtered(query: QuerySet[Event], group_slug: str, kind: str) -> QuerySet[Event]:
    if group_slug:
        fitting = fits(Group, "slug", group_slug)
        query = query.filter(group__slug=group_slug) if fitting else query.filter(id__in=[])
    if kind in {str(k) for k in EventKind}:
        query = query.filter(kind=kind)
    return query


async def group_choices(*, actor: Member | None) -> list[tuple[str, str]]:
    """(slug, name) of the groups whose events the actor may see, for the group filter."""
    query = Group.all()
    if actor is None or not actor.is_admin:
        visible = Q(visibility=Visibility.PUBLIC)
        if actor is not None:
            mine = await _my_group_ids(actor)
            if mine:
                visible |= Q(id__in=mine)
        query = query.filter(visible)
    rows = await query.order_by("name").limit(500).values_list("slug", "name")
    return [(str(slug), str(name)) for slug, name in rows]


async def events_between(
    *,
    actor: Member | None,
    start: datetime,
    end: datetime,
    group_slug: str = "",
    kind: str = "",
) -> list[Event]:
    """Events the actor may see that take place (at least partly) between start and end."""
    query = Event.filter(
        await _visible_groups(actor), starts_at__lt=end, ends_at__gt=start
    ).select_related("group")
    query = _filtered(query, group_slug, kind)
    return list(await query.order_by("starts_at", "id").limit(MONTH_LIMIT))


async def list_events(
    *,
    actor: Member | None,
    past: bool = False,
    group_slug: str = "",
    kind: str = "",
    mine: bool = False,
    cursor: str | None = None,
    limit: int = EVENTS_PER_PAGE,
) -> Page[Event]:
    """Upcoming events soonest first (or past ones, latest first) that the actor may see."""
    now = clock.now()
    query = Event.filter(await _visible_groups(actor)).select_related("group")
    query = query.filter(ends_at__lt=now) if past else query.filter(ends_at__gte=now)
    query = _filtered(query, group_slug, kind)
    if mine:
        if actor is None:
            return Page(items=[], next_cursor=None)
        query = query.filter(
            rsvps__member_id=actor.id, rsvps__status__in=[RsvpStatus.GOING, RsvpStatus.WAITLIST]
        )
    order = ("-starts_at", "-id") if past else ("starts_at", "id")
    return await keyset_page(query, order=order, cursor=cursor, limit=limit)


async def places_shown(*, actor: Member | None, events: list[Event]) -> set[int]:
    """Ids of the listed events whose venue and online link the actor sees: the rule of
    EventPage.shows_place (going, or managing: the group's facilitators and admins), for a
    whole list in two queries at most."""
    if actor is None or not events:
        return set()
    if actor.is_admin:
        return {event.id for event in events}
    going = {
        rsvp.event_id
        for rsvp in await Rsvp.filter(
            event_id__in=[event.id for event in events],
            member_id=actor.id,
            status=RsvpStatus.GOING,
        ).only("id", "event_id")
    }
    group_ids = {event.group_id for event in events if event.group_id is not None}
    facilitated: set[int] = set()
    if group_ids:
        facilitated = {
            membership.group_id
            for membership in await Membership.filter(
                member_id=actor.id, group_id__in=group_ids, role=Role.FACILITATOR
            ).only("id", "group_id")
        }
    return going | {event.id for event in events if event.group_id in facilitated}


async def waitlist_lengths(event_ids: list[int]) -> dict[int, int]:
    """How many wait for a seat at each of these events, in one query."""
    if not event_ids:
        return {}
    rows = (
        await Rsvp.filter(event_id__in=event_ids, status=RsvpStatus.WAITLIST)
        .annotate(waiting=Count("id"))
        .group_by("event_id")
        .values_list("event_id", "waiting")
    )
    counts = {int(event_id): int(waiting) for event_id, waiting in rows}
    return {event_id: counts.get(event_id, 0) for event_id in event_ids}


async def upcoming_for_group(*, viewer: Viewer, limit: int = 3) -> list[Event]:
    """The next events of a group, for its home page."""
    if not viewer.can_see_content:
        return []
    rows = await db.select(
        f"SELECT {db.columns(Event, 'e')} FROM {Event._meta.db_table} e "  # noqa: S608
        "WHERE e.group_id = $1 AND e.ends_at >= $2 AND e.state = $3 "
        f"ORDER BY e.starts_at, e.id LIMIT {int(limit)}",
        viewer.group.id,
        clock.now(),
        EventState.SCHEDULED.value,
    )
    return [db.loaded(Event, row) for row in rows]
