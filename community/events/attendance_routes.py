"""Attendee pages for facilitators (list, attendance, CSV, message) and the learning record."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community.accounts.models import Member
from community.errors import Invalid
from community.events import attendance, cpd
from community.events.access import EventView
from community.events.attendance import AttendeeList
from community.text import whole_number
from community.web.templates import read_form, redirect, render


def _attendees_page(
    request: Request,
    listing: AttendeeList,
    *,
    checked: set[int] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    if checked is None:
        checked = {attendee.member_id for attendee in listing.going if attendee.attended}
    return render(
        request,
        "events/attendees.html",
        {
            "listing": listing,
            "event": listing.event,
            "checked": checked,
            "errors": errors or {},
            "not_started": attendance.NOT_STARTED,
        },
        status_code=status_code,
    )


async def event_attendees(request: Request) -> Response:
    listing = await attendance.attendee_list(
        actor=request.state.member, event_id=request.path_params["event_id"]
    )
    return _attendees_page(request, listing)


async def event_attendance(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    ticked = [
        value for value in (await request.form()).getlist("attended") if isinstance(value, str)
    ]
    try:
        attended_ids = attendance.parse_attended_ids(ticked)
        count = await attendance.record_attendance(
            actor=request.state.member, event_id=event_id, attended_ids=attended_ids
        )
    except Invalid as exc:
        listing = await attendance.attendee_list(actor=request.state.member, event_id=event_id)
        checked = {n for value in ticked if (n := whole_number(value, low=1)) is not None}
        return _attendees_page(
            request, listing, checked=checked, errors=exc.fields, status_code=422
        )
    return redirect(
        request, "events:attendees", f"Attendance saved: {count} attended.", event_id=event_id
    )


async def event_attendees_csv(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    body = await attendance.attendees_csv(actor=request.state.member, event_id=event_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="event-{event_id}-attendees.csv"',
            "Cache-Control": "private, no-store",
        },
    )


def _message_page(
    request: Request,
    view: EventView,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "events/message.html",
        {
            "event": view.event,
            "values": values,
            "errors": errors or {},
            "subject_max": attendance.SUBJECT_MAX,
            "message_max": attendance.MESSAGE_MAX,
        },
        status_code=status_code,
    )


async def event_message_form(request: Request) -> Response:
    view = await attendance.access_attendees(request.state.member, request.path_params["event_id"])
    return _message_page(request, view, {"nonce": attendance.new_message_nonce()})


async def event_message(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    raw = await read_form(request)
    try:
        count = await attendance.email_attendees(
            actor=request.state.member,
            event_id=event_id,
            subject=raw.get("subject", ""),
            body=raw.get("body", ""),
            nonce=raw.get("nonce", ""),
        )
    except Invalid as exc:
        view = await attendance.access_attendees(request.state.member, event_id)
        values = {key: raw.get(key, "") for key in ("subject", "body", "nonce")}
        if "nonce" in exc.fields:
            values["nonce"] = attendance.new_message_nonce()
        return _message_page(request, view, values, exc.fields, status_code=422)
    members = "member" if count == 1 else "members"
    return redirect(
        request,
        "events:detail",
        f"Your message is on its way to {count} {members}.",
        event_id=event_id,
    )


async def member_learning(request: Request) -> Response:
    record = await cpd.learning_record(
        actor=request.state.member,
        member_id=request.path_params["member_id"],
        year=request.path_params["year"],
    )
    return render(request, "events/cpd_record.html", {"record": record})


async def profile_learning_section(actor: Member, member: Member) -> dict[str, Any]:
    """The profile's "Learning record" panel (the profile handler fetched both members)."""
    return {"summary": await cpd.summarise_learning(actor=actor, member=member)}


routes = [
    Route("/events/{event_id:int}/attendees", event_attendees, name="events:attendees"),
    Route(
        "/events/{event_id:int}/attendance",
        event_attendance,
        methods=["POST"],
        name="events:attendance",
    ),
    Route("/events/{event_id:int}/attendees.csv", event_attendees_csv, name="events:attendees_csv"),
    Route("/events/{event_id:int}/message", event_message_form, name="events:message"),
    Route(
        "/events/{event_id:int}/message",
        event_message,
        methods=["POST"],
        name="events:message_send",
    ),
    Route("/members/{member_id:int}/learning/{year:int}", member_learning, name="events:learning"),
]
