"""Recognitions given and taken back by admins (pages and API), shown current or past, with
the member notified; and the practice areas admins keep, which members choose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import MemberPracticeArea, PracticeArea
from community.notifications.models import Notification
from community.people.models import Recognition
from tests.api.helpers import ApiClient, error_of, token_for
from tests.conftest import open_browser, text_of
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_an_admin_recognises_a_member_who_is_told(app: Starlette) -> None:
    admin = await make_member(admin=True, email="admin@example.org")
    fellow = await make_member(email="fellow@example.org", name="Farah Fellow")
    today = clock.now().date()
    async with open_browser(app) as browser:
        await browser.login("admin@example.org", PASSWORD)
        refused = await browser.post(
            f"/members/{fellow.id}/recognitions",
            {"title": "Mentor", "starts_on": str(today), "ends_on": str(today - timedelta(days=1))},
        )
        assert refused.status_code == 422
        assert "The term cannot end before it starts." in text_of(refused)
        assert not await Recognition.exists()
        given = await browser.post(
            f"/members/{fellow.id}/recognitions",
            {
                "title": "Social Service Fellow",
                "starts_on": str(today.replace(month=1, day=1)),
                "ends_on": str(today.replace(year=today.year + 2, month=12, day=31)),
            },
        )
        assert given.status_code == 303
        profile = text_of(await browser.get(f"/members/{fellow.id}"))
        assert f"Social Service Fellow {today.year}\u2013{today.year + 2}" in profile
    [notice] = await Notification.filter(member_id=fellow.id)
    assert "Social Service Fellow" in notice.title
    async with open_browser(app) as browser:
        await browser.login("fellow@example.org", PASSWORD)
        # a member cannot recognise anyone, themselves included
        forbidden = await browser.post(
            f"/members/{fellow.id}/recognitions", {"title": "Self", "starts_on": str(today)}
        )
        assert forbidden.status_code == 403
        recognition = await Recognition.get(member_id=fellow.id)
        assert (await browser.post(f"/recognitions/{recognition.id}/revoke")).status_code == 403
    async with open_browser(app) as browser:
        await browser.login("admin@example.org", PASSWORD)
        taken = await browser.post(f"/recognitions/{recognition.id}/revoke")
        assert taken.status_code == 303
    assert not await Recognition.exists()
    assert await Notification.filter(member_id=fellow.id).count() == 2
    assert admin.is_admin


async def test_an_ended_term_shows_as_past(app: Starlette, api: ApiClient) -> None:
    admin = await make_member(admin=True, email="admin@example.org")
    member = await make_member(email="m@example.org")
    today = clock.now().date()
    admin_api = api.as_(await token_for(admin))
    past = await admin_api.post(
        f"/members/{member.id}/recognitions",
        {"title": "Facilitator", "starts_on": str(today.replace(year=today.year - 3)),
         "ends_on": str(today - timedelta(days=1))},
    )  # fmt: skip
    assert past.status_code == 201 and past.json()["current"] is False
    now = await admin_api.post(
        f"/members/{member.id}/recognitions", {"title": "Mentor", "starts_on": str(today)}
    )
    assert now.status_code == 201 and now.json()["current"] is True
    answer = (await admin_api.get(f"/members/{member.id}")).json()
    assert {(r["title"], r["current"]) for r in answer["recognitions"]} == {
        ("Facilitator", False),
        ("Mentor", True),
    }
    async with open_browser(app) as browser:
        await browser.login("m@example.org", PASSWORD)
        page = text_of(await browser.get(f"/members/{member.id}"))
        assert "Facilitator" in page and "(past)" in page
        assert "Recognise" not in page  # the form is the admins'
    member_api = api.as_(await token_for(member))
    refused = await member_api.post(
        f"/members/{member.id}/recognitions", {"title": "Mine", "starts_on": str(today)}
    )
    assert refused.status_code == 403
    bad = await admin_api.post(
        f"/members/{member.id}/recognitions", {"title": "", "starts_on": "soon"}
    )
    assert bad.status_code == 422
    assert set(error_of(bad)["fields"]) >= {"title", "starts_on"}
    nobody = await admin_api.post(
        "/members/999999/recognitions", {"title": "X", "starts_on": str(today)}
    )
    assert nobody.status_code == 404
    assert (await admin_api.delete(f"/recognitions/{now.json()['id']}")).status_code == 204
    assert (await admin_api.delete(f"/recognitions/{now.json()['id']}")).status_code == 404


async def test_admins_keep_the_practice_areas_that_members_choose(app: Starlette) -> None:
    await make_member(admin=True, email="admin@example.org")
    member = await make_member(email="m@example.org", name="Mo Member")
    await PracticeArea.all().delete()
    async with open_browser(app) as browser:
        await browser.login("admin@example.org", PASSWORD)
        for name in ("Youth", "Ageing", "Disability"):
            assert (await browser.post("/admin/practice-areas", {"name": name})).status_code == 303
        duplicate = await browser.post("/admin/practice-areas", {"name": "Youth"})
        assert duplicate.status_code == 422
        assert "There is already a practice area called Youth." in text_of(duplicate)
        empty = await browser.post("/admin/practice-areas", {"name": "  "})
        assert empty.status_code == 422
        youth, ageing, disability = await PracticeArea.all().order_by("position")
        assert (youth.name, ageing.name, disability.name) == ("Youth", "Ageing", "Disability")
        await browser.post(f"/admin/practice-areas/{disability.id}/move", {"direction": "up"})
        order = [a.name for a in await PracticeArea.all().order_by("position")]
        assert order == ["Youth", "Disability", "Ageing"]
        await browser.post(f"/admin/practice-areas/{youth.id}", {"name": "Youth work"})
    async with open_browser(app) as browser:
        await browser.login("m@example.org", PASSWORD)
        assert (await browser.get("/admin/practice-areas")).status_code == 403
        form = await browser.get("/settings/profile")
        assert "Youth work" in form.text
        saved = await browser.post(
            "/settings/profile",
            {"display_name": "Mo Member", "practice_areas_shown": "1",
             "practice_areas": [str(youth.id), str(ageing.id)]},  # type: ignore[dict-item]
        )  # fmt: skip
        assert saved.status_code == 303
        profile = text_of(await browser.get(f"/members/{member.id}"))
        assert "Youth work" in profile and "Ageing" in profile
        unknown = await browser.post(
            "/settings/profile",
            {"display_name": "Mo Member", "practice_areas_shown": "1", "practice_areas": "999999"},
        )
        assert unknown.status_code == 422
        assert "There is no such practice area" in text_of(unknown)
        # none ticked clears them
        await browser.post(
            "/settings/profile", {"display_name": "Mo Member", "practice_areas_shown": "1"}
        )
        assert not await MemberPracticeArea.filter(member_id=member.id).exists()
    async with open_browser(app) as browser:
        await browser.login("admin@example.org", PASSWORD)
        await browser.post(f"/admin/practice-areas/{ageing.id}/delete")
    assert [a.name for a in await PracticeArea.all().order_by("position")] == [
        "Youth work",
        "Disability",
    ]
