"""What admins see and do across the site."""

from __future__ import annotations

from community.accounts.access import ensure_admin
from community.accounts.models import Member
from community.db import Page, keyset_page
from community.errors import Conflict, Invalid, NotFound
from community.mail.models import OutboxMessage, OutboxStatus
from community.mail.outbox import Attachment, attachments_of, outbox_counts, retry_failed

OUTBOX_PAGE_SIZE = 50


async def list_outbox(
    *, actor: Member | None, status: str = "", cursor: str | None = None
) -> tuple[Page[OutboxMessage], dict[str, int]]:
    """A page of outbox messages (optionally of one status) and the count of each status."""
    ensure_admin(actor)
    query = OutboxMessage.all()
    if status:
        try:
            query = query.filter(status=OutboxStatus(status))
        except ValueError:
            raise Invalid(status="Choose a status from the list.") from None
    page = await keyset_page(
        query, order=("-created_at", "-id"), cursor=cursor, limit=OUTBOX_PAGE_SIZE
    )
    return page, await outbox_counts()


async def get_outbox_message(
    *, actor: Member | None, message_id: int
) -> tuple[OutboxMessage, list[Attachment]]:
    """One outbox message with its bodies and attachments, to read what was (or will be) sent."""
    ensure_admin(actor)
    message = await OutboxMessage.filter(id=message_id).first()
    if message is None:
        raise NotFound("There is no such message in the outbox.")
    return message, attachments_of(message)


async def retry_message(*, actor: Member | None, message_id: int) -> None:
    """Queue a failed message again; Conflict if it is not failed."""
    ensure_admin(actor)
    if not await retry_failed(message_id=message_id):
        raise Conflict("Only a failed message can be retried; this one is not failed.")
