from tortoise import migrations
from tortoise.migrations import operations as ops
from community.forum.models import WatchLevel
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0006_forum_flags')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Watch',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='watches', on_delete=OnDelete.CASCADE)),
                ('thread', fields.ForeignKeyField('community.Thread', source_field='thread_id', null=True, db_constraint=True, to_field='id', related_name='watches', on_delete=OnDelete.CASCADE)),
                ('group', fields.ForeignKeyField('community.Group', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='watches', on_delete=OnDelete.CASCADE)),
                ('level', fields.CharEnumField(description='WATCHING: watching\nMUTED: muted', enum_type=WatchLevel, max_length=16)),
            ],
            options={'table': 'forum_watch', 'app': 'community', 'unique_together': (('member', 'thread'), ('member', 'group')), 'pk_attr': 'id', 'table_description': 'A member watching or muting a thread or a whole group (for notifications).'},
            bases=['Model'],
        ),
    ]
