"""Programmes (#23): multi-session courses, their sessions, enrolments and certificates;
learning credits; events that take seats only by enrolment."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from community.programmes.models import EnrolmentStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from typing import Any


class AddFieldState(ops.AddField):
    """The new field in the models' state; the column itself is added by add_column, with its
    DEFAULT in the table (Tortoise 1.1 writes NOT NULL without one, which both databases
    refuse on a table that has rows)."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


async def add_column(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    kind, default = ("BOOL", "FALSE") if postgres else ("INT", "0")
    await client.execute_script(
        f'ALTER TABLE "events_event" ADD COLUMN "enrolment_only" {kind} NOT NULL DEFAULT {default}'
    )


async def drop_column(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_script(
        'ALTER TABLE "events_event" DROP COLUMN "enrolment_only"'
    )


class Migration(migrations.Migration):
    dependencies = [("community", "0024_event_series")]

    initial = False

    operations = [
        ops.CreateModel(
            name="LearningCredit",
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
                        related_name="learning_credits",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "group",
                    fields.ForeignKeyField(
                        "community.Group",
                        source_field="group_id",
                        null=True,
                        description="the group it came from (its privacy is the privacy of the credit), None: site-wide",
                        db_constraint=True,
                        to_field="id",
                        related_name="learning_credits",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "source",
                    fields.CharField(
                        description='what earned it, for example "programme:12"', max_length=64
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                (
                    "path",
                    fields.CharField(
                        description="the page it links to in the record", max_length=200
                    ),
                ),
                ("hours", fields.DecimalField(max_digits=5, decimal_places=2)),
                (
                    "earned_on",
                    fields.DateField(
                        description="the day it was earned, in the zone the source happened in"
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "events_learning_credit",
                "app": "community",
                "unique_together": (("source", "member"),),
                "indexes": [Index(fields=["member_id", "earned_on"])],
                "pk_attr": "id",
                "table_description": "Hours in the learning record of a member that come from something other than one event: a",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Programme",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "group",
                    fields.ForeignKeyField(
                        "community.Group",
                        source_field="group_id",
                        null=True,
                        description="None: a site-wide programme, run by admins",
                        db_constraint=True,
                        to_field="id",
                        related_name="programmes",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("title", fields.CharField(max_length=200)),
                ("summary", fields.TextField(default="", unique=False)),
                (
                    "provider",
                    fields.CharField(
                        description='who runs it and issues its certificates, for example "Social Service Institute"',
                        max_length=120,
                    ),
                ),
                (
                    "professions",
                    fields.JSONField(
                        default=list,
                        description="the professions it is meant for (accounts.Profession values), empty for everyone",
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "cpd_hours",
                    fields.DecimalField(
                        description="CET or CPD hours a member earns by completing it",
                        max_digits=5,
                        decimal_places=2,
                    ),
                ),
                (
                    "enrol_opens_at",
                    fields.DatetimeField(
                        null=True,
                        description="None: open from when it is published",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                (
                    "cancelled_at",
                    fields.DatetimeField(
                        null=True,
                        description="set when its facilitators cancel it (its sessions to come are cancelled with it)",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                (
                    "enrol_closes_at",
                    fields.DatetimeField(
                        description="UTC, at the latest the start of the first session (enrolment closes then in any case,",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                ("capacity", fields.IntField()),
                (
                    "seats_taken",
                    fields.IntField(
                        default=0,
                        description="places taken by enrolled members (a guarded counter)",
                    ),
                ),
                (
                    "min_attended",
                    fields.IntField(
                        description="sessions a member must attend to complete it (besides every mandatory one)"
                    ),
                ),
                (
                    "time_zone",
                    fields.CharField(
                        description="the time zone of its sessions, for dates on pages and certificates",
                        max_length=64,
                    ),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "community.Member",
                        source_field="created_by_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="created_programmes",
                        on_delete=OnDelete.RESTRICT,
                    ),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "programmes_programme",
                "app": "community",
                "pk_attr": "id",
                "table_description": "A multi-session course (a CET programme, a short course): members enrol once for all",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Enrolment",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "community.Programme",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrolments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "community.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="enrolments",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        description="ENROLLED: enrolled\nWAITLIST: waitlist\nWITHDRAWN: withdrawn",
                        enum_type=EnrolmentStatus,
                        max_length=16,
                    ),
                ),
                (
                    "answered_at",
                    fields.DatetimeField(
                        description="when this answer was given (orders the waitlist)",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
                (
                    "promoted_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "completed_at",
                    fields.DatetimeField(
                        null=True,
                        description="set once, when the member met the programme rule",
                        auto_now=False,
                        auto_now_add=False,
                    ),
                ),
            ],
            options={
                "table": "programmes_enrolment",
                "app": "community",
                "unique_together": (("programme", "member"),),
                "indexes": [
                    Index(fields=["programme_id", "status", "answered_at"]),
                    Index(fields=["member_id", "status"]),
                ],
                "pk_attr": "id",
                "table_description": "A place in a programme, or on its waitlist, for one member.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Certificate",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "code",
                    fields.CharField(
                        unique=True, description="unguessable, from secrets", max_length=32
                    ),
                ),
                (
                    "enrolment",
                    fields.OneToOneField(
                        "community.Enrolment",
                        source_field="enrolment_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="certificate",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "member",
                    fields.ForeignKeyField(
                        "community.Member",
                        source_field="member_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="certificates",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "community.Programme",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="certificates",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("member_name", fields.CharField(max_length=200)),
                ("programme_title", fields.CharField(max_length=200)),
                ("provider", fields.CharField(max_length=120)),
                ("hours", fields.DecimalField(max_digits=5, decimal_places=2)),
                (
                    "first_day",
                    fields.DateField(
                        description="the first and last sessions the member attended, local days"
                    ),
                ),
                ("last_day", fields.DateField()),
                ("issued_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("revoked_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("revoked_reason", fields.TextField(default="", unique=False)),
                (
                    "revoked_by",
                    fields.ForeignKeyField(
                        "community.Member",
                        source_field="revoked_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="revoked_certificates",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "programmes_certificate",
                "app": "community",
                "pk_attr": "id",
                "table_description": "The proof of a completed programme, checked by anyone at /certificates/<code>. It keeps",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ProgrammeSession",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "programme",
                    fields.ForeignKeyField(
                        "community.Programme",
                        source_field="programme_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="sessions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "event",
                    fields.OneToOneField(
                        "community.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="programme_session",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "mandatory",
                    fields.BooleanField(
                        default=False,
                        description="a member must attend it to complete the programme",
                    ),
                ),
            ],
            options={
                "table": "programmes_session",
                "app": "community",
                "pk_attr": "id",
                "table_description": "One event of a programme.",
            },
            bases=["Model"],
        ),
        ops.RunPython(add_column, drop_column),
        AddFieldState(
            model_name="Event",
            name="enrolment_only",
            field=fields.BooleanField(
                default=False,
                description="a session of a programme: its seats are taken by enrolling in the programme, not by an",
            ),
        ),
    ]
