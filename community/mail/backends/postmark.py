"""The postmark backend: Postmark's HTTP API (or any compatible provider) over httpx.

`POST {EMAIL_API_URL}/email` for one message, `POST {EMAIL_API_URL}/email/batch` for up to
500. Every message carries its idempotency key as an `Idempotency-Key` header (on the request
for single sends, and as a message header and in Metadata for every message), so a retry after a
timeout can be recognised as the same message.
"""

from __future__ import annotations

import email.utils
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx

from community import clock
from community.mail.backends.base import Outcome
from community.mail.models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH_LIMIT = 500


def message_json(message: OutboxMessage, sender: str) -> dict[str, Any]:
    """One message in Postmark's JSON shape."""
    headers = [{"Name": name, "Value": value} for name, value in (message.headers or {}).items()]
    headers.append({"Name": "Idempotency-Key", "Value": message.idempotency_key})
    body: dict[str, Any] = {
        "From": sender,
        "To": message.to_address,
        "Subject": message.subject,
        "HtmlBody": message.html_body,
        "TextBody": message.text_body,
        "MessageStream": message.message_stream,
        "Headers": headers,
        "Metadata": {"idempotency_key": message.idempotency_key},
    }
    if message.attachments:  # stored in Postmark's shape, base64 already
        body["Attachments"] = message.attachments
    return body


def retry_after(response: httpx.Response) -> timedelta | None:
    """The wait a 429 or 503 asks for: seconds, or an HTTP date."""
    raw = response.headers.get("retry-after", "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit():
        return timedelta(seconds=min(int(raw), 86400))
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(timedelta(0), min(when - clock.now(), timedelta(days=1)))


def _provider_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if isinstance(body, dict):
        return (
            f"HTTP {response.status_code}, ErrorCode {body.get('ErrorCode')}: {body.get('Message')}"
        )
    return f"HTTP {response.status_code}"


def _result_outcome(result: Any) -> Outcome:
    """One message's result object ({ErrorCode, Message, MessageID})."""
    if not isinstance(result, dict):
        return Outcome(error="The provider's answer for this message was not understood.")
    code = result.get("ErrorCode", 0)
    if code == 0 and result.get("MessageID"):
        return Outcome(sent=True, provider_message_id=str(result["MessageID"]))
    # per-message errors in a 200 answer (inactive recipient, invalid address) never succeed
    return Outcome(error=f"ErrorCode {code}: {result.get('Message', '')}"[:500], permanent=True)


def _status_outcome(response: httpx.Response) -> Outcome | None:
    """The outcome for the whole request when its status decides it, else None (2xx)."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    error = _provider_error(response)[:500]
    if status == 429 or status >= 500:
        return Outcome(error=error, retry_after=retry_after(response))
    if status == 408:
        return Outcome(error=error)
    return Outcome(error=error, permanent=True)


class PostmarkBackend:
    """Sends through one shared AsyncClient with explicit timeouts."""

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        sender: str,
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.sender = sender
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
            headers={
                "Accept": "application/json",
                "X-Postmark-Server-Token": token,
            },
            transport=transport,
        )

    async def send(self, message: OutboxMessage) -> Outcome:
        try:
            response = await self.client.post(
                f"{self.api_url}/email",
                json=message_json(message, self.sender),
                headers={"Idempotency-Key": message.idempotency_key},
            )
        except (
            httpx.HTTPError
        ) as exc:  # timeout, refused, reset: the provider may or may not have it
            return Outcome(error=f"{type(exc).__name__}: {exc}"[:500])
        outcome = _status_outcome(response)
        if outcome is not None:
            return outcome
        try:
            return _result_outcome(response.json())
        except ValueError:
            return Outcome(error="The provider's answer was not JSON.")

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> list[Outcome]:
        """Send up to 500 messages in one request; each message's own result counts."""
        if len(messages) > BATCH_LIMIT:
            raise ValueError(f"a batch holds at most {BATCH_LIMIT} messages")
        try:
            response = await self.client.post(
                f"{self.api_url}/email/batch",
                json=[message_json(message, self.sender) for message in messages],
            )
        except httpx.HTTPError as exc:
            return [Outcome(error=f"{type(exc).__name__}: {exc}"[:500])] * len(messages)
        outcome = _status_outcome(response)
        if outcome is not None:
            return [outcome] * len(messages)
        try:
            results = response.json()
        except ValueError:
            results = None
        if not isinstance(results, list) or len(results) != len(messages):
            logger.warning("Batch answer did not match the %d messages sent", len(messages))
            return [Outcome(error="The provider's batch answer was not understood.")] * len(
                messages
            )
        return [_result_outcome(result) for result in results]

    async def close(self) -> None:
        await self.client.aclose()
