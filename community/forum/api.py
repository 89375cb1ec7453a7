"""API: group forums (threads, posts, reactions, flags, watching, moderation) and search."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, ClassVar, Self

from pydantic import BaseModel, Field

from community.accounts.api import MemberSummary
from community.accounts.models import Member
from community.client_details import DetailKind
from community.errors import NotFound
from community.forum import models, search, service
from community.forum.access import access_forum, access_post, access_thread, ensure_can_post
from community.forum.models import HiddenReason, ReactionKind, WatchLevel
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
from community.forum.search import search_posts
from community.forum.service import flags, reads, watching
from community.forum.service.reads import (
    POSTS_PER_PAGE,
    ReactionSummary,
    post_reactions,
    shows_body,
    thread_author,
)
from community.people.service import current_recognitions
from community.text import clean_text
from community.web.api import (
    ID_MAX,
    Api,
    Call,
    Flag,
    Instant,
    Limited,
    Number,
    Paged,
    Query,
    Text,
)

#: this feature's operations, served under /api/v1 with the others'
api = Api()


# who may call an operation, checked before its body is read (#22): what they may not see is
# a 404, a forum they may read but not post in a 403; the services check the rest


async def group_posters_only(actor: Member | None, params: dict[str, Any]) -> None:
    ensure_can_post(await access_forum(actor, str(params["slug"])))


async def thread_posters_only(actor: Member | None, params: dict[str, Any]) -> None:
    ensure_can_post((await access_thread(actor, int(params["thread_id"]))).viewer)


async def thread_readers_only(actor: Member | None, params: dict[str, Any]) -> None:
    await access_thread(actor, int(params["thread_id"]))


async def post_readers_only(actor: Member | None, params: dict[str, Any]) -> None:
    await access_post(actor, int(params["post_id"]))


async def forum_readers_only(actor: Member | None, params: dict[str, Any]) -> None:
    await access_forum(actor, str(params["slug"]))


TAG = "forum"
#: the `kind` of /posts/{post_id}/reactions/{kind} (another kind answers 422)
REACTION_PATH: dict[str, dict[str, Any]] = {
    "kind": {"type": "string", "enum": [str(kind) for kind in ReactionKind]}
}


class PageNumber(Query):
    page: Number = Field(
        1,
        ge=1,
        le=ID_MAX,
        description=f"Posts {POSTS_PER_PAGE} a page by post number; past the last page gives "
        "the last one.",
    )
    messages: ClassVar[Mapping[str, str]] = {"page": "Use a whole number from 1."}


class LatestQuery(Paged):
    mine: Flag = Field(
        False,
        description="Only the groups you belong to (none for visitors); else every "
        "group you may read.",
    )


class SearchQuery(Limited):
    q: Text = Field("", description="Words to find (an empty query finds nothing).")
    group: Text = Field("", description="Only in this group (its slug).")
    author: Text = Field("", description="Only by this member (their @handle).")


#: a row's id, as a path or body may name it (PostgreSQL's integer)
Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Count = Annotated[int, Field(ge=0)]
MyReactions = Annotated[
    list[ReactionKind], Field(description="The kinds you reacted with (empty for visitors).")
]


def _author(member: Member) -> MemberSummary | None:
    """An author as answers show them; null once they deleted their account."""
    return None if member.is_deleted else MemberSummary.of(member)


class Thread(BaseModel):
    """A discussion in a group's forum."""

    id: Id
    group_slug: str
    title: str
    author: MemberSummary | None
    post_count: Count = Field(description="The opening post included.")
    reply_count: Count
    pinned: bool
    locked: bool
    hidden: bool = Field(
        description="Hidden by a facilitator or held for review: only facilitators see it."
    )
    created_at: Instant
    last_activity_at: Instant

    @classmethod
    def of(cls, thread: models.Thread, *, author: Member, group_slug: str, **more: Any) -> Self:
        """The thread as answered; `more` holds a subclass's own fields."""
        return cls(
            id=thread.id,
            group_slug=group_slug,
            title=thread.title,
            author=_author(author),
            post_count=thread.post_count,
            reply_count=thread.reply_count,
            pinned=thread.pinned,
            locked=thread.locked,
            hidden=thread.is_hidden,
            created_at=thread.created_at,
            last_activity_at=thread.last_activity_at,
            **more,
        )


class ThreadListItem(Thread):
    """A discussion in its group's list, with how much of it you have not read."""

    unread_posts: Count | None = Field(
        description="Posts you have not read (all of them if you never opened the thread); "
        "null for visitors."
    )

    @classmethod
    def listed(
        cls, thread: models.Thread, *, group_slug: str, unread_posts: int | None
    ) -> ThreadListItem:
        return cls.of(
            thread, author=thread.author, group_slug=group_slug, unread_posts=unread_posts
        )


class ThreadListPage(BaseModel):
    items: list[ThreadListItem]
    next_cursor: str | None


class LatestThread(BaseModel):
    """A discussion on the Latest list: where it is, how active, how much of it is new to you."""

    id: Id
    title: str
    group_slug: str
    group_name: str
    post_count: Count = Field(description="The opening post included.")
    reply_count: Count
    locked: bool
    hidden: bool = Field(description="Hidden by a facilitator: only facilitators see it.")
    last_activity_at: Instant
    unread_posts: Count | None = Field(
        description="Posts you have not read (all of them if you never opened the thread); "
        "null for visitors."
    )

    @classmethod
    def of(cls, entry: reads.LatestThread) -> LatestThread:
        thread = entry.thread
        return cls(
            id=thread.id,
            title=thread.title,
            group_slug=entry.group_slug,
            group_name=entry.group_name,
            post_count=thread.post_count,
            reply_count=thread.reply_count,
            locked=thread.locked,
            hidden=thread.is_hidden,
            last_activity_at=thread.last_activity_at,
            unread_posts=entry.unread,
        )


class LatestPage(BaseModel):
    items: list[LatestThread]
    next_cursor: str | None


class ReactionCounts(BaseModel):
    """How many members reacted to a post with each kind (0 for the kinds nobody used)."""

    like: Count
    insightful: Count
    thanks: Count
    support: Count

    @classmethod
    def of(cls, summaries: Sequence[ReactionSummary]) -> ReactionCounts:
        counts = dict.fromkeys(map(str, ReactionKind), 0)
        for summary in summaries:
            counts[str(summary.kind)] = len(summary.names)
        return cls(**counts)


# every kind is counted, in the enum's order: a new kind needs its field above
if list(ReactionCounts.model_fields) != [str(kind) for kind in ReactionKind]:
    raise TypeError("ReactionCounts must have a field for each ReactionKind, in its order")


def _mine(summaries: Sequence[ReactionSummary]) -> list[ReactionKind]:
    return [summary.kind for summary in summaries if summary.mine]


class PostAuthor(MemberSummary):
    """A post's author, with the recognitions beside their name on the thread page."""

    recognitions: list[str] = Field(
        description="The titles of the recognitions the author holds today, earliest first "
        "(the badges beside their name on the thread page)."
    )

    @classmethod
    def of_author(cls, member: Member, recognitions: Sequence[str]) -> PostAuthor | None:
        """The author as answers show them; null once they deleted their account."""
        if member.is_deleted:
            return None
        return cls(**MemberSummary.of(member).model_dump(), recognitions=list(recognitions))


async def _recognitions(authors: Iterable[Member]) -> dict[int, list[str]]:
    """The current recognitions of these authors (none for deleted ones): one query."""
    return await current_recognitions({author.id for author in authors if not author.is_deleted})


class ConfirmedFinding(BaseModel):
    """A possible client detail the guard found in a post, confirmed by its author (#20)."""

    kind: DetailKind
    text: str


class Post(BaseModel):
    """One post of a discussion; deleted and hidden ones keep their place."""

    id: Id
    thread_id: Id
    number: int = Field(ge=1, description="1 for the opening post.")
    author: PostAuthor | None
    body: str | None = Field(
        description="Markdown source; null when you may not see it (a deleted post, or a "
        "hidden one unless you wrote it or facilitate the group)."
    )
    body_html: str | None = Field(description="Sanitised HTML; null as `body`.")
    quote_post_id: Id | None
    created_at: Instant
    edited_at: Instant | None
    deleted: bool
    hidden: bool
    hidden_reason: HiddenReason | None
    reactions: ReactionCounts
    my_reactions: MyReactions
    confirmed_findings: list[ConfirmedFinding] | None = Field(
        description="In a case-discussion group, the possible client details found in the "
        "post that its author confirmed are not a client's; null unless you facilitate the "
        "group"
    )

    @classmethod
    def of(
        cls,
        post: models.Post,
        *,
        author: Member,
        recognitions: Mapping[int, Sequence[str]],
        body_shown: bool,
        reactions: Sequence[ReactionSummary] = (),
        can_moderate: bool = False,
    ) -> Post:
        """The post as answered; `recognitions` holds its author's current ones by member id."""
        return cls(
            id=post.id,
            thread_id=post.thread_id,
            number=post.number,
            author=PostAuthor.of_author(author, recognitions.get(author.id, ())),
            body=post.body if body_shown else None,
            body_html=post.body_html if body_shown else None,
            quote_post_id=post.quote_id,
            created_at=post.created_at,
            edited_at=post.edited_at,
            deleted=post.is_deleted,
            hidden=post.is_hidden,
            hidden_reason=HiddenReason(post.hidden_reason) if post.hidden_reason else None,
            reactions=ReactionCounts.of(reactions),
            my_reactions=_mine(reactions),
            confirmed_findings=[ConfirmedFinding(**f) for f in post.confirmed_findings]
            if can_moderate and body_shown
            else None,
        )


class ThreadPage(BaseModel):
    """A discussion with one page of its posts, and what you may do there."""

    thread: Thread
    posts: list[Post]
    page: int = Field(ge=1)
    page_count: int = Field(ge=1)
    posts_per_page: int = Field(ge=1)
    first_unread_number: int | None = Field(
        ge=1,
        description="The first post you had not read before this call (null: all read, "
        "never opened, or a visitor).",
    )
    can_reply: bool
    can_moderate: bool
    watch_level: WatchLevel | None = Field(description="null: the default.")

    @classmethod
    def of(
        cls,
        page: reads.ThreadPage,
        *,
        actor: Member | None,
        author: Member,
        recognitions: Mapping[int, Sequence[str]],
        watch_level: WatchLevel | None,
    ) -> ThreadPage:
        view = page.view
        return cls(
            thread=Thread.of(view.thread, author=author, group_slug=view.viewer.group.slug),
            posts=[
                Post.of(
                    post,
                    author=post.author,
                    recognitions=recognitions,
                    body_shown=shows_body(post, actor=actor, can_moderate=view.can_moderate),
                    reactions=page.reactions.get(post.id, []),
                    can_moderate=view.can_moderate,
                )
                for post in page.posts
            ],
            page=page.page,
            page_count=page.page_count,
            posts_per_page=POSTS_PER_PAGE,
            first_unread_number=page.first_unread,
            can_reply=view.can_reply,
            can_moderate=view.can_moderate,
            watch_level=watch_level,
        )


class PostReactions(BaseModel):
    """A post's reactions, after yours changed."""

    post_id: Id
    reactions: ReactionCounts
    my_reactions: MyReactions

    @classmethod
    def of(cls, post: models.Post, summaries: Sequence[ReactionSummary]) -> PostReactions:
        return cls(
            post_id=post.id, reactions=ReactionCounts.of(summaries), my_reactions=_mine(summaries)
        )


class Watch(BaseModel):
    """How you now hear of a discussion, or of a group's discussions."""

    level: WatchLevel


class Flagged(BaseModel):
    """Your flag, received."""

    post_id: Id
    message: str


class SearchResult(BaseModel):
    """A post that matches a search, with where it is."""

    post_id: Id
    post_number: int = Field(ge=1)
    thread_id: Id
    thread_title: str
    group_slug: str
    group_name: str
    author_name: str
    created_at: Instant
    snippet_html: str = Field(description="Escaped text with the matches in <mark>.")

    @classmethod
    def of(cls, result: search.SearchResult) -> SearchResult:
        return cls(
            post_id=result.post_id,
            post_number=result.post_number,
            thread_id=result.thread_id,
            thread_title=result.thread_title,
            group_slug=result.group_slug,
            group_name=result.group_name,
            author_name=result.author_name,
            created_at=result.created_at,
            snippet_html=str(result.snippet),
        )


class SearchResultPage(BaseModel):
    items: list[SearchResult]
    next_cursor: str | None


def _slug(call: Call) -> str:
    """The path's group slug; one with control characters names no group."""
    slug: str = call.path["slug"]
    if clean_text(slug) != slug:
        raise NotFound("There is no group here.")
    return slug


async def _thread_answer(thread: models.Thread) -> Thread:
    """A thread just changed by a facilitator (its group is loaded)."""
    return Thread.of(thread, author=await thread_author(thread), group_slug=thread.group.slug)


async def _post_answer(
    actor: Member | None, post: models.Post, *, author: Member, can_moderate: bool
) -> Post:
    reactions = await post_reactions(actor=actor, posts=[post])
    return Post.of(
        post,
        author=author,
        recognitions=await _recognitions([author]),
        body_shown=shows_body(post, actor=actor, can_moderate=can_moderate),
        reactions=reactions.get(post.id, []),
        can_moderate=can_moderate,
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
    response=ThreadListPage,
    query=Paged,
)
async def list_threads(call: Call) -> ThreadListPage:
    listing = await service.list_threads(
        actor=call.actor,
        slug=_slug(call),
        cursor=call.params(Paged).cursor,
        limit=call.params(Paged).limit,
    )
    slug = listing.viewer.group.slug
    signed_in = call.actor is not None
    return ThreadListPage(
        items=[
            ThreadListItem.listed(
                thread,
                group_slug=slug,
                unread_posts=listing.unread.get(thread.id) if signed_in else None,
            )
            for thread in [*listing.pinned, *listing.threads]
        ],
        next_cursor=listing.next_cursor,
    )


@api.operation(
    "GET",
    "/latest",
    summary="New and active discussions across the groups you may read, latest first",
    description="Pinned threads are not lifted here. Hidden threads are listed for their "
    "group's facilitators only; `mine` keeps the groups you belong to.",
    tag=TAG,
    auth="optional",
    response=LatestPage,
    query=LatestQuery,
)
async def list_latest(call: Call) -> LatestPage:
    asked = call.params(LatestQuery)
    page = await service.list_latest(
        actor=call.actor, mine=asked.mine, cursor=asked.cursor, limit=asked.limit
    )
    return LatestPage(
        items=[LatestThread.of(entry) for entry in page.items], next_cursor=page.next_cursor
    )


@api.operation(
    "POST",
    "/groups/{slug}/threads",
    summary="Start a discussion (members of the group)",
    description="A new member's first posts with links wait for a facilitator's approval: "
    "the thread then answers with `hidden: true` until approved. In a case-discussion group, "
    "possible client details in the title or text answer 422 with each one in "
    "`error.details.findings` (`[{kind, text}]`): change them, or send it again with "
    "`confirm_findings: true` to post anyway.",
    tag=TAG,
    body=NewThread,
    response=Thread,
    status=201,
    authorise=group_posters_only,
)
async def start_thread(call: Call) -> Thread:
    member = call.member()
    slug = _slug(call)
    thread = await service.start_thread(actor=member, slug=slug, form=call.parsed(NewThread))
    return Thread.of(thread, author=member, group_slug=slug)


@api.operation(
    "GET",
    "/threads/{thread_id}",
    summary="A discussion with one page of its posts (marks them read)",
    description="Hidden and deleted posts keep their place; their text is null for those "
    "who may not see it, as on the thread page.",
    tag=TAG,
    auth="optional",
    response=ThreadPage,
    query=PageNumber,
)
async def get_thread(call: Call) -> ThreadPage:
    actor = call.actor
    result = await service.thread_page(
        actor=actor, thread_id=call.path["thread_id"], page=call.params(PageNumber).page
    )
    thread = result.view.thread
    return ThreadPage.of(
        result,
        actor=actor,
        author=await thread_author(thread),
        recognitions=await _recognitions(post.author for post in result.posts),
        watch_level=await watching.watch_levels(actor, thread_id=thread.id),
    )


def _moderation(action: ThreadAction, summary: str) -> None:
    async def moderate(call: Call) -> Thread:
        thread = await service.moderate_thread(
            actor=call.member(), thread_id=call.path["thread_id"], action=action
        )
        return await _thread_answer(thread)

    moderate.__name__ = f"{action}_thread"
    api.operation(
        "POST", f"/threads/{{thread_id}}/{action}", summary=summary, tag=TAG, response=Thread
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
    response=Watch,
    authorise=thread_readers_only,
)
async def watch_thread(call: Call) -> Watch:
    level = call.parsed(WatchChoice).level
    await watching.watch_thread(actor=call.member(), thread_id=call.path["thread_id"], level=level)
    return Watch(level=level)


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
    response=Watch,
    authorise=forum_readers_only,
)
async def watch_group(call: Call) -> Watch:
    level = call.parsed(WatchChoice).level
    await watching.watch_group(actor=call.member(), slug=_slug(call), level=level)
    return Watch(level=level)


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
    "(`hidden: true`, `hidden_reason: review`). In a case-discussion group, possible client "
    "details in the text answer 422 with each one in `error.details.findings` "
    "(`[{kind, text}]`): change them, or send it again with `confirm_findings: true` to post "
    "anyway.",
    tag=TAG,
    body=NewPost,
    response=Post,
    status=201,
    authorise=thread_posters_only,
)
async def reply(call: Call) -> Post:
    member = call.member()
    post = await service.reply(
        actor=member, thread_id=call.path["thread_id"], form=call.parsed(NewPost)
    )
    return Post.of(
        post,
        author=member,
        recognitions=await _recognitions([member]),
        body_shown=shows_body(post, actor=member, can_moderate=False),
    )


@api.operation(
    "GET",
    "/posts/{post_id}",
    summary="One post",
    tag=TAG,
    auth="optional",
    response=Post,
)
async def get_post(call: Call) -> Post:
    view, post = await access_post(call.actor, call.path["post_id"])
    return await _post_answer(call.actor, post, author=post.author, can_moderate=view.can_moderate)


@api.operation(
    "PATCH",
    "/posts/{post_id}",
    summary="Edit your own post (facilitators see the earlier text)",
    description="In a case-discussion group, possible client details in the text answer 422 "
    "with each one in `error.details.findings`: change the text, or send it again with "
    "`confirm_findings: true`.",
    tag=TAG,
    body=PostEdit,
    response=Post,
    authorise=post_readers_only,
)
async def edit_post(call: Call) -> Post:
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
    async def moderate(call: Call) -> Post:
        member = call.member()
        post = await service.moderate_post(
            actor=member, post_id=call.path["post_id"], action=action
        )
        # only facilitators get here: they see every post's text
        return await _post_answer(member, post, author=post.author, can_moderate=True)

    moderate.__name__ = f"{action}_post"
    api.operation("POST", f"/posts/{{post_id}}/{action}", summary=summary, tag=TAG, response=Post)(
        moderate
    )


_post_moderation(PostAction.HIDE, "Hide a post: members see that it was hidden (facilitators)")
_post_moderation(
    PostAction.RESTORE, "Show a hidden post again, or approve one held for review (facilitators)"
)


async def _reaction_answer(call: Call, post: models.Post) -> PostReactions:
    reactions = await post_reactions(actor=call.actor, posts=[post])
    return PostReactions.of(post, reactions.get(post.id, []))


@api.operation(
    "PUT",
    "/posts/{post_id}/reactions/{kind}",
    summary="React to a post (once per kind; repeating changes nothing)",
    path_schemas=REACTION_PATH,
    tag=TAG,
    response=PostReactions,
)
async def add_reaction(call: Call) -> PostReactions:
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
    response=PostReactions,
)
async def remove_reaction(call: Call) -> PostReactions:
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
    response=Flagged,
    status=201,
    authorise=post_readers_only,
)
async def flag_post(call: Call) -> Flagged:
    report = call.parsed(FlagReport)
    post = await flags.flag_post(
        actor=call.member(),
        post_id=call.path["post_id"],
        reason=report.reason,
        details=report.details,
    )
    return Flagged(post_id=post.id, message="Thank you: the facilitators will review this post.")


# search


@api.operation(
    "GET",
    "/search",
    summary="Search the posts you may read, best matches first",
    description="Not paged: `next_cursor` is always null; ask for up to 100 with `limit`.",
    tag=TAG,
    auth="optional",
    response=SearchResultPage,
    query=SearchQuery,
)
async def search_forum(call: Call) -> SearchResultPage:
    asked = call.params(SearchQuery)
    results = await search_posts(
        actor=call.actor,
        query=asked.q,
        group_slug=asked.group,
        author_handle=asked.author,
        limit=asked.limit,
        cache=call.request.app.state.search_results,
    )
    return SearchResultPage(items=[SearchResult.of(result) for result in results], next_cursor=None)
