from tortoise import migrations
from tortoise.migrations import operations as ops
from community.groups.models import InvitationStatus, JoinPolicy, RequestStatus, Role, Visibility
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Group',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('slug', fields.CharField(unique=True, max_length=60)),
                ('description', fields.TextField(default='', unique=False)),
                ('description_html', fields.TextField(default='', description='`description` rendered by text.render_markdown on write', unique=False)),
                ('join_policy', fields.CharEnumField(default=JoinPolicy.OPEN, description='OPEN: open\nREQUEST: request\nINVITE: invite', enum_type=JoinPolicy, max_length=16)),
                ('visibility', fields.CharEnumField(default=Visibility.PUBLIC, description='PUBLIC: public\nPRIVATE: private', enum_type=Visibility, max_length=16)),
                ('member_count', fields.IntField(default=0, description='kept in step with memberships in the same transaction')),
                ('facilitator_count', fields.IntField(default=0, description='kept in step with roles (a guarded decrement keeps it from reaching 0)')),
                ('last_activity_at', fields.DatetimeField(description='the latest join, thread or post (for the directory)', auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('community.Member', source_field='created_by_id', db_constraint=True, to_field='id', related_name='created_groups', on_delete=OnDelete.RESTRICT)),
            ],
            options={'table': 'groups_group', 'app': 'community', 'pk_attr': 'id', 'table_description': 'A community of practice or fellowship group. Anyone sees its name and description.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('community.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(description='lower-cased, how an invitation finds its member after they register', max_length=254)),
                ('invited_by', fields.ForeignKeyField('community.Member', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='sent_invitations', on_delete=OnDelete.SET_NULL)),
                ('token_hash', fields.CharField(unique=True, description='sha256 hex of the secret in the emailed link', max_length=64)),
                ('status', fields.CharEnumField(default=InvitationStatus.PENDING, description='PENDING: pending\nACCEPTED: accepted\nDECLINED: declined\nREVOKED: revoked', enum_type=InvitationStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'groups_invitation', 'app': 'community', 'unique_together': (('group', 'email'),), 'pk_attr': 'id', 'table_description': "An invitation to a group, sent to an email address (a member's, or someone new)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JoinRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('community.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='join_requests', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='join_requests', on_delete=OnDelete.CASCADE)),
                ('message', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=RequestStatus.PENDING, description='PENDING: pending\nAPPROVED: approved\nDECLINED: declined\nWITHDRAWN: withdrawn', enum_type=RequestStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('community.Member', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='decided_requests', on_delete=OnDelete.SET_NULL)),
                ('decision_message', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'groups_join_request', 'app': 'community', 'unique_together': (('group', 'member'),), 'pk_attr': 'id', 'table_description': 'A member asking to join a group that admits by request (one row per group and member).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('community.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(default=Role.MEMBER, description='MEMBER: member\nFACILITATOR: facilitator', enum_type=Role, max_length=16)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'groups_membership', 'app': 'community', 'unique_together': (('group', 'member'),), 'pk_attr': 'id', 'table_description': 'A member of a group, and their role in it.'},
            bases=['Model'],
        ),
    ]
