from tortoise import migrations
from tortoise.migrations import operations as ops
from community.events.models import Repeat
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('community', '0023_operations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='EventSeries',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('community.Group', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='event_series', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('time_zone', fields.CharField(max_length=64)),
                ('repeat', fields.CharEnumField(description='WEEKLY: weekly\nMONTHLY: monthly', enum_type=Repeat, max_length=16)),
                ('interval', fields.IntField(description='every this many weeks or months')),
                ('week_of_month', fields.IntField(null=True, description='for a monthly series, which weekday of the month: 1 to 4, or -1 for the last')),
                ('first_starts_at', fields.DatetimeField(description='the first session start by the rule (UTC), its local time in time_zone is the rule time', auto_now=False, auto_now_add=False)),
                ('duration_minutes', fields.IntField()),
                ('sessions', fields.IntField(description='how many sessions the rule makes')),
                ('until', fields.DateField(null=True, description='the last day asked for, when the rule was given one (local, inclusive)')),
                ('created_by', fields.ForeignKeyField('community.Member', source_field='created_by_id', db_constraint=True, to_field='id', related_name='created_series', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'events_series', 'app': 'community', 'pk_attr': 'id', 'table_description': 'Sessions made from one rule, kept in the series time zone: each session is a whole'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Event',
            name='series',
            field=fields.ForeignKeyField('community.EventSeries', source_field='series_id', null=True, description='the series this event is a session of, if any', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='Event',
            name='series_index',
            field=fields.IntField(null=True, description='its place in the series, from 0'),
        ),
        ops.AddField(
            model_name='Event',
            name='series_start',
            field=fields.DatetimeField(null=True, description='when the rule puts it (UTC): a session whose start differs was moved', auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='Event',
            index=Index(fields=['series_id', 'series_index']),
        ),
    ]
