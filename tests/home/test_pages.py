"""The home page at /: a signed-in member's own, the visitor's welcome, and the goal's form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.events import service as events_service
from community.forum import service as forum_service
from community.groups import service as groups_service
from community.groups.models import Invitation
from community.home import service
from community.home.schemas import CpdGoal
from tests import dates
from tests.conftest import Browser, QueryCounter, open_browser, text_of
from tests.factories import (
    PASSWORD,
    add_member,
    make_event,
    make_group,
    make_member,
    make_reply,
    make_thread,
)
from tests.home.test_service import attended_event, early_today

pytestmark = pytest.mark.asyncio(loop_scope="session")

GOAL_MESSAGE = (
    "Enter your yearly goal as a whole number of hours from 1 to 1000, "
    "or leave it empty for no goal."
)


async def signed_in(browser: Browser, *, email: str, name: str = "Rosa Reader") -> Member:
    member = await make_member(email=email, name=name)
    await browser.login(email, PASSWORD)
    return member


def progress_of(page: str) -> str | None:
    found = re.search(r"<progress[^>]*>", page)
    return found.group(0) if found else None


async def test_visitor_sees_the_welcome_with_public_groups_and_next_public_events(
    browser: Browser,
) -> None:
    admin = await make_member(admin=True)
    public = await make_group(admin=admin, name="Open practice circle")
    private = await make_group(admin=admin, name="Closed practice circle", visibility="private")
    await make_event(public, admin, title="Open workshop on ethics")
    await make_event(private, admin, title="Closed case review")
    await make_event(None, admin, title="Site-wide talk on self-care")

    response = await browser.get("/")

    assert response.status_code == 200
    page = text_of(response)
    assert "Create your account" in page and "Learning events" in page
    assert "Open practice circle" in page
    assert f'href="/groups/{public.slug}"' in response.text
    assert "Open workshop on ethics" in page and "Site-wide talk on self-care" in page
    assert "Closed practice circle" not in page and "Closed case review" not in page
    assert 'href="/groups">All groups</a>' in response.text


async def test_visitor_welcome_with_nothing_public_says_so(browser: Browser) -> None:
    page = text_of(await browser.get("/"))
    assert "No public groups yet" in page
    assert "No public events are coming up" in page


async def test_member_sees_their_groups_latest_with_unread_counts_only(browser: Browser) -> None:
    facilitator = await make_member()
    reader = await signed_in(browser, email="reader@example.org")
    mine = await make_group(facilitator=facilitator, name="Child protection circle")
    other = await make_group(facilitator=facilitator, name="Ageing circle")
    private = await make_group(facilitator=facilitator, name="Private circle", visibility="private")
    await add_member(mine, reader)
    read = await make_thread(mine, facilitator, title="Safety plans with families")
    await forum_service.thread_page(actor=reader, thread_id=read.id)
    await make_reply(read, facilitator)
    await make_reply(read, facilitator)
    await make_thread(other, facilitator, title="Carers' respite")
    await make_thread(private, facilitator, title="A confidential case")

    response = await browser.get("/")

    page = text_of(response)
    assert "Welcome, Rosa Reader" in page
    assert "Safety plans with families" in page and "2 new" in page
    assert "Carers' respite" not in page
    assert "A confidential case" not in page
    assert 'href="/latest?mine=1"' in response.text


async def test_member_without_groups_or_events_reads_friendly_empty_states(
    browser: Browser,
) -> None:
    await signed_in(browser, email="new@example.org")

    page = text_of(await browser.get("/"))

    assert "You are not in any group yet: find one ." in page
    assert "You have no events coming up: find one to go to ." in page
    assert "Nothing is waiting for you" in page
    assert "Set a yearly goal to follow your progress." in page


async def test_member_in_quiet_groups_is_told_there_are_no_discussions(browser: Browser) -> None:
    facilitator = await make_member()
    member = await signed_in(browser, email="quiet@example.org")
    await add_member(await make_group(facilitator=facilitator), member)

    page = text_of(await browser.get("/"))

    assert "No discussions in your groups yet: start one in one of your groups ." in page


async def test_member_sees_events_going_and_waitlisted_with_the_place(browser: Browser) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await signed_in(browser, email="waiting@example.org")
    full = await make_event(group, facilitator, capacity=1, title="Motivational interviewing")
    roomy = await make_event(
        group,
        facilitator,
        title="Reflective supervision",
        starts=dates.field(dates.day(10, "19:00")),
        ends=dates.field(dates.day(10, "21:00")),
    )
    for someone in (await make_member(), await make_member(), member):
        await add_member(group, someone)
        await events_service.rsvp(actor=someone, event_id=full.id)
        clock.advance(timedelta(seconds=1))
    await events_service.rsvp(actor=member, event_id=roomy.id)

    response = await browser.get("/")

    page = text_of(response)
    assert "Motivational interviewing" in page
    assert "On the waitlist: number 2 in line" in page
    assert re.search(r"Reflective supervision .*Going", page)
    assert page.index("Motivational interviewing") < page.index("Reflective supervision")
    assert 'href="/events?mine=1"' in response.text


async def test_member_sees_a_cancelled_event_marked_so(browser: Browser) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await signed_in(browser, email="cancelled@example.org")
    await add_member(group, member)
    event = await make_event(group, facilitator, title="Group supervision")
    await events_service.rsvp(actor=member, event_id=event.id)
    await events_service.cancel_event(actor=facilitator, event_id=event.id)

    page = text_of(await browser.get("/"))

    assert re.search(r"Group supervision .*Cancelled", page)
    assert "Going" not in page


async def test_member_sees_invitations_and_their_own_requests(browser: Browser) -> None:
    facilitator = await make_member(name="Farah Facilitator")
    member = await signed_in(browser, email="invited@example.org")
    by_invitation = await make_group(
        facilitator=facilitator, name="Invited circle", policy="invite"
    )
    by_request = await make_group(facilitator=facilitator, name="Asked circle", policy="request")
    await groups_service.invite(
        actor=facilitator, slug=by_invitation.slug, email="invited@example.org"
    )
    await groups_service.join_group(actor=member, slug=by_request.slug)

    response = await browser.get("/")

    page = text_of(response)
    assert "An invitation to Invited circle from Farah Facilitator: answer it" in page
    assert 'href="/invitations"' in response.text
    assert "You asked to join Asked circle : a facilitator will decide" in page
    assert "for your decision" not in page


async def test_facilitator_sees_requests_waiting_for_their_decision(app: Starlette) -> None:
    facilitator = await make_member(email="fac@example.org")
    plain = await make_member(email="plain@example.org")
    group = await make_group(facilitator=facilitator, name="Supervision circle", policy="request")
    await add_member(group, plain)
    for _ in range(2):
        await groups_service.join_group(actor=await make_member(), slug=group.slug)
    async with open_browser(app) as as_facilitator, open_browser(app) as as_plain:
        await as_facilitator.login("fac@example.org", PASSWORD)
        await as_plain.login("plain@example.org", PASSWORD)
        facilitators = await as_facilitator.get("/")
        plains = await as_plain.get("/")

    assert "2 requests to join Supervision circle wait for your decision" in text_of(facilitators)
    assert f'href="/groups/{group.slug}/requests"' in facilitators.text
    assert "for your decision" not in text_of(plains)
    assert f"/groups/{group.slug}/requests" not in plains.text


async def test_cpd_bar_shows_hours_against_the_goal_as_text_too(browser: Browser) -> None:
    admin = await make_member(admin=True)
    member = await signed_in(browser, email="learner@example.org")
    await attended_event(None, admin, member, on=early_today(), hours="3.5")
    await service.set_cpd_goal(actor=member, form=CpdGoal(cpd_goal_hours=20))

    response = await browser.get("/")

    bar = progress_of(response.text)
    assert bar is not None
    assert 'max="20"' in bar and 'value="3.5"' in bar
    assert 'aria-labelledby="cpd-heading cpd-summary"' in bar
    page = text_of(response)
    assert f"Your CPD/CET hours in {dates.today().year}" in page
    assert "3.5 of 20 hours (17% of your goal)" in page
    assert 'value="20"' in response.text  # the goal, ready to change
    assert f'href="/members/{member.id}/learning/{dates.today().year}"' in response.text


async def test_cpd_without_a_goal_shows_the_hours_and_no_bar(browser: Browser) -> None:
    admin = await make_member(admin=True)
    member = await signed_in(browser, email="nogoal@example.org")
    await attended_event(None, admin, member, on=early_today(), hours="2")

    response = await browser.get("/")

    assert progress_of(response.text) is None
    page = text_of(response)
    assert (
        "2 hours from the events you attended and the programmes you completed this year." in page
    )
    assert "Set the goal" in page and "Remove the goal" not in page


async def test_member_sets_then_clears_the_goal(browser: Browser) -> None:
    member = await signed_in(browser, email="goal@example.org")

    response = await browser.post("/home/cpd-goal", {"cpd_goal_hours": "20"})

    assert response.status_code == 303 and response.headers["location"] == "/"
    assert (await Member.get(id=member.id)).cpd_goal_hours == 20
    page = text_of(await browser.get("/"))
    assert "Your yearly CPD/CET goal is 20 hours." in page
    assert "0 of 20 hours (0% of your goal)" in page

    response = await browser.post("/home/cpd-goal", {"cpd_goal_hours": ""})

    assert response.status_code == 303
    assert (await Member.get(id=member.id)).cpd_goal_hours is None
    page = text_of(await browser.get("/"))
    assert "Your yearly CPD/CET goal is cleared." in page
    assert "Set a yearly goal to follow your progress." in page


@pytest.mark.parametrize("typed", ["0", "-3", "1001", "abc"])
async def test_a_bad_goal_is_refused_beside_its_field(browser: Browser, typed: str) -> None:
    member = await signed_in(browser, email="badgoal@example.org")
    await service.set_cpd_goal(actor=member, form=CpdGoal(cpd_goal_hours=12))

    response = await browser.post("/home/cpd-goal", {"cpd_goal_hours": typed})

    assert response.status_code == 422
    assert f'<p class="field-error" id="error-cpd_goal_hours">{GOAL_MESSAGE}</p>' in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'value="{typed}"' in response.text  # kept, to correct
    assert "Please correct this:" in text_of(response)
    assert (await Member.get(id=member.id)).cpd_goal_hours == 12


async def test_a_visitor_cannot_set_a_goal(browser: Browser) -> None:
    response = await browser.post("/home/cpd-goal", {"cpd_goal_hours": "20"})

    assert response.status_code == 403
    assert "Please sign in to continue." in text_of(response)


async def test_member_home_links_to_everything(browser: Browser) -> None:
    member = await signed_in(browser, email="links@example.org")

    response = await browser.get("/")

    for path in (
        "/groups?mine=1",
        "/groups",
        "/events",
        "/latest",
        "/members",
        "/notifications",
        f"/members/{member.id}",
    ):
        assert f'href="{path}"' in response.text, path


async def test_member_home_query_count_is_fixed(
    app: Starlette, count_queries: QueryCounter
) -> None:
    facilitator = await make_member(email="qfac@example.org", admin=True)
    member = await make_member(email="q@example.org")
    counts = []

    async def add_data(number: int) -> None:
        group = await make_group(
            admin=facilitator, facilitator=facilitator, policy="request", name=f"Circle {number}"
        )
        await add_member(group, member)
        await groups_service.join_group(actor=await make_member(), slug=group.slug)
        for _ in range(3):
            clock.advance(timedelta(minutes=10))  # within the posting rate limit
            thread = await make_thread(group, facilitator)
            await make_reply(thread, facilitator)
        for _ in range(2):
            event = await make_event(group, facilitator, capacity=1)
            first = await make_member()
            await add_member(group, first)
            await events_service.rsvp(actor=first, event_id=event.id)
            await events_service.rsvp(actor=member, event_id=event.id)
        invited = await make_group(admin=facilitator, facilitator=facilitator, policy="invite")
        await groups_service.invite(actor=facilitator, slug=invited.slug, email="q@example.org")
        await attended_event(group, facilitator, member, on=early_today(), hours="1")

    async with open_browser(app) as browser, open_browser(app) as visitor:
        await browser.login("q@example.org", PASSWORD)
        for batch in range(2):
            for number in range(1 + 3 * batch):
                await add_data(10 * batch + number)
            await make_group(admin=facilitator)
            await make_event(None, facilitator)
            measured = []
            for client in (browser, visitor):
                await client.get("/")  # the session's last-seen time moves once the clock has
                count_queries.queries.clear()
                assert (await client.get("/")).status_code == 200
                measured.append(len(count_queries.queries))
            counts.append(measured)
    # a member: the session (1), the latest discussions in their groups with their place in
    # them (1), their next events with their places (1), the groups, invitations and requests
    # counted (1), the invitations waiting (1), the year's CPD/CET hours (1), the editors'
    # picks (1); a visitor: groups (1), events (1) and the editors' picks (1)
    assert counts == [[7, 3], [7, 3]], count_queries.queries
    # with no invitation waiting, they are not read
    await Invitation.filter(email="q@example.org").update(status="declined")
    async with open_browser(app) as browser:
        await browser.login("q@example.org", PASSWORD)
        await browser.get("/")
        count_queries.queries.clear()
        page = await browser.get("/")
        assert "An invitation to" not in text_of(page)
        assert len(count_queries.queries) == 6, count_queries.queries
