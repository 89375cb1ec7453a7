"""What a feature brings to the site, declared once in its own `feature.py` and listed in
`community/features.py`. The entry modules build everything else from that list: the app's
routes, the API and its OpenAPI document, the navigation, the panels one feature adds to
another's page, and the scheduler's jobs. (Models and notification kinds need no entry:
`db` finds every `community/<feature>/models.py`, and `notifications.kinds` every
`community/<feature>/kinds.py`; page names come from the routes, for `community.urls`.)"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.routing import BaseRoute

from community.settings import Settings
from community.web.api import Api


@dataclass(frozen=True)
class Section:
    """A panel a feature adds to another feature's page: its template, and the function that
    loads its context (for a group home, from the viewer; for a profile, from the actor and the
    member shown), so the page's own feature need not know the later one."""

    template: str
    load: Callable[..., Awaitable[dict[str, Any]]]
    #: shown to visitors too (its loader then gets None for the actor)
    visitors: bool = False


@dataclass(frozen=True)
class NavLink:
    """A link in the site's main navigation."""

    label: str
    path: str
    members_only: bool = False
    #: the name of a counter on the member shown beside the label (unread notifications)
    badge: str = ""


@dataclass(frozen=True)
class Job:
    """A timed job of the worker: every `every(settings)` seconds, or on a cron schedule (UTC).
    Every job runs once at start too, to catch up after a stop, so it must be idempotent."""

    name: str
    run: Callable[[Settings], Awaitable[object]]
    every: Callable[[Settings], int] | None = None
    cron: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Feature:
    """One feature's contribution to the site."""

    name: str
    routes: Sequence[BaseRoute] = ()
    api: Api | None = None
    nav: Sequence[NavLink] = ()
    group_home_sections: Sequence[Section] = ()
    profile_sections: Sequence[Section] = ()
    #: panels of the search page, loaded from the actor and the words asked
    search_sections: Sequence[Section] = ()
    #: the paths (regular expressions) that take uploads: bodies up to max_upload_bytes
    upload_paths: Sequence[str] = ()
    jobs: Sequence[Job] = ()
