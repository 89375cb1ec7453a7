"""The API tokens settings page: create (shown once), list with last use, revoke."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette

from community.accounts.models import AccessToken
from tests.conftest import open_browser, text_of
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_create_use_and_revoke_a_token_on_the_page(app: Starlette) -> None:
    await make_member(email="tp@example.org", name="Tess")
    async with open_browser(app) as browser:
        assert (await browser.get("/settings/tokens")).status_code == 403
        await browser.login("tp@example.org", PASSWORD)
        empty = await browser.get("/settings/tokens")
        assert "You have no tokens." in text_of(empty)
        bad = await browser.post("/settings/tokens", {"name": ""})
        assert bad.status_code == 422 and "Give the token a name" in text_of(bad)
        created = await browser.post("/settings/tokens", {"name": "calendar script"})
        assert created.status_code == 201
        match = re.search(r'id="new-token"[^>]*value="(cop_[^"]+)"', created.text)
        assert match, created.text
        secret = match.group(1)
        assert "shown this once" in text_of(created)
        me = await browser.client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert me.status_code == 200 and me.json()["display_name"] == "Tess"
        listed = await browser.get("/settings/tokens")
        assert "calendar script" in text_of(listed) and secret not in listed.text
        token = await AccessToken.get(name="calendar script")
        done = await browser.post(f"/settings/tokens/{token.id}/revoke", {})
        assert done.status_code == 303
        assert "no longer works" in text_of(await browser.get(done.headers["location"]))
        gone = await browser.client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
        assert gone.status_code == 401


async def test_one_cannot_revoke_anothers_token(app: Starlette) -> None:
    owner = await make_member()
    await make_member(email="thief@example.org")
    token = await AccessToken.create(
        member_id=owner.id, name="x", token_hash="0" * 64, created_at=owner.created_at
    )
    async with open_browser(app) as browser:
        await browser.login("thief@example.org", PASSWORD)
        assert (await browser.post(f"/settings/tokens/{token.id}/revoke", {})).status_code == 404
    assert await AccessToken.exists(id=token.id)
