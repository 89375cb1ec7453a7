"""The one API registry every endpoint module adds its operations to."""

from __future__ import annotations

from community.api.framework import Api

api = Api()
