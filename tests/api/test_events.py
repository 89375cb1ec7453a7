"""API: events — the list, scheduling and changing, RSVPs, attendees and attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from community import clock
from community.accounts.models import Member
from community.events.models import Event, EventState, Rsvp, RsvpStatus
from community.groups.models import Group
from community.mail.models import OutboxMessage
from community.notifications.models import Notification
from tests import dates
from tests.api.helpers import ApiClient, error_of, token_for
from tests.conftest import START
from tests.factories import add_member, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

EVENT_KEYS = {
    "id", "group", "title", "description", "description_html", "kind", "starts_at", "ends_at",
    "time_zone", "venue", "online_url", "in_person", "online", "capacity", "seats_taken",
    "seats_left", "waitlist_length", "rsvp_deadline", "cpd_hours", "state", "series",
    "series_index",
}  # fmt: skip
DETAIL_KEYS = EVENT_KEYS | {"my_rsvp", "rsvp_open", "may_rsvp", "can_manage"}
LONDON = ZoneInfo("Europe/London")
MINUS_TWO = timezone(timedelta(hours=-2))


def new_event() -> dict[str, Any]:
    """An event's body: 10:00 to 12:30 in Singapore ten days after today (by the clock), RSVPs
    closing at noon the day before; times in ISO 8601 with their offset."""
    return {
        "title": "Working with families in crisis",
        "description": "Bring a **case**.",
        "kind": "workshop",
        "starts_at": dates.day(10, "10:00").isoformat(),
        "ends_at": dates.day(10, "12:30").isoformat(),
        "time_zone": "Asia/Singapore",
        "venue": "NCSS Hub, Level 3",
        "online_url": "https://meet.example.org/xyz",
        "capacity": 30,
        "rsvp_deadline": dates.day(9, "12:00").isoformat(),
        "cpd_hours": 2.5,
    }


def utc_z(moment: datetime) -> str:
    """A moment in UTC written with a Z, as some clients send it."""
    return f"{moment.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"


@dataclass
class Cast:
    """A public group with its facilitator and a member; an outsider; an admin. Tokens each."""

    group: Group
    facilitator: Member
    member: Member
    outsider: Member
    admin: Member
    tokens: dict[str, str]


async def cast(*, visibility: str = "public") -> Cast:
    facilitator = await make_member(name="Fay Cole")
    admin = await make_member(admin=True)
    group = await make_group(admin=admin, facilitator=facilitator, visibility=visibility)
    member = await make_member(name="Mo Lim")
    await add_member(group, member)
    outsider = await make_member(name="Out Sider")
    tokens = {
        "facilitator": await token_for(facilitator),
        "member": await token_for(member),
        "outsider": await token_for(outsider),
        "admin": await token_for(admin),
    }
    return Cast(group, facilitator, member, outsider, admin, tokens)


async def event_counts() -> tuple[int, int, int, int]:
    """Events, RSVPs, notifications and outbox messages: refusals change none of them."""
    return (
        await Event.all().count(),
        await Rsvp.all().count(),
        await Notification.all().count(),
        await OutboxMessage.all().count(),
    )


# the list


async def test_list_shows_what_each_viewer_may_see(api: ApiClient) -> None:
    people = await cast()
    public = await make_event(people.group, people.facilitator, title="Public one")
    hidden_group = await make_group(admin=people.admin, visibility="private")
    private = await make_event(hidden_group, people.admin, title="Private one")
    site = await make_event(
        None,
        people.admin,
        title="Site one",
        starts=dates.field(dates.day(9, "19:00")),
        ends=dates.field(dates.day(9, "20:00")),
    )
    visitor = await api.get("/events")
    assert visitor.status_code == 200, visitor.text
    body = visitor.json()
    assert [e["id"] for e in body["items"]] == [public.id, site.id]
    assert body["next_cursor"] is None
    first = body["items"][0]
    assert set(first) == EVENT_KEYS
    assert first["group"] == people.group.slug and body["items"][1]["group"] is None
    assert first["venue"] is None and first["online_url"] is None  # hidden from visitors
    assert first["in_person"] is True and first["online"] is True
    assert first["cpd_hours"] == "1.5" and first["kind"] == "workshop"
    assert first["starts_at"] == dates.iso(dates.day(8, "19:00"))
    assert first["state"] == "scheduled" and first["waitlist_length"] == 0
    assert first["capacity"] is None and first["seats_left"] is None
    admin = await api.as_(people.tokens["admin"]).get("/events")
    assert [e["id"] for e in admin.json()["items"]] == [public.id, private.id, site.id]
    assert admin.json()["items"][0]["venue"] == "NCSS Hub, Level 3"  # admins manage all
    outsider = await api.as_(people.tokens["outsider"]).get("/events", group=hidden_group.slug)
    assert outsider.json()["items"] == []


async def test_list_shows_the_place_to_members_going_and_facilitators(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator, capacity=1)
    other = await make_member()
    await add_member(people.group, other)
    await api.as_(people.tokens["member"]).put(f"/events/{event.id}/rsvp", {"status": "going"})
    await api.as_(await token_for(other)).put(f"/events/{event.id}/rsvp", {"status": "going"})
    going = (await api.as_(people.tokens["member"]).get("/events")).json()["items"][0]
    assert going["venue"] == "NCSS Hub, Level 3"
    assert going["online_url"] == "https://meet.example.org/abc"
    assert going["seats_taken"] == 1 and going["seats_left"] == 0
    assert going["waitlist_length"] == 1
    waiting = (await api.as_(await token_for(other)).get("/events")).json()["items"][0]
    assert waiting["venue"] is None  # waitlisted is not going
    facilitating = (await api.as_(people.tokens["facilitator"]).get("/events")).json()
    assert facilitating["items"][0]["online_url"] == "https://meet.example.org/abc"
    stranger = (await api.as_(people.tokens["outsider"]).get("/events")).json()
    assert stranger["items"][0]["venue"] is None


async def test_list_filters_and_pages(api: ApiClient) -> None:
    people = await cast()
    talks = [
        await make_event(
            people.group,
            people.facilitator,
            kind="talk",
            title=f"Talk {day}",
            starts=dates.field(dates.day(day, "10:00")),
            ends=dates.field(dates.day(day, "11:00")),
        )
        for day in (9, 10, 11)
    ]
    workshop = await make_event(None, people.admin, kind="workshop")
    past = await make_event(
        people.group,
        people.facilitator,
        starts=dates.field(dates.day(-22, "10:00")),
        ends=dates.field(dates.day(-22, "11:00")),
    )
    page = await api.get("/events", kind="talk", limit=2)
    assert [e["id"] for e in page.json()["items"]] == [talks[0].id, talks[1].id]
    cursor = page.json()["next_cursor"]
    assert cursor
    rest = await api.get("/events", kind="talk", limit=2, cursor=cursor)
    assert [e["id"] for e in rest.json()["items"]] == [talks[2].id]
    assert rest.json()["next_cursor"] is None
    assert [e["id"] for e in (await api.get("/events", when="past")).json()["items"]] == [past.id]
    in_group = (await api.get("/events", group=people.group.slug)).json()["items"]
    assert workshop.id not in [e["id"] for e in in_group] and len(in_group) == 3
    member = api.as_(people.tokens["member"])
    await member.put(f"/events/{talks[1].id}/rsvp", {"status": "going"})
    mine = await member.get("/events", mine="true")
    assert [e["id"] for e in mine.json()["items"]] == [talks[1].id]
    assert (await api.get("/events", mine="true")).json()["items"] == []  # a visitor has none
    for params in ({"when": "soon"}, {"kind": "party"}, {"mine": "yes"}, {"limit": "0"},
                   {"limit": "101"}, {"limit": "x"}, {"group": "a\x00b"}):  # fmt: skip
        bad = await api.get("/events", **params)
        assert bad.status_code == 422, params
        assert set(error_of(bad)["fields"]) == set(params)
    tampered = await api.get("/events", cursor="not-a-cursor")
    assert tampered.status_code == 200 and len(tampered.json()["items"]) == 4


# one event


async def test_get_event_shows_my_rsvp_and_the_place_as_the_page_does(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator, capacity=1)
    visitor = await api.get(f"/events/{event.id}")
    assert visitor.status_code == 200
    body = visitor.json()
    assert set(body) == DETAIL_KEYS
    assert body["my_rsvp"] is None and body["venue"] is None and body["online_url"] is None
    assert body["rsvp_open"] is True and body["may_rsvp"] is False and body["can_manage"] is False
    assert body["description_html"] == ""
    member = api.as_(people.tokens["member"])
    before = (await member.get(f"/events/{event.id}")).json()
    assert before["my_rsvp"] is None and before["may_rsvp"] is True and before["venue"] is None
    await member.put(f"/events/{event.id}/rsvp", {"status": "going"})
    going = (await member.get(f"/events/{event.id}")).json()
    assert going["my_rsvp"] == {"status": "going", "waitlist_position": None}
    assert going["venue"] == "NCSS Hub, Level 3" and going["seats_left"] == 0
    other = await make_member()
    await add_member(people.group, other)
    other_api = api.as_(await token_for(other))
    await other_api.put(f"/events/{event.id}/rsvp", {"status": "going"})
    waiting = (await other_api.get(f"/events/{event.id}")).json()
    assert waiting["my_rsvp"] == {"status": "waitlisted", "waitlist_position": 1}
    assert waiting["venue"] is None and waiting["waitlist_length"] == 1
    managing = (await api.as_(people.tokens["facilitator"]).get(f"/events/{event.id}")).json()
    assert managing["can_manage"] is True and managing["online_url"].startswith("https://")
    outsider = (await api.as_(people.tokens["outsider"]).get(f"/events/{event.id}")).json()
    assert outsider["may_rsvp"] is False and outsider["venue"] is None


async def test_private_group_events_are_not_found_by_outsiders(api: ApiClient) -> None:
    people = await cast(visibility="private")
    event = await make_event(people.group, people.facilitator)
    before = await event_counts()
    for client in (api, api.as_(people.tokens["outsider"])):
        assert (await client.get(f"/events/{event.id}")).status_code == 404
    outsider = api.as_(people.tokens["outsider"])
    refusals = [
        await outsider.patch(f"/events/{event.id}", {"title": "Mine now"}),
        await outsider.post(f"/events/{event.id}/cancel"),
        await outsider.put(f"/events/{event.id}/rsvp", {"status": "going"}),
        await outsider.get(f"/events/{event.id}/attendees"),
        await outsider.post(
            f"/events/{event.id}/attendance", {"user_id": people.member.id, "attended": True}
        ),
    ]
    assert [r.status_code for r in refusals] == [404] * 5
    assert error_of(refusals[0])["code"] == "not_found"
    assert await event_counts() == before
    assert (await Event.get(id=event.id)).title == event.title
    member = await api.as_(people.tokens["member"]).get(f"/events/{event.id}")
    assert member.status_code == 200


async def test_unknown_and_huge_event_ids_are_not_found(api: ApiClient) -> None:
    assert (await api.get("/events/999999")).status_code == 404
    assert (await api.get("/events/99999999999999999999")).status_code == 404
    assert (await api.get("/events/0")).status_code == 404


# scheduling


async def test_facilitators_schedule_group_events(api: ApiClient) -> None:
    people = await cast()
    new = new_event()
    starts = dates.day(10, "10:00")
    response = await api.as_(people.tokens["facilitator"]).post(
        f"/groups/{people.group.slug}/events", new
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == DETAIL_KEYS
    assert body["group"] == people.group.slug and body["title"] == new["title"]
    assert body["starts_at"] == dates.iso(starts)
    assert body["ends_at"] == dates.iso(dates.day(10, "12:30"))
    assert body["rsvp_deadline"] == dates.iso(dates.day(9, "12:00"))
    assert body["cpd_hours"] == "2.5" and body["capacity"] == 30 and body["seats_left"] == 30
    assert body["description_html"] == "<p>Bring a <strong>case</strong>.</p>\n"
    assert body["venue"] == "NCSS Hub, Level 3" and body["can_manage"] is True
    stored = await Event.get(id=body["id"])
    assert stored.group_id == people.group.id and stored.created_by_id == people.facilitator.id
    assert stored.starts_at == starts.astimezone(UTC)
    assert stored.cpd_hours == Decimal("2.5")
    by_admin = await api.as_(people.tokens["admin"]).post(
        f"/groups/{people.group.slug}/events", new
    )
    assert by_admin.status_code == 201


async def test_others_may_not_schedule_group_events(api: ApiClient) -> None:
    people = await cast()
    path = f"/groups/{people.group.slug}/events"
    new = new_event()
    before = await event_counts()
    assert (await api.post(path, new)).status_code == 401
    for who in ("member", "outsider"):
        refused = await api.as_(people.tokens[who]).post(path, new)
        assert refused.status_code == 403, who
        assert error_of(refused)["code"] == "permission_denied"
    missing = await api.as_(people.tokens["admin"]).post("/groups/no-such-group/events", new)
    assert missing.status_code == 404
    assert await event_counts() == before


async def test_only_admins_schedule_site_wide_events(api: ApiClient) -> None:
    people = await cast()
    new = new_event()
    before = await event_counts()
    assert (await api.post("/events", new)).status_code == 401
    for who in ("member", "facilitator"):
        assert (await api.as_(people.tokens[who]).post("/events", new)).status_code == 403
    assert await event_counts() == before
    created = await api.as_(people.tokens["admin"]).post("/events", new)
    assert created.status_code == 201
    assert created.json()["group"] is None
    assert (await Event.get(id=created.json()["id"])).group_id is None


async def test_times_without_an_offset_are_local_to_the_event(api: ApiClient) -> None:
    people = await cast()
    # 10:00 in London ten days on: UTC+0 in winter, UTC+1 in summer
    in_london = dates.day(10, "10:00", LONDON)
    body = {
        **new_event(),
        "time_zone": "Europe/London",
        "starts_at": dates.field(in_london),
        "ends_at": f"{in_london + timedelta(hours=1):%Y-%m-%dT%H:%M:%S}",
        "rsvp_deadline": None,
    }
    created = await api.as_(people.tokens["admin"]).post("/events", body)
    assert created.status_code == 201, created.text
    assert created.json()["starts_at"] == dates.iso(in_london)
    assert created.json()["rsvp_deadline"] is None
    # an instant in another offset is converted into the event's zone
    instant = in_london.replace(tzinfo=UTC)  # 10:00 UTC that day
    converted = await api.as_(people.tokens["admin"]).post(
        "/events",
        {
            **body,
            "time_zone": "Asia/Singapore",
            "starts_at": utc_z(instant),
            "ends_at": (instant + timedelta(hours=5)).astimezone(MINUS_TWO).isoformat(),
        },
    )
    assert converted.status_code == 201, converted.text
    assert converted.json()["starts_at"] == dates.iso(instant)
    assert converted.json()["ends_at"] == dates.iso(instant + timedelta(hours=5))
    default_zone = await api.as_(people.tokens["admin"]).post(
        "/events", {key: value for key, value in body.items() if key != "time_zone"}
    )
    assert default_zone.json()["time_zone"] == "Asia/Singapore"
    in_singapore = in_london.replace(tzinfo=ZoneInfo("Asia/Singapore"))  # the same wall clock
    assert default_zone.json()["starts_at"] == dates.iso(in_singapore)


async def test_bad_event_fields_are_refused_by_name(api: ApiClient) -> None:
    people = await cast()
    admin = api.as_(people.tokens["admin"])
    new = new_event()  # 10:00 to 12:30 ten days on
    before = await event_counts()
    cases = [
        ({"starts_at": "next tuesday"}, {"starts_at"}),
        ({"ends_at": dates.day(10, "09:00").isoformat()}, {"ends_at"}),
        ({"rsvp_deadline": dates.day(11, "09:00").isoformat()}, {"rsvp_deadline"}),
        ({"rsvp_deadline": "soon"}, {"rsvp_deadline"}),
        ({"starts_at": "0001-01-01T00:00:00+14:00"}, {"starts_at"}),
        ({"starts_at": "9999-12-31T23:59:00-14:00"}, {"starts_at"}),
        ({"kind": "party"}, {"kind"}),
        ({"time_zone": "Mars/Base"}, {"time_zone"}),
        ({"title": ""}, {"title"}),
        ({"title": 5}, {"title"}),
        ({"title": None}, {"title"}),
        ({"capacity": 0}, {"capacity"}),
        ({"capacity": 2**40}, {"capacity"}),
        ({"capacity": "ten"}, {"capacity"}),
        ({"capacity": True}, {"capacity"}),
        ({"cpd_hours": 1.234}, {"cpd_hours"}),
        ({"cpd_hours": "lots"}, {"cpd_hours"}),
        ({"cpd_hours": 1e308}, {"cpd_hours"}),
        ({"online_url": "javascript:alert(1)"}, {"online_url"}),
        ({"venue": None, "online_url": None}, {"venue"}),
        ({"description": ["x"]}, {"description"}),
    ]
    for changes, fields in cases:
        response = await admin.post("/events", {**new, **changes})
        assert response.status_code == 422, changes
        assert set(error_of(response)["fields"]) == fields, (changes, response.json())
    missing = await admin.post("/events", {})
    assert {"title", "starts_at", "ends_at"} <= set(error_of(missing)["fields"])
    assert await event_counts() == before


async def test_times_that_do_not_exist_are_refused_and_those_twice_read_as_sent(
    api: ApiClient,
) -> None:
    people = await cast()
    admin = api.as_(people.tokens["admin"])
    london = {**new_event(), "time_zone": "Europe/London", "rsvp_deadline": None}
    # when London's clocks next go forward, the wall clock jumps from `skipped` (01:00) an hour
    # on, so half past `skipped` that night never happens there
    forward = dates.next_shift(LONDON, forward=True)
    before = (forward - timedelta(minutes=1)).astimezone(LONDON).utcoffset()
    after = forward.astimezone(LONDON).utcoffset()
    assert before is not None and after is not None and after > before
    skipped = (forward + before).replace(tzinfo=None)
    half_past = skipped + timedelta(minutes=30)
    round_trip = half_past.replace(tzinfo=LONDON).astimezone(UTC).astimezone(LONDON)
    assert round_trip.replace(tzinfo=None) != half_past  # no such time in London
    gap = await admin.post(
        "/events",
        {
            **london,
            "starts_at": f"{half_past:%Y-%m-%dT%H:%M}",
            "ends_at": f"{skipped + (after - before) + timedelta(hours=1):%Y-%m-%dT%H:%M}",
        },
    )
    assert gap.status_code == 422 and "does not exist" in error_of(gap)["fields"]["starts_at"]
    # when they next go back (02:00 summer time becomes 01:00), the half hour after the change
    # (01:30 winter time) is the second 01:30 in London that night; the first came an hour
    # earlier, in summer time
    back = dates.next_shift(LONDON, forward=False)
    summer = (back - timedelta(minutes=1)).astimezone(LONDON).utcoffset()
    winter = back.astimezone(LONDON).utcoffset()
    assert summer is not None and winter is not None and summer > winter
    second = back + timedelta(minutes=30)
    first_time = second - (summer - winter)
    wall = first_time.astimezone(LONDON).replace(tzinfo=None)
    assert wall == second.astimezone(LONDON).replace(tzinfo=None)  # the same 01:30, twice
    ends = utc_z(back + timedelta(hours=4))
    # with an offset, either of the two is that very instant (the pages' rule too, #17)
    twice = await admin.post("/events", {**london, "starts_at": utc_z(second), "ends_at": ends})
    assert twice.status_code == 201, twice.text
    assert twice.json()["starts_at"] == dates.iso(second)
    first = await admin.post("/events", {**london, "starts_at": utc_z(first_time), "ends_at": ends})
    assert first.status_code == 201
    assert first.json()["starts_at"] == dates.iso(first_time)
    # without one, the local time that happens twice is read as the first of the two
    local = await admin.post("/events", {**london, "starts_at": f"{wall:%Y-%m-%dT%H:%M}",
                                         "ends_at": ends})  # fmt: skip
    assert local.status_code == 201 and local.json()["starts_at"] == dates.iso(first_time)


# changing and cancelling


async def test_patch_changes_only_what_is_sent(api: ApiClient) -> None:
    people = await cast()
    deadline = dates.day(7, "12:00")  # noon the day before
    event = await make_event(
        people.group, people.facilitator, capacity=10, deadline=dates.field(deadline)
    )
    facilitator = api.as_(people.tokens["facilitator"])
    renamed = await facilitator.patch(f"/events/{event.id}", {"title": "A new title"})
    assert renamed.status_code == 200, renamed.text
    body = renamed.json()
    assert body["title"] == "A new title" and body["capacity"] == 10
    assert body["starts_at"] == dates.iso(dates.day(8, "19:00")) and body["cpd_hours"] == "1.5"
    assert body["rsvp_deadline"] == dates.iso(deadline)
    assert body["venue"] == "NCSS Hub, Level 3" and body["kind"] == "workshop"
    cleared = await facilitator.patch(
        f"/events/{event.id}", {"capacity": None, "rsvp_deadline": None, "venue": None}
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["capacity"] is None and cleared.json()["rsvp_deadline"] is None
    assert cleared.json()["venue"] == "" and cleared.json()["in_person"] is False
    stored = await Event.get(id=event.id)
    assert stored.title == "A new title" and stored.capacity is None and stored.venue == ""
    admin = api.as_(people.tokens["admin"])
    by_admin = await admin.patch(f"/events/{event.id}", {"cpd_hours": "3"})
    assert by_admin.status_code == 200 and by_admin.json()["cpd_hours"] == "3"


async def test_patch_a_new_time_tells_everyone_going(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator)
    await api.as_(people.tokens["member"]).put(f"/events/{event.id}/rsvp", {"status": "going"})
    later = dates.day(8, "20:00")  # an hour later the same day
    moved = await api.as_(people.tokens["facilitator"]).patch(
        f"/events/{event.id}",
        {"starts_at": later.isoformat(), "ends_at": dates.day(8, "22:00").isoformat()},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["starts_at"] == dates.iso(later)
    told = await Notification.filter(member_id=people.member.id, kind="event_changed")
    assert len(told) == 1 and "new time" in told[0].title


async def test_patch_time_zone_keeps_the_instants_not_sent(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator)
    response = await api.as_(people.tokens["facilitator"]).patch(
        f"/events/{event.id}", {"time_zone": "Europe/London"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["time_zone"] == "Europe/London"
    assert response.json()["starts_at"] == dates.iso(dates.day(8, "19:00"))
    # 10:00 to 12:00 on the event's day, read as London time (UTC+0 in winter, +1 in summer)
    day = dates.day(8, "19:00").date()
    in_london = datetime.combine(day, time(10, 0), tzinfo=LONDON)
    local = await api.as_(people.tokens["facilitator"]).patch(
        f"/events/{event.id}",
        {"starts_at": dates.field(in_london), "ends_at": f"{day:%Y-%m-%d}T12:00"},
    )
    assert local.json()["starts_at"] == dates.iso(in_london)


async def test_patch_is_refused_to_others_and_when_invalid(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator, capacity=5)
    await api.as_(people.tokens["member"]).put(f"/events/{event.id}/rsvp", {"status": "going"})
    before = await event_counts()
    path = f"/events/{event.id}"
    assert (await api.patch(path, {"title": "x"})).status_code == 401
    for who in ("member", "outsider"):
        refused = await api.as_(people.tokens[who]).patch(path, {"title": "x"})
        assert refused.status_code == 403, who
    # who may change it is checked before the body is read (#22): authenticate, authorise,
    # then validate
    assert (await api.as_(people.tokens["member"]).patch(path, {"title": 5})).status_code == 403
    facilitator = api.as_(people.tokens["facilitator"])
    too_few = await facilitator.patch(path, {"capacity": 0})
    assert too_few.status_code == 422 and set(error_of(too_few)["fields"]) == {"capacity"}
    backwards = await facilitator.patch(path, {"ends_at": dates.field(dates.day(8, "18:00"))})
    assert set(error_of(backwards)["fields"]) == {"ends_at"}
    bad_zone = await facilitator.patch(path, {"time_zone": "Nowhere/Land"})
    assert set(error_of(bad_zone)["fields"]) == {"time_zone"}
    assert await event_counts() == before
    assert (await Event.get(id=event.id)).title == event.title


async def test_cancel_is_for_managers_and_tells_attendees(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator)
    await api.as_(people.tokens["member"]).put(f"/events/{event.id}/rsvp", {"status": "going"})
    before = await event_counts()
    path = f"/events/{event.id}/cancel"
    assert (await api.post(path)).status_code == 401
    for who in ("member", "outsider"):
        assert (await api.as_(people.tokens[who]).post(path)).status_code == 403, who
    assert await event_counts() == before
    assert (await Event.get(id=event.id)).state == EventState.SCHEDULED
    cancelled = await api.as_(people.tokens["facilitator"]).post(path)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled" and cancelled.json()["rsvp_open"] is False
    assert (await Event.get(id=event.id)).state == EventState.CANCELLED
    assert await Notification.filter(member_id=people.member.id, kind="event_changed").count() == 1
    again = await api.as_(people.tokens["admin"]).post(path)
    assert again.status_code == 200  # harmless to repeat, told once
    assert await Notification.filter(member_id=people.member.id, kind="event_changed").count() == 1
    facilitator = api.as_(people.tokens["facilitator"])
    changed = await facilitator.patch(f"/events/{event.id}", {"title": "x"})
    assert changed.status_code == 409 and error_of(changed)["code"] == "conflict"
    member = api.as_(people.tokens["member"])
    rsvp = await member.put(f"/events/{event.id}/rsvp", {"status": "going"})
    assert rsvp.status_code == 409


# RSVPs


async def test_rsvp_takes_a_seat_then_the_waitlist_and_promotes(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator, capacity=1)
    second = await make_member(email="second@example.org")
    await add_member(people.group, second)
    path = f"/events/{event.id}/rsvp"
    member = api.as_(people.tokens["member"])
    going = await member.put(path, {"status": "going"})
    assert going.status_code == 200, going.text
    assert going.json() == {"status": "going", "waitlist_position": None}
    assert (await member.put(path, {"status": "going"})).json()["status"] == "going"  # repeat
    waiting_api = api.as_(await token_for(second))
    clock.advance(timedelta(seconds=1))
    waiting = await waiting_api.put(path, {"status": "going"})
    assert waiting.json() == {"status": "waitlisted", "waitlist_position": 1}
    assert (await Rsvp.get(event_id=event.id, member_id=second.id)).status == RsvpStatus.WAITLIST
    left = await member.put(path, {"status": "not_going"})
    assert left.json() == {"status": "not_going", "waitlist_position": None}
    promoted = (await waiting_api.get(f"/events/{event.id}")).json()
    assert promoted["my_rsvp"] == {"status": "going", "waitlist_position": None}
    assert await Notification.filter(member_id=second.id, kind="promoted").count() == 1
    never = await api.as_(people.tokens["facilitator"]).put(path, {"status": "not_going"})
    assert never.json() == {"status": "not_going", "waitlist_position": None}


async def test_rsvp_is_refused_to_visitors_outsiders_and_the_unverified(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator)
    unverified = await make_member(verified=False)
    path = f"/events/{event.id}/rsvp"
    before = await event_counts()
    assert (await api.put(path, {"status": "going"})).status_code == 401
    outsider = await api.as_(people.tokens["outsider"]).put(path, {"status": "going"})
    assert outsider.status_code == 403 and "Join the group" in error_of(outsider)["message"]
    not_verified = await api.as_(await token_for(unverified)).put(path, {"status": "going"})
    assert not_verified.status_code == 403
    for body in ({"status": "maybe"}, {"status": 1}, {}, {"status": "waitlisted"}):
        bad = await api.as_(people.tokens["member"]).put(path, body)
        assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"status"}, body
    assert await event_counts() == before


async def test_rsvp_after_the_deadline_is_a_conflict(api: ApiClient) -> None:
    people = await cast()
    deadline = dates.day(7, "12:00")
    event = await make_event(people.group, people.facilitator, deadline=dates.field(deadline))
    clock.freeze(deadline + timedelta(hours=1))
    closed = await api.as_(people.tokens["member"]).put(
        f"/events/{event.id}/rsvp", {"status": "going"}
    )
    assert closed.status_code == 409 and "deadline" in error_of(closed)["message"]
    assert await Rsvp.all().count() == 0


# attendees and attendance


async def test_attendees_are_for_managers(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator, capacity=1)
    second = await make_member(name="Wai Ting")
    await add_member(people.group, second)
    await api.as_(people.tokens["member"]).put(f"/events/{event.id}/rsvp", {"status": "going"})
    clock.advance(timedelta(seconds=1))
    await api.as_(await token_for(second)).put(f"/events/{event.id}/rsvp", {"status": "going"})
    path = f"/events/{event.id}/attendees"
    assert (await api.get(path)).status_code == 401
    for who in ("member", "outsider"):
        assert (await api.as_(people.tokens[who]).get(path)).status_code == 403, who
    listing = await api.as_(people.tokens["facilitator"]).get(path)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert body["event_id"] == event.id and body["attendance_open"] is False
    assert body["attended_count"] == 0
    assert [(a["user_id"], a["status"], a["waitlist_position"]) for a in body["items"]] == [
        (people.member.id, "going", None),
        (second.id, "waitlisted", 1),
    ]
    first = body["items"][0]
    assert first["display_name"] == "Mo Lim" and first["attended"] is None
    assert first["answered_at"] == START.isoformat()  # answered as the test began
    assert (await api.as_(people.tokens["admin"]).get(path)).status_code == 200


async def test_attendance_is_marked_by_managers_from_the_start(api: ApiClient) -> None:
    people = await cast()
    event = await make_event(people.group, people.facilitator)
    await api.as_(people.tokens["member"]).put(f"/events/{event.id}/rsvp", {"status": "going"})
    path = f"/events/{event.id}/attendance"
    mark = {"user_id": people.member.id, "attended": True}
    facilitator = api.as_(people.tokens["facilitator"])
    early = await facilitator.post(path, mark)
    assert early.status_code == 409
    clock.freeze(event.starts_at)
    assert (await api.post(path, mark)).status_code == 401
    for who in ("member", "outsider"):
        assert (await api.as_(people.tokens[who]).post(path, mark)).status_code == 403, who
    for body, field in (
        ({"user_id": people.outsider.id, "attended": True}, "user_id"),
        ({"user_id": "1", "attended": True}, "user_id"),
        ({"user_id": 2**40, "attended": True}, "user_id"),
        ({"user_id": people.member.id, "attended": "yes"}, "attended"),
        ({"user_id": people.member.id}, "attended"),
    ):
        bad = await facilitator.post(path, body)
        assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {field}, body
    rsvp = await Rsvp.get(event_id=event.id, member_id=people.member.id)
    assert rsvp.attended is None and rsvp.attendance_marked_at is None
    marked = await facilitator.post(path, mark)
    assert marked.status_code == 200, marked.text
    assert marked.json() == {
        "user_id": people.member.id,
        "attended": True,
        "attendance_marked_at": event.starts_at.isoformat(),
    }
    assert (await Rsvp.get(id=rsvp.id)).attended is True
    absent = await api.as_(people.tokens["admin"]).post(path, {**mark, "attended": False})
    assert absent.json()["attended"] is False
    listing = (await facilitator.get(f"/events/{event.id}/attendees")).json()
    assert listing["attendance_open"] is True and listing["items"][0]["attended"] is False
