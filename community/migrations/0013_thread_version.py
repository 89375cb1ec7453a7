from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0012_access_tokens')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Thread',
            name='version',
            field=fields.IntField(default=0, description='bumped by every change its pages show, so a cached copy of a page knows it is stale'),
        ),
    ]
