from tortoise import migrations
from tortoise.migrations import operations as ops
from community.forum.models import FlagReason, FlagStatus, HiddenReason
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0005_forum_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Flag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('community.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharEnumField(description='SPAM: spam\nABUSIVE: abusive\nCONFIDENTIAL: confidential\nOFF_TOPIC: off_topic\nOTHER: other', enum_type=FlagReason, max_length=16)),
                ('details', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=FlagStatus.OPEN, description='OPEN: open\nDISMISSED: dismissed\nACTIONED: actioned', enum_type=FlagStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_flag', 'app': 'community', 'unique_together': (('post', 'member'),), 'pk_attr': 'id', 'table_description': 'A member asking the facilitators to look at a post (one flag per member and post).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Post',
            name='hidden_reason',
            field=fields.CharEnumField(null=True, description='FACILITATOR: facilitator\nFLAGS: flags\nREVIEW: review', enum_type=HiddenReason, max_length=16),
        ),
    ]
