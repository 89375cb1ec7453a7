"""The forum's part of the site: discussions in every group, and search."""

from __future__ import annotations

from community.forum.api import api
from community.forum.routes import group_threads_section, routes
from community.web.features import Feature, NavLink, Section

feature = Feature(
    name="forum",
    routes=routes,
    api=api,
    nav=[NavLink("Latest", "/latest"), NavLink("Search", "/search")],
    group_home_sections=[Section("forum/_group_threads.html", group_threads_section)],
)
