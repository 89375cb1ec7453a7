"""Fixtures: one database per test run (built from the migrations), the app and a browser-like
client, a frozen clock. DATABASE_URL picks the database (default: a fresh SQLite file)."""

from __future__ import annotations

import html
import logging
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from tortoise import Tortoise, connections
from tortoise.contrib.test import truncate_all_models

from community import clock, db
from community.accounts.passwords import use_fast_hashing
from community.app import create_app
from community.mail import render as mail_render
from community.settings import Settings, configure
from community.web.templates import asset_dir
from tests.fakes.email_api import FakeEmailApi, serve_fake_email_api

_TEMP = Path(tempfile.mkdtemp(prefix="community-tests-"))
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite://{_TEMP}/test.sqlite3"
BASE_URL = "https://community.test"
#: the frozen clock's start: every date in the suite is built from it (tests/dates.py), so
#: TEST_START (ISO 8601 with an offset) moves the whole world; .ci/run moves it a year ahead.
START = datetime.fromisoformat(os.environ.get("TEST_START") or "2026-11-23T09:00:00+00:00")
if START.tzinfo is None:
    raise SystemExit("TEST_START needs an offset, e.g. 2027-11-23T09:00:00+00:00")
START = START.astimezone(UTC)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": DATABASE_URL,
        "secret_key": "test-secret-key-not-for-production",
        "base_url": BASE_URL,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def settings() -> Settings:
    settings = make_settings()
    configure(settings)
    use_fast_hashing()  # argon2id still, with cheap parameters: registrations are everywhere
    mail_render.configure(
        asset_dir("templates"), site_name=settings.site_name, base_url=settings.base_url
    )
    return settings


async def _empty_postgres(url: str) -> None:
    """Drop everything in the throwaway test database, so the migrations build it anew."""
    await Tortoise.init(config=db.tortoise_config(url))
    await connections.get("default").execute_script(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    )
    await Tortoise.close_connections()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def database(settings: Settings) -> AsyncIterator[None]:
    if DATABASE_URL.startswith(("postgres", "asyncpg")):
        await _empty_postgres(DATABASE_URL)
    await db.migrate(DATABASE_URL)
    await Tortoise.init(config=db.tortoise_config(DATABASE_URL), _enable_global_fallback=True)
    yield
    await Tortoise.close_connections()


@pytest_asyncio.fixture(loop_scope="session", autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Every test starts at START on a frozen clock, except those marked `real_clock` (they
    share the database with a server that runs on the real clock); tests that used the
    database leave it empty."""
    if request.node.get_closest_marker("real_clock") is None:
        clock.freeze(START)
    yield
    clock.unfreeze()
    if "database" in request.fixturenames:
        await truncate_all_models()


@pytest_asyncio.fixture(loop_scope="session")
async def app(settings: Settings, database: None) -> AsyncIterator[Starlette]:
    application = create_app(settings, manage_orm=False)
    async with LifespanManager(application):
        yield application


class Browser:
    """A browser-like client: keeps cookies and fills in the CSRF token of forms."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, url: str, **kwargs: object) -> httpx.Response:
        return await self.client.get(url, **kwargs)  # type: ignore[arg-type]

    async def post(
        self, url: str, data: dict[str, str] | None = None, *, csrf: bool = True
    ) -> httpx.Response:
        form = dict(data or {})
        if csrf:
            if "community_csrf" not in self.client.cookies:
                await self.client.get("/healthz")
            form.setdefault("csrf_token", self.client.cookies.get("community_csrf", ""))
        return await self.client.post(url, data=form)

    async def login(self, email: str, password: str) -> httpx.Response:
        response = await self.post("/login", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        return response

    @property
    def signed_in(self) -> bool:
        return "community_session" in self.client.cookies


@asynccontextmanager
async def open_browser(app: Starlette) -> AsyncIterator[Browser]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield Browser(client)


@pytest_asyncio.fixture(loop_scope="session")
async def browser(app: Starlette) -> AsyncIterator[Browser]:
    async with open_browser(app) as opened:
        yield opened


class QueryCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.queries: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(("Created connection pool", "Closed connection pool")):
            self.queries.append(message)


@pytest.fixture
def count_queries() -> Iterator[QueryCounter]:
    """Records every SQL statement Tortoise runs while the test runs."""
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(counter)
    yield counter
    logger.removeHandler(counter)
    logger.setLevel(previous)


def text_of(response: httpx.Response) -> str:
    """The visible text of a page, whitespace folded (for asserting what a person reads)."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def email_api_server() -> AsyncIterator[FakeEmailApi]:
    async with serve_fake_email_api() as fake:
        yield fake


@pytest_asyncio.fixture(loop_scope="session")
async def email_api(email_api_server: FakeEmailApi) -> FakeEmailApi:
    """The fake provider, reset to accept everything."""
    email_api_server.reset()
    return email_api_server
