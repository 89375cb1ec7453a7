"""Calendars: the month view, the personal feed, filters, and time zones seen from elsewhere."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.errors import Invalid
from community.events import feeds, service
from community.events.calendar import Month, month_grid
from community.events.models import Event
from community.events.schemas import EventForm
from tests import dates
from tests.conftest import open_browser, text_of
from tests.factories import PASSWORD, add_member, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _in_london(member: Member) -> Member:
    await Member.filter(id=member.id).update(time_zone="Europe/London")
    return await Member.get(id=member.id)


async def test_month_view_puts_events_on_the_readers_day(app: Starlette) -> None:
    facilitator = await make_member(email="mv@example.org")
    group = await make_group(facilitator=facilitator, name="Early Years Circle")
    # 06:00 in Singapore is 22:00 (winter) or 23:00 (summer time) the day before in London
    starts = dates.day(9, "06:00")
    in_london = starts.astimezone(ZoneInfo("Europe/London"))
    assert in_london.date() < starts.date()
    await make_event(
        group,
        facilitator,
        title="Dawn reflective circle",
        starts=dates.field(starts),
        ends=dates.field(dates.day(9, "07:00")),
    )
    async with open_browser(app) as browser:
        page = text_of(await browser.get(f"/events/calendar?month={dates.month(starts)}"))
        assert f"Events in {starts:%B %Y}" in page and "Times in Asia/Singapore" in page
        assert f"{_day_of(starts)} 06:00 Dawn reflective circle" in page
        await _in_london(facilitator)
        await browser.login("mv@example.org", PASSWORD)
        # the month the London day is in (the day before may be in the month before)
        london = text_of(await browser.get(f"/events/calendar?month={dates.month(in_london)}"))
        assert "Times in Europe/London" in london
        assert f"{_day_of(in_london)} {in_london:%H:%M} Dawn reflective circle" in london
        today = text_of(await browser.get("/events/calendar"))
        this_month = clock.now().astimezone(ZoneInfo("Europe/London"))
        assert f"Events in {this_month:%B %Y}" in today and "Today" in today


def _day_of(moment: datetime) -> str:
    """A day as the month view reads it out: "Tuesday 1 December", without the year."""
    return f"{moment:%A} {moment.day} {moment:%B}"


async def test_month_view_hides_private_events_and_filters(app: Starlette) -> None:
    facilitator = await make_member(email="mf@example.org")
    open_group = await make_group(facilitator=facilitator, name="Open Circle")
    closed = await make_group(facilitator=facilitator, name="Closed Circle", visibility="private")
    await make_event(open_group, facilitator, title="Open talk", kind="talk")
    await make_event(open_group, facilitator, title="Open course", kind="course")
    await make_event(closed, facilitator, title="Closed talk", kind="talk")
    month = dates.month(dates.day(8))  # the events' month: make_event's day
    async with open_browser(app) as browser:
        visitor = text_of(await browser.get(f"/events/calendar?month={month}"))
        assert "Open talk" in visitor and "Closed talk" not in visitor
        assert "Closed Circle" not in visitor  # not even in the group filter
        talks = text_of(await browser.get(f"/events/calendar?month={month}&kind=talk"))
        assert "Open talk" in talks and "Open course" not in talks
        await browser.login("mf@example.org", PASSWORD)
        only_closed = await browser.get(f"/events/calendar?month={month}&group={closed.slug}")
        text = text_of(only_closed)
        assert "Closed talk" in text and "Open talk" not in text
        following = dates.next_month(dates.day(8))
        assert f"month={following}&amp;group={closed.slug}" in only_closed.text  # filters kept


async def test_event_list_filters_by_group(app: Starlette) -> None:
    facilitator = await make_member()
    first = await make_group(facilitator=facilitator, name="First Circle")
    second = await make_group(facilitator=facilitator, name="Second Circle")
    await make_event(first, facilitator, title="First event")
    await make_event(second, facilitator, title="Second event")
    async with open_browser(app) as browser:
        page = await browser.get("/events")
        assert f'<option value="{second.slug}">Second Circle</option>' in page.text
        text = text_of(await browser.get(f"/events?group={second.slug}"))
        assert "Second event" in text and "First event" not in text


async def test_event_list_next_page_keeps_its_filters(app: Starlette) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator, name="Busy Circle")
    for number in range(21):  # one more than a page
        starts = dates.day(9 + number, "10:00")
        await make_event(
            group, facilitator, title=f"Talk {number:02d}", kind="talk",
            starts=dates.field(starts), ends=dates.field(starts + timedelta(hours=1)),
        )  # fmt: skip
    await make_event(group, facilitator, title="A workshop", kind="workshop")
    async with open_browser(app) as browser:
        first = await browser.get(f"/events?kind=talk&group={group.slug}")
        assert "Talk 19" in first.text and "Talk 20" not in first.text
        found = re.search(r'href="(/events\?[^"]*cursor=[^"]*)">More events', first.text)
        assert found, first.text
        link = found.group(1).replace("&amp;", "&")
        assert link.startswith(f"/events?kind=talk&group={group.slug}&cursor=")
        second = text_of(await browser.get(link))
        assert "Talk 20" in second and "Talk 19" not in second
        assert "A workshop" not in second and "More events" not in second


@pytest.mark.parametrize("month", ["2026-13", "December", "1999-12", "2026-1x"])
async def test_a_bad_month_is_a_clear_error(app: Starlette, month: str) -> None:
    async with open_browser(app) as browser:
        response = await browser.get(f"/events/calendar?month={month}")
    assert response.status_code == 422
    assert "Choose a month" in text_of(response)


async def test_a_multi_day_event_is_on_each_of_its_days() -> None:
    # from 30 December to midnight after 1 January, in a year whose December grid runs on
    # into January (its 31 December is not a Sunday): the first such year from today's
    year = clock.now().year
    while date(year, 12, 31).weekday() == 6:
        year += 1
    first = date(year, 12, 30)
    event = await _unsaved_event(f"{first}T09:00", f"{first + timedelta(days=3)}T00:00")
    weeks = month_grid(Month(year, 12), [event], ZoneInfo("Asia/Singapore"))
    days = [day.date for week in weeks for day in week if day.events]
    # ends at midnight: not on the 2nd
    assert days == [first, first + timedelta(days=1), first + timedelta(days=2)]


async def _unsaved_event(starts: str, ends: str) -> Event:
    form = EventForm.from_form(
        {"title": "Course", "starts_at": starts, "ends_at": ends, "venue": "Hall"}
    )
    return Event(title=form.title, starts_at=form.starts_at, ends_at=form.ends_at, time_zone="UTC")


async def test_personal_feed_lists_going_events_with_links(app: Starlette) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await make_member(email="feed@example.org")
    await add_member(group, member)
    going = await make_event(group, facilitator, title="Going to this", capacity=1)
    skipped = await make_event(group, facilitator, title="Not going to this")
    await service.rsvp(actor=member, event_id=going.id)
    url = feeds.feed_url(member)
    assert url.startswith("https://community.test/calendar/")
    async with open_browser(app) as browser:  # no sign-in: the address is the key
        response = await browser.get(url.removeprefix("https://community.test"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    [entry] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(entry["summary"]) == "Going to this"
    assert "Join online: https://meet.example.org/abc" in str(entry["description"])
    assert skipped.title not in response.text
    await service.cancel_event(actor=facilitator, event_id=going.id)
    async with open_browser(app) as browser:
        again = await browser.get(url.removeprefix("https://community.test"))
    assert str(Calendar.from_ical(again.content).walk("VEVENT")[0]["status"]) == "CANCELLED"


async def test_feed_address_resets_and_refuses_forgeries(app: Starlette) -> None:
    member = await make_member(email="reset@example.org")
    old_path = feeds.feed_url(member).removeprefix("https://community.test")
    async with open_browser(app) as browser:
        assert (await browser.get(old_path)).status_code == 200
        for forged in (f"/calendar/{member.id}-{'0' * 32}.ics", "/calendar/x-y.ics"):
            assert (await browser.get(forged)).status_code == 404
        assert (await browser.get("/settings/calendar")).status_code == 403
        await browser.login("reset@example.org", PASSWORD)
        settings = await browser.get("/settings/calendar")
        assert old_path in settings.text and "webcal://community.test/calendar/" in settings.text
        done = await browser.post("/settings/calendar/reset", {})
        assert done.status_code == 303
        assert "The old one no longer works" in text_of(await browser.get(done.headers["location"]))
        assert (await browser.get(old_path)).status_code == 404
    fresh = await Member.get(id=member.id)
    new_path = feeds.feed_url(fresh).removeprefix("https://community.test")
    assert new_path != old_path
    async with open_browser(app) as browser:
        assert (await browser.get(new_path)).status_code == 200
    await Member.filter(id=member.id).update(suspended_at=clock.now())
    async with open_browser(app) as browser:
        assert (await browser.get(new_path)).status_code == 404


async def test_singapore_event_seen_by_a_member_in_london(app: Starlette) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await _in_london(await make_member(email="ldn@example.org"))
    starts, ends = dates.day(8, "19:00"), dates.day(8, "21:00")
    event = await make_event(group, facilitator, starts=dates.field(starts), ends=dates.field(ends))
    async with open_browser(app) as browser:
        await browser.login("ldn@example.org", PASSWORD)
        page = text_of(await browser.get(f"/events/{event.id}"))
    assert f"{dates.long_date(starts)}, 19:00 to 21:00 (Asia/Singapore)" in page
    # 11:00 to 13:00 in London in winter, 12:00 to 14:00 in summer time: the same day
    london = ZoneInfo("Europe/London")
    there, until = starts.astimezone(london), ends.astimezone(london)
    assert there.date() == until.date() == starts.date()
    assert f"Your time: {_day_of(there)}, {there:%H:%M} to {until:%H:%M} (Europe/London)." in page
    assert member.time_zone == "Europe/London"


async def test_members_choose_their_zone_on_the_profile_form(app: Starlette) -> None:
    await make_member(email="tz@example.org", name="Tz Person")
    async with open_browser(app) as browser:
        await browser.login("tz@example.org", PASSWORD)
        form = await browser.get("/settings/profile")
        assert "<option>Europe/London</option>" in form.text
        bad = await browser.post(
            "/settings/profile", {"display_name": "Tz Person", "time_zone": "Mars/Olympus"}
        )
        assert bad.status_code == 422 and "Choose a time zone from the list" in text_of(bad)
        assert (await Member.get(email="tz@example.org")).time_zone == ""
        ok = await browser.post(
            "/settings/profile", {"display_name": "Tz Person", "time_zone": "Europe/London"}
        )
        assert ok.status_code == 303
    assert (await Member.get(email="tz@example.org")).time_zone == "Europe/London"


async def test_daylight_saving_in_new_york() -> None:
    def parse(starts: str, ends: str) -> EventForm:
        return EventForm.from_form(
            {"title": "T", "starts_at": starts, "ends_at": ends, "time_zone": "America/New_York",
             "venue": "Hall"}
        )  # fmt: skip

    new_york = ZoneInfo("America/New_York")
    # the next time the clocks go forward: 02:00 local becomes 03:00, UTC-5 (EST) becomes -4
    forward = dates.next_shift(new_york, forward=True)
    winter = (forward - timedelta(minutes=1)).astimezone(new_york).utcoffset()
    summer = forward.astimezone(new_york).utcoffset()
    assert winter is not None and summer is not None and summer - winter == timedelta(hours=1)
    gap = (forward + winter).replace(tzinfo=None)  # the wall clock's 02:00 that jumps to 03:00
    that_night = gap.date()
    # 10:00 is 15:00 UTC in winter and 14:00 UTC the day after the clocks go forward
    day_before, day_after = that_night - timedelta(days=1), that_night + timedelta(days=1)
    before = parse(f"{day_before}T10:00", f"{day_before}T11:00")
    after = parse(f"{day_after}T10:00", f"{day_after}T11:00")
    assert before.starts_at == datetime.combine(day_before, time(10), tzinfo=UTC) - winter
    assert after.starts_at == datetime.combine(day_after, time(10), tzinfo=UTC) - summer
    # across the change, 01:00 to 04:00 local is only two hours long
    across = parse(dates.field(gap - timedelta(hours=1)), dates.field(gap + timedelta(hours=2)))
    assert across.ends_at - across.starts_at == timedelta(hours=2)
    # 02:30 does not happen that night: a clear error, not a silent shift
    with pytest.raises(Invalid) as caught:
        parse(dates.field(gap + timedelta(minutes=30)), dates.field(gap + timedelta(hours=2)))
    assert "does not exist in America/New_York" in caught.value.fields["starts_at"]
    # the next time they go back, 02:00 daylight time becomes 01:00 again: 01:30 happens
    # twice, and is read as the first (still daylight time, UTC-4)
    back = dates.next_shift(new_york, forward=False)
    daylight = (back - timedelta(minutes=1)).astimezone(new_york).utcoffset()
    assert daylight is not None
    fold = (back + daylight).replace(tzinfo=None)  # the wall clock's 02:00 that goes to 01:00
    twice = parse(dates.field(fold - timedelta(minutes=30)), dates.field(fold + timedelta(hours=1)))
    assert twice.starts_at == (fold - timedelta(minutes=30)).replace(tzinfo=UTC) - daylight
    assert twice.starts_at == back - timedelta(minutes=30)
