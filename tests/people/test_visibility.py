"""Who sees a profile: each level a member may choose, against each kind of viewer, on the
profile page, the API's profile, the directory page and the API's directory (its list and
its counts by profession)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
from starlette.applications import Starlette

from community import clock, sessions
from community.accounts.models import Member, PracticeArea, ProfileVisibility
from tests.api.helpers import ApiClient, error_of, token_for
from tests.conftest import BASE_URL, Browser, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

LEVELS = list(ProfileVisibility)
VIEWERS = ("visitor", "stranger", "groupmate", "admin", "self")

#: level -> the viewers who see a profile of that level
SEES = {
    ProfileVisibility.EVERYONE: {"visitor", "stranger", "groupmate", "admin", "self"},
    ProfileVisibility.MEMBERS: {"stranger", "groupmate", "admin", "self"},
    ProfileVisibility.GROUPS: {"groupmate", "admin", "self"},
    ProfileVisibility.ADMINS: {"admin", "self"},
}


@dataclass
class World:
    subjects: dict[ProfileVisibility, Member]
    viewers: dict[str, Member | None]


async def build() -> World:
    admin = await make_member(admin=True, email="admin@example.org", name="Ada Admin")
    group = await make_group(admin=admin, name="Shared Circle")
    stranger = await make_member(email="stranger@example.org", name="Stan Stranger")
    groupmate = await make_member(email="mate@example.org", name="Gita Groupmate")
    await add_member(group, groupmate)
    subjects = {}
    for level in LEVELS:
        subject = await make_member(
            email=f"{level.value}@example.org", name=f"Zed {level.value.title()}"
        )
        await Member.filter(id=subject.id).update(profile_visibility=level, profession="counsellor")
        await add_member(group, subject)
        subjects[level] = subject
    return World(subjects, {"visitor": None, "stranger": stranger, "groupmate": groupmate,
                            "admin": admin})  # fmt: skip


async def _signed_in(stack: AsyncExitStack, app: Starlette, member: Member | None) -> Browser:
    """A browser signed in as the member (a session made directly: the sign-in form's rate
    limit is for people, and this test signs in a dozen times)."""
    browser = await stack.enter_async_context(open_browser(app))
    if member is not None:
        key = await sessions.create_session(member_id=member.id, max_days=1)
        browser.client.cookies.set("community_session", key)
    return browser


async def test_each_level_against_each_viewer_on_every_page_and_answer(app: Starlette) -> None:
    world = await build()
    seen: dict[tuple[ProfileVisibility, str], set[str]] = {}
    async with AsyncExitStack() as stack:
        transport = httpx.ASGITransport(app=app)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        )
        browsers = {name: await _signed_in(stack, app, m) for name, m in world.viewers.items()}
        tokens = {name: await token_for(m) if m else None for name, m in world.viewers.items()}
        for level, subject in world.subjects.items():
            for name in VIEWERS:
                if name == "self":
                    browser = await _signed_in(stack, app, subject)
                    api = ApiClient(client, await token_for(subject))
                else:
                    browser, api = browsers[name], ApiClient(client, tokens[name])
                where: set[str] = set()
                page = await browser.get(f"/members/{subject.id}")
                assert page.status_code in (200, 404), page.status_code
                if page.status_code == 200:
                    where.add("profile page")
                else:
                    assert subject.display_name not in page.text
                answer = await api.get(f"/members/{subject.id}")
                assert answer.status_code in (200, 404)
                if answer.status_code == 200:
                    where.add("profile answer")
                listed = await browser.get("/members?q=zed")
                if subject.display_name in listed.text:
                    where.add("directory page")
                found = (await api.get("/members", q="zed")).json()
                if subject.id in [item["id"] for item in found["items"]]:
                    where.add("directory answer")
                # the counts by profession count only the profiles this viewer may see
                counted = sum(c["count"] for c in found["by_profession"])
                assert counted == len(found["items"])
                seen[(level, name)] = where
    everywhere = {"profile page", "profile answer", "directory page", "directory answer"}
    wanted = {
        (level, name): everywhere if name in SEES[level] else set()
        for level in LEVELS
        for name in VIEWERS
    }
    assert seen == wanted


async def test_a_hidden_profile_cannot_be_told_from_a_missing_one(app: Starlette) -> None:
    world = await build()
    hidden = world.subjects[ProfileVisibility.ADMINS]
    async with open_browser(app) as browser:
        await browser.login("stranger@example.org", PASSWORD)
        await browser.get("/")  # the welcome message is shown once
        there = await browser.get(f"/members/{hidden.id}")
        missing = await browser.get("/members/999999")
        assert there.status_code == missing.status_code == 404
        assert text_of(there) == text_of(missing)
        # nor through the learning record
        record = await browser.get(f"/members/{hidden.id}/learning/2026")
        assert record.status_code == 404


async def test_a_member_chooses_who_sees_their_profile(app: Starlette) -> None:
    world = await build()
    subject = world.subjects[ProfileVisibility.MEMBERS]
    async with open_browser(app) as browser, open_browser(app) as visitor:
        assert (await visitor.get(f"/members/{subject.id}")).status_code == 404
        await browser.login(str(subject.email), PASSWORD)
        form = await browser.get("/settings/profile")
        assert 'name="profile_visibility" value="members" checked' in form.text
        saved = await browser.post(
            "/settings/profile",
            {"display_name": subject.display_name, "profile_visibility": "everyone"},
        )
        assert saved.status_code in (200, 303)
        assert (await visitor.get(f"/members/{subject.id}")).status_code == 200
        refused = await browser.post(
            "/settings/profile",
            {"display_name": subject.display_name, "profile_visibility": "the whole internet"},
        )
        assert refused.status_code == 422
        assert "Choose who may see your profile from the list." in text_of(refused)
        # what was stored is kept
        assert (await visitor.get(f"/members/{subject.id}")).status_code == 200


async def test_the_api_reads_and_sets_visibility_and_practice_areas(api: ApiClient) -> None:
    member = await make_member(email="api@example.org", name="Api Person")
    mine = api.as_(await token_for(member))
    for position, name in enumerate(("Ageing", "Youth")):
        await PracticeArea.get_or_create(
            name=name, defaults={"position": position, "created_at": clock.now()}
        )
    areas = (await mine.get("/practice-areas")).json()["items"]
    first, second = areas[0]["id"], areas[1]["id"]
    me = (await mine.get("/me")).json()
    assert me["profile_visibility"] == "members" and me["practice_areas"] == []
    changed = await mine.patch(
        "/me", {"profile_visibility": "groups", "practice_areas": [second, first]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["profile_visibility"] == "groups"
    assert sorted(changed.json()["practice_areas"]) == sorted([first, second])
    refused = await mine.patch("/me", {"profile_visibility": "the whole internet"})
    assert refused.status_code == 422 and "profile_visibility" in error_of(refused)["fields"]
    unknown = await mine.patch("/me", {"practice_areas": [999_999]})
    assert unknown.status_code == 422 and "practice_areas" in error_of(unknown)["fields"]
    # beyond an id's range (schemathesis found a 500 on PostgreSQL)
    for beyond in ([6_080_121_384], [-475], [0]):
        huge = await mine.patch("/me", {"practice_areas": beyond})
        assert huge.status_code == 422 and "practice_areas" in error_of(huge)["fields"], beyond
    # what was stored is kept
    me = (await mine.get("/me")).json()
    assert me["profile_visibility"] == "groups" and len(me["practice_areas"]) == 2
