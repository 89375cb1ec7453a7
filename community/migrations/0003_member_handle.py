from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0002_groups')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Member',
            name='handle',
            field=fields.CharField(null=True, unique=True, description='for @mentions: lower-case letters, digits and underscores, made from the name at sign-up', max_length=40),
        ),
    ]
