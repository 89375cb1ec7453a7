"""The people's part of the site: the member directory, profiles and recognitions."""

from __future__ import annotations

from community.people.api import api
from community.people.routes import routes
from community.web.features import Feature, NavLink

feature = Feature(
    name="people",
    routes=routes,
    api=api,
    nav=[NavLink("Members", "/members")],
)
