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

from community.errors import Invalid, NotFound
from community.events import service
from community.events.ical import series_calendar
from community.events.models import Event, EventSeries, Repeat
from community.events.schemas import EventChanges, SeriesForm
from tests import dates
from tests.api.helpers import ApiClient, token_for
from tests.conftest import open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member

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
