"""The account pages, through HTTP, as a person uses them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import AccountToken, Member
from community.mail.models import OutboxMessage
from community.sessions import WebSession
from tests.conftest import Browser, open_browser, text_of
from tests.factories import PASSWORD, emails_to, link_in, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

NEW_PASSWORD = "a brand new passphrase"


async def test_home_says_what_the_site_is(browser: Browser) -> None:
    response = await browser.get("/")
    assert response.status_code == 200
    page = text_of(response)
    assert "communities of practice" in page
    assert "Fellowship groups" in page
    assert "Learning events" in page
    assert "Create your account" in page


async def test_register_sends_verification_and_member_can_verify(browser: Browser) -> None:
    response = await browser.post(
        "/register",
        {"email": "Ana@Example.org", "display_name": "Ana Lopez", "password": PASSWORD},
    )
    assert response.status_code == 200
    assert "We sent a message to ana@example.org" in text_of(response)
    member = await Member.get(email="ana@example.org")
    assert member.display_name == "Ana Lopez"
    assert not member.is_verified
    [message] = await emails_to("ana@example.org")
    assert message.subject == "Verify your email address for Community of Practice"
    assert message.idempotency_key.startswith(f"accounts:verify:{member.id}:")

    verified = await browser.get(link_in(message))
    assert verified.status_code == 303
    assert verified.headers["location"] == "/login"
    assert (await Member.get(id=member.id)).is_verified
    page = await browser.get("/login")
    assert "your email is verified" in text_of(page)


async def test_register_with_bad_input_keeps_values_and_stores_nothing(browser: Browser) -> None:
    response = await browser.post(
        "/register", {"email": "not-an-email", "display_name": "Ben", "password": "qzx7"}
    )
    assert response.status_code == 422
    page = text_of(response)
    assert "Enter a valid email address" in page
    assert "Use at least 10 characters." in page
    assert 'value="not-an-email"' in response.text
    assert 'value="Ben"' in response.text
    assert "qzx7" not in response.text  # passwords are never echoed back
    assert await Member.all().count() == 0
    assert await OutboxMessage.all().count() == 0


async def test_register_with_common_password_is_refused(browser: Browser) -> None:
    response = await browser.post(
        "/register",
        {"email": "c@example.org", "display_name": "Cara", "password": "password123"},
    )
    assert response.status_code == 422
    assert "too common" in text_of(response)
    assert await Member.all().count() == 0


async def test_register_with_existing_email_in_other_case_reveals_nothing(
    browser: Browser,
) -> None:
    existing = await make_member(email="dana@example.org")
    before = len(await emails_to("dana@example.org"))
    response = await browser.post(
        "/register",
        {"email": "DANA@Example.ORG", "display_name": "Someone", "password": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "We sent a message to dana@example.org" in text_of(response)
    assert await Member.all().count() == 1
    messages = await emails_to("dana@example.org")
    assert len(messages) == before + 1
    assert messages[-1].template == "accounts/already_registered"
    assert (await Member.get(id=existing.id)).display_name == existing.display_name


async def test_verification_link_works_once(browser: Browser) -> None:
    await browser.post(
        "/register", {"email": "e@example.org", "display_name": "Eve", "password": PASSWORD}
    )
    link = link_in((await emails_to("e@example.org"))[0])
    assert (await browser.get(link)).status_code == 303
    again = await browser.get(link)
    assert again.status_code == 400
    assert "invalid or has expired" in text_of(again)


async def test_verification_link_expires_after_three_days(browser: Browser) -> None:
    await browser.post(
        "/register", {"email": "f@example.org", "display_name": "Fay", "password": PASSWORD}
    )
    link = link_in((await emails_to("f@example.org"))[0])
    clock.advance(timedelta(days=3, seconds=1))
    response = await browser.get(link)
    assert response.status_code == 400
    assert not (await Member.get(email="f@example.org")).is_verified


async def test_unverified_member_sees_banner_and_can_resend(browser: Browser) -> None:
    await make_member(email="g@example.org", verified=False)
    await browser.login("g@example.org", PASSWORD)
    page = await browser.get("/")
    assert "Please verify your email address (g@example.org)" in text_of(page)
    response = await browser.post("/verify/resend", {"next": "/"})
    assert response.status_code == 303
    assert len(await emails_to("g@example.org")) == 2
    assert "We sent a new verification link" in text_of(await browser.get("/"))


async def test_resend_when_verified_is_a_conflict(browser: Browser) -> None:
    await make_member(email="h@example.org")
    await browser.login("h@example.org", PASSWORD)
    response = await browser.post("/verify/resend")
    assert response.status_code == 409
    assert "already verified" in text_of(response)
    assert len(await emails_to("h@example.org")) == 1


async def test_login_and_logout(browser: Browser) -> None:
    member = await make_member(email="ivy@example.org", name="Ivy Tan")
    response = await browser.post("/login", {"email": "IVY@example.org", "password": PASSWORD})
    assert response.status_code == 303
    assert browser.signed_in
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    home = await browser.get("/")
    assert "Ivy Tan" in text_of(home)
    assert "Welcome back, Ivy Tan." in text_of(home)
    assert await WebSession.filter(member_id=member.id).count() == 1

    copied = browser.client.cookies["community_session"]
    response = await browser.post("/logout")
    assert response.status_code == 303
    assert not browser.signed_in
    assert await WebSession.filter(member_id=member.id).count() == 0
    # a copy of the old cookie no longer signs anyone in
    browser.client.cookies.set("community_session", copied)
    assert (await browser.get("/settings/profile")).status_code == 403


async def test_login_rotates_the_session(browser: Browser) -> None:
    member = await make_member(email="jo@example.org")
    await browser.login("jo@example.org", PASSWORD)
    first = browser.client.cookies["community_session"]
    await browser.login("jo@example.org", PASSWORD)
    assert browser.client.cookies["community_session"] != first
    assert await WebSession.filter(member_id=member.id).count() == 1


async def test_wrong_password_and_unknown_email_look_the_same(browser: Browser) -> None:
    await make_member(email="kim@example.org")
    wrong = await browser.post("/login", {"email": "kim@example.org", "password": "nope nope no"})
    unknown = await browser.post(
        "/login", {"email": "nobody@example.org", "password": "nope nope no"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "The email or password is not right." in text_of(wrong)
    assert text_of(wrong).replace("kim@", "X@") == text_of(unknown).replace("nobody@", "X@")
    assert not browser.signed_in


async def test_login_is_rate_limited(browser: Browser) -> None:
    await make_member(email="lee@example.org")
    for _ in range(10):
        response = await browser.post(
            "/login", {"email": "lee@example.org", "password": "wrong password"}
        )
        assert response.status_code == 422
    response = await browser.post("/login", {"email": "lee@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "Too many attempts" in text_of(response)
    assert not browser.signed_in


async def test_post_without_csrf_token_is_refused(browser: Browser) -> None:
    response = await browser.post(
        "/register",
        {"email": "m@example.org", "display_name": "Mo", "password": PASSWORD},
        csrf=False,
    )
    assert response.status_code == 403
    assert "This form has expired" in text_of(response)
    assert await Member.all().count() == 0


async def test_post_with_another_browsers_csrf_token_is_refused(app: Starlette) -> None:
    async with open_browser(app) as attacker, open_browser(app) as victim:
        await attacker.get("/")
        token = attacker.client.cookies["community_csrf"]
        await victim.get("/")
        response = await victim.post(
            "/register",
            {
                "email": "n@example.org",
                "display_name": "N",
                "password": PASSWORD,
                "csrf_token": token,
            },
        )
        assert response.status_code == 403
    assert await Member.all().count() == 0


async def test_forgot_password_for_unknown_email_sends_nothing(browser: Browser) -> None:
    response = await browser.post("/password/forgot", {"email": "ghost@example.org"})
    assert response.status_code == 200
    assert "If ghost@example.org belongs to an account" in text_of(response)
    assert await OutboxMessage.all().count() == 0


async def test_password_reset_works_once_and_ends_every_session(app: Starlette) -> None:
    member = await make_member(email="olu@example.org")
    async with open_browser(app) as laptop, open_browser(app) as phone:
        await laptop.login("olu@example.org", PASSWORD)
        await phone.login("olu@example.org", PASSWORD)
        response = await laptop.post("/password/forgot", {"email": "Olu@example.org"})
        assert "If olu@example.org belongs to an account" in text_of(response)
        message = (await emails_to("olu@example.org"))[-1]
        assert message.template == "accounts/password_reset"
        link = link_in(message)
        form = await laptop.get(link)
        assert form.status_code == 200
        token = link.split("token=")[1]
        done = await laptop.post(
            "/password/reset",
            {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
        )
        assert done.status_code == 303
        assert await WebSession.filter(member_id=member.id).count() == 0
        assert (await phone.get("/settings/profile")).status_code == 403
        again = await laptop.post(
            "/password/reset",
            {"token": token, "password": PASSWORD, "password_confirm": PASSWORD},
        )
        assert again.status_code == 400
        await laptop.login("olu@example.org", NEW_PASSWORD)


async def test_password_reset_link_expires_after_an_hour(browser: Browser) -> None:
    await make_member(email="pat@example.org")
    await browser.post("/password/forgot", {"email": "pat@example.org"})
    link = link_in((await emails_to("pat@example.org"))[-1])
    clock.advance(timedelta(hours=1, seconds=1))
    response = await browser.get(link)
    assert response.status_code == 400
    token = link.split("token=")[1]
    response = await browser.post(
        "/password/reset",
        {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
    )
    assert response.status_code == 400
    await browser.login("pat@example.org", PASSWORD)


async def test_password_reset_with_mismatched_passwords_keeps_the_link(browser: Browser) -> None:
    await make_member(email="quinn@example.org")
    await browser.post("/password/forgot", {"email": "quinn@example.org"})
    token = link_in((await emails_to("quinn@example.org"))[-1]).split("token=")[1]
    response = await browser.post(
        "/password/reset",
        {"token": token, "password": NEW_PASSWORD, "password_confirm": "something else!"},
    )
    assert response.status_code == 422
    assert "The two passwords differ" in text_of(response)
    assert await AccountToken.filter(used_at__isnull=True, purpose="reset").count() == 1


async def test_profile_edit_and_view(app: Starlette) -> None:
    member = await make_member(email="rita@example.org", name="Rita")
    await make_member(email="sam@example.org")
    async with open_browser(app) as rita, open_browser(app) as sam:
        await rita.login("rita@example.org", PASSWORD)
        response = await rita.post(
            "/settings/profile",
            {
                "display_name": "Rita Goh",
                "profession": "early_intervention_teacher",
                "organisation": "EIPIC Centre",
                "years_in_practice": "7",
                "bio": "I coach **parents**. <script>alert('x')</script>",
                "story": "My brother had a great teacher.",
            },
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/members/{member.id}"
        await sam.login("sam@example.org", PASSWORD)
        page = await sam.get(f"/members/{member.id}")
        assert page.status_code == 200
        text = text_of(page)
        assert "Rita Goh" in text
        assert "Early intervention teacher · EIPIC Centre" in text
        assert "7 years in practice" in text
        assert "<strong>parents</strong>" in page.text
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert" in page.text
        assert "Why I do this work" in text
        assert "My brother had a great teacher." in text


async def test_profile_validation_errors(browser: Browser) -> None:
    member = await make_member(email="tom@example.org", name="Tom")
    await browser.login("tom@example.org", PASSWORD)
    response = await browser.post(
        "/settings/profile",
        {
            "display_name": "   ",
            "profession": "astronaut",
            "organisation": "x" * 121,
            "years_in_practice": "-3",
            "bio": "b" * 1001,
            "story": "<script>alert(1)</script>",
        },
    )
    assert response.status_code == 422
    text = text_of(response)
    assert "Enter the name other members will see." in text
    assert "Choose a profession from the list." in text
    assert "Use at most 120 characters." in text
    assert "Enter a whole number of years from 0 to 70." in text
    assert "Keep your bio to 1000 characters (it has 1001)." in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text  # kept, escaped
    assert "<script>alert(1)" not in response.text
    stored = await Member.get(id=member.id)
    assert stored.display_name == "Tom" and stored.organisation == "" and stored.bio == ""


async def test_profiles_are_for_signed_in_members_by_default(browser: Browser) -> None:
    # a visitor cannot tell a members-only profile from one that does not exist
    member = await make_member()
    response = await browser.get(f"/members/{member.id}")
    assert response.status_code == 404
    assert "Sign in to see more of the community's profiles." in text_of(response)
    missing = await browser.get("/members/999999")
    assert missing.status_code == 404 and text_of(missing) == text_of(response)


async def test_unknown_profile_is_not_found(browser: Browser) -> None:
    await make_member(email="uma@example.org")
    await browser.login("uma@example.org", PASSWORD)
    response = await browser.get("/members/999999")
    assert response.status_code == 404
    assert "There is no profile here that you may see." in text_of(response)


async def test_change_password_ends_other_sessions_only(app: Starlette) -> None:
    member = await make_member(email="val@example.org")
    async with open_browser(app) as laptop, open_browser(app) as phone:
        await laptop.login("val@example.org", PASSWORD)
        await phone.login("val@example.org", PASSWORD)
        wrong = await laptop.post(
            "/settings/password",
            {
                "current_password": "not my password",
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
        )
        assert wrong.status_code == 422
        assert "That is not your current password." in text_of(wrong)
        assert await WebSession.filter(member_id=member.id).count() == 2
        done = await laptop.post(
            "/settings/password",
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_confirm": NEW_PASSWORD,
            },
        )
        assert done.status_code == 303
        assert (await laptop.get("/settings/password")).status_code == 200
        assert (await phone.get("/settings/password")).status_code == 403
        assert (await emails_to("val@example.org"))[-1].template == "accounts/password_changed"


async def test_delete_account_removes_personal_data(browser: Browser) -> None:
    member = await make_member(email="wes@example.org", name="Wes")
    await browser.login("wes@example.org", PASSWORD)
    wrong = await browser.post("/settings/delete", {"password": "not my password"})
    assert wrong.status_code == 422
    assert (await Member.get(id=member.id)).email == "wes@example.org"
    done = await browser.post("/settings/delete", {"password": PASSWORD})
    assert done.status_code == 303
    assert not browser.signed_in
    stored = await Member.get(id=member.id)
    assert stored.email is None and stored.password_hash == "" and stored.is_deleted
    assert stored.display_name == "Deleted member"
    assert await WebSession.filter(member_id=member.id).count() == 0
    assert await AccountToken.filter(member_id=member.id).count() == 0
    response = await browser.post("/login", {"email": "wes@example.org", "password": PASSWORD})
    assert response.status_code == 422
    # the address is free again
    await make_member(email="wes@example.org")


async def test_admin_suspends_and_reinstates_a_member(app: Starlette) -> None:
    await make_member(email="admin@example.org", admin=True)
    member = await make_member(email="xena@example.org", name="Xena")
    async with open_browser(app) as admin, open_browser(app) as xena:
        await xena.login("xena@example.org", PASSWORD)
        await admin.login("admin@example.org", PASSWORD)
        profile = await admin.get(f"/members/{member.id}")
        assert "Suspend Xena" in text_of(profile)
        response = await admin.post(f"/members/{member.id}/suspend")
        assert response.status_code == 303
        assert "Xena is suspended" in text_of(await admin.get(f"/members/{member.id}"))
        assert (await xena.get("/settings/profile")).status_code == 403
        refused = await xena.post("/login", {"email": "xena@example.org", "password": PASSWORD})
        assert refused.status_code == 403
        assert "This account is suspended" in text_of(refused)
        await admin.post(f"/members/{member.id}/reinstate")
        assert (await Member.get(id=member.id)).suspended_at is None
        await xena.login("xena@example.org", PASSWORD)


async def test_members_cannot_suspend(app: Starlette) -> None:
    await make_member(email="yan@example.org")
    target = await make_member(email="zoe@example.org")
    async with open_browser(app) as yan:
        await yan.login("yan@example.org", PASSWORD)
        assert "Suspend" not in text_of(await yan.get(f"/members/{target.id}"))
        response = await yan.post(f"/members/{target.id}/suspend")
        assert response.status_code == 403
    assert (await Member.get(id=target.id)).suspended_at is None


async def test_settings_pages_need_sign_in(browser: Browser) -> None:
    for path in ("/settings/profile", "/settings/password", "/settings/delete"):
        response = await browser.get(path)
        assert response.status_code == 403
        assert "Please sign in to continue." in text_of(response)
