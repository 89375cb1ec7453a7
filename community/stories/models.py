"""Pieces (stories of change and worker profiles), their themes, consents and history."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

from community.accounts.models import Profession


class PieceKind(StrEnum):
    STORY = "story"
    PROFILE = "profile"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {PieceKind.STORY: "Story of change", PieceKind.PROFILE: "Worker profile"}


class PieceState(StrEnum):
    """Where a piece is in its review. Published with a time still to come: scheduled."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    PieceState.DRAFT: "Draft",
    PieceState.SUBMITTED: "Submitted for review",
    PieceState.CHANGES_REQUESTED: "Changes requested",
    PieceState.APPROVED: "Approved",
    PieceState.PUBLISHED: "Published",
    PieceState.UNPUBLISHED: "Unpublished",
}


class Theme(Model):
    """A theme pieces are filed under (kept by admins, like practice areas)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=60, unique=True)
    position = fields.IntField(default=0)

    class Meta:
        table = "stories_theme"
        ordering = ("position", "name")


class Piece(Model):
    """A story of change or a worker profile, by one member."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharEnumField(PieceKind, max_length=16)
    state = fields.CharEnumField(PieceState, max_length=24, default=PieceState.DRAFT)
    author: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="pieces", on_delete=fields.RESTRICT
    )
    author_id: int
    title = fields.CharField(max_length=160)
    summary = fields.CharField(max_length=400, default="")
    body = fields.TextField(default="")
    #: `body` rendered by text.render_markdown on write
    body_html = fields.TextField(default="")
    profession = fields.CharEnumField(Profession, max_length=40, null=True)
    cover: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Image", related_name="pieces", null=True, on_delete=fields.SET_NULL
    )
    cover_id: int | None
    #: a description of the cover for those who cannot see it
    cover_alt = fields.CharField(max_length=200, default="")
    #: shown with the name of the author (True), or as `shown_as`
    #: ("a social worker in family services")
    named = fields.BooleanField(default=True)
    shown_as = fields.CharField(max_length=120, default="")
    #: what the client-details guard found in the text as last saved: [{"kind", "text"}]
    findings: Any = fields.JSONField(default=list)
    #: when the author confirmed those findings are no details of clients (None: not yet)
    findings_confirmed_at = fields.DatetimeField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    #: when it is (or was) published, a time still to come while it is scheduled
    published_at = fields.DatetimeField(null=True)
    #: an editors' pick, shown on the home page
    picked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "stories_piece"
        indexes = (("state", "published_at"), ("author_id", "state"), ("state", "submitted_at"))


class PieceArea(Model):
    """A practice area a piece is filed under."""

    id = fields.IntField(primary_key=True)
    piece: fields.ForeignKeyRelation[Piece] = fields.ForeignKeyField(
        "community.Piece", related_name="area_links", on_delete=fields.CASCADE
    )
    piece_id: int
    area: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.PracticeArea", related_name="piece_links", on_delete=fields.CASCADE
    )
    area_id: int

    class Meta:
        table = "stories_piece_area"
        unique_together = (("piece", "area"),)
        indexes = (("area_id", "piece_id"),)


class PieceTheme(Model):
    """A theme a piece is filed under."""

    id = fields.IntField(primary_key=True)
    piece: fields.ForeignKeyRelation[Piece] = fields.ForeignKeyField(
        "community.Piece", related_name="theme_links", on_delete=fields.CASCADE
    )
    piece_id: int
    theme: fields.ForeignKeyRelation[Theme] = fields.ForeignKeyField(
        "community.Theme", related_name="piece_links", on_delete=fields.CASCADE
    )
    theme_id: int

    class Meta:
        table = "stories_piece_theme"
        unique_together = (("piece", "theme"),)
        indexes = (("theme_id", "piece_id"),)


class Transition(Model):
    """One step in the review of a piece: who moved it from which state to which, when, and why."""

    id = fields.IntField(primary_key=True)
    piece: fields.ForeignKeyRelation[Piece] = fields.ForeignKeyField(
        "community.Piece", related_name="transitions", on_delete=fields.CASCADE
    )
    piece_id: int
    actor: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="piece_transitions", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    #: what was done: submit, request_changes, approve, publish, unpublish, withdraw, ...
    action = fields.CharField(max_length=24)
    from_state = fields.CharEnumField(PieceState, max_length=24)
    to_state = fields.CharEnumField(PieceState, max_length=24)
    message = fields.TextField(default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "stories_transition"
        indexes = (("piece_id", "id"),)


class Consent(Model):
    """What the author confirmed when they submitted: the exact wording shown, their answer
    and the time."""

    id = fields.IntField(primary_key=True)
    piece: fields.ForeignKeyRelation[Piece] = fields.ForeignKeyField(
        "community.Piece", related_name="consents", on_delete=fields.CASCADE
    )
    piece_id: int
    member: fields.ForeignKeyRelation[Any] = fields.ForeignKeyField(
        "community.Member", related_name="consents", on_delete=fields.CASCADE
    )
    member_id: int
    #: "consented" (everyone identifiable agreed) or "de_identified" (no one can be identified)
    basis = fields.CharField(max_length=16)
    #: the exact sentence the author confirmed
    wording = fields.TextField()
    named = fields.BooleanField()
    shown_as = fields.CharField(max_length=120, default="")
    created_at = fields.DatetimeField()

    class Meta:
        table = "stories_consent"
        indexes = (("piece_id", "id"),)
