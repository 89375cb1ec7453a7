"""Series: sessions from a rule, at the same local time across daylight-saving changes; one
session cancelled or moved; the series as one calendar entry that another reader expands to
the same sessions; the form, the pages and the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import vobject
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.events import service
from community.events.ical import series_calendar
from community.events.models import Event, EventSeries, Repeat
from community.events.schemas import EventChanges, Scope, SeriesForm
from community.groups.models import Group
from tests import dates
from tests.api.helpers import ApiClient, token_for
from tests.conftest import open_browser, text_of
from tests.factories import (
    PASSWORD,
    add_member,
    make_event,
    make_group,
    make_member,
    notified,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def series_form(first: datetime, **rule: object) -> SeriesForm:
    """A two-hour session at `first` (aware, in its zone), repeated by `rule`."""
    zone = first.tzinfo.key  # type: ignore[union-attr]
    return SeriesForm.from_form(
        {
            "title": "Reflective practice circle",
            "kind": "course",
            "starts_at": dates.field(first),
            "ends_at": dates.field(first + timedelta(hours=2)),
            "time_zone": zone,
            "venue": "Room 4, Community Hub",
            "capacity": "12",
            "cpd_hours": "2",
            **{name: str(value) for name, value in rule.items()},
        }
    )


def local_times(events: list[Event], zone: ZoneInfo) -> list[str]:
    return [f"{event.starts_at.astimezone(zone):%a %H:%M}" for event in events]


async def sessions_of(series: EventSeries) -> list[Event]:
    return list(await Event.filter(series_id=series.id).order_by("series_index"))


async def test_a_weekly_series_keeps_its_local_time_across_the_clock_change(
    database: None,
) -> None:
    admin = await make_member(admin=True)
    group = await make_group(admin=admin, facilitator=admin)
    change = dates.next_shift(LONDON, forward=True)
    # Tuesdays at 19:00, the first two weeks before the clocks go forward, six sessions
    first_day = change.astimezone(LONDON).date() - timedelta(days=14)
    first_day -= timedelta(days=(first_day.weekday() - 1) % 7)
    first = datetime.combine(first_day, datetime.min.time(), tzinfo=LONDON).replace(hour=19)
    series = await service.create_series(
        actor=admin, slug=group.slug, form=series_form(first, repeat="weekly", sessions=6)
    )
    sessions = await sessions_of(series)
    assert len(sessions) == 6 == series.sessions
    assert local_times(sessions, LONDON) == ["Tue 19:00"] * 6
    offsets = {event.starts_at.astimezone(LONDON).utcoffset() for event in sessions}
    assert offsets == {timedelta(0), timedelta(hours=1)}  # both sides of the change
    # the week the clocks go forward is an hour shorter in UTC: the wall clock is what stays
    gaps = [later.starts_at - earlier.starts_at for earlier, later in pairwise(sessions)]
    assert sorted(gaps) == [timedelta(weeks=1, hours=-1)] + [timedelta(weeks=1)] * 4
    for event in sessions:
        assert event.ends_at - event.starts_at == timedelta(hours=2)
        assert event.series_start == event.starts_at
        assert (event.group_id, event.capacity, event.title) == (
            group.id, 12, "Reflective practice circle",
        )  # fmt: skip
    assert [event.series_index for event in sessions] == list(range(6))
    assert service.rule_of(series).describe() == "every week on Tuesday"


async def test_monthly_on_the_first_weekday_until_a_day_in_new_york(database: None) -> None:
    admin = await make_member(admin=True)
    # the first Wednesday of next month, 18:30 in New York, monthly for about half a year
    today = dates.today(NEW_YORK)
    month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    first_day = month + timedelta(days=(2 - month.weekday()) % 7)
    first = datetime.combine(first_day, datetime.min.time(), tzinfo=NEW_YORK).replace(
        hour=18, minute=30
    )
    until = first_day + timedelta(days=180)
    series = await service.create_series(
        actor=admin, slug=None, form=series_form(first, repeat="monthly", until=until)
    )
    sessions = await sessions_of(series)
    assert 5 <= len(sessions) <= 6
    for event in sessions:
        local = event.starts_at.astimezone(NEW_YORK)
        assert (local.weekday(), local.day <= 7, f"{local:%H:%M}") == (2, True, "18:30")
        assert local.date() <= until
    assert series.week_of_month == 1 and series.until == until
    assert service.rule_of(series).describe() == "every month on the first Wednesday"


@pytest.mark.parametrize(
    ("rule", "field", "message"),
    [
        ({"repeat": "weekly", "until": "BEFORE"}, "until", "on or after the first session"),
        ({"repeat": "weekly", "until": "SAME"}, "until", "makes only one session"),
        ({"repeat": "weekly", "until": "FAR"}, "until", "makes more than 100 sessions"),
        ({"repeat": "weekly", "sessions": 1}, "sessions", "from 2 to 100 sessions"),
        ({"repeat": "weekly", "sessions": 10000}, "sessions", "from 2 to 100 sessions"),
        ({"repeat": "weekly"}, "until", "Give the number of sessions, or the last day."),
        ({"repeat": "weekly", "sessions": 3, "until": "FAR"}, "until", "not both"),
        ({"repeat": "daily", "sessions": 3}, "repeat", "weekly or monthly"),
        ({"repeat": "weekly", "sessions": 3, "interval": 0}, "interval", "every 1 to 12"),
        ({"repeat": "weekly", "sessions": 3, "time_zone": "Mars/Olympus"}, "time_zone", "zone"),
    ],
)
async def test_a_bad_rule_says_what_is_wrong_and_schedules_nothing(
    database: None, rule: dict[str, object], field: str, message: str
) -> None:
    admin = await make_member(admin=True)
    first = dates.day(10, "19:00")
    days = {"BEFORE": -1, "SAME": 0, "FAR": 3 * 366}
    values = {
        name: (first.date() + timedelta(days=days[v])).isoformat() if v in days else v
        for name, v in rule.items()
    }
    with pytest.raises(Invalid) as raised:
        form = series_form(first, **values)
        await service.create_series(actor=admin, slug=None, form=form)
    assert message in raised.value.fields[field]
    assert await EventSeries.all().count() == 0
    assert await Event.all().count() == 0


async def test_only_facilitators_and_admins_schedule_a_series(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await make_member()
    await add_member(group, member)
    form = series_form(dates.day(10, "19:00"), repeat="weekly", sessions=3)
    for actor, slug in ((member, group.slug), (facilitator, None), (None, group.slug)):
        with pytest.raises(Exception) as raised:
            await service.create_series(actor=actor, slug=slug, form=form)
        assert type(raised.value).__name__ in ("PermissionDenied", "Unauthenticated")
    series = await service.create_series(actor=facilitator, slug=group.slug, form=form)
    again = await service.create_series(actor=facilitator, slug=group.slug, form=form)
    assert again.id == series.id  # the form sent twice makes one series
    assert await Event.all().count() == 3


def occurrences(ics: bytes, zone: ZoneInfo) -> list[datetime]:
    """The sessions another reader (vobject) finds in a series' calendar file: the RRULE's
    dates without the EXDATEs, with each RECURRENCE-ID override put in its place. vobject's
    own reading of the VTIMEZONE puts a wrong offset on some dates after a change (its wall
    times are right), so each wall time is read in `zone`, the file's TZID, here."""
    assert f"TZID={zone.key}" in ics.decode()
    calendar = vobject.readOne(ics.decode())

    def instant(moment: datetime, zone: ZoneInfo) -> datetime:
        return moment.replace(tzinfo=zone).astimezone(UTC)

    found: dict[datetime, datetime] = {}
    overrides: dict[datetime, datetime] = {}
    for entry in calendar.vevent_list:
        if hasattr(entry, "recurrence_id"):
            original = instant(entry.recurrence_id.value, zone)
            overrides[original] = instant(entry.dtstart.value, zone)
        else:
            for moment in entry.getrruleset(addRDate=True):
                found[instant(moment, zone)] = instant(moment, zone)
    for original, moved in overrides.items():
        assert original in found
        found[original] = moved
    return sorted(found.values())


async def test_the_calendar_file_is_one_entry_with_its_exceptions(database: None) -> None:
    admin = await make_member(admin=True)
    change = dates.next_shift(LONDON, forward=False)
    first_day = change.astimezone(LONDON).date() - timedelta(days=15)
    first = datetime.combine(first_day, datetime.min.time(), tzinfo=LONDON).replace(hour=18)
    series = await service.create_series(
        actor=admin, slug=None, form=series_form(first, repeat="weekly", sessions=5)
    )
    sessions = await sessions_of(series)
    ics = series_calendar(series, sessions, service.rule_of(series))
    text = ics.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert "RRULE:FREQ=WEEKLY;COUNT=5" in text and "TZID=Europe/London" in text
    assert occurrences(ics, LONDON) == [event.starts_at for event in sessions]

    # the third is cancelled; the fourth moves a day later, at 17:00
    await service.cancel_event(actor=admin, event_id=sessions[2].id)
    moved_to = sessions[3].starts_at.astimezone(LONDON) + timedelta(days=1, hours=-1)
    await service.update_event(
        actor=admin,
        event_id=sessions[3].id,
        changes=EventChanges.from_json(
            {
                "starts_at": moved_to.isoformat(),
                "ends_at": (moved_to + timedelta(hours=2)).isoformat(),
            }
        ),
    )
    sessions = await sessions_of(series)
    ics = series_calendar(series, sessions, service.rule_of(series))
    text = ics.decode()
    assert text.count("BEGIN:VEVENT") == 2 and "EXDATE;TZID=Europe/London" in text
    assert "RECURRENCE-ID;TZID=Europe/London" in text
    expected = [e.starts_at for e in sessions if not e.is_cancelled]
    assert occurrences(ics, LONDON) == expected
    assert moved_to.astimezone(UTC) in expected


async def test_the_form_schedules_a_series_and_the_pages_show_it(app: Starlette) -> None:
    facilitator = await make_member(email="fac@example.org")
    group = await make_group(facilitator=facilitator, name="Early Intervention Circle")
    first = dates.day(9, "19:00")
    values = {
        "title": "Play-based assessment",
        "kind": "course",
        "starts_at": dates.field(first),
        "ends_at": dates.field(first + timedelta(hours=2)),
        "time_zone": "Asia/Singapore",
        "venue": "Room 4",
        "repeat": "weekly",
        "interval": "2",
    }
    async with open_browser(app) as browser:
        await browser.login("fac@example.org", PASSWORD)
        form = text_of(await browser.get(f"/groups/{group.slug}/events/new"))
        assert "Repeats" in form and "Number of sessions" in form
        bad = await browser.post(f"/groups/{group.slug}/events", values)
        assert bad.status_code == 422
        assert "Give the number of sessions, or the last day." in text_of(bad)
        assert await Event.all().count() == 0
        done = await browser.post(f"/groups/{group.slug}/events", {**values, "sessions": "4"})
        assert done.status_code == 303
        page = await browser.get(done.headers["location"])
        text = text_of(page)
        assert "The series of 4 sessions is scheduled." in text
        assert "4 sessions, every 2 weeks on" in text
        sessions = await Event.filter(series_id__isnull=False).order_by("series_index")
        assert [s.starts_at for s in sessions] == [
            (first + timedelta(weeks=2 * n)).astimezone(UTC) for n in range(4)
        ]
        for session in sessions:
            assert f'href="/events/{session.id}"' in page.text
        detail = text_of(await browser.get(f"/events/{sessions[1].id}"))
        assert "Session 2 of 4 of a series meeting every 2 weeks on" in detail
        ics = await browser.get(f"/series/{sessions[0].series_id}.ics")
        assert ics.headers["content-type"].startswith("text/calendar")
        assert len(occurrences(ics.content, ZoneInfo("Asia/Singapore"))) == 4
        # a plain event still has no series line
        plain = await browser.post(
            f"/groups/{group.slug}/events", {**values, "title": "One evening", "repeat": ""}
        )
        assert "Session 1 of" not in text_of(await browser.get(plain.headers["location"]))


async def test_a_private_group_series_is_hidden_from_strangers(app: Starlette) -> None:
    facilitator = await make_member(email="fac@example.org")
    group = await make_group(facilitator=facilitator, visibility="private")
    await make_member(email="stranger@example.org")
    series = await service.create_series(
        actor=facilitator,
        slug=group.slug,
        form=series_form(dates.day(9, "19:00"), repeat="weekly", sessions=3),
    )
    async with open_browser(app) as stranger:
        await stranger.login("stranger@example.org", PASSWORD)
        for path in (f"/series/{series.id}", f"/series/{series.id}.ics"):
            assert (await stranger.get(path)).status_code == 404
        assert (await stranger.client.get(f"/api/v1/series/{series.id}")).status_code == 404
    with pytest.raises(NotFound):
        await service.series_page(actor=None, series_id=series.id)
    assert (await service.series_page(actor=facilitator, series_id=series.id)).series.id


async def test_the_api_schedules_and_reads_a_series(app: Starlette) -> None:
    facilitator = await make_member(email="fac@example.org")
    group = await make_group(facilitator=facilitator)
    first = dates.day(9, "09:00", "Europe/London")
    body = {
        "title": "Supervision skills",
        "kind": "cet",
        "starts_at": dates.iso(first),
        "ends_at": dates.iso(first + timedelta(hours=3)),
        "time_zone": "Europe/London",
        "online_url": "https://meet.example.org/supervision",
        "repeat": "monthly",
        "sessions": 3,
    }
    async with open_browser(app) as browser:
        api = ApiClient(browser.client, await token_for(facilitator))
        made = await api.post(f"/groups/{group.slug}/series", body)
        assert made.status_code == 201, made.text
        answer = made.json()
        assert answer["repeat"] == "monthly" and answer["rule"].startswith("every month on the")
        assert len(answer["sessions"]) == 3
        assert [s["series_index"] for s in answer["sessions"]] == [0, 1, 2]
        assert {s["series"] for s in answer["sessions"]} == {answer["id"]}
        read = await api.get(f"/series/{answer['id']}")
        assert read.json() == answer
        bad = await api.post(f"/groups/{group.slug}/series", {**body, "sessions": 0})
        assert bad.status_code == 422
        assert "sessions" in bad.json()["error"]["fields"]
        assert await EventSeries.all().count() == 1
    assert answer["repeat"] == Repeat.MONTHLY


async def weekly_six(facilitator: Member, group: Group) -> tuple[EventSeries, list[Event]]:
    """Six weekly sessions at 19:00 in London, the first in ten days."""
    first = dates.day(10, "19:00", "Europe/London")
    series = await service.create_series(
        actor=facilitator, slug=group.slug, form=series_form(first, repeat="weekly", sessions=6)
    )
    return series, await sessions_of(series)


async def going(email: str, group: Group, *sessions: Event) -> Member:
    member = await make_member(email=email)
    await add_member(group, member)
    for session in sessions:
        await service.rsvp(actor=member, event_id=session.id)
    return member


def changes(**values: object) -> EventChanges:
    return EventChanges.from_json(
        {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
    )


async def test_this_and_following_moves_them_splits_the_series_and_tells_each_once(
    database: None,
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    _, sessions = await weekly_six(facilitator, group)
    await going("later@example.org", group, *sessions[2:5])
    await going("early@example.org", group, sessions[0])
    third = sessions[2]
    new_start = third.starts_at.astimezone(LONDON) + timedelta(hours=1)
    await service.update_sessions(
        actor=facilitator,
        event_id=third.id,
        changes=changes(starts_at=new_start, ends_at=new_start + timedelta(hours=2)),
        scope=Scope.FOLLOWING,
    )
    after = list(await Event.filter(group_id=group.id).order_by("starts_at"))
    day = f"{sessions[0].starts_at.astimezone(LONDON):%a}"
    assert local_times(after, LONDON) == [f"{day} 19:00"] * 2 + [f"{day} 20:00"] * 4
    old, new = await EventSeries.filter(group_id=group.id).order_by("id")
    assert (old.sessions, new.sessions) == (2, 4)
    assert [(e.series_id, e.series_index) for e in after] == [
        (old.id, 0), (old.id, 1), (new.id, 0), (new.id, 1), (new.id, 2), (new.id, 3),
    ]  # fmt: skip
    assert all(e.series_start == e.starts_at for e in after)  # no exceptions to the rules
    for part in (old, new):
        ics = series_calendar(part, await sessions_of(part), service.rule_of(part))
        assert ics.decode().count("BEGIN:VEVENT") == 1
        assert occurrences(ics, LONDON) == [e.starts_at for e in after if e.series_id == part.id]
    told = await notified("later@example.org", "event_changed")
    assert len(told) == 1  # three sessions changed: one notice
    assert "3 sessions you are going to changed" in told[0].title
    assert await notified("early@example.org", "event_changed") == []


async def test_all_sessions_to_come_change_and_past_ones_stay(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    series, sessions = await weekly_six(facilitator, group)
    await going("all@example.org", group, *sessions)
    clock.advance(sessions[1].ends_at - clock.now() + timedelta(hours=1))  # two have happened
    await service.update_sessions(
        actor=facilitator,
        event_id=sessions[3].id,
        changes=changes(title="Reflective practice, season two", venue="Room 9", capacity=20),
        scope=Scope.ALL,
    )
    after = await sessions_of(series)
    assert [e.title for e in after] == ["Reflective practice circle"] * 2 + [
        "Reflective practice, season two"
    ] * 4
    assert [e.venue for e in after][1:3] == ["Room 4, Community Hub", "Room 9"]
    assert {e.capacity for e in after[2:]} == {20}
    assert [e.starts_at for e in after] == [e.starts_at for e in sessions]  # no new time
    assert (await EventSeries.get(id=series.id)).title == "Reflective practice, season two"
    assert len(await notified("all@example.org", "event_changed")) == 1
    # a past session cannot be the one changed
    with pytest.raises(Conflict):
        await service.update_sessions(
            actor=facilitator, event_id=sessions[0].id, changes=changes(venue="X"),
            scope=Scope.ALL,
        )  # fmt: skip


async def test_this_session_only_is_an_exception_in_the_calendar(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    series, sessions = await weekly_six(facilitator, group)
    moved = sessions[4].starts_at.astimezone(LONDON) - timedelta(days=1)
    await service.update_sessions(
        actor=facilitator,
        event_id=sessions[4].id,
        changes=changes(starts_at=moved, ends_at=moved + timedelta(hours=2)),
        scope=Scope.THIS,
    )
    after = await sessions_of(series)
    assert [e.starts_at for e in after] == [
        *(e.starts_at for e in sessions[:4]), moved.astimezone(UTC), sessions[5].starts_at,
    ]  # fmt: skip
    ics = series_calendar(series, after, service.rule_of(series))
    assert ics.decode().count("RECURRENCE-ID") == 1
    assert occurrences(ics, LONDON) == sorted(e.starts_at for e in after)


async def test_a_bad_change_to_sessions_changes_none(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    series, sessions = await weekly_six(facilitator, group)
    for n in range(3):
        await going(f"m{n}@example.org", group, sessions[4])
    with pytest.raises(Invalid) as raised:
        await service.update_sessions(
            actor=facilitator, event_id=sessions[1].id, changes=changes(capacity=2),
            scope=Scope.FOLLOWING,
        )  # fmt: skip
    assert raised.value.fields == {
        "capacity": "3 members are going to session 5: choose at least 3 seats, or leave it "
        "empty for no limit."
    }
    with pytest.raises(Invalid) as raised:
        await service.update_sessions(
            actor=facilitator, event_id=sessions[1].id,
            changes=changes(time_zone="Asia/Singapore"), scope=Scope.ALL,
        )  # fmt: skip
    assert "one session at a time" in raised.value.fields["time_zone"]
    assert [e.capacity for e in await sessions_of(series)] == [12] * 6
    single = await make_event(group, facilitator)
    with pytest.raises(Invalid) as raised:
        await service.update_sessions(
            actor=facilitator, event_id=single.id, changes=changes(venue="Y"), scope=Scope.ALL
        )
    assert "not part of a series" in raised.value.fields["scope"]
    member = await going("plain@example.org", group)
    with pytest.raises(PermissionDenied):
        await service.update_sessions(
            actor=member, event_id=sessions[1].id, changes=changes(venue="Z"), scope=Scope.ALL
        )


async def test_the_edit_page_and_the_api_take_a_scope(app: Starlette) -> None:
    facilitator = await make_member(email="fac@example.org")
    group = await make_group(facilitator=facilitator)
    series, sessions = await weekly_six(facilitator, group)
    async with open_browser(app) as browser:
        await browser.login("fac@example.org", PASSWORD)
        form = text_of(await browser.get(f"/events/{sessions[2].id}/edit"))
        assert "apply the changes to" in form and "this session and the following ones" in form
        plain = await make_event(group, facilitator)
        assert "apply the changes to" not in text_of(await browser.get(f"/events/{plain.id}/edit"))
        done = await browser.post(
            f"/events/{sessions[2].id}/edit", {"venue": "Hall B", "scope": "following"}
        )
        assert done.status_code == 303
        assert [e.venue for e in await sessions_of(series)] == ["Room 4, Community Hub"] * 2 + [
            "Hall B"
        ] * 4
        bad = await browser.post(f"/events/{sessions[2].id}/edit", {"scope": "some"})
        assert bad.status_code == 422 and "Choose this session" in text_of(bad)
        api = ApiClient(browser.client, await token_for(facilitator))
        answer = await api.call(
            "PATCH", f"/events/{sessions[0].id}", {"online_url": "https://meet.example.org/x"},
            scope="all",
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert {e.online_url for e in await sessions_of(series)} == {"https://meet.example.org/x"}
