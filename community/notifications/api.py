"""API: the member's notifications, marking them read, and their email preferences."""

from __future__ import annotations

from community.accounts.api import MEMBER_SUMMARY, member_summary
from community.errors import Invalid
from community.notifications import service
from community.notifications.kinds import DEFAULTS, LABELS
from community.notifications.models import Delivery, Notification, NotificationKind
from community.web.api import (
    BOOLEAN,
    CURSOR,
    DATETIME,
    ID,
    ID_MAX,
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


def _deliveries(kind: NotificationKind) -> JSON:
    return string(
        enum=[str(choice) for choice in Delivery if service.allowed(kind, choice)],
        description=LABELS[kind],
    )


PREFERENCE_FIELDS = {str(kind): _deliveries(kind) for kind in DEFAULTS}
PREFERENCES = api.component(
    "NotificationPreferences",
    obj(
        PREFERENCE_FIELDS,
        **PREFERENCE_FIELDS,
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


def _ids(call: Call) -> list[int] | None:
    value = call.body.get("ids")
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) > IDS_MAX
        or not all(
            isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= ID_MAX
            for item in value
        )
    ):
        raise Invalid(ids=f"Give a list of at most {IDS_MAX} notification ids, or leave it out.")
    return value


@api.operation(
    "POST",
    "/notifications/read",
    summary="Mark notifications read: those whose ids you send, or all of them",
    description="Ids that are not your notifications, or already read, are passed over.",
    tag="notifications",
    body=obj(
        [],
        ids=nullable(
            {"type": "array", "items": ID, "maxItems": IDS_MAX, "description": "Null: all."}
        ),
    ),
    response=obj(["marked"], marked={**INTEGER, "description": "How many were marked read."}),
)
async def mark_read(call: Call) -> JSON:
    member = call.member()
    return {"marked": await service.mark_read_many(member=member, ids=_ids(call))}


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
    body={**obj([], **PREFERENCE_FIELDS), "additionalProperties": False},
    response=PREFERENCES,
)
async def put_preferences(call: Call) -> JSON:
    member = call.member()
    choices: dict[NotificationKind, Delivery] = {}
    errors: dict[str, str] = {}
    for name, value in call.body.items():
        try:
            kind = NotificationKind(name)
        except ValueError:
            errors[name] = "There is no such kind of notification."
            continue
        try:
            choice = Delivery(value) if isinstance(value, str) else None
        except ValueError:
            choice = None
        if choice is None:
            errors[name] = "Choose immediately, digest or never."
        elif not service.allowed(kind, choice):
            errors[name] = "This email only makes sense at once: choose immediately or never."
        else:
            choices[kind] = choice
    if errors:
        raise Invalid(**errors)
    await service.set_preferences(member=member, choices=choices)
    return preferences_json(await service.preferences(member))
