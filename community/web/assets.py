"""Static files under content-hashed addresses (#22): a page links `/static/css/site.css?v=<the
file's hash>`, served with a year-long, immutable cache, so a browser asks again only when the
file changed (its address changed with it). An address without the current hash (an old page,
or a hand-typed link) is served too, but must be checked again each time."""

from __future__ import annotations

import hashlib
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

#: a hashed address never changes what it holds
IMMUTABLE = "public, max-age=31536000, immutable"
#: an unhashed one may: the browser keeps it but asks whether it changed
REVALIDATE = "no-cache"


class Assets:
    """The static files' hashes, read once when the site starts (the files ship with it)."""

    def __init__(self, directory: Path, prefix: str = "/static") -> None:
        self.prefix = prefix
        self.hashes = {
            path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[
                :12
            ]
            for path in sorted(directory.rglob("*"))
            if path.is_file()
        }

    def url(self, name: str) -> str:
        """The file's address with its hash (a name that is not there is an error at once)."""
        return f"{self.prefix}/{name}?v={self.hashes[name]}"


class HashedStaticFiles(StaticFiles):
    """StaticFiles that let browsers keep a file for a year when asked for it by its hash."""

    def __init__(self, *, directory: Path, assets: Assets) -> None:
        super().__init__(directory=directory)
        self.assets = assets

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            query = scope.get("query_string", b"").decode("latin-1")
            current = self.assets.hashes.get(path.replace("\\", "/"))
            hashed = current is not None and query == f"v={current}"
            response.headers["cache-control"] = IMMUTABLE if hashed else REVALIDATE
        return response
