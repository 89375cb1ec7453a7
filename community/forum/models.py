"""Threads, posts, revisions, reactions, mentions and read positions."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class ReactionKind(StrEnum):
    LIKE = "like"
    INSIGHTFUL = "insightful"
    THANKS = "thanks"
    SUPPORT = "support"

    @property
    def label(self) -> str:
        return REACTION_LABELS[self]


REACTION_LABELS = {
    ReactionKind.LIKE: "Like",
    ReactionKind.INSIGHTFUL: "Insightful",
    ReactionKind.THANKS: "Thank you",
    ReactionKind.SUPPORT: "Support",
}


class HiddenReason(StrEnum):
    FACILITATOR = "facilitator"
    #: three members flagged it; shown again if a facilitator dismisses the flags
    FLAGS = "flags"
    #: a new member's post with links, waiting for a facilitator's approval
    REVIEW = "review"


class Thread(Model):
    """A discussion in a group's forum. Its first post (number 1) is the opening post."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Group", related_name="threads", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="threads", on_delete=fields.RESTRICT
    )
    author_id: int
    title = fields.CharField(max_length=200)
    #: posts in the thread, the opening post included (also numbers the next post)
    post_count = fields.IntField(default=0)
    pinned = fields.BooleanField(default=False)
    #: no new replies
    locked = fields.BooleanField(default=False)
    #: hidden by a facilitator: only facilitators see it
    hidden_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    last_activity_at = fields.DatetimeField()
    #: bumped by every change its pages show, so a cached copy of a page knows it is stale
    version = fields.IntField(default=0)

    class Meta:
        table = "forum_thread"
        indexes = (
            ("group_id", "pinned", "last_activity_at", "id"),
            #: /latest: every readable group's threads by latest activity, keyset-paged
            ("last_activity_at", "id"),
        )

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Post(Model):
    """One post in a thread, numbered from 1 in the order written."""

    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "community.Thread", related_name="posts", on_delete=fields.CASCADE
    )
    thread_id: int
    #: position in the thread, 1 for the opening post
    number = fields.IntField()
    author: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="posts", on_delete=fields.RESTRICT
    )
    author_id: int
    body = fields.TextField()
    #: `body` rendered by text.render_markdown (with mentions linked) on write
    body_html = fields.TextField()
    quote: fields.ForeignKeyNullableRelation[Post] = fields.ForeignKeyField(
        "community.Post", related_name="quoted_by", null=True, on_delete=fields.SET_NULL
    )
    quote_id: int | None
    created_at = fields.DatetimeField()
    edited_at = fields.DatetimeField(null=True)
    #: deleted by its author: shown as "post deleted", keeps its place
    deleted_at = fields.DatetimeField(null=True)
    hidden_at = fields.DatetimeField(null=True)
    #: why it is hidden: by a facilitator, by members' flags, or held for review
    hidden_reason = fields.CharEnumField(HiddenReason, max_length=16, null=True)
    #: in a case-discussion group, what the client-details guard found in the body as saved
    #: and the author confirmed: [{"kind", "text"}] (empty: nothing found)
    confirmed_findings: Any = fields.JSONField(default=list)

    class Meta:
        table = "forum_post"
        unique_together = (("thread", "number"),)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    @property
    def is_held(self) -> bool:
        return self.hidden_reason == HiddenReason.REVIEW


class FlagReason(StrEnum):
    SPAM = "spam"
    ABUSIVE = "abusive"
    CONFIDENTIAL = "confidential"
    OFF_TOPIC = "off_topic"
    OTHER = "other"


FLAG_REASON_LABELS = {
    FlagReason.SPAM: "Spam or advertising",
    FlagReason.ABUSIVE: "Abusive or disrespectful",
    FlagReason.CONFIDENTIAL: "Shares identifiable client information",
    FlagReason.OFF_TOPIC: "Off topic",
    FlagReason.OTHER: "Something else",
}


class FlagStatus(StrEnum):
    OPEN = "open"
    DISMISSED = "dismissed"
    ACTIONED = "actioned"


class Flag(Model):
    """A member asking the facilitators to look at a post (one flag per member and post)."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "community.Post", related_name="flags", on_delete=fields.CASCADE
    )
    post_id: int
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="flags", on_delete=fields.CASCADE
    )
    reason = fields.CharEnumField(FlagReason, max_length=16)
    details = fields.TextField(default="")
    status = fields.CharEnumField(FlagStatus, max_length=16, default=FlagStatus.OPEN)
    created_at = fields.DatetimeField()
    resolved_at = fields.DatetimeField(null=True)

    class Meta:
        table = "forum_flag"
        unique_together = (("post", "member"),)


class PostRevision(Model):
    """A post's text before an edit (facilitators see the history)."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "community.Post", related_name="revisions", on_delete=fields.CASCADE
    )
    body = fields.TextField()
    #: when this text was replaced
    replaced_at = fields.DatetimeField()

    class Meta:
        table = "forum_post_revision"


class Reaction(Model):
    """One member's reaction of one kind to a post."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "community.Post", related_name="reactions", on_delete=fields.CASCADE
    )
    post_id: int
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="reactions", on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(ReactionKind, max_length=16)
    created_at = fields.DatetimeField()

    class Meta:
        table = "forum_reaction"
        unique_together = (("post", "member", "kind"),)


class Mention(Model):
    """A member @mentioned in a post (for notifications)."""

    id = fields.IntField(primary_key=True)
    post: fields.ForeignKeyRelation[Post] = fields.ForeignKeyField(
        "community.Post", related_name="mentions", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="mentions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "forum_mention"
        unique_together = (("post", "member"),)


class ThreadRead(Model):
    """How far a member has read a thread (the highest post number seen)."""

    id = fields.IntField(primary_key=True)
    thread: fields.ForeignKeyRelation[Thread] = fields.ForeignKeyField(
        "community.Thread", related_name="reads", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="thread_reads", on_delete=fields.CASCADE
    )
    last_read_number = fields.IntField(default=0)

    class Meta:
        table = "forum_thread_read"
        unique_together = (("thread", "member"),)


class WatchLevel(StrEnum):
    WATCHING = "watching"
    MUTED = "muted"


class Watch(Model):
    """A member watching or muting a thread or a whole group (for notifications)."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="watches", on_delete=fields.CASCADE
    )
    member_id: int
    thread: fields.ForeignKeyNullableRelation[Thread] = fields.ForeignKeyField(
        "community.Thread", related_name="watches", null=True, on_delete=fields.CASCADE
    )
    group: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Group", related_name="watches", null=True, on_delete=fields.CASCADE
    )
    level = fields.CharEnumField(WatchLevel, max_length=16)

    class Meta:
        table = "forum_watch"
        unique_together = (("member", "thread"), ("member", "group"))
