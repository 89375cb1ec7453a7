"""API: registration, tokens (create, use, list, revoke), the member's own profile."""

from __future__ import annotations

import pytest

from community import clock
from community.accounts.models import AccessToken, Member
from community.mail.models import OutboxMessage
from tests.api.helpers import ApiClient, error_of, token_for
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_register_sends_the_verification_email(api: ApiClient) -> None:
    body = {"email": "New@Example.org", "password": "a long enough passphrase",
            "display_name": "New Person"}  # fmt: skip
    response = await api.post("/auth/register", body)
    assert response.status_code == 201, response.text
    assert "new@example.org" in response.json()["message"]
    member = await Member.get(email="new@example.org")
    assert not member.is_verified
    assert await OutboxMessage.filter(to_address="new@example.org", template="accounts/verify")
    again = await api.post("/auth/register", body)  # the same answer: no enumeration
    assert again.status_code == 201 and again.json() == response.json()
    bad = await api.post("/auth/register", {"email": "nope", "password": "short"})
    assert bad.status_code == 422
    assert set(error_of(bad)["fields"]) == {"email", "password", "display_name"}


async def test_tokens_are_created_used_listed_and_revoked(api: ApiClient) -> None:
    await make_member(email="tok@example.org", name="Toki")
    wrong = await api.post(
        "/auth/tokens", {"email": "tok@example.org", "password": "wrong", "name": "x"}
    )
    assert wrong.status_code == 422 and "password" in error_of(wrong)["fields"]
    created = await api.post(
        "/auth/tokens", {"email": "tok@example.org", "password": PASSWORD, "name": "my script"}
    )
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("cop_")
    stored = await AccessToken.get(id=created.json()["id"])
    assert secret not in stored.token_hash  # only a hash is kept
    me = await api.as_(secret).get("/me")
    assert me.status_code == 200 and me.json()["display_name"] == "Toki"
    listed = await api.as_(secret).get("/auth/tokens")
    assert [t["name"] for t in listed.json()] == ["my script"]
    assert listed.json()[0]["last_used_at"] == clock.now().isoformat()
    other = await token_for(await make_member())
    assert (await api.as_(other).delete(f"/auth/tokens/{stored.id}")).status_code == 404
    assert (await api.as_(secret).delete(f"/auth/tokens/{stored.id}")).status_code == 204
    revoked = await api.as_(secret).get("/me")
    assert revoked.status_code == 401 and revoked.headers["www-authenticate"] == "Bearer"
    assert error_of(revoked)["code"] == "unauthenticated"


async def test_tokens_need_a_name_and_are_rate_limited(api: ApiClient) -> None:
    await make_member(email="rl@example.org")
    unnamed = await api.post(
        "/auth/tokens", {"email": "rl@example.org", "password": PASSWORD, "name": " "}
    )
    assert unnamed.status_code == 422 and "name" in error_of(unnamed)["fields"]
    statuses = [
        (
            await api.post(
                "/auth/tokens", {"email": "rl@example.org", "password": "x", "name": "n"}
            )
        ).status_code
        for _ in range(12)
    ]
    assert statuses[-1] == 429 and 422 in statuses


async def test_suspended_members_tokens_stop_working(api: ApiClient) -> None:
    member = await make_member()
    secret = await token_for(member)
    assert (await api.as_(secret).get("/me")).status_code == 200
    await Member.filter(id=member.id).update(suspended_at=clock.now())
    assert (await api.as_(secret).get("/me")).status_code == 401


async def test_bad_credentials_and_visitors_get_401(api: ApiClient) -> None:
    assert (await api.get("/me")).status_code == 401
    assert (await api.as_("cop_forged").get("/me")).status_code == 401
    response = await api.client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert response.status_code == 401


async def test_patch_me_changes_only_what_is_sent(api: ApiClient) -> None:
    member = await make_member(name="Pat Lee")
    secret = await token_for(member)
    done = await api.as_(secret).patch(
        "/me",
        {
            "organisation": "Family Service Centre",
            "years_in_practice": 7,
            "profession": "counsellor",
            "time_zone": "Europe/London",
        },
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["display_name"] == "Pat Lee" and body["organisation"] == "Family Service Centre"
    assert body["years_in_practice"] == 7 and body["profession"] == "counsellor"
    assert body["time_zone"] == "Europe/London"
    cleared = await api.as_(secret).patch("/me", {"years_in_practice": None})
    assert cleared.json()["years_in_practice"] is None
    bad = await api.as_(secret).patch("/me", {"years_in_practice": 200, "time_zone": "Mars/Base"})
    assert bad.status_code == 422
    assert set(error_of(bad)["fields"]) == {"years_in_practice", "time_zone"}
    wrong_type = await api.as_(secret).patch("/me", {"display_name": ["x"]})
    assert wrong_type.status_code == 422 and "display_name" in error_of(wrong_type)["fields"]
    assert (await Member.get(id=member.id)).organisation == "Family Service Centre"


async def test_bad_json_is_a_400_and_a_non_object_a_422(api: ApiClient) -> None:
    secret = await token_for(await make_member())
    headers = {"Authorization": f"Bearer {secret}", "content-type": "application/json"}
    broken = await api.client.patch("/api/v1/me", content=b"{not json", headers=headers)
    assert broken.status_code == 400 and error_of(broken)["code"] == "bad_request"
    listed = await api.client.patch("/api/v1/me", content=b"[1, 2]", headers=headers)
    assert listed.status_code == 422
    latin = await api.client.patch("/api/v1/me", content=b'{"bio": "\xff"}', headers=headers)
    assert latin.status_code == 400


async def test_cookies_need_csrf_for_api_writes_and_tokens_do_not(api: ApiClient) -> None:
    await make_member(email="ck@example.org")
    client = api.client  # signed in with a session cookie below
    await client.get("/login")
    csrf = client.cookies.get("community_csrf", "")
    signed_in = await client.post(
        "/login", data={"email": "ck@example.org", "password": PASSWORD, "csrf_token": csrf}
    )
    assert signed_in.status_code == 303
    csrf = client.cookies.get("community_csrf", "")  # a new token comes with the session
    assert (await client.get("/api/v1/me")).status_code == 200  # reads with the cookie
    refused = await client.patch("/api/v1/me", json={"bio": "x"})
    assert refused.status_code == 403  # no CSRF token
    allowed = await client.patch("/api/v1/me", json={"bio": "x"}, headers={"X-CSRF-Token": csrf})
    assert allowed.status_code == 200


async def test_huge_ids_are_not_found(api: ApiClient) -> None:
    secret = await token_for(await make_member())
    response = await api.as_(secret).delete("/auth/tokens/99999999999999999999")
    assert response.status_code == 404
