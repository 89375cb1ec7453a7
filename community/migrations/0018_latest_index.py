"""An index for the latest discussions across groups (/latest), newest activity first."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("community", "0017_group_read_indexes")]

    initial = False

    operations = [
        ops.AddIndex(model_name="Thread", index=Index(fields=["last_activity_at", "id"])),
    ]
