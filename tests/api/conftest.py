"""The `api` fixture: a JSON client on the app, no token until a test gives one."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio
from starlette.applications import Starlette

from tests.api.helpers import ApiClient
from tests.conftest import BASE_URL


@pytest_asyncio.fixture(loop_scope="session")
async def api(app: Starlette) -> AsyncIterator[ApiClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield ApiClient(client)
