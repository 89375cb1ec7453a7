"""The admins' pages, and the site's metrics for its operators."""

from __future__ import annotations

from community.admin import operations_routes
from community.admin.routes import routes
from community.web.features import Feature

feature = Feature(name="admin", routes=[*routes, *operations_routes.routes])
