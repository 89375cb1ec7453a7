from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class AddFieldState(ops.AddField):
    """The new field in the models' state; the column itself is added by the SQL below, with
    its DEFAULT in the table (Tortoise 1.1 writes NOT NULL without one, which both databases
    refuse on a table that has rows)."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('community', '0015_notification_kinds')]

    initial = False

    operations = [
        ops.RunSQL(
            'ALTER TABLE "groups_group" ADD COLUMN "forum_version" INT NOT NULL DEFAULT 0',
            'ALTER TABLE "groups_group" DROP COLUMN "forum_version"',
        ),
        AddFieldState(
            model_name='Group',
            name='forum_version',
            field=fields.IntField(default=0, description='moves with every change its list of discussions shows (forum.versions)'),
        ),
    ]
