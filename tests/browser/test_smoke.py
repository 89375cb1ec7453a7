"""The browser harness works: the live site answers in Chromium."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.factories import make_group

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_the_directory_shows_a_group(page: Page) -> None:
    group = await make_group(name="Harness Circle")
    await page.goto("/groups")
    assert await page.title() == "Groups · Community of Practice"
    await page.get_by_role("link", name="Harness Circle").click()
    assert page.url.endswith(f"/groups/{group.slug}")
