"""Members' thread pages are built from post fragments shared by every reader who sees a post
alike, with each reader's own actions added: a matrix of readers must each get exactly their
page, whatever order they come in, and a change shows at once."""

from __future__ import annotations

import re

import pytest
from starlette.applications import Starlette

from community.accounts.models import Member
from community.forum.models import REACTION_LABELS, ReactionKind
from community.forum.schemas import PostAction, PostEdit
from community.forum.service import moderation, posting
from tests.conftest import Browser, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _actions(page: str, post_id: int) -> str:
    """The actions under one post: the buttons and links after its reactions."""
    button = re.search(rf'name="like" value="{post_id}( off)?"', page)
    assert button is not None, f"no reaction buttons for post {post_id}"
    start = page.rfind("<button", 0, button.start())
    return page[start : page.index("</footer>", button.start())]


async def _page(browser: Browser, path: str) -> str:
    response = await browser.get(path)
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize("first", ["visitor", "ana", "ben", "fay"])
async def test_every_reader_gets_their_own_page_in_any_order(app: Starlette, first: str) -> None:
    fay = await make_member(email=f"fay-{first}@example.org", name="Fay")
    group = await make_group(facilitator=fay)
    ana = await make_member(email=f"ana-{first}@example.org", name="Ana")
    ben = await make_member(email=f"ben-{first}@example.org", name="Ben")
    for member in (ana, ben):
        await add_member(group, member)
    thread = await make_thread(group, ana, title="Whose page is it")
    reply = await make_reply(thread, ben, "A reply from Ben")
    first_post = (await thread.posts.all().order_by("number"))[0]
    await posting.react(actor=ben, post_id=first_post.id, kind=ReactionKind.LIKE)
    path = f"/threads/{thread.id}?page=1"
    async with (
        open_browser(app) as visitor,
        open_browser(app) as as_ana,
        open_browser(app) as as_ben,
        open_browser(app) as as_fay,
    ):
        browsers = {"visitor": visitor, "ana": as_ana, "ben": as_ben, "fay": as_fay}
        emails = {"ana": ana.email, "ben": ben.email, "fay": fay.email}
        for name, email in emails.items():
            await browsers[name].login(str(email), PASSWORD)
        order = [first, *(name for name in browsers if name != first)]
        pages = {name: await _page(browsers[name], path) for name in order}
        # and again, now that every variant is kept
        again = {name: await _page(browsers[name], path) for name in reversed(order)}

    for name in browsers:
        assert "A reply from Ben" in pages[name]
        assert "Like 1" in text_of_html(pages[name])
    visitor_page = pages["visitor"]
    assert 'name="like"' not in visitor_page and "csrf_token" not in visitor_page
    ana_first, ana_reply = _actions(pages["ana"], first_post.id), _actions(pages["ana"], reply.id)
    assert "Edit" in ana_first and "Delete" in ana_first and "Flag" not in ana_first
    assert "Flag" in ana_reply and "Edit" not in ana_reply
    assert 'aria-pressed="true"' not in pages["ana"]
    ben_first, ben_reply = _actions(pages["ben"], first_post.id), _actions(pages["ben"], reply.id)
    assert f'name="like" value="{first_post.id} off" aria-pressed="true"' in ben_first
    assert "Flag" in ben_first and "Edit" in ben_reply and "Delete" in ben_reply
    for post_id in (first_post.id, reply.id):
        fay_actions = _actions(pages["fay"], post_id)
        assert "Hide" in fay_actions and "Flag" in fay_actions
        assert "Hide" not in _actions(pages["ana"], post_id)
    # one CSRF input for all the posts' buttons, the reply form, watching and signing out
    assert pages["ana"].count('name="csrf_token"') == pages["ben"].count('name="csrf_token"') == 4
    for name in browsers:
        assert _without_tokens(again[name]) == _without_tokens(pages[name]), name


def _without_tokens(page: str) -> str:
    """The page's posts (what the fragments make), without the unread marker (the second
    visit has read them all)."""
    posts = page[page.index("<article") : page.rindex("</article>")]
    return re.sub(r'<p class="unread-marker"[^<]*</p>\n', "", posts)


def text_of_html(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


async def test_the_csrf_inputs_do_not_grow_with_the_posts(app: Starlette) -> None:
    author = await make_member(email="many@example.org")
    reader = await make_member(email="many-reader@example.org")
    group = await make_group(facilitator=author)
    await add_member(group, reader)
    few = await make_thread(group, author, title="Few posts")
    many = await make_thread(group, author, title="Many posts")
    writers = [await make_member(email=f"many-{n}@example.org") for n in range(5)]
    for writer in writers:
        await add_member(group, writer)
    for number in range(30):  # six each: under the posting limit
        await make_reply(many, writers[number % 5], f"Reply number {number}")
    async with open_browser(app) as browser:
        await browser.login("many-reader@example.org", PASSWORD)
        small = await _page(browser, f"/threads/{few.id}?page=1")
        large = await _page(browser, f"/threads/{many.id}?page=1")
    assert small.count('name="csrf_token"') == large.count('name="csrf_token"')
    assert large.count('name="like"') == 31


async def test_a_hidden_post_shows_its_text_to_its_author_and_facilitators_only(
    app: Starlette,
) -> None:
    fay = await make_member(email="hid-fay@example.org")
    group = await make_group(facilitator=fay)
    ana = await make_member(email="hid-ana@example.org")
    ben = await make_member(email="hid-ben@example.org")
    for member in (ana, ben):
        await add_member(group, member)
    thread = await make_thread(group, ben, title="Hidden words")
    secret = await make_reply(thread, ana, "Words a facilitator hid")
    await moderation.moderate_post(actor=fay, post_id=secret.id, action=PostAction.HIDE)
    path = f"/threads/{thread.id}?page=1"
    async with (
        open_browser(app) as as_ben,
        open_browser(app) as as_ana,
        open_browser(app) as as_fay,
    ):
        await as_ben.login("hid-ben@example.org", PASSWORD)
        await as_ana.login("hid-ana@example.org", PASSWORD)
        await as_fay.login("hid-fay@example.org", PASSWORD)
        for _ in range(2):  # the second time from what was kept
            ben_page = text_of(await as_ben.get(path))
            fay_page = text_of(await as_fay.get(path))
            ana_page = text_of(await as_ana.get(path))
            assert "Words a facilitator hid" not in ben_page
            assert "This post was hidden by a facilitator." in ben_page
            assert "Words a facilitator hid" in ana_page
            assert "Words a facilitator hid" in fay_page and "Restore" in fay_page
        assert "Words a facilitator hid" not in text_of(await as_ben.get(path))


async def test_a_change_shows_at_once_to_everyone(app: Starlette) -> None:
    ana = await make_member(email="chg-ana@example.org")
    group = await make_group(facilitator=ana)
    ben = await make_member(email="chg-ben@example.org")
    await add_member(group, ben)
    thread = await make_thread(group, ana, title="Changing words")
    reply = await make_reply(thread, ben, "The first wording")
    path = f"/threads/{thread.id}?page=1"
    async with open_browser(app) as as_ana, open_browser(app) as as_ben:
        await as_ana.login("chg-ana@example.org", PASSWORD)
        await as_ben.login("chg-ben@example.org", PASSWORD)
        assert "The first wording" in text_of(await as_ana.get(path))
        edited = await as_ben.post(f"/posts/{reply.id}/edit", {"body": "The second wording"})
        assert edited.status_code == 303
        assert "The second wording" in text_of(await as_ben.get(path))
        assert "The second wording" in text_of(await as_ana.get(path))
        await posting.edit_post(actor=ben, post_id=reply.id, form=PostEdit(body="A third"))
        assert "A third" in text_of(await as_ana.get(path))
        liked = await as_ana.post("/reactions", {"thanks": str(reply.id)})
        assert liked.status_code == 303
        ben_page = await as_ben.get(path)
        assert f"{REACTION_LABELS[ReactionKind.THANKS]} 1" in text_of(ben_page)
        assert 'aria-pressed="true"' not in ben_page.text


async def test_readers_in_other_time_zones_see_their_own_times(app: Starlette) -> None:
    ana = await make_member(email="tz-ana@example.org")
    group = await make_group(facilitator=ana)
    ben = await make_member(email="tz-ben@example.org")
    await add_member(group, ben)
    await Member.filter(id=ana.id).update(time_zone="Pacific/Auckland")
    await Member.filter(id=ben.id).update(time_zone="America/Los_Angeles")
    thread = await make_thread(group, ana, title="What time is it")
    path = f"/threads/{thread.id}?page=1"
    async with open_browser(app) as as_ana, open_browser(app) as as_ben:
        await as_ana.login("tz-ana@example.org", PASSWORD)
        await as_ben.login("tz-ben@example.org", PASSWORD)
        ana_page = await as_ana.get(path)
        ben_page = await as_ben.get(path)

    def times(page: str) -> list[str]:
        return re.findall(r"\d{1,2} \w{3} \d{4}, \d{2}:\d{2}", page)

    assert times(ana_page.text) and times(ben_page.text)
    assert times(ana_page.text) != times(ben_page.text)


async def test_a_groups_list_is_shared_but_each_reader_sees_their_unread(app: Starlette) -> None:
    fay = await make_member(email="list-fay@example.org")
    group = await make_group(facilitator=fay)
    ana = await make_member(email="list-ana@example.org")
    ben = await make_member(email="list-ben@example.org")
    for member in (ana, ben):
        await add_member(group, member)
    read = await make_thread(group, ana, title="Ana has read this")
    hidden = await make_thread(group, ben, title="Hidden from members")
    await moderation.hide_thread(actor=fay, thread_id=hidden.id)
    path = f"/groups/{group.slug}/threads"
    async with (
        open_browser(app) as visitor,
        open_browser(app) as as_ana,
        open_browser(app) as as_ben,
        open_browser(app) as as_fay,
    ):
        for browser, email in ((as_ana, ana.email), (as_ben, ben.email), (as_fay, fay.email)):
            await browser.login(str(email), PASSWORD)
        for _ in range(2):  # the second time from what was kept
            ana_page = await _page(as_ana, path)
            ben_page = await _page(as_ben, path)
            fay_page = text_of(await as_fay.get(path))
            seen = text_of(await visitor.get(path))
            assert "Hidden from members" in fay_page
            for page in (ana_page, ben_page):
                assert "Hidden from members" not in page
            assert "Hidden from members" not in seen and "New" not in seen
            # Ana wrote it (so read it); Ben never opened it
            assert 'class="thread-row"' in ana_page and "badge" not in ana_page
            assert "thread-row--unread" in ben_page and ">New<" in ben_page
        await make_reply(read, ben, "Ben answers")
        ana_after = await _page(as_ana, path)
        assert "1 reply" in text_of_html(ana_after) and ">1 new<" in ana_after
        assert "1 reply" in text_of(await as_ben.get(path))
