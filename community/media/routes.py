"""Serving stored images: named by the hash of their bytes, so kept by browsers for good."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community.media.service import get_image

FOREVER = "public, max-age=31536000, immutable"


async def image(request: Request) -> Response:
    found = await get_image(request.path_params["key"], request.path_params["extension"])
    etag = f'"{found.key}"'
    headers = {"Cache-Control": FOREVER, "ETag": etag, "X-Content-Type-Options": "nosniff"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(bytes(found.data), media_type=found.content_type, headers=headers)


routes = [Route("/media/{key}.{extension}", image, name="media:image")]
