"""The admins' pages."""

from __future__ import annotations

from community.admin.routes import routes
from community.web.features import Feature

feature = Feature(name="admin", routes=routes)
