from tortoise import migrations
from tortoise.migrations import operations as ops
from community.forum.models import ReactionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('community', '0003_member_handle')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Thread',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('community.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('community.Member', source_field='author_id', db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=200)),
                ('post_count', fields.IntField(default=0, description='posts in the thread, the opening post included (also numbers the next post)')),
                ('pinned', fields.BooleanField(default=False)),
                ('locked', fields.BooleanField(default=False, description='no new replies')),
                ('hidden_at', fields.DatetimeField(null=True, description='hidden by a facilitator: only facilitators see it', auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_activity_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_thread', 'app': 'community', 'indexes': [Index(fields=['group_id', 'pinned', 'last_activity_at', 'id'])], 'pk_attr': 'id', 'table_description': "A discussion in a group's forum. Its first post (number 1) is the opening post."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('community.Thread', source_field='thread_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField(description='position in the thread, 1 for the opening post')),
                ('author', fields.ForeignKeyField('community.Member', source_field='author_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.RESTRICT)),
                ('body', fields.TextField(unique=False)),
                ('body_html', fields.TextField(description='`body` rendered by text.render_markdown (with mentions linked) on write', unique=False)),
                ('quote', fields.ForeignKeyField('community.Post', source_field='quote_id', null=True, db_constraint=True, to_field='id', related_name='quoted_by', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, description='deleted by its author: shown as "post deleted", keeps its place', auto_now=False, auto_now_add=False)),
                ('hidden_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_post', 'app': 'community', 'unique_together': (('thread', 'number'),), 'pk_attr': 'id', 'table_description': 'One post in a thread, numbered from 1 in the order written.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mention',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('community.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='mentions', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='mentions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_mention', 'app': 'community', 'unique_together': (('post', 'member'),), 'pk_attr': 'id', 'table_description': 'A member @mentioned in a post (for notifications).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('community.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('replaced_at', fields.DatetimeField(description='when this text was replaced', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_post_revision', 'app': 'community', 'pk_attr': 'id', 'table_description': "A post's text before an edit (facilitators see the history)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('community.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='reactions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='LIKE: like\nINSIGHTFUL: insightful\nTHANKS: thanks\nSUPPORT: support', enum_type=ReactionKind, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_reaction', 'app': 'community', 'unique_together': (('post', 'member', 'kind'),), 'pk_attr': 'id', 'table_description': "One member's reaction of one kind to a post."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ThreadRead',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('community.Thread', source_field='thread_id', db_constraint=True, to_field='id', related_name='reads', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='thread_reads', on_delete=OnDelete.CASCADE)),
                ('last_read_number', fields.IntField(default=0)),
            ],
            options={'table': 'forum_thread_read', 'app': 'community', 'unique_together': (('thread', 'member'),), 'pk_attr': 'id', 'table_description': 'How far a member has read a thread (the highest post number seen).'},
            bases=['Model'],
        ),
    ]
