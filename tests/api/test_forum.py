"""API: group forums (threads, posts, reactions, flags, watching, moderation) and search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from community import clock
from community.accounts import service as accounts_service
from community.accounts.models import Member
from community.app import build_api
from community.db import encode_cursor
from community.forum import service
from community.forum.models import (
    Flag,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    Thread,
    ThreadRead,
    Watch,
)
from community.forum.schemas import NewPost
from community.groups.models import Group
from tests.api.helpers import ApiClient, error_of, token_for
from tests.factories import PASSWORD, add_member, make_group, make_member, make_reply, make_thread

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _strict(schema: Any) -> Any:
    """The schema with no properties allowed beyond those listed."""
    if isinstance(schema, dict):
        strict = {key: _strict(value) for key, value in schema.items()}
        if "properties" in schema:
            strict.setdefault("additionalProperties", False)
        return strict
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@cache
def _document() -> dict[str, Any]:
    return build_api().openapi(base_url="https://community.test")


def shaped(response: httpx.Response, status: int) -> Any:
    """The response's JSON, after checking its status and that it fits its operation's schema
    exactly (every field listed, nothing more)."""
    assert response.status_code == status, response.text
    path = response.request.url.path
    method = response.request.method.lower()
    for template, operations in _document()["paths"].items():
        parts, actual = template.split("/"), path.split("/")
        if (
            len(parts) == len(actual)
            and all(p.startswith("{") or p == a for p, a in zip(parts, actual, strict=True))
            and method in operations
        ):
            content = operations[method]["responses"][str(status)]["content"]
            schema = content["application/json"]["schema"]
            break
    else:
        raise AssertionError(f"no operation for {method} {path}")
    body = response.json()
    root = {**_strict(schema), "components": _strict(_document()["components"])}
    Draft202012Validator(root).validate(body)
    return body


@dataclass
class Forum:
    group: Group
    facilitator: Member
    member: Member
    outsider: Member
    admin: Member
    as_facilitator: ApiClient
    as_member: ApiClient
    as_outsider: ApiClient
    as_admin: ApiClient
    visitor: ApiClient


async def forum(api: ApiClient, visibility: str = "public") -> Forum:
    facilitator = await make_member(name="Fiona Facilitator")
    admin = await make_member(admin=True, name="Ada Admin")
    group = await make_group(admin=admin, facilitator=facilitator, visibility=visibility)
    member = await make_member(name="Mina Member")
    await add_member(group, member)
    outsider = await make_member(name="Otto Outsider")
    return Forum(
        group,
        facilitator,
        member,
        outsider,
        admin,
        api.as_(await token_for(facilitator)),
        api.as_(await token_for(member)),
        api.as_(await token_for(outsider)),
        api.as_(await token_for(admin)),
        api.as_(None),
    )


# threads


async def test_thread_list_puts_pinned_first_and_pages(api: ApiClient) -> None:
    world = await forum(api)
    threads = []
    for number in range(4):
        threads.append(await make_thread(world.group, world.member, title=f"Thread {number}"))
        clock.advance(timedelta(minutes=1))
    await service.set_pinned(actor=world.facilitator, thread_id=threads[0].id, pinned=True)
    path = f"/groups/{world.group.slug}/threads"
    first = shaped(await world.visitor.get(path, limit=2), 200)
    assert [t["title"] for t in first["items"]] == ["Thread 0", "Thread 3", "Thread 2"]
    assert first["items"][0]["pinned"] and first["items"][0]["group_slug"] == world.group.slug
    assert first["items"][0]["author"]["display_name"] == "Mina Member"
    assert first["items"][0]["unread_posts"] is None  # a visitor
    second = shaped(await world.visitor.get(path, limit=2, cursor=first["next_cursor"]), 200)
    assert [t["title"] for t in second["items"]] == ["Thread 1"]
    assert second["next_cursor"] is None
    await make_reply(threads[1], world.facilitator)
    listed = shaped(await world.as_member.get(path), 200)
    unread = {t["title"]: t["unread_posts"] for t in listed["items"]}
    assert unread["Thread 1"] == 1 and unread["Thread 2"] == 0
    never_opened = shaped(await world.as_outsider.get(path), 200)["items"][0]
    assert never_opened["unread_posts"] == never_opened["post_count"] == 1


async def test_thread_list_refuses_bad_paging(api: ApiClient) -> None:
    world = await forum(api)
    path = f"/groups/{world.group.slug}/threads"
    for limit in ("0", "101", "abc", "²", "-1"):
        response = await world.visitor.get(path, limit=limit)
        assert response.status_code == 422 and "limit" in error_of(response)["fields"], limit
    forged = encode_cursor(clock.now(), 2**40)  # an id beyond the database: the first page
    assert shaped(await world.visitor.get(path, cursor=forged), 200)["items"] == []
    unreadable = await world.visitor.get(path, cursor="not a cursor")
    assert shaped(unreadable, 200)["items"] == []  # starts from the first page
    assert (await world.visitor.get("/groups/no-such-group/threads")).status_code == 404
    assert (await world.visitor.get("/groups/%00x/threads")).status_code == 404


async def test_thread_list_of_a_private_group_is_for_its_members(api: ApiClient) -> None:
    world = await forum(api, visibility="private")
    await make_thread(world.group, world.member, title="Among ourselves")
    path = f"/groups/{world.group.slug}/threads"
    # the group itself is listed in the directory; its discussions are refused, as on the page
    for client in (world.visitor, world.as_outsider):
        response = await client.get(path)
        assert response.status_code == 403 and "private" in error_of(response)["message"]
    for client in (world.as_member, world.as_facilitator, world.as_admin):
        listed = shaped(await client.get(path), 200)
        assert [t["title"] for t in listed["items"]] == ["Among ourselves"]


async def test_hidden_threads_are_listed_and_shown_to_facilitators_only(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member, title="Off the rails")
    await service.hide_thread(actor=world.facilitator, thread_id=thread.id)
    path = f"/groups/{world.group.slug}/threads"
    assert shaped(await world.as_member.get(path), 200)["items"] == []
    [listed] = shaped(await world.as_facilitator.get(path), 200)["items"]
    assert listed["hidden"] is True
    assert (await world.as_member.get(f"/threads/{thread.id}")).status_code == 404
    assert (await world.visitor.get(f"/threads/{thread.id}")).status_code == 404
    assert shaped(await world.as_admin.get(f"/threads/{thread.id}"), 200)["thread"]["hidden"]


async def test_start_thread_as_a_member(api: ApiClient) -> None:
    world = await forum(api)
    path = f"/groups/{world.group.slug}/threads"
    created = shaped(
        await world.as_member.post(path, {"title": "  Case   notes ", "body": "How do *you*?"}), 201
    )
    assert created["title"] == "Case notes" and created["post_count"] == 1
    assert created["author"]["id"] == world.member.id and created["hidden"] is False
    assert created["created_at"] == clock.now().isoformat()
    post = await Post.get(thread_id=created["id"], number=1)
    assert post.body == "How do *you*?" and "<em>you</em>" in post.body_html
    by_admin = await world.as_admin.post(path, {"title": "From the admin", "body": "Hello."})
    assert shaped(by_admin, 201)["author"]["id"] == world.admin.id


async def test_start_thread_refusals_change_nothing(api: ApiClient) -> None:
    world = await forum(api)
    path = f"/groups/{world.group.slug}/threads"
    body = {"title": "Hello", "body": "Hi."}
    assert (await world.visitor.post(path, body)).status_code == 401
    outsider = await world.as_outsider.post(path, body)
    assert outsider.status_code == 403 and "Join the group" in error_of(outsider)["message"]
    unverified = await make_member(verified=False)
    refused = await api.as_(await token_for(unverified)).post(path, body)
    assert refused.status_code == 403 and "verify" in error_of(refused)["message"]
    empty = await world.as_member.post(path, {"title": " ", "body": ""})
    assert empty.status_code == 422 and set(error_of(empty)["fields"]) == {"title", "body"}
    wrong = await world.as_member.post(path, {"title": ["x"], "body": True})
    # every wrong field is named at once
    assert wrong.status_code == 422 and set(error_of(wrong)["fields"]) == {"title", "body"}
    too_long = await world.as_member.post(path, {"title": "x" * 201, "body": "y"})
    assert too_long.status_code == 422 and "title" in error_of(too_long)["fields"]
    assert (await world.as_member.post("/groups/nope/threads", body)).status_code == 404
    assert await Thread.all().count() == 0 and await Post.all().count() == 0


async def test_new_members_thread_with_a_link_is_held(api: ApiClient) -> None:
    world = await forum(api)
    created = await world.as_member.post(
        f"/groups/{world.group.slug}/threads",
        {"title": "Great offer", "body": "See https://example.org"},
    )
    assert shaped(created, 201)["hidden"] is True
    thread_id = created.json()["id"]
    assert (await world.as_outsider.get(f"/threads/{thread_id}")).status_code == 404
    page = shaped(await world.as_facilitator.get(f"/threads/{thread_id}"), 200)
    assert page["posts"][0]["hidden_reason"] == "review"
    assert page["posts"][0]["body"] == "See https://example.org"  # facilitators review it


async def test_get_thread_pages_posts_by_number_and_marks_them_read(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member, title="Long one", body="Opening.")
    for number in range(2, 53):
        author = world.member if number % 2 else world.facilitator
        await make_reply(thread, author, f"Reply {number}.")
        clock.advance(timedelta(minutes=1))  # under the posting rate limit
    path = f"/threads/{thread.id}"
    first = shaped(await world.as_outsider.get(path), 200)
    assert first["page"] == 1 and first["page_count"] == 2 and first["posts_per_page"] == 50
    assert [p["number"] for p in first["posts"]] == list(range(1, 51))
    assert first["thread"]["post_count"] == 52 and first["thread"]["title"] == "Long one"
    assert first["thread"]["author"]["id"] == world.member.id
    assert first["posts"][0]["body"] == "Opening." and first["can_reply"] is False
    assert first["can_moderate"] is False and first["watch_level"] is None
    assert first["first_unread_number"] is None  # never opened
    read = await ThreadRead.get(thread_id=thread.id, member_id=world.outsider.id)
    assert read.last_read_number == 50
    second = shaped(await world.as_outsider.get(path, page=2), 200)
    assert [p["number"] for p in second["posts"]] == [51, 52]
    assert second["first_unread_number"] == 51
    beyond = shaped(await world.visitor.get(path, page=99), 200)
    assert beyond["page"] == 2 and beyond["can_reply"] is False
    assert beyond["first_unread_number"] is None
    for page in ("0", "abc", "²", "99999999999999999999", "-1"):
        response = await world.visitor.get(path, page=page)
        assert response.status_code == 422 and "page" in error_of(response)["fields"], page
    as_member = shaped(await world.as_member.get(path), 200)
    assert as_member["can_reply"] is True and as_member["can_moderate"] is False
    assert shaped(await world.as_facilitator.get(path), 200)["can_moderate"] is True


async def test_get_thread_withholds_what_the_page_withholds(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member, body="Opening.")
    hidden = await make_reply(thread, world.member, "Hidden words.")
    deleted = await make_reply(thread, world.member, "Deleted words.")
    await service.hide_post(actor=world.facilitator, post_id=hidden.id)
    await service.delete_post(actor=world.member, post_id=deleted.id)

    async def posts_seen_by(client: ApiClient) -> dict[int, dict[str, Any]]:
        page = shaped(await client.get(f"/threads/{thread.id}"), 200)
        return {post["number"]: post for post in page["posts"]}

    for client in (world.visitor, world.as_outsider):
        seen = await posts_seen_by(client)
        assert seen[2]["hidden"] and seen[2]["hidden_reason"] == "facilitator"
        assert seen[2]["body"] is None and seen[2]["body_html"] is None
        assert seen[3]["deleted"] and seen[3]["body"] is None
        assert seen[1]["body"] == "Opening."
        assert "Hidden words" not in str(seen) and "Deleted words" not in str(seen)
    for client in (world.as_member, world.as_facilitator):  # the author and a facilitator
        seen = await posts_seen_by(client)
        assert seen[2]["body"] == "Hidden words." and seen[3]["body"] is None
    own = await world.as_member.get(f"/posts/{hidden.id}")
    assert shaped(own, 200)["body"] == "Hidden words."
    assert (await world.as_outsider.get(f"/posts/{hidden.id}")).status_code == 404
    assert (await world.visitor.get(f"/posts/{hidden.id}")).status_code == 404


async def test_deleted_members_posts_have_no_author(api: ApiClient) -> None:
    world = await forum(api)
    leaver = await make_member(name="Lee Leaver")
    await add_member(world.group, leaver)
    thread = await make_thread(world.group, leaver, body="Before I go.")
    await accounts_service.delete_account(actor=leaver, password=PASSWORD)
    page = shaped(await world.visitor.get(f"/threads/{thread.id}"), 200)
    assert page["thread"]["author"] is None and page["posts"][0]["author"] is None
    assert page["posts"][0]["body"] == "Before I go."
    listed = shaped(await world.visitor.get(f"/groups/{world.group.slug}/threads"), 200)
    assert listed["items"][0]["author"] is None


async def test_private_threads_and_posts_are_not_found_for_outsiders(api: ApiClient) -> None:
    world = await forum(api, visibility="private")
    thread = await make_thread(world.group, world.member, body="Private words.")
    post = await Post.get(thread_id=thread.id, number=1)
    for client in (world.visitor, world.as_outsider):
        for response in (
            await client.get(f"/threads/{thread.id}"),
            await client.get(f"/posts/{post.id}"),
        ):
            assert response.status_code == 404 and "Private" not in response.text
    for response in (
        await world.as_outsider.post(f"/threads/{thread.id}/posts", {"body": "Hi"}),
        await world.as_outsider.put(f"/posts/{post.id}/reactions/like"),
        await world.as_outsider.post(f"/posts/{post.id}/flags", {"reason": "spam"}),
        await world.as_outsider.put(f"/threads/{thread.id}/watch", {"level": "watching"}),
        await world.as_outsider.patch(f"/posts/{post.id}", {"body": "Mine now"}),
        await world.as_outsider.delete(f"/posts/{post.id}"),
    ):
        assert response.status_code == 404, response.text
    assert await Post.all().count() == 1 and await Reaction.all().count() == 0
    assert await Flag.all().count() == 0 and await Watch.all().count() == 0
    assert shaped(await world.as_member.get(f"/threads/{thread.id}"), 200)["posts"]
    assert shaped(await world.as_admin.get(f"/posts/{post.id}"), 200)["body"] == "Private words."


async def test_huge_and_unknown_ids_are_not_found(api: ApiClient) -> None:
    world = await forum(api)
    for path in ("/threads/99999999999999999999", "/threads/2147483648", "/posts/0"):
        assert (await world.as_member.get(path)).status_code == 404, path
    assert (await world.as_member.get("/threads/12345")).status_code == 404
    response = await world.as_member.post("/threads/12345/posts", {"body": "x"})
    assert response.status_code == 404


# posts


async def test_reply_with_a_quote(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member, body="Opening.")
    opening = await Post.get(thread_id=thread.id, number=1)
    path = f"/threads/{thread.id}/posts"
    created = shaped(
        await world.as_facilitator.post(path, {"body": "I agree.", "quote_post_id": opening.id}),
        201,
    )
    assert created["number"] == 2 and created["quote_post_id"] == opening.id
    assert created["body"] == "I agree." and created["body_html"] == "<p>I agree.</p>\n"
    assert created["author"]["id"] == world.facilitator.id and created["edited_at"] is None
    assert created["reactions"] == {kind: 0 for kind in ReactionKind} and not created["deleted"]
    plain = shaped(await world.as_member.post(path, {"body": "Thanks", "quote_post_id": None}), 201)
    assert plain["number"] == 3 and plain["quote_post_id"] is None
    assert (await Thread.get(id=thread.id)).post_count == 3


async def test_reply_refusals_change_nothing(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    other = await make_thread(world.group, world.member)
    elsewhere = await Post.get(thread_id=other.id, number=1)
    path = f"/threads/{thread.id}/posts"
    assert (await world.visitor.post(path, {"body": "Hi"})).status_code == 401
    outsider = await world.as_outsider.post(path, {"body": "Hi"})
    assert outsider.status_code == 403
    for quote in (elsewhere.id, 2**40, "1", True, -3):
        bad = await world.as_member.post(path, {"body": "Hi", "quote_post_id": quote})
        assert bad.status_code == 422 and "quote_post_id" in error_of(bad)["fields"], quote
    empty = await world.as_member.post(path, {"body": "  "})
    assert empty.status_code == 422 and "body" in error_of(empty)["fields"]
    huge = await world.as_member.post(path, {"body": "x" * 20_001})
    assert huge.status_code == 422
    await service.set_locked(actor=world.facilitator, thread_id=thread.id, locked=True)
    locked = await world.as_member.post(path, {"body": "Hi"})
    assert locked.status_code == 409 and "locked" in error_of(locked)["message"]
    assert await Post.filter(thread_id=thread.id).count() == 1
    assert shaped(await world.as_facilitator.post(path, {"body": "Closing."}), 201)["number"] == 2


async def test_replies_are_rate_limited(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    path = f"/threads/{thread.id}/posts"
    statuses = [
        (await world.as_member.post(path, {"body": f"Reply {n}"})).status_code for n in range(10)
    ]
    assert statuses == [201] * 9 + [429]  # the opening post counts too


async def test_edit_post_by_its_author_only(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member, body="First words.")
    post = await Post.get(thread_id=thread.id, number=1)
    path = f"/posts/{post.id}"
    assert (await world.visitor.patch(path, {"body": "Changed"})).status_code == 401
    for client in (world.as_facilitator, world.as_admin):
        refused = await client.patch(path, {"body": "Changed"})
        assert refused.status_code == 403 and "your own" in error_of(refused)["message"]
    empty = await world.as_member.patch(path, {"body": ""})
    assert empty.status_code == 422 and "body" in error_of(empty)["fields"]
    wrong = await world.as_member.patch(path, {"body": 5})
    assert wrong.status_code == 422 and "body" in error_of(wrong)["fields"]
    assert (await Post.get(id=post.id)).body == "First words."
    assert await PostRevision.all().count() == 0
    clock.advance(timedelta(minutes=3))
    edited = shaped(await world.as_member.patch(path, {"body": "Better **words**."}), 200)
    assert edited["body"] == "Better **words**." and "<strong>words</strong>" in edited["body_html"]
    assert edited["edited_at"] == clock.now().isoformat()
    assert edited["author"]["id"] == world.member.id
    [revision] = await PostRevision.filter(post_id=post.id)
    assert revision.body == "First words."


async def test_delete_post_by_its_author_only(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    post = await make_reply(thread, world.member, "Regrettable.")
    path = f"/posts/{post.id}"
    assert (await world.visitor.delete(path)).status_code == 401
    for client in (world.as_facilitator, world.as_outsider):
        assert (await client.delete(path)).status_code == 403
    assert (await Post.get(id=post.id)).deleted_at is None
    done = await world.as_member.delete(path)
    assert done.status_code == 204 and done.content == b""
    assert (await world.as_member.delete(path)).status_code == 204  # already deleted
    seen = shaped(await world.as_member.get(path), 200)
    assert seen["deleted"] is True and seen["body"] is None and seen["number"] == 2
    edit = await world.as_member.patch(path, {"body": "Back"})
    assert edit.status_code == 409


async def test_reactions_are_added_and_taken_back(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    post = await Post.get(thread_id=thread.id, number=1)
    path = f"/posts/{post.id}/reactions"
    added = shaped(await world.as_facilitator.put(f"{path}/thanks"), 200)
    assert added["post_id"] == post.id and added["reactions"]["thanks"] == 1
    assert added["my_reactions"] == ["thanks"]
    again = shaped(await world.as_facilitator.put(f"{path}/thanks"), 200)
    assert again["reactions"]["thanks"] == 1  # once per kind
    by_member = shaped(await world.as_member.put(f"{path}/thanks"), 200)
    assert by_member["reactions"]["thanks"] == 2 and by_member["my_reactions"] == ["thanks"]
    seen = shaped(await world.as_member.get(f"/posts/{post.id}"), 200)
    assert seen["reactions"]["thanks"] == 2 and seen["my_reactions"] == ["thanks"]
    taken = shaped(await world.as_member.delete(f"{path}/thanks"), 200)
    assert taken["reactions"]["thanks"] == 1 and taken["my_reactions"] == []
    assert shaped(await world.as_member.delete(f"{path}/thanks"), 200)["reactions"]["thanks"] == 1
    unknown = await world.as_member.put(f"{path}/love")
    assert unknown.status_code == 422 and "kind" in error_of(unknown)["fields"]
    assert (await world.as_member.delete(f"{path}/love")).status_code == 422
    assert (await world.visitor.put(f"{path}/like")).status_code == 401
    assert (await world.as_outsider.put(f"{path}/like")).status_code == 403
    assert await Reaction.all().count() == 1


async def test_hidden_posts_cannot_be_reacted_to(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    post = await make_reply(thread, world.member)
    await service.hide_post(actor=world.facilitator, post_id=post.id)
    for client in (world.as_member, world.as_facilitator):
        assert (await client.put(f"/posts/{post.id}/reactions/like")).status_code == 404
    assert await Reaction.all().count() == 0


async def test_flag_a_post(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    post = await Post.get(thread_id=thread.id, number=1)
    path = f"/posts/{post.id}/flags"
    assert (await world.visitor.post(path, {"reason": "spam"})).status_code == 401
    assert (await world.as_outsider.post(path, {"reason": "spam"})).status_code == 403
    own = await world.as_member.post(path, {"reason": "spam"})
    assert own.status_code == 409
    for body in (
        {"reason": "boring"},
        {},
        {"reason": 3},
        {"reason": "other", "details": "x" * 1001},
    ):
        bad = await world.as_facilitator.post(path, body)
        assert bad.status_code == 422, body
    assert await Flag.all().count() == 0
    done = shaped(
        await world.as_facilitator.post(path, {"reason": "confidential", "details": "A name."}),
        201,
    )
    assert done["post_id"] == post.id and "facilitators" in done["message"]
    repeated = await world.as_facilitator.post(path, {"reason": "spam"})
    assert shaped(repeated, 201)["post_id"] == post.id  # repeating changes nothing
    [flag] = await Flag.all().values("reason", "details", "member_id")
    assert flag == {
        "reason": "confidential",
        "details": "A name.",
        "member_id": world.facilitator.id,
    }


async def test_three_flags_hide_a_post(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    post = await make_reply(thread, world.member, "Questionable.")
    for _ in range(3):
        flagger = await make_member()
        await add_member(world.group, flagger)
        client = api.as_(await token_for(flagger))
        assert (
            await client.post(f"/posts/{post.id}/flags", {"reason": "abusive"})
        ).status_code == 201
    seen = shaped(await world.as_outsider.get(f"/threads/{thread.id}"), 200)["posts"][1]
    assert seen["hidden"] and seen["hidden_reason"] == "flags" and seen["body"] is None


# moderation


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("pin", "pinned", True),
        ("lock", "locked", True),
        ("hide", "hidden_at", True),
    ],
)
async def test_thread_moderation_is_for_facilitators(
    api: ApiClient, action: str, field: str, value: bool
) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    path = f"/threads/{thread.id}/{action}"
    assert (await world.visitor.post(path)).status_code == 401
    for client in (world.as_member, world.as_outsider):
        refused = await client.post(path)
        assert refused.status_code == 403 and "facilitators" in error_of(refused)["message"]
    unchanged = await Thread.get(id=thread.id)
    assert not unchanged.pinned and not unchanged.locked and unchanged.hidden_at is None
    answer_field = "hidden" if field == "hidden_at" else field
    done = shaped(await world.as_facilitator.post(path), 200)
    assert done[answer_field] is True and done["id"] == thread.id
    assert done["author"]["id"] == world.member.id and done["group_slug"] == world.group.slug
    stored = await Thread.get(id=thread.id)
    assert bool(getattr(stored, field)) is value
    undo = {"pin": "unpin", "lock": "unlock", "hide": "restore"}[action]
    undone = shaped(await world.as_admin.post(f"/threads/{thread.id}/{undo}"), 200)
    assert undone[answer_field] is False
    assert not getattr(await Thread.get(id=thread.id), field)


async def test_locked_thread_refuses_member_replies_through_the_api(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    shaped(await world.as_facilitator.post(f"/threads/{thread.id}/lock"), 200)
    page = shaped(await world.as_member.get(f"/threads/{thread.id}"), 200)
    assert page["thread"]["locked"] and page["can_reply"] is False
    refused = await world.as_member.post(f"/threads/{thread.id}/posts", {"body": "Hi"})
    assert refused.status_code == 409


async def test_post_moderation_is_for_facilitators(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    post = await make_reply(thread, world.member, "Borderline.")
    path = f"/posts/{post.id}"
    assert (await world.visitor.post(f"{path}/hide")).status_code == 401
    refused = await world.as_member.post(f"{path}/hide")
    assert refused.status_code == 403
    assert (await Post.get(id=post.id)).hidden_at is None
    hidden = shaped(await world.as_facilitator.post(f"{path}/hide"), 200)
    assert hidden["hidden"] and hidden["hidden_reason"] == "facilitator"
    assert hidden["body"] == "Borderline."  # facilitators still see it
    assert (await world.as_outsider.post(f"{path}/restore")).status_code == 404
    restored = shaped(await world.as_admin.post(f"{path}/restore"), 200)
    assert not restored["hidden"] and restored["hidden_reason"] is None
    assert (await Post.get(id=post.id)).hidden_at is None


async def test_approving_a_held_opening_post_shows_its_thread(api: ApiClient) -> None:
    world = await forum(api)
    created = await world.as_member.post(
        f"/groups/{world.group.slug}/threads", {"title": "Links", "body": "www.example.org"}
    )
    thread_id = shaped(created, 201)["id"]
    post = await Post.get(thread_id=thread_id, number=1)
    approved = shaped(await world.as_facilitator.post(f"/posts/{post.id}/restore"), 200)
    assert approved["hidden"] is False
    assert shaped(await world.as_outsider.get(f"/threads/{thread_id}"), 200)["posts"]


# watching


async def test_watch_and_mute_a_thread(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    path = f"/threads/{thread.id}/watch"
    assert (await world.visitor.put(path, {"level": "watching"})).status_code == 401
    assert (await world.visitor.delete(path)).status_code == 401
    for body in ({"level": "default"}, {}, {"level": 1}):
        bad = await world.as_outsider.put(path, body)
        assert bad.status_code == 422 and "level" in error_of(bad)["fields"], body
    assert await Watch.all().count() == 0
    assert shaped(await world.as_outsider.put(path, {"level": "watching"}), 200) == {
        "level": "watching"
    }
    assert shaped(await world.as_outsider.put(path, {"level": "muted"}), 200)["level"] == "muted"
    [watch] = await Watch.all()
    assert watch.level == "muted" and watch.member_id == world.outsider.id
    page = shaped(await world.as_outsider.get(f"/threads/{thread.id}"), 200)
    assert page["watch_level"] == "muted"
    assert (await world.as_outsider.delete(path)).status_code == 204
    assert await Watch.all().count() == 0


async def test_watch_a_group(api: ApiClient) -> None:
    world = await forum(api, visibility="private")
    path = f"/groups/{world.group.slug}/watch"
    assert (await world.visitor.put(path, {"level": "watching"})).status_code == 401
    refused = await world.as_outsider.put(path, {"level": "watching"})
    assert refused.status_code == 403
    assert await Watch.all().count() == 0
    assert (
        shaped(await world.as_member.put(path, {"level": "watching"}), 200)["level"] == "watching"
    )
    assert await Watch.all().count() == 1
    assert await Watch.filter(group_id=world.group.id, member_id=world.member.id).exists()
    assert (await world.as_member.delete(path)).status_code == 204
    assert await Watch.all().count() == 0
    assert (await world.as_member.put("/groups/nope/watch", {"level": "muted"})).status_code == 404


# search


async def test_search_finds_only_what_the_reader_may_read(api: ApiClient) -> None:
    world = await forum(api)
    private = await make_group(
        admin=world.admin, facilitator=world.facilitator, visibility="private"
    )
    await add_member(private, world.member)
    await make_thread(world.group, world.member, title="Attachment", body="Secure base talk.")
    await make_thread(private, world.member, title="Secret", body="Confidential attachment case.")

    async def titles(client: ApiClient, **params: Any) -> list[str]:
        found = shaped(await client.get("/search", **params), 200)
        assert found["next_cursor"] is None
        return sorted(result["thread_title"] for result in found["items"])

    assert await titles(world.visitor, q="attachment") == ["Attachment"]
    assert await titles(world.as_outsider, q="attachment") == ["Attachment"]
    assert await titles(world.as_member, q="attachment") == ["Attachment", "Secret"]
    assert await titles(world.as_admin, q="attachment") == ["Attachment", "Secret"]
    assert await titles(world.as_member, q="attachment", group=private.slug) == ["Secret"]
    assert await titles(world.as_outsider, q="attachment", group=private.slug) == []
    assert await titles(world.as_member, q="attachment", limit=1) != []
    assert len(await titles(world.as_member, q="attachment", limit=1)) == 1
    assert await titles(world.visitor, q="attachment", author=f"@{world.member.handle}") == [
        "Attachment"
    ]
    assert await titles(world.visitor, q="attachment", author="@nobody") == []
    assert await titles(world.visitor, q="") == []
    # control characters are dropped, as from every text the API reads
    assert await titles(world.visitor, q="\x00attachment\x01", group="\x00") == ["Attachment"]
    [result] = shaped(await world.visitor.get("/search", q="secure"), 200)["items"]
    assert "<mark>" in result["snippet_html"] and result["group_slug"] == world.group.slug
    assert result["author_name"] == "Mina Member" and result["post_number"] == 1
    bad = await world.visitor.get("/search", q="attachment", limit="1000")
    assert bad.status_code == 422 and "limit" in error_of(bad)["fields"]


async def test_search_leaves_out_hidden_and_deleted_posts(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member, title="Plain", body="Nothing here.")
    hidden = await service.reply(
        actor=world.member, thread_id=thread.id, form=NewPost(body="zebra hidden")
    )
    await service.hide_post(actor=world.facilitator, post_id=hidden.id)
    deleted = await make_reply(thread, world.member, "zebra deleted")
    await service.delete_post(actor=world.member, post_id=deleted.id)
    assert shaped(await world.as_facilitator.get("/search", q="zebra"), 200)["items"] == []


async def test_flag_details_are_parsed_like_the_form(api: ApiClient) -> None:
    world = await forum(api)
    thread = await make_thread(world.group, world.member)
    post = await Post.get(thread_id=thread.id, number=1)
    response = await world.as_facilitator.post(
        f"/posts/{post.id}/flags", {"reason": "other", "details": "  why\x01  "}
    )
    assert shaped(response, 201)["post_id"] == post.id
    assert (await Flag.get(post_id=post.id)).details == "why"
