"""API: events — listing, scheduling and changing them, RSVPs, attendees and attendance.

Times go in as ISO 8601. With an offset they are an instant, converted into the event's
`time_zone` before `EventForm` reads them; without one they are the local time in that zone,
as the page's form sends them. Times come out in UTC with their offset. `cpd_hours` comes out
as a decimal string ("1.5"), so no decimals are lost to floating point; it goes in as a string
or a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, Field

from community.accounts.access import ensure_admin
from community.accounts.models import Member
from community.commands import rule
from community.errors import Invalid, NotFound
from community.events import attendance, models, service
from community.events.access import access_event
from community.events.models import EventKind, EventState, Repeat, RsvpStatus
from community.events.schemas import (
    AttendanceMark,
    EventChanges,
    EventForm,
    RsvpAnswer,
    ScopeChoice,
    SeriesForm,
)
from community.groups.access import access_facilitation
from community.text import clean_text
from community.web.api import ID_MAX, Api, Call, Flag, Instant, Paged, Query

#: this feature's operations, served under /api/v1 with the others'
api = Api()


async def event_readers_only(actor: Member | None, params: dict[str, Any]) -> None:
    """An event one may not see is a 404 before a body is read (#22)."""
    await access_event(actor, int(params["event_id"]))


async def admins_only(actor: Member | None, params: dict[str, Any]) -> None:
    """Site-wide events are the admins': refuse everyone else before a body is read (#22)."""
    ensure_admin(actor)


async def facilitators_only(actor: Member | None, params: dict[str, Any]) -> None:
    """A group's events are its facilitators': refuse everyone else before a body is read."""
    await access_facilitation(actor, str(params["slug"]))


async def managers_only(actor: Member | None, params: dict[str, Any]) -> None:
    """Only those who manage the event may change it: checked before a body is read."""
    await service.get_event_to_manage(actor=actor, event_id=int(params["event_id"]))


async def attendance_takers_only(actor: Member | None, params: dict[str, Any]) -> None:
    """Only those who take the event's attendance: checked before a body is read."""
    await attendance.access_attendees(actor, int(params["event_id"]))


#: an RSVP's status as the API says it
RsvpState = Literal["going", "waitlisted", "not_going"]
#: the domain says "waitlist"; the API says "waitlisted"
RSVP_STATUSES: dict[RsvpStatus, RsvpState] = {
    RsvpStatus.GOING: "going",
    RsvpStatus.WAITLIST: "waitlisted",
    RsvpStatus.NOT_GOING: "not_going",
}
KINDS = [str(kind) for kind in EventKind]
#: an id in an answer: from 1 to PostgreSQL's largest integer, as paths and bodies take them
ItemId = Annotated[int, Field(ge=1, le=ID_MAX)]


def _hours(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


class Event(BaseModel):
    """An event, as lists show it."""

    id: ItemId
    group: str | None = Field(description="The group's slug; null for a site-wide event.")
    title: str
    description: str = Field(description="Markdown, as written.")
    description_html: str = Field(description="The description rendered as sanitised HTML.")
    kind: EventKind
    starts_at: Instant
    ends_at: Instant
    time_zone: str = Field(description="The IANA zone the event takes place in.")
    venue: str | None = Field(
        description="Null when hidden: shown to members going and to those who manage "
        "the event. Empty when the event has no venue."
    )
    online_url: str | None = Field(
        description="Null when hidden, as the venue. Empty when it is not online."
    )
    in_person: bool = Field(description="It has a venue (even when the venue is hidden).")
    online: bool = Field(description="It has an online link (even when hidden).")
    capacity: int | None = Field(description="Seats; null for no limit.")
    seats_taken: int
    seats_left: int | None = Field(description="Null when there is no limit.")
    waitlist_length: int
    rsvp_deadline: Instant | None
    cpd_hours: str = Field(pattern=r"^[0-9]+(\.[0-9]+)?$", description='A decimal, like "1.5".')
    state: EventState
    series: ItemId | None = Field(description="The series it is a session of; null for none.")
    series_index: int | None = Field(ge=0, description="Its place in the series, from 0.")

    @staticmethod
    def fields_of(
        event: models.Event, *, shows_place: bool, waitlist_length: int
    ) -> dict[str, Any]:
        """The event's fields, for this model and those that extend it."""
        group = event.group
        return {
            "id": event.id,
            "group": group.slug if group is not None else None,
            "title": event.title,
            "description": event.description,
            "description_html": event.description_html,
            "kind": EventKind(event.kind),
            "starts_at": event.starts_at,
            "ends_at": event.ends_at,
            "time_zone": event.time_zone,
            "venue": event.venue if shows_place else None,
            "online_url": event.online_url if shows_place else None,
            "in_person": bool(event.venue),
            "online": bool(event.online_url),
            "capacity": event.capacity,
            "seats_taken": event.seats_taken,
            "seats_left": event.seats_left,
            "waitlist_length": waitlist_length,
            "rsvp_deadline": event.rsvp_deadline,
            "cpd_hours": _hours(event.cpd_hours),
            "state": EventState(event.state),
            "series": event.series_id,
            "series_index": event.series_index,
        }

    @classmethod
    def of(cls, event: models.Event, *, shows_place: bool, waitlist_length: int) -> Event:
        return cls(**cls.fields_of(event, shows_place=shows_place, waitlist_length=waitlist_length))


class EventPage(BaseModel):
    """A page of events."""

    items: list[Event]
    next_cursor: str | None


class Rsvp(BaseModel):
    """Your answer to an event."""

    status: RsvpState
    waitlist_position: int | None = Field(ge=1, description="1-based; null unless waitlisted.")

    @classmethod
    def of(cls, rsvp: models.Rsvp | None, position: int | None) -> Rsvp:
        status = RsvpStatus.NOT_GOING if rsvp is None else RsvpStatus(rsvp.status)
        return cls(status=RSVP_STATUSES[status], waitlist_position=position)


class EventDetail(Event):
    """One event, with your RSVP and what you may do."""

    my_rsvp: Rsvp | None
    rsvp_open: bool = Field(description="RSVPs are taken now.")
    may_rsvp: bool = Field(description="The viewer may RSVP (a verified member).")
    can_manage: bool = Field(description="The viewer may change the event.")

    @classmethod
    def of_page(cls, page: service.EventPage) -> EventDetail:
        mine = page.my_rsvp
        return cls(
            **cls.fields_of(
                page.view.event, shows_place=page.shows_place, waitlist_length=page.waitlist_length
            ),
            my_rsvp=None if mine is None else Rsvp.of(mine, page.waitlist_position),
            rsvp_open=page.rsvp_open,
            may_rsvp=page.view.may_rsvp,
            can_manage=page.view.can_manage,
        )


class Attendee(BaseModel):
    """A member who answered an event, as its managers see them."""

    user_id: ItemId
    display_name: str
    profession: str = Field(description="Empty when not given.")
    organisation: str
    status: RsvpState
    waitlist_position: int | None = Field(ge=1)
    answered_at: Instant
    attended: bool | None = Field(description="Null until marked.")

    @classmethod
    def of(cls, attendee: attendance.Attendee) -> Attendee:
        return cls(
            user_id=attendee.member_id,
            display_name=attendee.name,
            profession=attendee.profession,
            organisation=attendee.organisation,
            status=RSVP_STATUSES[attendee.status],
            waitlist_position=attendee.waitlist_position,
            answered_at=attendee.answered_at,
            attended=attendee.attended,
        )


class AttendeeList(BaseModel):
    """Everyone who answered an event, and how many attended."""

    event_id: ItemId
    attendance_open: bool = Field(
        description="Attendance may be marked: the event has started, not cancelled."
    )
    attended_count: int
    items: list[Attendee] = Field(
        description="Everyone who answered: going, then the waitlist in order, then "
        "not going. The whole list, not paginated."
    )

    @classmethod
    def of(cls, listing: attendance.AttendeeList) -> AttendeeList:
        return cls(
            event_id=listing.event.id,
            attendance_open=listing.attendance_open,
            attended_count=listing.attended_count,
            items=[Attendee.of(attendee) for attendee in listing.everyone],
        )


class AttendanceMarked(BaseModel):
    """Whether a member attended, as marked."""

    user_id: ItemId
    attended: bool
    attendance_marked_at: Instant

    @classmethod
    def of(cls, rsvp: models.Rsvp) -> AttendanceMarked:
        """An RSVP just marked by attendance.mark_attendance (which sets the time)."""
        marked_at = rsvp.attendance_marked_at
        assert marked_at is not None  # noqa: S101  # marking sets it
        return cls(
            user_id=rsvp.member_id, attended=bool(rsvp.attended), attendance_marked_at=marked_at
        )


def _group_slug(value: str) -> str:
    if clean_text(value) != value:
        raise rule("Give a group's slug.")
    return value


class ScopeQuery(Query, ScopeChoice):
    """Which sessions of a series a change is for."""


class EventsQuery(Paged):
    group: Annotated[str, AfterValidator(_group_slug)] = Field(
        "", description="Only this group's events (its slug)."
    )
    when: Literal["upcoming", "past"] = Field("upcoming", description="Upcoming or past.")
    kind: EventKind | None = Field(None, description="Only events of this kind.")
    mine: Flag = Field(False, description="Only events you are going to or waitlisted for.")
    messages: ClassVar[Mapping[str, str]] = {
        **Paged.messages,
        "when": "Use one of: upcoming, past.",
        "kind": f"Use one of: {', '.join(KINDS)}.",
    }


def _slug(call: Call) -> str:
    slug: str = call.path["slug"]
    if clean_text(slug) != slug:
        raise NotFound("There is no group here.")
    return slug


async def _detail(call: Call, event_id: int) -> EventDetail:
    return EventDetail.of_page(await service.event_page(actor=call.actor, event_id=event_id))


@api.operation(
    "GET",
    "/events",
    summary="Events you may see: upcoming (soonest first) or past (latest first)",
    tag="events",
    auth="optional",
    query=EventsQuery,
    response=EventPage,
)
async def list_events(call: Call) -> EventPage:
    asked = call.params(EventsQuery)
    page = await service.list_events(
        actor=call.actor,
        past=asked.when == "past",
        group_slug=asked.group,
        kind=asked.kind or "",
        mine=asked.mine,
        cursor=asked.cursor,
        limit=asked.limit,
    )
    shown = await service.places_shown(actor=call.actor, events=page.items)
    lengths = await service.waitlist_lengths([event.id for event in page.items])
    return EventPage(
        items=[
            Event.of(event, shows_place=event.id in shown, waitlist_length=lengths[event.id])
            for event in page.items
        ],
        next_cursor=page.next_cursor,
    )


@api.operation(
    "POST",
    "/groups/{slug}/events",
    summary="Schedule an event for a group (its facilitators)",
    tag="events",
    body=EventForm,
    response=EventDetail,
    status=201,
    authorise=facilitators_only,
)
async def create_group_event(call: Call) -> EventDetail:
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
    response=EventDetail,
    status=201,
    authorise=admins_only,
)
async def create_site_event(call: Call) -> EventDetail:
    event = await service.create_event(actor=call.member(), slug=None, form=call.parsed(EventForm))
    return await _detail(call, event.id)


@api.operation(
    "GET",
    "/events/{event_id}",
    summary="One event, with your RSVP",
    description="The venue and online link are null unless you are going or manage the event.",
    tag="events",
    auth="optional",
    response=EventDetail,
)
async def get_event(call: Call) -> EventDetail:
    return await _detail(call, call.path["event_id"])


@api.operation(
    "PATCH",
    "/events/{event_id}",
    summary="Change an event (its managers; only the fields you send)",
    description="A new time or place is told to everyone going. Times you do not send keep "
    "their instant, also when `time_zone` changes. Null clears the optional fields. For a "
    "session of a series, `scope` applies the changes to this session (the default), this "
    "and the following sessions, or all sessions to come; a new time moves each by as "
    "much, at the same local time.",
    tag="events",
    body=EventChanges,
    query=ScopeQuery,
    response=EventDetail,
    authorise=managers_only,
)
async def update_event(call: Call) -> EventDetail:
    event_id: int = call.path["event_id"]
    changes = call.parsed(EventChanges)
    scope = call.params(ScopeQuery).scope
    await service.update_sessions(
        actor=call.member(), event_id=event_id, changes=changes, scope=scope
    )
    return await _detail(call, event_id)


@api.operation(
    "POST",
    "/events/{event_id}/cancel",
    summary="Cancel an event (its managers); everyone going or waiting is told",
    tag="events",
    response=EventDetail,
)
async def cancel_event(call: Call) -> EventDetail:
    event = await service.cancel_event(actor=call.member(), event_id=call.path["event_id"])
    return await _detail(call, event.id)


@api.operation(
    "PUT",
    "/events/{event_id}/rsvp",
    summary="Say whether you are going: a seat, or a place on the waitlist when it is full",
    tag="events",
    body=RsvpAnswer,
    response=Rsvp,
    authorise=event_readers_only,
)
async def put_rsvp(call: Call) -> Rsvp:
    member = call.member()
    event_id: int = call.path["event_id"]
    if call.parsed(RsvpAnswer).status == "not_going":
        return Rsvp.of(await service.cancel_rsvp(actor=member, event_id=event_id), None)
    rsvp = await service.rsvp(actor=member, event_id=event_id)
    return Rsvp.of(rsvp, await service.waitlist_position(rsvp))


@api.operation(
    "GET",
    "/events/{event_id}/attendees",
    summary="Everyone who answered the event (its managers)",
    tag="events",
    response=AttendeeList,
)
async def list_attendees(call: Call) -> AttendeeList:
    listing = await attendance.attendee_list(actor=call.member(), event_id=call.path["event_id"])
    return AttendeeList.of(listing)


@api.operation(
    "POST",
    "/events/{event_id}/attendance",
    summary="Mark whether a member who was going attended (its managers, from the start)",
    tag="events",
    body=AttendanceMark,
    response=AttendanceMarked,
    authorise=attendance_takers_only,
)
async def mark_attendance(call: Call) -> AttendanceMarked:
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
    return AttendanceMarked.of(rsvp)


class Series(BaseModel):
    """A series of sessions made from one rule, each a whole event."""

    id: ItemId
    group: str | None = Field(description="The group's slug; null for a site-wide series.")
    title: str
    time_zone: str
    repeat: Repeat
    interval: int = Field(ge=1, description="Every this many weeks or months.")
    week_of_month: int | None = Field(
        description="Monthly: which weekday of the month, 1 to 4, or -1 for the last."
    )
    rule: str = Field(description='In words, like "every week on Tuesday".')
    until: date | None = Field(description="The last day asked for, if one was.")
    sessions: list[Event] = Field(description="Every session in order, cancelled ones too.")


async def _series(call: Call, series_id: int) -> Series:
    page = await service.series_page(actor=call.actor, series_id=series_id)
    shown = await service.places_shown(actor=call.actor, events=page.sessions)
    lengths = await service.waitlist_lengths([event.id for event in page.sessions])
    series = page.series
    return Series(
        id=series.id,
        group=series.group.slug if series.group else None,
        title=series.title,
        time_zone=series.time_zone,
        repeat=Repeat(series.repeat),
        interval=series.interval,
        week_of_month=series.week_of_month,
        rule=page.rule.describe(),
        until=series.until,
        sessions=[
            Event.of(event, shows_place=event.id in shown, waitlist_length=lengths[event.id])
            for event in page.sessions
        ],
    )


@api.operation(
    "POST",
    "/groups/{slug}/series",
    summary="Schedule a series of sessions for a group (its facilitators)",
    description="The body is the first session, with `repeat`, `interval` and either "
    "`sessions` or `until`. Local times stay the same across daylight-saving changes.",
    tag="events",
    body=SeriesForm,
    response=Series,
    status=201,
    authorise=facilitators_only,
)
async def create_group_series(call: Call) -> Series:
    slug = _slug(call)
    series = await service.create_series(
        actor=call.member(), slug=slug, form=call.parsed(SeriesForm)
    )
    return await _series(call, series.id)


@api.operation(
    "POST",
    "/series",
    summary="Schedule a site-wide series of sessions (admins)",
    tag="events",
    body=SeriesForm,
    response=Series,
    status=201,
    authorise=admins_only,
)
async def create_site_series(call: Call) -> Series:
    series = await service.create_series(
        actor=call.member(), slug=None, form=call.parsed(SeriesForm)
    )
    return await _series(call, series.id)


@api.operation(
    "GET",
    "/series/{series_id}",
    summary="A series with all its sessions",
    tag="events",
    auth="optional",
    response=Series,
)
async def get_series(call: Call) -> Series:
    return await _series(call, call.path["series_id"])
