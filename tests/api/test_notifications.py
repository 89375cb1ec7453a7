"""API: the member's notifications, marking them read, and email preferences."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community import clock
from community.accounts.models import Member
from community.notifications.kinds import all_kinds
from community.notifications.models import Notification, NotificationPreference
from tests.api.helpers import ApiClient, error_of, token_for
from tests.conftest import BASE_URL
from tests.factories import add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")

NOTIFICATION_KEYS = {"id", "kind", "title", "body", "url", "created_at", "read", "actor"}


async def replied_to(count: int) -> tuple[Member, Member, list[Notification]]:
    """A thread starter told about `count` replies from another member, a minute apart."""
    group = await make_group()
    starter = await make_member(name="Sam Tan")
    replier = await make_member(name="Rin Ong")
    for person in (starter, replier):
        await add_member(group, person)
    thread = await make_thread(group, starter)
    for number in range(count):
        clock.advance(timedelta(minutes=1))
        await make_reply(thread, replier, body=f"Reply number {number}.")
    told = list(await Notification.filter(member_id=starter.id).order_by("id"))
    assert len(told) == count
    return starter, replier, told


async def test_notifications_are_listed_newest_first(api: ApiClient) -> None:
    starter, replier, told = await replied_to(3)
    client = api.as_(await token_for(starter))
    first = await client.get("/notifications", limit=2)
    assert first.status_code == 200, first.text
    body = first.json()
    assert [n["id"] for n in body["items"]] == [told[2].id, told[1].id]
    item = body["items"][0]
    assert set(item) == NOTIFICATION_KEYS
    assert item["kind"] == "reply" and item["read"] is False
    assert item["url"] == BASE_URL + told[2].url and told[2].url.startswith("/")
    assert item["title"] == told[2].title and item["body"] == told[2].body
    assert item["created_at"] == told[2].created_at.isoformat()
    assert item["actor"]["id"] == replier.id and item["actor"]["display_name"] == "Rin Ong"
    rest = await client.get("/notifications", limit=2, cursor=body["next_cursor"])
    assert [n["id"] for n in rest.json()["items"]] == [told[0].id]
    assert rest.json()["next_cursor"] is None
    everything = await client.get("/notifications")
    assert len(everything.json()["items"]) == 3
    bad = await client.get("/notifications", limit=1000)
    assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"limit"}


async def test_notifications_are_the_members_own(api: ApiClient) -> None:
    _, replier, _ = await replied_to(1)
    assert (await api.get("/notifications")).status_code == 401
    others = await api.as_(await token_for(replier)).get("/notifications")
    assert others.status_code == 200 and others.json()["items"] == []


async def test_mark_some_notifications_read(api: ApiClient) -> None:
    starter, _, told = await replied_to(3)
    client = api.as_(await token_for(starter))
    assert (await Member.get(id=starter.id)).unread_notifications == 3
    done = await client.post("/notifications/read", {"ids": [told[0].id, told[1].id]})
    assert done.status_code == 200, done.text
    assert done.json() == {"marked": 2}
    again = await client.post("/notifications/read", {"ids": [told[0].id]})
    assert again.json() == {"marked": 0}  # harmless to repeat
    listed = (await client.get("/notifications")).json()["items"]
    assert [n["read"] for n in listed] == [False, True, True]
    assert (await Member.get(id=starter.id)).unread_notifications == 1
    # someone else's ids are passed over
    other = await replied_to(1)
    theirs = await client.post("/notifications/read", {"ids": [other[2][0].id]})
    assert theirs.json() == {"marked": 0}
    assert (await Notification.get(id=other[2][0].id)).read_at is None
    none = await client.post("/notifications/read", {"ids": []})
    assert none.json() == {"marked": 0}


async def test_mark_all_notifications_read(api: ApiClient) -> None:
    starter, _, _ = await replied_to(2)
    client = api.as_(await token_for(starter))
    assert (await client.post("/notifications/read")).json() == {"marked": 2}
    assert (await client.post("/notifications/read", {"ids": None})).json() == {"marked": 0}
    assert await Notification.filter(member_id=starter.id, read_at__isnull=True).count() == 0
    assert (await Member.get(id=starter.id)).unread_notifications == 0


async def test_marking_read_refuses_visitors_and_bad_ids(api: ApiClient) -> None:
    starter, _, told = await replied_to(1)
    assert (await api.post("/notifications/read", {"ids": [told[0].id]})).status_code == 401
    client = api.as_(await token_for(starter))
    for ids in ("all", [0], [True], ["1"], [2**40], [1.5], list(range(1, 1002)), {"a": 1}):
        bad = await client.post("/notifications/read", {"ids": ids})
        assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"ids"}, ids
    assert (await Notification.get(id=told[0].id)).read_at is None


async def test_preferences_are_read_and_chosen(api: ApiClient) -> None:
    member = await make_member()
    client = api.as_(await token_for(member))
    current = await client.get("/notifications/preferences")
    assert current.status_code == 200
    assert current.json()["reply"] == "immediately"
    assert current.json()["new_thread"] == "digest"
    assert current.json()["event_reminder"] == "immediately"
    assert len(current.json()) == len(all_kinds()) == 16
    chosen = await client.put(
        "/notifications/preferences", {"reply": "digest", "event_reminder": "never"}
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json() == {
        **current.json(),
        "reply": "digest",
        "event_reminder": "never",
    }
    saved = {p.kind: p.delivery for p in await NotificationPreference.filter(member_id=member.id)}
    assert saved == {"reply": "digest", "event_reminder": "never"}
    assert (await client.get("/notifications/preferences")).json() == chosen.json()


async def test_preferences_refuse_visitors_and_bad_choices_by_kind(api: ApiClient) -> None:
    member = await make_member()
    client = api.as_(await token_for(member))
    assert (await api.get("/notifications/preferences")).status_code == 401
    assert (await api.put("/notifications/preferences", {"reply": "never"})).status_code == 401
    cases = [
        ({"event_reminder": "digest"}, {"event_reminder"}),  # a reminder in a digest is late
        ({"reply": "sometimes"}, {"reply"}),
        ({"reply": None}, {"reply"}),
        ({"reply": 1}, {"reply"}),
        ({"party": "never"}, {"party"}),
        ({"reply": "never", "mention": "loudly", "event_reminder": "digest"},
         {"mention", "event_reminder"}),
    ]  # fmt: skip
    for body, fields in cases:
        refused = await client.put("/notifications/preferences", body)
        assert refused.status_code == 422, body
        assert set(error_of(refused)["fields"]) == fields, body
    assert await NotificationPreference.filter(member_id=member.id).count() == 0
