"""GET /api/v1/home, and the yearly CPD/CET goal through PATCH /api/v1/me."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community import clock
from community.accounts.models import Member
from community.events import service as events_service
from community.groups import service as groups_service
from community.home import service as home_service
from community.home.schemas import CpdGoal
from tests import dates
from tests.api.helpers import ApiClient, error_of, token_for
from tests.factories import add_member, make_event, make_group, make_member, make_thread
from tests.home.test_pages import GOAL_MESSAGE
from tests.home.test_service import attended_event, early_today

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def set_goal(member: Member, hours: int) -> None:
    await home_service.set_cpd_goal(actor=member, form=CpdGoal(cpd_goal_hours=hours))


async def test_home_answers_the_members_summary(api: ApiClient) -> None:
    facilitator = await make_member(admin=True)
    member = await make_member(email="api-home@example.org")
    group = await make_group(admin=facilitator, facilitator=facilitator, name="Youth circle")
    private = await make_group(admin=facilitator, name="Private circle", visibility="private")
    await add_member(group, member)
    await make_thread(group, facilitator, title="Outreach after school")
    await make_thread(private, facilitator, title="A confidential case")
    full = await make_event(group, facilitator, capacity=1, title="Full workshop")
    first = await make_member()
    await add_member(group, first)
    await events_service.rsvp(actor=first, event_id=full.id)
    clock.advance(timedelta(seconds=1))
    await events_service.rsvp(actor=member, event_id=full.id)
    invited = await make_group(admin=facilitator, facilitator=facilitator, policy="invite")
    await groups_service.invite(actor=facilitator, slug=invited.slug, email="api-home@example.org")
    await attended_event(group, facilitator, member, on=early_today(), hours="1.5")
    await set_goal(member, 10)

    response = await api.as_(await token_for(member)).get("/home")

    assert response.status_code == 200
    body = response.json()
    assert [(t["title"], t["group_slug"], t["unread_posts"]) for t in body["latest"]] == [
        ("Outreach after school", group.slug, 1)
    ]
    assert body["group_count"] == 1
    [event] = body["events"]
    assert (event["title"], event["group"]["slug"], event["my_rsvp"]) == (
        "Full workshop",
        group.slug,
        {"status": "waitlisted", "waitlist_position": 1},
    )
    assert [i["group"]["slug"] for i in body["invitations"]] == [invited.slug]
    assert body["my_requests"] == [] and body["requests_to_decide"] == []
    assert body["cpd"] == {
        "year": dates.today().year,
        "hours": "1.5",
        "goal_hours": 10,
        "percent": 15,
        "reached": False,
    }
    assert body["more_latest"] is False and body["more_events"] is False


async def test_home_lists_requests_for_a_facilitator(api: ApiClient) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator, name="Asking circle", policy="request")
    asker = await make_member()
    await groups_service.join_group(actor=asker, slug=group.slug)

    facilitators = (await api.as_(await token_for(facilitator)).get("/home")).json()
    askers = (await api.as_(await token_for(asker)).get("/home")).json()

    assert facilitators["requests_to_decide"] == [
        {"group": {"id": group.id, "slug": group.slug, "name": "Asking circle"}, "pending": 1}
    ]
    assert askers["requests_to_decide"] == []
    assert askers["my_requests"] == [{"id": group.id, "slug": group.slug, "name": "Asking circle"}]
    assert askers["cpd"]["goal_hours"] is None and askers["cpd"]["percent"] is None


async def test_home_refuses_a_visitor(api: ApiClient) -> None:
    response = await api.get("/home")

    assert response.status_code == 401
    assert error_of(response)["code"]


async def test_patch_me_sets_and_clears_the_goal(api: ApiClient) -> None:
    member = await make_member()
    client = api.as_(await token_for(member))

    response = await client.patch("/me", {"cpd_goal_hours": 25})

    assert response.status_code == 200 and response.json()["cpd_goal_hours"] == 25
    assert (await Member.get(id=member.id)).cpd_goal_hours == 25
    assert (await client.get("/home")).json()["cpd"]["goal_hours"] == 25

    response = await client.patch("/me", {"cpd_goal_hours": None})

    assert response.status_code == 200 and response.json()["cpd_goal_hours"] is None
    assert (await Member.get(id=member.id)).cpd_goal_hours is None


async def test_patch_me_without_the_goal_keeps_it(api: ApiClient) -> None:
    member = await make_member()
    await set_goal(member, 30)

    response = await api.as_(await token_for(member)).patch("/me", {"organisation": "Care Corner"})

    assert response.status_code == 200 and response.json()["cpd_goal_hours"] == 30


@pytest.mark.parametrize("sent", [0, -3, 1001, "abc", 2.5, True])
async def test_patch_me_refuses_a_bad_goal(api: ApiClient, sent: object) -> None:
    member = await make_member()
    await set_goal(member, 12)

    response = await api.as_(await token_for(member)).patch("/me", {"cpd_goal_hours": sent})

    assert response.status_code == 422
    assert error_of(response)["fields"] == {"cpd_goal_hours": GOAL_MESSAGE}
    assert (await Member.get(id=member.id)).cpd_goal_hours == 12
