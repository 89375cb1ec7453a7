"""How form controls look, measured in Chromium at a phone's and a desktop's width (#22): a
radio or checkbox sits beside its own words, and every select and text box has the page's
text size and one height, in forms and filter bars alike."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: each choice's box and where its words start
CHOICES = """() => [...document.querySelectorAll(
    '.field input[type=radio], .field input[type=checkbox]')].map(input => {
    const label = input.closest('label');
    const box = input.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(label);
    range.setStartAfter(input);
    const words = range.getBoundingClientRect();
    return {name: input.name, box: [box.left, box.top, box.width, box.height],
            words: [words.left, words.top, words.height]};
  })"""

#: the computed font size and height of the controls named by a selector
CONTROLS = """selector => [...document.querySelectorAll(selector)].map(control => {
  const style = getComputedStyle(control);
  return [control.id || control.name, style.fontSize, control.getBoundingClientRect().height];
})"""


async def sign_in(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def test_radios_sit_beside_their_words_and_controls_match(page: Page) -> None:
    await make_member(email="admin@example.org", name="Aisha Rahman", admin=True)
    await sign_in(page, "admin@example.org")
    for width in (375, 1280):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto("/groups/new")
        choices = await page.evaluate(CHOICES)
        assert {choice["name"] for choice in choices} >= {"join_policy", "visibility"}
        for choice in choices:
            left, top, box_width, height = choice["box"]
            words_left, words_top, words_height = choice["words"]
            assert box_width < 30, (width, choice)  # not stretched across the form
            # the words start just after the box, on the same line
            assert 0 <= words_left - (left + box_width) < 16, (width, choice)
            assert abs((top + height / 2) - (words_top + words_height / 2)) < 8, (width, choice)
        name_field = (await page.evaluate(CONTROLS, "#field-name"))[0]
        await page.goto("/events")
        filters = await page.evaluate(CONTROLS, ".search-form select")
        assert len(filters) == 2
        for control in filters:
            # the filter bar's selects: the page's text size and the form fields' height
            assert control[1] == name_field[1], (width, control, name_field)
            assert abs(control[2] - name_field[2]) <= 2, (width, control, name_field)
