"""The endpoints behind the page script: the unread count and the Markdown preview."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from tests.conftest import open_browser
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_unread_count_and_preview(app: Starlette) -> None:
    await make_member(email="js@example.org")
    async with open_browser(app) as browser:
        assert (await browser.get("/notifications/unread")).json() == {"unread": 0}
        refused = await browser.post("/preview", {"body": "**x**"})
        assert refused.status_code == 403  # visitors do not preview
        await browser.login("js@example.org", PASSWORD)
        preview = await browser.post("/preview", {"body": "**bold** <script>x</script>"})
        assert preview.status_code == 200
        html = preview.json()["html"]
        assert "<strong>bold</strong>" in html and "<script>" not in html
        assert (await browser.post("/preview", {"body": "   "})).json() == {"html": ""}
        no_token = await browser.client.post("/preview", data={"body": "x"})
        assert no_token.status_code == 403  # CSRF applies
