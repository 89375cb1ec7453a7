"""Indexes for a group's home page: its facilitators and its next events."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("community", "0016_group_forum_version")]

    initial = False

    operations = [
        ops.AddIndex(model_name="Membership", index=Index(fields=["group_id", "role"])),
        ops.AddIndex(model_name="Event", index=Index(fields=["group_id", "starts_at"])),
    ]
