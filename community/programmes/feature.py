"""Programmes' part of the site: multi-session courses, enrolment, "My learning" and
certificates."""

from __future__ import annotations

from community.programmes.api import api
from community.programmes.routes import routes
from community.web.features import Feature, NavLink

feature = Feature(
    name="programmes",
    routes=routes,
    api=api,
    nav=[NavLink("Programmes", "/programmes")],
)
