"""The API's plumbing against hostile input: odd digits, lone surrogates, control characters
in paths, tampered cursors, nullable enums."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest

from community.accounts.models import Member
from community.app import build_api
from community.db import decode_cursor
from tests.api.helpers import ApiClient, error_of, token_for
from tests.conftest import START
from tests.factories import make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_superscript_limit_is_a_422(api: ApiClient) -> None:
    secret = await token_for(await make_member())
    response = await api.as_(secret).get("/notifications", limit="²")
    assert response.status_code == 422 and "limit" in error_of(response)["fields"]


async def test_lone_surrogates_are_dropped_not_a_500(api: ApiClient) -> None:
    member = await make_member()
    secret = await token_for(member)
    response = await api.client.patch(
        "/api/v1/me",
        content=b'{"bio": "a \\ud800 b"}',
        headers={"Authorization": f"Bearer {secret}", "content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert (await Member.get(id=member.id)).bio == "a  b"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"bio": "caf\xe9"}', "not UTF-8"),
        (b'{"bio": "a \\u0000 b"}', "NUL character"),
        (b'{"\\u0000": "x"}', "NUL character"),
        (b'{"bio": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
        (b'{"bio": "a \x00 b"}', "not valid JSON"),
    ],
)
async def test_unreadable_bodies_are_a_400_and_change_nothing(
    api: ApiClient, body: bytes, message: str
) -> None:
    member = await make_member()
    await Member.filter(id=member.id).update(bio="before")
    secret = await token_for(member)
    response = await api.client.patch(
        "/api/v1/me",
        content=body,
        headers={"Authorization": f"Bearer {secret}", "content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert message in error_of(response)["message"]
    assert (await Member.get(id=member.id)).bio == "before"


async def test_control_characters_in_a_path_are_not_found(api: ApiClient) -> None:
    response = await api.get("/groups/abc%01def")
    assert response.status_code == 404


async def test_a_nullable_enum_answer_is_documented_with_null() -> None:
    document = build_api().openapi(base_url="https://community.test")
    level = document["components"]["schemas"]["ThreadPage"]["properties"]["watch_level"]
    assert {"$ref": "#/components/schemas/WatchLevel"} in level["anyOf"]
    assert {"type": "null"} in level["anyOf"]
    assert "watch_level" in document["components"]["schemas"]["ThreadPage"]["required"]


async def test_query_parameters_are_documented_from_their_model() -> None:
    document = build_api().openapi(base_url="https://community.test")
    parameters = {p["name"]: p for p in document["paths"]["/api/v1/events"]["get"]["parameters"]}
    assert parameters["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 20,
    }
    assert parameters["when"]["schema"]["enum"] == ["upcoming", "past"]
    assert parameters["kind"]["schema"] == {"$ref": "#/components/schemas/EventKind"}
    assert parameters["mine"]["schema"] == {"type": "boolean", "default": False}
    assert not any(p["required"] for p in parameters.values())


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"limit": "0"}, "limit", "Use a whole number from 1 to 100."),
        ({"limit": "\uff11"}, "limit", "Use a whole number from 1 to 100."),
        ({"mine": "yes"}, "mine", "Use true or false (or 1 or 0)."),
        ({"when": "later"}, "when", "Use one of: upcoming, past."),
    ],
)
async def test_a_bad_query_parameter_is_named(
    api: ApiClient, query: dict[str, str], field: str, message: str
) -> None:
    response = await api.get("/events", **query)
    assert response.status_code == 422, response.text
    assert error_of(response)["fields"] == {field: message}


async def test_an_empty_or_unknown_query_parameter_is_as_if_absent(api: ApiClient) -> None:
    response = await api.get("/events", limit="", when="", unknown="1")
    assert response.status_code == 200, response.text


def _cursor(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode()


async def test_tampered_cursors_start_from_the_first_page() -> None:
    moment = START.isoformat()  # with its offset, as a cursor holds it
    far_off = (START + timedelta(days=1000 * 365)).isoformat()  # beyond any database's dates
    assert decode_cursor(_cursor(moment, 5), datetime, int) is not None
    assert decode_cursor(_cursor(moment, 2**40), datetime, int) is None
    assert decode_cursor(_cursor(far_off, 5), datetime, int) is None
    assert decode_cursor(_cursor(moment, True), datetime, int) is None


@pytest.mark.parametrize("path", ["/events", "/groups"])
async def test_true_or_false_query_parameters_read_alike_everywhere(
    api: ApiClient, path: str
) -> None:
    for value in ("true", "TRUE", "1", "false", "False", "0", ""):
        assert (await api.get(path, mine=value)).status_code == 200, value
    for value in ("yes", "on", "2"):
        refused = await api.get(path, mine=value)
        assert refused.status_code == 422, value
        assert error_of(refused)["fields"] == {"mine": "Use true or false (or 1 or 0)."}
