"""Event actions (create, RSVP, cancel an RSVP with waitlist promotion) and their reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Count
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from community import clock
from community.accounts.access import ensure_admin, ensure_signed_in
from community.accounts.models import Member
from community.db import Page, fits, keyset_page
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.events import emails
from community.events.access import EventView, access_event, ensure_may_rsvp
from community.events.models import Event, EventKind, EventState, Rsvp, RsvpStatus
from community.events.reminders import rsvp_for_cancel_link
from community.events.schemas import EventForm
from community.groups.access import Viewer, access_facilitation
from community.groups.models import Group, Membership, Role, Visibility
from community.notifications.models import NotificationKind
from community.notifications.service import Notice, notify
from community.text import render_markdown

EVENTS_PER_PAGE = 20
#: the same event scheduled again this soon by the same person is the same event
RESUBMIT_WINDOW = timedelta(seconds=60)
#: the most events one calendar month shows
MONTH_LIMIT = 500


class _AnsweredMeanwhile(Exception):
    """Another request changed this RSVP first; roll ours back."""


def _fields(form: EventForm) -> dict[str, Any]:
    """The event's columns from a form; Markdown rendered once, here."""
    return {
        "title": form.title,
        "description": form.description,
        "description_html": render_markdown(form.description) if form.description else "",
        "kind": form.kind,
        "starts_at": form.starts_at,
        "ends_at": form.ends_at,
        "time_zone": form.time_zone,
        "venue": form.venue,
        "online_url": form.online_url,
        "capacity": form.capacity,
        "rsvp_deadline": form.rsvp_deadline,
        "cpd_hours": form.cpd_hours,
    }


async def create_event(*, actor: Member | None, slug: str | None, form: EventForm) -> Event:
    """Schedule an event for a group (its facilitators) or the whole site (admins)."""
    group_id = None
    if slug:
        group_id = (await access_facilitation(actor, slug)).group.id
        creator = ensure_signed_in(actor)
    else:
        creator = ensure_admin(actor)
    now = clock.now()
    again = await Event.filter(
        group_id=group_id,
        created_by_id=creator.id,
        title=form.title,
        starts_at=form.starts_at,
        ends_at=form.ends_at,
        time_zone=form.time_zone,
        venue=form.venue,
        online_url=form.online_url,
        created_at__gte=now - RESUBMIT_WINDOW,
    ).first()
    if again is not None:
        return again  # the form sent twice: the first one stands
    return await Event.create(
        group_id=group_id, created_by_id=creator.id, created_at=now, **_fields(form)
    )


def _ensure_manager(view: EventView) -> Member:
    if view.actor is None or not view.can_manage:
        raise PermissionDenied("Only the group's facilitators can change this event.")
    return view.actor


async def get_event_to_manage(*, actor: Member | None, event_id: int) -> Event:
    """The event, if the actor manages it (for an edit form): NotFound or PermissionDenied."""
    view = await access_event(actor, event_id)
    _ensure_manager(view)
    return view.event


async def update_event(*, actor: Member | None, event_id: int, form: EventForm) -> Event:
    """Change an event. A new time or place is emailed to everyone going (and reminders follow
    the new start); more seats promote the waitlist at once."""
    view = await access_event(actor, event_id)
    manager = _ensure_manager(view)
    event = view.event
    if event.is_cancelled:
        raise Conflict("This event is cancelled.")
    if form.capacity is not None and form.capacity < event.seats_taken:
        raise Invalid(
            capacity=f"{event.seats_taken} members are going: choose at least "
            f"{event.seats_taken} seats, or leave it empty for no limit."
        )
    moved = (form.starts_at, form.ends_at, form.venue, form.online_url) != (
        event.starts_at,
        event.ends_at,
        event.venue,
        event.online_url,
    )
    now = clock.now()
    async with in_transaction():
        await Event.filter(id=event.id).update(**_fields(form))
        updated = await Event.get(id=event.id)
        if moved:
            await _tell_attendees(
                updated,
                manager,
                title=f"“{updated.title}” has a new time or place",
                dedupe_key=f"event-changed:{event.id}:{now.timestamp():.0f}",
            )
        await promote_waitlist(event.id)
    return updated


async def cancel_event(*, actor: Member | None, event_id: int) -> Event:
    """Cancel an event: everyone going or waitlisted is emailed; no reminder goes out."""
    view = await access_event(actor, event_id)
    manager = _ensure_manager(view)
    async with in_transaction():
        changed = await Event.filter(id=event_id, state=EventState.SCHEDULED).update(
            state=EventState.CANCELLED
        )
        event = await Event.get(id=event_id)
        if changed:
            await _tell_attendees(
                event,
                manager,
                title=f"“{event.title}” is cancelled",
                dedupe_key=f"event-cancelled:{event.id}",
                cancelled=True,
            )
    return event


async def _tell_attendees(
    event: Event,
    actor: Member,
    *,
    title: str,
    dedupe_key: str,
    cancelled: bool = False,
) -> None:
    """Notify everyone going (and, for a cancellation, waiting) about the event, each with
    its time in their own zone. Call inside a transaction."""
    statuses = [RsvpStatus.GOING, RsvpStatus.WAITLIST] if cancelled else [RsvpStatus.GOING]
    rsvps = await Rsvp.filter(event_id=event.id, status__in=statuses).select_related("member")
    for rsvp in rsvps:
        member = rsvp.member
        if cancelled:
            body = f"It was to start {emails.local_time(event, member)}."
        else:
            where = " and ".join(
                part for part in (event.venue, "online" if event.online_url else "") if part
            )
            body = f"Now: {emails.local_time(event, member)}. Where: {where}."
        await notify(
            [member],
            Notice(
                NotificationKind.EVENT_CHANGED,
                title,
                url=f"/events/{event.id}",
                dedupe_key=dedupe_key,
                body=body,
                topic=f"event:{event.id}",
                actor_id=actor.id,
            ),
        )


def _ensure_open(event: Event) -> None:
    now = clock.now()
    if event.is_cancelled:
        raise Conflict("This event is cancelled.")
    if now >= event.starts_at:
        raise Conflict("RSVPs for this event have closed: it has started.")
    if event.rsvp_deadline is not None and now >= event.rsvp_deadline:
        raise Conflict("RSVPs for this event have closed: the deadline has passed.")


async def _take_seat(event: Event) -> bool:
    """Take a seat if one is free (a guarded counter). Call inside a transaction."""
    seats = Event.filter(id=event.id)
    if event.capacity is not None:
        seats = seats.filter(seats_taken__lt=F("capacity"))
    return bool(await seats.update(seats_taken=F("seats_taken") + 1))


async def rsvp(*, actor: Member | None, event_id: int) -> Rsvp:
    """Say "going": a seat if one is free, else a place on the waitlist. Harmless to repeat."""
    view = await access_event(actor, event_id)
    member = ensure_may_rsvp(view)
    event = view.event
    _ensure_open(event)
    existing = await Rsvp.filter(event_id=event.id, member_id=member.id).first()
    if existing is not None and existing.status != RsvpStatus.NOT_GOING:
        return existing
    now = clock.now()
    try:
        async with in_transaction():
            # the guarded seat comes first: the database settles the race for the last seat
            seated = await _take_seat(event)
            status = RsvpStatus.GOING if seated else RsvpStatus.WAITLIST
            if existing is None:
                await Rsvp.create(
                    event_id=event.id, member_id=member.id, status=status, answered_at=now
                )
            else:
                changed = await Rsvp.filter(id=existing.id, status=RsvpStatus.NOT_GOING).update(
                    status=status, answered_at=now
                )
                if not changed:
                    raise _AnsweredMeanwhile
    except (IntegrityError, _AnsweredMeanwhile):
        pass  # a double submit answered first: its seat stands, ours was rolled back
    return await Rsvp.get(event_id=event.id, member_id=member.id)


async def cancel_rsvp(*, actor: Member | None, event_id: int) -> Rsvp | None:
    """Say "not going"; a freed seat goes at once to the first on the waitlist."""
    view = await access_event(actor, event_id)
    member = ensure_may_rsvp(view)
    event = view.event
    existing = await Rsvp.filter(event_id=event.id, member_id=member.id).first()
    if existing is None or existing.status == RsvpStatus.NOT_GOING:
        return existing
    async with in_transaction():
        was_going = await Rsvp.filter(id=existing.id, status=RsvpStatus.GOING).update(
            status=RsvpStatus.NOT_GOING, answered_at=clock.now()
        )
        if was_going:
            await Event.filter(id=event.id).update(seats_taken=F("seats_taken") - 1)
            await promote_waitlist(event.id)
        else:
            await Rsvp.filter(id=existing.id, status=RsvpStatus.WAITLIST).update(
                status=RsvpStatus.NOT_GOING, answered_at=clock.now()
            )
    return await Rsvp.get(id=existing.id)


async def cancel_rsvp_by_link(*, event_id: int, member_id: int, signature: str) -> Event:
    """The one-click "I can't make it" from a reminder: no sign-in, a signed link instead."""
    await rsvp_for_cancel_link(event_id, member_id, signature)
    member = await Member.filter(id=member_id, deleted_at__isnull=True).first()
    if member is None:
        raise NotFound("This link is not valid.")
    await cancel_rsvp(actor=member, event_id=event_id)
    return await Event.get(id=event_id)


async def promote_waitlist(event_id: int) -> int:
    """Move waitlisted members to going while seats are free, first come first served, each
    exactly once (guarded updates), and email them. Call inside a transaction."""
    event = await Event.get(id=event_id)
    if event.is_cancelled or clock.now() >= event.starts_at:
        return 0
    promoted = 0
    while True:
        candidate = (
            await Rsvp.filter(event_id=event_id, status=RsvpStatus.WAITLIST)
            .order_by("answered_at", "id")
            .select_related("member")
            .first()
        )
        if candidate is None or not await _take_seat(event):
            return promoted
        moved = await Rsvp.filter(id=candidate.id, status=RsvpStatus.WAITLIST).update(
            status=RsvpStatus.GOING, promoted_at=clock.now()
        )
        if not moved:  # someone else moved them first: give the seat back
            await Event.filter(id=event_id).update(seats_taken=F("seats_taken") - 1)
            continue
        promoted += 1
        member = candidate.member
        await notify(
            [member],
            Notice(
                NotificationKind.PROMOTED,
                f"A seat opened: you are going to “{event.title}”",
                url=f"/events/{event.id}",
                dedupe_key=f"promoted:{event.id}:{candidate.answered_at.timestamp():.0f}",
                body=f"It starts {emails.local_time(event, member)}.",
                topic=f"event:{event.id}",
            ),
        )


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
    my_rsvp = None
    position = None
    if actor is not None:
        my_rsvp = await Rsvp.filter(event_id=event.id, member_id=actor.id).first()
    waitlist_length = await Rsvp.filter(event_id=event.id, status=RsvpStatus.WAITLIST).count()
    if my_rsvp is not None:
        position = await waitlist_position(my_rsvp)
    try:
        _ensure_open(event)
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
    return list(
        await Event.filter(
            group_id=viewer.group.id, ends_at__gte=clock.now(), state=EventState.SCHEDULED
        )
        .order_by("starts_at", "id")
        .limit(limit)
    )
