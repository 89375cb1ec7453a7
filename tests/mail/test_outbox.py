"""The outbox: written inside the caller's transaction, delivered by the worker."""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import Sequence
from datetime import timedelta

import pytest
from tortoise.transactions import in_transaction

from community import clock
from community.mail.backends.base import Outcome
from community.mail.backends.console import ConsoleBackend
from community.mail.models import OutboxMessage, OutboxStatus
from community.mail.outbox import (
    LEASE,
    MAX_ATTACHMENTS_SIZE,
    MAX_ATTEMPTS,
    Attachment,
    Email,
    claim_due,
    deliver_due,
    enqueue,
    retry_failed,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


INVITATION = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n\x00\xff"


def verification(
    key: str = "accounts:verify:1:1",
    to: str = "a@example.org",
    attachments: tuple[Attachment, ...] = (),
) -> Email:
    return Email(
        to=to,
        template="accounts/verify",
        context={"name": "Ann <b>", "url": "https://community.test/verify?token=abc"},
        idempotency_key=key,
        attachments=attachments,
    )


class ScriptedBackend:
    """Answers with the outcomes it is given, in order, and records what it was asked."""

    def __init__(self, *outcomes: Outcome) -> None:
        self.outcomes = list(outcomes)
        self.sent: list[int] = []

    async def send(self, message: OutboxMessage) -> Outcome:
        self.sent.append(message.id)
        return self.outcomes.pop(0)

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> list[Outcome]:
        return [await self.send(message) for message in messages]

    async def close(self) -> None:
        return None


async def test_enqueue_renders_all_parts(database: None) -> None:
    message = await enqueue(verification())
    assert message is not None
    assert message.subject == "Verify your email address for Community of Practice"
    assert "https://community.test/verify?token=abc" in message.text_body
    assert "Ann <b>" in message.text_body  # plain text is not escaped
    assert "Ann &lt;b&gt;" in message.html_body  # HTML is
    assert message.status == OutboxStatus.PENDING


async def test_enqueue_stores_attachments_as_base64(database: None) -> None:
    invitation = Attachment("event-42.ics", "text/calendar; method=REQUEST", INVITATION)
    notes = Attachment("Notes (draft).txt", "text/plain", b"")
    await enqueue(verification(attachments=(invitation, notes)))
    stored = (await OutboxMessage.get()).attachments
    assert [(item["Name"], item["ContentType"]) for item in stored] == [
        ("event-42.ics", "text/calendar; method=REQUEST"),
        ("Notes (draft).txt", "text/plain"),
    ]
    assert [set(item) for item in stored] == [{"Name", "ContentType", "Content"}] * 2
    assert base64.b64decode(stored[0]["Content"], validate=True) == INVITATION
    assert stored[1]["Content"] == ""


async def test_enqueue_without_attachments_stores_none(database: None) -> None:
    await enqueue(verification())
    assert (await OutboxMessage.get()).attachments == []


async def test_enqueue_accepts_attachments_up_to_the_size_limit(database: None) -> None:
    # two files whose base64 forms add up to exactly the limit (3 bytes encode as 4)
    half = b"x" * (MAX_ATTACHMENTS_SIZE // 8 * 3)
    await enqueue(
        verification(attachments=(Attachment("a.bin", "application/octet-stream", half),) * 2)
    )
    stored = (await OutboxMessage.get()).attachments
    assert sum(len(item["Content"]) for item in stored) == MAX_ATTACHMENTS_SIZE


async def test_enqueue_refuses_attachments_over_the_size_limit(database: None) -> None:
    # each file alone is well under the limit; together, once encoded, they are 4 bytes over
    half = b"x" * (MAX_ATTACHMENTS_SIZE // 8 * 3)
    attachments = (
        Attachment("a.bin", "application/octet-stream", half),
        Attachment("b.bin", "application/octet-stream", half + b"x"),
    )
    with pytest.raises(ValueError, match=r"at most 10485760 bytes \(10 MB\)"):
        await enqueue(verification(attachments=attachments))
    assert await OutboxMessage.all().count() == 0


@pytest.mark.parametrize(
    "name",
    [
        "../event.ics",
        "events/event.ics",
        "C:\\event.ics",
        "event\n.ics",
        "event\x00.ics",
        "\x7f.ics",
    ],
)
async def test_enqueue_refuses_a_bad_attachment_name(database: None, name: str) -> None:
    attachment = Attachment(name, "text/calendar", INVITATION)
    with pytest.raises(
        ValueError, match="must not contain a path separator or a control character"
    ):
        await enqueue(verification(attachments=(attachment,)))
    assert await OutboxMessage.all().count() == 0


async def test_enqueue_refuses_an_attachment_without_a_name(database: None) -> None:
    with pytest.raises(ValueError, match=r"An attachment needs a file name\."):
        await enqueue(verification(attachments=(Attachment("", "text/calendar", INVITATION),)))
    assert await OutboxMessage.all().count() == 0


async def test_enqueue_with_a_used_key_adds_nothing(database: None) -> None:
    assert await enqueue(verification()) is not None
    assert await enqueue(verification()) is None
    assert await OutboxMessage.all().count() == 1


async def test_rolled_back_change_sends_nothing(database: None) -> None:
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await enqueue(verification())
            raise RuntimeError("the action failed after enqueueing")
    assert await OutboxMessage.all().count() == 0


async def test_duplicate_key_inside_a_transaction_keeps_the_rest(database: None) -> None:
    await enqueue(verification())
    async with in_transaction():
        assert await enqueue(verification()) is None
        await enqueue(verification(key="accounts:verify:1:2"))
    assert await OutboxMessage.all().count() == 2


async def test_console_backend_prints_and_marks_sent(database: None) -> None:
    await enqueue(verification())
    stream = io.StringIO()
    assert await deliver_due(ConsoleBackend("Site <s@example.org>", stream)) == 1
    printed = stream.getvalue()
    assert "To: a@example.org" in printed
    assert "https://community.test/verify?token=abc" in printed
    message = await OutboxMessage.get()
    assert message.status == OutboxStatus.SENT
    assert message.provider_message_id == f"console-{message.id}"
    assert message.sent_at == clock.now()
    assert await deliver_due(ConsoleBackend("s@example.org", io.StringIO())) == 0


async def test_console_backend_prints_each_attachment(database: None) -> None:
    invitation = Attachment("event-42.ics", "text/calendar", INVITATION)
    await enqueue(verification(attachments=(invitation,)))
    stream = io.StringIO()
    assert await deliver_due(ConsoleBackend("s@example.org", stream)) == 1
    printed = stream.getvalue()
    line = f"Attachment: event-42.ics (text/calendar, {len(INVITATION)} bytes)\n"
    assert line in printed
    assert printed.index("verify?token=abc") < printed.index(line)  # after the body


async def test_console_backend_prints_no_attachment_line_without_attachments(
    database: None,
) -> None:
    await enqueue(verification())
    stream = io.StringIO()
    await deliver_due(ConsoleBackend("s@example.org", stream))
    assert "Attachment:" not in stream.getvalue()


async def test_temporary_failure_is_retried_later(database: None) -> None:
    await enqueue(verification())
    backend = ScriptedBackend(
        Outcome(error="HTTP 503"), Outcome(sent=True, provider_message_id="p1")
    )
    assert await deliver_due(backend) == 0
    message = await OutboxMessage.get()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1 and message.last_error == "HTTP 503"
    assert clock.now() + timedelta(seconds=15) <= message.next_attempt_at
    assert await deliver_due(backend) == 0  # not due yet
    clock.advance(timedelta(minutes=1))
    assert await deliver_due(backend) == 1
    assert (await OutboxMessage.get()).provider_message_id == "p1"


async def test_retry_after_is_honoured(database: None) -> None:
    await enqueue(verification())
    await deliver_due(ScriptedBackend(Outcome(error="429", retry_after=timedelta(minutes=7))))
    assert (await OutboxMessage.get()).next_attempt_at == clock.now() + timedelta(minutes=7)


async def test_permanent_failure_fails_at_once_and_admin_can_retry(database: None) -> None:
    await enqueue(verification())
    await deliver_due(ScriptedBackend(Outcome(error="422 Invalid To", permanent=True)))
    message = await OutboxMessage.get()
    assert message.status == OutboxStatus.FAILED and message.last_error == "422 Invalid To"
    assert await retry_failed(message_id=message.id)
    assert not await retry_failed(message_id=message.id)
    assert await deliver_due(ScriptedBackend(Outcome(sent=True))) == 1


async def test_gives_up_after_the_last_attempt(database: None) -> None:
    await enqueue(verification())
    backend = ScriptedBackend(*[Outcome(error="timeout")] * MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        clock.advance(timedelta(hours=7))
        await deliver_due(backend)
    message = await OutboxMessage.get()
    assert message.status == OutboxStatus.FAILED and message.attempts == MAX_ATTEMPTS


async def test_backend_exception_is_recorded_not_raised(database: None) -> None:
    class Broken(ScriptedBackend):
        async def send(self, message: OutboxMessage) -> Outcome:
            raise ConnectionError("refused")

    await enqueue(verification())
    assert await deliver_due(Broken()) == 0
    assert (await OutboxMessage.get()).last_error == "ConnectionError: refused"


async def test_concurrent_claims_never_share_a_message(database: None) -> None:
    for number in range(20):
        await enqueue(verification(key=f"test:claim:{number}"))
    first, second = await asyncio.gather(claim_due(limit=15), claim_due(limit=15))
    rest = await claim_due(limit=20)
    first_ids, second_ids, rest_ids = ({m.id for m in batch} for batch in (first, second, rest))
    assert not first_ids & second_ids and not (first_ids | second_ids) & rest_ids
    assert len(first_ids | second_ids | rest_ids) == 20


async def test_claim_of_a_dead_worker_is_offered_again_after_the_lease(database: None) -> None:
    await enqueue(verification())
    [claimed] = await claim_due()  # the worker dies here, before sending
    assert await claim_due() == []
    clock.advance(LEASE + timedelta(seconds=1))
    [again] = await claim_due()
    assert again.id == claimed.id
    backend = ScriptedBackend(Outcome(sent=True))
    clock.advance(LEASE + timedelta(seconds=1))
    assert await deliver_due(backend) == 1
    assert backend.sent == [claimed.id]


async def test_cancelled_delivery_releases_its_claim(database: None) -> None:
    sending = asyncio.Event()

    class Hanging(ScriptedBackend):
        async def send(self, message: OutboxMessage) -> Outcome:
            sending.set()
            await asyncio.sleep(3600)
            raise AssertionError("unreachable")

    await enqueue(verification())
    task = asyncio.create_task(deliver_due(Hanging()))
    await asyncio.wait_for(sending.wait(), 5)
    assert (await OutboxMessage.get()).status == OutboxStatus.SENDING
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    message = await OutboxMessage.get()
    assert message.status == OutboxStatus.PENDING and message.claimed_by == ""
    assert message.next_attempt_at == clock.now() and message.attempts == 0
