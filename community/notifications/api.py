"""API: the member's notifications, marking them read, and their email preferences."""

from __future__ import annotations

from community.accounts.api import MEMBER_SUMMARY, member_summary
from community.notifications import service
from community.notifications.kinds import DEFAULTS
from community.notifications.models import Delivery, Notification, NotificationKind
from community.notifications.schemas import MarkRead, NotificationChoices, allowed
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
    nullable,
    obj,
    page_of,
    string,
    when,
)

#: this feature's operations, served under /api/v1 with the others'
api = Api()

#: the most ids one request may mark read
IDS_MAX = 1000

NOTIFICATION = api.component(
    "Notification",
    obj(
        ["id", "kind", "title", "body", "url", "created_at", "read", "actor"],
        id=ID,
        kind=string(enum=[str(kind) for kind in NotificationKind]),
        title=string(),
        body=string(description="Plain text: an excerpt, a request's message, a new time."),
        url=string(description="The page it is about, as an absolute link."),
        created_at=DATETIME,
        read=BOOLEAN,
        actor=nullable(MEMBER_SUMMARY),
    ),
)


PREFERENCES = api.component(
    "NotificationPreferences",
    obj(
        [str(kind) for kind in DEFAULTS],
        **{
            str(kind): string(enum=[str(d) for d in Delivery if allowed(kind, d)])
            for kind in DEFAULTS
        },
    ),
)


def notification_json(notification: Notification, base_url: str) -> JSON:
    path = notification.url if notification.url.startswith("/") else "/"
    return {
        "id": notification.id,
        "kind": str(notification.kind),
        "title": notification.title,
        "body": notification.body,
        "url": base_url.rstrip("/") + path,
        "created_at": when(notification.created_at),
        "read": notification.read_at is not None,
        "actor": member_summary(notification.actor) if notification.actor is not None else None,
    }


def preferences_json(choices: dict[NotificationKind, Delivery]) -> JSON:
    return {str(kind): str(delivery) for kind, delivery in choices.items()}


@api.operation(
    "GET",
    "/notifications",
    summary="Your notifications, newest first",
    tag="notifications",
    query=[CURSOR, LIMIT],
    response=page_of(NOTIFICATION),
)
async def list_notifications(call: Call) -> JSON:
    page = await service.inbox(member=call.member(), cursor=call.cursor(), limit=call.limit())
    base_url: str = call.request.app.state.settings.base_url
    return {
        "items": [notification_json(row, base_url) for row in page.items],
        "next_cursor": page.next_cursor,
    }


@api.operation(
    "POST",
    "/notifications/read",
    summary="Mark notifications read: those whose ids you send, or all of them",
    description="Ids that are not your notifications, or already read, are passed over.",
    tag="notifications",
    body=MarkRead,
    response=obj(["marked"], marked={**INTEGER, "description": "How many were marked read."}),
)
async def mark_read(call: Call) -> JSON:
    member = call.member()
    ids = call.parsed(MarkRead).ids
    return {"marked": await service.mark_read_many(member=member, ids=ids)}


@api.operation(
    "GET",
    "/notifications/preferences",
    summary="How each kind of notification is emailed to you",
    tag="notifications",
    response=PREFERENCES,
)
async def get_preferences(call: Call) -> JSON:
    return preferences_json(await service.preferences(call.member()))


@api.operation(
    "PUT",
    "/notifications/preferences",
    summary="Choose how kinds of notification are emailed (kinds not sent stay as they are)",
    tag="notifications",
    body=NotificationChoices,
    response=PREFERENCES,
)
async def put_preferences(call: Call) -> JSON:
    member = call.member()
    await service.set_preferences(member=member, choices=call.parsed(NotificationChoices))
    return preferences_json(await service.preferences(member))
