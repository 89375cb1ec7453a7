"""A member's personal calendar feed: their events at a secret address they can reset.

The address carries the member's id and an HMAC of it with a version number stored on the
member: nothing secret is stored, and bumping the version ends every old address at once.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from tortoise.expressions import F

from community import clock
from community.accounts.models import Member
from community.errors import NotFound
from community.events.models import Event, RsvpStatus
from community.settings import current as current_settings
from community.text import whole_number
from community.urls import absolute_url

#: how far back the feed keeps events, so a calendar keeps recent history
FEED_HISTORY = timedelta(days=90)
FEED_LIMIT = 500


def _signature(member_id: int, version: int) -> str:
    secret = current_settings().secret_key.encode()
    message = f"events:calendar-feed:{member_id}:{version}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def feed_token(member: Member) -> str:
    """The secret part of the member's feed address."""
    return f"{member.id}-{_signature(member.id, member.calendar_feed_version)}"


def feed_url(member: Member) -> str:
    return absolute_url("events:feed", token=feed_token(member))


async def member_for_feed(token: str) -> Member:
    """The member whose current feed address this is; NotFound for old or forged ones."""
    raw_id, _, signature = token.partition("-")
    member_id = whole_number(raw_id, low=1)
    if member_id is None:
        raise NotFound("There is no such calendar.")
    member = await Member.filter(
        id=member_id, deleted_at__isnull=True, suspended_at__isnull=True
    ).first()
    if member is None or not hmac.compare_digest(
        _signature(member.id, member.calendar_feed_version), signature
    ):
        raise NotFound("There is no such calendar.")
    return member


async def reset_feed(member: Member) -> Member:
    """Give the member a new feed address; the old one stops working at once."""
    await Member.filter(id=member.id).update(calendar_feed_version=F("calendar_feed_version") + 1)
    await member.refresh_from_db(fields=["calendar_feed_version"])
    return member


async def feed_events(member: Member) -> list[Event]:
    """The events the member is going to, from a while ago on (cancelled ones say so)."""
    return list(
        await Event.filter(
            rsvps__member_id=member.id,
            rsvps__status=RsvpStatus.GOING,
            ends_at__gte=clock.now() - FEED_HISTORY,
        )
        .order_by("starts_at", "id")
        .limit(FEED_LIMIT)
    )
