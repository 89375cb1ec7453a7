"""Authenticate, authorise, then validate (#22): an operation only some may call refuses
everyone else before it reads the body, so a bad body from them is a 403 (or the 404 of what
they may not see), never a 422 that talks about fields they may not use."""

from __future__ import annotations

import pytest

from community.forum.models import Post
from community.groups.models import Group
from community.people.models import Recognition
from tests.api.helpers import ApiClient, error_of, token_for
from tests.factories import add_member, make_event, make_group, make_member, make_thread

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


async def test_what_a_member_may_not_see_or_post_in_is_refused_before_the_body(
    api: ApiClient,
) -> None:
    facilitator = await make_member(email="fac@example.org")
    member = await make_member(email="mem@example.org")
    outsider = await make_member(email="out@example.org")
    public = await make_group(facilitator=facilitator, name="Open Circle")
    private = await make_group(facilitator=facilitator, name="Closed Circle", visibility="private")
    await add_member(public, member)
    open_thread = await make_thread(public, facilitator)
    closed_thread = await make_thread(private, facilitator)
    closed_post = await Post.get(thread_id=closed_thread.id, number=1)
    closed_event = await make_event(private, facilitator)
    as_outsider = api.as_(await token_for(outsider))
    bad = {"body": 5, "title": 5, "reason": "no such reason", "level": "loud", "status": 5}
    for method, path, status in (
        ("POST", f"/threads/{closed_thread.id}/posts", 404),  # may not see it
        ("PUT", f"/threads/{closed_thread.id}/watch", 404),
        ("PATCH", f"/posts/{closed_post.id}", 404),
        ("POST", f"/posts/{closed_post.id}/flags", 404),
        ("PUT", f"/events/{closed_event.id}/rsvp", 404),
        ("POST", "/groups/no-such-group/join", 404),
        ("POST", f"/groups/{public.slug}/threads", 403),  # may read, not post
        ("POST", f"/threads/{open_thread.id}/posts", 403),
    ):
        answer = await as_outsider.client.request(
            method,
            f"/api/v1{path}",
            json=bad,
            headers={"authorization": f"Bearer {as_outsider.token}"},
        )
        assert answer.status_code == status, (method, path, answer.text)
    # a member of the group gets as far as the body, and is told what is wrong with it
    as_member = api.as_(await token_for(member))
    wrong = await as_member.post(f"/threads/{open_thread.id}/posts", {"body": 5})
    assert wrong.status_code == 422 and "body" in error_of(wrong)["fields"]
