"""API: the member's notifications, marking them read, and their email preferences."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from community.accounts.api import MemberSummary
from community.notifications import service
from community.notifications.kinds import Kind, all_kinds
from community.notifications.models import Delivery, Notification
from community.notifications.schemas import MarkRead, NotificationChoices
from community.settings import current as current_settings
from community.web.api import Api, Call, Instant, Paged

#: this feature's operations, served under /api/v1 with the others'
api = Api()


class NotificationItem(BaseModel):
    """One notification, as the API answers it."""

    id: int
    kind: str = Field(json_schema_extra={"enum": [kind.key for kind in all_kinds()]})
    title: str
    body: str = Field(description="Plain text: an excerpt, a request's message, a new time.")
    url: str = Field(description="The page it is about, as an absolute link.")
    created_at: Instant
    read: bool
    actor: MemberSummary | None

    @classmethod
    def of(cls, notification: Notification) -> NotificationItem:
        path = notification.url if notification.url.startswith("/") else "/"
        actor = notification.actor
        return cls(
            id=notification.id,
            kind=notification.kind,
            title=notification.title,
            body=notification.body,
            url=current_settings().base_url.rstrip("/") + path,
            created_at=notification.created_at,
            read=notification.read_at is not None,
            actor=MemberSummary.of(actor) if actor is not None else None,
        )


class NotificationPage(BaseModel):
    """A page of notifications, newest first."""

    items: list[NotificationItem]
    next_cursor: str | None


class Marked(BaseModel):
    marked: int = Field(description="How many were marked read.")


def _preference(kind: Kind) -> Any:
    offered = tuple(str(choice) for choice in Delivery if kind.allows(choice))
    return (Literal[offered], Field(description=kind.label))


#: every kind with how it is emailed to the member
NotificationPreferences = create_model(
    "NotificationPreferences", **{kind.key: _preference(kind) for kind in all_kinds()}
)


def preferences_of(choices: dict[Kind, Delivery]) -> BaseModel:
    answer: BaseModel = NotificationPreferences(
        **{str(kind): str(choice) for kind, choice in choices.items()}
    )
    return answer


@api.operation(
    "GET",
    "/notifications",
    summary="Your notifications, newest first",
    tag="notifications",
    query=Paged,
    response=NotificationPage,
)
async def list_notifications(call: Call) -> NotificationPage:
    paged = call.params(Paged)
    page = await service.inbox(member=call.member(), cursor=paged.cursor, limit=paged.limit)
    items = [NotificationItem.of(row) for row in page.items]
    return NotificationPage(items=items, next_cursor=page.next_cursor)


@api.operation(
    "POST",
    "/notifications/read",
    summary="Mark notifications read: those whose ids you send, or all of them",
    description="Ids that are not your notifications, or already read, are passed over.",
    tag="notifications",
    body=MarkRead,
    response=Marked,
)
async def mark_read(call: Call) -> Marked:
    ids = call.parsed(MarkRead).ids
    return Marked(marked=await service.mark_read_many(member=call.member(), ids=ids))


@api.operation(
    "GET",
    "/notifications/preferences",
    summary="How each kind of notification is emailed to you",
    tag="notifications",
    response=NotificationPreferences,
)
async def get_preferences(call: Call) -> BaseModel:
    return preferences_of(await service.preferences(call.member()))


@api.operation(
    "PUT",
    "/notifications/preferences",
    summary="Choose how kinds of notification are emailed (kinds not sent stay as they are)",
    tag="notifications",
    body=NotificationChoices,
    response=NotificationPreferences,
)
async def put_preferences(call: Call) -> BaseModel:
    member = call.member()
    await service.set_preferences(member=member, choices=call.parsed(NotificationChoices))
    return preferences_of(await service.preferences(member))
