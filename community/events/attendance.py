"""The facilitators' attendee tools: who answered, who came, a message to everyone going, and
the attendee list as CSV."""

from __future__ import annotations

import csv
import io
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tortoise.expressions import Q

from community import clock
from community.accounts.models import Member
from community.db import transaction
from community.errors import Conflict, Invalid, PermissionDenied
from community.events.access import EventView, access_event
from community.events.emails import local_time
from community.events.kinds import EVENT_CHANGED
from community.events.models import Event, Rsvp, RsvpStatus
from community.mail.outbox import Email, enqueue
from community.notifications.delivery import footer_context, unsubscribe_headers
from community.text import whole_number
from community.urls import absolute_url

SUBJECT_MAX = 150
MESSAGE_MAX = 5000
NOT_STARTED = "Attendance can be marked from the start of the event."
STATUS_LABELS = {
    RsvpStatus.GOING: "Going",
    RsvpStatus.WAITLIST: "Waitlist",
    RsvpStatus.NOT_GOING: "Not going",
}
CSV_HEADER = (
    "Name",
    "Profession",
    "Organisation",
    "Status",
    "Waitlist position",
    "Answered at",
    "Attended",
)
# a nonce comes from new_message_nonce(): anything else is a tampered or broken form
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# spreadsheet programs run a cell that starts with one of these as a formula
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


#: what runs when members are marked as attended, in the same transaction: a later feature's
#: rule (a programme's completion) given the event and the members now marked
AttendanceHook = Callable[[Event, set[int]], Awaitable[None]]
_hooks: list[AttendanceHook] = []


def on_attended(hook: AttendanceHook) -> AttendanceHook:
    """Run `hook` whenever members are marked as attended (once per hook, however often it
    is registered)."""
    if hook not in _hooks:
        _hooks.append(hook)
    return hook


async def _attended_now(event: Event, member_ids: set[int]) -> None:
    if member_ids:
        for hook in _hooks:
            await hook(event, member_ids)


@dataclass(frozen=True)
class Attendee:
    """One member's answer to an event, as its facilitators see it."""

    member_id: int
    name: str
    profession: str
    organisation: str
    status: RsvpStatus
    #: UTC
    answered_at: datetime
    #: None until a facilitator marks it
    attended: bool | None
    #: 1-based place on the waitlist, None for everyone else
    waitlist_position: int | None = None


@dataclass(frozen=True)
class AttendeeList:
    """Everyone who answered an event: going (in RSVP order), waitlist and not going."""

    view: EventView
    going: list[Attendee]
    waitlist: list[Attendee]
    not_going: list[Attendee]
    #: attendance may be marked now: the event has started and is not cancelled
    attendance_open: bool

    @property
    def event(self) -> Event:
        return self.view.event

    @property
    def attended_count(self) -> int:
        return sum(1 for attendee in self.going if attendee.attended)

    @property
    def everyone(self) -> list[Attendee]:
        return [*self.going, *self.waitlist, *self.not_going]


async def access_attendees(actor: Member | None, event_id: int) -> EventView:
    """The event, if the actor manages it (its group's facilitators, admins); PermissionDenied
    otherwise, and NotFound for events of private groups the actor cannot see."""
    view = await access_event(actor, event_id)
    if actor is None:
        raise PermissionDenied("Please sign in to continue.")
    if not view.can_manage:
        raise PermissionDenied("Only the group's facilitators can see and manage the attendees.")
    return view


def _ensure_attendance_open(event: Event) -> None:
    if event.is_cancelled:
        raise Conflict("This event is cancelled: there is no attendance to mark.")
    if clock.now() < event.starts_at:
        raise Conflict(NOT_STARTED)


def _attendee(rsvp: Rsvp, position: int | None = None) -> Attendee:
    member: Member = rsvp.member
    return Attendee(
        member_id=member.id,
        name=member.display_name,
        profession=member.profession_label,
        organisation=member.organisation,
        status=RsvpStatus(rsvp.status),
        answered_at=rsvp.answered_at,
        attended=rsvp.attended,
        waitlist_position=position,
    )


async def attendee_list(*, actor: Member | None, event_id: int) -> AttendeeList:
    """The event's answers for its facilitators, in a fixed number of queries."""
    view = await access_attendees(actor, event_id)
    rsvps = (
        await Rsvp.filter(event_id=view.event.id)
        .select_related("member")
        .order_by("answered_at", "id")
    )
    going = [_attendee(rsvp) for rsvp in rsvps if rsvp.status == RsvpStatus.GOING]
    # the waitlist is first come, first served: the same order promote_waitlist uses
    waiting = [rsvp for rsvp in rsvps if rsvp.status == RsvpStatus.WAITLIST]
    waitlist = [_attendee(rsvp, position) for position, rsvp in enumerate(waiting, start=1)]
    not_going = [_attendee(rsvp) for rsvp in rsvps if rsvp.status == RsvpStatus.NOT_GOING]
    try:
        _ensure_attendance_open(view.event)
        attendance_open = True
    except Conflict:
        attendance_open = False
    return AttendeeList(view, going, waitlist, not_going, attendance_open)


async def _set_attended(event_id: int, member_ids: Iterable[int], attended: bool) -> int:
    """Mark members who are going; rows already so marked keep their time (a repeat changes
    nothing). Call inside a transaction."""
    ids = sorted(member_ids)
    if not ids:
        return 0
    return int(
        await Rsvp.filter(event_id=event_id, member_id__in=ids, status=RsvpStatus.GOING)
        .filter(Q(attended__isnull=True) | Q(attended=not attended))
        .update(attended=attended, attendance_marked_at=clock.now())
    )


async def mark_attendance(
    *, actor: Member | None, event_id: int, member_id: int, attended: bool
) -> Rsvp:
    """Mark whether one member who was going came. From the start of the event on, not for a
    cancelled one (Conflict); Invalid for a member who was not going. Harmless to repeat."""
    view = await access_attendees(actor, event_id)
    _ensure_attendance_open(view.event)
    rsvp = await Rsvp.filter(
        event_id=view.event.id, member_id=member_id, status=RsvpStatus.GOING
    ).first()
    if rsvp is None:
        raise Invalid(
            member_id="This member was not going to the event: only members who were going "
            "can be marked."
        )
    async with transaction():
        await _set_attended(view.event.id, [member_id], attended)
        if attended:
            await _attended_now(view.event, {member_id})
    return await Rsvp.get(id=rsvp.id)


def parse_attended_ids(values: Iterable[str]) -> set[int]:
    """The member ids ticked on the attendance form; Invalid for anything but ids."""
    ids = [whole_number(value, low=1) for value in values]
    if None in ids:
        raise Invalid(attended="Tick the members who attended from the list.")
    return {member_id for member_id in ids if member_id is not None}


async def record_attendance(*, actor: Member | None, event_id: int, attended_ids: set[int]) -> int:
    """Save the attendance form: every member going is marked, as attended if their id is in
    `attended_ids` and as absent if not. The same rules as mark_attendance. Returns how many
    are now marked as attended."""
    view = await access_attendees(actor, event_id)
    event = view.event
    _ensure_attendance_open(event)
    going = {
        rsvp.member_id
        for rsvp in await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING).only(
            "id", "member_id"
        )
    }
    if not attended_ids <= going:
        raise Invalid(
            attended="Only members who were going can be marked as attended. "
            "Reload the page to see who is going, and try again."
        )
    async with transaction():
        await _set_attended(event.id, attended_ids, True)
        await _set_attended(event.id, going - attended_ids, False)
        await _attended_now(event, attended_ids)
    return int(await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING, attended=True).count())


def new_message_nonce() -> str:
    """A fresh nonce for the message form: sending the form twice with it sends once."""
    return secrets.token_urlsafe(16)


def _check_message(subject: str, body: str, nonce: str) -> tuple[str, str]:
    subject = " ".join(subject.split())
    body = body.replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if not subject:
        errors["subject"] = "Write a subject for your message."
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = f"Keep the subject to {SUBJECT_MAX} characters."
    if not body:
        errors["body"] = "Write your message."
    elif len(body) > MESSAGE_MAX:
        errors["body"] = f"Keep the message to {MESSAGE_MAX:,} characters."
    if not _NONCE.fullmatch(nonce):
        errors["nonce"] = "This form was out of date. Please check your message and send it again."
    if errors:
        raise Invalid(**errors)
    return subject, body


def _message_email(
    event: Event, member: Member, *, sender: Member, subject: str, body: str, nonce: str
) -> Email:
    """A facilitator's message to one member going; the body is plain text."""
    paragraphs = [part.split("\n") for part in re.split(r"\n\s*\n", body)]
    return Email(
        to=member.email or "",
        template="events/message",
        context={
            "name": member.display_name,
            "sender": sender.display_name,
            "event": event.title,
            "when": local_time(event, member),
            "url": absolute_url("events:detail", event_id=event.id),
            "subject": subject,
            "body": body,
            "paragraphs": paragraphs,
            **footer_context(member.id, EVENT_CHANGED),
        },
        headers=unsubscribe_headers(member.id, EVENT_CHANGED),
        idempotency_key=f"events:message:{event.id}:{nonce}:{member.id}",
    )


async def email_attendees(
    *, actor: Member | None, event_id: int, subject: str, body: str, nonce: str
) -> int:
    """Email a facilitator's message to every member going, through the outbox. The nonce of
    the form makes a double submit send once. Returns how many members it goes to."""
    view = await access_attendees(actor, event_id)
    assert actor is not None  # noqa: S101  # access_attendees refuses visitors
    subject, body = _check_message(subject, body, nonce)
    event = view.event
    rsvps = (
        await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING)
        .select_related("member")
        .order_by("answered_at", "id")
    )
    recipients = [rsvp.member for rsvp in rsvps if rsvp.member.email]
    if not recipients:
        raise Conflict("No one is going to this event yet, so there is no one to email.")
    async with transaction():
        for member in recipients:
            await enqueue(
                _message_email(event, member, sender=actor, subject=subject, body=body, nonce=nonce)
            )
    return len(recipients)


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula is quoted."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


async def attendees_csv(*, actor: Member | None, event_id: int) -> str:
    """The attendee list as CSV for spreadsheets: UTF-8 with a byte order mark, CRLF lines,
    times in the event's zone, formulas defused. No email addresses."""
    listing = await attendee_list(actor=actor, event_id=event_id)
    zone = ZoneInfo(listing.event.time_zone)
    attended_labels = {True: "Yes", False: "No", None: ""}
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_HEADER)
    for attendee in listing.everyone:
        row = (
            attendee.name,
            attendee.profession,
            attendee.organisation,
            STATUS_LABELS[attendee.status],
            "" if attendee.waitlist_position is None else str(attendee.waitlist_position),
            attendee.answered_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            attended_labels[attendee.attended],
        )
        writer.writerow([csv_cell(cell) for cell in row])
    return "\ufeff" + output.getvalue()
