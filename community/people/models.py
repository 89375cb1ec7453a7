"""Recognitions: what admins give a member for a term (a fellowship, a role, mentoring)."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Recognition(Model):
    """A recognition given to a member for a term ("Social Service Fellow", 2025 to 2028).
    It shows as current from its start to its end (no end: for as long as it stands), and as
    past after; taking it back deletes it."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="recognitions", on_delete=fields.CASCADE
    )
    member_id: int
    title = fields.CharField(max_length=80)
    starts_on = fields.DateField()
    #: None: no end date
    ends_on = fields.DateField(null=True)
    granted_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="recognitions_granted", on_delete=fields.RESTRICT
    )
    granted_by_id: int
    created_at = fields.DatetimeField()

    class Meta:
        table = "people_recognition"
        indexes = (("member_id", "starts_on"), ("title",))
