"""Notifications, each member's email preferences, and the digests sent."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

#: the longest key a notification kind may have (community/notifications/kinds.py)
KIND_MAX = 24


class Delivery(StrEnum):
    IMMEDIATELY = "immediately"
    DIGEST = "digest"
    NEVER = "never"


class EmailState(StrEnum):
    #: no email for this one (the member chose "never")
    NONE = "none"
    #: waiting for the coalescing window to close, then emailed with its neighbours
    PENDING = "pending"
    #: waiting for the member's next daily digest
    DIGEST = "digest"
    SENT = "sent"


class Notification(Model):
    """Something a member should know about, shown in their inbox and maybe emailed."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="notifications", on_delete=fields.CASCADE
    )
    member_id: int
    kind = fields.CharField(max_length=KIND_MAX, description="a Kind's key (notifications.kinds)")
    #: who caused it (None for the site itself)
    actor: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="caused_notifications", null=True,
        on_delete=fields.SET_NULL,
    )  # fmt: skip
    actor_id: int | None
    #: one line, like "Ana Lim replied in Supervision after a hard case"
    title = fields.CharField(max_length=300)
    #: plain text: an excerpt of the post, the request message, the event's new time
    body = fields.TextField(default="")
    #: a path on this site, straight to the post or page
    url = fields.CharField(max_length=500)
    #: what it is about, for grouping emails ("thread:12", "event:3")
    topic = fields.CharField(max_length=100, default="")
    #: the thing it is about, so the same thing never notifies a member twice
    dedupe_key = fields.CharField(max_length=200)
    created_at = fields.DatetimeField()
    read_at = fields.DatetimeField(null=True)
    email_state = fields.CharEnumField(EmailState, max_length=16, default=EmailState.NONE)
    #: PENDING: when the coalescing window closes
    email_due_at = fields.DatetimeField(null=True)
    emailed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "notifications_notification"
        unique_together = (("member", "dedupe_key"),)
        indexes = (("member_id", "created_at"), ("email_state", "email_due_at"))


class NotificationPreference(Model):
    """A member's choice of email for one kind of notification (no row: the default)."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="notification_preferences", on_delete=fields.CASCADE
    )
    member_id: int
    kind = fields.CharField(max_length=KIND_MAX, description="a Kind's key (notifications.kinds)")
    delivery = fields.CharEnumField(Delivery, max_length=16)

    class Meta:
        table = "notifications_preference"
        unique_together = (("member", "kind"),)


class DigestRun(Model):
    """One member's daily digest for one local date: unique, so it goes out once a day."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="digests", on_delete=fields.CASCADE
    )
    member_id: int
    #: the date in the member's time zone
    local_date = fields.DateField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "notifications_digest_run"
        unique_together = (("member", "local_date"),)
