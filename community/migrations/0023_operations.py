from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('community', '0022_stories')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WorkerBeat',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, description='host, process id and a random part, made when the process starts', max_length=100)),
                ('host', fields.CharField(max_length=100)),
                ('pid', fields.IntField()),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('beat_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'admin_worker_beat', 'app': 'community', 'pk_attr': 'id', 'table_description': 'The last sign of life of a process running the timed jobs (a worker, or serve).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='failed_at',
            field=fields.DatetimeField(null=True, description='when it was given up on (status failed)', auto_now=False, auto_now_add=False),
        ),
    ]
