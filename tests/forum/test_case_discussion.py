"""Case-discussion groups (#20): facilitators mark a group; its posts are checked for clients'
details before they are saved (pages and API alike), what the author confirmed is kept for
the facilitators, and notifications carry no post text."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from community.accounts.models import Member
from community.client_details import DetailsToConfirm
from community.errors import PermissionDenied
from community.forum import service
from community.forum.models import Post, PostRevision, Thread, WatchLevel
from community.forum.schemas import NewPost, NewThread, PostEdit
from community.forum.service import watching
from community.groups import service as groups_service
from community.groups.models import Group
from community.groups.schemas import GroupChanges
from community.mail.models import OutboxMessage
from community.notifications.models import Notification
from tests.api.helpers import ApiClient, error_of, token_for
from tests.conftest import BASE_URL, open_browser, text_of
from tests.factories import (
    PASSWORD,
    add_member,
    deliver_notification_emails,
    emails_to,
    make_group,
    make_member,
    make_thread,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")

#: a reply that gives a client's phone number away
PHONE_REPLY = "Mdm Tan's son said to call him on 9123 4567 after work."
QUIET_REPLY = "We agreed on a review in two weeks."


@pytest_asyncio.fixture(loop_scope="session")
async def api(app: Starlette) -> AsyncIterator[ApiClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield ApiClient(client)


@dataclass
class CaseGroup:
    group: Group
    facilitator: Member
    member: Member
    thread: Thread


async def case_group(*, case_discussion: bool = True) -> CaseGroup:
    number = await Member.all().count()
    facilitator = await make_member(email=f"fac{number}@example.org", name="Fiona")
    group = await make_group(facilitator=facilitator, name=f"Case Circle {number}")
    member = await make_member(email=f"mem{number}@example.org", name="Sam")
    await add_member(group, member)
    if case_discussion:
        group = await groups_service.update_group(
            actor=facilitator,
            slug=group.slug,
            changes=GroupChanges.from_json({"case_discussion": True}),
        )
    thread = await make_thread(group, facilitator, title="Supporting a carer")
    return CaseGroup(group, facilitator, member, thread)


# -- the setting --------------------------------------------------------------------------


async def test_update_group_by_facilitator_marks_and_unmarks_case_discussion(
    app: Starlette,
) -> None:
    world = await case_group(case_discussion=False)
    async with open_browser(app) as browser:
        await browser.login(world.facilitator.email or "", PASSWORD)
        settings = await browser.get(f"/groups/{world.group.slug}/edit")
        assert 'name="case_discussion"' in settings.text
        marked = await browser.post(
            f"/groups/{world.group.slug}/edit",
            {"name": world.group.name, "case_discussion": "on"},
        )
        assert marked.status_code == 303
        assert (await Group.get(id=world.group.id)).case_discussion
        page = text_of(await browser.get(f"/groups/{world.group.slug}"))
        assert "Case discussion group: posts are checked for clients' details" in page
        settings = await browser.get(f"/groups/{world.group.slug}/edit")
        assert re.search(r'name="case_discussion"[^>]*checked', settings.text)
        # the page's form: an unticked box is not sent, and means no
        unmarked = await browser.post(f"/groups/{world.group.slug}/edit", {"name": "Renamed"})
        assert unmarked.status_code == 303
    group = await Group.get(id=world.group.id)
    assert not group.case_discussion and group.name == "Renamed"


async def test_update_group_by_member_is_refused_and_changes_nothing(app: Starlette) -> None:
    world = await case_group(case_discussion=False)
    async with open_browser(app) as browser:
        await browser.login(world.member.email or "", PASSWORD)
        response = await browser.post(
            f"/groups/{world.group.slug}/edit", {"name": "Mine", "case_discussion": "on"}
        )
        assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        await groups_service.update_group(
            actor=world.member,
            slug=world.group.slug,
            changes=GroupChanges.from_json({"case_discussion": True}),
        )
    group = await Group.get(id=world.group.id)
    assert not group.case_discussion and group.name == world.group.name


async def test_update_group_through_the_api_changes_only_what_is_sent(api: ApiClient) -> None:
    world = await case_group(case_discussion=False)
    as_facilitator = api.as_(await token_for(world.facilitator))
    path = f"/groups/{world.group.slug}"
    marked = await as_facilitator.patch(path, {"case_discussion": True})
    assert marked.status_code == 200, marked.text
    assert marked.json()["case_discussion"] is True
    renamed = await as_facilitator.patch(path, {"name": "Renamed circle"})
    assert renamed.json()["case_discussion"] is True  # not sent: unchanged
    refused = await api.as_(await token_for(world.member)).patch(path, {"case_discussion": False})
    assert refused.status_code == 403
    assert (await Group.get(id=world.group.id)).case_discussion


# -- the guard in the service ---------------------------------------------------------------


async def test_reply_with_client_details_in_case_group_is_refused_until_confirmed() -> None:
    world = await case_group()
    with pytest.raises(DetailsToConfirm) as refused:
        await service.reply(
            actor=world.member, thread_id=world.thread.id, form=NewPost(body=PHONE_REPLY)
        )
    assert [(f.kind, f.text) for f in refused.value.findings] == [("phone", "9123 4567")]
    assert set(refused.value.fields) == {"body"}
    assert await Post.filter(thread_id=world.thread.id).count() == 1

    post = await service.reply(
        actor=world.member,
        thread_id=world.thread.id,
        form=NewPost(body=PHONE_REPLY, confirm_findings=True),
    )
    assert (await Post.get(id=post.id)).confirmed_findings == [
        {"kind": "phone", "text": "9123 4567"}
    ]


async def test_reply_without_client_details_in_case_group_is_saved_with_nothing_confirmed() -> None:
    world = await case_group()
    post = await service.reply(
        actor=world.member, thread_id=world.thread.id, form=NewPost(body=QUIET_REPLY)
    )
    assert (await Post.get(id=post.id)).confirmed_findings == []


async def test_reply_in_other_group_is_not_checked() -> None:
    world = await case_group(case_discussion=False)
    post = await service.reply(
        actor=world.member, thread_id=world.thread.id, form=NewPost(body=PHONE_REPLY)
    )
    assert (await Post.get(id=post.id)).confirmed_findings == []


async def test_start_thread_with_client_details_in_the_title_names_the_title() -> None:
    world = await case_group()
    form = NewThread(title="Mdm Tan, S1234567D", body="How do we support her?")
    with pytest.raises(DetailsToConfirm) as refused:
        await service.start_thread(actor=world.member, slug=world.group.slug, form=form)
    assert set(refused.value.fields) == {"title"}
    assert [f.text for f in refused.value.findings] == ["S1234567D"]
    assert not await Thread.filter(title=form.title).exists()
    thread = await service.start_thread(
        actor=world.member,
        slug=world.group.slug,
        form=NewThread(title=form.title, body=form.body, confirm_findings=True),
    )
    opening = await Post.get(thread_id=thread.id, number=1)
    assert opening.confirmed_findings == [{"kind": "nric", "text": "S1234567D"}]


async def test_edit_post_in_case_group_is_checked() -> None:
    world = await case_group()
    post = await service.reply(
        actor=world.member, thread_id=world.thread.id, form=NewPost(body=QUIET_REPLY)
    )
    with pytest.raises(DetailsToConfirm):
        await service.edit_post(
            actor=world.member, post_id=post.id, form=PostEdit(body=PHONE_REPLY)
        )
    unchanged = await Post.get(id=post.id)
    assert unchanged.body == QUIET_REPLY and unchanged.edited_at is None
    assert not await PostRevision.filter(post_id=post.id).exists()
    await service.edit_post(
        actor=world.member,
        post_id=post.id,
        form=PostEdit(body=PHONE_REPLY, confirm_findings=True),
    )
    edited = await Post.get(id=post.id)
    assert edited.body == PHONE_REPLY
    assert edited.confirmed_findings == [{"kind": "phone", "text": "9123 4567"}]


# -- notifications ------------------------------------------------------------------------


async def test_reply_in_case_group_notifies_watchers_without_its_text() -> None:
    world = await case_group()
    watcher = await make_member(email="watcher@example.org")
    await add_member(world.group, watcher)
    await watching.watch_thread(actor=watcher, thread_id=world.thread.id, level=WatchLevel.WATCHING)
    await service.reply(
        actor=world.member,
        thread_id=world.thread.id,
        form=NewPost(body=PHONE_REPLY, confirm_findings=True),
    )
    notices = await Notification.filter(member_id=watcher.id)
    assert [(n.title, n.body) for n in notices] == [
        (f"Sam replied in “Supporting a carer” in {world.group.name}", "")
    ]
    assert await deliver_notification_emails() >= 1
    [email] = await emails_to("watcher@example.org", "notifications/activity")
    for rendered in (email.subject, email.text_body, email.html_body):
        assert "9123 4567" not in rendered and "Mdm Tan" not in rendered
    assert f"Sam replied in “Supporting a carer” in {world.group.name}" in email.text_body
    assert "/posts/" in email.text_body


async def test_reply_in_other_group_notifies_watchers_with_an_excerpt() -> None:
    world = await case_group(case_discussion=False)
    watcher = await make_member(email="watcher2@example.org")
    await add_member(world.group, watcher)
    await watching.watch_thread(actor=watcher, thread_id=world.thread.id, level=WatchLevel.WATCHING)
    await service.reply(
        actor=world.member, thread_id=world.thread.id, form=NewPost(body=QUIET_REPLY)
    )
    [notice] = await Notification.filter(member_id=watcher.id)
    assert notice.body == QUIET_REPLY


# -- the pages ----------------------------------------------------------------------------


async def test_reply_page_shows_the_findings_in_place_and_keeps_the_text(
    app: Starlette,
) -> None:
    world = await case_group()
    async with open_browser(app) as browser:
        await browser.login(world.member.email or "", PASSWORD)
        body = "<script>alert(1)</script> " + PHONE_REPLY
        response = await browser.post(f"/threads/{world.thread.id}/posts", {"body": body})
        assert response.status_code == 422
        assert (
            '<mark class="finding" title="phone number">9123 4567'
            '<span class="visually-hidden"> (phone number)</span></mark>'
        ) in response.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
        assert "<script>alert(1)" not in response.text
        assert 'name="confirm_findings"' in response.text
        page = text_of(response)
        assert "Phone number: 9123 4567" in page
        assert "We found 1 possible client detail" in page
        assert "Mdm Tan&#39;s son said" in response.text  # the text kept in the box
        assert await Post.filter(thread_id=world.thread.id).count() == 1

        confirmed = await browser.post(
            f"/threads/{world.thread.id}/posts", {"body": body, "confirm_findings": "on"}
        )
        assert confirmed.status_code == 303
    post = await Post.get(thread_id=world.thread.id, number=2)
    assert post.confirmed_findings == [{"kind": "phone", "text": "9123 4567"}]


async def test_reply_page_in_other_group_saves_the_same_text(app: Starlette) -> None:
    world = await case_group(case_discussion=False)
    async with open_browser(app) as browser:
        await browser.login(world.member.email or "", PASSWORD)
        response = await browser.post(f"/threads/{world.thread.id}/posts", {"body": PHONE_REPLY})
        assert response.status_code == 303
    assert await Post.filter(thread_id=world.thread.id, body=PHONE_REPLY).exists()


async def test_new_thread_and_edit_pages_show_the_warning(app: Starlette) -> None:
    world = await case_group()
    post = await service.reply(
        actor=world.member, thread_id=world.thread.id, form=NewPost(body=QUIET_REPLY)
    )
    async with open_browser(app) as browser:
        await browser.login(world.member.email or "", PASSWORD)
        form = await browser.get(f"/groups/{world.group.slug}/threads/new")
        assert "your post is checked for clients' details" in text_of(form)
        new = await browser.post(
            f"/groups/{world.group.slug}/threads",
            {"title": "Housing", "body": "She lives at Blk 123 Ang Mo Kio Ave 3 #05-01."},
        )
        assert new.status_code == 422
        assert "Street address: Blk 123 Ang Mo Kio Ave 3 #05-01" in text_of(new)
        assert not await Thread.filter(title="Housing").exists()
        edit = await browser.post(f"/posts/{post.id}/edit", {"body": PHONE_REPLY})
        assert edit.status_code == 422
        assert "Phone number: 9123 4567" in text_of(edit)
        assert (await Post.get(id=post.id)).body == QUIET_REPLY
        saved = await browser.post(
            f"/posts/{post.id}/edit", {"body": PHONE_REPLY, "confirm_findings": "on"}
        )
        assert saved.status_code == 303
    assert (await Post.get(id=post.id)).body == PHONE_REPLY


async def test_confirmed_findings_note_is_for_facilitators_only(app: Starlette) -> None:
    world = await case_group()
    await service.reply(
        actor=world.member,
        thread_id=world.thread.id,
        form=NewPost(body=PHONE_REPLY + " Or sam@example.org.", confirm_findings=True),
    )
    note = "The author confirmed 2 possible client details are not a client's."
    async with open_browser(app) as fiona, open_browser(app) as sam:
        await fiona.login(world.facilitator.email or "", PASSWORD)
        await sam.login(world.member.email or "", PASSWORD)
        assert note in text_of(await fiona.get(f"/threads/{world.thread.id}?page=1"))
        assert note not in text_of(await sam.get(f"/threads/{world.thread.id}?page=1"))


# -- the API ------------------------------------------------------------------------------


async def test_api_reply_answers_422_with_findings_then_accepts_confirmation(
    api: ApiClient,
) -> None:
    world = await case_group()
    as_member = api.as_(await token_for(world.member))
    path = f"/threads/{world.thread.id}/posts"
    refused = await as_member.post(path, {"body": PHONE_REPLY})
    assert refused.status_code == 422
    error = error_of(refused)
    assert error["code"] == "invalid"
    assert set(error["fields"]) == {"body"}
    assert error["details"] == {"findings": [{"kind": "phone", "text": "9123 4567"}]}
    assert await Post.filter(thread_id=world.thread.id).count() == 1

    created = await as_member.post(path, {"body": PHONE_REPLY, "confirm_findings": True})
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]
    assert created.json()["confirmed_findings"] is None  # for facilitators
    as_facilitator = api.as_(await token_for(world.facilitator))
    seen = (await as_facilitator.get(f"/posts/{post_id}")).json()
    assert seen["confirmed_findings"] == [{"kind": "phone", "text": "9123 4567"}]
    assert (await as_member.get(f"/posts/{post_id}")).json()["confirmed_findings"] is None


async def test_api_edit_and_new_thread_are_checked(api: ApiClient) -> None:
    world = await case_group()
    as_member = api.as_(await token_for(world.member))
    new = await as_member.post(
        f"/groups/{world.group.slug}/threads",
        {"title": "Contact", "body": "Email her at tan.mei@example.com"},
    )
    assert new.status_code == 422
    assert error_of(new)["details"]["findings"] == [
        {"kind": "email", "text": "tan.mei@example.com"}
    ]
    post = await service.reply(
        actor=world.member, thread_id=world.thread.id, form=NewPost(body=QUIET_REPLY)
    )
    edit = await as_member.patch(f"/posts/{post.id}", {"body": PHONE_REPLY})
    assert edit.status_code == 422
    assert (await Post.get(id=post.id)).body == QUIET_REPLY
    saved = await as_member.patch(
        f"/posts/{post.id}", {"body": PHONE_REPLY, "confirm_findings": True}
    )
    assert saved.status_code == 200, saved.text
    assert not await OutboxMessage.filter(template="forum/warning").exists()
