"""The postmark backend against a real (fake) provider on a loopback port."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio

from community import clock
from community.mail.backends.postmark import PostmarkBackend
from community.mail.models import OutboxMessage, OutboxStatus
from community.mail.outbox import Attachment, Email, deliver_due, enqueue
from tests.fakes.email_api import TOKEN, FakeEmailApi, free_port

pytestmark = pytest.mark.asyncio(loop_scope="session")

SENDER = "Community <no-reply@community.test>"
INVITATION = Attachment("event-42.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")


@pytest_asyncio.fixture(loop_scope="session")
async def backend(email_api: FakeEmailApi) -> AsyncIterator[PostmarkBackend]:
    postmark = PostmarkBackend(api_url=email_api.url, token=TOKEN, sender=SENDER, timeout_seconds=1)
    yield postmark
    await postmark.close()


async def queue(
    count: int = 1, *, to: str = "member{n}@example.org", attachments: tuple[Attachment, ...] = ()
) -> list[OutboxMessage]:
    messages = []
    for number in range(count):
        message = await enqueue(
            Email(
                to=to.format(n=number),
                template="accounts/verify",
                context={"name": f"M{number}", "url": "https://community.test/verify?token=t"},
                idempotency_key=f"test:postmark:{number}",
                headers={"X-Community-Kind": "verify"},
                attachments=attachments,
            )
        )
        assert message is not None
        messages.append(message)
    return messages


async def test_single_message_is_sent_with_the_postmark_shape(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    [message] = await queue()
    assert await deliver_due(backend) == 1
    [request] = email_api.requests
    assert request["path"] == "/email"
    assert request["headers"]["x-postmark-server-token"] == TOKEN
    assert request["headers"]["idempotency-key"] == "test:postmark:0"
    body = request["json"]
    assert body["From"] == SENDER and body["To"] == "member0@example.org"
    assert body["Subject"] == message.subject
    assert "verify?token=t" in body["TextBody"] and "verify?token=t" in body["HtmlBody"]
    assert body["MessageStream"] == "outbound"
    assert {"Name": "Idempotency-Key", "Value": "test:postmark:0"} in body["Headers"]
    assert {"Name": "X-Community-Kind", "Value": "verify"} in body["Headers"]
    assert body["Metadata"] == {"idempotency_key": "test:postmark:0"}
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.SENT
    assert stored.provider_message_id.startswith("msg-")


def sent_attachments(message: dict[str, object]) -> list[tuple[str, str, bytes]]:
    """What the provider received as attachments: name, type and the decoded bytes."""
    attachments = message["Attachments"]
    assert isinstance(attachments, list)
    return [
        (item["Name"], item["ContentType"], base64.b64decode(item["Content"], validate=True))
        for item in attachments
    ]


async def test_single_message_carries_its_attachments(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    await queue(attachments=(INVITATION,))
    assert await deliver_due(backend) == 1
    [request] = email_api.requests
    assert request["path"] == "/email"
    assert sent_attachments(request["json"]) == [
        ("event-42.ics", "text/calendar", INVITATION.content)
    ]


async def test_single_message_without_attachments_has_no_attachments_key(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    await queue()
    assert await deliver_due(backend) == 1
    [request] = email_api.requests
    assert request["path"] == "/email"
    assert "Attachments" not in request["json"]


async def test_batch_carries_each_messages_own_attachments(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    await queue(2, attachments=(INVITATION,))
    await enqueue(
        Email(
            to="plain@example.org",
            template="accounts/verify",
            context={"name": "P", "url": "u"},
            idempotency_key="test:postmark:plain",
        )
    )
    assert await deliver_due(backend) == 3
    [request] = email_api.requests
    assert request["path"] == "/email/batch"
    by_address = {message["To"]: message for message in request["json"]}
    for address in ("member0@example.org", "member1@example.org"):
        assert sent_attachments(by_address[address]) == [
            ("event-42.ics", "text/calendar", INVITATION.content)
        ]
    assert "Attachments" not in by_address["plain@example.org"]


async def test_several_due_messages_go_as_one_batch(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    await queue(3)
    assert await deliver_due(backend) == 3
    [request] = email_api.requests
    assert request["path"] == "/email/batch"
    assert [m["To"] for m in request["json"]] == [f"member{n}@example.org" for n in range(3)]
    ids = {m.provider_message_id for m in await OutboxMessage.all()}
    assert len(ids) == 3 and all(i.startswith("msg-") for i in ids)


async def test_batch_with_mixed_results_records_each_message(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    email_api.reset("mixed")
    await queue(1, to="good{n}@example.org")
    await enqueue(
        Email(
            to="bad@example.org",
            template="accounts/verify",
            context={"name": "B", "url": "u"},
            idempotency_key="test:postmark:bad",
        )
    )
    assert await deliver_due(backend) == 1
    good = await OutboxMessage.get(to_address="good0@example.org")
    bad = await OutboxMessage.get(to_address="bad@example.org")
    assert good.status == OutboxStatus.SENT
    assert bad.status == OutboxStatus.FAILED
    assert bad.last_error == "ErrorCode 406: You tried to send to an inactive recipient."


async def test_server_error_is_retried_with_backoff(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    email_api.reset("error500")
    [message] = await queue()
    assert await deliver_due(backend) == 0
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.PENDING and stored.attempts == 1
    assert stored.last_error.startswith("HTTP 500")
    assert clock.now() + timedelta(seconds=15) <= stored.next_attempt_at
    assert stored.next_attempt_at <= clock.now() + timedelta(seconds=30)
    email_api.reset("accept")
    clock.advance(timedelta(seconds=31))
    assert await deliver_due(backend) == 1


async def test_rate_limit_waits_for_retry_after(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    email_api.reset("rate_limited")
    [message] = await queue()
    await deliver_due(backend)
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.PENDING
    assert stored.next_attempt_at == clock.now() + timedelta(seconds=120)
    assert stored.last_error.startswith("HTTP 429")


async def test_timeout_is_retried(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    email_api.reset("slow")
    email_api.delay = 2.0  # the client gives up after 1 s
    [message] = await queue()
    assert await deliver_due(backend) == 0
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.PENDING and stored.attempts == 1
    assert "Timeout" in stored.last_error


async def test_refused_connection_is_retried(database: None) -> None:
    refused = PostmarkBackend(api_url=f"http://127.0.0.1:{free_port()}", token=TOKEN, sender=SENDER)
    try:
        [message] = await queue()
        assert await deliver_due(refused) == 0
    finally:
        await refused.close()
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.PENDING
    assert stored.last_error.startswith("ConnectError")


async def test_unprocessable_fails_at_once_with_the_providers_code(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    email_api.reset("unprocessable")
    [message] = await queue()
    await deliver_due(backend)
    stored = await OutboxMessage.get(id=message.id)
    assert stored.status == OutboxStatus.FAILED and stored.attempts == 1
    assert stored.last_error == "HTTP 422, ErrorCode 300: Invalid 'To' address: 'nobody'."


async def test_batch_rate_limit_retries_every_message(
    database: None, email_api: FakeEmailApi, backend: PostmarkBackend
) -> None:
    email_api.reset("rate_limited")
    email_api.retry_after = "30"
    await queue(4)
    await deliver_due(backend)
    statuses = {(m.status, m.next_attempt_at) for m in await OutboxMessage.all()}
    assert statuses == {(OutboxStatus.PENDING, clock.now() + timedelta(seconds=30))}
    email_api.retry_after = "120"


async def test_request_shape_with_mock_transport(database: None) -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ErrorCode": 0, "MessageID": "abc"})

    mock = PostmarkBackend(
        api_url="https://api.example.test/",
        token="t0k",
        sender=SENDER,
        transport=httpx.MockTransport(answer),
    )
    [message] = await queue()
    outcome = await mock.send(message)
    await mock.close()
    assert outcome.sent and outcome.provider_message_id == "abc"
    [request] = seen
    assert str(request.url) == "https://api.example.test/email"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["accept"] == "application/json"
    assert json.loads(request.content)["To"] == "member0@example.org"
