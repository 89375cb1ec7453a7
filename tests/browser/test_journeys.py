"""Whole journeys in Chromium, with JavaScript on and again with it off: a newcomer from
registration to a waitlist seat, and a facilitator's day."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from community import clock
from community.accounts.models import Member
from community.events import service as events
from community.events.models import Rsvp
from community.forum.models import FlagReason, Post, Thread
from community.forum.service import flags
from community.groups import service as groups
from community.mail.models import OutboxMessage
from tests import dates
from tests.browser.conftest import screenshot_path
from tests.factories import (
    PASSWORD,
    add_member,
    make_event,
    make_group,
    make_member,
    make_reply,
    make_thread,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")
NEW_PASSWORD = "a calm and steady practice"
SINGAPORE = ZoneInfo("Asia/Singapore")


async def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()


async def test_newcomer_journey(journey_page: Page, request: pytest.FixtureRequest) -> None:
    page = journey_page
    mode = request.node.callspec.params["journey_page"]
    facilitator = await make_member(email="fac@example.org", name="Farah Ismail")
    group = await make_group(facilitator=facilitator, name="Early Years Circle")
    thread = await make_thread(group, facilitator, title="Settling-in routines",
                               body="How do you help a child settle in?")  # fmt: skip
    full = await make_event(group, facilitator, capacity=1, title="Play-based assessment")
    holder = await make_member(email="holder@example.org", name="Hannah Lim")
    await add_member(group, holder)
    await events.rsvp(actor=holder, event_id=full.id)

    # register, then open the verification link from the email
    await page.goto("/register")
    await page.get_by_label("Email address").fill("newcomer@example.org")
    await page.get_by_label("Your name").fill("Nora Chan")
    await page.get_by_label("Password").fill(NEW_PASSWORD)
    await page.get_by_role("button", name="Create account").click()
    await expect(page.get_by_text("newcomer@example.org").first).to_be_visible()
    message = await OutboxMessage.get(to_address="newcomer@example.org", template="accounts/verify")
    link = re.search(r"https?://[^/\s]+(/verify\?token=\S+)", message.text_body)
    assert link, message.text_body
    await page.goto(link.group(1))
    await expect(page.get_by_text("your email is verified")).to_be_visible()
    await sign_in(page, "newcomer@example.org", NEW_PASSWORD)

    # fill in the profile
    await page.goto("/settings/profile")
    await page.get_by_label("Profession").select_option("early_intervention_teacher")
    await page.get_by_label("Organisation").fill("Little Steps EIPIC")
    await page.get_by_role("button", name="Save profile").click()
    await expect(page.get_by_text("Little Steps EIPIC")).to_be_visible()

    # join the group and start a discussion
    await page.goto(f"/groups/{group.slug}")
    await page.get_by_role("button", name="Join the group").click()
    await expect(page.get_by_text("You are a member")).to_be_visible()
    await page.goto(f"/groups/{group.slug}/threads/new")
    await page.get_by_label("Title").fill("First week nerves")
    await page.get_by_label("Your post").fill("Any tips for **parents** on day one?")
    await page.get_by_role("button", name="Post the discussion").click()
    await expect(page.get_by_role("heading", name="First week nerves")).to_be_visible()

    # reply to another discussion quoting its first post, then react to that post
    await page.goto(f"/threads/{thread.id}")
    first_post = page.get_by_role("article", name=re.compile(r"^Post 1 by "))
    await first_post.get_by_role("link", name="Quote").click()
    await expect(page.get_by_text("Quoting Farah Ismail")).to_be_visible()
    await page.get_by_label("Your reply").fill("A photo book of the classroom helps.")
    await page.get_by_role("button", name="Post reply").click()
    await expect(page.get_by_text("A photo book of the classroom helps.")).to_be_visible()
    await first_post.get_by_role("button", name="Like", exact=True).click()
    await expect(first_post.get_by_role("button", name="Like", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    reply = await Post.get(thread_id=thread.id, number=2)
    assert reply.quote_id is not None

    # RSVP to a full event: the waitlist, then a seat when someone cancels
    await page.goto(f"/events/{full.id}")
    await page.get_by_role("button", name="Join the waitlist").click()
    await expect(page.get_by_text("You are number 1 on the waitlist.")).to_be_visible()
    await events.cancel_rsvp(actor=holder, event_id=full.id)
    await page.goto(f"/events/{full.id}")
    await expect(page.get_by_text("You are going.")).to_be_visible()
    await page.goto("/notifications")
    await expect(page.get_by_role("link", name=re.compile("A seat opened"))).to_be_visible()
    await page.screenshot(path=screenshot_path(f"journey-newcomer-{mode}"), full_page=True)
    newcomer = await Member.get(email="newcomer@example.org")
    assert (await Rsvp.get(member_id=newcomer.id)).status == "going"


async def test_facilitator_journey(journey_page: Page, request: pytest.FixtureRequest) -> None:
    page = journey_page
    mode = request.node.callspec.params["journey_page"]
    facilitator = await make_member(email="lead@example.org", name="Lydia Chua")
    group = await make_group(facilitator=facilitator, name="Child Protection Circle",
                             policy="request")  # fmt: skip
    asker = await make_member(email="asker@example.org", name="Asha Nair")
    await groups.join_group(actor=asker, slug=group.slug, message="I work in a CPS team.")
    member = await make_member(email="m@example.org", name="Marcus Ong")
    await add_member(group, member)
    thread = await make_thread(group, facilitator, title="Safety planning")
    bad = await make_reply(thread, member, "Something that should not be here")
    await flags.flag_post(actor=facilitator, post_id=bad.id, reason=FlagReason.ABUSIVE)
    # started an hour ago on the site's real clock, with two people going: scheduled and
    # answered through the real actions, on a clock held at three hours ago
    began = clock.now().astimezone(SINGAPORE) - timedelta(hours=1)
    clock.freeze(began - timedelta(hours=2))
    try:
        event = await make_event(group, facilitator, title="Case conference practice",
                                 starts=dates.field(began),
                                 ends=dates.field(began + timedelta(hours=2)))  # fmt: skip
        await events.rsvp(actor=member, event_id=event.id)
        await events.rsvp(actor=facilitator, event_id=event.id)
    finally:
        clock.unfreeze()

    await sign_in(page, "lead@example.org")
    # approve the join request
    await page.goto(f"/groups/{group.slug}/requests")
    await expect(page.get_by_text("I work in a CPS team.")).to_be_visible()
    await page.get_by_role("button", name="Approve").first.click()
    await expect(page.get_by_text("Asha Nair").first).to_be_visible()
    assert await groups.list_members(actor=facilitator, slug=group.slug) is not None
    # pin the thread
    await page.goto(f"/threads/{thread.id}")
    await page.get_by_role("button", name="Pin", exact=True).click()
    await expect(page.get_by_text("Pinned").first).to_be_visible()
    assert (await Thread.get(id=thread.id)).pinned
    # hide the flagged post from the review queue
    await page.goto(f"/groups/{group.slug}/flags")
    await page.get_by_role("button", name="Hide the post").click()
    assert (await Post.get(id=bad.id)).hidden_at is not None
    # export the attendees and check them in
    await page.goto(f"/events/{event.id}/attendees")
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="Download the list (CSV)").click()
    download = await download_info.value
    saved = Path(await download.path())
    text = (await asyncio.to_thread(saved.read_bytes)).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0][0] == "Name" and {row[0] for row in rows[1:]} == {"Marcus Ong", "Lydia Chua"}
    await page.get_by_role("checkbox", name=re.compile("Marcus Ong")).check()
    await page.get_by_role("button", name="Save attendance").click()
    await expect(page.get_by_text("Attendance saved: 1 attended.")).to_be_visible()
    await page.screenshot(path=screenshot_path(f"journey-facilitator-{mode}"), full_page=True)
    assert (await Rsvp.get(event_id=event.id, member_id=member.id)).attended is True
    assert (await Member.get(id=asker.id)).id == asker.id
