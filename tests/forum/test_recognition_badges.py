"""Current recognitions as small badges beside the author's name on every post (#19): for
every kind of reader, only while the term runs, and at once when one is given or taken back
(the posts' shared fragments are kept per thread version, which a recognition does not move)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member
from community.people import service as people
from community.people.models import Recognition
from tests.conftest import open_browser
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


async def test_a_recognition_given_or_taken_back_shows_at_once(app: Starlette) -> None:
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
        page = await browser.get(f"/threads/{thread.id}?page=1")
        assert badges_by_post(page.text) == {"Post 1 by Amir Author": ["Mentor"]}
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
