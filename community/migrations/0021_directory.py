"""The member directory's version row, and indexes for its two orders and for a member's
groups, requests, invitations and RSVPs (#19)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("community", "0020_cpd_goal")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DirectoryVersion",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                ("version", fields.IntField(default=0)),
            ],
            options={
                "table": "accounts_directory_version",
                "app": "community",
                "pk_attr": "id",
                "table_description": "One row: a number moved in the same transaction as every change the member directory",
            },
            bases=["Model"],
        ),
        ops.AddIndex(model_name="Member", index=Index(fields=["display_name", "id"])),
        ops.AddIndex(model_name="Membership", index=Index(fields=["member_id", "group_id"])),
        # a member's own rows, read by their home page
        ops.AddIndex(model_name="JoinRequest", index=Index(fields=["member_id", "status"])),
        ops.AddIndex(model_name="Invitation", index=Index(fields=["email", "status"])),
        ops.AddIndex(model_name="Rsvp", index=Index(fields=["member_id", "status"])),
        # "recently active": no model field holds COALESCE(last_seen_at, created_at), so this
        # index is written here (the same SQL on PostgreSQL and SQLite)
        ops.RunSQL(
            'CREATE INDEX "idx_accounts_member_active" ON "accounts_member" '
            '((COALESCE("last_seen_at", "created_at")), "id")',
            'DROP INDEX "idx_accounts_member_active"',
        ),
    ]
