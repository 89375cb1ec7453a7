"""Notification pages: the inbox, marking read, email preferences, one-click unsubscribe."""

from __future__ import annotations

from itertools import groupby

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from community.accounts.access import ensure_signed_in
from community.errors import Invalid
from community.notifications import delivery, service
from community.notifications.kinds import Kind, all_kinds
from community.notifications.models import Delivery
from community.notifications.schemas import NotificationChoices
from community.web.templates import read_form, redirect, render, request_zone

DELIVERY_LABELS = {
    Delivery.IMMEDIATELY: "Email me",
    Delivery.DIGEST: "In my daily summary",
    Delivery.NEVER: "No email",
}


async def inbox(request: Request) -> Response:
    member = ensure_signed_in(request.state.member)
    page = await service.inbox(member=member, cursor=request.query_params.get("cursor"))
    # the kept counter, read with the session (every change to it is transactional: no
    # recount, and no lock on the member's row, each time the inbox opens)
    unread = member.unread_notifications
    zone = request_zone(request)
    days = [
        (day, list(items))
        for day, items in groupby(page.items, key=lambda n: n.created_at.astimezone(zone).date())
    ]
    return render(
        request,
        "notifications/inbox.html",
        {"days": days, "page": page, "unread": unread, "zone": zone},
    )


async def open_notification(request: Request) -> Response:
    """Follow a notification: it is read now, and the link goes straight to the thing."""
    member = ensure_signed_in(request.state.member)
    notification = await service.mark_read(
        member=member, notification_id=request.path_params["notification_id"]
    )
    return RedirectResponse(notification.url if notification.url.startswith("/") else "/", 303)


async def mark_one_read(request: Request) -> Response:
    member = ensure_signed_in(request.state.member)
    await service.mark_read(member=member, notification_id=request.path_params["notification_id"])
    return redirect(request, "notifications:inbox", "Marked as read.")


async def mark_all_read(request: Request) -> Response:
    member = ensure_signed_in(request.state.member)
    count = await service.mark_read_many(member=member)
    return redirect(
        request,
        "notifications:inbox",
        f"{count} notification{'' if count == 1 else 's'} marked read.",
    )


def _choices_context(current: dict[str, str]) -> dict[str, object]:
    return {
        "labels": {kind.key: kind.label for kind in all_kinds()},
        "deliveries": DELIVERY_LABELS,
        "no_digest": {kind.key for kind in all_kinds() if not kind.digest},
        "current": current,
    }


def _current(choices: dict[Kind, Delivery]) -> dict[str, str]:
    return {kind.key: str(delivery) for kind, delivery in choices.items()}


async def preferences_form(request: Request) -> Response:
    member = ensure_signed_in(request.state.member)
    current = _current(await service.preferences(member))
    return render(request, "notifications/preferences.html", _choices_context(current))


async def preferences_save(request: Request) -> Response:
    member = ensure_signed_in(request.state.member)
    raw = await read_form(request)
    try:
        choices = NotificationChoices.from_form(raw)
    except Invalid as exc:
        current = _current(await service.preferences(member))
        values = {**current, **{kind.key: raw.get(kind.key, "") for kind in all_kinds()}}
        return render(
            request,
            "notifications/preferences.html",
            {**_choices_context(values), "errors": exc.fields},
            status_code=422,
        )
    await service.set_preferences(member=member, choices=choices)
    return redirect(request, "notifications:preferences", "Your email choices are saved.")


def _unsubscribe_args(request: Request) -> tuple[int, str, str]:
    params = request.path_params
    return params["member_id"], params["scope"], params["signature"]


async def unsubscribe_form(request: Request) -> Response:
    """The link in an email: a page with one button (a link scanner's GET changes nothing)."""
    member_id, scope, signature = _unsubscribe_args(request)
    kinds = delivery.check_unsubscribe(member_id, scope, signature)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kinds": [k.label for k in kinds], "everything": scope == delivery.ALL, "done": False},
    )


async def unsubscribe(request: Request) -> Response:
    """One click, no sign-in: the form above, or the mail app's RFC 8058 POST."""
    member_id, scope, signature = _unsubscribe_args(request)
    kinds = await delivery.unsubscribe(member_id=member_id, scope=scope, signature=signature)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kinds": [k.label for k in kinds], "everything": scope == delivery.ALL, "done": True},
    )


async def unread(request: Request) -> Response:
    """The bell's count, for the page script that keeps it fresh (no query: a kept counter)."""
    member = request.state.member
    return JSONResponse({"unread": member.unread_notifications if member else 0})


routes = [
    Route("/notifications/unread", unread, name="notifications:unread"),
    Route("/notifications", inbox, name="notifications:inbox"),
    Route(
        "/notifications/read-all", mark_all_read, methods=["POST"], name="notifications:read_all"
    ),
    Route("/notifications/{notification_id:int}", open_notification, name="notifications:open"),
    Route(
        "/notifications/{notification_id:int}/read",
        mark_one_read,
        methods=["POST"],
        name="notifications:read_one",
    ),
    Route("/settings/notifications", preferences_form, name="notifications:preferences"),
    Route(
        "/settings/notifications",
        preferences_save,
        methods=["POST"],
        name="notifications:preferences_save",
    ),
    Route(
        "/unsubscribe/{member_id:int}/{scope:str}/{signature:str}",
        unsubscribe_form,
        name="notifications:unsubscribe_form",
    ),
    Route(
        "/unsubscribe/{member_id:int}/{scope:str}/{signature:str}",
        unsubscribe,
        methods=["POST"],
        name="notifications:unsubscribe",
    ),
]
