"""What the site keeps about its own processes."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class WorkerBeat(Model):
    """The last sign of life of a process running the timed jobs (a worker, or serve)."""

    #: host, process id and a random part, made when the process starts
    id = fields.CharField(max_length=100, primary_key=True)
    host = fields.CharField(max_length=100)
    pid = fields.IntField()
    started_at = fields.DatetimeField()
    beat_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "admin_worker_beat"
