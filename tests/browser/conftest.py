"""Real-browser tests: the site served by uvicorn in a child process (on the test database),
driven by Playwright in Debian's Chromium (never a downloaded browser), with axe-core loaded
into pages for accessibility checks. Screenshots go to test-output/screenshots/.

The site runs on the real clock, so these tests do too (marked `real_clock`): the data they
build through the service functions is dated from now, as the site sees it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from community.settings import Settings
from tests.servers import serve

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
SCREENSHOTS = OUTPUT / "screenshots"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"

pytestmark = pytest.mark.asyncio(loop_scope="session")
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.real_clock)


@pytest.fixture(scope="session")
def live_server(settings: Settings, database: None) -> Iterator[str]:
    """The site under uvicorn, on the same database as the tests (its own clock, real time)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    OUTPUT.mkdir(exist_ok=True)
    # tests empty the database between them and reuse ids: no page may outlive a test
    with serve(
        settings,
        OUTPUT / "browser-server.log",
        RATE_LIMITS="off",
        DEBUG="1",
        PAGE_CACHE_SECONDS="0",
    ) as base_url:
        yield base_url


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def chromium(live_server: str) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def _context(
    chromium: Browser, base_url: str, *, javascript: bool = True, width: int = 1280
) -> BrowserContext:
    return await chromium.new_context(
        base_url=base_url,
        java_script_enabled=javascript,
        viewport={"width": width, "height": 900},
        locale="en-SG",
    )


@pytest_asyncio.fixture(loop_scope="session")
async def page(chromium: Browser, live_server: str) -> AsyncIterator[Page]:
    context = await _context(chromium, live_server)
    yield await context.new_page()
    await context.close()


@pytest_asyncio.fixture(loop_scope="session", params=["js", "no-js"])
async def journey_page(
    request: pytest.FixtureRequest, chromium: Browser, live_server: str
) -> AsyncIterator[Page]:
    """A page with JavaScript on, then again with it off: every journey works both ways."""
    context = await _context(chromium, live_server, javascript=request.param == "js")
    yield await context.new_page()
    await context.close()


def screenshot_path(name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
