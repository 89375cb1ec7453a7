"""The kept unread counter agrees with the unread notifications, also when notifications
arrive while the member marks everything read (concurrent transactions on PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

from community.accounts.models import Member
from community.forum import kinds as forum_kinds
from community.notifications.models import Notification
from community.notifications.service import Notice, mark_read_many, notify, unread_count
from tests.factories import make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _tell(member: Member, number: int) -> None:
    notice = Notice(
        kind=forum_kinds.REPLY,
        title=f"Reply {number}",
        url="/",
        dedupe_key=f"race:{number}",
    )
    async with in_transaction():
        await notify([member], notice)
        await asyncio.sleep(0.001)  # hold the transaction open a moment, as a request does


async def test_notifications_arriving_while_marking_read_keep_the_count(
    database: None,
) -> None:
    member = await make_member()
    fresh = await Member.get(id=member.id)
    number = 0
    for _ in range(10):
        tasks = []
        for _ in range(6):
            number += 1
            tasks.append(_tell(fresh, number))
        tasks.append(mark_read_many(member=fresh))
        tasks.append(unread_count(fresh))
        await asyncio.gather(*tasks)
    unread = await Notification.filter(member_id=member.id, read_at__isnull=True).count()
    assert (await Member.get(id=member.id)).unread_notifications == unread
