"""Events: scheduling, RSVP, capacity under concurrency, waitlist promotion."""

from __future__ import annotations

import asyncio
from datetime import UTC, timedelta
from decimal import Decimal

import pytest

from community import clock
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.events import service
from community.events.models import Event, Rsvp, RsvpStatus
from community.events.schemas import EventChanges, EventForm
from community.notifications.models import Notification
from tests import dates
from tests.factories import (
    add_member,
    bulk_members,
    deliver_notification_emails,
    emails_to,
    make_event,
    make_group,
    make_member,
    notified,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_event_times_are_stored_in_utc_with_their_zone(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator)  # 19:00 in Singapore eight days on
    assert event.starts_at == dates.day(8, "19:00").astimezone(UTC)
    assert event.time_zone == "Asia/Singapore" and event.cpd_hours == Decimal("1.5")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # {day}: the event's day, eight days after today; {next_day}: the day after it
        ("ends_at", "{day}T18:00", "Choose an end time after the start."),
        # no 31 February, nor 30 February, in any year
        ("starts_at", "31/02/2026", "Enter when the event starts"),
        ("starts_at", "2026-02-30T10:00", "Enter when the event starts"),
        ("time_zone", "Mars/Olympus", "Choose a time zone"),
        ("capacity", "-5", "Enter the number of seats"),
        ("capacity", "99999999", "Enter the number of seats"),
        ("cpd_hours", "lots", "Enter CPD hours"),
        ("cpd_hours", "NaN", "Enter CPD hours"),
        ("rsvp_deadline", "{next_day}T10:00", "Choose an RSVP deadline before the start."),
        ("online_url", "javascript:alert(1)", "Enter the full online link"),
    ],
)
async def test_bad_event_input_names_the_field(field: str, value: str, message: str) -> None:
    starts = dates.day(8, "19:00")
    day, next_day = f"{starts:%Y-%m-%d}", f"{starts + timedelta(days=1):%Y-%m-%d}"
    raw = {
        "title": "T",
        "starts_at": dates.field(starts),
        "ends_at": dates.field(dates.day(8, "21:00")),
        "time_zone": "Asia/Singapore",
        "venue": "Room 1",
        field: value.format(day=day, next_day=next_day),
    }
    with pytest.raises(Invalid) as caught:
        EventForm.from_form(raw)
    assert message in caught.value.fields[field]


async def test_only_facilitators_schedule_group_events(database: None) -> None:
    group = await make_group()
    member = await make_member()
    await add_member(group, member)
    with pytest.raises(PermissionDenied):
        await make_event(group, member)
    with pytest.raises(PermissionDenied):
        await make_event(None, member)  # site-wide: admins only
    assert await Event.all().count() == 0


async def test_full_event_puts_members_on_the_waitlist(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=1)
    first, second, third = [await make_member() for _ in range(3)]
    for person in (first, second, third):
        await add_member(group, person)
    assert (await service.rsvp(actor=first, event_id=event.id)).status == RsvpStatus.GOING
    assert (await service.rsvp(actor=second, event_id=event.id)).status == RsvpStatus.WAITLIST
    clock.advance(timedelta(seconds=1))
    await service.rsvp(actor=third, event_id=event.id)
    page = await service.event_page(actor=third, event_id=event.id)
    assert (page.waitlist_position, page.waitlist_length) == (2, 2)
    assert (await service.rsvp(actor=first, event_id=event.id)).status == RsvpStatus.GOING  # again
    assert (await Event.get(id=event.id)).seats_taken == 1


async def test_cancelling_promotes_the_first_waitlisted_once_and_emails_them(
    database: None,
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=1)
    going = await make_member()
    waiting = await make_member(email="waiting@example.org")
    later = await make_member()
    for person in (going, waiting, later):
        await add_member(group, person)
    await service.rsvp(actor=going, event_id=event.id)
    await service.rsvp(actor=waiting, event_id=event.id)
    clock.advance(timedelta(seconds=1))
    await service.rsvp(actor=later, event_id=event.id)
    await service.cancel_rsvp(actor=going, event_id=event.id)
    await service.cancel_rsvp(actor=going, event_id=event.id)  # double submit
    statuses = {r.member_id: r.status for r in await Rsvp.filter(event_id=event.id)}
    assert statuses == {
        going.id: RsvpStatus.NOT_GOING,
        waiting.id: RsvpStatus.GOING,
        later.id: RsvpStatus.WAITLIST,
    }
    assert (await Event.get(id=event.id)).seats_taken == 1
    [notice] = await notified("waiting@example.org", "promoted")
    when = f"{dates.long_date(dates.day(8, '19:00'))}, 19:00 (Asia/Singapore)"
    assert notice.body == f"It starts {when}."
    assert await deliver_notification_emails() == 1
    [email] = await emails_to("waiting@example.org", "notifications/activity")
    assert email.subject == f"A seat opened: you are going to “{event.title}”"
    assert when in email.text_body


async def test_capacity_holds_under_200_concurrent_rsvps_for_50_seats(database: None) -> None:
    admin = await make_member(admin=True)
    event = await make_event(None, admin, capacity=50)
    people = await bulk_members(200)
    # every member answers twice at once (a double submit), 400 requests in all
    await asyncio.gather(
        *(service.rsvp(actor=person, event_id=event.id) for person in people for _ in range(2))
    )
    rsvps = await Rsvp.filter(event_id=event.id).order_by("answered_at", "id")
    going = [r for r in rsvps if r.status == RsvpStatus.GOING]
    waiting = [r for r in rsvps if r.status == RsvpStatus.WAITLIST]
    assert (len(rsvps), len(going), len(waiting)) == (200, 50, 150)
    assert (await Event.get(id=event.id)).seats_taken == 50
    # the waitlist is in order: positions 1 to 150, first answered first
    by_id = {person.id: person for person in people}
    positions = [
        (await service.event_page(actor=by_id[r.member_id], event_id=event.id)).waitlist_position
        for r in waiting
    ]
    assert positions == list(range(1, 151))
    # 20 going members cancel at once: exactly the first 20 waiting take their seats, once each
    await asyncio.gather(
        *(service.cancel_rsvp(actor=by_id[r.member_id], event_id=event.id) for r in going[:20])
    )
    promoted = await Rsvp.filter(event_id=event.id, promoted_at__isnull=False).values_list(
        "member_id", flat=True
    )
    assert sorted(promoted) == sorted(r.member_id for r in waiting[:20])
    assert await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING).count() == 50
    assert (await Event.get(id=event.id)).seats_taken == 50
    assert await Notification.filter(kind="promoted").count() == 20


async def test_concurrent_cancellations_promote_each_waitlisted_member_once(
    database: None,
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=4)
    people = [await make_member() for _ in range(10)]
    for person in people:
        await add_member(group, person)
        clock.advance(timedelta(seconds=1))
        await service.rsvp(actor=person, event_id=event.id)
    await asyncio.gather(*(service.cancel_rsvp(actor=p, event_id=event.id) for p in people[:4]))
    going = await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING).values_list(
        "member_id", flat=True
    )
    assert sorted(going) == sorted(p.id for p in people[4:8])
    assert (await Event.get(id=event.id)).seats_taken == 4
    promotions = await Notification.filter(kind="promoted").count()
    assert promotions == 4


async def test_rsvp_closes_at_the_deadline_and_at_the_start(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    deadline = dates.day(7, "12:00")  # noon in Singapore the day before the event
    event = await make_event(group, facilitator, deadline=dates.field(deadline))
    member = await make_member()
    await add_member(group, member)
    clock.freeze(deadline + timedelta(seconds=1))  # 12:00:01 in Singapore
    with pytest.raises(Conflict, match="deadline"):
        await service.rsvp(actor=member, event_id=event.id)
    other = await make_event(
        group,
        facilitator,
        starts=dates.field(deadline),
        ends=dates.field(deadline + timedelta(hours=1)),
    )
    with pytest.raises(Conflict, match="started"):
        await service.rsvp(actor=member, event_id=other.id)
    assert await Rsvp.all().count() == 0


async def test_private_group_events_are_hidden_from_outsiders(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator, visibility="private")
    event = await make_event(group, facilitator, title="Closed session")
    outsider = await make_member()
    with pytest.raises(NotFound):
        await service.event_page(actor=outsider, event_id=event.id)
    with pytest.raises(NotFound):
        await service.rsvp(actor=outsider, event_id=event.id)
    listed = await service.list_events(actor=outsider)
    assert [e.title for e in listed.items] == []
    assert [e.title for e in (await service.list_events(actor=facilitator)).items] == [
        "Closed session"
    ]


async def test_non_members_cannot_rsvp_to_group_events(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator)
    outsider = await make_member()
    with pytest.raises(PermissionDenied, match="Join the group"):
        await service.rsvp(actor=outsider, event_id=event.id)


async def test_moving_an_event_emails_those_going_and_more_seats_promote(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=1)
    going = await make_member(email="g@example.org")
    waiting = await make_member(email="w@example.org")
    for person in (going, waiting):
        await add_member(group, person)
    await service.rsvp(actor=going, event_id=event.id)
    await service.rsvp(actor=waiting, event_id=event.id)
    moved = dates.day(9, "19:00")  # a day later
    base = {
        "title": event.title,
        "kind": "workshop",
        "starts_at": dates.field(moved),
        "ends_at": dates.field(dates.day(9, "21:00")),
        "time_zone": "Asia/Singapore",
        "venue": "NCSS Hub, Level 3",
        "online_url": "https://meet.example.org/abc",
        "capacity": "2",
    }
    with pytest.raises(PermissionDenied):
        await service.update_event(
            actor=going, event_id=event.id, changes=EventChanges.from_form(base)
        )
    await service.update_event(
        actor=facilitator, event_id=event.id, changes=EventChanges.from_form(base)
    )
    [changed] = await notified("g@example.org", "event_changed")
    assert f"Now: {dates.long_date(moved)}, 19:00 (Asia/Singapore)" in changed.body
    assert changed.title == f"“{event.title}” has a new time or place"
    assert (await Rsvp.get(member_id=waiting.id)).status == RsvpStatus.GOING
    with pytest.raises(Invalid, match="Please correct"):
        await service.update_event(
            actor=facilitator,
            event_id=event.id,
            changes=EventChanges.from_form({**base, "capacity": "1"}),
        )


async def test_cancelling_an_event_emails_going_and_waitlisted(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=1)
    going = await make_member(email="cg@example.org")
    waiting = await make_member(email="cw@example.org")
    for person in (going, waiting):
        await add_member(group, person)
    await service.rsvp(actor=going, event_id=event.id)
    await service.rsvp(actor=waiting, event_id=event.id)
    await service.cancel_event(actor=facilitator, event_id=event.id)
    await service.cancel_event(actor=facilitator, event_id=event.id)  # double submit
    cancelled = await Notification.filter(kind="event_changed").values_list(
        "member__email", flat=True
    )
    assert sorted(cancelled) == ["cg@example.org", "cw@example.org"]
    with pytest.raises(Conflict, match="cancelled"):
        await service.rsvp(actor=going, event_id=event.id)


async def test_an_event_scheduled_twice_at_once_is_one_event(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    first = await make_event(group, facilitator, title="Once only")
    again = await make_event(group, facilitator, title="Once only")
    assert first.id == again.id
    other = await make_event(
        group,
        facilitator,
        title="Once only",
        starts=dates.field(dates.day(9, "19:00")),
        ends=dates.field(dates.day(9, "21:00")),
    )
    assert other.id != first.id
    clock.advance(timedelta(seconds=61))
    later = await make_event(group, facilitator, title="Once only")
    assert later.id != first.id
