"""Accounts' part of the site: sign-in, registration, profiles, settings and tokens."""

from __future__ import annotations

from community.accounts.api import api
from community.accounts.routes import routes
from community.web.features import Feature

feature = Feature(
    name="accounts",
    routes=routes,
    api=api,
)
