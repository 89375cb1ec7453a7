from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0008_events')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReminderDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('community.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='reminders', on_delete=OnDelete.CASCADE)),
                ('offset_minutes', fields.IntField(description='minutes before the start (1440 for "24h")')),
                ('starts_at', fields.DatetimeField(description="the event's start this reminder was for (UTC)", auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'events_reminder_delivery', 'app': 'community', 'unique_together': (('event', 'member', 'offset_minutes', 'starts_at'),), 'pk_attr': 'id', 'table_description': 'One reminder sent to one member for one event start, at one offset before it.'},
            bases=['Model'],
        ),
    ]
