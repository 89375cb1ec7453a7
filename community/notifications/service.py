"""Notifying members, and their inbox: unread counts, marking read, preferences.

`notify` is called by the forum, groups and events inside the transaction of the action that
causes it. Each member gets a thing once (a unique key per member), never about their own
action; the caller decides who may see it. Email follows the member's preference for the
kind: soon (coalesced with its neighbours by `delivery.send_pending_emails`), in the daily
digest, or never.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from community import clock
from community.accounts.models import Member
from community.db import Page, keyset_page, transaction
from community.errors import NotFound
from community.notifications.kinds import Kind, all_kinds
from community.notifications.models import (
    Delivery,
    EmailState,
    Notification,
    NotificationPreference,
)
from community.notifications.schemas import EmailChoices
from community.settings import current as current_settings


def coalesce_window() -> timedelta:
    """How long an email waits for more of the same burst (ten quick replies make one email):
    NOTIFY_BURST_SECONDS."""
    return timedelta(seconds=current_settings().notify_burst_seconds)


PER_PAGE = 50
BODY_MAX = 500


@dataclass(frozen=True)
class Notice:
    """What to tell: the same for every recipient unless built per recipient."""

    kind: Kind
    title: str
    url: str
    #: the thing it is about: each member hears about it once
    dedupe_key: str
    body: str = ""
    topic: str = ""
    actor_id: int | None = None


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= BODY_MAX else text[: BODY_MAX - 1].rstrip() + "…"


async def deliveries(member_ids: Iterable[int], kind: Kind) -> dict[int, Delivery]:
    """Each member's email choice for `kind` (the default where they made none)."""
    ids = list(set(member_ids))
    chosen = {
        p.member_id: Delivery(p.delivery)
        for p in await NotificationPreference.filter(member_id__in=ids, kind=kind.key)
    }
    return {member_id: chosen.get(member_id, kind.default) for member_id in ids}


async def notify(members: Iterable[Member], notice: Notice) -> list[Member]:
    """Tell each member (once, never the actor); returns those told. Call inside the
    caller's transaction: a rolled-back action notifies no one."""
    recipients = {
        m.id: m
        for m in members
        if m.id != notice.actor_id and m.deleted_at is None and m.suspended_at is None
    }
    if not recipients:
        return []
    choices = await deliveries(recipients, notice.kind)
    now = clock.now()
    told = []
    # in id order: concurrent actions then take the members' counter rows in one order
    for member_id, member in sorted(recipients.items()):
        delivery = choices[member_id]
        state = {
            Delivery.IMMEDIATELY: EmailState.PENDING,
            Delivery.DIGEST: EmailState.DIGEST,
            Delivery.NEVER: EmailState.NONE,
        }[delivery]
        if not member.email or member.verified_at is None:
            state = EmailState.NONE  # never email an address that was not confirmed
        try:
            async with transaction():  # a savepoint: "told already" must not undo the caller
                await Notification.create(
                    member_id=member_id,
                    kind=notice.kind.key,
                    actor_id=notice.actor_id,
                    title=notice.title[:300],
                    body=_excerpt(notice.body),
                    url=notice.url,
                    topic=notice.topic,
                    dedupe_key=notice.dedupe_key,
                    created_at=now,
                    email_state=state,
                    email_due_at=now + coalesce_window() if state == EmailState.PENDING else None,
                )
                await Member.filter(id=member_id).update(
                    unread_notifications=F("unread_notifications") + 1
                )
        except IntegrityError:  # told about this already (under another kind, or a retry)
            continue
        told.append(member)
    return told


async def inbox(
    *, member: Member, cursor: str | None = None, limit: int = PER_PAGE
) -> Page[Notification]:
    """The member's notifications, newest first."""
    query = Notification.filter(member_id=member.id).select_related("actor")
    return await keyset_page(query, order=("-created_at", "-id"), cursor=cursor, limit=limit)


async def _recount(member_id: int) -> int:
    """Count the member's unread notifications into the kept counter. PostgreSQL: the member's
    row is locked first, so a notification told meanwhile is either counted here or adds its
    +1 after this commits. (Counting first let a concurrent +1 be overwritten by a count
    that could not see it yet: found by killing the web process under load.)"""
    async with transaction() as connection:
        if connection.capabilities.dialect == "postgres":
            await Member.filter(id=member_id).select_for_update().only("id").first()
        unread = await Notification.filter(member_id=member_id, read_at__isnull=True).count()
        await Member.filter(id=member_id).update(unread_notifications=unread)
    return unread


async def unread_count(member: Member) -> int:
    """Counted afresh (and the kept counter put right)."""
    return await _recount(member.id)


async def mark_read(*, member: Member, notification_id: int) -> Notification:
    """Mark one of the member's notifications read (again is harmless)."""
    notification = await Notification.filter(id=notification_id, member_id=member.id).first()
    if notification is None:
        raise NotFound("There is no such notification.")
    async with transaction():
        changed = await Notification.filter(id=notification.id, read_at__isnull=True).update(
            read_at=clock.now()
        )
        if changed:
            await Member.filter(id=member.id, unread_notifications__gt=0).update(
                unread_notifications=F("unread_notifications") - 1
            )
    return await Notification.get(id=notification.id)


async def mark_read_many(*, member: Member, ids: Iterable[int] | None = None) -> int:
    """Mark the given notifications of the member read, or all of them; returns how many."""
    query = Notification.filter(member_id=member.id, read_at__isnull=True)
    if ids is not None:
        query = query.filter(id__in=list(ids))
    async with transaction():
        changed = await query.update(read_at=clock.now())
        await _recount(member.id)
    return changed


async def preferences(member: Member) -> dict[Kind, Delivery]:
    """Every kind with the member's choice (or the default)."""
    chosen = {
        p.kind: Delivery(p.delivery)
        for p in await NotificationPreference.filter(member_id=member.id)
    }
    return {kind: chosen.get(kind.key, kind.default) for kind in all_kinds()}


async def set_preferences(*, member: Member, choices: EmailChoices) -> None:
    """Save the member's choices (kinds not chosen keep theirs). Notifications already waiting
    follow the new choice."""
    now = clock.now()
    async with transaction():
        for kind, delivery in choices.chosen().items():
            updated = await NotificationPreference.filter(
                member_id=member.id, kind=kind.key
            ).update(delivery=delivery)
            if not updated:
                try:
                    async with transaction():
                        await NotificationPreference.create(
                            member_id=member.id, kind=kind.key, delivery=delivery
                        )
                except IntegrityError:  # a concurrent save made it: set it
                    await NotificationPreference.filter(member_id=member.id, kind=kind.key).update(
                        delivery=delivery
                    )
            waiting = Notification.filter(
                member_id=member.id,
                kind=kind.key,
                email_state__in=[EmailState.PENDING, EmailState.DIGEST],
            )
            if delivery == Delivery.NEVER:
                await waiting.update(email_state=EmailState.NONE, email_due_at=None)
            elif delivery == Delivery.DIGEST:
                await waiting.update(email_state=EmailState.DIGEST, email_due_at=None)
            else:
                await waiting.filter(email_state=EmailState.DIGEST).update(
                    email_state=EmailState.PENDING, email_due_at=now
                )


async def withdraw(*, dedupe_key: str | None = None, topic: str | None = None) -> int:
    """Take back notifications about something that was hidden or deleted: they leave the
    inbox, and emails not sent yet never go. Returns how many. Call inside a transaction."""
    query = Notification.all()
    if dedupe_key is not None:
        query = query.filter(dedupe_key=dedupe_key)
    elif topic is not None:
        query = query.filter(topic=topic)
    else:
        return 0
    members = {n.member_id for n in await query.only("id", "member_id")}
    count = await query.delete()
    for member_id in sorted(members):  # one order, so two withdrawals cannot deadlock
        await _recount(member_id)
    return count
