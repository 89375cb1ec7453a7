"""API: group forums (threads, posts, reactions, flags, watching, moderation) and search."""

from __future__ import annotations

from collections.abc import Sequence

from community.accounts.api import MEMBER_SUMMARY, member_summary
from community.accounts.models import Member
from community.errors import Invalid, NotFound
from community.forum import service
from community.forum.access import access_post
from community.forum.models import (
    HiddenReason,
    Post,
    ReactionKind,
    Thread,
    WatchLevel,
)
from community.forum.schemas import (
    FlagReport,
    NewPost,
    NewThread,
    PostAction,
    PostEdit,
    ThreadAction,
    WatchChoice,
    parse_reaction,
)
from community.forum.search import SearchResult, search_posts
from community.forum.service import flags, watching
from community.forum.service.reads import (
    POSTS_PER_PAGE,
    ReactionSummary,
    post_reactions,
    shows_body,
    thread_author,
)
from community.text import clean_text
from community.web.api import (
    BOOLEAN,
    CURSOR,
    DATETIME,
    ID,
    ID_MAX,
    JSON,
    LIMIT,
    Api,
    Call,
    Param,
    nullable,
    obj,
    page_of,
    string,
    when,
)

#: this feature's operations, served under /api/v1 with the others'
api = Api()

TAG = "forum"
REACTION_KINDS = [str(kind) for kind in ReactionKind]
#: the `kind` of /posts/{post_id}/reactions/{kind} (another kind answers 422)
REACTION_PATH = {"kind": string(enum=REACTION_KINDS)}
WATCH_LEVELS = [str(level) for level in WatchLevel]


REACTION_COUNTS = api.component(
    "ReactionCounts",
    obj(REACTION_KINDS, **{kind: {"type": "integer", "minimum": 0} for kind in REACTION_KINDS}),
)


MY_REACTIONS: JSON = {
    "type": "array",
    "items": string(enum=REACTION_KINDS),
    "description": "The kinds you reacted with (empty for visitors).",
}
_THREAD_FIELDS: dict[str, JSON] = {
    "id": ID,
    "group_slug": string(),
    "title": string(),
    "author": nullable(MEMBER_SUMMARY),
    "post_count": {"type": "integer", "minimum": 0, "description": "The opening post included."},
    "reply_count": {"type": "integer", "minimum": 0},
    "pinned": BOOLEAN,
    "locked": BOOLEAN,
    "hidden": {
        **BOOLEAN,
        "description": "Hidden by a facilitator or held for review: only facilitators see it.",
    },
    "created_at": DATETIME,
    "last_activity_at": DATETIME,
}
THREAD = api.component("Thread", obj(list(_THREAD_FIELDS), **_THREAD_FIELDS))
THREAD_LIST_ITEM = api.component(
    "ThreadListItem",
    obj(
        [*_THREAD_FIELDS, "unread_posts"],
        **_THREAD_FIELDS,
        unread_posts=nullable(
            {
                "type": "integer",
                "minimum": 0,
                "description": "Posts you have not read (all of them if you never opened the "
                "thread); null for visitors.",
            }
        ),
    ),
)
POST = api.component(
    "Post",
    obj(
        [
            "id",
            "thread_id",
            "number",
            "author",
            "body",
            "body_html",
            "quote_post_id",
            "created_at",
            "edited_at",
            "deleted",
            "hidden",
            "hidden_reason",
            "reactions",
            "my_reactions",
        ],
        id=ID,
        thread_id=ID,
        number={"type": "integer", "minimum": 1, "description": "1 for the opening post."},
        author=nullable(MEMBER_SUMMARY),
        body=nullable(
            string(
                description="Markdown source; null when you may not see it (a deleted post, "
                "or a hidden one unless you wrote it or facilitate the group)."
            )
        ),
        body_html=nullable(string(description="Sanitised HTML; null as `body`.")),
        quote_post_id=nullable(ID),
        created_at=DATETIME,
        edited_at=nullable(DATETIME),
        deleted=BOOLEAN,
        hidden=BOOLEAN,
        hidden_reason=nullable(string(enum=[str(reason) for reason in HiddenReason])),
        reactions=REACTION_COUNTS,
        my_reactions=MY_REACTIONS,
    ),
)
THREAD_PAGE = api.component(
    "ThreadPage",
    obj(
        [
            "thread",
            "posts",
            "page",
            "page_count",
            "posts_per_page",
            "first_unread_number",
            "can_reply",
            "can_moderate",
            "watch_level",
        ],
        thread=THREAD,
        posts={"type": "array", "items": POST},
        page={"type": "integer", "minimum": 1},
        page_count={"type": "integer", "minimum": 1},
        posts_per_page={"type": "integer", "minimum": 1},
        first_unread_number=nullable(
            {
                "type": "integer",
                "minimum": 1,
                "description": "The first post you had not read before this call (null: all "
                "read, never opened, or a visitor).",
            }
        ),
        can_reply=BOOLEAN,
        can_moderate=BOOLEAN,
        watch_level=nullable(string(enum=WATCH_LEVELS, description="null: the default.")),
    ),
)
POST_REACTIONS = api.component(
    "PostReactions",
    obj(
        ["post_id", "reactions", "my_reactions"],
        post_id=ID,
        reactions=REACTION_COUNTS,
        my_reactions=MY_REACTIONS,
    ),
)
SEARCH_RESULT = api.component(
    "SearchResult",
    obj(
        [
            "post_id",
            "post_number",
            "thread_id",
            "thread_title",
            "group_slug",
            "group_name",
            "author_name",
            "created_at",
            "snippet_html",
        ],
        post_id=ID,
        post_number={"type": "integer", "minimum": 1},
        thread_id=ID,
        thread_title=string(),
        group_slug=string(),
        group_name=string(),
        author_name=string(),
        created_at=DATETIME,
        snippet_html=string(description="Escaped text with the matches in <mark>."),
    ),
)
WATCH = api.component("Watch", obj(["level"], level=string(enum=WATCH_LEVELS)))
PAGE = Param(
    "page",
    {"type": "integer", "minimum": 1, "maximum": ID_MAX, "default": 1},
    f"Posts {POSTS_PER_PAGE} a page by post number; past the last page gives the last one.",
)


def _author(member: Member) -> JSON | None:
    return None if member.is_deleted else member_summary(member)


def _thread(thread: Thread, *, author: Member, group_slug: str) -> JSON:
    return {
        "id": thread.id,
        "group_slug": group_slug,
        "title": thread.title,
        "author": _author(author),
        "post_count": thread.post_count,
        "reply_count": thread.reply_count,
        "pinned": thread.pinned,
        "locked": thread.locked,
        "hidden": thread.is_hidden,
        "created_at": when(thread.created_at),
        "last_activity_at": when(thread.last_activity_at),
    }


def _reactions(summaries: Sequence[ReactionSummary]) -> tuple[JSON, list[str]]:
    counts = dict.fromkeys(REACTION_KINDS, 0)
    for summary in summaries:
        counts[str(summary.kind)] = len(summary.names)
    return counts, [str(summary.kind) for summary in summaries if summary.mine]


def _post(
    post: Post,
    *,
    author: Member,
    body_shown: bool,
    reactions: Sequence[ReactionSummary] = (),
) -> JSON:
    counts, mine = _reactions(reactions)
    return {
        "id": post.id,
        "thread_id": post.thread_id,
        "number": post.number,
        "author": _author(author),
        "body": post.body if body_shown else None,
        "body_html": post.body_html if body_shown else None,
        "quote_post_id": post.quote_id,
        "created_at": when(post.created_at),
        "edited_at": when(post.edited_at),
        "deleted": post.is_deleted,
        "hidden": post.is_hidden,
        "hidden_reason": str(post.hidden_reason) if post.hidden_reason else None,
        "reactions": counts,
        "my_reactions": mine,
    }


def _search_result(result: SearchResult) -> JSON:
    return {
        "post_id": result.post_id,
        "post_number": result.post_number,
        "thread_id": result.thread_id,
        "thread_title": result.thread_title,
        "group_slug": result.group_slug,
        "group_name": result.group_name,
        "author_name": result.author_name,
        "created_at": when(result.created_at),
        "snippet_html": str(result.snippet),
    }


def _slug(call: Call) -> str:
    """The path's group slug; one with control characters names no group."""
    slug: str = call.path["slug"]
    if clean_text(slug) != slug:
        raise NotFound("There is no group here.")
    return slug


def _query_text(call: Call, name: str) -> str:
    return clean_text(call.query.get(name, "")).strip()


def _page_number(call: Call) -> int:
    raw = call.query.get("page", "")
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or not 1 <= int(raw) <= ID_MAX:
        raise Invalid(page="Use a whole number from 1.")
    return int(raw)


async def _thread_answer(thread: Thread) -> JSON:
    """A thread just changed by a facilitator (its group is loaded)."""
    return _thread(thread, author=await thread_author(thread), group_slug=thread.group.slug)


async def _post_answer(
    actor: Member | None, post: Post, *, author: Member, can_moderate: bool
) -> JSON:
    reactions = await post_reactions(actor=actor, posts=[post])
    return _post(
        post,
        author=author,
        body_shown=shows_body(post, actor=actor, can_moderate=can_moderate),
        reactions=reactions.get(post.id, []),
    )


# threads


@api.operation(
    "GET",
    "/groups/{slug}/threads",
    summary="A group's discussions: pinned first, then by latest activity",
    description="The first page starts with every pinned thread (besides `limit` others). "
    "Hidden threads are listed for facilitators only.",
    tag=TAG,
    auth="optional",
    response=page_of(THREAD_LIST_ITEM),
    query=[CURSOR, LIMIT],
)
async def list_threads(call: Call) -> JSON:
    listing = await service.list_threads(
        actor=call.actor, slug=_slug(call), cursor=call.cursor(), limit=call.limit()
    )
    slug = listing.viewer.group.slug
    signed_in = call.actor is not None
    return {
        "items": [
            {
                **_thread(thread, author=thread.author, group_slug=slug),
                "unread_posts": listing.unread.get(thread.id) if signed_in else None,
            }
            for thread in [*listing.pinned, *listing.threads]
        ],
        "next_cursor": listing.next_cursor,
    }


@api.operation(
    "POST",
    "/groups/{slug}/threads",
    summary="Start a discussion (members of the group)",
    description="A new member's first posts with links wait for a facilitator's approval: "
    "the thread then answers with `hidden: true` until approved.",
    tag=TAG,
    body=NewThread,
    response=THREAD,
    status=201,
)
async def start_thread(call: Call) -> JSON:
    member = call.member()
    slug = _slug(call)
    thread = await service.start_thread(actor=member, slug=slug, form=call.parsed(NewThread))
    return _thread(thread, author=member, group_slug=slug)


@api.operation(
    "GET",
    "/threads/{thread_id}",
    summary="A discussion with one page of its posts (marks them read)",
    description="Hidden and deleted posts keep their place; their text is null for those "
    "who may not see it, as on the thread page.",
    tag=TAG,
    auth="optional",
    response=THREAD_PAGE,
    query=[PAGE],
)
async def get_thread(call: Call) -> JSON:
    actor = call.actor
    result = await service.thread_page(
        actor=actor, thread_id=call.path["thread_id"], page=_page_number(call)
    )
    view = result.view
    thread = view.thread
    watch_level = await watching.watch_levels(actor, thread_id=thread.id)
    return {
        "thread": _thread(
            thread, author=await thread_author(thread), group_slug=view.viewer.group.slug
        ),
        "posts": [
            _post(
                post,
                author=post.author,
                body_shown=shows_body(post, actor=actor, can_moderate=view.can_moderate),
                reactions=result.reactions.get(post.id, []),
            )
            for post in result.posts
        ],
        "page": result.page,
        "page_count": result.page_count,
        "posts_per_page": POSTS_PER_PAGE,
        "first_unread_number": result.first_unread,
        "can_reply": view.can_reply,
        "can_moderate": view.can_moderate,
        "watch_level": str(watch_level) if watch_level else None,
    }


def _moderation(action: ThreadAction, summary: str) -> None:
    async def moderate(call: Call) -> JSON:
        thread = await service.moderate_thread(
            actor=call.member(), thread_id=call.path["thread_id"], action=action
        )
        return await _thread_answer(thread)

    moderate.__name__ = f"{action}_thread"
    api.operation(
        "POST", f"/threads/{{thread_id}}/{action}", summary=summary, tag=TAG, response=THREAD
    )(moderate)


_moderation(ThreadAction.PIN, "Pin a discussion to the top of its group's list (facilitators)")
_moderation(ThreadAction.UNPIN, "Unpin a discussion (facilitators)")
_moderation(ThreadAction.LOCK, "Lock a discussion: no new replies (facilitators)")
_moderation(ThreadAction.UNLOCK, "Open a locked discussion again (facilitators)")
_moderation(
    ThreadAction.HIDE, "Hide a discussion from everyone but the facilitators (facilitators)"
)
_moderation(ThreadAction.RESTORE, "Show a hidden discussion again (facilitators)")


@api.operation(
    "PUT",
    "/threads/{thread_id}/watch",
    summary="Watch or mute a discussion",
    tag=TAG,
    body=WatchChoice,
    response=WATCH,
)
async def watch_thread(call: Call) -> JSON:
    level = await watching.watch_thread(
        actor=call.member(), thread_id=call.path["thread_id"], level=call.parsed(WatchChoice).level
    )
    return {"level": str(level)}


@api.operation(
    "DELETE",
    "/threads/{thread_id}/watch",
    summary="Back to the default notifications for a discussion",
    tag=TAG,
    status=204,
)
async def unwatch_thread(call: Call) -> None:
    await watching.watch_thread(actor=call.member(), thread_id=call.path["thread_id"], level=None)


@api.operation(
    "PUT",
    "/groups/{slug}/watch",
    summary="Watch or mute every discussion of a group",
    tag=TAG,
    body=WatchChoice,
    response=WATCH,
)
async def watch_group(call: Call) -> JSON:
    level = await watching.watch_group(
        actor=call.member(), slug=_slug(call), level=call.parsed(WatchChoice).level
    )
    return {"level": str(level)}


@api.operation(
    "DELETE",
    "/groups/{slug}/watch",
    summary="Back to the default notifications for a group's discussions",
    tag=TAG,
    status=204,
)
async def unwatch_group(call: Call) -> None:
    await watching.watch_group(actor=call.member(), slug=_slug(call), level=None)


# posts


@api.operation(
    "POST",
    "/threads/{thread_id}/posts",
    summary="Reply to a discussion (members of the group), optionally quoting one of its posts",
    description="A new member's first posts with links wait for a facilitator's approval "
    "(`hidden: true`, `hidden_reason: review`).",
    tag=TAG,
    body=NewPost,
    response=POST,
    status=201,
)
async def reply(call: Call) -> JSON:
    member = call.member()
    post = await service.reply(
        actor=member, thread_id=call.path["thread_id"], form=call.parsed(NewPost)
    )
    return _post(post, author=member, body_shown=shows_body(post, actor=member, can_moderate=False))


@api.operation(
    "GET",
    "/posts/{post_id}",
    summary="One post",
    tag=TAG,
    auth="optional",
    response=POST,
)
async def get_post(call: Call) -> JSON:
    view, post = await access_post(call.actor, call.path["post_id"])
    return await _post_answer(call.actor, post, author=post.author, can_moderate=view.can_moderate)


@api.operation(
    "PATCH",
    "/posts/{post_id}",
    summary="Edit your own post (facilitators see the earlier text)",
    tag=TAG,
    body=PostEdit,
    response=POST,
)
async def edit_post(call: Call) -> JSON:
    member = call.member()
    post = await service.edit_post(
        actor=member, post_id=call.path["post_id"], form=call.parsed(PostEdit)
    )
    return await _post_answer(member, post, author=member, can_moderate=False)


@api.operation(
    "DELETE",
    "/posts/{post_id}",
    summary="Delete your own post (it keeps its place as “post deleted”)",
    tag=TAG,
    status=204,
)
async def delete_post(call: Call) -> None:
    await service.delete_post(actor=call.member(), post_id=call.path["post_id"])


def _post_moderation(action: PostAction, summary: str) -> None:
    async def moderate(call: Call) -> JSON:
        member = call.member()
        post = await service.moderate_post(
            actor=member, post_id=call.path["post_id"], action=action
        )
        # only facilitators get here: they see every post's text
        return await _post_answer(member, post, author=post.author, can_moderate=True)

    moderate.__name__ = f"{action}_post"
    api.operation("POST", f"/posts/{{post_id}}/{action}", summary=summary, tag=TAG, response=POST)(
        moderate
    )


_post_moderation(PostAction.HIDE, "Hide a post: members see that it was hidden (facilitators)")
_post_moderation(
    PostAction.RESTORE, "Show a hidden post again, or approve one held for review (facilitators)"
)


async def _reaction_answer(call: Call, post: Post) -> JSON:
    reactions = await post_reactions(actor=call.actor, posts=[post])
    counts, mine = _reactions(reactions.get(post.id, []))
    return {"post_id": post.id, "reactions": counts, "my_reactions": mine}


@api.operation(
    "PUT",
    "/posts/{post_id}/reactions/{kind}",
    summary="React to a post (once per kind; repeating changes nothing)",
    path_schemas=REACTION_PATH,
    tag=TAG,
    response=POST_REACTIONS,
)
async def add_reaction(call: Call) -> JSON:
    post = await service.react(
        actor=call.member(), post_id=call.path["post_id"], kind=parse_reaction(call.path["kind"])
    )
    return await _reaction_answer(call, post)


@api.operation(
    "DELETE",
    "/posts/{post_id}/reactions/{kind}",
    summary="Take a reaction back",
    path_schemas=REACTION_PATH,
    tag=TAG,
    response=POST_REACTIONS,
)
async def remove_reaction(call: Call) -> JSON:
    post = await service.unreact(
        actor=call.member(), post_id=call.path["post_id"], kind=parse_reaction(call.path["kind"])
    )
    return await _reaction_answer(call, post)


@api.operation(
    "POST",
    "/posts/{post_id}/flags",
    summary="Ask the facilitators to look at a post (once per member and post)",
    description="Three members' flags hide the post until a facilitator reviews it.",
    tag=TAG,
    body=FlagReport,
    response=obj(["post_id", "message"], post_id=ID, message=string()),
    status=201,
)
async def flag_post(call: Call) -> JSON:
    report = call.parsed(FlagReport)
    post = await flags.flag_post(
        actor=call.member(),
        post_id=call.path["post_id"],
        reason=report.reason,
        details=report.details,
    )
    return {"post_id": post.id, "message": "Thank you: the facilitators will review this post."}


# search


@api.operation(
    "GET",
    "/search",
    summary="Search the posts you may read, best matches first",
    description="Not paged: `next_cursor` is always null; ask for up to 100 with `limit`.",
    tag=TAG,
    auth="optional",
    response=page_of(SEARCH_RESULT),
    query=[
        Param("q", string(), "Words to find (an empty query finds nothing)."),
        Param("group", string(), "Only in this group (its slug)."),
        Param("author", string(), "Only by this member (their @handle)."),
        LIMIT,
    ],
)
async def search_forum(call: Call) -> JSON:
    results = await search_posts(
        actor=call.actor,
        query=_query_text(call, "q"),
        group_slug=_query_text(call, "group"),
        author_handle=_query_text(call, "author"),
        limit=call.limit(),
    )
    return {"items": [_search_result(result) for result in results], "next_cursor": None}
