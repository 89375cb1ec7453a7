from tortoise import migrations
from tortoise.migrations import operations as ops
from community.events.models import EventKind, EventState, RsvpStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('community', '0007_forum_watch_move')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('community.Group', source_field='group_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('description_html', fields.TextField(default='', description='`description` rendered by text.render_markdown on write', unique=False)),
                ('kind', fields.CharEnumField(default=EventKind.TALK, description='TALK: talk\nWORKSHOP: workshop\nCOURSE: course\nCET: cet\nNETWORKING: networking\nOTHER: other', enum_type=EventKind, max_length=16)),
                ('starts_at', fields.DatetimeField(db_index=True, description='UTC', auto_now=False, auto_now_add=False)),
                ('ends_at', fields.DatetimeField(description='UTC', auto_now=False, auto_now_add=False)),
                ('time_zone', fields.CharField(description='IANA zone the event happens in, for display', max_length=64)),
                ('venue', fields.TextField(default='', unique=False)),
                ('online_url', fields.CharField(default='', description='shown only to members who are going', max_length=500)),
                ('capacity', fields.IntField(null=True, description='None: no limit')),
                ('seats_taken', fields.IntField(default=0, description='seats taken by members going, kept with the RSVPs (a guarded counter)')),
                ('rsvp_deadline', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cpd_hours', fields.DecimalField(default=0, description='CPD or CET hours a participant earns', max_digits=5, decimal_places=2)),
                ('state', fields.CharEnumField(default=EventState.SCHEDULED, description='SCHEDULED: scheduled\nCANCELLED: cancelled', enum_type=EventState, max_length=16)),
                ('created_by', fields.ForeignKeyField('community.Member', source_field='created_by_id', db_constraint=True, to_field='id', related_name='created_events', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'events_event', 'app': 'community', 'pk_attr': 'id', 'table_description': 'A learning event of a group, or of the whole site when it has no group.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rsvp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('community.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='rsvps', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='rsvps', on_delete=OnDelete.CASCADE)),
                ('status', fields.CharEnumField(description='GOING: going\nWAITLIST: waitlist\nNOT_GOING: not_going', enum_type=RsvpStatus, max_length=16)),
                ('answered_at', fields.DatetimeField(description='when this answer was given (orders the waitlist)', auto_now=False, auto_now_add=False)),
                ('promoted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'events_rsvp', 'app': 'community', 'unique_together': (('event', 'member'),), 'indexes': [Index(fields=['event_id', 'status', 'answered_at'])], 'pk_attr': 'id', 'table_description': "A member's answer to an event: going, on the waitlist, or not going."},
            bases=['Model'],
        ),
    ]
