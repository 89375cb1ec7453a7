from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from community.accounts.models import Profession, TokenPurpose
from community.mail.models import OutboxStatus
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(null=True, unique=True, description='lower-cased, NULL once the account is deleted (unique allows many NULLs)', max_length=254)),
                ('password_hash', fields.CharField(default='', max_length=255)),
                ('display_name', fields.CharField(max_length=80)),
                ('profession', fields.CharEnumField(null=True, description='SOCIAL_WORKER: social_worker\nCOUNSELLOR: counsellor\nPSYCHOLOGIST: psychologist\nTHERAPIST: therapist\nSOCIAL_WORK_ASSOCIATE: social_work_associate\nSOCIAL_SERVICE_ASSISTANT: social_service_assistant\nEARLY_INTERVENTION_TEACHER: early_intervention_teacher\nSPECIAL_EDUCATION_TEACHER: special_education_teacher\nCHILDCARE_EDUCATOR: childcare_educator\nOTHER: other', enum_type=Profession, max_length=40)),
                ('organisation', fields.CharField(default='', max_length=120)),
                ('years_in_practice', fields.SmallIntField(null=True)),
                ('bio', fields.TextField(default='', unique=False)),
                ('bio_html', fields.TextField(default='', description='`bio` rendered by text.render_markdown on write', unique=False)),
                ('story', fields.TextField(default='', description='the worker profile: "why I do this work"', unique=False)),
                ('story_html', fields.TextField(default='', unique=False)),
                ('is_admin', fields.BooleanField(default=False)),
                ('verified_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('suspended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'accounts_member', 'app': 'community', 'pk_attr': 'id', 'table_description': 'A person with an account. A deleted member stays as a nameless row for their posts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccountToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='tokens', on_delete=OnDelete.CASCADE)),
                ('purpose', fields.CharEnumField(description='VERIFY: verify\nRESET: reset', enum_type=TokenPurpose, max_length=16)),
                ('token_hash', fields.CharField(unique=True, description='sha256 hex of the secret in the link', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'accounts_token', 'app': 'community', 'indexes': [Index(fields=['member_id', 'purpose'])], 'pk_attr': 'id', 'table_description': 'A single-use secret mailed to a member (verify email, reset password), kept as a hash.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('idempotency_key', fields.CharField(unique=True, description='"<feature>:<kind>:<ids>", the same key never makes a second message', max_length=200)),
                ('to_address', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=300)),
                ('text_body', fields.TextField(unique=False)),
                ('html_body', fields.TextField(unique=False)),
                ('headers', fields.JSONField(default=dict, description='extra headers as {"Name": "value"}', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('template', fields.CharField(max_length=100)),
                ('message_stream', fields.CharField(default='outbound', max_length=50)),
                ('status', fields.CharEnumField(default=OutboxStatus.PENDING, description='PENDING: pending\nSENDING: sending\nSENT: sent\nFAILED: failed', enum_type=OutboxStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(description="when the worker may next try (for SENDING, when the claim's lease runs out)", auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(default='', max_length=64)),
                ('provider_message_id', fields.CharField(default='', max_length=100)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mail_outbox_message', 'app': 'community', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'One email to one recipient, rendered at enqueue time and delivered by the worker.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key_hash', fields.CharField(unique=True, description='sha256 hex of the cookie value: a copy of the database cannot be used to sign in', max_length=64)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(db_index=True, description='the hard limit, SESSION_MAX_DAYS after sign-in (idle expiry counts from last_seen_at)', auto_now=False, auto_now_add=False)),
                ('user_agent', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'web_session', 'app': 'community', 'pk_attr': 'id', 'table_description': 'A signed-in browser. Deleting the row signs it out at once, wherever the cookie is.'},
            bases=['Model'],
        ),
    ]
