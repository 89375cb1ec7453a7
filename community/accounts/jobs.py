"""Timed clean-up of account data."""

from __future__ import annotations

from datetime import timedelta

from community import clock
from community.accounts.models import AccountToken


async def delete_expired_tokens(*, keep: timedelta = timedelta(days=7)) -> int:
    """Forget tokens a week after they expired (used or not); returns how many."""
    return await AccountToken.filter(expires_at__lte=clock.now() - keep).delete()
