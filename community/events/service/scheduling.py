"""Scheduling events: create, change and cancel them (the people going are told)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from community import clock
from community.accounts.access import ensure_admin, ensure_signed_in
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid, PermissionDenied
from community.events import emails
from community.events.access import EventView, access_event
from community.events.kinds import EVENT_CHANGED
from community.events.models import Event, EventState, Rsvp, RsvpStatus
from community.events.schemas import EventChanges, EventForm
from community.events.service.rsvp import promote_waitlist
from community.groups.access import access_facilitation
from community.notifications.service import Notice, notify
from community.text import render_markdown
from community.urls import path as url_path

#: the same event scheduled again this soon by the same person is the same event
RESUBMIT_WINDOW = timedelta(seconds=60)


def event_fields(form: EventForm) -> dict[str, Any]:
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


async def event_owner(actor: Member | None, slug: str | None) -> tuple[int | None, Member]:
    """Who may schedule here: a group's facilitators (its id), or admins for the whole site."""
    if slug:
        group_id = (await access_facilitation(actor, slug)).group.id
        return group_id, ensure_signed_in(actor)
    return None, ensure_admin(actor)


async def create_event(*, actor: Member | None, slug: str | None, form: EventForm) -> Event:
    """Schedule an event for a group (its facilitators) or the whole site (admins)."""
    group_id, creator = await event_owner(actor, slug)
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
        group_id=group_id, created_by_id=creator.id, created_at=now, **event_fields(form)
    )


def ensure_manager(view: EventView) -> Member:
    if view.actor is None or not view.can_manage:
        raise PermissionDenied("Only the group's facilitators can change this event.")
    return view.actor


async def get_event_to_manage(*, actor: Member | None, event_id: int) -> Event:
    """The event, if the actor manages it (for an edit form): NotFound or PermissionDenied."""
    view = await access_event(actor, event_id)
    ensure_manager(view)
    return view.event


def as_sent(event: Event) -> dict[str, Any]:
    """The event as a whole EventForm would be sent (its times as instants, so a time left
    unchanged keeps its moment, also when the zone changes)."""
    return {
        "title": event.title,
        "description": event.description,
        "kind": event.kind,
        "time_zone": event.time_zone,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "rsvp_deadline": event.rsvp_deadline,
        "online_url": event.online_url,
        "venue": event.venue,
        "capacity": event.capacity,
        "cpd_hours": event.cpd_hours,
    }


async def update_event(*, actor: Member | None, event_id: int, changes: EventChanges) -> Event:
    """Change an event: only the fields the changes name, after which it must still be a whole
    event. A new time or place is told to everyone going (and reminders follow the new start);
    more seats promote the waitlist at once."""
    view = await access_event(actor, event_id)
    manager = ensure_manager(view)
    event = view.event
    if event.is_cancelled:
        raise Conflict("This event is cancelled.")
    form = EventForm.from_json({**as_sent(event), **changes.sent()})
    if event.enrolment_only and (form.capacity, form.cpd_hours) != (
        event.capacity,
        event.cpd_hours,
    ):
        field = "capacity" if form.capacity != event.capacity else "cpd_hours"
        raise Invalid(
            **{
                field: "This session is part of a programme: its places and hours are the "
                "programme's."
            }
        )
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
    async with transaction():
        await Event.filter(id=event.id).update(**event_fields(form))
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
    manager = ensure_manager(view)
    async with transaction():
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
            body = f"Now: {emails.local_time(event, member)}. Where: {emails.place_words(event)}."
        await notify(
            [member],
            Notice(
                EVENT_CHANGED,
                title,
                url=url_path("events:detail", event_id=event.id),
                dedupe_key=dedupe_key,
                body=body,
                topic=f"event:{event.id}",
                actor_id=actor.id,
            ),
        )
