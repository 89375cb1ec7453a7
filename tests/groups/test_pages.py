"""Group pages as people use them."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from community.groups.models import Group, JoinRequest, Membership
from community.mail.models import OutboxMessage
from tests.conftest import Browser, QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, emails_to, link_in, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_directory_lists_searches_and_filters_my_groups(app: Starlette) -> None:
    admin = await make_member(admin=True)
    await make_group(admin=admin, name="Child Protection Practice")
    private = await make_group(admin=admin, name="Hospice Counsellors", visibility="private")
    member = await make_member(email="dir@example.org")
    await add_member(await make_group(admin=admin, name="Early Intervention Circle"), member)
    async with open_browser(app) as browser:
        page = text_of(await browser.get("/groups"))
        assert "Child Protection Practice" in page and "Hospice Counsellors" in page
        assert "About group" in page  # descriptions, also of private groups
        assert "Private" in page
        search = text_of(await browser.get("/groups?q=hospice"))
        assert "Hospice Counsellors" in search and "Child Protection" not in search
        await browser.login("dir@example.org", PASSWORD)
        mine = text_of(await browser.get("/groups?mine=1"))
        assert "Early Intervention Circle" in mine and "Hospice" not in mine
        assert "Member" in mine
    assert private.is_private


async def test_directory_query_count_is_fixed(app: Starlette, count_queries: QueryCounter) -> None:
    admin = await make_member(admin=True, email="qa@example.org")
    for number in range(3):
        await make_group(admin=admin, name=f"Circle {number}")
    async with open_browser(app) as browser:
        await browser.login("qa@example.org", PASSWORD)
        count_queries.queries.clear()
        assert (await browser.get("/groups")).status_code == 200
        small = len(count_queries.queries)
        for number in range(3, 12):
            await make_group(admin=admin, name=f"Circle {number}")
        count_queries.queries.clear()
        assert (await browser.get("/groups")).status_code == 200
        # session and member (1), groups with the viewer's role in each (1)
        assert small == len(count_queries.queries) == 2


async def test_group_page_shows_about_facilitators_and_join_button(app: Starlette) -> None:
    facilitator = await make_member(name="Faye Facilitator")
    group = await make_group(name="Reflective Practice", facilitator=facilitator)
    await make_member(email="joiner@example.org")
    async with open_browser(app) as browser:
        visitor_page = text_of(await browser.get(f"/groups/{group.slug}"))
        assert "Reflective Practice" in visitor_page and "Faye Facilitator" in visitor_page
        assert "Sign in or create an account to join." in visitor_page
        await browser.login("joiner@example.org", PASSWORD)
        assert "Join the group" in text_of(await browser.get(f"/groups/{group.slug}"))
        response = await browser.post(f"/groups/{group.slug}/join")
        assert response.status_code == 303
        page = text_of(await browser.get(f"/groups/{group.slug}"))
        assert "Welcome to the group." in page
        assert "You are a member of this group." in page and "2 members" in page
        await browser.post(f"/groups/{group.slug}/leave")
        assert "You have left Reflective Practice." in text_of(
            await browser.get(f"/groups/{group.slug}")
        )


async def test_request_flow_through_pages(app: Starlette) -> None:
    await make_member(email="fac@example.org", name="Fran")
    facilitator = await make_member(email="fac2@example.org")
    group = await make_group(policy="request", facilitator=facilitator, name="Case Supervision")
    await make_member(email="asker@example.org", name="Asha")
    async with open_browser(app) as asker, open_browser(app) as fac:
        await asker.login("asker@example.org", PASSWORD)
        response = await asker.post(f"/groups/{group.slug}/join", {"message": "x" * 1001})
        assert response.status_code == 422
        assert "Keep the message to 1000 characters." in text_of(response)
        assert await JoinRequest.all().count() == 0
        await asker.post(f"/groups/{group.slug}/join", {"message": "I supervise 3 workers."})
        assert "Your request to join is waiting" in text_of(
            await asker.get(f"/groups/{group.slug}")
        )
        await fac.login("fac2@example.org", PASSWORD)
        assert "Requests (1)" in text_of(await fac.get(f"/groups/{group.slug}"))
        requests = await fac.get(f"/groups/{group.slug}/requests")
        assert "Asha" in text_of(requests) and "I supervise 3 workers." in text_of(requests)
        join_request = await JoinRequest.get()
        response = await fac.post(
            f"/groups/{group.slug}/requests/{join_request.id}/approve", {"message": "Welcome!"}
        )
        assert response.status_code == 303
        assert "You are a member" in text_of(await asker.get(f"/groups/{group.slug}"))
        inbox = text_of(await asker.get("/notifications"))
        assert "Your request to join" in inbox and "was approved" in inbox and "Welcome!" in inbox


async def test_invitation_link_for_a_visitor_then_a_new_account(app: Starlette) -> None:
    facilitator = await make_member(email="inv@example.org")
    group = await make_group(policy="invite", facilitator=facilitator, name="Closed Circle")
    async with open_browser(app) as fac, open_browser(app) as guest:
        await fac.login("inv@example.org", PASSWORD)
        bad = await fac.post(f"/groups/{group.slug}/invite", {"email": "not an email"})
        assert bad.status_code == 422
        assert "Enter the email address to invite" in text_of(bad)
        sent = await fac.post(f"/groups/{group.slug}/invite", {"email": "Guest@Example.org"})
        assert sent.status_code == 303
        link = link_in((await emails_to("guest@example.org"))[-1])
        page = text_of(await guest.get(link))
        assert "You are invited to Closed Circle" in page and "create an account" in page
        await make_member(email="guest@example.org")
        await guest.login("guest@example.org", PASSWORD)
        invitations = text_of(await guest.get("/invitations"))
        assert "Closed Circle" in invitations
        accepted = await guest.post(f"{link}/accept")
        assert accepted.status_code == 303
        assert "Welcome to Closed Circle." in text_of(await guest.get(f"/groups/{group.slug}"))
        gone = await guest.get(link)
        assert gone.status_code == 404
        assert "does not work any more" in text_of(gone)


async def test_private_group_members_page_is_for_members(app: Starlette) -> None:
    facilitator = await make_member(email="pf@example.org", name="Pat F")
    group = await make_group(visibility="private", facilitator=facilitator, name="Secret Circle")
    await make_member(email="out@example.org")
    async with open_browser(app) as outsider, open_browser(app) as fac:
        await outsider.login("out@example.org", PASSWORD)
        home = text_of(await outsider.get(f"/groups/{group.slug}"))
        assert "Secret Circle" in home and "This group is private" in home
        response = await outsider.get(f"/groups/{group.slug}/members")
        assert response.status_code == 403
        assert "Pat F" not in response.text
        await fac.login("pf@example.org", PASSWORD)
        members = await fac.get(f"/groups/{group.slug}/members")
        assert members.status_code == 200 and "Pat F" in text_of(members)


async def test_members_page_shows_profile_cards(
    app: Starlette, count_queries: QueryCounter
) -> None:
    facilitator = await make_member(email="mp@example.org")
    group = await make_group(facilitator=facilitator)
    async with open_browser(app) as fac:
        await fac.login("mp@example.org", PASSWORD)
        response = await fac.post(
            "/settings/profile",
            {
                "display_name": "Mo Profile",
                "profession": "psychologist",
                "organisation": "Clinic A",
            },
        )
        assert response.status_code == 303
        for _ in range(3):
            await add_member(group, await make_member())
        count_queries.queries.clear()
        page = await fac.get(f"/groups/{group.slug}/members")
        # session and member (1), group and viewer's membership (1), members with profiles (1)
        assert len(count_queries.queries) == 3, count_queries.queries
        text = text_of(page)
        assert "Mo Profile" in text and "Psychologist · Clinic A" in text and "Facilitator" in text
        assert text.count("Make facilitator") == 3


async def test_admin_creates_a_group_through_the_form(browser: Browser) -> None:
    await make_member(email="boss@example.org", admin=True)
    await browser.login("boss@example.org", PASSWORD)
    assert (await browser.get("/groups/new")).status_code == 200
    bad = await browser.post(
        "/groups",
        {"name": "", "slug": "Bad Slug!", "join_policy": "whenever", "visibility": "public"},
    )
    assert bad.status_code == 422
    text = text_of(bad)
    assert "Enter the group's name." in text
    assert "Choose who may join" in text
    assert await Group.all().count() == 0
    done = await browser.post(
        "/groups",
        {
            "name": "Special Education Network",
            "description": "For **SPED** teachers.",
            "join_policy": "request",
            "visibility": "private",
        },
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/groups/special-education-network"
    page = await browser.get("/groups/special-education-network")
    assert "<strong>SPED</strong>" in page.text
    assert await Membership.all().count() == 1


async def test_facilitator_edits_the_group(browser: Browser) -> None:
    facilitator = await make_member(email="ed@example.org")
    group = await make_group(facilitator=facilitator, name="Old Name")
    other = await make_group(name="Taken Name")
    await browser.login("ed@example.org", PASSWORD)
    clash = await browser.post(
        f"/groups/{group.slug}/edit",
        {"name": "New", "slug": other.slug, "join_policy": "open", "visibility": "public"},
    )
    assert clash.status_code == 422
    assert "Another group has this web address" in text_of(clash)
    done = await browser.post(
        f"/groups/{group.slug}/edit",
        {"name": "New Name", "slug": "new-name", "join_policy": "invite", "visibility": "private"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/groups/new-name"
    stored = await Group.get(id=group.id)
    assert stored.name == "New Name" and stored.join_policy == "invite" and stored.is_private


async def test_unknown_group_is_404(browser: Browser) -> None:
    response = await browser.get("/groups/no-such-group")
    assert response.status_code == 404
    assert "There is no group here." in text_of(response)
    assert await OutboxMessage.all().count() == 0


async def test_directory_pages_by_name(app: Starlette) -> None:
    admin = await make_member(admin=True)
    for number in range(32):
        await make_group(admin=admin, name=f"Circle {number:02d}")
    async with open_browser(app) as browser:
        first = await browser.get("/groups")
        assert "Circle 00" in first.text and "Circle 29" in first.text
        assert "Circle 30" not in first.text
        cursor = first.text.split('href="/groups?cursor=')[1].split('"')[0]
        second = await browser.get(f"/groups?cursor={cursor}")
        assert "Circle 30" in second.text and "Circle 31" in second.text
        assert "Circle 29" not in second.text and "More groups" not in second.text
        tampered = await browser.get("/groups?cursor=bm9wZQ==")
        assert tampered.status_code == 200 and "Circle 00" in tampered.text


async def test_members_page_pages_by_joining_order(app: Starlette) -> None:
    facilitator = await make_member(name="Aaron Facilitator")
    group = await make_group(facilitator=facilitator)
    for number in range(50):  # with the facilitator, one more than a page
        await add_member(group, await make_member(name=f"Joiner {number:02d}"))
    async with open_browser(app) as browser:
        await browser.login(facilitator.email, PASSWORD)
        first = await browser.get(f"/groups/{group.slug}/members")
        assert "Joiner 48" in first.text and "Joiner 49" not in first.text
        link = first.text.split(f'href="/groups/{group.slug}/members?cursor=')[1].split('"')[0]
        second = text_of(await browser.get(f"/groups/{group.slug}/members?cursor={link}"))
        assert "Joiner 49" in second and "Joiner 48" not in second
        assert "More members" not in second


async def test_directory_cards_are_shared_but_each_reader_sees_their_own_role(
    app: Starlette,
) -> None:
    # the cards are rendered once and reused: each reader still gets their own role, and a
    # change to a group shows at once
    admin = await make_member(admin=True)
    lead = await make_member(email="lead@example.org")
    plain = await make_member(email="plain@example.org")
    await make_member(email="other@example.org")
    group = await make_group(admin=admin, name="Kinship Care Circle", facilitator=lead)
    await add_member(group, plain)

    def role_in(page: str) -> str:
        card = page.split("Kinship Care Circle", 1)[1].split("</li>", 1)[0]
        return "Facilitator" if "Facilitator" in card else "Member" if "Member<" in card else ""

    seen: dict[str, str] = {}
    for email in ("lead@example.org", "plain@example.org", "other@example.org", None):
        async with open_browser(app) as browser:
            if email:
                await browser.login(email, PASSWORD)
            for _ in range(2):  # the second time from the shared card
                page = (await browser.get("/groups")).text
                seen[email or "visitor"] = role_in(page)
                assert "2 members" in page.split("Kinship Care Circle", 1)[1].split("</li>")[0]
    assert seen == {
        "lead@example.org": "Facilitator",
        "plain@example.org": "Member",
        "other@example.org": "",
        "visitor": "",
    }
    await add_member(group, await make_member(email="third@example.org"))
    async with open_browser(app) as browser:
        card = (await browser.get("/groups")).text.split("Kinship Care Circle", 1)[1]
        assert "3 members" in card.split("</li>")[0]
