"""The home page's reads and the yearly CPD/CET goal, against the real database."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from community import clock
from community.accounts.models import Member
from community.errors import Invalid
from community.events import attendance
from community.events import service as events_service
from community.events.models import Event, Rsvp, RsvpStatus
from community.events.schemas import EventForm
from community.forum import service as forum_service
from community.groups import service as groups_service
from community.groups.models import Group
from community.home import service
from community.home.schemas import CpdGoal
from tests import dates
from tests.factories import (
    add_member,
    make_event,
    make_group,
    make_member,
    make_reply,
    make_thread,
)

pytestmark = [pytest.mark.asyncio(loop_scope="session"), pytest.mark.usefixtures("database")]


async def attended_event(
    group: Group | None, facilitator: Member, member: Member, *, on: datetime, hours: str
) -> Event:
    """An event at `on` (a local moment) worth `hours`, that the member went to and was marked
    at. The clock goes back to the day before to schedule it and forward again after, so the
    event may lie in the past."""
    now = clock.now()
    clock.freeze(on - timedelta(days=1))
    form = EventForm.from_form(
        {
            "title": f"Course of {hours} hours",
            "kind": "course",
            "starts_at": dates.field(on),
            "ends_at": dates.field(on + timedelta(hours=1)),
            "time_zone": dates.SITE_ZONE,
            "venue": "Room 1",
            "cpd_hours": hours,
        }
    )
    event = await events_service.create_event(
        actor=facilitator, slug=group.slug if group else None, form=form
    )
    await events_service.rsvp(actor=member, event_id=event.id)
    clock.freeze(event.starts_at)
    await attendance.record_attendance(
        actor=facilitator, event_id=event.id, attended_ids={member.id}
    )
    clock.freeze(now)
    return event


def early_today() -> datetime:
    """00:30 today in the site's zone: in this year whatever day the suite starts on."""
    return datetime.combine(dates.today(), time(0, 30), tzinfo=dates.zone_of(dates.SITE_ZONE))


async def test_member_home_lists_their_groups_latest_with_unread_counts() -> None:
    facilitator = await make_member()
    reader = await make_member()
    mine = await make_group(facilitator=facilitator, name="My circle")
    other = await make_group(facilitator=facilitator, name="Their circle")
    await add_member(mine, reader)
    read = await make_thread(mine, facilitator, title="Read, then answered")
    await forum_service.thread_page(actor=reader, thread_id=read.id)
    await make_reply(read, facilitator)
    await make_reply(read, facilitator)
    await make_thread(mine, facilitator, title="Never opened")
    await make_thread(other, facilitator, title="In a group I am not in")

    home = await service.member_home(actor=reader)

    assert {entry.thread.title: entry.unread for entry in home.latest.items} == {
        "Read, then answered": 2,
        "Never opened": 1,
    }
    assert home.group_count == 1
    assert not home.more_latest


async def test_member_home_never_shows_a_private_groups_thread_to_a_non_member() -> None:
    facilitator = await make_member()
    outsider = await make_member()
    private = await make_group(facilitator=facilitator, visibility="private")
    await make_thread(private, facilitator, title="Confidential case")

    home = await service.member_home(actor=outsider)

    assert home.latest.items == []
    assert home.group_count == 0


async def test_member_home_lists_going_and_waitlisted_events_with_the_place_in_line() -> None:
    facilitator = await make_member()
    first, second, third = await make_member(), await make_member(), await make_member()
    group = await make_group(facilitator=facilitator)
    full = await make_event(group, facilitator, capacity=1, title="Full workshop")
    later = await make_event(
        None,
        await make_member(admin=True),
        title="Site-wide talk",
        starts=dates.field(dates.day(9, "19:00")),
        ends=dates.field(dates.day(9, "20:00")),
    )
    for member in (first, second, third):
        await add_member(group, member)
        await events_service.rsvp(actor=member, event_id=full.id)
        clock.advance(timedelta(seconds=1))
    await events_service.rsvp(actor=third, event_id=later.id)

    homes = [await service.member_home(actor=member) for member in (first, second, third)]

    assert [(m.event.title, m.status, m.waitlist_position) for m in homes[0].events] == [
        ("Full workshop", RsvpStatus.GOING, None)
    ]
    assert [(m.event.title, m.waitlist_position) for m in homes[1].events] == [("Full workshop", 1)]
    assert [(m.event.title, m.status, m.waitlist_position) for m in homes[2].events] == [
        ("Full workshop", RsvpStatus.WAITLIST, 2),
        ("Site-wide talk", RsvpStatus.GOING, None),
    ]
    assert homes[2].events[1].group_slug == ""


async def test_the_place_in_line_is_counted_as_the_event_page_counts_it() -> None:
    # the home page counts places in SQL; events.service.waitlist_position is the rule
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=1)
    members = [await make_member() for _ in range(5)]
    for member in members:
        await add_member(group, member)
    for member in members:  # the same moment for all: the id breaks the ties
        await events_service.rsvp(actor=member, event_id=event.id)
    for member in members:
        rsvp = await Rsvp.get(event_id=event.id, member_id=member.id)
        [mine] = (await service.member_home(actor=member)).events
        assert mine.waitlist_position == await events_service.waitlist_position(rsvp)


async def test_member_home_leaves_out_ended_and_not_going_events() -> None:
    facilitator = await make_member()
    member = await make_member()
    group = await make_group(facilitator=facilitator)
    await add_member(group, member)
    ended = await make_event(group, facilitator, title="Ended")
    declined = await make_event(
        group,
        facilitator,
        title="Declined",
        starts=dates.field(dates.day(9, "19:00")),
        ends=dates.field(dates.day(9, "20:00")),
    )
    await events_service.rsvp(actor=member, event_id=ended.id)
    await events_service.rsvp(actor=member, event_id=declined.id)
    await events_service.cancel_rsvp(actor=member, event_id=declined.id)
    clock.freeze(ended.ends_at + timedelta(minutes=1))

    assert (await service.member_home(actor=member)).events == []


async def test_member_home_leaves_out_events_of_a_private_group_the_member_left() -> None:
    facilitator = await make_member()
    member = await make_member()
    private = await make_group(facilitator=facilitator, visibility="private", policy="open")
    await add_member(private, member)
    event = await make_event(private, facilitator)
    await events_service.rsvp(actor=member, event_id=event.id)
    assert len((await service.member_home(actor=member)).events) == 1

    await groups_service.leave_group(actor=member, slug=private.slug)

    assert (await service.member_home(actor=member)).events == []


async def test_member_home_shows_invitations_and_own_pending_requests() -> None:
    facilitator = await make_member()
    member = await make_member(email="invited@example.org")
    by_invitation = await make_group(
        facilitator=facilitator, name="Invited circle", policy="invite"
    )
    by_request = await make_group(facilitator=facilitator, name="Asked circle", policy="request")
    await groups_service.invite(
        actor=facilitator, slug=by_invitation.slug, email="invited@example.org"
    )
    await groups_service.join_group(actor=member, slug=by_request.slug)

    home = await service.member_home(actor=member)

    assert [invitation.group.name for invitation in home.invitations] == ["Invited circle"]
    assert [link.name for link in home.my_requests] == ["Asked circle"]
    assert home.requests_to_decide == []


async def test_member_home_counts_requests_waiting_for_a_facilitator_only() -> None:
    facilitator = await make_member()
    plain = await make_member()
    group = await make_group(facilitator=facilitator, name="Supervision circle", policy="request")
    await add_member(group, plain)
    quiet = await make_group(facilitator=facilitator, name="Quiet circle", policy="request")
    for _ in range(2):
        await groups_service.join_group(actor=await make_member(), slug=group.slug)

    facilitators_home = await service.member_home(actor=facilitator)
    plain_home = await service.member_home(actor=plain)

    assert [
        (link.name, link.slug, link.count) for link in facilitators_home.requests_to_decide
    ] == [("Supervision circle", group.slug, 2)]
    assert quiet.slug not in {link.slug for link in facilitators_home.requests_to_decide}
    assert plain_home.requests_to_decide == []
    assert facilitators_home.group_count == 2


async def test_cpd_progress_counts_this_years_attended_hours_against_the_goal() -> None:
    facilitator = await make_member(admin=True)
    member = await make_member()
    group = await make_group(admin=facilitator, facilitator=facilitator)
    await add_member(group, member)
    await attended_event(group, facilitator, member, on=early_today(), hours="1.5")
    await attended_event(None, facilitator, member, on=early_today(), hours="2")
    # a year and more ago: another year's hours
    await attended_event(
        group, facilitator, member, on=early_today() - timedelta(days=400), hours="7"
    )
    await service.set_cpd_goal(actor=member, form=CpdGoal(cpd_goal_hours=5))

    cpd = (await service.member_home(actor=member)).cpd

    assert cpd.year == dates.today().year
    assert (cpd.hours_text, cpd.goal, cpd.percent, cpd.reached) == ("3.5", 5, 70, False)
    assert cpd.shown_value == "3.5"


async def test_cpd_progress_is_full_once_the_goal_is_passed() -> None:
    facilitator = await make_member(admin=True)
    member = await make_member()
    await attended_event(None, facilitator, member, on=early_today(), hours="3")
    await service.set_cpd_goal(actor=member, form=CpdGoal(cpd_goal_hours=2))

    cpd = await service.cpd_progress(actor=member)

    assert (cpd.hours_text, cpd.percent, cpd.reached, cpd.shown_value) == ("3", 100, True, "2")


async def test_cpd_progress_without_a_goal_has_the_hours_alone() -> None:
    member = await make_member()

    cpd = await service.cpd_progress(actor=member)

    assert (cpd.hours, cpd.goal, cpd.percent, cpd.reached) == (Decimal(0), None, 0, False)


async def test_set_cpd_goal_saves_then_clears_it() -> None:
    member = await make_member()

    await service.set_cpd_goal(actor=member, form=CpdGoal.from_form({"cpd_goal_hours": "40"}))
    assert (await Member.get(id=member.id)).cpd_goal_hours == 40

    await service.set_cpd_goal(actor=member, form=CpdGoal.from_form({"cpd_goal_hours": ""}))
    assert (await Member.get(id=member.id)).cpd_goal_hours is None


@pytest.mark.parametrize("typed", ["0", "-3", "1001", "abc", "2.5", "²"])
async def test_a_goal_outside_1_to_1000_whole_hours_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        CpdGoal.from_form({"cpd_goal_hours": typed})
    assert "whole number of hours from 1 to 1000" in refused.value.fields["cpd_goal_hours"]


async def test_welcome_shows_public_groups_and_events_but_no_private_ones() -> None:
    admin = await make_member(admin=True)
    public = await make_group(admin=admin, name="Open circle")
    private = await make_group(admin=admin, name="Closed circle", visibility="private")
    await make_event(public, admin, title="Open workshop")
    await make_event(private, admin, title="Closed workshop")
    await make_event(None, admin, title="Site-wide talk")
    cancelled = await make_event(public, admin, title="Cancelled talk")
    await events_service.cancel_event(actor=admin, event_id=cancelled.id)

    welcome = await service.welcome()

    assert [group.name for group in welcome.groups] == ["Open circle"]
    assert sorted(public_event.event.title for public_event in welcome.events) == [
        "Open workshop",
        "Site-wide talk",
    ]


async def test_welcome_leaves_out_events_that_have_started() -> None:
    admin = await make_member(admin=True)
    started = await make_event(None, admin, title="Started talk")
    clock.freeze(started.starts_at + timedelta(minutes=1))

    assert (await service.welcome()).events == []
