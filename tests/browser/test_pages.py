"""Every main page, in Chromium: no axe-core violations at WCAG 2.2 AA, no horizontal scrolling
at 375 and 1280 pixels wide, and a screenshot of each for a person to look at."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page

from community.events import service as events_service
from community.events.models import Event
from community.events.schemas import SeriesForm
from community.forum.models import Post
from tests import dates
from tests.browser.conftest import AXE, screenshot_path
from tests.factories import (
    PASSWORD,
    add_member,
    make_event,
    make_group,
    make_member,
    make_reply,
    make_thread,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
WIDTHS = (375, 1280)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: best-practice rules for "headings and landmarks are in order"
AXE_STRUCTURE = ["heading-order", "landmark-one-main", "page-has-heading-one", "region",
                 "landmark-unique", "landmark-no-duplicate-banner", "skip-link"]  # fmt: skip


@dataclass(frozen=True)
class Site:
    member_email: str
    group_slug: str
    thread_id: int
    event_id: int
    event_month: str
    member_id: int
    admin_email: str
    series_id: int
    session_id: int


async def build_site() -> Site:
    facilitator = await make_member(email="fac@example.org", name="Farah Ismail")
    member = await make_member(email="mem@example.org", name="Daniel Koh")
    group = await make_group(facilitator=facilitator, name="Early Intervention Educators")
    await add_member(group, member)
    thread = await make_thread(
        group, facilitator, title="Visual schedules that work",
        body="What **visual supports** help your learners most?",
    )  # fmt: skip
    first = await Post.get(thread_id=thread.id, number=1)
    await make_reply(thread, member, f"> quoted\n\nPicture cards, @{facilitator.handle}.")
    assert first.id
    event = await make_event(group, facilitator, capacity=10, title="Inclusive classrooms clinic")
    month = dates.month(event.starts_at.astimezone(ZoneInfo(event.time_zone)))
    await make_member(email="admin@example.org", name="Aisha Rahman", admin=True)
    first = dates.day(4, "19:30")
    series = await events_service.create_series(
        actor=facilitator,
        slug=group.slug,
        form=SeriesForm.from_form(
            {
                "title": "Reflective practice circle", "kind": "course",
                "starts_at": dates.field(first),
                "ends_at": dates.field(first + timedelta(hours=2)),
                "time_zone": "Asia/Singapore", "venue": "Room 2", "repeat": "monthly",
                "sessions": "4",
            }
        ),
    )  # fmt: skip
    second = await Event.get(series_id=series.id, series_index=1)
    await events_service.cancel_event(actor=facilitator, event_id=second.id)
    return Site(
        "mem@example.org", group.slug, thread.id, event.id, month, member.id,
        "admin@example.org", series.id, second.id,
    )  # fmt: skip


async def sign_in(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/")


async def check(page: Page, name: str) -> list[str]:
    """Problems on the page as it is: axe violations, and horizontal scrolling."""
    problems = []
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            problems.append(f"{name} at {width}px scrolls sideways by {overflow}px")
        await page.screenshot(path=screenshot_path(f"{name}-{width}"), full_page=True)
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert len(result["passes"]) > 10, result  # axe really ran
    structure = await page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'rule', values: rules}})", AXE_STRUCTURE
    )
    for violation in result["violations"] + structure["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{name}: {violation['id']} ({violation['help']}) at {json.dumps(targets)}")
    return problems


async def test_main_pages_are_accessible_and_fit_phones(
    chromium: Browser, live_server: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: .ci/run installs it from the npm registry")
    site = await build_site()
    context = await chromium.new_context(base_url=live_server, bypass_csp=True)
    page = await context.new_page()
    problems: list[str] = []
    visitor_pages = {
        "home": "/",
        "register": "/register",
        "login": "/login",
        "directory": "/groups",
        "group": f"/groups/{site.group_slug}",
        "thread": f"/threads/{site.thread_id}",
        "event": f"/events/{site.event_id}",
        "events": "/events",
        "calendar": f"/events/calendar?month={site.event_month}",
        "search": "/search?q=visual",
        "latest": "/latest",
        "members": "/members",
        "series": f"/series/{site.series_id}",
    }
    for name, path in visitor_pages.items():
        await page.goto(path)
        problems += await check(page, f"visitor-{name}")
    await page.goto("/register")
    await page.get_by_role("button", name="Create account").click()
    problems += await check(page, "register-errors")
    await sign_in(page, site.member_email)
    member_pages = {
        "home": "/",
        "group": f"/groups/{site.group_slug}",
        "thread": f"/threads/{site.thread_id}",
        "event": f"/events/{site.event_id}",
        "profile": f"/members/{site.member_id}",
        "settings-profile": "/settings/profile",
        "settings-notifications": "/settings/notifications",
        "settings-calendar": "/settings/calendar",
        "settings-tokens": "/settings/tokens",
        "notifications": "/notifications",
        "new-thread": f"/groups/{site.group_slug}/threads/new",
        "latest": "/latest",
        "latest-mine": "/latest?mine=1",
        "members": "/members",
        "members-filtered": "/members?profession=social_worker&shared=1&sort=active",
        "members-errors": "/members?years_min=9&years_max=1",
        "session": f"/events/{site.session_id}",
    }
    for name, path in member_pages.items():
        await page.goto(path)
        problems += await check(page, f"member-{name}")
    await page.goto("/settings/password")
    await page.get_by_role("button", name="Change password").click()
    problems += await check(page, "password-errors")
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, site.admin_email)
    admin_pages = {
        # the recognition form and the suspend button under the profile
        "profile": f"/members/{site.member_id}",
        "practice-areas": "/admin/practice-areas",
        "members": "/members?sort=active",
        "home": "/",
        "operations": "/admin/operations",
        "event-new": "/events/new",
        "series": f"/series/{site.series_id}",
        "session-edit": f"/events/{site.session_id - 1}/edit",
        "outbox": "/admin/outbox",
    }
    for name, path in admin_pages.items():
        await page.goto(path)
        problems += await check(page, f"admin-{name}")
    await page.goto(f"/members/{site.member_id}")
    await page.get_by_role("button", name="Recognise").click()
    problems += await check(page, "admin-recognition-errors")
    await context.close()
    assert not problems, "\n".join(problems)
