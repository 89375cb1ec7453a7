"""Programme pages and API: the list and its filters, the form (good and bad), enrolling and
withdrawing, the completion sheet and its CSV, "My learning", the certificate page, its PDF
for the holder alone, revocation, and who sees what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.events import attendance
from community.programmes.models import Certificate, Enrolment, Programme
from tests.api.helpers import ApiClient, token_for
from tests.conftest import Browser, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member
from tests.programmes.helpers import make_programme, programme_fields, sessions_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def signed_in(app: Starlette, email: str):  # type: ignore[no-untyped-def]
    context = open_browser(app)
    browser = await context.__aenter__()
    await browser.login(email, PASSWORD)
    return context, browser


async def complete(facilitator, programme: Programme, member) -> Certificate:  # type: ignore[no-untyped-def]
    for event in (await sessions_of(programme))[: programme.min_attended]:
        clock.freeze(event.starts_at + timedelta(minutes=5))
        await attendance.record_attendance(
            actor=facilitator, event_id=event.id, attended_ids={member.id}
        )
    return await Certificate.get(member_id=member.id)


async def test_a_facilitator_creates_a_programme_from_the_form(
    app: Starlette, browser: Browser
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    await browser.login(facilitator.email or "", PASSWORD)
    page = await browser.get(f"/groups/{group.slug}/programmes/new")
    assert page.status_code == 200 and "Create a programme" in page.text
    bad = await browser.post(
        f"/groups/{group.slug}/programmes", {**programme_fields(), "capacity": "0", "sessions": "1"}
    )
    assert bad.status_code == 422
    assert "Enter the number of places" in text_of(bad)
    assert "Foundations of trauma-informed practice" in bad.text  # what was typed is kept
    assert await Programme.all().count() == 0
    good = await browser.post(
        f"/groups/{group.slug}/programmes", {**programme_fields(), "mandatory": "1, 6"}
    )
    assert good.status_code == 303
    programme = await Programme.get()
    detail = await browser.get(good.headers["location"])
    text = text_of(detail)
    assert "6 sessions · 12 CET/CPD hours" in text
    assert "Enrolment and completion" in text
    assert text.count("Mandatory") == 2
    assert programme.min_attended == 5


async def test_a_member_enrols_attends_and_gets_a_certificate(
    app: Starlette, browser: Browser
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    programme = await make_programme(group, facilitator)
    member = await make_member(name="Tan Wei Ling")
    await add_member(group, member)
    await browser.login(member.email or "", PASSWORD)
    listing = await browser.get("/programmes")
    assert "Foundations of trauma-informed practice" in listing.text
    enrolled = await browser.post(f"/programmes/{programme.id}/enrol", {"answer": "enrol"})
    assert enrolled.status_code == 303
    page = text_of(await browser.get(f"/programmes/{programme.id}"))
    assert "You are enrolled" in page and "Attended 0 of 6" in page
    session = (await sessions_of(programme))[0]
    side_door = await browser.post(f"/events/{session.id}/rsvp", {"answer": "not_going"})
    assert side_door.status_code == 409
    event_page = text_of(await browser.get(f"/events/{session.id}"))
    assert "part of a programme" in event_page
    found = await browser.get(f"/events/{session.id}/programme")
    assert found.headers["location"] == f"/programmes/{programme.id}"
    certificate = await complete(facilitator, programme, member)
    await browser.login(member.email or "", PASSWORD)  # five weeks on: signed in again
    page = text_of(await browser.get(f"/programmes/{programme.id}"))
    assert "You completed this programme" in page, page
    learning = text_of(await browser.get("/learning"))
    assert "Completed" in learning and "Your certificate" in learning
    pdf = await browser.get(f"/certificates/{certificate.code}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    # anyone checks the code, signed in or not, typed any way
    async with open_browser(app) as visitor:
        check = await visitor.get(f"/certificates/{certificate.code}")
        text = text_of(check)
        assert "This certificate is valid" in text and "Tan Wei Ling" in text
        assert member.email not in check.text
        assert "Download" not in text
        typed = await visitor.get(f"/certificates/{certificate.code.lower().replace('-', '')}")
        assert typed.status_code == 301
        lookup = await visitor.get("/certificates", params={"code": certificate.code})
        assert lookup.headers["location"] == f"/certificates/{certificate.code}"
        assert (await visitor.get("/certificates", params={"code": "nope"})).status_code == 422
        assert (await visitor.get("/certificates/AAAAA-AAAAA-AAAAA-AAAAA")).status_code == 404
        assert (await visitor.get(f"/certificates/{certificate.code}.pdf")).status_code == 403


async def test_the_sheet_and_csv_are_for_facilitators(app: Starlette, browser: Browser) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    programme = await make_programme(group, facilitator, capacity=1)
    first, second = await make_member(name="=cmd|calc"), await make_member(name="Second")
    for member in (first, second):
        await add_member(group, member)
        async with open_browser(app) as other:
            await other.login(member.email or "", PASSWORD)
            await other.post(f"/programmes/{programme.id}/enrol", {"answer": "enrol"})
    await browser.login(second.email or "", PASSWORD)
    assert (await browser.get(f"/programmes/{programme.id}/enrolment")).status_code == 403
    assert (await browser.get(f"/programmes/{programme.id}/completion.csv")).status_code == 403
    async with open_browser(app) as manager:
        await manager.login(facilitator.email or "", PASSWORD)
        sheet = text_of(await manager.get(f"/programmes/{programme.id}/enrolment"))
        assert "1 of 1 places taken · 1 on the waitlist" in sheet
        csv_text = (await manager.get(f"/programmes/{programme.id}/completion.csv")).text
        assert "'=cmd|calc" in csv_text and "Waitlist 1" in csv_text
        assert first.email not in csv_text


async def test_the_api_answers_from_the_same_commands(app: Starlette, browser: Browser) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await make_member()
    await add_member(group, member)
    api = ApiClient(browser.client, await token_for(facilitator))
    body = {
        **programme_fields(),
        "sessions": 6,
        "capacity": 20,
        "cpd_hours": 12,
        "min_attended": 5,
        "professions": ["social_worker"],
    }
    created = await api.post(f"/groups/{group.slug}/programmes", body)
    assert created.status_code == 201, created.text
    programme = created.json()
    assert len(programme["sessions"]) == 6 and programme["cpd_hours"] == "12"
    for bad in ({"capacity": 0}, {"capacity": -1}, {"sessions": 10000}, {"time_zone": "Nowhere/X"}):
        refused = await api.post(f"/groups/{group.slug}/programmes", {**body, **bad})
        assert refused.status_code == 422, refused.text
        assert next(iter(bad)) in refused.json()["error"]["fields"]
    assert await Programme.all().count() == 1
    as_member = api.as_(await token_for(member))
    enrolled = await as_member.put(f"/programmes/{programme['id']}/enrolment")
    assert enrolled.json()["enrolment"]["status"] == "enrolled"
    again = await as_member.put(f"/programmes/{programme['id']}/enrolment")
    assert again.json()["places_left"] == 19
    listed = await as_member.get("/programmes", profession="psychologist")
    assert listed.json()["items"] == []
    learning = await as_member.get("/me/learning")
    assert learning.status_code == 200, learning.text
    assert learning.json()["items"][0]["progress"]["attended"] == 0
    sheet = await api.get(f"/programmes/{programme['id']}/enrolments")
    assert [row["member_id"] for row in sheet.json()["enrolled"]] == [member.id]
    assert (await as_member.get(f"/programmes/{programme['id']}/enrolments")).status_code == 403
    withdrawn = await as_member.delete(f"/programmes/{programme['id']}/enrolment")
    assert withdrawn.json()["enrolment"]["status"] == "withdrawn"
    assert await Enrolment.filter(status="enrolled").count() == 0


async def test_certificates_through_the_api_and_revoked_by_admins(
    app: Starlette, browser: Browser
) -> None:
    admin = await make_member(admin=True)
    facilitator = await make_member()
    group = await make_group(admin=admin, facilitator=facilitator)
    programme = await make_programme(group, facilitator, min_attended=1)
    member = await make_member(name="Zoë Ó Briain")
    await add_member(group, member)
    from community.programmes import service

    await service.enrol(actor=member, programme_id=programme.id)
    certificate = await complete(facilitator, programme, member)
    api = ApiClient(browser.client)
    checked = await api.get(f"/certificates/{certificate.code}")
    assert checked.json()["name"] == "Zoë Ó Briain" and checked.json()["revoked"] is False
    assert set(checked.json()) == {
        "code",
        "name",
        "programme",
        "hours",
        "first_day",
        "last_day",
        "issued_at",
        "issuer",
        "revoked",
        "revoked_reason",
    }
    assert (await api.get("/certificates/NOPE")).status_code == 404
    as_member = api.as_(await token_for(member))
    refused = await as_member.post(f"/certificates/{certificate.code}/revoke", {"reason": "x"})
    assert refused.status_code == 403
    as_admin = api.as_(await token_for(admin))
    blank = await as_admin.post(f"/certificates/{certificate.code}/revoke", {"reason": " "})
    assert blank.status_code == 422
    revoked = await as_admin.post(
        f"/certificates/{certificate.code}/revoke", {"reason": "Recorded in error."}
    )
    assert revoked.json()["revoked"] is True
    again = await as_admin.post(f"/certificates/{certificate.code}/revoke", {"reason": "x"})
    assert again.status_code == 409
    await browser.login(admin.email or "", PASSWORD)
    page = text_of(await browser.get(f"/certificates/{certificate.code}"))
    assert "This certificate was revoked" in page and "Recorded in error." in page


async def test_a_private_groups_programme_is_a_404_to_outsiders(
    app: Starlette, browser: Browser
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator, visibility="private")
    programme = await make_programme(group, facilitator)
    outsider = await make_member()
    for who in (None, outsider):
        async with open_browser(app) as viewer:
            if who is not None:
                await viewer.login(who.email or "", PASSWORD)
            assert (await viewer.get(f"/programmes/{programme.id}")).status_code == 404
            assert programme.title not in (await viewer.get("/programmes")).text
            session = (await sessions_of(programme))[0]
            assert (await viewer.get(f"/events/{session.id}/programme")).status_code == 404
            api = ApiClient(viewer.client, await token_for(who) if who else None)
            assert (await api.get(f"/programmes/{programme.id}")).status_code == 404
            assert (await api.get("/programmes")).json()["items"] == []


async def test_the_edit_page_and_the_api_change_the_terms(app: Starlette, browser: Browser) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    programme = await make_programme(group, facilitator, mandatory="6")
    await browser.login(facilitator.email or "", PASSWORD)
    form = await browser.get(f"/programmes/{programme.id}/edit")
    assert form.status_code == 200 and 'value="6"' in form.text  # the mandatory session
    bad = await browser.post(
        f"/programmes/{programme.id}/edit",
        {"title": "Renamed", "provider": "SSI", "capacity": "0", "cpd_hours": "12"},
    )
    assert bad.status_code == 422 and "Enter the number of places" in text_of(bad)
    assert (await Programme.get(id=programme.id)).title == programme.title
    good = await browser.post(
        f"/programmes/{programme.id}/edit",
        {
            "title": "Renamed",
            "summary": "New words.",
            "provider": "SSI",
            "capacity": "25",
            "cpd_hours": "10",
            "min_attended": "4",
            "mandatory": "1, 6",
            "professions": "counsellor",
        },
    )
    assert good.status_code == 303
    saved = await Programme.get(id=programme.id)
    assert (saved.title, saved.capacity, saved.min_attended, saved.professions) == (
        "Renamed", 25, 4, ["counsellor"],
    )  # fmt: skip
    api = ApiClient(browser.client, await token_for(facilitator))
    current = (await api.get(f"/programmes/{programme.id}")).json()
    body = {
        name: current[name]
        for name in ("title", "summary", "provider", "professions", "capacity", "cpd_hours")
    }
    changed = await api.put(f"/programmes/{programme.id}", {**body, "capacity": 30})
    assert changed.status_code == 200, changed.text
    assert changed.json()["capacity"] == 30 and changed.json()["title"] == "Renamed"
    member = await make_member()
    await add_member(group, member)
    refused = await api.as_(await token_for(member)).put(f"/programmes/{programme.id}", body)
    assert refused.status_code == 403


async def test_facilitators_cancel_a_programme_from_its_edit_page(
    app: Starlette, browser: Browser
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    programme = await make_programme(group, facilitator)
    await browser.login(facilitator.email or "", PASSWORD)
    assert "Cancel the programme" in (await browser.get(f"/programmes/{programme.id}/edit")).text
    cancelled = await browser.post(f"/programmes/{programme.id}/cancel")
    assert cancelled.status_code == 303
    page = text_of(await browser.get(f"/programmes/{programme.id}"))
    assert "This programme is cancelled." in page
    again = await browser.post(f"/programmes/{programme.id}/cancel")
    assert again.status_code == 409
    api = ApiClient(browser.client, await token_for(facilitator))
    assert (await api.get(f"/programmes/{programme.id}")).json()["cancelled"] is True


async def test_a_provider_longer_than_any_is_no_match_not_an_error(browser: Browser) -> None:
    page = await browser.get("/programmes", params={"provider": ">" * 300})
    assert page.status_code == 200 and "No programmes here yet for these filters" in page.text
