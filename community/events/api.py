"""API: events — listing, scheduling and changing them, RSVPs, attendees and attendance.

Times go in as ISO 8601. With an offset they are an instant, converted into the event's
`time_zone` before `EventForm` reads them; without one they are the local time in that zone,
as the page's form sends them. Times come out in UTC with their offset. `cpd_hours` comes out
as a decimal string ("1.5"), so no decimals are lost to floating point; it goes in as a string
or a number.
"""

from __future__ import annotations

from decimal import Decimal

from community.errors import Invalid, NotFound
from community.events import attendance, service
from community.events.attendance import Attendee, AttendeeList
from community.events.models import Event, EventKind, EventState, Rsvp, RsvpStatus
from community.events.schemas import AttendanceMark, EventChanges, EventForm, RsvpAnswer
from community.events.service import EventPage
from community.text import clean_text
from community.web.api import (
    BOOLEAN,
    CURSOR,
    DATETIME,
    ID,
    INTEGER,
    JSON,
    LIMIT,
    Api,
    Call,
    Param,
    nullable,
    obj,
    page_of,
    string,
    when,
)

#: this feature's operations, served under /api/v1 with the others'
api = Api()

#: the domain says "waitlist"; the API says "waitlisted"
RSVP_STATUSES = {
    RsvpStatus.GOING: "going",
    RsvpStatus.WAITLIST: "waitlisted",
    RsvpStatus.NOT_GOING: "not_going",
}
KINDS = [str(kind) for kind in EventKind]


EVENT_FIELDS: dict[str, JSON] = {
    "id": ID,
    "group": nullable(string(description="The group's slug; null for a site-wide event.")),
    "title": string(),
    "description": string(description="Markdown, as written."),
    "description_html": string(description="The description rendered as sanitised HTML."),
    "kind": string(enum=KINDS),
    "starts_at": DATETIME,
    "ends_at": DATETIME,
    "time_zone": string(description="The IANA zone the event takes place in."),
    "venue": nullable(
        string(
            description="Null when hidden: shown to members going and to those who manage "
            "the event. Empty when the event has no venue."
        )
    ),
    "online_url": nullable(
        string(description="Null when hidden, as the venue. Empty when it is not online.")
    ),
    "in_person": {**BOOLEAN, "description": "It has a venue (even when the venue is hidden)."},
    "online": {**BOOLEAN, "description": "It has an online link (even when hidden)."},
    "capacity": nullable({**INTEGER, "description": "Seats; null for no limit."}),
    "seats_taken": INTEGER,
    "seats_left": nullable({**INTEGER, "description": "Null when there is no limit."}),
    "waitlist_length": INTEGER,
    "rsvp_deadline": nullable(DATETIME),
    "cpd_hours": string(pattern=r"^[0-9]+(\.[0-9]+)?$", description='A decimal, like "1.5".'),
    "state": string(enum=[str(state) for state in EventState]),
}
EVENT = api.component("Event", obj(EVENT_FIELDS, **EVENT_FIELDS))
RSVP = api.component(
    "Rsvp",
    obj(
        ["status", "waitlist_position"],
        status=string(enum=list(RSVP_STATUSES.values())),
        waitlist_position=nullable(
            {**INTEGER, "minimum": 1, "description": "1-based; null unless waitlisted."}
        ),
    ),
)
DETAIL_FIELDS: dict[str, JSON] = {
    **EVENT_FIELDS,
    "my_rsvp": nullable(RSVP),
    "rsvp_open": {**BOOLEAN, "description": "RSVPs are taken now."},
    "may_rsvp": {**BOOLEAN, "description": "The viewer may RSVP (a verified member)."},
    "can_manage": {**BOOLEAN, "description": "The viewer may change the event."},
}
EVENT_DETAIL = api.component("EventDetail", obj(DETAIL_FIELDS, **DETAIL_FIELDS))
ATTENDEE = api.component(
    "Attendee",
    obj(
        [
            "user_id",
            "display_name",
            "profession",
            "organisation",
            "status",
            "waitlist_position",
            "answered_at",
            "attended",
        ],
        user_id=ID,
        display_name=string(),
        profession=string(description="Empty when not given."),
        organisation=string(),
        status=string(enum=list(RSVP_STATUSES.values())),
        waitlist_position=nullable({**INTEGER, "minimum": 1}),
        answered_at=DATETIME,
        attended=nullable({**BOOLEAN, "description": "Null until marked."}),
    ),
)
ATTENDEE_LIST = api.component(
    "AttendeeList",
    obj(
        ["event_id", "attendance_open", "attended_count", "items"],
        event_id=ID,
        attendance_open={
            **BOOLEAN,
            "description": "Attendance may be marked: the event has started, not cancelled.",
        },
        attended_count=INTEGER,
        items={
            "type": "array",
            "items": ATTENDEE,
            "description": "Everyone who answered: going, then the waitlist in order, then "
            "not going. The whole list, not paginated.",
        },
    ),
)
LIST_QUERY = [
    Param("group", string(), "Only this group's events (its slug)."),
    Param("when", string(enum=["upcoming", "past"], default="upcoming"), "Upcoming or past."),
    Param("kind", string(enum=KINDS), "Only events of this kind."),
    Param("mine", BOOLEAN, "Only events you are going to or waitlisted for."),
    CURSOR,
    LIMIT,
]


def _hours(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def event_json(event: Event, *, shows_place: bool, waitlist_length: int) -> JSON:
    group = event.group
    return {
        "id": event.id,
        "group": group.slug if group is not None else None,
        "title": event.title,
        "description": event.description,
        "description_html": event.description_html,
        "kind": str(event.kind),
        "starts_at": when(event.starts_at),
        "ends_at": when(event.ends_at),
        "time_zone": event.time_zone,
        "venue": event.venue if shows_place else None,
        "online_url": event.online_url if shows_place else None,
        "in_person": bool(event.venue),
        "online": bool(event.online_url),
        "capacity": event.capacity,
        "seats_taken": event.seats_taken,
        "seats_left": event.seats_left,
        "waitlist_length": waitlist_length,
        "rsvp_deadline": when(event.rsvp_deadline),
        "cpd_hours": _hours(event.cpd_hours),
        "state": str(event.state),
    }


def rsvp_json(rsvp: Rsvp | None, position: int | None) -> JSON:
    status = RsvpStatus.NOT_GOING if rsvp is None else RsvpStatus(rsvp.status)
    return {"status": RSVP_STATUSES[status], "waitlist_position": position}


def event_detail_json(page: EventPage) -> JSON:
    mine = page.my_rsvp
    return {
        **event_json(
            page.view.event, shows_place=page.shows_place, waitlist_length=page.waitlist_length
        ),
        "my_rsvp": None if mine is None else rsvp_json(mine, page.waitlist_position),
        "rsvp_open": page.rsvp_open,
        "may_rsvp": page.view.may_rsvp,
        "can_manage": page.view.can_manage,
    }


def attendee_json(attendee: Attendee) -> JSON:
    return {
        "user_id": attendee.member_id,
        "display_name": attendee.name,
        "profession": attendee.profession,
        "organisation": attendee.organisation,
        "status": RSVP_STATUSES[attendee.status],
        "waitlist_position": attendee.waitlist_position,
        "answered_at": when(attendee.answered_at),
        "attended": attendee.attended,
    }


def attendee_list_json(listing: AttendeeList) -> JSON:
    return {
        "event_id": listing.event.id,
        "attendance_open": listing.attendance_open,
        "attended_count": listing.attended_count,
        "items": [attendee_json(attendee) for attendee in listing.everyone],
    }


def _query_choice(call: Call, name: str, choices: list[str]) -> str:
    raw = call.query.get(name, "")
    if raw and raw not in choices:
        raise Invalid(**{name: f"Use one of: {', '.join(choices)}."})
    return raw


def _slug(call: Call) -> str:
    slug: str = call.path["slug"]
    if clean_text(slug) != slug:
        raise NotFound("There is no group here.")
    return slug


async def _detail(call: Call, event_id: int) -> JSON:
    return event_detail_json(await service.event_page(actor=call.actor, event_id=event_id))


@api.operation(
    "GET",
    "/events",
    summary="Events you may see: upcoming (soonest first) or past (latest first)",
    tag="events",
    auth="optional",
    query=LIST_QUERY,
    response=page_of(EVENT),
)
async def list_events(call: Call) -> JSON:
    group = call.query.get("group", "")
    if clean_text(group) != group:
        raise Invalid(group="Give a group's slug.")
    page = await service.list_events(
        actor=call.actor,
        past=_query_choice(call, "when", ["upcoming", "past"]) == "past",
        group_slug=group,
        kind=_query_choice(call, "kind", KINDS),
        mine=call.flag("mine"),
        cursor=call.cursor(),
        limit=call.limit(),
    )
    shown = await service.places_shown(actor=call.actor, events=page.items)
    lengths = await service.waitlist_lengths([event.id for event in page.items])
    return {
        "items": [
            event_json(event, shows_place=event.id in shown, waitlist_length=lengths[event.id])
            for event in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@api.operation(
    "POST",
    "/groups/{slug}/events",
    summary="Schedule an event for a group (its facilitators)",
    tag="events",
    body=EventForm,
    response=EVENT_DETAIL,
    status=201,
)
async def create_group_event(call: Call) -> JSON:
    slug = _slug(call)
    form = call.parsed(EventForm)
    event = await service.create_event(actor=call.member(), slug=slug, form=form)
    return await _detail(call, event.id)


@api.operation(
    "POST",
    "/events",
    summary="Schedule a site-wide event (admins)",
    tag="events",
    body=EventForm,
    response=EVENT_DETAIL,
    status=201,
)
async def create_site_event(call: Call) -> JSON:
    event = await service.create_event(actor=call.member(), slug=None, form=call.parsed(EventForm))
    return await _detail(call, event.id)


@api.operation(
    "GET",
    "/events/{event_id}",
    summary="One event, with your RSVP",
    description="The venue and online link are null unless you are going or manage the event.",
    tag="events",
    auth="optional",
    response=EVENT_DETAIL,
)
async def get_event(call: Call) -> JSON:
    return await _detail(call, call.path["event_id"])


@api.operation(
    "PATCH",
    "/events/{event_id}",
    summary="Change an event (its managers; only the fields you send)",
    description="A new time or place is told to everyone going. Times you do not send keep "
    "their instant, also when `time_zone` changes. Null clears the optional fields.",
    tag="events",
    body=EventChanges,
    response=EVENT_DETAIL,
)
async def update_event(call: Call) -> JSON:
    event_id: int = call.path["event_id"]
    changes = call.parsed(EventChanges)
    await service.update_event(actor=call.member(), event_id=event_id, changes=changes)
    return await _detail(call, event_id)


@api.operation(
    "POST",
    "/events/{event_id}/cancel",
    summary="Cancel an event (its managers); everyone going or waiting is told",
    tag="events",
    response=EVENT_DETAIL,
)
async def cancel_event(call: Call) -> JSON:
    event = await service.cancel_event(actor=call.member(), event_id=call.path["event_id"])
    return await _detail(call, event.id)


@api.operation(
    "PUT",
    "/events/{event_id}/rsvp",
    summary="Say whether you are going: a seat, or a place on the waitlist when it is full",
    tag="events",
    body=RsvpAnswer,
    response=RSVP,
)
async def put_rsvp(call: Call) -> JSON:
    member = call.member()
    event_id: int = call.path["event_id"]
    if call.parsed(RsvpAnswer).status == "not_going":
        return rsvp_json(await service.cancel_rsvp(actor=member, event_id=event_id), None)
    rsvp = await service.rsvp(actor=member, event_id=event_id)
    return rsvp_json(rsvp, await service.waitlist_position(rsvp))


@api.operation(
    "GET",
    "/events/{event_id}/attendees",
    summary="Everyone who answered the event (its managers)",
    tag="events",
    response=ATTENDEE_LIST,
)
async def list_attendees(call: Call) -> JSON:
    listing = await attendance.attendee_list(actor=call.member(), event_id=call.path["event_id"])
    return attendee_list_json(listing)


@api.operation(
    "POST",
    "/events/{event_id}/attendance",
    summary="Mark whether a member who was going attended (its managers, from the start)",
    tag="events",
    body=AttendanceMark,
    response=obj(
        ["user_id", "attended", "attendance_marked_at"],
        user_id=ID,
        attended=BOOLEAN,
        attendance_marked_at=DATETIME,
    ),
)
async def mark_attendance(call: Call) -> JSON:
    member = call.member()
    mark = call.parsed(AttendanceMark)
    user_id, attended = mark.user_id, mark.attended
    try:
        rsvp = await attendance.mark_attendance(
            actor=member, event_id=call.path["event_id"], member_id=user_id, attended=attended
        )
    except Invalid as exc:  # the domain's member_id is the API's user_id
        fields = {"user_id" if k == "member_id" else k: v for k, v in exc.fields.items()}
        raise Invalid(exc.message, **fields) from None
    return {
        "user_id": rsvp.member_id,
        "attended": bool(rsvp.attended),
        "attendance_marked_at": when(rsvp.attendance_marked_at),
    }
