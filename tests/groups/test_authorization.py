"""Who may do what: every role against public and private groups, and forged ids.

Each refusal is checked to change nothing (memberships, requests, invitations, counters,
group settings, outbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette

from community.groups import service
from community.groups.models import Group, Invitation, JoinRequest, Membership
from community.mail.models import OutboxMessage
from tests.conftest import open_browser
from tests.factories import PASSWORD, add_member, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

ROLES = ("visitor", "outsider", "member", "facilitator", "admin")


@dataclass
class World:
    groups: dict[str, Group]
    ids: dict[str, int]
    requests: dict[str, int]


async def build_world() -> World:
    admin = await make_member(email="admin@example.org", admin=True)
    facilitator = await make_member(email="facilitator@example.org")
    member = await make_member(email="member@example.org")
    outsider = await make_member(email="outsider@example.org")
    requester = await make_member(email="requester@example.org")
    groups = {}
    requests = {}
    for visibility in ("public", "private"):
        group = await make_group(
            admin=admin,
            name=f"{visibility.title()} Circle",
            policy="request",
            visibility=visibility,
            facilitator=facilitator,
        )
        await add_member(group, member)
        await service.join_group(actor=requester, slug=group.slug)
        requests[visibility] = (await JoinRequest.get(group_id=group.id, member_id=requester.id)).id
        groups[visibility] = group
    ids = {
        "admin": admin.id,
        "facilitator": facilitator.id,
        "member": member.id,
        "outsider": outsider.id,
    }
    return World(groups=groups, ids=ids, requests=requests)


async def snapshot() -> tuple[Any, ...]:
    return (
        sorted(await Membership.all().values_list("group_id", "member_id", "role")),
        sorted(await JoinRequest.all().values_list("id", "status")),
        sorted(await Invitation.all().values_list("id", "status", "token_hash")),
        sorted(
            await Group.all().values_list(
                "id", "name", "description", "member_count", "facilitator_count"
            )
        ),
        await OutboxMessage.all().count(),
    )


def action_request(action: str, world: World, visibility: str) -> tuple[str, str, dict[str, str]]:
    slug = world.groups[visibility].slug
    base = f"/groups/{slug}"
    return {
        "view": ("GET", base, {}),
        "members": ("GET", f"{base}/members", {}),
        "edit_form": ("GET", f"{base}/edit", {}),
        "edit": (
            "POST",
            f"{base}/edit",
            {"name": "Renamed", "join_policy": "open", "visibility": "public"},
        ),
        "join": ("POST", f"{base}/join", {}),
        "leave": ("POST", f"{base}/leave", {}),
        "requests": ("GET", f"{base}/requests", {}),
        "approve": ("POST", f"{base}/requests/{world.requests[visibility]}/approve", {}),
        "decline": ("POST", f"{base}/requests/{world.requests[visibility]}/decline", {}),
        "invite_form": ("GET", f"{base}/invite", {}),
        "invite": ("POST", f"{base}/invite", {"email": "new@example.org"}),
        "remove_member": ("POST", f"{base}/members/{world.ids['member']}/remove", {}),
        "appoint": ("POST", f"{base}/facilitators", {"member_id": str(world.ids["member"])}),
        "step_down": (
            "POST",
            f"{base}/facilitators/{world.ids['facilitator']}/remove",
            {},
        ),
    }[action]


FACILITATE = {"visitor": 403, "outsider": 403, "member": 403, "facilitator": 303, "admin": 303}
FACILITATE_PAGE = {**FACILITATE, "facilitator": 200, "admin": 200}
# (action, visibility) -> status for each role; "either" visibility when the same for both
EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "view": {"either": dict.fromkeys(ROLES, 200)},
    "members": {
        "public": {
            "visitor": 403,
            "outsider": 200,
            "member": 200,
            "facilitator": 200,
            "admin": 200,
        },
        "private": {
            "visitor": 403,
            "outsider": 403,
            "member": 200,
            "facilitator": 200,
            "admin": 200,
        },
    },
    "edit_form": {"either": FACILITATE_PAGE},
    "edit": {"either": FACILITATE},
    # a member or facilitator joining again changes nothing; outsiders and admins ask to join
    "join": {
        "either": {"visitor": 403, "outsider": 303, "member": 303, "facilitator": 303, "admin": 303}
    },
    # the facilitator is the last one; the admin and outsider are not members
    "leave": {
        "either": {"visitor": 403, "outsider": 409, "member": 303, "facilitator": 409, "admin": 409}
    },
    "requests": {"either": FACILITATE_PAGE},
    "approve": {"either": FACILITATE},
    "decline": {"either": FACILITATE},
    "invite_form": {"either": FACILITATE_PAGE},
    "invite": {"either": FACILITATE},
    "remove_member": {"either": FACILITATE},
    "appoint": {"either": FACILITATE},
    "step_down": {"either": {**FACILITATE, "facilitator": 409, "admin": 409}},
}
CASES = [
    (action, visibility, role)
    for action in EXPECTED
    for visibility in ("public", "private")
    for role in ROLES
]


@pytest.mark.parametrize(("action", "visibility", "role"), CASES)
async def test_authorisation_matrix(
    app: Starlette, action: str, visibility: str, role: str
) -> None:
    world = await build_world()
    table = EXPECTED[action]
    expected = (table.get(visibility) or table["either"])[role]
    method, path, data = action_request(action, world, visibility)
    async with open_browser(app) as browser:
        if role != "visitor":
            await browser.login(f"{role}@example.org", PASSWORD)
        before = await snapshot()
        if method == "GET":
            response = await browser.get(path)
        else:
            response = await browser.post(path, data)
        assert response.status_code == expected, (action, visibility, role, response.text[:300])
        if expected >= 400:
            assert await snapshot() == before, "a refused action changed something"


async def test_private_group_page_hides_members_from_outsiders(app: Starlette) -> None:
    world = await build_world()
    async with open_browser(app) as browser:
        await browser.login("outsider@example.org", PASSWORD)
        page = await browser.get(f"/groups/{world.groups['private'].slug}")
        assert "member@example.org" not in page.text
        assert "See the members" not in page.text


async def test_forged_request_id_from_another_group_is_refused(app: Starlette) -> None:
    world = await build_world()
    other_facilitator = await make_member(email="other@example.org")
    other = await make_group(facilitator=other_facilitator, name="Other Circle")
    async with open_browser(app) as browser:
        await browser.login("other@example.org", PASSWORD)
        before = await snapshot()
        forged = f"/groups/{other.slug}/requests/{world.requests['public']}/approve"
        assert (await browser.post(forged)).status_code == 404
        removal = f"/groups/{other.slug}/members/{world.ids['member']}/remove"
        assert (await browser.post(removal)).status_code == 404
        appoint = await browser.post(
            f"/groups/{other.slug}/facilitators", {"member_id": str(world.ids["member"])}
        )
        assert appoint.status_code == 404
        assert await snapshot() == before


async def test_double_submitted_approve_and_join_are_harmless(app: Starlette) -> None:
    world = await build_world()
    group = world.groups["public"]
    async with open_browser(app) as browser:
        await browser.login("facilitator@example.org", PASSWORD)
        path = f"/groups/{group.slug}/requests/{world.requests['public']}/approve"
        assert (await browser.post(path)).status_code == 303
        after_first = await snapshot()
        assert (await browser.post(path)).status_code == 303
        assert await snapshot() == after_first
    async with open_browser(app) as browser:
        await browser.login("outsider@example.org", PASSWORD)
        await browser.post(f"/groups/{group.slug}/join")
        after_first = await snapshot()
        await browser.post(f"/groups/{group.slug}/join")
        assert await snapshot() == after_first
