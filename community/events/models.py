"""Events and RSVPs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class EventKind(StrEnum):
    TALK = "talk"
    WORKSHOP = "workshop"
    COURSE = "course"
    CET = "cet"
    NETWORKING = "networking"
    OTHER = "other"


EVENT_KIND_LABELS = {
    EventKind.TALK: "Talk",
    EventKind.WORKSHOP: "Workshop",
    EventKind.COURSE: "Course",
    EventKind.CET: "CET programme",
    EventKind.NETWORKING: "Networking",
    EventKind.OTHER: "Other",
}


class EventState(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Repeat(StrEnum):
    """How a series repeats: every N weeks on the first session's weekday, or every N months
    on the same weekday of the month (the first Tuesday, the last Friday)."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"


class EventSeries(Model):
    """Sessions made from one rule, kept in the series time zone: each session is a whole
    event of its own (RSVP, waitlist, reminders, attendance), which may be moved or cancelled
    on its own. The rule is what a calendar file says (RRULE)."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Group", related_name="event_series", null=True, on_delete=fields.CASCADE
    )
    group_id: int | None
    title = fields.CharField(max_length=200)
    time_zone = fields.CharField(max_length=64)
    repeat = fields.CharEnumField(Repeat, max_length=16)
    #: every this many weeks or months
    interval = fields.IntField()
    #: for a monthly series, which weekday of the month: 1 to 4, or -1 for the last
    week_of_month = fields.IntField(null=True)
    #: the first session start by the rule (UTC), its local time in time_zone is the rule time
    first_starts_at = fields.DatetimeField()
    duration_minutes = fields.IntField()
    #: how many sessions the rule makes
    sessions = fields.IntField()
    #: the last day asked for, when the rule was given one (local, inclusive)
    until = fields.DateField(null=True)
    created_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="created_series", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "events_series"


class RsvpStatus(StrEnum):
    GOING = "going"
    WAITLIST = "waitlist"
    NOT_GOING = "not_going"


class Event(Model):
    """A learning event of a group, or of the whole site when it has no group."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Group", related_name="events", null=True, on_delete=fields.CASCADE
    )
    group_id: int | None
    title = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    #: `description` rendered by text.render_markdown on write
    description_html = fields.TextField(default="")
    kind = fields.CharEnumField(EventKind, max_length=16, default=EventKind.TALK)
    #: UTC
    starts_at = fields.DatetimeField(db_index=True)
    #: UTC
    ends_at = fields.DatetimeField()
    #: IANA zone the event happens in, for display
    time_zone = fields.CharField(max_length=64)
    venue = fields.TextField(default="")
    #: shown only to members who are going
    online_url = fields.CharField(max_length=500, default="")
    #: None: no limit
    capacity = fields.IntField(null=True)
    #: seats taken by members going, kept with the RSVPs (a guarded counter)
    seats_taken = fields.IntField(default=0)
    rsvp_deadline = fields.DatetimeField(null=True)
    #: CPD or CET hours a participant earns
    cpd_hours = fields.DecimalField(max_digits=5, decimal_places=2, default=0)
    state = fields.CharEnumField(EventState, max_length=16, default=EventState.SCHEDULED)
    created_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="created_events", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()
    #: the series this event is a session of, if any
    series: fields.ForeignKeyNullableRelation[EventSeries] = fields.ForeignKeyField(
        "community.EventSeries", related_name="events", null=True, on_delete=fields.CASCADE
    )
    series_id: int | None
    #: its place in the series, from 0
    series_index = fields.IntField(null=True)
    #: when the rule puts it (UTC): a session whose start differs was moved
    series_start = fields.DatetimeField(null=True)
    #: a session of a programme: its seats are taken by enrolling in the programme, not by an
    #: RSVP of its own, and its hours are counted with the programme once completed
    enrolment_only = fields.BooleanField(default=False)

    class Meta:
        table = "events_event"
        #: a group's events, in the order they start
        indexes = (("group_id", "starts_at"), ("series_id", "series_index"))

    @property
    def is_cancelled(self) -> bool:
        return self.state == EventState.CANCELLED

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.seats_taken, 0)


class Rsvp(Model):
    """A member's answer to an event: going, on the waitlist, or not going."""

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "community.Event", related_name="rsvps", on_delete=fields.CASCADE
    )
    event_id: int
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="rsvps", on_delete=fields.CASCADE
    )
    member_id: int
    status = fields.CharEnumField(RsvpStatus, max_length=16)
    #: when this answer was given (orders the waitlist)
    answered_at = fields.DatetimeField()
    promoted_at = fields.DatetimeField(null=True)
    #: marked by a facilitator at or after the event, None until then
    attended = fields.BooleanField(null=True)
    attendance_marked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "events_rsvp"
        unique_together = (("event", "member"),)
        indexes = (
            ("event_id", "status", "answered_at"),
            #: a member's own events: their home page, "my events", the learning record
            ("member_id", "status"),
        )


class LearningCredit(Model):
    """Hours in the learning record of a member that come from something other than one event: a
    completed programme. One per source and member, so a credit is never given twice."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="learning_credits", on_delete=fields.CASCADE
    )
    member_id: int
    #: the group it came from (its privacy is the privacy of the credit), None: site-wide
    group: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Group", related_name="learning_credits", null=True, on_delete=fields.CASCADE
    )
    group_id: int | None
    #: what earned it, for example "programme:12"
    source = fields.CharField(max_length=64)
    title = fields.CharField(max_length=200)
    #: the page it links to in the record
    path = fields.CharField(max_length=200)
    hours = fields.DecimalField(max_digits=5, decimal_places=2)
    #: the day it was earned, in the zone the source happened in
    earned_on = fields.DateField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "events_learning_credit"
        unique_together = (("source", "member"),)
        indexes = (("member_id", "earned_on"),)


class ReminderDelivery(Model):
    """One reminder sent to one member for one event start, at one offset before it.

    Unique, so two workers or a re-run never send the same reminder twice; keyed by the start
    it was for, so moving the event re-arms reminders for the new time.
    """

    id = fields.IntField(primary_key=True)
    event: fields.ForeignKeyRelation[Event] = fields.ForeignKeyField(
        "community.Event", related_name="reminders", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="reminders", on_delete=fields.CASCADE
    )
    #: minutes before the start (1440 for "24h")
    offset_minutes = fields.IntField()
    #: the event's start this reminder was for (UTC)
    starts_at = fields.DatetimeField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "events_reminder_delivery"
        unique_together = (("event", "member", "offset_minutes", "starts_at"),)
