"""An API client for tests: JSON in and out, with or without a bearer token."""

from __future__ import annotations

from typing import Any

import httpx

from community.accounts import tokens
from community.accounts.models import Member


async def token_for(member: Member, name: str = "tests") -> str:
    _, secret = await tokens.create_token(member=member, name=name)
    return secret


class ApiClient:
    def __init__(self, client: httpx.AsyncClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def call(self, method: str, path: str, body: Any = None, **params: Any) -> httpx.Response:
        return await self.client.request(
            method,
            f"/api/v1{path}",
            json=body,
            params={k: v for k, v in params.items() if v is not None},
            headers=self._headers(),
        )

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.call("GET", path, **params)

    async def post(self, path: str, body: Any = None) -> httpx.Response:
        return await self.call("POST", path, body if body is not None else {})

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.call("PATCH", path, body)

    async def put(self, path: str, body: Any = None) -> httpx.Response:
        return await self.call("PUT", path, body if body is not None else {})

    async def delete(self, path: str) -> httpx.Response:
        return await self.call("DELETE", path)

    def as_(self, token: str | None) -> ApiClient:
        """The same client with another member's token (None: a visitor)."""
        return ApiClient(self.client, token)


def error_of(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    error: dict[str, Any] = body["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    return error
