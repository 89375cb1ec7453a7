"""What a backend is: something that sends outbox messages and says what happened to each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from community.mail.models import OutboxMessage


@dataclass(frozen=True)
class Outcome:
    """The result of one attempt: sent, a temporary failure, or a permanent one."""

    sent: bool = False
    provider_message_id: str = ""
    error: str = ""
    #: never worth retrying (a 4xx the provider will always refuse)
    permanent: bool = False
    #: the provider asked us to wait this long
    retry_after: timedelta | None = None


class Backend(Protocol):
    async def send(self, message: OutboxMessage) -> Outcome: ...

    async def send_batch(self, messages: Sequence[OutboxMessage]) -> list[Outcome]: ...

    async def close(self) -> None: ...
