"""Emailing notifications: coalesced bursts, the daily digest, and one-click unsubscribe.

Both jobs may run in any number of workers at once: a guarded update moves each notification
out of its waiting state exactly once, inside the transaction that writes the email to the
outbox, and the digest has a unique row per member and local date.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from datetime import UTC, datetime, time

from tortoise.exceptions import IntegrityError

from community import clock
from community.accounts.models import Member
from community.clock import reader_zone
from community.db import transaction
from community.errors import NotFound
from community.mail.outbox import Email, enqueue
from community.notifications.kinds import Kind, all_kinds, kind_named
from community.notifications.models import (
    Delivery,
    DigestRun,
    EmailState,
    Notification,
    NotificationPreference,
)
from community.settings import current as current_settings
from community.urls import absolute_url

logger = logging.getLogger(__name__)

#: the local hour after which a member's daily digest goes out
DIGEST_HOUR = 8
#: the most notifications one email lists
EMAIL_ITEMS_MAX = 50
ALL = "all"


class _TakenMeanwhile(Exception):
    """Another worker emailed these first: roll back."""


# unsubscribe links --------------------------------------------------------------------------


def unsubscribe_signature(member_id: int, scope: str) -> str:
    secret = current_settings().secret_key.encode()
    message = f"notifications:unsubscribe:{member_id}:{scope}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def unsubscribe_url(member_id: int, kind: Kind | None = None) -> str:
    """A signed link that stops one kind of email (or all of them) without signing in."""
    scope = str(kind) if kind else ALL
    signature = unsubscribe_signature(member_id, scope)
    return absolute_url(
        "notifications:unsubscribe", member_id=member_id, scope=scope, signature=signature
    )


def unsubscribe_headers(member_id: int, kind: Kind | None = None) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe: mail apps POST `List-Unsubscribe=One-Click` to it."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(member_id, kind)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def footer_context(member_id: int, kind: Kind | None) -> dict[str, str]:
    """What email templates need for the footer's unsubscribe and preferences links."""
    return {
        "unsubscribe_url": unsubscribe_url(member_id, kind),
        "unsubscribe_what": kind.label.lower() if kind else "all emails about activity",
        "preferences_url": absolute_url("notifications:preferences"),
    }


def check_unsubscribe(member_id: int, scope: str, signature: str) -> list[Kind]:
    """The kinds a link stops; NotFound unless this site signed it for this member."""
    if scope == ALL:
        kinds = list(all_kinds())
    else:
        try:
            kinds = [kind_named(scope)]
        except KeyError:
            raise NotFound("This link is not valid.") from None
    if not hmac.compare_digest(unsubscribe_signature(member_id, scope), signature):
        raise NotFound("This link is not valid.")
    return kinds


async def unsubscribe(*, member_id: int, scope: str, signature: str) -> list[Kind]:
    """Stop the emails a signed link names. Using it again changes nothing and is fine."""
    kinds = check_unsubscribe(member_id, scope, signature)
    if not await Member.filter(id=member_id, deleted_at__isnull=True).exists():
        raise NotFound("This link is not valid.")
    async with transaction():
        for kind in kinds:
            updated = await NotificationPreference.filter(
                member_id=member_id, kind=kind.key
            ).update(delivery=Delivery.NEVER)
            if not updated:
                try:
                    async with transaction():
                        await NotificationPreference.create(
                            member_id=member_id, kind=kind.key, delivery=Delivery.NEVER
                        )
                except IntegrityError:  # two clicks at once: the other one saved it
                    pass
        await Notification.filter(
            member_id=member_id,
            kind__in=[kind.key for kind in kinds],
            email_state__in=[EmailState.PENDING, EmailState.DIGEST],
        ).update(email_state=EmailState.NONE, email_due_at=None)
    return kinds


async def wants_email(member_id: int, kind: Kind) -> bool:
    """For emails that are not notifications (event reminders): has the member stopped them?"""
    preference = await NotificationPreference.filter(member_id=member_id, kind=kind.key).first()
    return (Delivery(preference.delivery) if preference else kind.default) != Delivery.NEVER


# sending ------------------------------------------------------------------------------------


def _items(rows: list[Notification], base_url: str) -> list[dict[str, str]]:
    return [{"title": n.title, "body": n.body, "url": f"{base_url}{n.url}"} for n in rows]


async def _take(member: Member, state: EmailState, ids: list[int]) -> None:
    """Move these notifications out of `state`; roll back if another worker moved any."""
    taken = await Notification.filter(id__in=ids, email_state=state).update(
        email_state=EmailState.SENT, emailed_at=clock.now(), email_due_at=None
    )
    if taken != len(ids):
        raise _TakenMeanwhile


async def send_pending_emails(limit: int = 200) -> int:
    """Email each member whose oldest waiting notification's window has closed, with every
    notification of theirs waiting: one email per burst. Returns how many emails."""
    now = clock.now()
    member_ids = {
        n.member_id
        for n in await Notification.filter(email_state=EmailState.PENDING, email_due_at__lte=now)
        .only("id", "member_id")
        .limit(limit)
    }
    sent = 0
    for member in await Member.filter(id__in=member_ids):
        rows = list(
            await Notification.filter(member_id=member.id, email_state=EmailState.PENDING)
            .order_by("created_at", "id")
            .limit(EMAIL_ITEMS_MAX)
        )
        if not rows or not member.email:
            continue
        kinds = {kind_named(n.kind) for n in rows}
        kind = kinds.pop() if len(kinds) == 1 else None
        base_url = current_settings().base_url
        email = Email(
            to=member.email,
            template="notifications/activity",
            context={
                "name": member.display_name,
                "items": _items(rows, base_url),
                "count": len(rows),
                "first_title": rows[0].title,
                "inbox_url": absolute_url("notifications:inbox"),
                **footer_context(member.id, kind),
            },
            idempotency_key=f"notifications:email:{member.id}:{rows[0].id}:{rows[-1].id}",
            headers=unsubscribe_headers(member.id, kind),
        )
        try:
            async with transaction():
                await _take(member, EmailState.PENDING, [n.id for n in rows])
                await enqueue(email)
        except _TakenMeanwhile:
            continue
        sent += 1
    return sent


def _digest_moment(member: Member, now: datetime) -> datetime | None:
    """Today's 08:00 in the member's zone, if it has come (the digest covers what came
    before it; later items wait for tomorrow's)."""
    zone = reader_zone(member.time_zone, current_settings().time_zone)
    moment = datetime.combine(now.astimezone(zone).date(), time(DIGEST_HOUR), tzinfo=zone)
    return moment if now >= moment else None


async def send_digests(limit: int = 1000) -> int:
    """Send today's digest to every member whose 08:00 (in their zone) has passed, who has
    something from before it waiting and has not had one today. A worker that was down at
    08:00 catches up when it starts. Returns how many digests."""
    now = clock.now()
    member_ids = {
        n.member_id
        for n in await Notification.filter(email_state=EmailState.DIGEST)
        .only("id", "member_id")
        .limit(limit * 10)
    }
    sent = 0
    base_url = current_settings().base_url
    for member in await Member.filter(id__in=member_ids, deleted_at__isnull=True).limit(limit):
        moment = _digest_moment(member, now)
        if moment is None or not member.email:
            continue
        rows = list(
            await Notification.filter(
                member_id=member.id,
                email_state=EmailState.DIGEST,
                created_at__lt=moment.astimezone(UTC),  # SQLite compares the text
            )
            .order_by("created_at", "id")
            .limit(EMAIL_ITEMS_MAX * 4)
        )
        if not rows:
            continue
        day = moment.date()
        email = Email(
            to=member.email,
            template="notifications/digest",
            context={
                "name": member.display_name,
                "items": _items(rows, base_url),
                "count": len(rows),
                "day": f"{day:%A %-d %B %Y}",
                "inbox_url": absolute_url("notifications:inbox"),
                **footer_context(member.id, None),
            },
            idempotency_key=f"notifications:digest:{member.id}:{day.isoformat()}",
            headers=unsubscribe_headers(member.id, None),
        )
        try:
            async with transaction():
                await DigestRun.create(member_id=member.id, local_date=day, created_at=now)
                await _take(member, EmailState.DIGEST, [n.id for n in rows])
                await enqueue(email)
        except (IntegrityError, _TakenMeanwhile):  # today's went out already, or is going
            continue
        sent += 1
    return sent
