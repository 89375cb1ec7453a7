"""The home page's part of the site: the page at / and its summary in the API."""

from __future__ import annotations

from community.home.api import api
from community.home.routes import routes
from community.web.features import Feature

feature = Feature(name="home", routes=routes, api=api)
