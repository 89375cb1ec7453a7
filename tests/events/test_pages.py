"""Event pages: scheduling through the form, the event page, RSVP through it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette

from community import clock
from community.events import service
from community.events.models import Event, Rsvp
from community.groups.models import Membership
from tests import dates
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import (
    PASSWORD,
    add_member,
    bulk_members,
    make_event,
    make_group,
    make_member,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
SINGAPORE = ZoneInfo("Asia/Singapore")


async def test_facilitator_schedules_an_event_through_the_form(app: Starlette) -> None:
    facilitator = await make_member(email="ev@example.org")
    group = await make_group(facilitator=facilitator, name="Practice Circle")
    async with open_browser(app) as browser:
        await browser.login("ev@example.org", PASSWORD)
        assert (await browser.get(f"/groups/{group.slug}/events/new")).status_code == 200
        bad = await browser.post(
            f"/groups/{group.slug}/events",
            {
                "title": "",
                "starts_at": dates.field(dates.day(8, "19:00")),
                "ends_at": dates.field(dates.day(8, "18:00")),
            },
        )
        assert bad.status_code == 422
        text = text_of(bad)
        assert "Give the event a title." in text and "Choose an end time after the start." in text
        assert "Enter a venue address, an online link, or both." in text
        assert await Event.all().count() == 0
        # 09:30 to 12:30 in London ten days on: 7 or 8 hours later in Singapore, by the season
        starts = dates.day(10, "09:30", "Europe/London")
        ends = starts + timedelta(hours=3)
        done = await browser.post(
            f"/groups/{group.slug}/events",
            {
                "title": "Motivational interviewing refresher",
                "kind": "workshop",
                "starts_at": dates.field(starts),
                "ends_at": dates.field(ends),
                "time_zone": "Europe/London",
                "venue": "Room 2, 10 Downing Lane",
                "capacity": "12",
                "cpd_hours": "3",
            },
        )
        assert done.status_code == 303
        page = text_of(await browser.get(done.headers["location"]))
        assert f"{dates.long_date(starts)}, 09:30 to 12:30 (Europe/London)" in page
        mine, mine_ends = (moment.astimezone(SINGAPORE) for moment in (starts, ends))
        assert mine.date() == mine_ends.date()  # so the end is written as a time only
        your_time = f"{mine:%A} {mine.day} {mine:%B, %H:%M} to {mine_ends:%H:%M}"
        assert f"Your time: {your_time} (Asia/Singapore)." in page
        assert "12 seats left" in page and "3 CPD hours" in page
        home = text_of(await browser.get(f"/groups/{group.slug}"))
        assert "Motivational interviewing refresher" in home


async def test_rsvp_waitlist_and_cancel_through_the_page(app: Starlette) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=1)
    for email in ("a@example.org", "b@example.org"):
        await add_member(group, await make_member(email=email))
    async with open_browser(app) as first, open_browser(app) as second:
        await first.login("a@example.org", PASSWORD)
        await second.login("b@example.org", PASSWORD)
        before = text_of(await first.get(f"/events/{event.id}"))
        assert "NCSS Hub" not in before and "shown to members who are going" in before
        await first.post(f"/events/{event.id}/rsvp", {"answer": "going"})
        going = text_of(await first.get(f"/events/{event.id}"))
        assert "You are going." in going and "NCSS Hub, Level 3" in going
        assert "Join online" in going
        response = await second.post(f"/events/{event.id}/rsvp", {"answer": "going"})
        assert response.status_code == 303
        waiting = text_of(await second.get(f"/events/{event.id}"))
        assert "you are on the waitlist" in waiting
        assert "You are number 1 on the waitlist." in waiting
        await first.post(f"/events/{event.id}/rsvp", {"answer": "not_going"})
        promoted = text_of(await second.get(f"/events/{event.id}"))
        assert "You are going." in promoted
    assert await Rsvp.filter(status="going").count() == 1


async def test_event_lists(app: Starlette) -> None:
    facilitator = await make_member(email="el@example.org")
    public = await make_group(facilitator=facilitator)
    private = await make_group(facilitator=facilitator, visibility="private")
    await make_event(public, facilitator, title="Open talk")
    await make_event(private, facilitator, title="Members-only circle")
    await make_event(
        public,
        facilitator,
        title="Last year's forum",
        starts=dates.field(dates.day(-365, "10:00")),
        ends=dates.field(dates.day(-365, "12:00")),
    )
    async with open_browser(app) as browser:
        upcoming = text_of(await browser.get("/events"))
        assert "Open talk" in upcoming and "Members-only" not in upcoming
        assert "Last year's forum" not in upcoming
        assert "Last year's forum" in text_of(await browser.get("/events?when=past"))
        await browser.login("el@example.org", PASSWORD)
        assert "Members-only circle" in text_of(await browser.get("/events"))
        assert "Open talk" not in text_of(await browser.get("/events?kind=course"))


async def test_facilitator_edits_and_cancels_through_the_pages(app: Starlette) -> None:
    facilitator = await make_member(email="ec@example.org")
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=3)
    async with open_browser(app) as browser:
        await browser.login("ec@example.org", PASSWORD)
        starts, ends = dates.day(8, "19:00"), dates.day(8, "21:00")  # as the event is now
        form = await browser.get(f"/events/{event.id}/edit")
        assert form.status_code == 200 and f'value="{dates.field(starts)}"' in form.text
        assert "Edit the event" in text_of(form)
        saved = await browser.post(
            f"/events/{event.id}/edit",
            {
                "title": "Renamed session",
                "kind": "talk",
                "starts_at": dates.field(starts),
                "ends_at": dates.field(ends),
                "time_zone": "Asia/Singapore",
                "venue": "Room 9",
            },
        )
        assert saved.status_code == 303
        assert "Renamed session" in text_of(await browser.get(f"/events/{event.id}"))
        cancelled = await browser.post(f"/events/{event.id}/cancel")
        assert cancelled.status_code == 303
        page = text_of(await browser.get(f"/events/{event.id}"))
        assert "Cancelled" in page and "RSVPs are closed." in page
    async with open_browser(app) as visitor:
        assert (await visitor.post(f"/events/{event.id}/cancel")).status_code == 403


async def test_event_page_costs_the_same_for_few_and_many_attendees(
    app: Starlette, count_queries: QueryCounter
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    viewer = await make_member(email="qc@example.org")
    await add_member(group, viewer)
    costs = []
    for people in (2, 30):
        event = await make_event(group, facilitator, capacity=people // 2)
        for person in await bulk_members(people):
            await Membership.create(group_id=group.id, member_id=person.id, joined_at=clock.now())
            await service.rsvp(actor=person, event_id=event.id)
        await service.rsvp(actor=viewer, event_id=event.id)  # on the waitlist
        async with open_browser(app) as browser:
            await browser.login("qc@example.org", PASSWORD)
            count_queries.queries.clear()
            page = await browser.get(f"/events/{event.id}")
            costs.append(len(count_queries.queries))
        assert "You are number" in text_of(page)
    assert costs[0] == costs[1], costs
