"""Forum pages: thread lists, threads, posting, editing, reactions, moderation."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from community.client_details import DetailsToConfirm, marked
from community.errors import Invalid, NotFound
from community.forum import service
from community.forum.access import (
    ThreadView,
    access_forum,
    access_post,
    access_thread,
    can_post,
    ensure_can_post,
)
from community.forum.models import FLAG_REASON_LABELS, REACTION_LABELS, Post, Thread, WatchLevel
from community.forum.page_cache import FragmentCache, PageCache, RowCache
from community.forum.post_html import (
    ACTIONS,
    BADGE,
    END,
    NAME_END,
    UNREAD_CLASS,
    Fragment,
    ThreadRow,
    assemble,
    assemble_rows,
    fragments_of,
    quote_href,
    rows_of,
)
from community.forum.schemas import (
    FlagReport,
    NewPost,
    NewThread,
    PostAction,
    PostEdit,
    ReactionButton,
    ThreadAction,
)
from community.forum.search import search_posts
from community.forum.service import flags, reads, watching
from community.forum.service.reads import first_unread_number, page_of
from community.groups.access import Viewer
from community.people.service import current_recognitions
from community.urls import path as url_path
from community.web.context import page_context
from community.web.templates import read_form, redirect, redirect_to, render, request_zone

HELD_MESSAGE = (
    "Thank you. As a new member, your posts with links wait for a facilitator's approval; "
    "it will appear once approved."
)


def thread_url(thread_id: int, number: int | None = None) -> str:
    if number is None:
        return url_path("forum:thread", thread_id=thread_id)
    return url_path("forum:thread", thread_id=thread_id, page=page_of(number)) + f"#post-{number}"


async def thread_list(request: Request) -> Response:
    """A group's discussions: the rows kept per group forum version and variant (facilitator
    or not, the reader's zone), with each reader's unread marks added."""
    actor = request.state.member
    viewer = await access_forum(actor, request.path_params["slug"])
    group = viewer.group
    cursor = request.query_params.get("cursor")
    cache: RowCache = request.app.state.thread_rows
    slot = (group.id, cursor or "", viewer.can_facilitate, request_zone(request).key)
    kept = cache.lookup(slot, group.forum_version)
    if kept is None:
        pinned, page = await reads.thread_rows(viewer, cursor=cursor)
        kept = (render_rows(request, pinned + page.items), page.next_cursor)
        cache.store(slot, group.forum_version, kept, sum(len("".join(r.parts)) for r in kept[0]))
    rows, next_cursor = kept
    last_read, watch_level = await reads.list_reader_state(
        actor, group.id, [row.thread_id for row in rows]
    )
    listing = reads.ThreadListing(viewer, [], [], next_cursor, {}, can_post(viewer))
    return render(
        request,
        "forum/list.html",
        {
            "listing": listing,
            "group": group,
            "watch_level": watch_level,
            "rows_html": assemble_rows(rows, signed_in=actor is not None, last_read=last_read),
        },
    )


def render_rows(request: Request, threads: list[Thread]) -> list[ThreadRow]:
    """The rows as every reader of this variant sees them (one render for all of them)."""
    templates: Jinja2Templates = request.app.state.templates
    rendered = templates.get_template("forum/_thread_rows.html").render(
        {
            **page_context(request),
            "threads": threads,
            "unread_mark": UNREAD_CLASS,
            "badge_mark": BADGE,
            "end_mark": END,
        }
    )
    return rows_of(threads, rendered)


def _invalid_context(exc: Invalid, raw: dict[str, str]) -> dict[str, Any]:
    """A form sent back: each message beside its field, the input kept, and the possible
    client details found (case-discussion groups) marked in place in the text."""
    context: dict[str, Any] = {"errors": exc.fields, "values": raw}
    if isinstance(exc, DetailsToConfirm):
        context["findings"] = exc.findings
        context["findings_marked"] = marked(exc.text, exc.findings)
    return context


async def thread_new(request: Request) -> Response:
    viewer = await access_forum(request.state.member, request.path_params["slug"])
    ensure_can_post(viewer)
    return render(request, "forum/new.html", {"group": viewer.group})


async def thread_create(request: Request) -> Response:
    slug = request.path_params["slug"]
    raw = await read_form(request)
    try:
        thread = await service.start_thread(
            actor=request.state.member, slug=slug, form=NewThread.from_form(raw)
        )
    except Invalid as exc:
        viewer = await access_forum(request.state.member, slug)
        return render(
            request,
            "forum/new.html",
            {"group": viewer.group, **_invalid_context(exc, raw)},
            status_code=422,
        )
    message = HELD_MESSAGE if thread.is_hidden else "Your discussion is started."
    return redirect_to(request, thread_url(thread.id), message)


async def _thread_context(
    request: Request, thread_id: int, page: int, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A thread page: its posts' shared fragments (kept per thread version and variant), with
    this reader's actions, unread marker and quote added; marks the page read."""
    actor = request.state.member
    view = await access_thread(actor, thread_id)
    thread = view.thread
    page, page_count = reads.page_bounds(thread, page)
    quote_id = request.query_params.get("quote", "")
    cache: FragmentCache = request.app.state.post_fragments
    slot = (thread.id, page, view.can_moderate, view.can_reply, request_zone(request).key)
    version = (thread.version, thread.post_count)
    fragments = cache.lookup(slot, version)
    posts: list[Post] = []
    reader_id = actor.id if actor is not None else None
    # the author of a hidden post sees its text: their page is theirs alone
    own_hidden = fragments is not None and any(
        f.hidden and f.author_id == reader_id for f in fragments
    )
    if fragments is None or own_hidden or quote_id:
        posts = await reads.page_posts(thread, page)
        own_hidden = any(p.is_hidden and p.author_id == reader_id for p in posts)
        reactions = await reads.post_reactions(actor=None, posts=posts)
        fragments = render_fragments(request, view, posts, reactions, page, own_hidden)
        if not own_hidden:
            cache.store(slot, version, fragments, sum(f.size for f in fragments))
    state = await reads.reader_state(actor, thread, [f.post_id for f in fragments])
    recognitions = await current_recognitions({f.author_id for f in fragments if f.byline})
    if fragments:
        await reads.read_to(actor, thread, fragments[-1].number, state.last_read)
    first_unread = reads.unread_from(state.last_read, thread)
    quoted = next((p for p in posts if str(p.id) == quote_id), None)
    context: dict[str, Any] = {
        "result": reads.ThreadPage(view, posts, page, page_count, {}, first_unread),
        "thread": thread,
        "group": view.viewer.group,
        "view": view,
        "posts_html": assemble(
            fragments,
            reader_id=reader_id,
            mine=state.mine,
            can_moderate=view.can_moderate,
            first_unread=first_unread,
            quote_href=quote_href(page),
            recognitions=recognitions,
        ),
        "quoted": quoted,
        "values": {"quote_post_id": quote_id if quoted else ""},
        "watch_level": state.watch_level,
    }
    context.update(extra or {})
    return context


def render_fragments(
    request: Request,
    view: ThreadView,
    posts: list[Post],
    reactions: dict[int, list[reads.ReactionSummary]],
    page: int,
    own_hidden: bool,
) -> list[Fragment]:
    """The posts as every reader of this variant sees them (one render for all of them)."""
    templates: Jinja2Templates = request.app.state.templates
    rendered = templates.get_template("forum/_posts.html").render(
        {
            **page_context(request),
            "posts": posts,
            "view": view,
            "thread": view.thread,
            "result": reads.ThreadPage(view, posts, page, 1, reactions, None),
            "reaction_labels": REACTION_LABELS,
            "page_href": url_path("forum:thread", thread_id=view.thread.id, page=page),
            "reader_id": request.state.member.id if own_hidden else None,
            "actions_mark": ACTIONS,
            "name_end_mark": NAME_END,
            "end_mark": END,
        }
    )
    return fragments_of(posts, rendered)


def _parse_level(raw: dict[str, str]) -> WatchLevel | None:
    value = raw.get("level", "")
    if value == "default":
        return None
    try:
        return WatchLevel(value)
    except ValueError:
        raise Invalid(level="Choose watching, muted or default.") from None


WATCH_MESSAGES = {
    WatchLevel.WATCHING: "You are watching this. You will hear about new posts.",
    WatchLevel.MUTED: "Muted. You will not hear about new posts.",
    None: "Back to the default notifications.",
}


async def thread_watch(request: Request) -> Response:
    thread_id = request.path_params["thread_id"]
    level = await watching.watch_thread(
        actor=request.state.member,
        thread_id=thread_id,
        level=_parse_level(await read_form(request)),
    )
    return redirect_to(request, thread_url(thread_id), WATCH_MESSAGES[level])


async def group_watch(request: Request) -> Response:
    slug = request.path_params["slug"]
    level = await watching.watch_group(
        actor=request.state.member, slug=slug, level=_parse_level(await read_form(request))
    )
    return redirect(request, "forum:list", WATCH_MESSAGES[level], slug=slug)


async def thread_move_form(request: Request) -> Response:
    thread_id = request.path_params["thread_id"]
    targets = await watching.move_targets(actor=request.state.member, thread_id=thread_id)
    view = await access_thread(request.state.member, thread_id)
    return render(request, "forum/move.html", {"thread": view.thread, "targets": targets})


async def thread_move(request: Request) -> Response:
    raw = await read_form(request)
    thread = await watching.move_thread(
        actor=request.state.member,
        thread_id=request.path_params["thread_id"],
        target_slug=raw.get("group", ""),
    )
    return redirect_to(
        request, thread_url(thread.id), f"The discussion is moved to {thread.group.name}."
    )


async def thread_detail(request: Request) -> Response:
    thread_id = request.path_params["thread_id"]
    raw_page = request.query_params.get("page", "")
    if not raw_page and request.state.member is not None:
        view = await access_thread(request.state.member, thread_id)
        unread = await first_unread_number(request.state.member, view.thread)
        if unread is not None and unread > 1:  # open at the first unread post
            return redirect_to(request, thread_url(thread_id, unread))
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 1
    if request.state.member is not None or request.state.flash or "quote" in request.query_params:
        return render(request, "forum/thread.html", await _thread_context(request, thread_id, page))
    # a visitor: the same page for everyone, kept while the thread's version stands
    cache: PageCache = request.app.state.thread_page_cache
    thread = (await access_thread(None, thread_id)).thread
    key = (thread.id, min(page, 10**9), thread.version, thread.post_count)
    body = cache.get(key)
    if body is not None:
        return HTMLResponse(body)
    response = render(request, "forum/thread.html", await _thread_context(request, thread_id, page))
    token = getattr(request.state, "csrf_masked", "")
    if response.status_code == 200 and not (token and token.encode() in response.body):
        cache.put(key, bytes(response.body))
    return response


async def post_create(request: Request) -> Response:
    thread_id = request.path_params["thread_id"]
    raw = await read_form(request)
    try:
        post = await service.reply(
            actor=request.state.member, thread_id=thread_id, form=NewPost.from_form(raw)
        )
    except Invalid as exc:
        view = await access_thread(request.state.member, thread_id)
        last_page = page_of(max(view.thread.post_count, 1))
        context = await _thread_context(request, thread_id, last_page, _invalid_context(exc, raw))
        return render(request, "forum/thread.html", context, status_code=422)
    message = HELD_MESSAGE if post.is_held else None
    return redirect_to(request, thread_url(thread_id, post.number), message)


async def post_link(request: Request) -> Response:
    _, post = await access_post(request.state.member, request.path_params["post_id"])
    return redirect_to(request, thread_url(post.thread_id, post.number))


async def post_edit_form(request: Request) -> Response:
    view, post = await access_post(request.state.member, request.path_params["post_id"])
    return render(
        request,
        "forum/edit.html",
        {
            "post": post,
            "thread": view.thread,
            "group": view.viewer.group,
            "values": {"body": post.body},
        },
    )


async def post_update(request: Request) -> Response:
    post_id = request.path_params["post_id"]
    raw = await read_form(request)
    try:
        post = await service.edit_post(
            actor=request.state.member, post_id=post_id, form=PostEdit.from_form(raw)
        )
    except Invalid as exc:
        view, post = await access_post(request.state.member, post_id)
        return render(
            request,
            "forum/edit.html",
            {"post": post, "thread": view.thread, "group": view.viewer.group}
            | _invalid_context(exc, raw),
            status_code=422,
        )
    return redirect_to(
        request,
        thread_url(post.thread_id, post.number),
        "Your post is updated.",
    )


async def post_delete(request: Request) -> Response:
    post = await service.delete_post(
        actor=request.state.member, post_id=request.path_params["post_id"]
    )
    return redirect_to(
        request,
        thread_url(post.thread_id, post.number),
        "Your post is deleted.",
    )


async def post_history(request: Request) -> Response:
    view, post, revisions = await service.list_revisions(
        actor=request.state.member, post_id=request.path_params["post_id"]
    )
    return render(
        request,
        "forum/history.html",
        {"post": post, "thread": view.thread, "revisions": revisions},
    )


async def reaction_button(request: Request) -> Response:
    """A reaction button under a post (the thread page's one form sends it)."""
    post_id, kind, add = ReactionButton.from_form(await read_form(request)).target()
    change = service.react if add else service.unreact
    post = await change(actor=request.state.member, post_id=post_id, kind=kind)
    return redirect_to(request, thread_url(post.thread_id, post.number))


async def thread_moderate(request: Request) -> Response:
    try:
        action = ThreadAction(request.path_params["action"])
    except ValueError:
        raise NotFound() from None
    thread = await service.moderate_thread(
        actor=request.state.member, thread_id=request.path_params["thread_id"], action=action
    )
    return redirect_to(request, thread_url(thread.id), THREAD_MESSAGES[action])


THREAD_MESSAGES = {
    ThreadAction.PIN: "The discussion is pinned.",
    ThreadAction.UNPIN: "The discussion is unpinned.",
    ThreadAction.LOCK: "The discussion is locked.",
    ThreadAction.UNLOCK: "The discussion is open again.",
    ThreadAction.HIDE: "The discussion is hidden.",
    ThreadAction.RESTORE: "The discussion is visible again.",
}
POST_MESSAGES = {
    PostAction.HIDE: "The post is hidden.",
    PostAction.RESTORE: "The post is visible again.",
}


async def post_moderate(request: Request) -> Response:
    try:
        action = PostAction(request.path_params["action"])
    except ValueError:
        raise NotFound() from None
    post = await service.moderate_post(
        actor=request.state.member, post_id=request.path_params["post_id"], action=action
    )
    return redirect_to(request, thread_url(post.thread_id, post.number), POST_MESSAGES[action])


async def _flag_page(
    request: Request, post_id: int, *, errors: dict[str, str] | None = None, values: Any = None
) -> Response:
    view, post = await access_post(request.state.member, post_id)
    flagger = ensure_can_post(view.viewer)
    if post.author.id == flagger.id or post.is_deleted:
        raise NotFound("You can flag other members' posts only.")
    return render(
        request,
        "forum/flag.html",
        {
            "post": post,
            "thread": view.thread,
            "page": page_of(post.number),
            "reasons": FLAG_REASON_LABELS,
            "errors": errors or {},
            "values": values or {},
        },
        status_code=422 if errors else 200,
    )


async def post_flag_form(request: Request) -> Response:
    return await _flag_page(request, request.path_params["post_id"])


async def post_flag(request: Request) -> Response:
    post_id = request.path_params["post_id"]
    raw = await read_form(request)
    try:
        report = FlagReport.from_form(raw)
    except Invalid as exc:
        return await _flag_page(request, post_id, errors=exc.fields, values=raw)
    post = await flags.flag_post(
        actor=request.state.member, post_id=post_id, reason=report.reason, details=report.details
    )
    return redirect_to(
        request,
        thread_url(post.thread_id, post.number),
        "Thank you: the facilitators will review this post.",
    )


async def flag_queue(request: Request) -> Response:
    viewer, flagged = await flags.list_flag_queue(
        actor=request.state.member, slug=request.path_params["slug"]
    )
    return render(
        request,
        "forum/flags.html",
        {"group": viewer.group, "queue": flagged, "reasons": FLAG_REASON_LABELS},
    )


async def flag_review(request: Request) -> Response:
    post_id = request.path_params["post_id"]
    decision = request.path_params["decision"]
    actor = request.state.member
    if decision == "dismiss":
        post = await flags.dismiss_flags(actor=actor, post_id=post_id)
        message = "The flags are dismissed."
    elif decision == "hide":
        post = await flags.hide_flagged_post(actor=actor, post_id=post_id)
        message = "The post is hidden and its flags closed."
    elif decision == "warn":
        raw = await read_form(request)
        post = await flags.warn_author(actor=actor, post_id=post_id, message=raw.get("message", ""))
        message = "The author is warned by email and the flags closed."
    else:
        raise NotFound()
    thread = await access_thread(actor, post.thread_id)
    return redirect(request, "forum:flags", message, slug=thread.viewer.group.slug)


async def search_page(request: Request) -> Response:
    params = request.query_params
    query = params.get("q", "").strip()
    group_slug = params.get("group", "").strip()
    author = params.get("author", "").strip()
    results = await search_posts(
        actor=request.state.member,
        query=query,
        group_slug=group_slug,
        author_handle=author,
        cache=request.app.state.search_results,
    )
    # other features' results (published stories) for a search of the whole site
    sections = []
    if query and not group_slug and not author:
        sections = [
            (section.template, await section.load(request.state.member, query))
            for section in request.app.state.search_sections
        ]
    return render(
        request,
        "forum/search.html",
        {
            "query": query,
            "group_slug": group_slug,
            "author": author,
            "results": results,
            "sections": sections,
        },
    )


async def latest_page(request: Request) -> Response:
    """New and active discussions across the groups the reader may read (or only theirs)."""
    params = request.query_params
    mine = params.get("mine") == "1"
    page = await service.list_latest(
        actor=request.state.member, mine=mine, cursor=params.get("cursor")
    )
    return render(request, "forum/latest.html", {"page": page, "mine": mine})


async def group_threads_section(viewer: Viewer) -> dict[str, Any]:
    """The group home's "Discussions" panel."""
    return {"threads": await service.recent_threads(viewer=viewer)}


async def post_preview(request: Request) -> Response:
    """The editor's "Preview": a post's HTML, rendered exactly as it will be saved."""
    body = (await read_form(request)).get("body", "")
    return JSONResponse({"html": await service.preview(actor=request.state.member, body=body)})


routes = [
    Route("/preview", post_preview, methods=["POST"], name="forum:preview"),
    Route("/search", search_page, name="forum:search"),
    Route("/latest", latest_page, name="forum:latest"),
    Route("/groups/{slug:str}/threads", thread_list, name="forum:list"),
    Route("/groups/{slug:str}/threads", thread_create, methods=["POST"], name="forum:create"),
    Route("/groups/{slug:str}/threads/new", thread_new, name="forum:new"),
    Route("/threads/{thread_id:int}", thread_detail, name="forum:thread"),
    Route("/threads/{thread_id:int}/posts", post_create, methods=["POST"], name="forum:reply"),
    Route("/threads/{thread_id:int}/watch", thread_watch, methods=["POST"], name="forum:watch"),
    Route("/threads/{thread_id:int}/move", thread_move_form, name="forum:move"),
    Route("/threads/{thread_id:int}/move", thread_move, methods=["POST"], name="forum:move_submit"),
    Route("/groups/{slug:str}/watch", group_watch, methods=["POST"], name="forum:group_watch"),
    Route(
        "/threads/{thread_id:int}/{action:str}",
        thread_moderate,
        methods=["POST"],
        name="forum:thread_moderate",
    ),
    Route("/posts/{post_id:int}", post_link, name="forum:post"),
    Route("/posts/{post_id:int}/flag", post_flag_form, name="forum:flag"),
    Route("/posts/{post_id:int}/flag", post_flag, methods=["POST"], name="forum:flag_submit"),
    Route("/reactions", reaction_button, methods=["POST"], name="forum:reactions"),
    Route(
        "/posts/{post_id:int}/flags/{decision:str}",
        flag_review,
        methods=["POST"],
        name="forum:flag_review",
    ),
    Route("/groups/{slug:str}/flags", flag_queue, name="forum:flags"),
    Route("/posts/{post_id:int}/edit", post_edit_form, name="forum:post_edit"),
    Route("/posts/{post_id:int}/edit", post_update, methods=["POST"], name="forum:post_update"),
    Route("/posts/{post_id:int}/delete", post_delete, methods=["POST"], name="forum:post_delete"),
    Route("/posts/{post_id:int}/history", post_history, name="forum:post_history"),
    Route(
        "/posts/{post_id:int}/{action:str}",
        post_moderate,
        methods=["POST"],
        name="forum:post_moderate",
    ),
]
