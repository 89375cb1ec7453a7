"""Keyboard use and the page's structure: a skip link first, visible focus, errors tied to
their fields, and no inline script or style anywhere (the CSP forbids them)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from community.events.models import Rsvp
from tests.factories import PASSWORD, add_member, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

FOCUS_IS_VISIBLE = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
    || style.boxShadow !== 'none';
}"""


async def test_keyboard_only_rsvp_with_visible_focus(page: Page) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await make_member(email="kb@example.org")
    await add_member(group, member)
    event = await make_event(group, facilitator, title="Keyboard clinic")
    await page.goto("/login")
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    await expect(skip).to_be_focused()
    assert await page.evaluate(FOCUS_IS_VISIBLE)
    await page.get_by_label("Email").focus()
    await page.keyboard.type("kb@example.org")
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    await page.goto(f"/events/{event.id}")
    going = page.get_by_role("button", name="I'm going")
    for _ in range(60):  # tab through the page until the button has the focus
        await page.keyboard.press("Tab")
        if await going.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("the RSVP button cannot be reached with the Tab key")
    assert await page.evaluate(FOCUS_IS_VISIBLE), "focus is not visible on the RSVP button"
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("You are going.").first).to_be_visible()
    assert (await Rsvp.get(member_id=member.id)).status == "going"


async def test_form_errors_are_tied_to_their_fields(page: Page) -> None:
    await page.goto("/register")
    await page.get_by_label("Email address").fill("not an email")
    await page.get_by_role("button", name="Create account").click()
    summary = page.get_by_role("alert")
    await expect(summary).to_contain_text("Enter a valid email address")
    email = page.get_by_label("Email address")
    await expect(email).to_have_attribute("aria-invalid", "true")
    described = await email.get_attribute("aria-describedby") or ""
    messages = [await page.locator(f"#{name}").inner_text() for name in described.split() if name]
    assert any("Enter a valid email address" in text for text in messages), messages
    # the summary's link moves to the field
    await summary.get_by_role("link", name="Enter a valid email address").click()
    assert (await page.evaluate("location.hash")) == "#field-email"


async def test_no_inline_script_or_style_and_one_main_landmark(page: Page) -> None:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security" in msg.text
            else None)  # fmt: skip
    group = await make_group(name="Landmark Circle")
    for path in ("/", "/groups", f"/groups/{group.slug}", "/events", "/register", "/login"):
        await page.goto(path)
        counts = await page.evaluate("""() => ({
            inlineScripts: document.querySelectorAll('script:not([src])').length,
            styleAttributes: document.querySelectorAll('[style]').length,
            styleElements: document.querySelectorAll('style').length,
            mains: document.querySelectorAll('main').length,
            h1s: document.querySelectorAll('h1').length,
        })""")
        assert counts == {"inlineScripts": 0, "styleAttributes": 0, "styleElements": 0,
                          "mains": 1, "h1s": 1}, (path, counts)  # fmt: skip
    assert violations == []
