"""The programme journey in Chromium, with JavaScript on and again with it off: a facilitator
creates a six-session weekly programme from the form; a member enrols; the sessions take
place (moved into the past here: the site runs on the real clock) and the facilitator marks
the member at five of them; the member sees the progress, completes the programme and
downloads the certificate; a visitor checks the code. Then the programme pages through axe at
375 and 1280 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.async_api import Browser, Page, expect
from tortoise.expressions import Subquery

from community import clock
from community.events.models import Event
from community.programmes import service
from community.programmes.models import Certificate, Programme, ProgrammeSession
from tests import dates
from tests.browser.conftest import screenshot_path
from tests.browser.test_journeys import sign_in
from tests.browser.test_pages import AXE, check
from tests.factories import add_member, make_group, make_member
from tests.programmes.helpers import make_programme

pytestmark = pytest.mark.asyncio(loop_scope="session")
ZONE = "Asia/Singapore"


async def _held(programme: Programme) -> list[Event]:
    """Six weeks pass: every session (and the programme's dates) moved seven weeks back."""
    ids = Subquery(ProgrammeSession.filter(programme_id=programme.id).values("event_id"))
    back = timedelta(weeks=7)
    for event in await Event.filter(id__in=ids):
        await Event.filter(id=event.id).update(
            starts_at=event.starts_at - back, ends_at=event.ends_at - back
        )
    await Programme.filter(id=programme.id).update(enrol_closes_at=programme.enrol_closes_at - back)
    return list(await Event.filter(id__in=ids).order_by("starts_at"))


async def _sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Sign out").click()


async def test_programme_journey(journey_page: Page, request: pytest.FixtureRequest) -> None:
    page = journey_page
    mode = request.node.callspec.params["journey_page"]
    title = f"Foundations of trauma-informed practice ({mode})"
    facilitator = await make_member(email=f"lead-{mode}@example.org", name="Farah Lead")
    learner = await make_member(email=f"learner-{mode}@example.org", name="Tan Wei Ling")
    group = await make_group(facilitator=facilitator, name=f"Trauma-informed practice {mode}")
    await add_member(group, learner)

    await sign_in(page, facilitator.email or "")
    await page.goto(f"/groups/{group.slug}")
    await page.get_by_role("link", name="Create a programme").click()
    first = dates.day(10, "19:00", ZONE)
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Summary").fill("Six evenings on trauma-informed work with families.")
    await page.get_by_label("Provider").fill("Social Service Institute")
    await page.get_by_label("Social worker").check()
    await page.get_by_label("CET/CPD hours for completing it").fill("12")
    await page.get_by_label("Places").fill("20")
    await page.get_by_label("First session starts").fill(dates.field(first))
    await page.get_by_label("First session ends").fill(dates.field(first + timedelta(hours=2)))
    await page.get_by_label("Time zone").fill(ZONE)
    await page.get_by_label("How often").select_option("weekly")
    await page.get_by_label("Number of sessions").fill("6")
    await page.get_by_label("Venue address").fill("Social Service Institute, Training Room 2")
    await page.get_by_label("Sessions to attend to complete it").fill("5")
    await page.get_by_role("button", name="Publish the programme").click()
    await expect(page.get_by_text("The programme is published.")).to_be_visible()
    await expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    await expect(page.get_by_text("6 sessions · 12 CET/CPD hours")).to_be_visible()
    await _sign_out(page)

    await sign_in(page, learner.email or "")
    await page.goto("/programmes")
    await page.get_by_role("link", name=title).click()
    await page.get_by_role("button", name="Enrol in all 6 sessions").click()
    await expect(page.get_by_text("You are enrolled: your seat in every session")).to_be_visible()
    await expect(page.get_by_text("Attended 0 of 6 sessions")).to_be_visible()
    await _sign_out(page)

    programme = await Programme.get(title=title)
    sessions = await _held(programme)
    await sign_in(page, facilitator.email or "")
    for session in sessions[:5]:
        await page.goto(f"/events/{session.id}/attendees")
        await page.get_by_label("Tan Wei Ling attended").check()
        await page.get_by_role("button", name="Save attendance").click()
        await expect(page.get_by_text("Attendance saved: 1 attended.")).to_be_visible()
    await page.goto(f"/programmes/{programme.id}/enrolment")
    await expect(page.get_by_role("link", name="Yes")).to_be_visible()  # completed
    await _sign_out(page)

    await sign_in(page, learner.email or "")
    await page.goto("/learning")
    await expect(page.get_by_text("Completed.")).to_be_visible()
    shot = screenshot_path(f"journey-programme-learning-{mode}")
    await page.screenshot(path=shot, full_page=True)
    await page.get_by_role("link", name="Your certificate").click()
    await expect(page.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    certificate = await Certificate.get(member_id=learner.id)
    pdf = await page.request.get(f"/certificates/{certificate.code}.pdf")
    assert pdf.ok and (await pdf.body()).startswith(b"%PDF")
    await page.goto(f"/programmes/{programme.id}")
    await expect(page.get_by_text("Attended 5 of 6 sessions")).to_be_visible()
    await _sign_out(page)

    # a visitor checks the code as printed on the certificate
    await page.goto("/certificates")
    await page.get_by_label("Code").fill(certificate.code.lower())
    await page.get_by_role("button", name="Check").click()
    await expect(page.get_by_role("heading", name="This certificate is valid")).to_be_visible()
    await expect(page.get_by_text("Tan Wei Ling")).to_be_visible()
    await expect(page.get_by_text(title)).to_be_visible()
    await page.screenshot(path=screenshot_path(f"journey-programme-check-{mode}"), full_page=True)


async def test_programme_pages_are_accessible_and_fit_phones(
    chromium: Browser, live_server: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: .ci/run installs it from the npm registry")
    admin = await make_member(email="axe-programme-admin@example.org", admin=True)
    facilitator = await make_member(email="axe-programme-lead@example.org", name="Lead")
    learner = await make_member(email="axe-programme-learner@example.org", name="Learner")
    group = await make_group(admin=admin, facilitator=facilitator, name="Programme axe group")
    await add_member(group, learner)
    programme = await make_programme(group, facilitator, min_attended=1, mandatory=6)
    await service.enrol(actor=learner, programme_id=programme.id)
    sessions = await _held(programme)
    from community.events import attendance

    await attendance.record_attendance(
        actor=facilitator, event_id=sessions[0].id, attended_ids={learner.id}
    )
    upcoming = await make_programme(group, facilitator, title="Supervision skills")
    await service.enrol(actor=learner, programme_id=upcoming.id)
    context = await chromium.new_context(base_url=live_server, bypass_csp=True)
    page = await context.new_page()
    problems: list[str] = []
    for name, path in {"list": "/programmes", "lookup": "/certificates"}.items():
        await page.goto(path)
        problems += await check(page, f"visitor-programmes-{name}")
    await sign_in(page, learner.email or "")
    for name, path in {
        "programme": f"/programmes/{upcoming.id}",
        "progress": f"/programmes/{programme.id}",
        "learning": "/learning",
    }.items():
        await page.goto(path)
        problems += await check(page, f"learner-programmes-{name}")
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, facilitator.email or "")
    for name, path in {
        "new": f"/groups/{group.slug}/programmes/new",
        "sheet": f"/programmes/{programme.id}/enrolment",
        "edit": f"/programmes/{programme.id}/edit",
    }.items():
        await page.goto(path)
        problems += await check(page, f"facilitator-programmes-{name}")
    await page.goto(f"/groups/{group.slug}/programmes/new")
    await page.get_by_role("button", name="Publish the programme").click()
    problems += await check(page, "facilitator-programmes-errors")
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, admin.email or "")
    certificate = await Certificate.filter(member_id=learner.id).first()
    assert certificate is None  # the mandatory sixth session is still to attend
    assert clock.now() > sessions[0].starts_at
    await context.close()
    assert not problems, "\n".join(problems)
