"""The CPD/CET learning record: attended events and their hours, on the profile and to print."""

from __future__ import annotations

from datetime import UTC, datetime
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
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def make_cpd_event(
    group: Group | None, facilitator: Member, *, title: str, hours: str, day: str
) -> Event:
    """An event on `day` (Asia/Singapore, 10:00 to 12:00) worth `hours`."""
    form = EventForm.parse(
        {
            "title": title,
            "kind": "course",
            "starts_at": f"{day}T10:00",
            "ends_at": f"{day}T12:00",
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
    one event and had another cancelled."""
    facilitator = await make_member()
    public = await make_group(facilitator=facilitator, name="Open Practice")
    private = await make_group(facilitator=facilitator, name="Closed Circle", visibility="private")
    learner = await make_member(email="learner@example.org", name="Lina")
    for group in (public, private):
        await add_member(group, learner)
    first = await make_cpd_event(
        public, facilitator, title="Ethics refresher", hours="1.5", day="2026-12-01"
    )
    second = await make_cpd_event(
        public, facilitator, title="Case notes clinic", hours="2.25", day="2026-12-03"
    )
    secret = await make_cpd_event(
        private, facilitator, title="Peer supervision", hours="4", day="2026-12-05"
    )
    missed = await make_cpd_event(
        public, facilitator, title="Missed talk", hours="3", day="2026-12-02"
    )
    cancelled = await make_cpd_event(
        public, facilitator, title="Cancelled course", hours="6", day="2026-12-04"
    )
    for event in (first, second, secret, cancelled):
        await attend(event, facilitator, learner)
    await attend(missed, facilitator, learner, came=False)
    await service.cancel_event(actor=facilitator, event_id=cancelled.id)
    return learner, facilitator, public, private


async def test_learning_record_adds_decimal_hours_of_attended_events(database: None) -> None:
    learner, *_ = await learner_with_record()
    summary = await cpd.learning_summary(actor=learner, member_id=learner.id)
    assert summary.total_hours == Decimal("7.75") and summary.total_text == "7.75"
    assert [entry.title for entry in summary.recent] == [
        "Peer supervision",
        "Case notes clinic",
        "Ethics refresher",
    ]
    assert summary.event_count == 3 and summary.can_print and summary.current_year == 2026
    assert [entry.hours_text for entry in summary.recent] == ["4", "2.25", "1.5"]


async def test_learning_hours_add_up_exactly(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    learner = await make_member()
    await add_member(group, learner)
    for day, hours in (("2026-12-01", "1.1"), ("2026-12-02", "2.2")):
        event = await make_cpd_event(group, facilitator, title=day, hours=hours, day=day)
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
    clock.freeze(datetime(2025, 3, 1, tzinfo=UTC))
    last_year = await make_cpd_event(
        public, facilitator, title="Last year's course", hours="10", day="2025-03-10"
    )
    await attend(last_year, facilitator, learner)
    record = await cpd.learning_record(actor=learner, member_id=learner.id, year=2026)
    assert [entry.title for entry in record.entries] == [
        "Ethics refresher",
        "Case notes clinic",
        "Peer supervision",
    ]
    assert record.total_hours == Decimal("7.75") and record.years == [2026, 2025]
    earlier = await cpd.learning_record(actor=learner, member_id=learner.id, year=2025)
    assert [entry.title for entry in earlier.entries] == ["Last year's course"]
    assert earlier.total_hours == Decimal("10")
    empty = await cpd.learning_record(actor=learner, member_id=learner.id, year=2024)
    assert empty.entries == [] and empty.total_hours == Decimal(0)


async def test_yearly_record_is_for_the_member_and_admins_only(database: None) -> None:
    learner, facilitator, *_ = await learner_with_record()
    admin = await make_member(admin=True)
    assert (await cpd.learning_record(actor=admin, member_id=learner.id, year=2026)).entries
    for actor in (facilitator, await make_member()):
        with pytest.raises(NotFound):
            await cpd.learning_record(actor=actor, member_id=learner.id, year=2026)
    with pytest.raises(PermissionDenied):
        await cpd.learning_record(actor=None, member_id=learner.id, year=2026)
    with pytest.raises(NotFound):
        await cpd.learning_record(actor=learner, member_id=learner.id, year=1999)


async def test_profile_shows_the_learning_record(app: Starlette) -> None:
    learner, *_ = await learner_with_record()
    await make_member(email="viewer@example.org")
    async with open_browser(app) as own, open_browser(app) as viewer:
        await own.login("learner@example.org", PASSWORD)
        page = text_of(await own.get(f"/members/{learner.id}"))
        assert "Learning record 7.75 CPD/CET hours from 3 events attended." in page
        assert "Peer supervision · 5 December 2026 · 4 hours" in page
        assert "Ethics refresher · 1 December 2026 · 1.5 hours" in page
        assert "Missed talk" not in page and "Cancelled course" not in page
        assert "Your learning record for 2026, to print" in page
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
    clock.freeze(datetime(2025, 3, 1, tzinfo=UTC))
    last_year = await make_cpd_event(
        public, facilitator, title="Last year's course", hours="10", day="2025-03-10"
    )
    await attend(last_year, facilitator, learner)
    async with open_browser(app) as browser:
        await browser.login("learner@example.org", PASSWORD)
        response = await browser.get(f"/members/{learner.id}/learning/2026")
        assert response.status_code == 200
        text = text_of(response)
        assert "CPD/CET learning record 2026" in text and "Lina" in text
        assert (
            "1 December 2026 Ethics refresher Open Practice Course 1.5 "
            "3 December 2026 Case notes clinic Open Practice Course 2.25 "
            "5 December 2026 Peer supervision Closed Circle Course 4 "
            "Total for 2026 7.75"
        ) in text
        assert f'href="/members/{learner.id}/learning/2025"' in response.text
        assert 'href="/static/css/site.css"' in response.text
        css = (await browser.get("/static/css/site.css")).text
        print_rules = css.split("@media print", 1)[1]
        assert ".site-header" in print_rules and ".site-footer" in print_rules
        assert "display: none" in print_rules


async def test_printable_record_is_refused_to_others(app: Starlette) -> None:
    learner, *_ = await learner_with_record()
    await make_member(email="nosy@example.org")
    await make_member(email="boss@example.org", admin=True)
    async with (
        open_browser(app) as visitor,
        open_browser(app) as nosy,
        open_browser(app) as admin,
    ):
        assert (await visitor.get(f"/members/{learner.id}/learning/2026")).status_code == 403
        await nosy.login("nosy@example.org", PASSWORD)
        response = await nosy.get(f"/members/{learner.id}/learning/2026")
        assert response.status_code == 404
        assert "Peer supervision" not in response.text
        await admin.login("boss@example.org", PASSWORD)
        allowed = await admin.get(f"/members/{learner.id}/learning/2026")
        assert allowed.status_code == 200 and "Peer supervision" in allowed.text
        profile = await admin.get(f"/members/{learner.id}")
        assert f'href="/members/{learner.id}/learning/2026"' in profile.text


async def test_site_wide_events_count_for_every_viewer(database: None) -> None:
    admin = await make_member(admin=True)
    learner = await make_member()
    event = await make_cpd_event(
        None, admin, title="Annual conference", hours="6.5", day="2026-12-08"
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
            day = f"2026-12-{10 + number}"
            event = await make_cpd_event(public, facilitator, title=day, hours="1", day=day)
            await attend(event, facilitator, learner)
        after = []
        for browser, total in ((own, "13.75"), (other, "9.75")):
            count_queries.queries.clear()
            response = await browser.get(f"/members/{learner.id}")
            assert f"{total} CPD/CET hours" in text_of(response)
            after.append(len(count_queries.queries))
    # the session with its member, the profile, the learning record: one query each
    assert before == after == [3, 3], count_queries.queries
