"""The API's routes and its OpenAPI document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

# importing a module registers its operations
from community.api import accounts, events, forum, groups, notifications  # noqa: F401
from community.api.registry import api


async def openapi(request: Request) -> Response:
    return JSONResponse(api.openapi(base_url=request.app.state.settings.base_url))


def api_routes() -> list[BaseRoute]:
    return [Route("/api/openapi.json", openapi, name="api:openapi"), *api.routes()]
