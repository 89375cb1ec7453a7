"""The OpenAPI document: valid OpenAPI 3.1, and describing every route the API serves."""

from __future__ import annotations

from pathlib import Path

import pytest
from openapi_spec_validator import validate
from starlette.applications import Starlette
from starlette.routing import Route

from tests.api.helpers import ApiClient

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_schema_is_valid_openapi_31(api: ApiClient) -> None:
    response = await api.client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any error


async def test_every_api_route_is_in_the_schema(app: Starlette, api: ApiClient) -> None:
    document = (await api.client.get("/api/openapi.json")).json()
    described = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    served = set()
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/api/v1"):
            path = route.path.replace(":int}", "}")
            served |= {(method, path) for method in (route.methods or ()) if method != "HEAD"}
    assert served == described
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "404", "422"):
                assert status in operation["responses"], (method, path, status)


async def test_the_operations_are_those_the_api_has_always_offered(api: ApiClient) -> None:
    # Operations are only ever added (then to tests/api/snapshots/operations.txt, by hand):
    # a refactor of the API's plumbing must keep every method, path and operation id.
    document = (await api.client.get("/api/openapi.json")).json()
    served = sorted(
        f"{method.upper():6} {path}  {operation['operationId']}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    )
    kept = (Path(__file__).parent / "snapshots" / "operations.txt").read_text().splitlines()
    assert served == sorted(kept)


async def test_every_body_is_a_command_the_framework_validates(api: ApiClient) -> None:
    # each request body is documented by the schema generated from its command, the very
    # model that reads it before the handler runs: one shape, never written twice
    document = (await api.client.get("/api/openapi.json")).json()
    components = document["components"]["schemas"]
    bodies = 0
    for operations in document["paths"].values():
        for operation in operations.values():
            if "requestBody" in operation:
                bodies += 1
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                name = schema["$ref"].rsplit("/", 1)[1]
                assert components[name]["additionalProperties"] is False, name
    assert bodies >= 20
