"""Groups' part of the site: the directory, group homes, membership and facilitation."""

from __future__ import annotations

from community.groups.api import api
from community.groups.routes import routes
from community.web.features import Feature, NavLink

feature = Feature(
    name="groups",
    routes=routes,
    api=api,
    nav=[NavLink("Groups", "/groups"), NavLink("Invitations", "/invitations", members_only=True)],
)
