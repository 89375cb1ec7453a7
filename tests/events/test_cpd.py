"""The CPD/CET learning record: attended events and their hours, on the profile and to print."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.errors import NotFound, PermissionDenied
from community.events import attendance, cpd, service
from community.events.models import Event
from community.events.schemas import EventForm
from community.groups.models import Group
from tests import dates
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


def days_after(days: int) -> date:
    """The day `days` after today, in Asia/Singapore (the events' zone)."""
    return dates.day(days).date()


def record_start() -> date:
    """The first day of learner_with_record's events: eight days from today, or a little later
    if need be so that the five days all fall in one year (a printed record is for a year)."""
    offset = 8
    while days_after(offset).year != days_after(offset + 4).year:
        offset += 1
    return days_after(offset)


def on(day: date) -> str:
    """A day as the learning record writes it: the day of the month, the month, the year."""
    return f"{day.day} {day:%B %Y}"


async def make_cpd_event(
    group: Group | None, facilitator: Member, *, title: str, hours: str, day: date
) -> Event:
    """An event on `day` (Asia/Singapore, 10:00 to 12:00) worth `hours`."""
    form = EventForm.from_form(
        {
            "title": title,
            "kind": "course",
            "starts_at": f"{day.isoformat()}T10:00",
            "ends_at": f"{day.isoformat()}T12:00",
            "time_zone": "Asia/Singapore",
            "venue": "Room 1",
            "cpd_hours": hours,
        }
    )
    return await service.create_event(
        actor=facilitator, slug=group.slug if group else None, form=form
    )


async def attend(event: Event, facilitator: Member, member: Member, *, came: bool = True) -> None:
    """RSVP, then let the facilitator mark the member once the event has started."""
    before = clock.now()
    await service.rsvp(actor=member, event_id=event.id)
    clock.freeze(event.starts_at)
    await attendance.record_attendance(
        actor=facilitator, event_id=event.id, attended_ids={member.id} if came else set()
    )
    clock.freeze(before)


async def learner_with_record() -> tuple[Member, Member, Group, Group]:
    """A member who attended 1.5 + 2.25 hours in a public group and 4 in a private one, missed
    one event and had another cancelled: on the days from record_start() on, in one year."""
    start = record_start()
    facilitator = await make_member()
    public = await make_group(facilitator=facilitator, name="Open Practice")
    private = await make_group(facilitator=facilitator, name="Closed Circle", visibility="private")
    learner = await make_member(email="learner@example.org", name="Lina")
    for group in (public, private):
        await add_member(group, learner)
    first = await make_cpd_event(
        public, facilitator, title="Ethics refresher", hours="1.5", day=start
    )
    second = await make_cpd_event(
        public, facilitator, title="Case notes clinic", hours="2.25", day=start + timedelta(2)
    )
    secret = await make_cpd_event(
        private, facilitator, title="Peer supervision", hours="4", day=start + timedelta(4)
    )
    missed = await make_cpd_event(
        public, facilitator, title="Missed talk", hours="3", day=start + timedelta(1)
    )
    cancelled = await make_cpd_event(
        public, facilitator, title="Cancelled course", hours="6", day=start + timedelta(3)
    )
    for event in (first, second, secret, cancelled):
        await attend(event, facilitator, learner)
    await attend(missed, facilitator, learner, came=False)
    await service.cancel_event(actor=facilitator, event_id=cancelled.id)
    return learner, facilitator, public, private


async def last_years_course(learner: Member, facilitator: Member, group: Group) -> int:
    """A 10-hour course on 10 March of the year before today's, attended by the learner (the
    clock goes back to 1 March of that year to schedule it). Returns that year."""
    year = clock.now().year - 1
    clock.freeze(datetime(year, 3, 1, tzinfo=UTC))
    course = await make_cpd_event(
        group, facilitator, title="Last year's course", hours="10", day=date(year, 3, 10)
    )
    await attend(course, facilitator, learner)
    return year


async def test_learning_record_adds_decimal_hours_of_attended_events(database: None) -> None:
    learner, *_ = await learner_with_record()
    summary = await cpd.learning_summary(actor=learner, member_id=learner.id)
    assert summary.total_hours == Decimal("7.75") and summary.total_text == "7.75"
    assert [entry.title for entry in summary.recent] == [
        "Peer supervision",
        "Case notes clinic",
        "Ethics refresher",
    ]
    # the year it is now for the learner, in the site's zone (they chose none)
    assert summary.event_count == 3 and summary.can_print
    assert summary.current_year == dates.today().year
    assert [entry.hours_text for entry in summary.recent] == ["4", "2.25", "1.5"]


async def test_learning_hours_add_up_exactly(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    learner = await make_member()
    await add_member(group, learner)
    for day, hours in ((days_after(8), "1.1"), (days_after(9), "2.2")):
        event = await make_cpd_event(group, facilitator, title=f"{day}", hours=hours, day=day)
        await attend(event, facilitator, learner)
    summary = await cpd.learning_summary(actor=learner, member_id=learner.id)
    assert isinstance(summary.total_hours, Decimal)
    assert summary.total_hours == Decimal("3.3") and summary.total_text == "3.3"  # not 3.3000...3


async def test_learning_record_of_public_events_totals_exactly(database: None) -> None:
    learner, _, _, private = await learner_with_record()
    other = await make_member()
    summary = await cpd.learning_summary(actor=other, member_id=learner.id)
    assert summary.total_hours == Decimal("3.75")  # 1.5 + 2.25, exactly
    assert [entry.title for entry in summary.recent] == ["Case notes clinic", "Ethics refresher"]
    assert not summary.can_print
    # a fellow member of the private group sees its events, and an admin sees everything
    fellow = await make_member()
    await add_member(private, fellow)
    fellow_view = await cpd.learning_summary(actor=fellow, member_id=learner.id)
    assert fellow_view.total_hours == Decimal("7.75") and not fellow_view.can_print
    admin = await make_member(admin=True)
    admin_view = await cpd.learning_summary(actor=admin, member_id=learner.id)
    assert admin_view.total_hours == Decimal("7.75") and admin_view.can_print


async def test_learning_summary_needs_a_signed_in_viewer(database: None) -> None:
    learner = await make_member()
    with pytest.raises(PermissionDenied):
        await cpd.learning_summary(actor=None, member_id=learner.id)


async def test_yearly_record_lists_the_year_in_date_order(database: None) -> None:
    learner, facilitator, public, _ = await learner_with_record()
    year = record_start().year  # the events' year
    before = await last_years_course(learner, facilitator, public)
    record = await cpd.learning_record(actor=learner, member_id=learner.id, year=year)
    assert [entry.title for entry in record.entries] == [
        "Ethics refresher",
        "Case notes clinic",
        "Peer supervision",
    ]
    assert record.total_hours == Decimal("7.75") and record.years == [year, before]
    earlier = await cpd.learning_record(actor=learner, member_id=learner.id, year=before)
    assert [entry.title for entry in earlier.entries] == ["Last year's course"]
    assert earlier.total_hours == Decimal("10")
    empty = await cpd.learning_record(actor=learner, member_id=learner.id, year=before - 1)
    assert empty.entries == [] and empty.total_hours == Decimal(0)


async def test_yearly_record_is_for_the_member_and_admins_only(database: None) -> None:
    learner, facilitator, *_ = await learner_with_record()
    year = record_start().year  # the events' year
    admin = await make_member(admin=True)
    assert (await cpd.learning_record(actor=admin, member_id=learner.id, year=year)).entries
    for actor in (facilitator, await make_member()):
        with pytest.raises(NotFound):
            await cpd.learning_record(actor=actor, member_id=learner.id, year=year)
    with pytest.raises(PermissionDenied):
        await cpd.learning_record(actor=None, member_id=learner.id, year=year)
    with pytest.raises(NotFound):
        await cpd.learning_record(actor=learner, member_id=learner.id, year=1999)


async def test_profile_shows_the_learning_record(app: Starlette) -> None:
    learner, *_ = await learner_with_record()
    start = record_start()
    await make_member(email="viewer@example.org")
    async with open_browser(app) as own, open_browser(app) as viewer:
        await own.login("learner@example.org", PASSWORD)
        page = text_of(await own.get(f"/members/{learner.id}"))
        assert "Learning record 7.75 CPD/CET hours from 3 events attended." in page
        assert f"Peer supervision · {on(start + timedelta(4))} · 4 hours" in page
        assert f"Ethics refresher · {on(start)} · 1.5 hours" in page
        assert "Missed talk" not in page and "Cancelled course" not in page
        # the link is to this year's record (the learner's, in the site's zone)
        assert f"Your learning record for {dates.today().year}, to print" in page
        await viewer.login("viewer@example.org", PASSWORD)
        response = await viewer.get(f"/members/{learner.id}")
        other = text_of(response)
        assert "3.75 CPD/CET hours from 2 events attended." in other
        assert "Peer supervision" not in other
        assert f"/members/{learner.id}/learning/" not in response.text


async def test_profile_without_attended_events_says_so(app: Starlette) -> None:
    await make_member(email="new@example.org")
    member = await Member.get(email="new@example.org")
    async with open_browser(app) as browser:
        await browser.login("new@example.org", PASSWORD)
        page = text_of(await browser.get(f"/members/{member.id}"))
    assert "You have no attended learning events recorded yet." in page


async def test_printable_record_page(app: Starlette) -> None:
    learner, facilitator, public, _ = await learner_with_record()
    start = record_start()
    year = start.year  # the events' year
    before = await last_years_course(learner, facilitator, public)
    async with open_browser(app) as browser:
        await browser.login("learner@example.org", PASSWORD)
        response = await browser.get(f"/members/{learner.id}/learning/{year}")
        assert response.status_code == 200
        text = text_of(response)
        assert f"CPD/CET learning record {year}" in text and "Lina" in text
        assert (
            f"{on(start)} Ethics refresher Open Practice Course 1.5 "
            f"{on(start + timedelta(2))} Case notes clinic Open Practice Course 2.25 "
            f"{on(start + timedelta(4))} Peer supervision Closed Circle Course 4 "
            f"Total for {year} 7.75"
        ) in text
        assert f'href="/members/{learner.id}/learning/{before}"' in response.text
        assert 'href="/static/css/site.css?v=' in response.text
        css = (await browser.get("/static/css/site.css")).text
        print_rules = css.split("@media print", 1)[1]
        assert ".site-header" in print_rules and ".site-footer" in print_rules
        assert "display: none" in print_rules


async def test_printable_record_is_refused_to_others(app: Starlette) -> None:
    learner, *_ = await learner_with_record()
    year = record_start().year  # the events' year
    await make_member(email="nosy@example.org")
    await make_member(email="boss@example.org", admin=True)
    async with (
        open_browser(app) as visitor,
        open_browser(app) as nosy,
        open_browser(app) as admin,
    ):
        assert (await visitor.get(f"/members/{learner.id}/learning/{year}")).status_code == 403
        await nosy.login("nosy@example.org", PASSWORD)
        response = await nosy.get(f"/members/{learner.id}/learning/{year}")
        assert response.status_code == 404
        assert "Peer supervision" not in response.text
        await admin.login("boss@example.org", PASSWORD)
        allowed = await admin.get(f"/members/{learner.id}/learning/{year}")
        assert allowed.status_code == 200 and "Peer supervision" in allowed.text
        profile = await admin.get(f"/members/{learner.id}")
        # the profile links to this year's record (the learner's year, in the site's zone)
        assert f'href="/members/{learner.id}/learning/{dates.today().year}"' in profile.text


async def test_site_wide_events_count_for_every_viewer(database: None) -> None:
    admin = await make_member(admin=True)
    learner = await make_member()
    event = await make_cpd_event(
        None, admin, title="Annual conference", hours="6.5", day=days_after(15)
    )
    await attend(event, admin, learner)
    summary = await cpd.learning_summary(actor=await make_member(), member_id=learner.id)
    assert summary.total_hours == Decimal("6.5")
    assert [(entry.title, entry.group_name) for entry in summary.recent] == [
        ("Annual conference", "")
    ]


async def test_profile_query_count_does_not_grow_with_the_record(
    app: Starlette, count_queries: QueryCounter
) -> None:
    learner, facilitator, public, _ = await learner_with_record()
    await make_member(email="counter@example.org")
    async with open_browser(app) as own, open_browser(app) as other:
        await own.login("learner@example.org", PASSWORD)
        await other.login("counter@example.org", PASSWORD)
        before = []
        for browser in (own, other):
            count_queries.queries.clear()
            assert (await browser.get(f"/members/{learner.id}")).status_code == 200
            before.append(len(count_queries.queries))
        for number in range(6):
            day = days_after(17 + number)
            event = await make_cpd_event(public, facilitator, title=f"{day}", hours="1", day=day)
            await attend(event, facilitator, learner)
        after = []
        for browser, total in ((own, "13.75"), (other, "9.75")):
            count_queries.queries.clear()
            response = await browser.get(f"/members/{learner.id}")
            assert f"{total} CPD/CET hours" in text_of(response)
            after.append(len(count_queries.queries))
    # the session with its member, the profile, its practice areas and recognitions, the
    # learning record, the published stories under their name: one query each
    assert before == after == [7, 7], count_queries.queries


async def test_hours_in_year_count_each_event_in_its_own_zones_year(database: None) -> None:
    learner, facilitator, public, _ = await learner_with_record()
    year = record_start().year
    before = await last_years_course(learner, facilitator, public)
    for asked in (year, before, before - 1):
        record = await cpd.learning_record(actor=learner, member_id=learner.id, year=asked)
        assert await cpd.hours_in_year(actor=learner, year=asked) == record.total_hours
    # New Year's Eve in New York is already 1 January in UTC, and New Year's morning in
    # Singapore is still 31 December there: each counts in its own zone's year
    edge = before - 1
    clock.freeze(datetime(edge, 12, 1, tzinfo=UTC))
    for title, zone, start, hours in (
        ("Eve in New York", "America/New_York", f"{edge}-12-31T22:00", "2"),
        ("Morning in Singapore", "Asia/Singapore", f"{edge + 1}-01-01T07:00", "0.5"),
    ):
        form = EventForm.from_form(
            {"title": title, "kind": "course", "starts_at": start,
             "ends_at": start[:-5] + "23:30", "time_zone": zone, "venue": "Hall",
             "cpd_hours": hours}
        )  # fmt: skip
        event = await service.create_event(actor=facilitator, slug=public.slug, form=form)
        await attend(event, facilitator, learner)
    assert await cpd.hours_in_year(actor=learner, year=edge) == Decimal("2")
    assert await cpd.hours_in_year(actor=learner, year=before) == Decimal("10.5")
    record = await cpd.learning_record(actor=learner, member_id=learner.id, year=before)
    assert record.total_hours == Decimal("10.5")
