"""The admin outbox page: who may see it, what it shows, the retry button."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.mail.backends.base import Outcome
from community.mail.models import OutboxMessage, OutboxStatus
from community.mail.outbox import Attachment, Email, deliver_due, enqueue
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, make_member
from tests.mail.test_outbox import ScriptedBackend

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def queue(count: int) -> None:
    for number in range(count):
        clock.advance(timedelta(seconds=1))
        await enqueue(
            Email(
                to=f"r{number}@example.org",
                template="accounts/verify",
                context={"name": "R", "url": "https://community.test/verify?token=x"},
                idempotency_key=f"test:admin:{number}",
            )
        )


async def test_outbox_page_is_for_admins_only(app: Starlette) -> None:
    await make_member(email="member@example.org")
    async with open_browser(app) as visitor, open_browser(app) as member:
        assert (await visitor.get("/admin/outbox")).status_code == 403
        await member.login("member@example.org", PASSWORD)
        response = await member.get("/admin/outbox")
        assert response.status_code == 403
        assert "Only administrators can see this page." in text_of(response)


async def test_outbox_page_shows_failures_and_retries_them(
    app: Starlette, count_queries: QueryCounter
) -> None:
    await make_member(email="root@example.org", admin=True)  # its verification email is #1
    await queue(2)
    await deliver_due(
        ScriptedBackend(
            Outcome(sent=True),
            Outcome(error="HTTP 422, ErrorCode 300: Invalid 'To' address", permanent=True),
            Outcome(error="HTTP 500", retry_after=timedelta(minutes=5)),
        )
    )
    failed = await OutboxMessage.get(status=OutboxStatus.FAILED)
    async with open_browser(app) as admin:
        await admin.login("root@example.org", PASSWORD)
        count_queries.queries.clear()
        page = await admin.get("/admin/outbox")
        assert page.status_code == 200
        # session + member (1), the page of messages (1), the counts by status (1)
        assert len(count_queries.queries) == 3, count_queries.queries
        text = text_of(page)
        assert "Failed (1)" in text and "Pending (1)" in text and "Sent (1)" in text
        assert "HTTP 422, ErrorCode 300: Invalid 'To' address" in text
        assert text.count("Retry message") == 1

        only_failed = await admin.get("/admin/outbox?status=failed")
        assert text_of(only_failed).count("r0@example.org") == 1
        assert "r1@example.org" not in text_of(only_failed)

        retried = await admin.post(f"/admin/outbox/{failed.id}/retry")
        assert retried.status_code == 303
        stored = await OutboxMessage.get(id=failed.id)
        assert stored.status == OutboxStatus.PENDING and stored.attempts == 0
        again = await admin.post(f"/admin/outbox/{failed.id}/retry")
        assert again.status_code == 409


async def test_member_cannot_retry(app: Starlette) -> None:
    await make_member(email="m2@example.org")
    message = await OutboxMessage.get()
    await OutboxMessage.filter(id=message.id).update(
        status=OutboxStatus.FAILED
    )  # no action fails it
    async with open_browser(app) as member:
        await member.login("m2@example.org", PASSWORD)
        assert (await member.post(f"/admin/outbox/{message.id}/retry")).status_code == 403
    assert (await OutboxMessage.get(id=message.id)).status == OutboxStatus.FAILED


async def test_outbox_pages_by_keyset(app: Starlette) -> None:
    await make_member(email="root2@example.org", admin=True)
    await queue(60)
    async with open_browser(app) as admin:
        await admin.login("root2@example.org", PASSWORD)
        first = await admin.get("/admin/outbox")
        assert "r59@example.org" in first.text and "r10@example.org" in first.text
        assert "r9@example.org" not in first.text
        link = first.text.split('href="/admin/outbox?cursor=')[1].split('"')[0]
        second = await admin.get(f"/admin/outbox?cursor={link}")
        assert "r9@example.org" in second.text and "r0@example.org" in second.text
        assert "r10@example.org" not in second.text
        assert "Older messages" not in second.text
        bad = await admin.get("/admin/outbox?status=lost")
        assert bad.status_code == 422
        assert "Choose a status from the list." in text_of(bad)


async def test_admin_reads_a_message(app: Starlette) -> None:
    await make_member(email="root3@example.org", admin=True)
    message = await OutboxMessage.get(to_address="root3@example.org")
    async with open_browser(app) as admin:
        await admin.login("root3@example.org", PASSWORD)
        page = await admin.get(f"/admin/outbox/{message.id}")
        assert page.status_code == 200
        text = text_of(page)
        assert "Verify your email address for Community of Practice" in text
        assert "https://community.test/verify?token=" in text
        assert f"accounts:verify:{message.idempotency_key.split(':')[2]}" in text
        assert "&lt;a href=" in page.text  # the HTML body is shown as source, escaped
        assert "Attachments" not in text
        assert (await admin.get("/admin/outbox/999999")).status_code == 404


async def test_admin_sees_a_messages_attachments(app: Starlette) -> None:
    await make_member(email="root4@example.org", admin=True)
    message = await enqueue(
        Email(
            to="r@example.org",
            template="accounts/verify",
            context={"name": "R", "url": "https://community.test/verify?token=x"},
            idempotency_key="test:admin:attachments",
            attachments=(
                Attachment("event-42.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n" * 10),
                Attachment("notes <draft>.txt", "text/plain", b"hello"),
            ),
        )
    )
    assert message is not None
    async with open_browser(app) as admin:
        await admin.login("root4@example.org", PASSWORD)
        page = await admin.get(f"/admin/outbox/{message.id}")
        assert page.status_code == 200
        text = text_of(page)
        assert "Attachments event-42.ics (text/calendar, 170 bytes)" in text
        assert "notes <draft>.txt (text/plain, 5 bytes)" in text
        assert "notes &lt;draft&gt;.txt" in page.text  # names are escaped
