"""The small JavaScript enhancements: a live unread count and a Markdown preview."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def sign_in(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def test_the_unread_count_refreshes_itself(page: Page) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    starter = await make_member(email="live@example.org")
    await add_member(group, starter)
    thread = await make_thread(group, starter)
    await sign_in(page, "live@example.org")
    bell = page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications")
    await expect(bell).to_have_text("Notifications")
    replier = await make_member()
    await add_member(group, replier)
    await make_reply(thread, replier)
    await make_reply(thread, replier)
    await page.evaluate("window.dispatchEvent(new Event('focus'))")
    await expect(bell).to_have_text("Notifications 2 unread")


async def test_markdown_preview_shows_the_post_as_it_will_look(page: Page) -> None:
    facilitator = await make_member(email="pv@example.org", name="Priya Vel")
    group = await make_group(facilitator=facilitator)
    thread = await make_thread(group, facilitator)
    await sign_in(page, "pv@example.org")
    await page.goto(f"/threads/{thread.id}")
    await page.get_by_label("Your reply").fill(f"Some **bold** words for @{facilitator.handle}")
    await page.get_by_role("button", name="Preview").click()
    preview = page.locator("#field-body-preview")
    await expect(preview).to_have_attribute("aria-live", "polite")
    await expect(preview.locator("strong")).to_have_text("bold")
    await expect(preview.get_by_role("link", name=f"@{facilitator.handle}")).to_be_visible()
