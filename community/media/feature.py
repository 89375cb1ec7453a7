"""Media's part of the site: the stored images, served at their own addresses."""

from __future__ import annotations

from community.media.routes import routes
from community.web.features import Feature

feature = Feature(name="media", routes=routes)
