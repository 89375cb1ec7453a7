"""Current recognitions as small badges beside the author's name on every post (#19): for
every kind of reader, only while the term runs, and at once when one is given or taken back
(the posts' shared fragments are kept per thread version, which a recognition does not move),
in one query whatever the number of authors; the API's posts carry the same titles."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts import service as accounts
from community.accounts.models import Member
from community.forum.models import Thread
from community.forum.page_cache import PageCache
from community.people import service as people
from community.people.models import Recognition
from tests.api.helpers import ApiClient, token_for
from tests.api.test_forum import shaped
from tests.conftest import BASE_URL, QueryCounter, open_browser
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")

BADGE = re.compile(r'<span class="badge-recognition">([^<]*)</span>')


async def _grant(admin: Member, member: Member, title: str, *, start: int, end: int | None) -> int:
    today = clock.now().date()
    recognition = await people.grant_recognition(
        actor=admin,
        member_id=member.id,
        title=title,
        starts_on=today + timedelta(days=start),
        ends_on=None if end is None else today + timedelta(days=end),
    )
    return recognition.id


def badges_by_post(html: str) -> dict[str, list[str]]:
    """The badges in each post's byline, by the post's label ("Post 2 by …")."""
    found = {}
    for label, article in re.findall(r'aria-label="(Post \d+ by [^"]+)"(.*?)</header>', html, re.S):
        found[label] = BADGE.findall(article)
    return found


async def test_current_recognitions_show_beside_the_author_for_every_reader(
    app: Starlette,
) -> None:
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    facilitator = await make_member(email="fac@example.org", name="Farah Ismail")
    group = await make_group(admin=admin, facilitator=facilitator, name="Open Circle")
    fellow = await make_member(email="fellow@example.org", name="Fiona Fellow")
    reader = await make_member(email="reader@example.org", name="Rita Reader")
    for member in (fellow, reader):
        await add_member(group, member)
    thread = await make_thread(group, fellow, title="Supervision notes")
    await make_reply(thread, facilitator, "A reply without a recognition.")
    await make_reply(thread, fellow, "And another from the fellow.")
    await _grant(admin, fellow, "Social Service Fellow", start=-30, end=365)
    await _grant(admin, fellow, "Mentor", start=-1, end=None)
    await _grant(admin, fellow, "Past Chair", start=-400, end=-1)  # ended yesterday
    await _grant(admin, facilitator, "Future Lead", start=1, end=30)  # starts tomorrow
    expected = {
        "Post 1 by Fiona Fellow": ["Social Service Fellow", "Mentor"],
        "Post 2 by Farah Ismail": [],
        "Post 3 by Fiona Fellow": ["Social Service Fellow", "Mentor"],
    }
    for email in (None, "reader@example.org", "fac@example.org"):
        async with open_browser(app) as browser:
            if email:
                await browser.login(email, PASSWORD)
            page = await browser.get(f"/threads/{thread.id}?page=1")
            assert page.status_code == 200
            assert badges_by_post(page.text) == expected, email


async def test_a_recognition_given_or_taken_back_shows_at_once(
    app: Starlette, count_queries: QueryCounter
) -> None:
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    group = await make_group(admin=admin, name="Open Circle")
    author = await make_member(email="author@example.org", name="Amir Author")
    reader = await make_member(email="reader@example.org", name="Rita Reader")
    for member in (author, reader):
        await add_member(group, member)
    thread = await make_thread(group, author, title="Home visits")
    async with open_browser(app) as browser:
        await browser.login("reader@example.org", PASSWORD)
        page = await browser.get(f"/threads/{thread.id}?page=1")
        assert badges_by_post(page.text) == {"Post 1 by Amir Author": []}
        # the posts' fragments are kept now; a recognition does not move the thread's version
        recognition = await _grant(admin, author, "Mentor", start=0, end=None)
        count_queries.queries.clear()
        page = await browser.get(f"/threads/{thread.id}?page=1")
        assert badges_by_post(page.text) == {"Post 1 by Amir Author": ["Mentor"]}
        # from the kept fragments: the posts were not read again
        assert not any('FROM "forum_post"' in query for query in count_queries.queries)
        await people.revoke_recognition(actor=admin, recognition_id=recognition)
        page = await browser.get(f"/threads/{thread.id}?page=1")
        assert badges_by_post(page.text) == {"Post 1 by Amir Author": []}
    assert not await Recognition.filter(member_id=author.id).exists()


async def test_recognition_titles_are_escaped(app: Starlette) -> None:
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    group = await make_group(admin=admin, name="Open Circle")
    author = await make_member(email="author@example.org", name="Amir Author")
    await add_member(group, author)
    thread = await make_thread(group, author, title="Escaping")
    await _grant(admin, author, "<script>alert(1)</script>", start=0, end=None)
    async with open_browser(app) as browser:
        page = await browser.get(f"/threads/{thread.id}?page=1")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_the_visitors_kept_page_has_the_badges_filled_in(
    app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr("community.cache.time.monotonic", lambda: now[0])
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    group = await make_group(admin=admin, name="Open Circle")
    author = await make_member(email="author@example.org", name="Amir Author")
    await add_member(group, author)
    thread = await make_thread(group, author, title="Kept for visitors")
    await _grant(admin, author, "Mentor", start=0, end=None)
    path = f"/threads/{thread.id}"
    async with open_browser(app) as visitor:
        assert badges_by_post((await visitor.get(path)).text) == {
            "Post 1 by Amir Author": ["Mentor"]
        }
        kept_thread = await Thread.get(id=thread.id)
        cache: PageCache = app.state.thread_page_cache
        kept = cache.get((thread.id, 1, kept_thread.version, kept_thread.post_count))
        assert kept is not None
        assert b'<span class="badge-recognition">Mentor</span>' in kept
        assert b"\x04" not in kept  # the mark after the name never reaches a reader
        await _grant(admin, author, "Social Service Fellow", start=0, end=None)
        # visitors share the kept page until it expires: the new badge shows within seconds
        assert badges_by_post((await visitor.get(path)).text) == {
            "Post 1 by Amir Author": ["Mentor"]
        }
        now[0] += app.state.thread_page_cache.seconds + 1
        assert badges_by_post((await visitor.get(path)).text) == {
            "Post 1 by Amir Author": ["Mentor", "Social Service Fellow"]
        }


async def test_a_deleted_author_shows_no_badge(app: Starlette) -> None:
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    group = await make_group(admin=admin, name="Open Circle")
    author = await make_member(email="author@example.org", name="Lee Leaver")
    await add_member(group, author)
    thread = await make_thread(group, author, title="Before I go")
    await _grant(admin, author, "Mentor", start=-10, end=None)
    await accounts.delete_account(actor=author, password=PASSWORD)
    assert await Recognition.filter(member_id=author.id).exists()  # the row outlives the name
    async with open_browser(app) as visitor:
        page = await visitor.get(f"/threads/{thread.id}?page=1")
    assert badges_by_post(page.text) == {"Post 1 by a deleted member": []}
    assert "Mentor" not in page.text


async def test_the_thread_page_reads_all_its_authors_recognitions_in_one_query(
    app: Starlette, count_queries: QueryCounter
) -> None:
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    group = await make_group(admin=admin, name="Open Circle")
    reader = await make_member(email="reader@example.org", name="Rita Reader")
    await add_member(group, reader)
    writers = [await make_member(name=f"Writer {number}") for number in range(12)]
    for writer in writers:
        await add_member(group, writer)
    await _grant(admin, writers[0], "Mentor", start=0, end=None)
    thread = await make_thread(group, writers[0], title="Many voices")
    path = f"/threads/{thread.id}?page=1"

    async def costs() -> tuple[list[str], list[str]]:
        """The queries of a view that renders the posts, then of one that reuses them."""
        count_queries.queries.clear()
        assert (await browser.get(path)).status_code == 200
        rendered = list(count_queries.queries)
        count_queries.queries.clear()
        assert (await browser.get(path)).status_code == 200
        return rendered, list(count_queries.queries)

    async with open_browser(app) as browser:
        await browser.login("reader@example.org", PASSWORD)
        await browser.get(path)  # the reader's first visit records where they are
        await make_reply(thread, writers[1])
        few = await costs()
        for number, writer in enumerate(writers):
            await _grant(admin, writer, f"Fellow {number}", start=-5, end=5)
            await _grant(admin, writer, f"Past {number}", start=-50, end=-1)
        for number in range(36):
            await make_reply(thread, writers[number % 12])
        many = await costs()
        page = await browser.get(path)
    assert [len(queries) for queries in many] == [len(queries) for queries in few]
    # reusing the kept posts: the session, the thread with the reader's membership, the
    # reader's place in it, and the authors' current recognitions (#19: the one query added)
    assert len(many[1]) == 4, many[1]
    for queries in (*few, *many):
        assert sum("people_recognition" in query for query in queries) == 1, queries
    shown = badges_by_post(page.text)
    assert len(shown) == 38
    assert shown["Post 1 by Writer 0"] == ["Fellow 0", "Mentor"]
    assert shown["Post 38 by Writer 11"] == ["Fellow 11"]


async def test_the_api_gives_each_post_its_authors_current_recognitions(app: Starlette) -> None:
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    group = await make_group(admin=admin, name="Open Circle")
    fellow = await make_member(email="fellow@example.org", name="Fiona Fellow")
    other = await make_member(email="other@example.org", name="Omar Other")
    for member in (fellow, other):
        await add_member(group, member)
    thread = await make_thread(group, fellow, title="Through the API")
    reply = await make_reply(thread, other, "No recognition here.")
    await _grant(admin, fellow, "Social Service Fellow", start=-30, end=365)
    await _grant(admin, fellow, "Past Chair", start=-400, end=-1)
    await _grant(admin, other, "Future Lead", start=1, end=30)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        visitor = ApiClient(client)
        page = shaped(await visitor.get(f"/threads/{thread.id}"), 200)
        assert [post["author"]["recognitions"] for post in page["posts"]] == [
            ["Social Service Fellow"],
            [],
        ]
        assert "recognitions" not in page["thread"]["author"]  # posts only, as on the page
        one = shaped(await visitor.get(f"/posts/{reply.id}"), 200)
        assert one["author"]["display_name"] == "Omar Other" and one["author"]["recognitions"] == []
        as_fellow = visitor.as_(await token_for(fellow))
        created = shaped(
            await as_fellow.post(f"/threads/{thread.id}/posts", {"body": "And more."}), 201
        )
        assert created["author"]["recognitions"] == ["Social Service Fellow"]
