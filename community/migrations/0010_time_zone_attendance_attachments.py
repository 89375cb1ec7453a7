from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0009_event_reminders')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Member',
            name='calendar_feed_version',
            field=fields.IntField(default=0, description='bumped to reset the secret calendar feed address (it is signed with this number)'),
        ),
        ops.AddField(
            model_name='Member',
            name='time_zone',
            field=fields.CharField(default='', description="IANA zone the member reads times in, empty for the site's zone", max_length=64),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='attachments',
            field=fields.JSONField(default=list, description='files as [{"Name": ..., "ContentType": ..., "Content": base64}], as Postmark takes them', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Rsvp',
            name='attendance_marked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Rsvp',
            name='attended',
            field=fields.BooleanField(null=True, description='marked by a facilitator at or after the event, None until then'),
        ),
    ]
