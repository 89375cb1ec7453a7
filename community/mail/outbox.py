"""Writing to the outbox (inside the caller's transaction) and delivering what is due."""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.functions import Count

from community import clock
from community.db import transaction
from community.mail.backends.base import Backend, Outcome
from community.mail.models import OutboxMessage, OutboxStatus
from community.mail.render import render_email
from community.settings import current as current_settings

logger = logging.getLogger(__name__)

#: a claimed message whose worker died is offered again after this long
LEASE = timedelta(minutes=5)
#: attempts before a message that keeps failing temporarily is given up (spread over about a day)
MAX_ATTEMPTS = 14
#: Postmark's limit for a message, counted after base64 encoding, as Postmark counts it
MAX_ATTACHMENTS_SIZE = 10 * 1024 * 1024


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email, such as an event's .ics invitation."""

    #: the file name the reader sees, without any directory
    name: str
    #: its MIME type, e.g. "text/calendar"
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return len(self.content)


@dataclass(frozen=True)
class Email:
    """An email to send, as data: who, which template, with what, and its idempotency key."""

    to: str
    template: str
    context: dict[str, Any]
    #: "<feature>:<kind>:<ids>"; a second enqueue with the same key is ignored
    idempotency_key: str
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


async def enqueue(email: Email) -> OutboxMessage | None:
    """Render and store the email for the worker; None if its key was already used.

    Call inside a transaction: the message is then sent only if the change commits. Raises
    ValueError for an attachment with a bad name or attachments over MAX_ATTACHMENTS_SIZE.
    """
    attachments = _encode_attachments(email.attachments)
    rendered = render_email(email.template, email.context)
    now = clock.now()
    if await OutboxMessage.exists(idempotency_key=email.idempotency_key):
        return None
    try:
        async with transaction():  # a savepoint: a lost race must not abort the caller's work
            return await OutboxMessage.create(
                idempotency_key=email.idempotency_key,
                to_address=email.to,
                subject=rendered.subject,
                text_body=rendered.text_body,
                html_body=rendered.html_body,
                headers=email.headers,
                attachments=attachments,
                template=email.template,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:  # a concurrent enqueue with the same key won
        return None


def _encode_attachments(attachments: tuple[Attachment, ...]) -> list[dict[str, str]]:
    """The attachments in Postmark's shape, after refusing what Postmark or a reader should not
    get: a name with a directory or a control character, or more than MAX_ATTACHMENTS_SIZE."""
    for attachment in attachments:
        if not attachment.name:
            raise ValueError("An attachment needs a file name.")
        if any(char in "/\\" or unicodedata.category(char) == "Cc" for char in attachment.name):
            raise ValueError(
                f"The attachment name {attachment.name!r} must not contain a path separator "
                "or a control character."
            )
    encoded_size = sum(4 * -(-attachment.size // 3) for attachment in attachments)  # base64
    if encoded_size > MAX_ATTACHMENTS_SIZE:
        raise ValueError(
            f"The attachments come to {encoded_size} bytes once base64-encoded; an email can "
            f"carry at most {MAX_ATTACHMENTS_SIZE} bytes (10 MB)."
        )
    return [
        {
            "Name": attachment.name,
            "ContentType": attachment.content_type,
            "Content": base64.b64encode(attachment.content).decode("ascii"),
        }
        for attachment in attachments
    ]


def attachments_of(message: OutboxMessage) -> list[Attachment]:
    """The files stored with a message, decoded."""
    return [
        Attachment(
            name=item["Name"],
            content_type=item["ContentType"],
            content=base64.b64decode(item["Content"]),
        )
        for item in message.attachments or []
    ]


def _due() -> Q:
    now = clock.now()
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, next_attempt_at__lte=now
    )


async def claim_due(*, limit: int = 100, lease: timedelta = LEASE) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for this worker, each with a lease.

    PostgreSQL: the due rows are locked with FOR UPDATE SKIP LOCKED, so concurrent workers take
    different rows without waiting. SQLite (one writer at a time): a guarded UPDATE that only
    changes rows still due, so of two racing claims one wins each row. A claim whose lease ran
    out (its worker died) is due again.
    """
    now = clock.now()
    claim = uuid.uuid4().hex
    due = OutboxMessage.filter(_due()).order_by("next_attempt_at", "id").limit(limit)
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        async with transaction():
            # Tortoise 1.1.9 drops FOR UPDATE from values_list() queries, so select rows
            locked = await due.select_for_update(skip_locked=True).only("id")
            ids = [row.id for row in locked]
            if ids:
                await OutboxMessage.filter(_due(), id__in=ids).update(
                    status=OutboxStatus.SENDING, claimed_by=claim, next_attempt_at=now + lease
                )
    else:
        ids = [row.id for row in await due.only("id")]
        if ids:
            await OutboxMessage.filter(_due(), id__in=ids).update(
                status=OutboxStatus.SENDING, claimed_by=claim, next_attempt_at=now + lease
            )
    if not ids:
        return []
    return await OutboxMessage.filter(claimed_by=claim, status=OutboxStatus.SENDING).order_by("id")


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff with jitter: about 30 s, 1 min, 2 min, ... capped at 6 h
    (OUTBOX_RETRY_SECONDS sets the first step). With MAX_ATTEMPTS = 14 the attempts spread
    over roughly a day.
    """
    base = timedelta(seconds=current_settings().outbox_retry_seconds)
    ceiling = min(base * (2 ** (attempts - 1)), timedelta(hours=6))
    return timedelta(seconds=ceiling.total_seconds() * (0.5 + random.random() / 2))  # noqa: S311


async def record_outcome(message: OutboxMessage, outcome: Outcome) -> None:
    """Store what the provider said about one claimed message."""
    now = clock.now()
    attempts = message.attempts + 1
    guard = OutboxMessage.filter(id=message.id, claimed_by=message.claimed_by)
    if outcome.sent:
        await guard.update(
            status=OutboxStatus.SENT,
            attempts=attempts,
            provider_message_id=outcome.provider_message_id[:100],
            sent_at=now,
            last_error="",
            claimed_by="",
        )
    elif outcome.permanent or attempts >= MAX_ATTEMPTS:
        await guard.update(
            status=OutboxStatus.FAILED,
            attempts=attempts,
            last_error=outcome.error,
            claimed_by="",
            failed_at=now,
        )
    else:
        delay = outcome.retry_after if outcome.retry_after is not None else retry_delay(attempts)
        await guard.update(
            status=OutboxStatus.PENDING,
            attempts=attempts,
            last_error=outcome.error,
            next_attempt_at=now + delay,
            claimed_by="",
        )


@dataclass(frozen=True)
class OutboxState:
    """The outbox at a glance, for the operator: messages by status, the oldest due one's
    time (when it became due) and the failures since a given moment."""

    counts: dict[str, int]
    oldest_due_at: datetime | None
    failed_since: int


async def outbox_counts() -> dict[str, int]:
    """How many messages have each status (every status named, 0 included)."""
    rows = (
        await OutboxMessage.annotate(count=Count("id"))
        .group_by("status")
        .values_list("status", "count")
    )
    counts = {str(status): 0 for status in OutboxStatus}
    counts.update({str(status): int(count) for status, count in rows})
    return counts


async def outbox_state(*, failed_since: datetime) -> OutboxState:
    counts = await outbox_counts()
    oldest = (
        await OutboxMessage.filter(_due())
        .order_by("next_attempt_at")
        .first()
        .values_list("next_attempt_at", flat=True)
    )
    failed = await OutboxMessage.filter(
        status=OutboxStatus.FAILED, failed_at__gte=failed_since
    ).count()
    return OutboxState(counts=counts, oldest_due_at=oldest, failed_since=failed)  # type: ignore[arg-type]


async def release(messages: list[OutboxMessage]) -> None:
    """Give claimed, unsent messages back at once (the worker is stopping)."""
    for claim in {message.claimed_by for message in messages}:
        await OutboxMessage.filter(claimed_by=claim, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.PENDING, claimed_by="", next_attempt_at=clock.now()
        )


async def deliver_due(backend: Backend, *, limit: int = 500, lease: timedelta = LEASE) -> int:
    """Claim due messages, send them (in one batch when there are several), record each
    outcome; returns how many were sent. Cancelled midway, it releases what it had not sent."""
    messages = await claim_due(limit=limit, lease=lease)
    if not messages:
        return 0
    try:
        if len(messages) == 1:
            outcomes = [await _send_one(backend, messages[0])]
        else:
            outcomes = await _send_many(backend, messages)
    except BaseException:
        # cancelled (worker stopping) before the provider answered: let another worker send
        # them at once; the idempotency key covers a send that did reach the provider
        await asyncio.shield(release(messages))
        raise
    sent = 0
    async with transaction():  # one commit for the batch, not one per message
        for message, outcome in zip(messages, outcomes, strict=True):
            await record_outcome(message, outcome)
            sent += outcome.sent
    if sent:
        logger.info("Sent %d of %d outbox messages", sent, len(messages))
    return sent


async def _send_one(backend: Backend, message: OutboxMessage) -> Outcome:
    try:
        return await backend.send(message)
    except Exception as exc:  # loop boundary: record the failure on the row
        logger.exception("Sending outbox message %s failed", message.id)
        return Outcome(error=f"{type(exc).__name__}: {exc}"[:500])


async def _send_many(backend: Backend, messages: list[OutboxMessage]) -> list[Outcome]:
    try:
        return await backend.send_batch(messages)
    except Exception as exc:  # loop boundary: record the failure on every row
        logger.exception("Sending a batch of %d outbox messages failed", len(messages))
        return [Outcome(error=f"{type(exc).__name__}: {exc}"[:500])] * len(messages)


async def retry_failed(*, message_id: int) -> bool:
    """Queue a failed message again (admin action); False if it is not failed."""
    updated = await OutboxMessage.filter(id=message_id, status=OutboxStatus.FAILED).update(
        status=OutboxStatus.PENDING, next_attempt_at=clock.now(), attempts=0, failed_at=None
    )
    return updated == 1


async def delete_old_sent(*, older_than: timedelta = timedelta(days=90)) -> int:
    """Forget sent messages after a while (they hold personal data)."""
    return await OutboxMessage.filter(
        status=OutboxStatus.SENT, sent_at__lte=clock.now() - older_than
    ).delete()
