"""The forum's emails, as outbox data."""

from __future__ import annotations

from community.accounts.models import Member
from community.forum.models import Post
from community.mail.outbox import Email


def warning(author: Member, post: Post, *, message: str, base_url: str) -> Email:
    return Email(
        to=author.email or "",
        template="forum/warning",
        context={
            "name": author.display_name,
            "message": message,
            "url": f"{base_url}/posts/{post.id}",
        },
        idempotency_key=f"forum:warning:{post.id}:{post.created_at.timestamp():.0f}",
    )
