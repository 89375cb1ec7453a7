"""Members, their profiles, and the single-use tokens mailed to them."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Profession(StrEnum):
    SOCIAL_WORKER = "social_worker"
    COUNSELLOR = "counsellor"
    PSYCHOLOGIST = "psychologist"
    THERAPIST = "therapist"
    SOCIAL_WORK_ASSOCIATE = "social_work_associate"
    SOCIAL_SERVICE_ASSISTANT = "social_service_assistant"
    EARLY_INTERVENTION_TEACHER = "early_intervention_teacher"
    SPECIAL_EDUCATION_TEACHER = "special_education_teacher"
    CHILDCARE_EDUCATOR = "childcare_educator"
    OTHER = "other"

    @property
    def label(self) -> str:
        return PROFESSION_LABELS[self]


PROFESSION_LABELS = {
    Profession.SOCIAL_WORKER: "Social worker",
    Profession.COUNSELLOR: "Counsellor",
    Profession.PSYCHOLOGIST: "Psychologist",
    Profession.THERAPIST: "Therapist",
    Profession.SOCIAL_WORK_ASSOCIATE: "Social work associate",
    Profession.SOCIAL_SERVICE_ASSISTANT: "Social service assistant",
    Profession.EARLY_INTERVENTION_TEACHER: "Early intervention teacher",
    Profession.SPECIAL_EDUCATION_TEACHER: "Special education teacher",
    Profession.CHILDCARE_EDUCATOR: "Childcare or student care educator",
    Profession.OTHER: "Other",
}


class ProfileVisibility(StrEnum):
    """Who may see a member's profile (and find them in the directory)."""

    EVERYONE = "everyone"
    MEMBERS = "members"
    GROUPS = "groups"
    ADMINS = "admins"

    @property
    def label(self) -> str:
        return VISIBILITY_LABELS[self]


VISIBILITY_LABELS = {
    ProfileVisibility.EVERYONE: "Everyone, also people who are not signed in",
    ProfileVisibility.MEMBERS: "Signed-in members",
    ProfileVisibility.GROUPS: "Members of my groups",
    ProfileVisibility.ADMINS: "Nobody but the administrators (not listed in the directory)",
}


class TokenPurpose(StrEnum):
    VERIFY = "verify"
    RESET = "reset"


class Member(Model):
    """A person with an account. A deleted member stays as a nameless row for their posts."""

    id = fields.IntField(primary_key=True)
    #: lower-cased, NULL once the account is deleted (unique allows many NULLs)
    email = fields.CharField(max_length=254, unique=True, null=True)
    password_hash = fields.CharField(max_length=255, default="")
    display_name = fields.CharField(max_length=80)
    #: for @mentions: lower-case letters, digits and underscores, made from the name at sign-up
    handle = fields.CharField(max_length=40, unique=True, null=True)
    profession = fields.CharEnumField(Profession, max_length=40, null=True)
    organisation = fields.CharField(max_length=120, default="")
    years_in_practice = fields.SmallIntField(null=True)
    bio = fields.TextField(default="")
    #: `bio` rendered by text.render_markdown on write
    bio_html = fields.TextField(default="")
    #: the worker profile: "why I do this work"
    story = fields.TextField(default="")
    story_html = fields.TextField(default="")
    #: IANA zone the member reads times in, empty for the site's zone
    time_zone = fields.CharField(max_length=64, default="")
    #: who may see the profile (people.access)
    profile_visibility = fields.CharEnumField(
        ProfileVisibility, max_length=16, default=ProfileVisibility.MEMBERS
    )
    #: when they were last seen signed in (moved with the session, at most every few minutes)
    last_seen_at = fields.DatetimeField(null=True)
    #: bumped to reset the secret calendar feed address (it is signed with this number)
    calendar_feed_version = fields.IntField(default=0)
    #: unread notifications, kept with them (the bell on every page costs no query)
    unread_notifications = fields.IntField(default=0)
    #: the CPD/CET hours the member means to earn each year (1 to 1000), None for no goal
    cpd_goal_hours = fields.IntField(null=True)
    is_admin = fields.BooleanField(default=False)
    #: reviews and publishes stories and worker profiles (given and taken back by admins)
    is_editor = fields.BooleanField(default=False)
    verified_at = fields.DatetimeField(null=True)
    suspended_at = fields.DatetimeField(null=True)
    deleted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "accounts_member"
        #: the member directory by name (its "recently active" order has an index on
        #: COALESCE(last_seen_at, created_at), made by migration 0021: no model field holds it)
        indexes = (("display_name", "id"),)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def profession_label(self) -> str:
        return PROFESSION_LABELS[Profession(self.profession)] if self.profession else ""

    def __str__(self) -> str:
        return self.display_name


#: the practice areas a new site starts with (migration 0018 adds them; admins change them)
DEFAULT_PRACTICE_AREAS = (
    "Child protection",
    "Family services",
    "Disability",
    "Mental health",
    "Ageing",
    "Youth",
    "Early intervention",
    "Special education",
    "Community development",
    "Corrections and rehabilitation",
    "Medical social work",
    "School social work",
    "Addictions",
    "Community care",
)


class PracticeArea(Model):
    """A field of practice members say they work in (the list admins keep)."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, unique=True)
    #: where it stands in lists (then by name)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField()

    class Meta:
        table = "accounts_practice_area"

    def __str__(self) -> str:
        return self.name


class MemberPracticeArea(Model):
    """A practice area a member works in."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "community.Member", related_name="practice_areas", on_delete=fields.CASCADE
    )
    member_id: int
    area: fields.ForeignKeyRelation[PracticeArea] = fields.ForeignKeyField(
        "community.PracticeArea", related_name="members", on_delete=fields.CASCADE
    )
    area_id: int

    class Meta:
        table = "accounts_member_practice_area"
        unique_together = (("member", "area"),)
        indexes = (("area_id", "member_id"),)


class AccountToken(Model):
    """A single-use secret mailed to a member (verify email, reset password), kept as a hash."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "community.Member", related_name="tokens", on_delete=fields.CASCADE
    )
    purpose = fields.CharEnumField(TokenPurpose, max_length=16)
    #: sha256 hex of the secret in the link
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_token"
        indexes = (("member_id", "purpose"),)


class AccessToken(Model):
    """A personal access token for the API, kept as a hash (shown to its member once)."""

    id = fields.IntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "community.Member", related_name="access_tokens", on_delete=fields.CASCADE
    )
    member_id: int
    #: the member's own label, like "my calendar script"
    name = fields.CharField(max_length=80)
    #: sha256 hex of the secret
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    #: updated at most once a minute
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "accounts_access_token"


class DirectoryVersion(Model):
    """One row: a number moved in the same transaction as every change the member directory
    shows or filters by (profiles, verification, deletion, memberships, recognitions,
    practice areas), so a process's kept directory pages are exact (accounts.versions)."""

    id = fields.IntField(primary_key=True)
    version = fields.IntField(default=0)

    class Meta:
        table = "accounts_directory_version"
