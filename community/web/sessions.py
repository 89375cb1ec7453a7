"""Cookies and the request's signed-in member, CSRF checks and flash messages.

One pure ASGI middleware: it loads the session named by the cookie (one query, member
included), checks the CSRF token of every unsafe request before any handler runs (and that a
page's address and a submitted form are UTF-8 text without NUL: a 400 otherwise), and writes
the cookies that handlers asked for when the response starts.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from base64 import urlsafe_b64decode, urlsafe_b64encode
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, unquote_to_bytes

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from community import sessions
from community.errors import BadRequest, DomainError, PermissionDenied
from community.settings import Settings
from community.web.csrf import unmask
from community.web.errors import error_response

SESSION_COOKIE = "community_session"
CSRF_COOKIE = "community_csrf"
FLASH_COOKIE = "community_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FORM_TYPE = "application/x-www-form-urlencoded"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: (The API without a session cookie acts for no one, so it has no ambient authority to
#: forge: scripts register and create tokens there without a CSRF token.)
#: paths whose address is itself a secret signed by the site (one-click unsubscribe, RFC
#: 8058: the mail app POSTs with no cookie), so a forged cross-site request cannot know it
SIGNED_PATH_PREFIXES = ("/unsubscribe/",)


class CsrfRejected(Exception):
    """An unsafe request came without the token of the browser's own forms."""


class SessionMiddleware:
    """Attach `member`, `csrf_token` and `flash` to request.state; check CSRF; set cookies."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookies = request.cookies
        state = scope.setdefault("state", {})
        state["cookie_updates"] = {}
        state["session_key"] = None
        state["member"] = None
        key = cookies.get(SESSION_COOKIE)
        if key:
            session = await sessions.find_session(
                key, idle_minutes=self.settings.session_idle_minutes
            )
            if session is None:
                state["cookie_updates"][SESSION_COOKIE] = None
            else:
                state["session_key"] = key
                state["member"] = session.member
        csrf_token = cookies.get(CSRF_COOKIE, "")
        if len(csrf_token) < 32:
            csrf_token = secrets.token_urlsafe(32)
            state["cookie_updates"][CSRF_COOKIE] = csrf_token
        state["csrf_token"] = csrf_token
        state["flash"] = _read_flash(cookies.get(FLASH_COOKIE, ""), self.settings.secret_key)
        if state["flash"]:
            state["cookie_updates"].setdefault(FLASH_COOKIE, None)

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in state["cookie_updates"].items():
                    headers.append("set-cookie", self._cookie(name, value))
                if state["member"] is not None or state["session_key"]:
                    headers.setdefault("cache-control", "private, no-store")
            await send(message)

        query = scope.get("query_string", b"")
        # (the API cleans its parameters itself)
        if not scope["path"].startswith("/api/") and (problem := query_bytes_problem(query)):
            response = error_response(request, BadRequest(problem))
            await response(scope, receive, send_with_cookies)
            return

        if scope["method"] in UNSAFE_METHODS:
            is_form = request.headers.get("content-type", "").startswith(FORM_TYPE)
            needs_token = (
                not _is_token_request(scope)
                and not scope["path"].startswith(SIGNED_PATH_PREFIXES)
                and not (scope["path"].startswith("/api/") and SESSION_COOKIE not in cookies)
            )
            if is_form or needs_token:
                body = await _read_body(receive)
                refusal: DomainError | None = None
                if is_form and (problem := form_bytes_problem(body)):
                    refusal = BadRequest(problem)
                elif needs_token and not _csrf_ok(scope, body, cookies.get(CSRF_COOKIE, "")):
                    refusal = PermissionDenied(
                        "This form has expired or did not come from this site. "
                        "Go back, reload the page and try again."
                    )
                if refusal is not None:
                    response = error_response(request, refusal)
                    await response(scope, receive, send_with_cookies)
                    return
                receive = _replay(body)

        await self.app(scope, receive, send_with_cookies)

    def _cookie(self, name: str, value: str | None) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[name] = value or ""
        morsel = cookie[name]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if self.settings.secure_cookies:
            morsel["secure"] = True
        if value is None:
            morsel["max-age"] = 0
            morsel["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
        elif name == SESSION_COOKIE:
            morsel["max-age"] = self.settings.session_max_days * 86400
        return morsel.OutputString()


def form_bytes_problem(body: bytes) -> str | None:
    """What is wrong with a urlencoded body whose names or values are not UTF-8 text or hold
    NUL (no browser sends those; Starlette would quietly turn bad bytes into U+FFFD)."""
    wrong = _undecodable(body)
    if wrong == "nul":
        return "The form held a NUL character, which no field accepts. Nothing was saved."
    if wrong == "utf-8":
        return (
            "The form held bytes that are not UTF-8 text. Nothing was saved: "
            "check the browser's text encoding and send it again."
        )
    return None


def query_bytes_problem(query: bytes) -> str | None:
    """The same for the query string of a page's address."""
    wrong = _undecodable(query)
    if wrong == "nul":
        return "The address held a NUL character. Check the link and try again."
    if wrong == "utf-8":
        return "The address held bytes that are not UTF-8 text. Check the link and try again."
    return None


def _undecodable(urlencoded: bytes) -> str | None:
    """ "nul" or "utf-8" for the first name or value that holds NUL or is not UTF-8."""
    for pair in urlencoded.split(b"&"):
        for part in pair.split(b"=", 1):
            raw = unquote_to_bytes(part.replace(b"+", b" "))
            if b"\x00" in raw:
                return "nul"
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return "utf-8"
    return None


def _is_token_request(scope: Scope) -> bool:
    """API calls with a bearer token carry no cookies' authority, so need no CSRF token."""
    for name, value in scope["headers"]:
        if name == b"authorization" and value[:7].lower() == b"bearer ":
            return True
    return False


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _csrf_ok(scope: Scope, body: bytes, expected: str) -> bool:
    if not expected:
        return False
    given = ""
    headers = dict(scope["headers"])
    if CSRF_HEADER.encode() in headers:
        given = headers[CSRF_HEADER.encode()].decode("latin-1")
    else:
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip()
        if content_type == b"application/x-www-form-urlencoded":
            fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            given = fields.get(CSRF_FIELD, [""])[0]
        else:  # multipart forms carry the token in their action URL
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = query.get(CSRF_FIELD, [""])[0]
    if not given:
        return False
    # a page's masked token, or the cookie's own value (a script sending the header)
    candidate = given if len(given) == len(expected) else unmask(given)
    return hmac.compare_digest(candidate.encode("latin-1", "replace"), expected.encode())


def _sign(payload: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()[:32]


def _read_flash(raw: str, secret: str) -> list[dict[str, str]]:
    encoded, _, signature = raw.partition(".")
    if not encoded or not signature:
        return []
    try:
        payload = urlsafe_b64decode(encoded.encode())
    except ValueError:
        return []
    if not hmac.compare_digest(signature, _sign(payload, secret)):
        return []
    try:
        messages = json.loads(payload)
    except ValueError:
        return []
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def add_flash(request: Request, message: str, category: str = "success") -> None:
    """Show `message` on the next page this browser loads."""
    secret = request.app.state.settings.secret_key
    pending = getattr(request.state, "flash_pending", [])
    pending.append({"message": message, "category": category})
    request.state.flash_pending = pending
    payload = json.dumps(pending).encode()
    request.state.cookie_updates[FLASH_COOKIE] = (
        urlsafe_b64encode(payload).decode() + "." + _sign(payload, secret)
    )


def sign_in(request: Request, key: str) -> None:
    """Make the browser carry a new session key (rotated at every sign-in)."""
    request.state.cookie_updates[SESSION_COOKIE] = key
    request.state.session_key = key
    # a fresh CSRF token with the new session, so a token planted before sign-in is worthless
    new_token = secrets.token_urlsafe(32)
    request.state.cookie_updates[CSRF_COOKIE] = new_token
    request.state.csrf_token = new_token


def sign_out(request: Request) -> None:
    """Clear the session cookie."""
    request.state.cookie_updates[SESSION_COOKIE] = None
    request.state.session_key = None
    request.state.member = None
