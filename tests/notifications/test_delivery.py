"""Emailing notifications: coalesced bursts, preferences, the daily digest, unsubscribe."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.forum import kinds as forum_kinds
from community.notifications import delivery, service
from community.notifications.models import Delivery, DigestRun, Notification
from community.notifications.schemas import EmailChoices, NotificationChoices
from community.settings import Settings, SettingsError, configure
from tests import dates
from tests.conftest import open_browser, text_of
from tests.factories import (
    add_member,
    emails_to,
    make_group,
    make_member,
    make_reply,
    make_thread,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _reply(delivery: str) -> EmailChoices:
    """The member's choice for replies, as the settings page or the API sends it."""
    return NotificationChoices.from_json({"reply": delivery})


async def busy_thread(replies: int, *, starter_email: str = "st@example.org") -> Member:
    """A thread whose starter gets `replies` replies from a few members, one a second."""
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    starter = await make_member(email=starter_email, name="Sam Tan")
    await add_member(group, starter)
    repliers = [await make_member() for _ in range(max(1, replies // 5 + 1))]
    for person in repliers:
        await add_member(group, person)
    thread = await make_thread(group, starter, title="Case notes")
    for number in range(replies):
        clock.advance(timedelta(seconds=1))
        await make_reply(thread, repliers[number // 5], f"Reply number {number + 1}")
    return starter


async def activity_emails(address: str) -> list:
    return await emails_to(address, "notifications/activity")


async def test_the_burst_window_is_a_setting(database: None, settings: Settings) -> None:
    # NOTIFY_BURST_SECONDS (#22): operators and tests can shorten the wait
    configure(replace(settings, notify_burst_seconds=60))
    try:
        assert service.coalesce_window() == timedelta(seconds=60)
        await busy_thread(1)
        clock.advance(timedelta(seconds=59))
        assert await delivery.send_pending_emails() == 0
        clock.advance(timedelta(seconds=1))
        assert await delivery.send_pending_emails() == 1
    finally:
        configure(settings)
    assert service.coalesce_window() == timedelta(minutes=5)  # the default
    assert (
        Settings.from_env({"NOTIFY_BURST_SECONDS": "30"}, embedded=True).notify_burst_seconds == 30
    )
    with pytest.raises(SettingsError, match="NOTIFY_BURST_SECONDS"):
        Settings.from_env({"NOTIFY_BURST_SECONDS": "a while"}, embedded=True)


async def test_a_burst_of_ten_replies_makes_one_email(database: None) -> None:
    await busy_thread(10)
    assert await delivery.send_pending_emails() == 0  # the window is still open
    clock.advance(service.coalesce_window())
    assert await delivery.send_pending_emails() == 1
    assert await delivery.send_pending_emails() == 0  # the next tick
    [email] = await activity_emails("st@example.org")
    assert email.subject.endswith("replied in “Case notes” and 9 more")
    assert email.text_body.count("Reply number") == 10
    assert email.text_body.count("https://community.test/posts/") == 10
    later = await Notification.filter(member__email="st@example.org").values_list(
        "email_state", flat=True
    )
    assert set(later) == {"sent"}


async def test_two_workers_send_a_burst_once(database: None) -> None:
    await busy_thread(6)
    clock.advance(service.coalesce_window())
    results = await asyncio.gather(*(delivery.send_pending_emails() for _ in range(4)))
    assert sum(results) == 1
    assert len(await activity_emails("st@example.org")) == 1


async def test_never_keeps_the_inbox_but_sends_nothing(database: None) -> None:
    member = await make_member(email="quiet@example.org")
    await service.set_preferences(member=member, choices=_reply("never"))
    await busy_thread(3, starter_email="quiet2@example.org")  # someone else's thread
    starter = await Member.get(email="quiet2@example.org")
    await service.set_preferences(member=starter, choices=_reply("never"))
    clock.advance(service.coalesce_window())
    assert await delivery.send_pending_emails() == 0  # the choice applies to those waiting
    assert await Notification.filter(member_id=starter.id).count() == 3
    assert await activity_emails("quiet2@example.org") == []


async def test_unverified_addresses_are_never_emailed(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    thread = await make_thread(group, facilitator)
    await Member.filter(id=facilitator.id).update(verified_at=None)
    replier = await make_member()
    await add_member(group, replier)
    await make_reply(thread, replier)
    clock.advance(service.coalesce_window())
    assert await delivery.send_pending_emails() == 0
    assert await Notification.filter(member_id=facilitator.id).count() == 1


async def test_digest_goes_at_eight_in_each_members_zone(database: None) -> None:
    zones = {
        "sg@example.org": "",
        "ldn@example.org": "Europe/London",
        "ny@example.org": "America/New_York",
    }
    for address, zone in zones.items():
        starter = await busy_thread(2, starter_email=address)
        await Member.filter(id=starter.id).update(time_zone=zone)
        await service.set_preferences(member=starter, choices=_reply("digest"))
    replied = clock.now()
    clock.advance(service.coalesce_window())
    assert await delivery.send_pending_emails() == 0  # digest items wait for the digest

    async def digests_at(moment: datetime) -> list[str]:
        clock.freeze(moment)
        await delivery.send_digests()
        sent = await emails_to_all("notifications/digest")
        return sorted(sent)

    # each member's digest goes at the first 08:00 in their zone (Singapore, the site's, for
    # members without one) after the replies came (if today's 08:00 there has passed, the
    # replies wait for tomorrow's), at that day's offset: not a minute before it, and the
    # members whose 08:00 came earlier have theirs already
    eights = {
        address: _next_eight(replied, zone or "Asia/Singapore") for address, zone in zones.items()
    }
    expected: list[str] = []
    for address, moment in sorted(eights.items(), key=lambda item: item[1]):
        assert await digests_at(moment - timedelta(minutes=1)) == sorted(expected)
        expected.append(address)
        assert await digests_at(moment) == sorted(expected)
    assert await delivery.send_digests() == 0
    [digest] = await emails_to("ny@example.org", "notifications/digest")
    assert digest.subject == "Your daily summary: 2 new things"
    new_york_day = eights["ny@example.org"].astimezone(ZoneInfo("America/New_York"))
    assert dates.long_date(new_york_day) in digest.text_body
    assert "Reply number 2" in digest.text_body
    assert await DigestRun.all().count() == 3


def _next_eight(after: datetime, zone: str) -> datetime:
    """The first 08:00 in `zone` after the moment `after`, in UTC (by the zone's own rules)."""
    local = after.astimezone(ZoneInfo(zone))
    for day in (local.date(), local.date() + timedelta(days=1)):
        eight = datetime.combine(day, time(8), tzinfo=ZoneInfo(zone)).astimezone(UTC)
        if eight > after:
            return eight
    raise AssertionError("an 08:00 comes every day")


async def emails_to_all(template: str) -> list[str]:
    from community.mail.models import OutboxMessage

    return list(await OutboxMessage.filter(template=template).values_list("to_address", flat=True))


async def test_no_digest_when_nothing_waits_and_one_a_day(database: None) -> None:
    starter = await busy_thread(1, starter_email="one@example.org")
    await service.set_preferences(member=starter, choices=_reply("digest"))
    eight = _next_eight(clock.now(), "Asia/Singapore")  # the site's zone: the member has none
    clock.freeze(eight + timedelta(hours=1))
    assert await delivery.send_digests() == 1
    assert await delivery.send_digests() == 0  # nothing waits now
    await busy_thread(1, starter_email="two@example.org")  # another member, same day
    # a new item for the first member later that day waits for tomorrow's digest
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    await add_member(group, starter)
    thread = await make_thread(group, starter, title="Second")
    await make_reply(thread, facilitator)
    assert await delivery.send_digests() == 0
    clock.freeze(_next_eight(clock.now(), "Asia/Singapore") + timedelta(minutes=5))
    assert await delivery.send_digests() == 1
    assert len(await emails_to("one@example.org", "notifications/digest")) == 2


async def unsubscribe_path(message_body: str) -> str:
    match = re.search(r"https://community\.test(/unsubscribe/\S+)", message_body)
    assert match, message_body
    return match.group(1)


async def test_every_notification_email_has_one_click_unsubscribe(app: Starlette) -> None:
    await busy_thread(2, starter_email="unsub@example.org")
    clock.advance(service.coalesce_window())
    await delivery.send_pending_emails()
    [email] = await activity_emails("unsub@example.org")
    header = email.headers["List-Unsubscribe"]
    assert header.startswith("<https://community.test/unsubscribe/") and "/reply/" in header
    assert email.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = await unsubscribe_path(email.text_body)
    assert path in email.html_body and header == f"<https://community.test{path}>"
    member = await Member.get(email="unsub@example.org")
    async with open_browser(app) as browser:  # no sign-in, no CSRF token: RFC 8058
        page = await browser.get(path)
        assert page.status_code == 200 and "Unsubscribe" in text_of(page)
        assert (await service.preferences(member))[forum_kinds.REPLY] == Delivery.IMMEDIATELY
        done = await browser.client.post(
            path, content="List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert done.status_code == 200 and "You are unsubscribed" in text_of(done)
        again = await browser.client.post(path, content="List-Unsubscribe=One-Click")
        assert again.status_code == 200  # a reused link is harmless
        forged = path.rsplit("/", 1)[0] + "/" + "0" * 32
        assert (await browser.client.post(forged)).status_code == 404
        other_member = path.replace(f"/unsubscribe/{member.id}/", f"/unsubscribe/{member.id + 1}/")
        assert (await browser.client.post(other_member)).status_code == 404
        assert (await browser.get("/unsubscribe/1/nonsense/" + "0" * 32)).status_code == 404
    assert (await service.preferences(member))[forum_kinds.REPLY] == Delivery.NEVER
    assert (await service.preferences(member))[forum_kinds.MENTION] == Delivery.IMMEDIATELY


async def test_unsubscribe_from_everything(app: Starlette) -> None:
    member = await make_member(email="all@example.org")
    url = delivery.unsubscribe_url(member.id)
    async with open_browser(app) as browser:
        done = await browser.client.post(url.removeprefix("https://community.test"))
    assert done.status_code == 200
    assert set((await service.preferences(member)).values()) == {Delivery.NEVER}
