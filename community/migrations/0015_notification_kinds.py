from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class AlterFieldState(ops.AlterField):
    """A change to the models' state alone: the column is VARCHAR(24) NOT NULL before and after
    (the enum was only ever checked in Python). Tortoise 1.1 alters a column on SQLite by
    rebuilding the table, which drops its unique constraints and indexes, so nothing is run."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


class Migration(migrations.Migration):
    dependencies = [('community', '0014_search_function')]

    initial = False

    operations = [
        AlterFieldState(
            model_name='Notification',
            name='kind',
            field=fields.CharField(description="a Kind's key (notifications.kinds)", max_length=24),
        ),
        AlterFieldState(
            model_name='NotificationPreference',
            name='kind',
            field=fields.CharField(description="a Kind's key (notifications.kinds)", max_length=24),
        ),
    ]
