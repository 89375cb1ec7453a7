"""The domain's errors: what a service function raises when it refuses.

    DomainError               .message: a sentence for the user
    ├── BadRequest        400 the request could not be read (bad JSON, not UTF-8, NUL bytes)
    ├── Unauthenticated   401 no valid token or session (the API)
    ├── NotFound          404 also for what the actor may not see: never reveal that it exists
    ├── PermissionDenied  403 visible but not allowed (not a facilitator, unverified account)
    ├── Invalid           422 .fields: {"field": "what is wrong and what to do"}
    │                         .details: more for programs, JSON-ready, or None
    ├── Conflict          409 the current state forbids it (already a member, event cancelled)
    └── RateLimited       429 .retry_after

`community.web.errors` renders them, as JSON or as the error page.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can understand."""

    status_code = 400
    code = "error"
    default_message = "That request could not be completed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class BadRequest(DomainError):
    status_code = 400
    code = "bad_request"
    default_message = "The request could not be read."


class Unauthenticated(DomainError):
    status_code = 401
    code = "unauthenticated"
    default_message = "Sign in, or send a personal access token as `Authorization: Bearer ...`."


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    default_message = "We could not find that page."


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"
    default_message = "You are not allowed to do that."


class Invalid(DomainError):
    status_code = 422
    code = "invalid"
    default_message = "Please correct the highlighted fields."
    #: more for programs beside the fields, JSON-ready (the possible client details found in
    #: a post, #20); None for most
    details: dict[str, object] | None = None

    def __init__(self, message: str | None = None, /, **fields: str) -> None:
        self.fields: dict[str, str] = fields
        super().__init__(message)


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
    default_message = "That cannot be done in the current state."


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"
    default_message = "Too many attempts. Please wait a little and try again."

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        self.retry_after = retry_after
        super().__init__(message)
