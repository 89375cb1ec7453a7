"""API: the group directory, settings, joining and leaving, members, join requests, facilitators
and invitations, for every role, with each refusal changing nothing and every answer matching
its schema exactly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import jsonschema
import pytest

from community import clock
from community.accounts.models import Member
from community.db import encode_cursor
from community.groups import service
from community.groups.models import Group, Invitation, JoinRequest, Membership
from community.mail.models import OutboxMessage
from community.notifications.models import Notification
from tests.api.helpers import ApiClient, error_of, token_for
from tests.factories import add_member, emails_to, make_group, make_member, notified

pytestmark = pytest.mark.asyncio(loop_scope="session")


# -- helpers ---------------------------------------------------------------------------------


def _closed(schema: Any, components: dict[str, Any]) -> Any:
    """The schema with its references inlined and no extra properties allowed anywhere:
    answers must match it exactly, and every property must be required."""
    if isinstance(schema, list):
        return [_closed(part, components) for part in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return _closed(components[schema["$ref"].rsplit("/", 1)[1]], components)
    closed = {key: _closed(value, components) for key, value in schema.items()}
    if "properties" in schema:
        closed["additionalProperties"] = False
        assert set(schema.get("required", [])) == set(schema["properties"]), schema
    return closed


async def conforms(api: ApiClient, method: str, path: str, response: httpx.Response) -> Any:
    """Check the answer against the operation's documented schema; returns its JSON."""
    document = (await api.client.get("/api/openapi.json")).json()
    operation = document["paths"][f"/api/v1{path}"][method.lower()]
    described = operation["responses"][str(response.status_code)]
    if response.status_code == 204:
        assert "content" not in described and not response.content
        return None
    schema = described["content"]["application/json"]["schema"]
    closed = _closed(schema, document["components"]["schemas"])
    jsonschema.Draft202012Validator(closed).validate(response.json())
    return response.json()


async def snapshot() -> tuple[Any, ...]:
    """Everything a group operation may change."""
    return (
        sorted(await Membership.all().values_list("group_id", "member_id", "role")),
        sorted(await JoinRequest.all().values_list("id", "status", "message")),
        sorted(await Invitation.all().values_list("id", "status", "token_hash")),
        sorted(
            await Group.all().values_list(
                "id",
                "name",
                "slug",
                "description",
                "visibility",
                "join_policy",
                "member_count",
                "facilitator_count",
            )
        ),
        await OutboxMessage.all().count(),
        await Notification.all().count(),
    )


@dataclass
class World:
    """A public and a private group (both by request) with a facilitator, a member and a
    pending request each; an outsider, and an admin who facilitates neither."""

    public: Group
    private: Group
    admin: Member
    facilitator: Member
    member: Member
    requester: Member
    outsider: Member
    tokens: dict[str, str | None]

    def as_(self, api: ApiClient, role: str) -> ApiClient:
        return api.as_(self.tokens[role])

    async def request_of(self, group: Group) -> int:
        row = await JoinRequest.get(group_id=group.id, member_id=self.requester.id)
        return row.id


async def build_world() -> World:
    admin = await make_member(email="admin@example.org", name="Ada Admin", admin=True)
    facilitator = await make_member(email="fac@example.org", name="Fay Facilitator")
    member = await make_member(email="member@example.org", name="Mo Member")
    requester = await make_member(email="asker@example.org", name="Ray Requester")
    outsider = await make_member(email="out@example.org", name="Oz Outsider")
    groups = {}
    for visibility in ("public", "private"):
        group = await make_group(
            admin=admin,
            name=f"{visibility.title()} Circle",
            policy="request",
            visibility=visibility,
            facilitator=facilitator,
        )
        await add_member(group, member)
        await service.join_group(actor=requester, slug=group.slug, message="Please")
        groups[visibility] = await Group.get(id=group.id)
    tokens: dict[str, str | None] = {"visitor": None}
    for role, person in (
        ("admin", admin),
        ("facilitator", facilitator),
        ("member", member),
        ("requester", requester),
        ("outsider", outsider),
    ):
        tokens[role] = await token_for(person)
    return World(
        groups["public"], groups["private"], admin, facilitator, member, requester, outsider, tokens
    )


async def refused(call: Any, status: int) -> dict[str, Any]:
    """Make the call; it must be refused with the status and change nothing."""
    before = await snapshot()
    response = await call
    assert response.status_code == status, response.text
    assert await snapshot() == before, "a refused call changed something"
    return error_of(response)


# -- the directory ---------------------------------------------------------------------------


async def test_directory_lists_every_group_with_my_role(api: ApiClient) -> None:
    world = await build_world()
    seen = await api.get("/groups")
    assert seen.status_code == 200
    body = await conforms(api, "GET", "/groups", seen)
    assert [g["name"] for g in body["items"]] == ["Private Circle", "Public Circle"]
    assert all(g["my_role"] is None for g in body["items"])
    assert body["next_cursor"] is None
    public = body["items"][1]
    assert public["slug"] == world.public.slug and public["visibility"] == "public"
    assert public["join_policy"] == "request" and public["member_count"] == 2
    assert public["facilitator_count"] == 1 and public["description_html"].startswith("<p>")
    assert public["created_at"].endswith("+00:00")
    mine = await world.as_(api, "facilitator").get("/groups")
    assert {g["my_role"] for g in mine.json()["items"]} == {"facilitator"}
    member = await world.as_(api, "member").get("/groups", mine="1")
    assert [g["my_role"] for g in member.json()["items"]] == ["member", "member"]
    none = await world.as_(api, "outsider").get("/groups", mine="true")
    assert none.status_code == 200 and none.json()["items"] == []
    assert (await api.get("/groups", mine="1")).json()["items"] == []  # visitors belong nowhere


async def test_directory_searches_and_pages(api: ApiClient) -> None:
    admin = await make_member(admin=True)
    for name in ("Art Therapy", "Bereavement Care", "Child Protection"):
        await make_group(admin=admin, name=name)
    found = await api.get("/groups", q="care")
    assert [g["name"] for g in found.json()["items"]] == ["Bereavement Care"]
    first = await api.get("/groups", limit="2")
    assert [g["name"] for g in first.json()["items"]] == ["Art Therapy", "Bereavement Care"]
    cursor = first.json()["next_cursor"]
    assert cursor
    second = await api.get("/groups", limit="2", cursor=cursor)
    assert [g["name"] for g in second.json()["items"]] == ["Child Protection"]
    assert second.json()["next_cursor"] is None
    tampered = await api.get("/groups", cursor="not-a-cursor", q="\x00care")
    assert tampered.status_code == 200  # an unreadable cursor starts again; NUL is dropped
    assert [g["name"] for g in tampered.json()["items"]] == ["Bereavement Care"]
    for forged in (encode_cursor("A", 2**70), encode_cursor("\x00", 1)):
        assert (await api.get("/groups", cursor=forged)).status_code == 200
    for params in ({"limit": "0"}, {"limit": "101"}, {"limit": "x"}, {"mine": "perhaps"}):
        bad = await api.get("/groups", **params)
        assert bad.status_code == 422 and set(error_of(bad)["fields"]) == set(params)


# -- creating and changing a group -----------------------------------------------------------


async def test_admin_creates_a_group(api: ApiClient) -> None:
    admin = await make_member(admin=True, name="Ada Admin")
    secret = await token_for(admin)
    created = await api.as_(secret).post(
        "/groups",
        {"name": "Youth Work Network", "description": "For **youth** workers.",
         "visibility": "private", "join_policy": "invite"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    body = await conforms(api, "POST", "/groups", created)
    assert body["slug"] == "youth-work-network" and body["visibility"] == "private"
    assert body["description_html"] == "<p>For <strong>youth</strong> workers.</p>\n"
    assert body["my_role"] == "facilitator" and body["can_facilitate"] is True
    assert body["member_count"] == 1 and body["facilitator_count"] == 1
    assert [f["display_name"] for f in body["facilitators"]] == ["Ada Admin"]
    assert body["pending_request_count"] == 0 and body["my_request"] is None
    group = await Group.get(slug="youth-work-network")
    assert group.join_policy == "invite"
    assert await Membership.filter(group_id=group.id, member_id=admin.id, role="facilitator")


async def test_admin_creates_a_group_for_another_facilitator(api: ApiClient) -> None:
    secret = await token_for(await make_member(admin=True))
    facilitator = await make_member(name="Fay Facilitator")
    created = await api.as_(secret).post(
        "/groups", {"name": "Elder Care", "slug": "elders", "facilitator_id": facilitator.id}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["slug"] == "elders" and body["visibility"] == "public"
    assert body["join_policy"] == "open"
    assert body["my_role"] is None and body["can_facilitate"] is True  # an admin, not a member
    assert [f["id"] for f in body["facilitators"]] == [facilitator.id]


async def test_creating_a_group_is_for_admins_with_a_valid_form(api: ApiClient) -> None:
    admin_token = await token_for(await make_member(admin=True))
    await make_group(name="Taken Name")
    member_token = await token_for(await make_member())
    body = {"name": "Case Reviews"}
    assert (await refused(api.post("/groups", body), 401))["code"] == "unauthenticated"
    assert (await refused(api.as_(member_token).post("/groups", body), 403))["code"] == (
        "permission_denied"
    )
    admin = api.as_(admin_token)
    bad = await refused(
        admin.post("/groups", {"name": " ", "visibility": "secret", "join_policy": "x"}), 422
    )
    assert set(bad["fields"]) == {"name", "visibility", "join_policy"}
    taken = await refused(admin.post("/groups", {"name": "Taken name"}), 422)
    assert set(taken["fields"]) == {"slug"}
    wrong_types = await refused(admin.post("/groups", {"name": ["x"], "facilitator_id": "7"}), 422)
    assert "name" in wrong_types["fields"]
    huge = await refused(
        admin.post("/groups", {"name": "Okay Group", "facilitator_id": 2**40}), 422
    )
    assert set(huge["fields"]) == {"facilitator_id"}
    nobody = await refused(
        admin.post("/groups", {"name": "Okay Group", "facilitator_id": 999999}), 422
    )
    assert set(nobody["fields"]) == {"facilitator_id"}


async def test_group_detail_for_each_role(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.private.slug}"
    visitor = await api.get(path)
    assert visitor.status_code == 200  # a private group's name and description are public
    body = await conforms(api, "GET", "/groups/{slug}", visitor)
    assert body["name"] == "Private Circle" and body["can_see_content"] is False
    assert body["my_role"] is None and body["pending_request_count"] is None
    outsider = (await world.as_(api, "outsider").get(path)).json()
    assert outsider["can_see_content"] is False and outsider["my_request"] is None
    requester = (await world.as_(api, "requester").get(path)).json()
    assert requester["my_request"] == "pending" and requester["my_role"] is None
    member = (await world.as_(api, "member").get(path)).json()
    assert member["my_role"] == "member" and member["can_see_content"] is True
    assert member["can_facilitate"] is False and member["pending_request_count"] is None
    facilitator = await world.as_(api, "facilitator").get(path)
    body = await conforms(api, "GET", "/groups/{slug}", facilitator)
    assert body["my_role"] == "facilitator" and body["pending_request_count"] == 1
    admin = (await world.as_(api, "admin").get(path)).json()
    assert admin["my_role"] is None and admin["can_facilitate"] and admin["can_see_content"]
    for slug in ("no-such-group", "x" * 61, "bad%00slug"):
        missing = await api.get(f"/groups/{slug}")
        assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


async def test_detail_shows_my_pending_invitation(api: ApiClient) -> None:
    world = await build_world()
    invitation = await service.invite(
        actor=world.facilitator, slug=world.private.slug, email="out@example.org"
    )
    body = (await world.as_(api, "outsider").get(f"/groups/{world.private.slug}")).json()
    assert body["my_invitation_id"] == invitation.id


async def test_facilitator_patches_only_the_fields_sent(api: ApiClient) -> None:
    world = await build_world()
    facilitator = world.as_(api, "facilitator")
    path = f"/groups/{world.public.slug}"
    done = await facilitator.patch(path, {"description": "Now with *emphasis*."})
    assert done.status_code == 200, done.text
    body = await conforms(api, "PATCH", "/groups/{slug}", done)
    assert body["name"] == "Public Circle" and body["join_policy"] == "request"
    assert body["description_html"] == "<p>Now with <em>emphasis</em>.</p>\n"
    moved = await facilitator.patch(path, {"slug": "open-circle", "join_policy": "open"})
    assert moved.json()["slug"] == "open-circle" and moved.json()["join_policy"] == "open"
    assert (await api.get(path)).status_code == 404
    stored = await Group.get(id=world.public.id)
    assert stored.slug == "open-circle" and stored.description == "Now with *emphasis*."
    admin = await world.as_(api, "admin").patch("/groups/open-circle", {"visibility": "private"})
    assert admin.status_code == 200 and admin.json()["visibility"] == "private"


async def test_patching_a_group_is_for_its_facilitators(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.private.slug}"
    body = {"name": "Renamed"}
    await refused(api.patch(path, body), 401)
    for role in ("outsider", "member", "requester"):
        await refused(world.as_(api, role).patch(path, body), 403)
    other = await make_group(facilitator=world.outsider)
    await refused(world.as_(api, "outsider").patch(path, body), 403)  # facilitates another
    assert other.slug != world.private.slug
    facilitator = world.as_(api, "facilitator")
    bad = await refused(facilitator.patch(path, {"visibility": "hidden", "slug": "Bad Slug"}), 422)
    assert set(bad["fields"]) == {"visibility", "slug"}
    taken = await refused(facilitator.patch(path, {"slug": world.public.slug}), 422)
    assert set(taken["fields"]) == {"slug"}
    await refused(facilitator.patch("/groups/no-such-group", body), 404)


# -- joining and leaving ---------------------------------------------------------------------


async def test_join_an_open_group(api: ApiClient) -> None:
    group = await make_group(policy="open")
    member = await make_member()
    secret = await token_for(member)
    joined = await api.as_(secret).post(f"/groups/{group.slug}/join")
    assert joined.status_code == 200
    assert await conforms(api, "POST", "/groups/{slug}/join", joined) == {"status": "member"}
    again = await api.as_(secret).post(f"/groups/{group.slug}/join", {"message": "hi"})
    assert again.json() == {"status": "member"}  # harmless when repeated
    assert (await Group.get(id=group.id)).member_count == 2
    assert await Membership.filter(group_id=group.id, member_id=member.id).count() == 1


async def test_ask_to_join_a_group_by_request(api: ApiClient) -> None:
    facilitator = await make_member(email="f@example.org")
    group = await make_group(policy="request", visibility="private", facilitator=facilitator)
    member = await make_member(name="Ray Requester")
    asked = await api.as_(await token_for(member)).post(
        f"/groups/{group.slug}/join", {"message": "I run a support group."}
    )
    assert asked.status_code == 200 and asked.json() == {"status": "requested"}
    request = await JoinRequest.get(group_id=group.id, member_id=member.id)
    assert request.status == "pending" and request.message == "I run a support group."
    assert not await Membership.filter(group_id=group.id, member_id=member.id)
    assert len(await notified("f@example.org", "join_request")) == 1


async def test_joining_refusals_change_nothing(api: ApiClient) -> None:
    invite_only = await make_group(policy="invite")
    request_group = await make_group(policy="request")
    unverified = await make_member(verified=False)
    member_token = await token_for(await make_member())
    await refused(api.post(f"/groups/{invite_only.slug}/join"), 401)
    denied = await refused(api.as_(member_token).post(f"/groups/{invite_only.slug}/join"), 403)
    assert "invitation" in denied["message"]
    unverified_token = await token_for(unverified)
    await refused(api.as_(unverified_token).post(f"/groups/{request_group.slug}/join"), 403)
    too_long = await refused(
        api.as_(member_token).post(f"/groups/{request_group.slug}/join", {"message": "x" * 1001}),
        422,
    )
    assert set(too_long["fields"]) == {"message"}
    await refused(api.as_(member_token).post("/groups/no-such-group/join"), 404)


async def test_leave_a_group(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.public.slug}/leave"
    left = await world.as_(api, "member").post(path)
    assert left.status_code == 204 and left.content == b""
    await conforms(api, "POST", "/groups/{slug}/leave", left)
    assert not await Membership.filter(group_id=world.public.id, member_id=world.member.id)
    assert (await Group.get(id=world.public.id)).member_count == 1
    await refused(api.post(path), 401)
    await refused(world.as_(api, "outsider").post(path), 409)
    last = await refused(world.as_(api, "facilitator").post(path), 409)
    assert "facilitator" in last["message"]


# -- members ---------------------------------------------------------------------------------


async def test_members_of_a_public_group_for_signed_in_members(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.public.slug}/members"
    listed = await world.as_(api, "outsider").get(path)
    assert listed.status_code == 200
    body = await conforms(api, "GET", "/groups/{slug}/members", listed)
    assert [(m["member"]["display_name"], m["role"]) for m in body["items"]] == [
        ("Fay Facilitator", "facilitator"),
        ("Mo Member", "member"),
    ]
    assert body["items"][0]["joined_at"].endswith("+00:00")
    first = (await world.as_(api, "member").get(path, limit="1")).json()
    assert [m["member"]["id"] for m in first["items"]] == [world.facilitator.id]
    second = (
        await world.as_(api, "member").get(path, limit="1", cursor=first["next_cursor"])
    ).json()
    assert [m["member"]["id"] for m in second["items"]] == [world.member.id]
    assert second["next_cursor"] is None
    for cursor in ("99999999999999999999", "²", "-1", "x"):  # never reaches the database as-is
        odd = await world.as_(api, "member").get(path, cursor=cursor)
        assert odd.status_code == 200, cursor
    assert (await api.get(path)).status_code == 401


async def test_members_of_a_private_group_are_for_its_members(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.private.slug}/members"
    for role in ("outsider", "requester"):
        hidden = await refused(world.as_(api, role).get(path), 403)
        assert "Mo Member" not in str(hidden)
    await refused(api.get(path), 401)
    for role in ("member", "facilitator", "admin"):
        seen = await world.as_(api, role).get(path)
        assert seen.status_code == 200 and len(seen.json()["items"]) == 2


async def test_facilitator_removes_a_member(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.public.slug}/members"
    await refused(api.delete(f"{path}/{world.member.id}"), 401)
    for role in ("outsider", "member"):
        await refused(world.as_(api, role).delete(f"{path}/{world.member.id}"), 403)
    conflict = await refused(world.as_(api, "admin").delete(f"{path}/{world.facilitator.id}"), 409)
    assert "facilitator" in conflict["message"]
    await refused(world.as_(api, "facilitator").delete(f"{path}/{world.outsider.id}"), 404)
    await refused(world.as_(api, "facilitator").delete(f"{path}/99999999999"), 404)
    removed = await world.as_(api, "facilitator").delete(f"{path}/{world.member.id}")
    assert removed.status_code == 204
    await conforms(api, "DELETE", "/groups/{slug}/members/{user_id}", removed)
    assert not await Membership.filter(group_id=world.public.id, member_id=world.member.id)
    assert (await Group.get(id=world.public.id)).member_count == 1


# -- join requests ---------------------------------------------------------------------------


async def test_facilitators_list_pending_requests_in_pages(api: ApiClient) -> None:
    world = await build_world()
    late = await make_member(name="Lee Later")
    await service.join_group(actor=late, slug=world.public.slug)
    path = f"/groups/{world.public.slug}/requests"
    listed = await world.as_(api, "facilitator").get(path)
    assert listed.status_code == 200
    body = await conforms(api, "GET", "/groups/{slug}/requests", listed)
    assert [r["member"]["display_name"] for r in body["items"]] == ["Ray Requester", "Lee Later"]
    assert body["items"][0]["message"] == "Please" and body["items"][0]["status"] == "pending"
    first = (await world.as_(api, "admin").get(path, limit="1")).json()
    assert [r["member"]["id"] for r in first["items"]] == [world.requester.id]
    second = (
        await world.as_(api, "admin").get(path, limit="1", cursor=first["next_cursor"])
    ).json()
    assert [r["member"]["id"] for r in second["items"]] == [late.id]
    assert second["next_cursor"] is None
    forged = encode_cursor(clock.now(), 2**70)  # starts again, never reaches the database
    assert len((await world.as_(api, "admin").get(path, cursor=forged)).json()["items"]) == 2
    await refused(api.get(path), 401)
    for role in ("outsider", "member", "requester"):
        await refused(world.as_(api, role).get(path), 403)


async def test_facilitator_approves_a_request(api: ApiClient) -> None:
    world = await build_world()
    request_id = await world.request_of(world.private)
    path = f"/groups/{world.private.slug}/requests/{request_id}/approve"
    approved = await world.as_(api, "facilitator").post(path, {"message": "Welcome!"})
    assert approved.status_code == 200, approved.text
    body = await conforms(api, "POST", "/groups/{slug}/requests/{request_id}/approve", approved)
    assert body["status"] == "approved" and body["decision_message"] == "Welcome!"
    assert body["member"]["id"] == world.requester.id
    assert await Membership.filter(group_id=world.private.id, member_id=world.requester.id)
    assert len(await notified("asker@example.org", "request_decided")) == 1
    again = await world.as_(api, "facilitator").post(path)
    assert again.status_code == 200 and again.json()["status"] == "approved"  # a double submit
    decline = path.replace("/approve", "/decline")
    conflict = await refused(world.as_(api, "facilitator").post(decline), 409)
    assert "already approved" in conflict["message"]


async def test_facilitator_declines_a_request(api: ApiClient) -> None:
    world = await build_world()
    request_id = await world.request_of(world.public)
    path = f"/groups/{world.public.slug}/requests/{request_id}/decline"
    declined = await world.as_(api, "admin").post(path, {"message": "Not this time."})
    assert declined.status_code == 200
    body = await conforms(api, "POST", "/groups/{slug}/requests/{request_id}/decline", declined)
    assert body["status"] == "declined" and body["decision_message"] == "Not this time."
    assert not await Membership.filter(group_id=world.public.id, member_id=world.requester.id)


async def test_deciding_requests_is_for_the_groups_facilitators(api: ApiClient) -> None:
    world = await build_world()
    request_id = await world.request_of(world.public)
    for verb in ("approve", "decline"):
        path = f"/groups/{world.public.slug}/requests/{request_id}/{verb}"
        await refused(api.post(path), 401)
        for role in ("outsider", "member", "requester"):
            await refused(world.as_(api, role).post(path), 403)
        too_long = await refused(
            world.as_(api, "facilitator").post(path, {"message": "x" * 1001}), 422
        )
        assert set(too_long["fields"]) == {"message"}
    other = await make_group(facilitator=world.outsider)
    forged = f"/groups/{other.slug}/requests/{request_id}/approve"  # another group's request
    await refused(world.as_(api, "outsider").post(forged), 404)
    huge = f"/groups/{world.public.slug}/requests/{2**31}/approve"
    await refused(world.as_(api, "facilitator").post(huge), 404)


# -- facilitators ----------------------------------------------------------------------------


async def test_facilitator_appoints_and_removes_a_facilitator(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.public.slug}/facilitators"
    appointed = await world.as_(api, "facilitator").post(path, {"user_id": world.member.id})
    assert appointed.status_code == 200, appointed.text
    body = await conforms(api, "POST", "/groups/{slug}/facilitators", appointed)
    assert body["role"] == "facilitator" and body["member"]["id"] == world.member.id
    assert (await Group.get(id=world.public.id)).facilitator_count == 2
    stepped = await world.as_(api, "member").delete(f"{path}/{world.facilitator.id}")
    assert stepped.status_code == 204
    await conforms(api, "DELETE", "/groups/{slug}/facilitators/{user_id}", stepped)
    membership = await Membership.get(group_id=world.public.id, member_id=world.facilitator.id)
    assert membership.role == "member"
    last = await refused(world.as_(api, "member").delete(f"{path}/{world.member.id}"), 409)
    assert "at least one facilitator" in last["message"]


async def test_admin_appoints_someone_outside_the_group(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.private.slug}/facilitators"
    await refused(world.as_(api, "facilitator").post(path, {"user_id": world.outsider.id}), 404)
    appointed = await world.as_(api, "admin").post(path, {"user_id": world.outsider.id})
    assert appointed.status_code == 200 and appointed.json()["role"] == "facilitator"
    group = await Group.get(id=world.private.id)
    assert group.member_count == 3 and group.facilitator_count == 2


async def test_appointing_facilitators_is_for_facilitators(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.public.slug}/facilitators"
    body = {"user_id": world.member.id}
    await refused(api.post(path, body), 401)
    for role in ("outsider", "member"):
        await refused(world.as_(api, role).post(path, body), 403)
        await refused(world.as_(api, role).delete(f"{path}/{world.facilitator.id}"), 403)
    await refused(api.delete(f"{path}/{world.facilitator.id}"), 401)
    facilitator = world.as_(api, "facilitator")
    for bad in ({}, {"user_id": "12"}, {"user_id": 2**31}, {"user_id": 0}, {"user_id": True}):
        invalid = await refused(facilitator.post(path, bad), 422)
        assert set(invalid["fields"]) == {"user_id"}
    await refused(facilitator.delete(f"{path}/{world.outsider.id}"), 404)


# -- invitations -----------------------------------------------------------------------------


async def test_facilitator_invites_a_member_who_accepts(api: ApiClient) -> None:
    world = await build_world()
    sent = await world.as_(api, "facilitator").post(
        f"/groups/{world.private.slug}/invitations", {"email": "Out@Example.org"}
    )
    assert sent.status_code == 201, sent.text
    body = await conforms(api, "POST", "/groups/{slug}/invitations", sent)
    assert body["email"] == "out@example.org" and body["status"] == "pending"
    assert len(await notified("out@example.org", "invitation")) == 1
    outsider = world.as_(api, "outsider")
    listed = await outsider.get("/invitations")
    assert listed.status_code == 200
    page = await conforms(api, "GET", "/invitations", listed)
    assert page["next_cursor"] is None
    [invitation] = page["items"]
    assert invitation["id"] == body["id"] and invitation["group"]["name"] == "Private Circle"
    assert invitation["invited_by"]["display_name"] == "Fay Facilitator"
    assert (await world.as_(api, "member").get("/invitations")).json()["items"] == []
    await refused(world.as_(api, "member").post(f"/invitations/{body['id']}/accept"), 404)
    accepted = await outsider.post(f"/invitations/{body['id']}/accept")
    assert accepted.status_code == 200
    ref = await conforms(api, "POST", "/invitations/{invitation_id}/accept", accepted)
    assert ref == {"id": world.private.id, "slug": world.private.slug, "name": "Private Circle"}
    assert await Membership.filter(group_id=world.private.id, member_id=world.outsider.id)
    await refused(outsider.post(f"/invitations/{body['id']}/accept"), 404)  # used up
    assert (await outsider.get("/invitations")).json()["items"] == []


async def test_member_declines_an_invitation(api: ApiClient) -> None:
    world = await build_world()
    invitation = await service.invite(
        actor=world.facilitator, slug=world.public.slug, email="out@example.org"
    )
    await refused(api.post(f"/invitations/{invitation.id}/decline"), 401)
    await refused(world.as_(api, "member").post(f"/invitations/{invitation.id}/decline"), 404)
    declined = await world.as_(api, "outsider").post(f"/invitations/{invitation.id}/decline")
    assert declined.status_code == 200
    ref = await conforms(api, "POST", "/invitations/{invitation_id}/decline", declined)
    assert ref["slug"] == world.public.slug
    assert (await Invitation.get(id=invitation.id)).status == "declined"
    assert not await Membership.filter(group_id=world.public.id, member_id=world.outsider.id)
    assert (await api.get("/invitations")).status_code == 401


async def test_inviting_someone_new_emails_a_link(api: ApiClient) -> None:
    world = await build_world()
    sent = await world.as_(api, "admin").post(
        f"/groups/{world.public.slug}/invitations", {"email": "new.person@example.org"}
    )
    assert sent.status_code == 201
    assert len(await emails_to("new.person@example.org")) == 1


async def test_inviting_is_for_facilitators_with_a_valid_address(api: ApiClient) -> None:
    world = await build_world()
    path = f"/groups/{world.private.slug}/invitations"
    body = {"email": "new@example.org"}
    await refused(api.post(path, body), 401)
    for role in ("outsider", "member", "requester"):
        await refused(world.as_(api, role).post(path, body), 403)
    facilitator = world.as_(api, "facilitator")
    for bad in ({}, {"email": "not an address"}, {"email": ["x@example.org"]}):
        invalid = await refused(facilitator.post(path, bad), 422)
        assert set(invalid["fields"]) == {"email"}
    already = await refused(facilitator.post(path, {"email": "member@example.org"}), 422)
    assert "already a member" in already["fields"]["email"]
