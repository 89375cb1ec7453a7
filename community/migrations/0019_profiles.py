"""Profiles: who may see them, practice areas, when a member was last seen; recognitions."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class ProfileVisibility(StrEnum):
    """The levels as they were when this migration was written."""

    EVERYONE = "everyone"
    MEMBERS = "members"
    GROUPS = "groups"
    ADMINS = "admins"


class AddFieldState(ops.AddField):
    """The new field in the models' state; the column itself is added by the SQL before it,
    with its DEFAULT in the table (Tortoise 1.1 writes NOT NULL without one, which both
    databases refuse on a table that has rows)."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


#: the practice areas a new site starts with (admins change the list afterwards)
PRACTICE_AREAS = [
    "Child protection",
    "Family services",
    "Disability",
    "Mental health",
    "Ageing",
    "Youth",
    "Early intervention",
    "Special education",
    "Community development",
    "Corrections and rehabilitation",
    "Medical social work",
    "School social work",
    "Addictions",
    "Community care",
]


async def add_practice_areas(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    marks = "$1, $2, $3" if client.capabilities.dialect == "postgres" else "?, ?, ?"
    now = datetime.now(UTC)
    for position, name in enumerate(PRACTICE_AREAS):
        await client.execute_query(
            'INSERT INTO "accounts_practice_area" ("name", "position", "created_at") '
            f"VALUES ({marks})",
            [name, position, now],
        )


async def remove_practice_areas(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_query('DELETE FROM "accounts_practice_area"')


class Migration(migrations.Migration):
    dependencies = [("community", "0018_latest_index")]

    initial = False

    operations = [
        ops.CreateModel(
            name="PracticeArea",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("name", fields.CharField(unique=True, max_length=80)),
                (
                    "position",
                    fields.IntField(
                        default=0, description="where it stands in lists (then by name)"
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "accounts_practice_area",
                "app": "community",
                "pk_attr": "id",
                "table_description": "A field of practice members say they work in (the list admins keep).",
            },
            bases=["Model"],
        ),
        ops.RunPython(add_practice_areas, remove_practice_areas),
        ops.CreateModel(
            name="MemberPracticeArea",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "community.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="practice_areas",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "area",
                    fields.ForeignKeyField(
                        "community.PracticeArea",
                        source_field="area_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="members",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
            ],
            options={
                "table": "accounts_member_practice_area",
                "app": "community",
                "unique_together": (("member", "area"),),
                "indexes": [Index(fields=["area_id", "member_id"])],
                "pk_attr": "id",
                "table_description": "A practice area a member works in.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Recognition",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "community.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recognitions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=80)),
                ("starts_on", fields.DateField()),
                ("ends_on", fields.DateField(null=True, description="None: no end date")),
                (
                    "granted_by",
                    fields.ForeignKeyField(
                        "community.Member",
                        source_field="granted_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="recognitions_granted",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "people_recognition",
                "app": "community",
                "indexes": [Index(fields=["member_id", "starts_on"]), Index(fields=["title"])],
                "pk_attr": "id",
                "table_description": 'A recognition given to a member for a term ("Social Service Fellow", 2025 to 2028).',
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Member",
            name="last_seen_at",
            field=fields.DatetimeField(
                null=True,
                description="when they were last seen signed in (moved with the session, at most every few minutes)",
                auto_now=False,
                auto_now_add=False,
            ),
        ),
        ops.RunSQL(
            'ALTER TABLE "accounts_member" ADD COLUMN "profile_visibility" VARCHAR(16) NOT NULL DEFAULT \'members\'',
            'ALTER TABLE "accounts_member" DROP COLUMN "profile_visibility"',
        ),
        AddFieldState(
            model_name="Member",
            name="profile_visibility",
            field=fields.CharEnumField(
                default=ProfileVisibility.MEMBERS,
                description="EVERYONE: everyone\nMEMBERS: members\nGROUPS: groups\nADMINS: admins",
                enum_type=ProfileVisibility,
                max_length=16,
            ),
        ),
    ]
