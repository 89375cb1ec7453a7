"""Reminders: once per member and offset, latest due only, none after the start."""

from __future__ import annotations

import asyncio
import base64
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.events import service
from community.events.models import Event, ReminderDelivery, Rsvp, RsvpStatus
from community.events.reminders import cancel_signature, send_due_reminders
from community.events.schemas import EventChanges
from community.mail.models import OutboxMessage
from tests import dates
from tests.conftest import open_browser, text_of
from tests.factories import add_member, emails_to, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")
OFFSETS = (timedelta(hours=24), timedelta(hours=1))
SINGAPORE = ZoneInfo("Asia/Singapore")


async def setup(capacity: int | None = None) -> tuple[Event, list[Member], datetime]:
    """An event, three members of its group, and when it starts: the factory's 19:00 in
    Singapore eight days after today (by the clock, so call this before moving it)."""
    starts = dates.day(8, "19:00")
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=capacity)
    assert event.starts_at == starts
    people = []
    for number in range(3):
        person = await make_member(email=f"r{number}@example.org")
        await add_member(group, person)
        people.append(person)
    return event, people, starts


def written(moment: datetime, zone: ZoneInfo = SINGAPORE) -> str:
    """A start as the emails write it: weekday, day, month and year, the time, the zone."""
    local = moment.astimezone(zone)
    return f"{dates.long_date(local)}, {local:%H:%M} ({zone.key})"


async def reminders() -> list[str]:
    return sorted(
        await OutboxMessage.filter(template="events/reminder").values_list("to_address", flat=True)
    )


async def test_each_offset_is_sent_once_and_none_after_the_start(database: None) -> None:
    event, people, start = await setup()
    await service.rsvp(actor=people[0], event_id=event.id)
    await service.rsvp(actor=people[1], event_id=event.id)
    clock.freeze(start - timedelta(hours=25))
    assert await send_due_reminders(OFFSETS) == 0
    clock.freeze(start - timedelta(hours=23))
    assert await send_due_reminders(OFFSETS) == 2
    assert await send_due_reminders(OFFSETS) == 0  # the next tick
    clock.freeze(start - timedelta(minutes=50))
    assert await send_due_reminders(OFFSETS) == 2
    clock.freeze(start + timedelta(minutes=1))
    assert await send_due_reminders(OFFSETS) == 0
    assert await reminders() == ["r0@example.org"] * 2 + ["r1@example.org"] * 2
    message = await OutboxMessage.filter(template="events/reminder").first()
    assert message is not None
    assert written(start) in message.text_body
    assert "https://meet.example.org/abc" in message.text_body
    assert "/cant-make-it?member=" in message.text_body


async def test_a_worker_that_was_down_sends_only_the_latest_due_reminder(database: None) -> None:
    event, people, start = await setup()
    await service.rsvp(actor=people[0], event_id=event.id)
    clock.freeze(start - timedelta(minutes=30))
    assert await send_due_reminders(OFFSETS) == 1
    [delivery] = await ReminderDelivery.all()
    assert delivery.offset_minutes == 60


async def test_no_reminders_for_cancelled_rsvps_waitlist_or_cancelled_events(
    database: None,
) -> None:
    event, people, start = await setup(capacity=1)
    await service.rsvp(actor=people[0], event_id=event.id)
    await service.rsvp(actor=people[1], event_id=event.id)  # waitlist
    await service.rsvp(actor=people[2], event_id=event.id)
    await service.cancel_rsvp(actor=people[2], event_id=event.id)
    clock.freeze(start - timedelta(hours=2))
    assert await send_due_reminders(OFFSETS) == 1
    assert await reminders() == ["r0@example.org"]
    facilitator = await Member.get(id=event.created_by_id)  # type: ignore[attr-defined]
    await service.cancel_event(actor=facilitator, event_id=event.id)
    clock.freeze(start - timedelta(minutes=30))
    assert await send_due_reminders(OFFSETS) == 0


async def test_two_workers_never_send_the_same_reminder(database: None) -> None:
    event, people, start = await setup()
    for person in people:
        await service.rsvp(actor=person, event_id=event.id)
    clock.freeze(start - timedelta(hours=3))
    counts = await asyncio.gather(*(send_due_reminders(OFFSETS) for _ in range(4)))
    assert sum(counts) == 3
    assert await ReminderDelivery.all().count() == 3
    assert len(await reminders()) == 3


async def test_a_moved_event_re_arms_its_reminders(database: None) -> None:
    event, people, start = await setup()
    await service.rsvp(actor=people[0], event_id=event.id)
    clock.freeze(start - timedelta(hours=2))
    assert await send_due_reminders(OFFSETS) == 1
    facilitator = await Member.get(id=event.created_by_id)  # type: ignore[attr-defined]
    a_day_later = start.astimezone(SINGAPORE) + timedelta(days=1)
    moved = {
        "title": event.title,
        "starts_at": dates.field(a_day_later),
        "ends_at": dates.field(a_day_later + timedelta(hours=2)),
        "time_zone": "Asia/Singapore",
        "venue": "NCSS Hub, Level 3",
    }
    await service.update_event(
        actor=facilitator, event_id=event.id, changes=EventChanges.from_form(moved)
    )
    clock.freeze(a_day_later - timedelta(hours=2))
    assert await send_due_reminders(OFFSETS) == 1


async def test_one_click_cant_make_it_frees_the_seat(app: Starlette) -> None:
    event, people, start = await setup(capacity=1)
    await service.rsvp(actor=people[0], event_id=event.id)
    await service.rsvp(actor=people[1], event_id=event.id)
    clock.freeze(start - timedelta(hours=2))
    await send_due_reminders(OFFSETS)
    message = await OutboxMessage.get(template="events/reminder")
    link = next(line for line in message.text_body.splitlines() if "cant-make-it" in line).replace(
        "https://community.test", ""
    )
    async with open_browser(app) as browser:  # not signed in
        forged = await browser.get(link.replace("signature=", "signature=0"))
        assert forged.status_code == 404
        page = await browser.get(link)
        assert page.status_code == 200 and "Can't make it?" in text_of(page)
        rsvp = await Rsvp.get(event_id=event.id, member_id=people[0].id)
        form = {"member": str(people[0].id), "signature": cancel_signature(rsvp)}
        done = await browser.post(f"/events/{event.id}/cant-make-it", form)
        assert done.status_code == 200 and "Your RSVP is cancelled" in text_of(done)
        statuses = {r.member_id: r.status for r in await Rsvp.filter(event_id=event.id)}
        assert statuses[people[0].id] == RsvpStatus.NOT_GOING
        assert statuses[people[1].id] == RsvpStatus.GOING  # promoted
        # the link works once: used again, or after the member said "going" again, it refuses
        again = await browser.post(f"/events/{event.id}/cant-make-it", form)
        assert again.status_code == 404 and "used already" in text_of(again)
        clock.advance(timedelta(minutes=1))
        await service.rsvp(actor=people[0], event_id=event.id)  # back, on the waitlist
        assert (await browser.get(link)).status_code == 404
        assert (await browser.post(f"/events/{event.id}/cant-make-it", form)).status_code == 404
    assert (await Rsvp.get(event_id=event.id, member_id=people[0].id)).status == "waitlist"


async def test_reminder_is_in_the_members_time_with_an_ics_file(database: None) -> None:
    event, people, start = await setup()
    await Member.filter(id=people[0].id).update(time_zone="Europe/London")
    await service.rsvp(actor=people[0], event_id=event.id)
    await service.rsvp(actor=people[1], event_id=event.id)
    clock.freeze(start - timedelta(minutes=30))
    assert await send_due_reminders(OFFSETS) == 2
    london = (await emails_to("r0@example.org"))[-1]
    # 11:00 in London in winter (UTC+0), 12:00 in summer (UTC+1)
    assert london.subject.endswith(written(start, ZoneInfo("Europe/London")))
    assert f"That is {written(start)} where it happens." in london.text_body
    assert "Join online: https://meet.example.org/abc" in london.text_body
    singapore = (await emails_to("r1@example.org"))[-1]
    assert written(start) in singapore.text_body
    assert "where it happens" not in singapore.text_body
    [attachment] = london.attachments
    assert attachment["Name"] == f"event-{event.id}.ics"
    assert attachment["ContentType"] == "text/calendar"
    [entry] = Calendar.from_ical(base64.b64decode(attachment["Content"])).walk("VEVENT")
    assert entry.decoded("dtstart") == start.astimezone(SINGAPORE)
    assert "Join online: https://meet.example.org/abc" in str(entry["description"])
