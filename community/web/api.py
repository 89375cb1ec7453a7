"""The API's plumbing, written once: operations are declared with their schemas, and both the
routes and the OpenAPI 3.1 document are made from those declarations, so they cannot drift.

Each feature's `api.py` declares its operations on its own `Api`; the entry merges them
(`Api.include`) and serves them. Handlers get a `Call` (the actor, path values, query, JSON
body) and return JSON-able data. Authentication: `Authorization: Bearer <token>` (personal
access tokens, no CSRF), or the browser's session cookie (with CSRF on unsafe methods, checked
by the session middleware); the entry passes in the function that reads the token.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, PlainSerializer, WithJsonSchema
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from community.commands import Command
from community.errors import BadRequest, Invalid, NotFound, Unauthenticated
from community.text import clean_text

if TYPE_CHECKING:  # for the type only: the web layer imports no feature at run time
    from community.accounts.models import Member

JSON = dict[str, Any]
C = TypeVar("C", bound=Command)
PREFIX = "/api/v1"
#: the largest id a path, query or body may name (PostgreSQL's integer)
ID_MAX = 2**31 - 1
LIMIT_MAX = 100
ERROR_STATUSES = (400, 401, 403, 404, 409, 413, 422, 429)
ERROR_DESCRIPTIONS = {
    400: "The request could not be read (bad JSON, bad characters).",
    401: "No valid token or session.",
    403: "Not allowed for this member.",
    404: "No such thing, or not visible to this member.",
    409: "Not possible in the current state.",
    413: "The body is too large.",
    422: "A field is invalid; `fields` names each one.",
    429: "Too many attempts; see Retry-After.",
}


#: a pattern for text that must not be blank: something other than white space
WORDS = r"\S"


def string(**extra: Any) -> JSON:
    return {"type": "string", **extra}


def nullable(schema: JSON) -> JSON:
    """The schema, or null (OpenAPI 3.1 spells it as a type list; an enum lists null too)."""
    if "$ref" in schema:
        return {"oneOf": [schema, {"type": "null"}]}
    kind = schema.get("type")
    if not isinstance(kind, str):
        return schema
    result = {**schema, "type": [kind, "null"]}
    if "enum" in schema:
        result["enum"] = [*schema["enum"], None]
    return result


def obj(required: Iterable[str] = (), **properties: JSON) -> JSON:
    """An object schema with these properties."""
    return {
        "type": "object",
        "required": list(required),
        "properties": properties,
    }


INTEGER: JSON = {"type": "integer"}
ID: JSON = {"type": "integer", "minimum": 1, "maximum": ID_MAX}
BOOLEAN: JSON = {"type": "boolean"}
DATETIME: JSON = {"type": "string", "format": "date-time"}
ERROR: JSON = obj(
    ["error"],
    error=obj(
        ["code", "message"],
        code=string(),
        message=string(),
        fields={"type": "object", "additionalProperties": {"type": "string"}},
    ),
)


def page_of(item: JSON) -> JSON:
    """A list page: `{"items": [...], "next_cursor": "..." | null}`."""
    return obj(
        ["items", "next_cursor"],
        items={"type": "array", "items": item},
        next_cursor=nullable(string()),
    )


@dataclass(frozen=True)
class Param:
    """A query parameter."""

    name: str
    schema: JSON
    description: str = ""
    required: bool = False


CURSOR = Param("cursor", string(), "The `next_cursor` of the previous page.")
LIMIT = Param(
    "limit",
    {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": 20},
    "How many items, at most 100.",
)


@dataclass
class Call:
    """One API request, as a handler sees it."""

    request: Request
    actor: Member | None
    path: dict[str, Any]
    query: QueryParams
    body: JSON
    #: the body read by the operation's command, when it declares one
    command: Command | None = None

    def parsed(self, kind: type[C]) -> C:
        """The body as the operation's command (the framework read and validated it)."""
        if not isinstance(self.command, kind):
            raise TypeError(f"this operation's body is not a {kind.__name__}")
        return self.command

    def member(self) -> Member:
        """The authenticated member, or 401."""
        if self.actor is None:
            raise Unauthenticated()
        return self.actor

    def limit(self, default: int = 20) -> int:
        raw = self.query.get("limit", "")
        if not raw:
            return default
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= LIMIT_MAX:
            raise Invalid(limit=f"Use a whole number from 1 to {LIMIT_MAX}.")
        return int(raw)

    def flag(self, name: str) -> bool:
        """A true-or-false query parameter: true or 1, false or 0 (any case); absent: false."""
        value = self.query.get(name, "").lower()
        if value in ("", "0", "false"):
            return False
        if value in ("1", "true"):
            return True
        raise Invalid(**{name: "Use true or false (or 1 or 0)."})

    def cursor(self) -> str | None:
        return self.query.get("cursor") or None


Handler = Callable[[Call], Awaitable[Any]]
#: the member a request acts for: of its bearer token (401 if not valid), else of its session
Authenticator = Callable[[Request], Awaitable["Member | None"]]


#: a moment in an answer: ISO 8601 with its offset (UTC as stored), as `when` writes it
Instant = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


def when(value: datetime | None) -> str | None:
    """ISO 8601 with its offset (UTC as stored)."""
    return value.isoformat() if value is not None else None


def items(rows: list[Any], serialize: Any, next_cursor: str | None) -> JSON:
    """A list page as the API answers it."""
    return {"items": [serialize(row) for row in rows], "next_cursor": next_cursor}


@dataclass(frozen=True)
class Operation:
    method: str
    #: OpenAPI style, under /api/v1: "/groups/{slug}"
    path: str
    handler: Handler
    summary: str
    tag: str
    #: "required": 401 without a token or session; "optional": visitors too
    auth: str
    #: the command the body must be: validated before the handler runs, and documented
    body: type[Command] | None
    #: None: 204 No Content
    #: a typed answer (its schema generated from it), or a JSON schema of a dict answer
    response: type[BaseModel] | JSON | None
    status: int
    query: tuple[Param, ...]
    description: str = ""
    #: schemas of path parameters that are neither ids nor free strings (an enum)
    path_schemas: dict[str, JSON] | None = None

    @property
    def operation_id(self) -> str:
        return self.handler.__name__

    def path_names(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


def _is_id(name: str) -> bool:
    return name == "id" or name.endswith("_id")


@dataclass
class Api:
    """The registry of operations and schema components."""

    title: str = "community API"
    version: str = "1.0.0"
    operations: list[Operation] = field(default_factory=list)
    components: dict[str, JSON] = field(default_factory=dict)

    def include(self, other: Api) -> None:
        """Serve another feature's operations and schema components too."""
        self.operations.extend(other.operations)
        self.components.update(other.components)

    def component(self, name: str, schema: JSON) -> JSON:
        """Register a named schema; returns a reference to it."""
        self.components[name] = schema
        return {"$ref": f"#/components/schemas/{name}"}

    def operation(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        auth: str = "required",
        body: type[Command] | None = None,
        response: type[BaseModel] | JSON | None = None,
        status: int = 200,
        query: Iterable[Param] = (),
        description: str = "",
        path_schemas: dict[str, JSON] | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.operations.append(
                Operation(
                    method,
                    path,
                    handler,
                    summary,
                    tag,
                    auth,
                    body,
                    response,
                    status,
                    tuple(query),
                    description,
                    path_schemas,
                )
            )
            return handler

        return register

    def routes(self, authenticate: Authenticator) -> list[Route]:
        """Starlette routes for every operation (one route per path, methods dispatched)."""
        by_path: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            by_path.setdefault(op.path, {})[op.method] = op
        routes = []
        for path, methods in by_path.items():
            starlette_path = PREFIX + "/".join(
                f"{{{part[1:-1]}:int}}" if part.startswith("{") and _is_id(part[1:-1]) else part
                for part in path.split("/")
            )
            routes.append(
                Route(starlette_path, _endpoint(methods, authenticate), methods=list(methods))
            )
        return routes

    def openapi(self, *, base_url: str) -> JSON:
        """The OpenAPI 3.1 document."""
        paths: dict[str, JSON] = {}
        for op in self.operations:
            paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = self._describe(op)
        return {
            "openapi": "3.1.0",
            "info": {
                "title": self.title,
                "version": self.version,
                "description": (
                    "JSON in and out. Authenticate with `Authorization: Bearer <token>` "
                    "(personal access tokens from /settings/tokens or POST /api/v1/auth/tokens). "
                    "Lists are `{items, next_cursor}`: pass `cursor` for the next page. Times "
                    "are ISO 8601 with an offset. Errors are `{error: {code, message, fields}}`."
                ),
            },
            "servers": [{"url": base_url}],
            "paths": paths,
            "components": {
                "schemas": {"Error": ERROR, **self.components},
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }

    def _schema_of(self, body: type[Command]) -> JSON:
        """A body's schema, generated from its command, as a named component."""
        return self.model_component(body, mode="validation")

    def _answer_schema(self, answer: type[BaseModel] | JSON) -> JSON:
        return answer if isinstance(answer, dict) else self.model_component(answer)

    def model_component(
        self,
        model: type[BaseModel],
        *,
        mode: Literal["validation", "serialization"] = "serialization",
    ) -> JSON:
        """Register a model's generated schema (and those it uses) as named components;
        returns a reference to it. Answers are described as they are written out."""
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}", mode=mode)
        for name, nested in schema.pop("$defs", {}).items():
            self.components[name] = nested
        self.components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    def _describe(self, op: Operation) -> JSON:
        parameters: list[JSON] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": (op.path_schemas or {}).get(name)
                or (ID if _is_id(name) else string(minLength=1)),
            }
            for name in op.path_names()
        ]
        parameters += [
            {
                "name": p.name,
                "in": "query",
                "required": p.required,
                "schema": p.schema,
                "description": p.description,
            }
            for p in op.query
        ]
        responses: JSON = {}
        if op.response is None:
            responses[str(op.status)] = {"description": "Done."}
        else:
            responses[str(op.status)] = {
                "description": "Done.",
                "content": {"application/json": {"schema": self._answer_schema(op.response)}},
            }
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for status in ERROR_STATUSES:
            responses[str(status)] = {"description": ERROR_DESCRIPTIONS[status], "content": error}
        described: JSON = {
            "operationId": op.operation_id,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": parameters,
            "responses": responses,
        }
        if op.description:
            described["description"] = op.description
        if op.body is not None:
            described["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self._schema_of(op.body)}},
            }
        if op.auth == "required":
            described["security"] = [{"bearer": []}]
        elif op.auth == "optional":
            described["security"] = [{}, {"bearer": []}]
        else:
            described["security"] = []
        return described


async def _read_body(request: Request) -> JSON:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("The body is not UTF-8 text.") from None
    try:
        body = json.loads(text)
    except ValueError:
        raise BadRequest("The body is not valid JSON.") from None
    except RecursionError:
        raise BadRequest("The body is nested too deeply to read.") from None
    if not isinstance(body, dict):
        raise Invalid("The body must be a JSON object.")
    if _holds_nul(body):
        raise BadRequest("The body holds a NUL character (\\u0000), which no field accepts.")
    return body


def _holds_nul(body: object) -> bool:
    """Whether any key or string value anywhere in parsed JSON has a NUL character."""
    stack: list[object] = [body]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False


def _endpoint(
    methods: dict[str, Operation], authenticate: Authenticator
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        op = methods[request.method]
        for value in request.path_params.values():
            if isinstance(value, int) and not 1 <= value <= ID_MAX:
                raise NotFound()
            if isinstance(value, str) and (clean_text(value) != value or len(value) > 200):
                raise NotFound()
        actor = await authenticate(request)
        if op.auth == "required" and actor is None:
            raise Unauthenticated()
        body = await _read_body(request) if op.body is not None else {}
        command = op.body.from_json(body) if op.body is not None else None
        result = await op.handler(
            Call(request, actor, request.path_params, request.query_params, body, command)
        )
        if op.response is None:
            return Response(status_code=op.status if op.status != 200 else 204)
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        return JSONResponse(result, status_code=op.status)

    return endpoint
