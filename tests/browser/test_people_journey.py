"""The people journey in Chromium, with JavaScript on and again with it off: a member sets
their practice areas and who may see their profile, finds a peer in the directory by practice
area (and not someone they may not see), then opens their home page and finds their next
event and the discussions they have not read."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from community import clock
from community.accounts.models import Member, MemberPracticeArea, PracticeArea, ProfileVisibility
from community.events import service as events
from tests.browser.conftest import screenshot_path
from tests.browser.test_journeys import sign_in
from tests.factories import add_member, make_event, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _area(name: str, position: int) -> PracticeArea:
    area, _ = await PracticeArea.get_or_create(
        name=name, defaults={"position": position, "created_at": clock.now()}
    )
    return area


async def _person(name: str, email: str, area: PracticeArea, level: ProfileVisibility) -> Member:
    member = await make_member(email=email, name=name)
    await Member.filter(id=member.id).update(profile_visibility=level, profession="social_worker")
    await MemberPracticeArea.create(member_id=member.id, area_id=area.id)
    return member


async def test_people_journey(journey_page: Page, request: pytest.FixtureRequest) -> None:
    page = journey_page
    mode = request.node.callspec.params["journey_page"]
    protection = await _area("Child protection", 0)
    await _area("Family services", 1)
    facilitator = await make_member(email=f"fac-{mode}@example.org", name="Farah Ismail")
    group = await make_group(facilitator=facilitator, name=f"Safeguarding Circle {mode}")
    me = await make_member(email=f"me-{mode}@example.org", name="Mei Lin Goh")
    await add_member(group, me)
    peer = await _person(
        "Priya Nair", f"peer-{mode}@example.org", protection, ProfileVisibility.GROUPS
    )
    await add_member(group, peer)
    # in no group of mine, and seen only by members of her groups: never found
    await _person(
        "Sara Stranger", f"stranger-{mode}@example.org", protection, ProfileVisibility.GROUPS
    )
    thread = await make_thread(group, facilitator, title=f"Safety plans that hold ({mode})")
    await make_reply(thread, peer, "We revisit ours every month with the family.")
    event = await make_event(group, facilitator, title=f"Case conference clinic ({mode})")
    await events.rsvp(actor=me, event_id=event.id)

    await sign_in(page, me.email)

    # practice areas and who may see the profile
    await page.goto("/settings/profile")
    await page.get_by_label("Child protection").check()
    await page.get_by_label("Family services").check()
    await page.get_by_label("Members of my groups").check()
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    await expect(page.get_by_text("Family services")).to_be_visible()
    stored = await Member.get(id=me.id)
    assert stored.profile_visibility == ProfileVisibility.GROUPS

    # a peer, found by practice area; the stranger is not listed, nor counted
    await page.goto("/members")
    await page.get_by_label("Practice area", exact=True).select_option(label="Child protection")
    await page.get_by_role("button", name="Find members").click()
    results = page.get_by_role("list", name="Members found")
    await expect(results.get_by_role("link", name="Priya Nair")).to_be_visible()
    await expect(page.get_by_text("Mei Lin Goh").first).to_be_visible()
    assert await page.get_by_text("Sara Stranger").count() == 0
    await results.get_by_role("link", name="Priya Nair").click()
    await expect(page.get_by_role("heading", name="Priya Nair", level=1)).to_be_visible()
    await page.screenshot(path=screenshot_path(f"journey-people-{mode}"), full_page=True)

    # home: the next event and the discussion not yet read
    await page.goto("/")
    await expect(page.get_by_role("link", name=event.title)).to_be_visible()
    discussion = page.get_by_role("link", name=thread.title)
    await expect(discussion).to_be_visible()
    # never opened: both posts are new to me
    row = page.get_by_role("listitem").filter(has=discussion)
    await expect(row).to_contain_text("New")
    await discussion.click()
    await page.goto("/")
    await expect(page.get_by_role("listitem").filter(has=discussion)).not_to_contain_text("New")
    await page.screenshot(path=screenshot_path(f"journey-people-home-{mode}"), full_page=True)
