"""Stories of change and worker profiles (#20): pieces, themes, their review and consents;
stored images; editors; case-discussion groups and the findings confirmed on their posts."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from community.accounts.models import Profession
from community.stories.models import PieceKind, PieceState
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class AddFieldState(ops.AddField):
    """The new field in the models' state; the column itself is added by add_columns, with its
    DEFAULT in the table (Tortoise 1.1 writes NOT NULL without one, which both databases
    refuse on a table that has rows)."""

    async def database_forward(self, *args: object, **kwargs: object) -> None:
        return None

    async def database_backward(self, *args: object, **kwargs: object) -> None:
        return None


#: (table, column, its type on PostgreSQL, on SQLite, its default)
COLUMNS = [
    ("groups_group", "case_discussion", "BOOL", "INT", "FALSE"),
    ("accounts_member", "is_editor", "BOOL", "INT", "FALSE"),
    ("forum_post", "confirmed_findings", "JSONB", "JSON", "'[]'"),
]


async def add_columns(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    postgres = client.capabilities.dialect == "postgres"
    for table, column, postgres_type, sqlite_type, default in COLUMNS:
        kind = postgres_type if postgres else sqlite_type
        if not postgres and default == "FALSE":
            default = "0"
        await client.execute_script(
            f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind} NOT NULL DEFAULT {default}'
        )


async def drop_columns(apps: Any, schema_editor: Any) -> None:
    for table, column, *_ in COLUMNS:
        await schema_editor.client.execute_script(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')


#: the themes a new site starts with
THEMES = [
    "Building trust",
    "Working with families",
    "Collaboration across agencies",
    "Crisis and recovery",
    "Inclusion",
    "Innovation in practice",
    "Self-care and resilience",
    "Supervision and learning",
    "Community partnerships",
    "Advocacy",
]


async def add_themes(apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    marks = "$1, $2" if client.capabilities.dialect == "postgres" else "?, ?"
    for position, name in enumerate(THEMES):
        await client.execute_query(
            f'INSERT INTO "stories_theme" ("name", "position") VALUES ({marks})', [name, position]
        )


async def remove_themes(apps: Any, schema_editor: Any) -> None:
    await schema_editor.client.execute_query('DELETE FROM "stories_theme"')



class Migration(migrations.Migration):
    dependencies = [('community', '0021_directory')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Image',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, description="the SHA-256 of `data`, in hex: the address of the image (/media/<key>.<extension>)", max_length=64)),
                ('content_type', fields.CharField(description='image/jpeg, image/png or image/webp', max_length=32)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('data', fields.BinaryField(description='the encoded image, as served')),
                ('byte_size', fields.IntField()),
                ('uploaded_by', fields.ForeignKeyField('community.Member', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='images', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'media_image', 'app': 'community', 'pk_attr': 'id', 'table_description': 'An uploaded image as served: re-encoded (no metadata), resized for the page. Kept in the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Piece',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='STORY: story\nPROFILE: profile', enum_type=PieceKind, max_length=16)),
                ('state', fields.CharEnumField(default=PieceState.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted\nCHANGES_REQUESTED: changes_requested\nAPPROVED: approved\nPUBLISHED: published\nUNPUBLISHED: unpublished', enum_type=PieceState, max_length=24)),
                ('author', fields.ForeignKeyField('community.Member', source_field='author_id', db_constraint=True, to_field='id', related_name='pieces', on_delete=OnDelete.RESTRICT)),
                ('title', fields.CharField(max_length=160)),
                ('summary', fields.CharField(default='', max_length=400)),
                ('body', fields.TextField(default='', unique=False)),
                ('body_html', fields.TextField(default='', description='`body` rendered by text.render_markdown on write', unique=False)),
                ('profession', fields.CharEnumField(null=True, description='SOCIAL_WORKER: social_worker\nCOUNSELLOR: counsellor\nPSYCHOLOGIST: psychologist\nTHERAPIST: therapist\nSOCIAL_WORK_ASSOCIATE: social_work_associate\nSOCIAL_SERVICE_ASSISTANT: social_service_assistant\nEARLY_INTERVENTION_TEACHER: early_intervention_teacher\nSPECIAL_EDUCATION_TEACHER: special_education_teacher\nCHILDCARE_EDUCATOR: childcare_educator\nOTHER: other', enum_type=Profession, max_length=40)),
                ('cover', fields.ForeignKeyField('community.Image', source_field='cover_id', null=True, db_constraint=True, to_field='id', related_name='pieces', on_delete=OnDelete.SET_NULL)),
                ('cover_alt', fields.CharField(default='', description="a description of the cover for those who cannot see it", max_length=200)),
                ('named', fields.BooleanField(default=True, description='shown with the name of the author (True), or as `shown_as`')),
                ('shown_as', fields.CharField(default='', max_length=120)),
                ('findings', fields.JSONField(default=list, description='what the client-details guard found in the text as last saved: [{"kind", "text"}]', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('findings_confirmed_at', fields.DatetimeField(null=True, description='when the author confirmed those findings are no details of clients (None: not yet)', auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, description='when it is (or was) published, a time still to come while it is scheduled', auto_now=False, auto_now_add=False)),
                ('picked_at', fields.DatetimeField(null=True, description="an editors' pick, shown on the home page", auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stories_piece', 'app': 'community', 'indexes': [Index(fields=['state', 'published_at']), Index(fields=['author_id', 'state']), Index(fields=['state', 'submitted_at'])], 'pk_attr': 'id', 'table_description': 'A story of change or a worker profile, by one member.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Consent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('piece', fields.ForeignKeyField('community.Piece', source_field='piece_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('member', fields.ForeignKeyField('community.Member', source_field='member_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('basis', fields.CharField(description='"consented" (everyone identifiable agreed) or "de_identified" (no one can be identified)', max_length=16)),
                ('wording', fields.TextField(description='the exact sentence the author confirmed', unique=False)),
                ('named', fields.BooleanField()),
                ('shown_as', fields.CharField(default='', max_length=120)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stories_consent', 'app': 'community', 'indexes': [Index(fields=['piece_id', 'id'])], 'pk_attr': 'id', 'table_description': 'What the author confirmed when they submitted: the exact wording shown, their answer'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PieceArea',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('piece', fields.ForeignKeyField('community.Piece', source_field='piece_id', db_constraint=True, to_field='id', related_name='area_links', on_delete=OnDelete.CASCADE)),
                ('area', fields.ForeignKeyField('community.PracticeArea', source_field='area_id', db_constraint=True, to_field='id', related_name='piece_links', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'stories_piece_area', 'app': 'community', 'unique_together': (('piece', 'area'),), 'indexes': [Index(fields=['area_id', 'piece_id'])], 'pk_attr': 'id', 'table_description': 'A practice area a piece is filed under.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Theme',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=60)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'stories_theme', 'app': 'community', 'pk_attr': 'id', 'table_description': 'A theme pieces are filed under (kept by admins, like practice areas).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PieceTheme',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('piece', fields.ForeignKeyField('community.Piece', source_field='piece_id', db_constraint=True, to_field='id', related_name='theme_links', on_delete=OnDelete.CASCADE)),
                ('theme', fields.ForeignKeyField('community.Theme', source_field='theme_id', db_constraint=True, to_field='id', related_name='piece_links', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'stories_piece_theme', 'app': 'community', 'unique_together': (('piece', 'theme'),), 'indexes': [Index(fields=['theme_id', 'piece_id'])], 'pk_attr': 'id', 'table_description': 'A theme a piece is filed under.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Transition',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('piece', fields.ForeignKeyField('community.Piece', source_field='piece_id', db_constraint=True, to_field='id', related_name='transitions', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('community.Member', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='piece_transitions', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(description='what was done: submit, request_changes, approve, publish, unpublish, withdraw, ...', max_length=24)),
                ('from_state', fields.CharEnumField(description='DRAFT: draft\nSUBMITTED: submitted\nCHANGES_REQUESTED: changes_requested\nAPPROVED: approved\nPUBLISHED: published\nUNPUBLISHED: unpublished', enum_type=PieceState, max_length=24)),
                ('to_state', fields.CharEnumField(description='DRAFT: draft\nSUBMITTED: submitted\nCHANGES_REQUESTED: changes_requested\nAPPROVED: approved\nPUBLISHED: published\nUNPUBLISHED: unpublished', enum_type=PieceState, max_length=24)),
                ('message', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'stories_transition', 'app': 'community', 'indexes': [Index(fields=['piece_id', 'id'])], 'pk_attr': 'id', 'table_description': "One step in the review of a piece: who moved it from which state to which, when, and why."},
            bases=['Model'],
        ),
        ops.RunPython(add_columns, drop_columns),
        AddFieldState(
            model_name="Group",
            name="case_discussion",
            field=fields.BooleanField(
                default=False,
                description="set by facilitators: posts are checked for client details before they are saved,",
            ),
        ),
        AddFieldState(
            model_name="Member",
            name="is_editor",
            field=fields.BooleanField(
                default=False,
                description="reviews and publishes stories and worker profiles (given and taken back by admins)",
            ),
        ),
        AddFieldState(
            model_name="Post",
            name="confirmed_findings",
            field=fields.JSONField(
                default=list,
                description="in a case-discussion group, what the client-details guard found in the body as saved",
                encoder=functools.partial(dumps, separators=(",", ":")),
                decoder=loads,
            ),
        ),
        ops.RunPython(add_themes, remove_themes),
    ]
