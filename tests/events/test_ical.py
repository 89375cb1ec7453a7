"""The .ics of an event: valid iCalendar, local time with TZID and VTIMEZONE."""

from __future__ import annotations

import pytest
from icalendar import Calendar
from starlette.applications import Starlette

from community.events import service
from tests import dates
from tests.conftest import open_browser
from tests.factories import PASSWORD, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_event_ics_is_valid_and_in_the_events_zone(app: Starlette) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, title="Reflective supervision")
    starts = dates.day(8, "19:00")  # make_event's default, in Asia/Singapore
    async with open_browser(app) as browser:
        response = await browser.get(f"/events/{event.id}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    text = response.text
    assert f"DTSTART;TZID=Asia/Singapore:{starts:%Y%m%dT%H%M%S}" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Asia/Singapore" in text
    calendar = Calendar.from_ical(response.content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == "Reflective supervision"
    assert entry.decoded("dtstart") == starts
    assert str(entry["status"]) == "CONFIRMED"
    assert str(entry["uid"]) == f"event-{event.id}@community.test"
    await service.cancel_event(actor=facilitator, event_id=event.id)
    async with open_browser(app) as browser:
        again = Calendar.from_ical((await browser.get(f"/events/{event.id}.ics")).content)
    assert str(again.walk("VEVENT")[0]["status"]) == "CANCELLED"


async def test_private_event_ics_is_for_members_only(app: Starlette) -> None:
    facilitator = await make_member(email="pi@example.org")
    group = await make_group(facilitator=facilitator, visibility="private")
    event = await make_event(group, facilitator)
    async with open_browser(app) as browser:
        assert (await browser.get(f"/events/{event.id}.ics")).status_code == 404
        await browser.login("pi@example.org", PASSWORD)
        assert (await browser.get(f"/events/{event.id}.ics")).status_code == 200
