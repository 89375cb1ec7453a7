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
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, StrictInt, WithJsonSchema
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from community.commands import Command, cleaned, form_number, rule
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


#: a path's id: a positive integer the database can hold
ID: JSON = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = Field(None, description="What is wrong with each field")
    details: dict[str, Any] | None = Field(
        None,
        description="More for programs, with some 422s: `findings`, the possible client "
        "details found in a post (`[{kind, text}]`), to change or confirm",
    )


class Error(BaseModel):
    """Every refusal: `{error: {code, message, fields}}`."""

    error: ErrorDetail


def _flag(value: Any) -> Any:
    """A true-or-false query parameter: true or 1, false or 0 (any case)."""
    if isinstance(value, str):
        spelled = value.lower()
        if spelled in ("0", "false"):
            return False
        if spelled in ("1", "true"):
            return True
        raise rule("Use true or false (or 1 or 0).")
    return value


#: a yes-or-no query parameter: true or 1, false or 0 (any case); absent: false
Flag = Annotated[bool, BeforeValidator(_flag)]
#: free text in a query: control characters removed, white space trimmed
Text = Annotated[str, BeforeValidator(lambda value: cleaned(value).strip())]
#: a whole number in a query (ASCII digits)
Number = Annotated[StrictInt, BeforeValidator(form_number)]


class Query(Command):
    """An operation's query parameters, read like a form: parameters it does not name are
    ignored, and an empty one is as if absent. Each field is a documented parameter."""

    @classmethod
    def from_query(cls, query: QueryParams) -> Query:
        return cls.from_form({name: value for name, value in query.items() if value != ""})


class Limited(Query):
    """How many items a list answers."""

    limit: Number = Field(20, ge=1, le=LIMIT_MAX, description="How many items, at most 100.")
    messages: ClassVar[Mapping[str, str]] = {"limit": f"Use a whole number from 1 to {LIMIT_MAX}."}


class Paged(Limited):
    """A list's page: `cursor` from the previous page's `next_cursor`, and its size."""

    cursor: Text | None = Field(None, description="The `next_cursor` of the previous page.")


Q = TypeVar("Q", bound=Query)


@dataclass
class Call:
    """One API request, as a handler sees it."""

    request: Request
    actor: Member | None
    path: dict[str, Any]
    #: the body read by the operation's command, when it declares one
    command: Command | None = None
    #: the query read by the operation's `Query`, when it declares one
    arguments: Query | None = None

    def parsed(self, kind: type[C]) -> C:
        """The body as the operation's command (the framework read and validated it)."""
        if not isinstance(self.command, kind):
            raise TypeError(f"this operation's body is not a {kind.__name__}")
        return self.command

    def params(self, kind: type[Q]) -> Q:
        """The query as the operation's `Query` (the framework read and validated it)."""
        if not isinstance(self.arguments, kind):
            raise TypeError(f"this operation's query is not a {kind.__name__}")
        return self.arguments

    def member(self) -> Member:
        """The authenticated member, or 401."""
        if self.actor is None:
            raise Unauthenticated()
        return self.actor


Handler = Callable[[Call], Awaitable[Any]]
#: the member a request acts for: of its bearer token (401 if not valid), else of its session
Authenticator = Callable[[Request], Awaitable["Member | None"]]
#: checks the actor may call an operation, from the path's parameters (see Operation.authorise)
Authoriser = Callable[["Member | None", dict[str, Any]], Awaitable[object]]


#: a moment in an answer: ISO 8601 with its offset (UTC as stored), as `when` writes it
Instant = Annotated[
    datetime,
    PlainSerializer(lambda value: value.isoformat(), return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


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
    #: the answer's model (its schema generated from it); None: 204 No Content
    response: type[BaseModel] | None
    status: int
    #: the query parameters: validated before the handler runs, and documented
    query: type[Query] | None
    description: str = ""
    #: schemas of path parameters that are neither ids nor free strings (an enum)
    path_schemas: dict[str, JSON] | None = None
    #: who may call it, checked after authentication and before the body or query is read
    #: (#22: authenticate, authorise, then validate); raises NotFound or PermissionDenied
    authorise: Authoriser | None = None

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

    def operation(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        tag: str,
        auth: str = "required",
        body: type[Command] | None = None,
        response: type[BaseModel] | None = None,
        status: int = 200,
        query: type[Query] | None = None,
        description: str = "",
        path_schemas: dict[str, JSON] | None = None,
        authorise: Authoriser | None = None,
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
                    query,
                    description,
                    path_schemas,
                    authorise,
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
                "schemas": self.components,
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }

    def _schema_of(self, body: type[Command]) -> JSON:
        """A body's schema, generated from its command, as a named component."""
        return self.model_component(body, mode="validation")

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

    def _query_parameters(self, query: type[Query]) -> list[JSON]:
        """One parameter per field of the query's model (a parameter is a value or absent,
        never null, so an optional field is described by its value's schema)."""
        schema = query.model_json_schema(ref_template="#/components/schemas/{model}")
        self.components.update(schema.pop("$defs", {}))
        parameters = []
        for name, field_schema in schema["properties"].items():
            described = dict(field_schema)
            description = described.pop("description", "")
            described.pop("title", None)
            choices = [s for s in described.pop("anyOf", []) if s.get("type") != "null"]
            if choices:
                described = (
                    {**choices[0], **described}
                    if len(choices) == 1
                    else {
                        "anyOf": choices,
                        **described,
                    }
                )
            if described.get("default", 0) is None:
                del described["default"]
            parameters.append(
                {
                    "name": name,
                    "in": "query",
                    "required": name in schema.get("required", []),
                    "schema": described,
                    "description": description,
                }
            )
        return parameters

    def _describe(self, op: Operation) -> JSON:
        parameters: list[JSON] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": (op.path_schemas or {}).get(name)
                or (ID if _is_id(name) else {"type": "string", "minLength": 1}),
            }
            for name in op.path_names()
        ]
        if op.query is not None:
            parameters += self._query_parameters(op.query)
        responses: JSON = {}
        if op.response is None:
            responses[str(op.status)] = {"description": "Done."}
        else:
            responses[str(op.status)] = {
                "description": "Done.",
                "content": {"application/json": {"schema": self.model_component(op.response)}},
            }
        error = {"application/json": {"schema": self.model_component(Error)}}
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
        if op.authorise is not None:
            await op.authorise(actor, request.path_params)
        body = await _read_body(request) if op.body is not None else {}
        command = op.body.from_json(body) if op.body is not None else None
        query = op.query.from_query(request.query_params) if op.query is not None else None
        result = await op.handler(Call(request, actor, request.path_params, command, query))
        if op.response is None:
            return Response(status_code=op.status if op.status != 200 else 204)
        if isinstance(result, BaseModel):
            result = result.model_dump(mode="json")
        return JSONResponse(result, status_code=op.status)

    return endpoint
