"""The limit: the thread page's own template rendered from data held in memory, with no
database and no middleware. `uvicorn tests.perf.reference:app` serves it at /threads/1, and
a group's list of 20 topics (the list pages' limit) at /groups/group-1/threads.

Whatever the real thread page costs beyond this is the database, the ORM and the middleware;
the benchmark reports the real page's requests per second as a share of this one's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import Tortoise

from community import clock, db
from community.accounts.models import Member
from community.features import FEATURES
from community.forum.access import ThreadView
from community.forum.models import FLAG_REASON_LABELS, REACTION_LABELS, Post, Thread
from community.forum.post_html import assemble, assemble_rows, quote_href
from community.forum.routes import render_fragments, render_rows
from community.forum.service.reads import ReactionSummary, ThreadListing, ThreadPage
from community.groups.access import Viewer
from community.groups.models import Group
from community.settings import Settings
from community.text import render_markdown
from community.web.templates import make_templates, render

POSTS = 50
TOPICS = 20
BODY = (
    "In my team we start with what the family already does well.\n\n"
    "Peer supervision every fortnight keeps me honest about my **blind spots**."
)


def _page() -> dict[str, Any]:
    """The same context the thread page builds, made of unsaved model objects."""
    Tortoise.init_models(db.MODEL_MODULES, "community")
    moment = clock.now().replace(microsecond=0)

    def saved(obj: Any) -> Any:
        obj._saved_in_db = True  # so other objects may refer to it
        return obj

    group = Group(
        id=1,
        name="Child Protection Practice Circle 1",
        slug="group-1",
        visibility="public",
        join_policy="open",
        member_count=500,
        facilitator_count=1,
        last_activity_at=moment,
        created_at=moment,
    )
    saved(group)
    authors = [
        saved(
            Member(
                id=n,
                display_name=f"Member {n}",
                handle=f"member_{n}",
                verified_at=moment,
                created_at=moment,
            )
        )
        for n in range(1, 11)
    ]
    thread = Thread(
        id=1,
        group=group,
        author=authors[0],
        title="Supervision after a hard case",
        post_count=POSTS,
        pinned=False,
        locked=False,
        created_at=moment,
        last_activity_at=moment,
    )
    saved(thread)
    body_html = render_markdown(BODY)
    posts = [
        Post(
            id=n,
            thread=thread,
            number=n,
            author=authors[n % 10],
            author_id=authors[n % 10].id,
            body=BODY,
            body_html=body_html,
            created_at=moment + timedelta(minutes=n),
            quote=None,
        )
        for n in range(1, POSTS + 1)
    ]
    view = ThreadView(viewer=Viewer(group=group, actor=None, membership=None), thread=thread)
    reactions: dict[int, list[ReactionSummary]] = {}
    result = ThreadPage(view, posts, 1, 1, reactions, None)
    listed = [
        saved(
            Thread(
                id=n,
                group=group,
                author=authors[n % 10],
                title=f"Supervision after a hard case, part {n}",
                post_count=n * 3,
                reply_count=n * 3 - 1,
                pinned=False,
                locked=False,
                created_at=moment,
                last_activity_at=moment - timedelta(hours=n),
            )
        )
        for n in range(1, TOPICS + 1)
    ]
    listing = ThreadListing(view.viewer, [], listed, "next", {}, False)
    return {
        "listing": listing,
        "result": result,
        "thread": thread,
        "group": group,
        "view": view,
        "reaction_labels": REACTION_LABELS,
        "flag_reasons": FLAG_REASON_LABELS,
        "quoted": None,
        "values": {"quote_post_id": ""},
        "watch_level": None,
    }


def create_reference_app() -> Starlette:
    settings = Settings.from_env()
    context = _page()

    async def thread(request: Request) -> Response:
        # the posts rendered every time, as on a thread page whose fragments are not kept
        result = context["result"]
        fragments = render_fragments(
            request, result.view, result.posts, result.reactions, result.page, False
        )
        posts_html = assemble(
            fragments,
            reader_id=None,
            mine={},
            can_moderate=False,
            first_unread=None,
            quote_href=quote_href(1),
            recognitions={},
        )
        return render(request, "forum/thread.html", {**context, "posts_html": posts_html})

    async def topics(request: Request) -> Response:
        # the rows rendered every time, as on a list whose rows are not kept
        rows = render_rows(request, context["listing"].threads)
        rows_html = assemble_rows(rows, signed_in=False, last_read={})
        return render(request, "forum/list.html", {**context, "rows_html": rows_html})

    app = Starlette(routes=[Route("/threads/1", thread), Route("/groups/group-1/threads", topics)])
    app.state.settings = settings
    app.state.templates = make_templates(settings, nav=[n for f in FEATURES for n in f.nav])
    return app


def __getattr__(name: str) -> Starlette:
    if name == "app":
        return create_reference_app()
    raise AttributeError(name)
