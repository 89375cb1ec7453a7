"""The event commands: one time rule for the pages and the API, and changes that name only
what they change."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from community.errors import Invalid
from community.events.schemas import EventChanges, EventForm
from community.settings import Settings
from tests import dates

NEW_YORK = ZoneInfo("America/New_York")


def _event(**fields: object) -> dict[str, object]:
    starts = dates.day(10, "19:00")
    return {
        "title": "Case notes clinic",
        "starts_at": dates.field(starts),
        "ends_at": dates.field(starts + timedelta(hours=2)),
        "venue": "Hall",
        **fields,
    }


def test_a_local_time_is_read_in_the_events_zone_and_an_offset_is_an_instant(
    settings: Settings,
) -> None:
    local = EventForm.from_form(_event())
    assert local.time_zone == settings.time_zone == "Asia/Singapore"
    assert local.starts_at == dates.day(10, "19:00").astimezone(UTC)
    at = dates.day(10, "19:00", "Europe/London")
    ends = (at + timedelta(hours=2)).isoformat()
    instant = EventForm.from_json(_event(starts_at=at.isoformat(), ends_at=ends))
    assert instant.starts_at == at.astimezone(UTC)


def test_a_time_that_happens_twice_is_the_first_without_an_offset_and_as_sent_with_one(
    settings: Settings,
) -> None:
    back = dates.next_shift(NEW_YORK, forward=False)
    second = back + timedelta(minutes=30)
    wall = second.astimezone(NEW_YORK).replace(tzinfo=None)
    ends = (back + timedelta(hours=3)).isoformat()
    first = EventForm.from_json(
        _event(time_zone="America/New_York", starts_at=wall.isoformat(), ends_at=ends)
    )
    assert first.starts_at == second - timedelta(hours=1)
    exact = EventForm.from_json(
        _event(time_zone="America/New_York", starts_at=second.isoformat(), ends_at=ends)
    )
    assert exact.starts_at == second


def test_a_time_skipped_by_the_clocks_is_refused(settings: Settings) -> None:
    forward = dates.next_shift(NEW_YORK, forward=True)
    skipped = (forward - timedelta(minutes=1)).astimezone(NEW_YORK).replace(tzinfo=None)
    half_past = skipped + timedelta(minutes=31)  # the wall clock never shows it that night
    with pytest.raises(Invalid) as refused:
        EventForm.from_form(
            _event(time_zone="America/New_York", starts_at=dates.field(half_past),
                   ends_at=dates.field(half_past + timedelta(hours=3)))
        )  # fmt: skip
    assert "does not exist in America/New_York" in refused.value.fields["starts_at"]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"venue": "", "online_url": ""}, "venue", "Enter a venue address, an online link"),
        ({"online_url": "ftp://x"}, "online_url", "Enter the full online link"),
        ({"capacity": "²"}, "capacity", "Enter the number of seats"),
        ({"capacity": True}, "capacity", "Enter the number of seats"),
        ({"cpd_hours": "1.555"}, "cpd_hours", "Enter CPD hours"),
        ({"starts_at": 1_900_000_000}, "starts_at", "Enter when the event starts"),
        ({"kind": "party"}, "kind", "Choose the kind of event"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone", "Choose a time zone"),
    ],
)
def test_each_wrong_field_says_what_to_do(
    settings: Settings, fields: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        EventForm.from_json(_event(**fields))
    assert set(refused.value.fields) == {field}
    assert refused.value.fields[field].startswith(message)


def test_changes_name_what_was_sent_and_null_clears(settings: Settings) -> None:
    changes = EventChanges.from_json({"capacity": None, "title": "  New   title "})
    assert changes.sent() == {"capacity": None, "title": "New title"}
    assert EventChanges.from_form({"rsvp_deadline": "", "csrf_token": "t"}).sent() == {
        "rsvp_deadline": None
    }
