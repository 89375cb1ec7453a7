from tortoise import migrations
from tortoise.migrations import operations as ops
from enum import StrEnum

from community.notifications.models import Delivery, EmailState


class NotificationKind(StrEnum):
    """The kinds as they were when this migration was written (features now declare them)."""

    REPLY = "reply"
    QUOTE = "quote"
    MENTION = "mention"
    NEW_THREAD = "new_thread"
    JOIN_REQUEST = "join_request"
    REQUEST_DECIDED = "request_decided"
    INVITATION = "invitation"
    PROMOTED = "promoted"
    EVENT_CHANGED = "event_changed"
    FLAG = "flag"
    EVENT_REMINDER = "event_reminder"

from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('community', '0010_time_zone_attendance_attachments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DigestRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='digests', on_delete=OnDelete.CASCADE)),
                ('local_date', fields.DateField(description="the date in the member's time zone")),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications_digest_run', 'app': 'community', 'unique_together': (('member', 'local_date'),), 'pk_attr': 'id', 'table_description': "One member's daily digest for one local date: unique, so it goes out once a day."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REPLY: reply\nQUOTE: quote\nMENTION: mention\nNEW_THREAD: new_thread\nJOIN_REQUEST: join_request\nREQUEST_DECIDED: request_decided\nINVITATION: invitation\nPROMOTED: promoted\nEVENT_CHANGED: event_changed\nFLAG: flag\nEVENT_REMINDER: event_reminder', enum_type=NotificationKind, max_length=24)),
                ('actor', fields.ForeignKeyField('community.Member', source_field='actor_id', null=True, description='who caused it (None for the site itself)', db_constraint=True, to_field='id', related_name='caused_notifications', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(description='one line, like "Ana Lim replied in Supervision after a hard case"', max_length=300)),
                ('body', fields.TextField(default='', description="plain text: an excerpt of the post, the request message, the event's new time", unique=False)),
                ('url', fields.CharField(description='a path on this site, straight to the post or page', max_length=500)),
                ('topic', fields.CharField(default='', description='what it is about, for grouping emails ("thread:12", "event:3")', max_length=100)),
                ('dedupe_key', fields.CharField(description='the thing it is about, so the same thing never notifies a member twice', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('email_state', fields.CharEnumField(default=EmailState.NONE, description='NONE: none\nPENDING: pending\nDIGEST: digest\nSENT: sent', enum_type=EmailState, max_length=16)),
                ('email_due_at', fields.DatetimeField(null=True, description='PENDING: when the coalescing window closes', auto_now=False, auto_now_add=False)),
                ('emailed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'notifications_notification', 'app': 'community', 'unique_together': (('member', 'dedupe_key'),), 'indexes': [Index(fields=['member_id', 'created_at']), Index(fields=['email_state', 'email_due_at'])], 'pk_attr': 'id', 'table_description': 'Something a member should know about, shown in their inbox and maybe emailed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationPreference',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='notification_preferences', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='REPLY: reply\nQUOTE: quote\nMENTION: mention\nNEW_THREAD: new_thread\nJOIN_REQUEST: join_request\nREQUEST_DECIDED: request_decided\nINVITATION: invitation\nPROMOTED: promoted\nEVENT_CHANGED: event_changed\nFLAG: flag\nEVENT_REMINDER: event_reminder', enum_type=NotificationKind, max_length=24)),
                ('delivery', fields.CharEnumField(description='IMMEDIATELY: immediately\nDIGEST: digest\nNEVER: never', enum_type=Delivery, max_length=16)),
            ],
            options={'table': 'notifications_preference', 'app': 'community', 'unique_together': (('member', 'kind'),), 'pk_attr': 'id', 'table_description': "A member's choice of email for one kind of notification (no row: the default)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Member',
            name='unread_notifications',
            field=fields.IntField(default=0, description='unread notifications, kept with them (the bell on every page costs no query)'),
        ),
    ]
