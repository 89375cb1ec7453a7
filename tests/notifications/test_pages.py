"""Notification pages: the bell, the inbox by day, marking read, choosing emails."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.forum import kinds as forum_kinds
from community.notifications import service
from community.notifications.models import Delivery, Notification
from tests import dates
from tests.conftest import open_browser, text_of
from tests.factories import (
    PASSWORD,
    add_member,
    make_group,
    make_member,
    make_reply,
    make_thread,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def replies_to(email: str, count: int, *, hours_apart: int = 0) -> Member:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    starter = await make_member(email=email, name="Sam Tan")
    replier = await make_member(name="Rin Ong")
    for person in (starter, replier):
        await add_member(group, person)
    thread = await make_thread(group, starter, title="Supervision")
    for number in range(count):
        clock.advance(timedelta(hours=hours_apart))
        await make_reply(thread, replier, f"Reply {number + 1}")
    return starter


async def test_bell_inbox_by_day_and_marking_read(app: Starlette) -> None:
    await replies_to("bell@example.org", 3, hours_apart=12)
    # the replies came 12, 24 and 36 hours after the start: the first and the last a day
    # apart, so on two days in the member's zone (the site's), the newest day shown first
    singapore = ZoneInfo("Asia/Singapore")
    newest_day = clock.now().astimezone(singapore)
    oldest_day = (clock.now() - timedelta(hours=24)).astimezone(singapore)
    async with open_browser(app) as browser:
        await browser.login("bell@example.org", PASSWORD)
        home = await browser.get("/groups")
        assert 'Notifications <span class="badge">3<span class="visually-hidden"> unread' in (
            home.text
        )
        inbox = await browser.get("/notifications")
        text = text_of(inbox)
        assert "3 unread" in text
        assert text.index(dates.long_date(newest_day)) < text.index(dates.long_date(oldest_day))
        assert text.count("New Rin Ong replied in “Supervision” Reply") == 3
        newest, middle, oldest = await Notification.all().order_by("-id")
        opened = await browser.get(f"/notifications/{oldest.id}")
        assert opened.status_code == 303 and opened.headers["location"] == oldest.url
        done = await browser.post(f"/notifications/{middle.id}/read", {})
        assert done.status_code == 303
        assert "1 unread" in text_of(await browser.get("/notifications"))
        everything = await browser.post("/notifications/read-all", {})
        assert "1 notification marked read." in text_of(
            await browser.get(everything.headers["location"])
        )
        after = await browser.get("/groups")
        assert 'class="badge"' not in after.text
    assert (await Member.get(email="bell@example.org")).unread_notifications == 0
    assert newest.read_at is None  # the objects were read before: the database says read
    assert await Notification.filter(read_at__isnull=True).count() == 0


async def test_notifications_are_private_to_their_member(app: Starlette) -> None:
    await replies_to("mine@example.org", 1)
    await make_member(email="other@example.org")
    [notice] = await Notification.all()
    async with open_browser(app) as browser:
        assert (await browser.get("/notifications")).status_code == 403
        await browser.login("other@example.org", PASSWORD)
        assert (await browser.get(f"/notifications/{notice.id}")).status_code == 404
        assert (await browser.post(f"/notifications/{notice.id}/read", {})).status_code == 404
        assert "Nothing yet" in text_of(await browser.get("/notifications"))
    assert (await Notification.get(id=notice.id)).read_at is None


async def test_choosing_emails_on_the_settings_page(app: Starlette) -> None:
    member = await make_member(email="prefs@example.org")
    async with open_browser(app) as browser:
        await browser.login("prefs@example.org", PASSWORD)
        page = await browser.get("/settings/notifications")
        assert "Replies in discussions I started or watch" in text_of(page)
        assert 'name="new_thread" value="digest" checked' in page.text
        # reminders cannot wait for the digest: no such option, and a forged one is refused
        assert 'name="event_reminder" value="digest"' not in page.text
        bad = await browser.post(
            "/settings/notifications", {"reply": "sometimes", "event_reminder": "digest"}
        )
        assert bad.status_code == 422
        # the same messages as the API's (one command reads both)
        assert "Choose one of the options: immediately (email me)" in text_of(bad)
        assert "This email only makes sense at once" in text_of(bad)
        assert await service.preferences(member) == await service.preferences(
            await make_member()
        )  # nothing saved
        ok = await browser.post("/settings/notifications", {"reply": "digest", "mention": "never"})
        assert ok.status_code == 303
    chosen = await service.preferences(member)
    assert chosen[forum_kinds.REPLY] == Delivery.DIGEST
    assert chosen[forum_kinds.MENTION] == Delivery.NEVER
    assert chosen[forum_kinds.QUOTE] == Delivery.IMMEDIATELY  # left as it was
