"""Event pages: lists, the event page, scheduling, RSVP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community import clock
from community.accounts.access import ensure_admin, ensure_signed_in
from community.clock import COMMON_ZONES
from community.errors import Invalid, NotFound, PermissionDenied
from community.events import feeds, service
from community.events.access import access_event
from community.events.calendar import Month, month_grid
from community.events.ical import calendar_for, series_calendar
from community.events.models import EVENT_KIND_LABELS, EventSeries, RsvpStatus
from community.events.reminders import rsvp_for_cancel_link
from community.events.schemas import EventChanges, EventForm, ScopeChoice, SeriesForm
from community.groups.access import Viewer, access_facilitation
from community.text import whole_number
from community.urls import path as url_path
from community.web.templates import read_form, redirect, render, request_zone

RSVP_MESSAGES = {
    RsvpStatus.GOING: "You are going. See you there!",
    RsvpStatus.WAITLIST: (
        "The event is full: you are on the waitlist. We will email you if a seat opens."
    ),
    RsvpStatus.NOT_GOING: "You are not going.",
}


async def event_list(request: Request) -> Response:
    params = request.query_params
    past = params.get("when") == "past"
    mine = params.get("mine") == "1"
    page = await service.list_events(
        actor=request.state.member,
        past=past,
        group_slug=params.get("group", ""),
        kind=params.get("kind", ""),
        mine=mine,
        cursor=params.get("cursor"),
    )
    return render(
        request,
        "events/list.html",
        {
            "page": page,
            "past": past,
            "mine": mine,
            "kind": params.get("kind", ""),
            "group_slug": params.get("group", ""),
            "kinds": EVENT_KIND_LABELS,
            "groups": await service.group_choices(actor=request.state.member),
        },
    )


async def event_calendar(request: Request) -> Response:
    """A month of events, Monday to Sunday, in the reader's time zone."""
    params = request.query_params
    zone = request_zone(request)
    month = Month.parse(params.get("month", ""), today=clock.now().astimezone(zone).date())
    start, end = month.bounds(zone)
    group_slug, kind = params.get("group", ""), params.get("kind", "")
    actor = request.state.member
    events = await service.events_between(
        actor=actor, start=start, end=end, group_slug=group_slug, kind=kind
    )
    return render(
        request,
        "events/calendar.html",
        {
            "month": month,
            "weeks": month_grid(month, events, zone),
            "today": clock.now().astimezone(zone).date(),
            "zone": zone.key,
            "kind": kind,
            "group_slug": group_slug,
            "filter_query": urlencode(
                {k: v for k, v in (("group", group_slug), ("kind", kind)) if v}
            ),
            "kinds": EVENT_KIND_LABELS,
            "groups": await service.group_choices(actor=actor),
        },
    )


def _form_context(values: dict[str, Any], errors: dict[str, str], action: str) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "kinds": EVENT_KIND_LABELS,
        "zones": COMMON_ZONES,
        "action": action,
        "in_series": False,
        "repeats": {"weekly": "Weekly", "monthly": "Monthly, on the same weekday of the month"},
    }


async def event_new(request: Request) -> Response:
    slug = request.path_params.get("slug")
    if slug:
        await access_facilitation(request.state.member, slug)
    else:
        ensure_admin(request.state.member)
    zone = request.app.state.settings.time_zone
    action = url_path("events:create_in_group", slug=slug) if slug else url_path("events:create")
    return render(
        request,
        "events/form.html",
        _form_context({"time_zone": zone, "kind": "talk"}, {}, action),
    )


async def event_create(request: Request) -> Response:
    slug = request.path_params.get("slug")
    raw = await read_form(request)
    action = url_path("events:create_in_group", slug=slug) if slug else url_path("events:create")
    try:
        if raw.get("repeat"):  # a series: every session at once
            series = await service.create_series(
                actor=request.state.member, slug=slug, form=SeriesForm.from_form(raw)
            )
        else:
            form = EventForm.from_form(raw)
            event = await service.create_event(actor=request.state.member, slug=slug, form=form)
    except Invalid as exc:
        return render(
            request, "events/form.html", _form_context(raw, exc.fields, action), status_code=422
        )
    if raw.get("repeat"):
        return redirect(
            request,
            "events:series",
            f"The series of {series.sessions} sessions is scheduled.",
            series_id=series.id,
        )
    return redirect(request, "events:detail", "The event is scheduled.", event_id=event.id)


async def series_detail(request: Request) -> Response:
    page = await service.series_page(
        actor=request.state.member, series_id=request.path_params["series_id"]
    )
    zone = ZoneInfo(page.series.time_zone)
    return render(
        request,
        "events/series.html",
        {
            "page": page,
            "series": page.series,
            "sessions": [
                (s, s.starts_at.astimezone(zone), s.ends_at.astimezone(zone)) for s in page.sessions
            ],
            "now": clock.now(),
        },
    )


async def series_ics(request: Request) -> Response:
    page = await service.series_page(
        actor=request.state.member, series_id=request.path_params["series_id"]
    )
    return Response(
        series_calendar(page.series, page.sessions, page.rule),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="series-{page.series.id}.ics"'},
    )


async def event_detail(request: Request) -> Response:
    result = await service.event_page(
        actor=request.state.member, event_id=request.path_params["event_id"]
    )
    event = result.view.event
    zone = ZoneInfo(event.time_zone)
    reader = request_zone(request)
    series = await EventSeries.get(id=event.series_id) if event.series_id else None
    return render(
        request,
        "events/detail.html",
        {
            "series": series,
            "series_rule": service.rule_of(series) if series else None,
            "result": result,
            "event": event,
            "kinds": EVENT_KIND_LABELS,
            "local_start": event.starts_at.astimezone(zone),
            "local_end": event.ends_at.astimezone(zone),
            "reader_start": event.starts_at.astimezone(reader) if reader.key != zone.key else None,
            "reader_end": event.ends_at.astimezone(reader),
        },
    )


def _local_input(value: datetime | None, zone: str) -> str:
    return value.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") if value else ""


async def event_edit(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    view = await access_event(request.state.member, event_id)
    if not view.can_manage:
        raise PermissionDenied("Only the group's facilitators can change this event.")
    event = view.event
    values = {
        "title": event.title,
        "kind": str(event.kind),
        "description": event.description,
        "starts_at": _local_input(event.starts_at, event.time_zone),
        "ends_at": _local_input(event.ends_at, event.time_zone),
        "time_zone": event.time_zone,
        "venue": event.venue,
        "online_url": event.online_url,
        "capacity": "" if event.capacity is None else str(event.capacity),
        "rsvp_deadline": _local_input(event.rsvp_deadline, event.time_zone),
        "cpd_hours": str(event.cpd_hours),
    }
    context = _form_context(values, {}, url_path("events:update", event_id=event_id))
    return render(
        request, "events/form.html", {**context, "in_series": event.series_id is not None}
    )


async def event_update(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    raw = await read_form(request)
    try:
        await service.update_sessions(
            actor=request.state.member,
            event_id=event_id,
            changes=EventChanges.from_form(raw),
            scope=ScopeChoice.from_form(raw).scope,
        )
    except Invalid as exc:
        event = (await access_event(request.state.member, event_id)).event
        context = _form_context(raw, exc.fields, url_path("events:update", event_id=event_id))
        return render(
            request,
            "events/form.html",
            {**context, "in_series": event.series_id is not None},
            status_code=422,
        )
    return redirect(request, "events:detail", "The event is updated.", event_id=event_id)


async def event_cancel(request: Request) -> Response:
    event = await service.cancel_event(
        actor=request.state.member, event_id=request.path_params["event_id"]
    )
    return redirect(
        request,
        "events:detail",
        "The event is cancelled and its attendees emailed.",
        event_id=event.id,
    )


async def event_rsvp(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    answer = (await read_form(request)).get("answer", "going")
    if answer == "not_going":
        await service.cancel_rsvp(actor=request.state.member, event_id=event_id)
        return redirect(
            request, "events:detail", RSVP_MESSAGES[RsvpStatus.NOT_GOING], event_id=event_id
        )
    rsvp = await service.rsvp(actor=request.state.member, event_id=event_id)
    return redirect(
        request, "events:detail", RSVP_MESSAGES[RsvpStatus(rsvp.status)], event_id=event_id
    )


async def cant_make_it_form(request: Request) -> Response:
    event_id = request.path_params["event_id"]
    member = request.query_params.get("member", "")
    signature = request.query_params.get("signature", "")
    member_id = whole_number(member, low=1)
    if member_id is None:
        raise NotFound("This link is not valid.")
    await rsvp_for_cancel_link(event_id, member_id, signature)
    return render(
        request,
        "events/cant_make_it.html",
        {"event_id": event_id, "member_id": member, "signature": signature},
    )


async def cant_make_it(request: Request) -> Response:
    raw = await read_form(request)
    member_id = whole_number(raw.get("member", ""), low=1)
    if member_id is None:
        raise NotFound("This link is not valid.")
    event = await service.cancel_rsvp_by_link(
        event_id=request.path_params["event_id"],
        member_id=member_id,
        signature=raw.get("signature", ""),
    )
    return render(request, "events/cant_make_it_done.html", {"event": event})


async def event_ics(request: Request) -> Response:
    result = await service.event_page(
        actor=request.state.member, event_id=request.path_params["event_id"]
    )
    event = result.view.event
    going = result.my_rsvp is not None and result.my_rsvp.status == RsvpStatus.GOING
    body = calendar_for([event], name=event.title, going=going)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )


async def calendar_feed(request: Request) -> Response:
    """The member's events as a calendar subscription; the secret address is the key."""
    member = await feeds.member_for_feed(request.path_params["token"])
    body = calendar_for(
        await feeds.feed_events(member),
        name=f"{request.app.state.settings.site_name}: my events",
        going=True,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=900", "X-Robots-Tag": "noindex"},
    )


async def calendar_feed_settings(request: Request) -> Response:
    member = ensure_signed_in(request.state.member)
    url = feeds.feed_url(member)
    return render(
        request,
        "events/calendar_feed.html",
        {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[-1]},
    )


async def calendar_feed_reset(request: Request) -> Response:
    await feeds.reset_feed(ensure_signed_in(request.state.member))
    return redirect(
        request,
        "events:feed_settings",
        "Your calendar has a new address. The old one no longer works: "
        "subscribe again with the new one.",
    )


async def group_events_section(viewer: Viewer) -> dict[str, Any]:
    """The group home's "Upcoming events" panel."""
    return {"events": await service.upcoming_for_group(viewer=viewer)}


routes = [
    Route("/events", event_list, name="events:list"),
    Route("/events", event_create, methods=["POST"], name="events:create"),
    Route("/events/new", event_new, name="events:new"),
    Route("/events/calendar", event_calendar, name="events:calendar"),
    Route("/calendar/{token:str}.ics", calendar_feed, name="events:feed"),
    Route("/settings/calendar", calendar_feed_settings, name="events:feed_settings"),
    Route(
        "/settings/calendar/reset",
        calendar_feed_reset,
        methods=["POST"],
        name="events:calendar_feed_reset",
    ),
    Route("/events/{event_id:int}", event_detail, name="events:detail"),
    Route("/series/{series_id:int}", series_detail, name="events:series"),
    Route("/series/{series_id:int}.ics", series_ics, name="events:series_ics"),
    Route("/events/{event_id:int}.ics", event_ics, name="events:ics"),
    Route("/events/{event_id:int}/rsvp", event_rsvp, methods=["POST"], name="events:rsvp"),
    Route("/events/{event_id:int}/edit", event_edit, name="events:edit"),
    Route("/events/{event_id:int}/edit", event_update, methods=["POST"], name="events:update"),
    Route("/events/{event_id:int}/cancel", event_cancel, methods=["POST"], name="events:cancel"),
    Route("/events/{event_id:int}/cant-make-it", cant_make_it_form, name="events:cant_make_it"),
    Route(
        "/events/{event_id:int}/cant-make-it",
        cant_make_it,
        methods=["POST"],
        name="events:cant_make_it_submit",
    ),
    Route("/groups/{slug:str}/events/new", event_new, name="events:group_new"),
    Route(
        "/groups/{slug:str}/events", event_create, methods=["POST"], name="events:create_in_group"
    ),
]
