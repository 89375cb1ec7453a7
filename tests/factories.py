"""Test data built through the real service functions."""

from __future__ import annotations

import itertools
import re

from community.accounts import service
from community.accounts.models import Member
from community.accounts.schemas import Registration
from community.mail.models import OutboxMessage

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


async def emails_to(address: str) -> list[OutboxMessage]:
    return await OutboxMessage.filter(to_address=address.lower()).order_by("id")


def link_in(message: OutboxMessage) -> str:
    """The first link to the site in a message, as a local path with its query."""
    match = re.search(r"https://community\.test(/\S+)", message.text_body)
    assert match, message.text_body
    return match.group(1)


async def make_member(
    *,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    verified: bool = True,
    admin: bool = False,
) -> Member:
    """Register (and verify, through the emailed link) a member."""
    number = next(_numbers)
    email = email or f"member{number}@example.org"
    member = await service.register(
        form=Registration(
            email=email.lower(), display_name=name or f"Member {number}", password=password
        )
    )
    assert member is not None
    if verified:
        message = (await emails_to(email))[-1]
        token = link_in(message).split("token=", 1)[1]
        member = await service.verify_email(token=token)
    if admin:
        member = await service.create_admin(email=email)
    return await Member.get(id=member.id)
