"""Latest (/latest and GET /api/v1/latest): discussions across every group the reader may
read, newest activity first, unread marked, "my groups" or everything, keyset pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.db import encode_cursor
from community.errors import DomainError
from community.forum import service
from community.forum.access import access_thread
from community.forum.models import Thread
from community.groups.models import Group
from tests.api.helpers import ApiClient, error_of, token_for
from tests.api.test_forum import shaped
from tests.conftest import START, Browser, QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")

VIEWERS = ("visitor", "outsider", "member", "other_facilitator", "facilitator", "admin")
#: viewer -> (public thread, private group's thread, hidden thread in a public group)
EXPECTED = {
    "visitor": (True, False, False),
    "outsider": (True, False, False),
    # a plain member of both groups: the private thread, never the hidden one
    "member": (True, True, False),
    # facilitates a group of their own, and is a plain member of the public group
    "other_facilitator": (True, False, False),
    # facilitates the public and the private group
    "facilitator": (True, True, True),
    # admins read every group and facilitate anywhere, as on a thread page
    "admin": (True, True, True),
}
TITLES = ("Open practice question", "Closed circle case", "Hidden flame war")


@dataclass
class World:
    people: dict[str, Member | None]
    public: Group
    private: Group
    threads: tuple[Thread, Thread, Thread]


async def build() -> World:
    facilitator = await make_member(email="lf@example.org", name="Farah Facilitator")
    member = await make_member(email="lm@example.org", name="Mina Member")
    outsider = await make_member(email="lo@example.org", name="Otto Outsider")
    other = await make_member(email="lof@example.org", name="Olu Other")
    admin = await make_member(email="la@example.org", name="Ada Admin", admin=True)
    public = await make_group(admin=admin, facilitator=facilitator, name="Open Circle")
    private = await make_group(
        admin=admin, facilitator=facilitator, name="Closed Circle", visibility="private"
    )
    await make_group(admin=admin, facilitator=other, name="Other Circle")
    for group in (public, private):
        await add_member(group, member)
    await add_member(public, other)
    open_thread = await make_thread(public, member, title=TITLES[0])
    clock.advance(timedelta(minutes=1))
    closed_thread = await make_thread(private, member, title=TITLES[1])
    clock.advance(timedelta(minutes=1))
    hidden = await make_thread(public, member, title=TITLES[2])
    await service.hide_thread(actor=facilitator, thread_id=hidden.id)
    people: dict[str, Member | None] = {
        "visitor": None,
        "outsider": outsider,
        "member": member,
        "other_facilitator": other,
        "facilitator": facilitator,
        "admin": admin,
    }
    return World(people, public, private, (open_thread, closed_thread, hidden))


async def api_as(api: httpx.AsyncClient, member: Member | None) -> ApiClient:
    return ApiClient(api, await token_for(member) if member is not None else None)


async def signed_in(browser: Browser, member: Member | None) -> Browser:
    if member is not None:
        await browser.login(member.email, PASSWORD)
    return browser


def listed_titles(page: httpx.Response) -> list[str]:
    """The discussions' titles on a Latest page, in order."""
    assert page.status_code == 200, page.text
    return re.findall(r'class="thread-row__title" href="/threads/\d+">([^<]+)</a>', page.text)


def marks_of(page: httpx.Response) -> dict[str, tuple[bool, str]]:
    """Each row's title -> (shown as unread, its badge's words or "")."""
    assert page.status_code == 200, page.text
    marks = {}
    for classes, row in re.findall(r'<li class="(thread-row[^"]*)">(.*?)</li>', page.text, re.S):
        title = re.search(r'class="thread-row__title"[^>]*>([^<]+)<', row)
        badge = re.search(r'<span class="badge">([^<]+)</span>', row)
        assert title is not None, row
        marks[title.group(1)] = ("thread-row--unread" in classes, badge.group(1) if badge else "")
    return marks


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_latest_shows_exactly_what_the_viewer_may_read(app: Starlette, viewer: str) -> None:
    world = await build()
    actor = world.people[viewer]
    # newest first: the threads were started in the order of TITLES
    expected = [title for title, seen in zip(TITLES, EXPECTED[viewer], strict=True) if seen][::-1]
    # the page and the API agree with what a thread page lets this viewer read
    for thread, seen in zip(world.threads, EXPECTED[viewer], strict=True):
        try:
            await access_thread(actor, thread.id)
            readable = True
        except DomainError:
            readable = False
        assert readable == seen, thread.title
    async with open_browser(app) as browser:
        await signed_in(browser, actor)
        page = await browser.get("/latest")
        assert listed_titles(page) == expected
        text = text_of(page)
        for title in set(TITLES) - set(expected):
            assert title not in text
        answer = await (await api_as(browser.client, actor)).get("/latest")
        assert answer.status_code == 200, answer.text
        assert [item["title"] for item in answer.json()["items"]] == expected


@pytest.mark.parametrize("viewer", VIEWERS)
async def test_my_groups_keeps_the_groups_the_viewer_belongs_to(
    app: Starlette, viewer: str
) -> None:
    world = await build()
    actor = world.people[viewer]
    async with open_browser(app) as browser:
        await signed_in(browser, actor)
        page = await browser.get("/latest?mine=1")
        answer = await (await api_as(browser.client, actor)).get("/latest", mine="true")
    assert answer.status_code == 200
    titles = [item["title"] for item in answer.json()["items"]]
    assert listed_titles(page) == titles
    wanted = {
        "visitor": [],  # a visitor belongs to no group
        "outsider": [],
        "member": [TITLES[1], TITLES[0]],
        "other_facilitator": [TITLES[0]],
        "facilitator": [TITLES[2], TITLES[1], TITLES[0]],
        "admin": [],  # reads everything, but belongs to none of these groups
    }
    assert titles == wanted[viewer]
    if viewer == "visitor":
        assert "Sign in to see the discussions of your groups." in text_of(page)
        assert "My groups" not in text_of(page)  # the filter is for members
    elif not titles:
        assert "No discussions in your groups yet." in text_of(page)


async def test_my_groups_filter_leaves_out_groups_one_only_may_read(app: Starlette) -> None:
    admin = await make_member(admin=True)
    member = await make_member(email="mine@example.org")
    joined = await make_group(admin=admin, name="Joined Circle")
    other = await make_group(admin=admin, name="Elsewhere Circle")
    await add_member(joined, member)
    author = await make_member()
    for group in (joined, other):
        await add_member(group, author)
    await make_thread(joined, author, title="In my group")
    await make_thread(other, author, title="Somewhere else")
    async with open_browser(app) as browser:
        await browser.login("mine@example.org", PASSWORD)
        assert listed_titles(await browser.get("/latest")) == ["Somewhere else", "In my group"]
        page = await browser.get("/latest?mine=1")
        assert listed_titles(page) == ["In my group"]
        assert 'href="/latest?mine=1" aria-current="page"' in page.text
        everything = await browser.get("/latest")
        assert 'href="/latest" aria-current="page"' in everything.text


async def test_latest_is_ordered_by_last_activity_not_pins(app: Starlette) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    other = await make_group(facilitator=facilitator)
    first = await make_thread(group, facilitator, title="First started")
    clock.advance(timedelta(minutes=1))
    second = await make_thread(other, facilitator, title="Second started")
    clock.advance(timedelta(minutes=1))
    await make_thread(group, facilitator, title="Third started")
    await service.set_pinned(actor=facilitator, thread_id=second.id, pinned=True)
    clock.advance(timedelta(minutes=1))
    await make_reply(first, facilitator)  # the oldest thread is now the most active
    async with open_browser(app) as browser:
        titles = listed_titles(await browser.get("/latest"))
        answer = await ApiClient(browser.client).get("/latest")
    assert titles == ["First started", "Third started", "Second started"]
    items = shaped(answer, 200)["items"]  # exactly as its OpenAPI schema says
    assert [item["title"] for item in items] == titles
    assert items[0]["reply_count"] == 1 and items[0]["post_count"] == 2
    assert items[0]["group_slug"] == group.slug and items[0]["group_name"] == group.name
    assert items[0]["unread_posts"] is None  # a visitor
    moments = [item["last_activity_at"] for item in items]
    assert moments == sorted(moments, reverse=True)


async def test_latest_rows_link_the_thread_and_group_in_the_readers_zone(app: Starlette) -> None:
    member = await make_member(email="zone@example.org")
    group = await make_group(name="Night Owls")
    await add_member(group, member)
    # late in the UTC evening: already the next day in the site's zone (Asia/Singapore)
    clock.advance(timedelta(hours=11))
    thread = await make_thread(group, member, title="After hours")
    shown = thread.last_activity_at.astimezone(ZoneInfo("Asia/Singapore")).strftime("%-d %B %Y")
    assert shown != thread.last_activity_at.strftime("%-d %B %Y")
    async with open_browser(app) as browser:
        page = await browser.get("/latest")
    assert f'href="/threads/{thread.id}"' in page.text
    assert f'href="/groups/{group.slug}">Night Owls</a>' in page.text
    assert f"In Night Owls · last activity {shown}" in text_of(page)
    assert "0 replies" in text_of(page)


async def test_unread_marks_follow_the_readers_place(app: Starlette) -> None:
    group = await make_group()
    reader = await make_member(email="reader@example.org")
    author = await make_member()
    for member in (reader, author):
        await add_member(group, member)
    thread = await make_thread(group, author, title="Keep me posted")
    await make_reply(thread, author)
    await make_thread(group, reader, title="My own question")
    async with open_browser(app) as browser:
        await browser.login("reader@example.org", PASSWORD)
        api = await api_as(browser.client, reader)

        async def unread() -> dict[str, int | None]:
            answer = shaped(await api.get("/latest"), 200)
            return {item["title"]: item["unread_posts"] for item in answer["items"]}

        # never opened: all of it is new, as in a group's list ("New"); one's own is read
        assert await unread() == {"My own question": 0, "Keep me posted": 2}
        assert marks_of(await browser.get("/latest")) == {
            "My own question": (False, ""),
            "Keep me posted": (True, "New"),
        }
        assert (await browser.get(f"/threads/{thread.id}")).status_code == 200  # read to the end
        assert (await unread())["Keep me posted"] == 0
        assert marks_of(await browser.get("/latest"))["Keep me posted"] == (False, "")
        await make_reply(thread, author)
        await make_reply(thread, author)
        assert (await unread())["Keep me posted"] == 2
        assert marks_of(await browser.get("/latest"))["Keep me posted"] == (True, "2 new")
    async with open_browser(app) as visitor:
        # a visitor has no place to keep: nothing marked
        assert set(marks_of(await visitor.get("/latest")).values()) == {(False, "")}


async def test_keyset_pages_have_no_duplicates_or_gaps(app: Starlette) -> None:
    authors = [await make_member() for _ in range(5)]
    groups = [await make_group(), await make_group()]
    for group in groups:
        for author in authors:
            await add_member(group, author)
    made: list[Thread] = []
    for number in range(45):
        # three at each moment: the id breaks the tie, across a page's edge too
        if number % 3 == 0:
            clock.advance(timedelta(minutes=1))
        made.append(
            await make_thread(groups[number % 2], authors[number % 5], title=f"Topic {number:02}")
        )
    expected = [t.title for t in sorted(made, key=lambda t: (t.last_activity_at, t.id))][::-1]
    async with open_browser(app) as browser:
        seen: list[str] = []
        path = "/latest"
        pages = 0
        while True:
            page = await browser.get(path)
            titles = listed_titles(page)
            assert len(titles) == (20 if pages < 2 else 5)
            seen += titles
            pages += 1
            found = re.search(r'href="(/latest\?cursor=[^"]+)">More discussions</a>', page.text)
            if found is None:
                break
            path = found.group(1).replace("&amp;", "&")
        assert pages == 3 and seen == expected
        api = ApiClient(browser.client)
        listed: list[str] = []
        cursor = None
        while True:
            answer = (await api.get("/latest", limit=7, cursor=cursor)).json()
            listed += [item["title"] for item in answer["items"]]
            cursor = answer["next_cursor"]
            if cursor is None:
                break
        assert listed == expected
        # a tampered cursor starts from the first page, on the page and in the API
        first = listed_titles(await browser.get("/latest"))
        assert first == expected[:20]
        for tampered in ("garbage", "e30=", encode_cursor("soon", 3), encode_cursor(True, 3)):
            assert listed_titles(await browser.get(f"/latest?cursor={tampered}")) == first
            answer = await api.get("/latest", cursor=tampered)
            assert [item["title"] for item in answer.json()["items"]] == first
        # the filter is kept on the next page's link
        await browser.login(authors[0].email, PASSWORD)
        mine = await browser.get("/latest?mine=1")
        assert re.search(r'href="/latest\?mine=1&amp;cursor=[^"]+">More discussions', mine.text)


#: query strings: on the API, None where it answers the first page, else the refused field
BAD_QUERIES = {
    "?limit=0": "limit",
    "?limit=10000": "limit",
    "?limit=-1": "limit",
    "?limit=abc": "limit",
    "?limit=%C2%B2": "limit",
    "?mine=yes": "mine",
    "?mine=%00": "mine",
    # unreadable or forged cursors start from the first page, as every list's do
    "?cursor=%00": None,
    "?cursor=" + "A" * 5000: None,
    "?cursor=%FF%FE": None,
    "?cursor=not+a+cursor%00": None,
    "?cursor=" + encode_cursor(START, 2**40): None,
    "?cursor=" + encode_cursor("9999-01-01T00:00:00+00:00", 1): None,
    "?mine=1&mine=0&cursor=": None,
}


async def test_bad_input_is_refused_clearly_by_the_api_and_never_breaks_the_page(
    app: Starlette,
) -> None:
    member = await make_member(email="bad@example.org")
    group = await make_group()
    await add_member(group, member)
    await make_thread(group, member, title="Still here")
    async with open_browser(app) as browser:
        for query, field in BAD_QUERIES.items():
            answer = await browser.client.get("/api/v1/latest" + query)
            if field is None:
                assert answer.status_code == 200, query
                assert [item["title"] for item in answer.json()["items"]] == ["Still here"]
            else:
                assert answer.status_code == 422, query
                error = error_of(answer)
                assert list(error["fields"]) == [field], query
                assert error["code"] and error["message"]
        for signed_in_now in (False, True):
            if signed_in_now:
                await browser.login("bad@example.org", PASSWORD)
            for query in BAD_QUERIES:
                page = await browser.get("/latest" + query)
                if "%00" in query or "%FF" in query:
                    # the site refuses an address with NUL or bytes that are not UTF-8
                    assert page.status_code == 400, query
                    assert "Check the link and try again." in text_of(page)
                else:
                    assert page.status_code == 200, query
                    assert listed_titles(page) == ["Still here"], query


async def test_latest_query_count_is_fixed(app: Starlette, count_queries: QueryCounter) -> None:
    facilitator = await make_member(email="qf@example.org")
    reader = await make_member(email="qr@example.org")
    public = await make_group(facilitator=facilitator)
    private = await make_group(facilitator=facilitator, visibility="private")
    for group in (public, private):
        await add_member(group, reader)

    async def add_threads(count: int) -> None:
        for number in range(count):
            clock.advance(timedelta(minutes=1))
            thread = await make_thread(public if number % 2 else private, facilitator)
            await make_reply(thread, reader)
            if number % 5 == 0:
                await service.hide_thread(actor=facilitator, thread_id=thread.id)

    await add_threads(3)
    token = await token_for(reader)
    counts, sizes = [], []
    async with (
        open_browser(app) as browser,
        open_browser(app) as visitor,
        open_browser(app) as script,
    ):
        await browser.login("qr@example.org", PASSWORD)
        api = ApiClient(script.client, token)
        for more in (0, 30):
            await add_threads(more)
            # once first: a session or token seen a while ago is marked as used (not counted)
            await browser.get("/latest")
            await api.get("/latest")
            measured = []
            for call in (
                lambda: browser.get("/latest"),
                lambda: browser.get("/latest?mine=1"),
                lambda: api.get("/latest", limit=100),
                lambda: visitor.get("/latest"),
            ):
                count_queries.queries.clear()
                response = await call()
                assert response.status_code == 200
                measured.append(len(count_queries.queries))
            counts.append(measured)
            sizes.append(len(listed_titles(await browser.get("/latest"))))
    assert sizes == [2, 20]  # the hidden threads are left out for a plain member
    # a member: the session (1), the threads with their groups and the reader's place in them
    # (1); a script: its token and member (2) and the same one; a visitor: the threads alone
    assert counts == [[2, 2, 3, 1], [2, 2, 3, 1]]


async def test_latest_is_in_the_navigation_for_everyone(app: Starlette) -> None:
    await make_member(email="nav@example.org")
    async with open_browser(app) as browser:
        home = await browser.get("/")
        assert '<a href="/latest">Latest</a>' in home.text
        await browser.login("nav@example.org", PASSWORD)
        page = await browser.get("/latest")
        assert '<a href="/latest" aria-current="page">Latest</a>' in page.text
        assert "No discussions here yet." in text_of(page)
