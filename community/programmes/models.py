"""Programmes, their sessions, enrolments and certificates."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Programme(Model):
    """A multi-session course (a CET programme, a short course): members enrol once for all
    its sessions, and complete it by attending them."""

    id = fields.IntField(primary_key=True)
    #: None: a site-wide programme, run by admins
    group: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Group", related_name="programmes", null=True, on_delete=fields.CASCADE
    )
    group_id: int | None
    title = fields.CharField(max_length=200)
    summary = fields.TextField(default="")
    #: who runs it and issues its certificates, for example "Social Service Institute"
    provider = fields.CharField(max_length=120)
    #: the professions it is meant for (accounts.Profession values), empty for everyone
    professions: Any = fields.JSONField(default=list)
    #: CET or CPD hours a member earns by completing it
    cpd_hours = fields.DecimalField(max_digits=5, decimal_places=2)
    #: None: open from when it is published
    enrol_opens_at = fields.DatetimeField(null=True)
    #: set when its facilitators cancel it (its sessions to come are cancelled with it)
    cancelled_at = fields.DatetimeField(null=True)
    #: UTC, at the latest the start of the first session (enrolment closes then in any case,
    #: should the sessions move)
    enrol_closes_at = fields.DatetimeField()
    capacity = fields.IntField()
    #: places taken by enrolled members (a guarded counter)
    seats_taken = fields.IntField(default=0)
    #: sessions a member must attend to complete it (besides every mandatory one)
    min_attended = fields.IntField()
    #: the time zone of its sessions, for dates on pages and certificates
    time_zone = fields.CharField(max_length=64)
    created_by: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="created_programmes", on_delete=fields.RESTRICT
    )
    created_at = fields.DatetimeField()

    class Meta:
        table = "programmes_programme"


class ProgrammeSession(Model):
    """One event of a programme."""

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "community.Programme", related_name="sessions", on_delete=fields.CASCADE
    )
    programme_id: int
    event: fields.OneToOneRelation[Any] = fields.OneToOneField(
        "community.Event", related_name="programme_session", on_delete=fields.CASCADE
    )
    event_id: int
    #: a member must attend it to complete the programme
    mandatory = fields.BooleanField(default=False)

    class Meta:
        table = "programmes_session"


class EnrolmentStatus(StrEnum):
    ENROLLED = "enrolled"
    WAITLIST = "waitlist"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return ENROLMENT_LABELS[self]


ENROLMENT_LABELS = {
    EnrolmentStatus.ENROLLED: "Enrolled",
    EnrolmentStatus.WAITLIST: "Waitlist",
    EnrolmentStatus.WITHDRAWN: "Withdrawn",
}


class Enrolment(Model):
    """A place in a programme, or on its waitlist, for one member."""

    id = fields.IntField(primary_key=True)
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "community.Programme", related_name="enrolments", on_delete=fields.CASCADE
    )
    programme_id: int
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="enrolments", on_delete=fields.CASCADE
    )
    member_id: int
    status = fields.CharEnumField(EnrolmentStatus, max_length=16)
    #: when this answer was given (orders the waitlist)
    answered_at = fields.DatetimeField()
    promoted_at = fields.DatetimeField(null=True)
    #: set once, when the member met the programme rule
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "programmes_enrolment"
        unique_together = (("programme", "member"),)
        indexes = (("programme_id", "status", "answered_at"), ("member_id", "status"))


class Certificate(Model):
    """The proof of a completed programme, checked by anyone at /certificates/<code>. It keeps
    what it said when issued, so later edits to the programme or the name do not change it."""

    id = fields.IntField(primary_key=True)
    #: unguessable, from secrets
    code = fields.CharField(max_length=32, unique=True)
    enrolment: fields.OneToOneRelation[Enrolment] = fields.OneToOneField(
        "community.Enrolment", related_name="certificate", on_delete=fields.CASCADE
    )
    enrolment_id: int
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="certificates", on_delete=fields.CASCADE
    )
    member_id: int
    programme: fields.ForeignKeyRelation[Programme] = fields.ForeignKeyField(
        "community.Programme", related_name="certificates", on_delete=fields.CASCADE
    )
    programme_id: int
    member_name = fields.CharField(max_length=200)
    programme_title = fields.CharField(max_length=200)
    provider = fields.CharField(max_length=120)
    hours = fields.DecimalField(max_digits=5, decimal_places=2)
    #: the first and last sessions the member attended, local days
    first_day = fields.DateField()
    last_day = fields.DateField()
    issued_at = fields.DatetimeField()
    revoked_at = fields.DatetimeField(null=True)
    revoked_reason = fields.TextField(default="")
    revoked_by: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Member",
        related_name="revoked_certificates",
        null=True,
        on_delete=fields.SET_NULL,
    )

    class Meta:
        table = "programmes_certificate"
