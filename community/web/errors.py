"""Errors to responses, in one place: JSON for the API, the site's error pages for people."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.templating import Jinja2Templates

from community.errors import DomainError, Invalid, NotFound, RateLimited, Unauthenticated
from community.web.context import page_context

logger = logging.getLogger(__name__)

_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}
_HTTP_MESSAGES = {
    400: "The request could not be understood.",
    404: "We could not find that page.",
    405: "That page does not accept this kind of request.",
    413: "That was too much to send at once. Please shorten it and try again.",
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def error_response(request: Request, error: DomainError) -> Response:
    """Render a domain error as JSON or as an error page with its status."""
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if wants_json(request):
        body: dict[str, object] = {"code": error.code, "message": error.message}
        if isinstance(error, Invalid):
            body["fields"] = error.fields
            if error.details is not None:
                body["details"] = error.details
        return JSONResponse({"error": body}, status_code=error.status_code, headers=headers)
    template = _TEMPLATES.get(error.status_code, "errors/error.html")
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        template,
        {**page_context(request), "error": error, "status_code": error.status_code},
        status_code=error.status_code,
        headers=headers,
    )


async def domain_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)  # noqa: S101  # registered for DomainError only
    return error_response(request, exc)


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101  # registered for HTTPException only
    if exc.status_code == 404:
        return error_response(request, NotFound())
    error = DomainError(_HTTP_MESSAGES.get(exc.status_code, exc.detail))
    error.status_code = exc.status_code
    error.code = "http_error"
    return error_response(request, error)


async def server_error_handler(request: Request, exc: Exception) -> Response:
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    error = DomainError("Something went wrong on our side. It has been logged; please try again.")
    error.status_code = 500
    error.code = "server_error"
    if wants_json(request):
        return error_response(request, error)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "errors/500.html",
        {**page_context(request), "error": error, "status_code": 500},
        status_code=500,
    )
