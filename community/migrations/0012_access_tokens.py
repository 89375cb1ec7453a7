from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0011_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccessToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='access_tokens', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(description='the member\'s own label, like "my calendar script"', max_length=80)),
                ('token_hash', fields.CharField(unique=True, description='sha256 hex of the secret', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, description='updated at most once a minute', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'accounts_access_token', 'app': 'community', 'pk_attr': 'id', 'table_description': 'A personal access token for the API, kept as a hash (shown to its member once).'},
            bases=['Model'],
        ),
    ]
