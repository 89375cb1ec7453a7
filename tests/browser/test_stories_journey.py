"""The stories journey in Chromium, with JavaScript on and again with it off: a member writes a
story with a phone number in it, is warned, removes it and submits; an editor asks for a
change; the member changes it and submits again; the editor publishes; a visitor reads it and
finds it in search and in the feed. Then every stories page through axe at 375 and 1280 px."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from community.accounts.models import Member
from community.stories import service
from community.stories.models import Theme
from community.stories.schemas import PieceForm, Submission
from tests.browser.conftest import screenshot_path
from tests.browser.test_journeys import sign_in
from tests.browser.test_pages import AXE, check
from tests.factories import make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _editor(email: str) -> Member:
    admin = await make_member(admin=True)
    member = await make_member(email=email, name="Edna Editor")
    return await service.set_editor(actor=admin, member_id=member.id, editor=True)


async def test_stories_journey(journey_page: Page, request: pytest.FixtureRequest) -> None:
    page = journey_page
    mode = request.node.callspec.params["journey_page"]
    title = f"The homework club that stayed ({mode})"
    writer = await make_member(email=f"writer-{mode}@example.org", name="Wei Ling Tan")
    editor = await _editor(f"editor-{mode}@example.org")
    # the themes migration 0022 seeds (tests empty every table after each test)
    await Theme.get_or_create(name="Working with families", defaults={"position": 1})

    await sign_in(page, writer.email or "")
    await page.goto("/stories/new")
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Summary").fill("A club that became a lifeline.")
    await page.get_by_label("Your piece").fill(
        "It began in a void deck.\n\nText the mother on 9123 4567 to arrange a visit."
    )
    await page.get_by_label("Working with families").check()
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    # warned before submitting, with the number shown in place
    warning = page.get_by_role("group", name="Check for clients' details")
    await expect(warning).to_contain_text("Phone number: 9123 4567")
    await page.screenshot(path=screenshot_path(f"journey-stories-warned-{mode}"), full_page=True)
    await page.get_by_role("link", name="Edit the text").click()
    await page.get_by_label("Your piece").fill("It began in a void deck, and it stayed.")
    await page.get_by_role("button", name="Save draft").click()
    await expect(page.get_by_role("group", name="Check for clients' details")).to_have_count(0)
    await page.get_by_label("No client, family or other person can be identified").check()
    await page.get_by_role("button", name="Submit to the editors").click()
    await expect(page.get_by_text("Submitted: the editors will review it")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()

    await sign_in(page, editor.email or "")
    await page.goto("/stories/review")
    await page.get_by_role("link", name=title).click()
    await page.get_by_label("Ask for changes").fill("Tell us what the children said.")
    await page.get_by_role("button", name="Send back for changes").click()
    await expect(page.get_by_text("The author is asked for changes.")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()

    await sign_in(page, writer.email or "")
    await page.goto("/stories/mine")
    await page.get_by_role("link", name=title).click()
    await expect(
        page.get_by_role("blockquote").get_by_text("Tell us what the children said.")
    ).to_be_visible()
    await page.get_by_role("link", name="Edit the text").click()
    await page.get_by_label("Your piece").fill(
        "It began in a void deck, and it stayed. \u201cWe have a place,\u201d they said."
    )
    await page.get_by_role("button", name="Save draft").click()
    await page.get_by_label("No client, family or other person can be identified").check()
    await page.get_by_role("button", name="Submit to the editors").click()
    await expect(page.get_by_text("Submitted: the editors will review it")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()

    await sign_in(page, editor.email or "")
    await page.goto("/stories/review")
    await page.get_by_role("link", name=title).click()
    await page.get_by_role("button", name="Approve").click()
    await page.get_by_role("button", name="Publish").click()
    await expect(page.get_by_role("status").filter(has_text="Published.")).to_be_visible()
    await page.get_by_role("button", name="Sign out").click()

    # a visitor reads it, finds it in search and in the feed
    await page.goto("/stories")
    await page.get_by_role("link", name=title).click()
    await expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    await expect(page.get_by_text("\u201cWe have a place,\u201d they said.")).to_be_visible()
    await page.screenshot(path=screenshot_path(f"journey-stories-read-{mode}"), full_page=True)
    await page.goto("/search?q=homework+club")
    await expect(page.get_by_role("link", name=title)).to_be_visible()
    feed = await page.request.get("/stories/feed.atom")
    assert title in await feed.text()


async def test_story_pages_are_accessible_and_fit_phones(
    chromium: Browser, live_server: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: .ci/run installs it from the npm registry")
    writer = await make_member(email="axe-writer@example.org", name="Arif Writer")
    editor = await _editor("axe-editor@example.org")
    piece = await service.create_piece(
        actor=writer,
        form=PieceForm.from_json(
            {
                "kind": "profile",
                "title": "A day in a family service centre",
                "summary": "Intake at nine, a home visit at two.",
                "body": "I start with intake. Call 9123 4567 to reach the duty officer.",
            }
        ),
    )
    published = await service.create_piece(
        actor=writer,
        form=PieceForm.from_json(
            {
                "kind": "story",
                "title": "Outcomes we can see",
                "summary": "Three years on.",
                "body": "What changed, and how we know.",
            }
        ),
    )
    await service.submit_piece(
        actor=writer,
        piece_id=published.id,
        submission=Submission.from_json({"basis": "consented", "named": True}),
    )
    await service.approve_piece(actor=editor, piece_id=published.id)
    await service.publish_piece(actor=editor, piece_id=published.id)
    waiting = await service.create_piece(
        actor=writer,
        form=PieceForm.from_json(
            {"kind": "story", "title": "Waiting for an editor", "summary": "In the queue.",
             "body": "A story to review."}
        ),
    )  # fmt: skip
    await service.submit_piece(
        actor=writer,
        piece_id=waiting.id,
        submission=Submission.from_json({"basis": "de_identified", "named": True}),
    )
    context = await chromium.new_context(base_url=live_server, bypass_csp=True)
    page = await context.new_page()
    problems: list[str] = []
    for name, path in {
        "stories": "/stories",
        "story": f"/stories/{published.id}",
    }.items():
        await page.goto(path)
        problems += await check(page, f"visitor-{name}")
    await sign_in(page, writer.email or "")
    for name, path in {
        "new": "/stories/new",
        "draft-warned": f"/stories/{piece.id}",
        "mine": "/stories/mine",
    }.items():
        await page.goto(path)
        problems += await check(page, f"writer-{name}")
    await page.goto(f"/stories/{piece.id}")
    await page.get_by_role("button", name="Submit to the editors").click()
    problems += await check(page, "writer-submit-errors")
    await page.get_by_role("button", name="Sign out").click()
    await sign_in(page, editor.email or "")
    for name, path in {
        "review": "/stories/review",
        "reviewing": f"/stories/{waiting.id}",
        "published": f"/stories/{published.id}",
    }.items():
        await page.goto(path)
        problems += await check(page, f"editor-{name}")
    await context.close()
    assert not problems, "\n".join(problems)
