"""Groups, memberships, join requests and invitations."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JoinPolicy(StrEnum):
    OPEN = "open"
    REQUEST = "request"
    INVITE = "invite"


class Visibility(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"


class Role(StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class InvitationStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"


class Group(Model):
    """A community of practice or fellowship group. Anyone sees its name and description."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    slug = fields.CharField(max_length=60, unique=True)
    description = fields.TextField(default="")
    #: `description` rendered by text.render_markdown on write
    description_html = fields.TextField(default="")
    join_policy = fields.CharEnumField(JoinPolicy, max_length=16, default=JoinPolicy.OPEN)
    #: set by facilitators: posts are checked for client details before they are saved,
    #: and notification emails carry no post text
    case_discussion = fields.BooleanField(default=False)
    visibility = fields.CharEnumField(Visibility, max_length=16, default=Visibility.PUBLIC)
    #: kept in step with memberships in the same transaction
    member_count = fields.IntField(default=0)
    #: kept in step with roles (a guarded decrement keeps it from reaching 0)
    facilitator_count = fields.IntField(default=0)
    #: the latest join, thread or post (for the directory)
    last_activity_at = fields.DatetimeField()
    #: moves with every change its list of discussions shows (forum.versions)
    forum_version = fields.IntField(default=0)
    created_at = fields.DatetimeField()
    created_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="created_groups", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "groups_group"

    @property
    def is_private(self) -> bool:
        return self.visibility == Visibility.PRIVATE

    def __str__(self) -> str:
        return self.name


class Membership(Model):
    """A member of a group, and their role in it."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "community.Group", related_name="memberships", on_delete=fields.CASCADE
    )
    group_id: int
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=16, default=Role.MEMBER)
    joined_at = fields.DatetimeField()

    class Meta:
        table = "groups_membership"
        unique_together = (("group", "member"),)
        indexes = (
            #: a group's facilitators, on its home page (group-1 has 7,000 members)
            ("group_id", "role"),
            #: a member's groups (shared groups, "my groups"): without it, every lookup read
            #: the whole (group, member) index
            ("member_id", "group_id"),
        )

    @property
    def is_facilitator(self) -> bool:
        return self.role == Role.FACILITATOR


class JoinRequest(Model):
    """A member asking to join a group that admits by request (one row per group and member)."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "community.Group", related_name="join_requests", on_delete=fields.CASCADE
    )
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="join_requests", on_delete=fields.CASCADE
    )
    message = fields.TextField(default="")
    status = fields.CharEnumField(RequestStatus, max_length=16, default=RequestStatus.PENDING)
    created_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    decided_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="decided_requests", null=True, on_delete=fields.SET_NULL
    )
    decision_message = fields.TextField(default="")

    class Meta:
        table = "groups_join_request"
        unique_together = (("group", "member"),)
        #: a member's own requests, on their home page
        indexes = (("member_id", "status"),)


class Invitation(Model):
    """An invitation to a group, sent to an email address (a member's, or someone new)."""

    id = fields.IntField(primary_key=True)
    group: fields.ForeignKeyRelation[Group] = fields.ForeignKeyField(
        "community.Group", related_name="invitations", on_delete=fields.CASCADE
    )
    #: lower-cased, how an invitation finds its member after they register
    email = fields.CharField(max_length=254)
    invited_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="sent_invitations", null=True, on_delete=fields.SET_NULL
    )
    #: sha256 hex of the secret in the emailed link
    token_hash = fields.CharField(max_length=64, unique=True)
    status = fields.CharEnumField(InvitationStatus, max_length=16, default=InvitationStatus.PENDING)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    responded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "groups_invitation"
        unique_together = (("group", "email"),)
        #: the invitations waiting for an address, on its member's home page
        indexes = (("email", "status"),)
