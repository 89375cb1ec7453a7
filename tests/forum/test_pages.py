"""Forum pages: visibility for every role, the thread page, posting through forms."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.forum import service
from community.forum.models import Post, Reaction, ReactionKind, Thread
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: (visibility, role) -> status of the thread list page and of a thread page
EXPECTED = {
    ("public", "visitor"): (200, 200),
    ("public", "outsider"): (200, 200),
    ("public", "member"): (200, 200),
    ("public", "facilitator"): (200, 200),
    ("private", "visitor"): (403, 404),
    ("private", "outsider"): (403, 404),
    ("private", "member"): (200, 200),
    ("private", "facilitator"): (200, 200),
}


@pytest.mark.parametrize(("visibility", "role"), list(EXPECTED))
async def test_forum_visibility(app: Starlette, visibility: str, role: str) -> None:
    facilitator = await make_member(email="facilitator@example.org")
    group = await make_group(facilitator=facilitator, visibility=visibility, name="Circle")
    member = await make_member(email="member@example.org")
    await make_member(email="outsider@example.org")
    await add_member(group, member)
    thread = await make_thread(group, member, title="Secret title", body="Secret body text")
    list_status, thread_status = EXPECTED[(visibility, role)]
    async with open_browser(app) as browser:
        if role != "visitor":
            await browser.login(f"{role}@example.org", PASSWORD)
        listing = await browser.get(f"/groups/{group.slug}/threads")
        assert listing.status_code == list_status
        page = await browser.get(f"/threads/{thread.id}?page=1")
        assert page.status_code == thread_status
        home = await browser.get(f"/groups/{group.slug}")
        quote = await browser.get(f"/posts/{(await Post.get(thread_id=thread.id)).id}")
        for response in (listing, page, home, quote):
            if list_status != 200:
                assert "Secret title" not in response.text
                assert "Secret body text" not in response.text
            else:
                assert response.status_code in (200, 303)
        if list_status == 200:
            assert "Secret title" in listing.text and "Secret title" in home.text


async def test_thread_page_query_count_does_not_grow(
    app: Starlette, count_queries: QueryCounter
) -> None:
    facilitator = await make_member(email="qc@example.org")
    group = await make_group(facilitator=facilitator)
    writers = [await make_member() for _ in range(5)]
    for writer in writers:
        await add_member(group, writer)
    thread = await make_thread(group, facilitator)
    for number in range(4):
        await make_reply(thread, writers[number % 5])
    opening = await Post.get(thread_id=thread.id, number=1)
    await Post.filter(thread_id=thread.id, number=2).update(quote_id=opening.id)  # one quote
    async with open_browser(app) as browser:
        await browser.login("qc@example.org", PASSWORD)
        count_queries.queries.clear()
        assert (await browser.get(f"/threads/{thread.id}?page=1")).status_code == 200
        small = list(count_queries.queries)
        for number in range(45):
            post = await make_reply(thread, writers[number % 5], f"Reply {number}")
            if number % 3 == 0:
                await service.react(actor=facilitator, post_id=post.id, kind=ReactionKind.LIKE)
        for number in range(3, 40, 4):  # many quotes: still one query for all of them
            await Post.filter(thread_id=thread.id, number=number).update(quote_id=post.id)
        count_queries.queries.clear()
        response = await browser.get(f"/threads/{thread.id}?page=1")
        assert response.status_code == 200
        assert text_of(response).count("Like 1") == 15
        assert len(count_queries.queries) == len(small), (small, count_queries.queries)


async def test_thread_opens_at_the_first_unread_post(app: Starlette) -> None:
    facilitator = await make_member(email="op@example.org")
    group = await make_group(facilitator=facilitator)
    reader = await make_member(email="reader@example.org")
    await add_member(group, reader)
    thread = await make_thread(group, facilitator)
    for _ in range(3):
        await make_reply(thread, facilitator)
    async with open_browser(app) as browser:
        await browser.login("reader@example.org", PASSWORD)
        first = await browser.get(f"/threads/{thread.id}")
        assert first.status_code == 200  # never opened: from the start
        await make_reply(thread, facilitator, "Fresh news")
        again = await browser.get(f"/threads/{thread.id}")
        assert again.status_code == 303
        assert again.headers["location"] == f"/threads/{thread.id}?page=1#post-5"
        page = await browser.get(again.headers["location"])
        assert "New since your last visit" in text_of(page)
        listing = text_of(await browser.get(f"/groups/{group.slug}/threads"))
        assert "new" not in listing.split("A question of practice")[1][:40]


async def test_posting_quoting_reacting_through_the_pages(app: Starlette) -> None:
    facilitator = await make_member(email="pq@example.org", name="Fiona")
    group = await make_group(facilitator=facilitator, name="Practice Circle")
    await make_member(email="ps@example.org", name="Sam")
    async with open_browser(app) as sam, open_browser(app) as fiona:
        await sam.login("ps@example.org", PASSWORD)
        await sam.post(f"/groups/{group.slug}/join")
        empty = await sam.post(f"/groups/{group.slug}/threads", {"title": "", "body": ""})
        assert empty.status_code == 422
        assert "Give the discussion a title." in text_of(empty)
        assert "Write something before posting." in text_of(empty)
        created = await sam.post(
            f"/groups/{group.slug}/threads",
            {"title": "Boundaries with clients", "body": "How do you say **no** kindly?"},
        )
        assert created.status_code == 303
        thread = await Thread.get(title="Boundaries with clients")
        opening = await Post.get(thread_id=thread.id, number=1)
        await fiona.login("pq@example.org", PASSWORD)
        quote_form = await fiona.get(f"/threads/{thread.id}?page=1&quote={opening.id}")
        assert "Quoting Sam (#1)" in text_of(quote_form)
        replied = await fiona.post(
            f"/threads/{thread.id}/posts",
            {"body": "With a clear *reason*.", "quote_post_id": str(opening.id)},
        )
        assert replied.status_code == 303
        assert replied.headers["location"] == f"/threads/{thread.id}?page=1#post-2"
        page = await sam.get(f"/threads/{thread.id}?page=1")
        assert f'<a href="/posts/{opening.id}">Sam wrote (#1)</a>' in page.text
        assert "<em>reason</em>" in page.text
        reply = await Post.get(number=2)
        assert f'name="like" value="{reply.id}" aria-pressed="false"' in page.text
        like = await sam.post("/reactions", {"like": str(reply.id)})
        assert like.status_code == 303
        assert like.headers["location"] == f"/threads/{thread.id}?page=1#post-2"
        await sam.post("/reactions", {"like": str(reply.id)})  # a double click
        assert await Reaction.all().count() == 1
        pressed = await sam.get(f"/threads/{thread.id}?page=1")
        assert f'name="like" value="{reply.id} off" aria-pressed="true"' in pressed.text
        # Fiona's page shows the count, but nothing of hers pressed
        theirs = await fiona.get(f"/threads/{thread.id}?page=1")
        assert "Like 1" in text_of(theirs) and 'aria-pressed="true"' not in theirs.text
        assert (await sam.post("/reactions", {"like": f"{reply.id} off"})).status_code == 303
        assert await Reaction.all().count() == 0
        for bad_value in (
            {"love": str(opening.id)},
            {"like": "x"},
            {"like": f"{opening.id} on"},
            {},
            {"like": str(reply.id), "thanks": str(reply.id)},
        ):
            bad = await sam.post("/reactions", bad_value)
            assert bad.status_code == 422, bad_value
            assert "Choose a reaction button under a post." in text_of(bad)
        back = await sam.get(f"/posts/{opening.id}")
        assert back.headers["location"] == f"/threads/{thread.id}?page=1#post-1"


async def test_locked_thread_refuses_replies_through_the_page(app: Starlette) -> None:
    facilitator = await make_member(email="lk@example.org")
    group = await make_group(facilitator=facilitator)
    member = await make_member(email="lm@example.org")
    await add_member(group, member)
    thread = await make_thread(group, member)
    async with open_browser(app) as fac, open_browser(app) as browser:
        await fac.login("lk@example.org", PASSWORD)
        assert (await fac.post(f"/threads/{thread.id}/lock")).status_code == 303
        assert (await fac.post(f"/threads/{thread.id}/pin")).status_code == 303
        assert (await fac.post(f"/threads/{thread.id}/explode")).status_code == 404
        await browser.login("lm@example.org", PASSWORD)
        page = text_of(await browser.get(f"/threads/{thread.id}?page=1"))
        assert "This discussion is locked: no new replies." in page
        refused = await browser.post(f"/threads/{thread.id}/posts", {"body": "Late!"})
        assert refused.status_code == 409
        assert (await browser.post(f"/threads/{thread.id}/unlock")).status_code == 403
    stored = await Thread.get(id=thread.id)
    assert stored.post_count == 1 and stored.locked and stored.pinned


async def test_edit_and_history_pages(app: Starlette) -> None:
    facilitator = await make_member(email="eh@example.org")
    group = await make_group(facilitator=facilitator)
    member = await make_member(email="em@example.org")
    await add_member(group, member)
    thread = await make_thread(group, member, body="Version one")
    post = await Post.get(thread_id=thread.id)
    async with open_browser(app) as author, open_browser(app) as fac:
        await author.login("em@example.org", PASSWORD)
        assert (await author.post(f"/posts/{post.id}/edit", {"body": ""})).status_code == 422
        saved = await author.post(f"/posts/{post.id}/edit", {"body": "Version two"})
        assert saved.status_code == 303
        page = text_of(await author.get(f"/threads/{thread.id}?page=1"))
        assert "Version two" in page and "edited" in page and "history" not in page
        assert (await author.get(f"/posts/{post.id}/history")).status_code == 403
        await fac.login("eh@example.org", PASSWORD)
        history = text_of(await fac.get(f"/posts/{post.id}/history"))
        assert "Version one" in history and "Version two" in history
        await author.post(f"/posts/{post.id}/delete")
        assert "Post deleted by its author." in text_of(
            await fac.get(f"/threads/{thread.id}?page=1")
        )


async def test_thread_list_pages_by_last_activity(app: Starlette) -> None:
    facilitator = await make_member(email="tl@example.org")
    group = await make_group(facilitator=facilitator)
    for number in range(32):
        clock.advance(timedelta(minutes=1))  # distinct activity times, and under the post limit
        await make_thread(group, facilitator, title=f"Topic {number:02d}")
    pinned = await Thread.get(title="Topic 00")
    await service.set_pinned(actor=facilitator, thread_id=pinned.id, pinned=True)
    async with open_browser(app) as browser:
        first = await browser.get(f"/groups/{group.slug}/threads")
        text = text_of(first)
        assert text.index("Topic 00") < text.index("Topic 31")  # pinned first
        assert "Topic 02" in text and "Topic 01" not in text
        cursor = first.text.split("threads?cursor=")[1].split('"')[0]
        second = text_of(await browser.get(f"/groups/{group.slug}/threads?cursor={cursor}"))
        assert "Topic 01" in second and "Topic 00" not in second and "Topic 02" not in second
