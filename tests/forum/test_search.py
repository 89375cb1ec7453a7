"""Search: finds what the viewer may read, never what they may not, with safe snippets."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass

import pytest
from starlette.applications import Starlette

from community.accounts.models import Member
from community.forum import search as search_module
from community.forum import service
from community.forum.models import Post, Thread
from community.forum.schemas import PostAction, PostEdit
from community.forum.search import search_posts
from community.groups.models import Group
from tests.conftest import DATABASE_URL, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


@dataclass
class World:
    facilitator: Member
    member: Member
    outsider: Member
    public: Group
    private: Group


async def build() -> World:
    facilitator = await make_member(email="sf@example.org", name="Sofia Facilitator")
    public = await make_group(facilitator=facilitator, name="Open Circle")
    private = await make_group(facilitator=facilitator, name="Closed Circle", visibility="private")
    member = await make_member(email="sm@example.org", name="Mina Member")
    outsider = await make_member(email="so@example.org", name="Otto Outsider")
    await add_member(public, member)
    await add_member(private, member)
    open_thread = await make_thread(
        public, member, title="Attachment theory in practice", body="Secure base for children."
    )
    await make_reply(open_thread, facilitator, "Bowlby wrote about attachment and loss.")
    await make_thread(
        private,
        member,
        title="Confidential case about attachment",
        body="Whistleblower attachment details, never for outsiders.",
    )
    return World(facilitator, member, outsider, public, private)


async def titles(actor: Member | None, query: str, **filters: str) -> list[str]:
    return [r.thread_title for r in await search_posts(actor=actor, query=query, **filters)]


async def test_search_finds_titles_and_bodies_ranked(database: None) -> None:
    world = await build()
    results = await search_posts(actor=world.outsider, query="attachment")
    assert {r.thread_title for r in results} == {"Attachment theory in practice"}
    assert len(results) == 2  # the opening post (title) and the reply (body)
    bowlby = await search_posts(actor=world.outsider, query="Bowlby")
    assert [r.post_number for r in bowlby] == [2]
    assert "<mark>Bowlby</mark>" in bowlby[0].snippet


@pytest.mark.parametrize("role", ["visitor", "outsider", "member", "facilitator"])
async def test_private_posts_only_reach_members(database: None, role: str) -> None:
    world = await build()
    actor = {
        "visitor": None,
        "outsider": world.outsider,
        "member": world.member,
        "facilitator": world.facilitator,
    }[role]
    found = await search_posts(actor=actor, query="whistleblower")
    if role in ("member", "facilitator"):
        assert [r.thread_title for r in found] == ["Confidential case about attachment"]
    else:
        assert found == []
    everything = " ".join(
        r.thread_title + str(r.snippet) for r in await search_posts(actor=actor, query="attachment")
    )
    assert ("Whistleblower" in everything or "Confidential" in everything) == (
        role in ("member", "facilitator")
    )


async def test_hidden_and_deleted_posts_are_not_found(database: None) -> None:
    world = await build()
    post = await Post.get(body__contains="Bowlby")
    await service.hide_post(actor=world.facilitator, post_id=post.id)
    assert await search_posts(actor=world.member, query="Bowlby") == []
    await service.restore_post(actor=world.facilitator, post_id=post.id)
    await service.delete_post(actor=world.facilitator, post_id=post.id)
    assert await search_posts(actor=world.member, query="Bowlby") == []


async def test_edits_are_searchable(database: None) -> None:
    world = await build()
    post = await Post.get(body__contains="Secure base")
    await service.edit_post(
        actor=world.member, post_id=post.id, form=PostEdit(body="Winnicott and holding.")
    )
    assert await titles(world.outsider, "Winnicott") == ["Attachment theory in practice"]
    assert await titles(world.outsider, "secure") == []


async def test_filters_by_group_and_author(database: None) -> None:
    world = await build()
    assert await titles(world.member, "attachment", group_slug=world.private.slug) == [
        "Confidential case about attachment"
    ]
    by_facilitator = await search_posts(
        actor=world.member, query="attachment", author_handle=f"@{world.facilitator.handle}"
    )
    assert [r.post_number for r in by_facilitator] == [2]
    assert await titles(world.member, "attachment", group_slug="no-such-group") == []
    # an outsider filtering by the private group still sees nothing
    assert await titles(world.outsider, "attachment", group_slug=world.private.slug) == []


@pytest.mark.parametrize(
    "query", ['"', "attachment OR", "NEAR(", "title:secret", "*", "'; DROP TABLE x; --", "\x00"]
)
async def test_odd_queries_are_safe(database: None, query: str) -> None:
    world = await build()
    await search_posts(actor=world.member, query=query)  # no error
    assert await Post.all().count() == 3


async def test_snippets_escape_html(database: None) -> None:
    world = await build()
    thread = await make_thread(
        world.public, world.member, title="Markup", body="Danger <script>alert(1)</script> zebra"
    )
    [result] = await search_posts(actor=world.outsider, query="zebra")
    assert result.thread_id == thread.id
    snippet = str(result.snippet)
    # SQLite keeps the text and it is escaped; PostgreSQL's ts_headline drops tags
    assert "<script" not in snippet and "<mark>zebra</mark>" in snippet


async def test_search_page(app: Starlette) -> None:
    world = await build()
    async with open_browser(app) as browser:
        empty = await browser.get("/search")
        assert empty.status_code == 200
        page = await browser.get("/search?q=attachment")
        text = text_of(page)
        assert "Attachment theory in practice" in text and "Confidential" not in text
        await browser.login("sm@example.org", PASSWORD)
        page = await browser.get(f"/search?q=attachment&group={world.private.slug}")
        assert "Confidential case about attachment" in text_of(page)
        assert "<mark>" in page.text


async def test_newest_posts_are_searched_first_then_older_ones(
    database: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL looks among the newest posts first, then further back when too few match
    there (windows shrunk here so a small forum has several)."""
    if "postgres" not in DATABASE_URL:
        pytest.skip("the recency windows are PostgreSQL's")
    monkeypatch.setattr(search_module, "RECENT_WINDOWS", (3, 6))
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    thread = await make_thread(group, facilitator, title="Windows")
    writers = [await make_member() for _ in range(3)]
    for writer in writers:
        await add_member(group, writer)
    old = await make_reply(thread, writers[0], "The kinship carers network")
    for number in range(8):  # three writers: no one reaches the posting limit
        await make_reply(thread, writers[number % 3], f"Filler post {number}")
    recent = [await make_reply(thread, writers[n + 1], f"Kinship visits {n}") for n in range(2)]
    search_module.forget_newest()
    # two matches in the newest three posts: enough when one result is asked for
    found = await search_posts(actor=facilitator, query="kinship", limit=1)
    assert [r.post_id for r in found] == [recent[-1].id]
    # asking for three needs older posts: the search goes back until it has them
    found = await search_posts(actor=facilitator, query="kinship", limit=3)
    assert {r.post_id for r in found} == {old.id, *(p.id for p in recent)}
    assert all("<mark>" in str(r.snippet) for r in found)


async def test_shared_results_follow_every_change_at_once(app: Starlette) -> None:
    # the site keeps each search's results for the readers who may read the same groups:
    # a new post, an edit, a hidden post and a new membership all show on the next search,
    # and one reader's results never reach a reader who may read other groups
    world = await build()
    thread = await Thread.get(title="Attachment theory in practice")
    async with AsyncExitStack() as stack:
        readers = {}
        for email in ("sm@example.org", "so@example.org", None):
            browser = await stack.enter_async_context(open_browser(app))
            if email:
                await browser.login(email, PASSWORD)
            readers[email or "visitor"] = browser

        async def found(who: str, query: str) -> str:
            return text_of(await readers[who].get(f"/search?q={query}"))

        for _ in range(2):  # the second time from the kept results
            assert "Confidential case" in await found("sm@example.org", "attachment")
            assert "Confidential case" not in await found("so@example.org", "attachment")
            assert "Confidential case" not in await found("visitor", "attachment")
        reply = await make_reply(thread, world.facilitator, "Attachment and kinship placement.")
        assert "kinship placement" in await found("so@example.org", "attachment")
        await service.edit_post(
            actor=world.facilitator, post_id=reply.id, form=PostEdit(body="Attachment revisited.")
        )
        outsider = await found("so@example.org", "attachment")
        assert "kinship placement" not in outsider and "revisited" in outsider
        await service.moderate_post(
            actor=world.facilitator, post_id=reply.id, action=PostAction.HIDE
        )
        assert "revisited" not in await found("visitor", "attachment")
        await add_member(world.private, world.outsider)
        assert "Confidential case" in await found("so@example.org", "attachment")
        assert "Confidential case" not in await found("visitor", "attachment")
