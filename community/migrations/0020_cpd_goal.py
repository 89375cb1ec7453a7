"""The yearly CPD/CET goal a member sets on their home page (#19)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("community", "0019_profiles")]

    initial = False

    operations = [
        # nullable, so the column needs no DEFAULT on a table that has rows
        ops.AddField(
            model_name="Member",
            name="cpd_goal_hours",
            field=fields.IntField(
                null=True,
                description="the CPD/CET hours the member means to earn each year (1 to 1000), None for no goal",
            ),
        ),
    ]
