"""The console backend: prints each message to standard output (the embedded default)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from community.mail.backends.base import Outcome
from community.mail.models import OutboxMessage
from community.mail.outbox import attachments_of


class ConsoleBackend:
    """Prints the plain-text part, its headers and attachments; nothing leaves the machine."""

    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        self.sender = sender
        self.stream = stream

    async def send(self, message: OutboxMessage) -> Outcome:
        stream = self.stream or sys.stdout
        rule = "-" * 72
        files = "".join(
            f"Attachment: {attachment.name} ({attachment.content_type}, {attachment.size} bytes)\n"
            for attachment in attachments_of(message)
        )
        stream.write(
            f"{rule}\nFrom: {self.sender}\nTo: {message.to_address}\n"
            f"Subject: {message.subject}\nIdempotency-Key: {message.idempotency_key}\n\n"
            f"{message.text_body.rstrip()}\n{files}{rule}\n"
        )
        stream.flush()
        return Outcome(sent=True, provider_message_id=f"console-{message.id}")

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> list[Outcome]:
        return [await self.send(message) for message in messages]

    async def close(self) -> None:
        return None
