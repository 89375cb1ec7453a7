"""The outbox: one row per email, written in the same transaction as the change that causes it."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(Model):
    """One email to one recipient, rendered at enqueue time and delivered by the worker."""

    id = fields.IntField(primary_key=True)
    #: "<feature>:<kind>:<ids>", the same key never makes a second message
    idempotency_key = fields.CharField(max_length=200, unique=True)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300)
    text_body = fields.TextField()
    html_body = fields.TextField()
    #: extra headers as {"Name": "value"}
    headers = fields.JSONField[dict[str, str]](default=dict)
    #: files as [{"Name": ..., "ContentType": ..., "Content": base64}], as Postmark takes them
    attachments = fields.JSONField[list[dict[str, str]]](default=list)
    template = fields.CharField(max_length=100)
    message_stream = fields.CharField(max_length=50, default="outbound")
    status = fields.CharEnumField(OutboxStatus, max_length=16, default=OutboxStatus.PENDING)
    attempts = fields.IntField(default=0)
    #: when the worker may next try (for SENDING, when the claim's lease runs out)
    next_attempt_at = fields.DatetimeField()
    claimed_by = fields.CharField(max_length=64, default="")
    provider_message_id = fields.CharField(max_length=100, default="")
    last_error = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    #: when it was given up on (status failed)
    failed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "mail_outbox_message"
        indexes = (("status", "next_attempt_at"),)
