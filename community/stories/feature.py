"""Stories' part of the site: stories of change and worker profiles, their review and feed."""

from __future__ import annotations

from community.stories.api import api
from community.stories.routes import profile_stories_section, routes, search_stories_section
from community.web.features import Feature, NavLink, Section

feature = Feature(
    name="stories",
    routes=routes,
    api=api,
    nav=[NavLink("Stories", "/stories")],
    profile_sections=[
        Section("stories/_profile_stories.html", profile_stories_section, visitors=True)
    ],
    search_sections=[Section("stories/_search.html", search_stories_section, visitors=True)],
    # a cover image: a form from the page, or the image itself from the API
    upload_paths=[r"/stories/\d+/cover", r"/api/v1/stories/\d+/cover"],
)
