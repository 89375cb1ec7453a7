"""Authenticate, authorise, then validate (#22): an operation only some may call refuses
everyone else before it reads the body, so a bad body from them is a 403 (or the 404 of what
they may not see), never a 422 that talks about fields they may not use."""

from __future__ import annotations

import pytest

from community.groups.models import Group
from community.people.models import Recognition
from tests.api.helpers import ApiClient, error_of, token_for
from tests.factories import add_member, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_only_admins_and_facilitators_get_as_far_as_the_body(api: ApiClient) -> None:
    admin = await make_member(admin=True, email="ada@example.org")
    facilitator = await make_member(email="fac@example.org")
    member = await make_member(email="mem@example.org")
    group = await make_group(admin=admin, facilitator=facilitator, name="Open Circle")
    secret = await make_group(
        admin=admin, facilitator=facilitator, name="Closed Circle", visibility="private"
    )
    await add_member(group, member)
    event = await make_event(group, facilitator)
    as_member = api.as_(await token_for(member))
    bad = {"name": "", "slug": "NOT A SLUG!", "title": 5, "capacity": "lots"}
    before = await Group.all().count()
    cases = [
        ("POST", "/groups", {"name": "", "slug": "NOT A SLUG!"}, 403),
        ("PATCH", f"/groups/{group.slug}", {"name": 5}, 403),
        ("PATCH", f"/groups/{secret.slug}", {"name": 5}, 403),  # a private group: seen, not run
        ("POST", f"/groups/{group.slug}/invitations", {"email": "not an address"}, 403),
        ("POST", f"/groups/{group.slug}/facilitators", {"user_id": "x"}, 403),
        ("POST", f"/groups/{group.slug}/events", bad, 403),
        ("POST", "/events", bad, 403),
        ("PATCH", f"/events/{event.id}", bad, 403),
        ("POST", f"/events/{event.id}/attendance", {"user_id": "x"}, 403),
        ("POST", f"/members/{facilitator.id}/recognitions", {"title": ""}, 403),
    ]
    for method, path, body, status in cases:
        answer = await as_member.client.request(
            method,
            f"/api/v1{path}",
            json=body,
            headers={"authorization": f"Bearer {as_member.token}"},
        )
        assert answer.status_code == status, (method, path, answer.text)
        assert "fields" not in error_of(answer) or not error_of(answer)["fields"], path
    assert await Group.all().count() == before
    assert not await Recognition.exists()
    # those who may are told about the fields
    as_admin = api.as_(await token_for(admin))
    refused = await as_admin.post("/groups", {"name": "", "slug": "NOT A SLUG!"})
    assert refused.status_code == 422 and "slug" in error_of(refused)["fields"]
