"""The forum's emails, as outbox data."""

from __future__ import annotations

from community.accounts.models import Member
from community.forum.models import Post
from community.mail.outbox import Email
from community.urls import absolute_url


def warning(author: Member, post: Post, *, message: str) -> Email:
    return Email(
        to=author.email or "",
        template="forum/warning",
        context={
            "name": author.display_name,
            "message": message,
            "url": absolute_url("forum:post", post_id=post.id),
        },
        idempotency_key=f"forum:warning:{post.id}:{post.created_at.timestamp():.0f}",
    )
