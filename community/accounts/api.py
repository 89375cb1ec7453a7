"""API: registration, personal access tokens, and the member's own profile."""

from __future__ import annotations

from pydantic import BaseModel, Field, RootModel
from starlette.requests import Request

from community.accounts import models, service, tokens
from community.accounts.models import Member, Profession, ProfileVisibility
from community.accounts.schemas import (
    ProfileUpdate,
    Registration,
    TokenRequest,
)
from community.accounts.tokens import member_for_token
from community.errors import Unauthenticated
from community.web.api import Api, Call, Instant
from community.web.limits import check_rate_limit

#: this feature's operations, served under /api/v1 with the others'
api = Api()


class MemberSummary(BaseModel):
    """A member as other features' answers show them (an author, an attendee)."""

    id: int
    display_name: str
    handle: str | None
    profession: str | None
    organisation: str

    @classmethod
    def of(cls, member: Member) -> MemberSummary:
        return cls(
            id=member.id,
            display_name=member.display_name,
            handle=member.handle,
            profession=str(member.profession) if member.profession else None,
            organisation=member.organisation,
        )


async def authenticate(request: Request) -> Member | None:
    """The member of a bearer token (401 if the token is not valid), else of the session."""
    header = request.headers.get("authorization")
    if header is None:
        member: Member | None = getattr(request.state, "member", None)
        return member
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("Send `Authorization: Bearer <token>`.")
    member = await member_for_token(secret.strip())
    if member is None:
        raise Unauthenticated("This token is not valid: it may have been revoked.")
    return member


class Profile(BaseModel):
    """Your own profile, as the API answers it."""

    id: int
    email: str
    display_name: str
    handle: str | None
    profession: Profession | None
    organisation: str
    years_in_practice: int | None
    bio: str = Field(description="Markdown")
    story: str = Field(description="Markdown")
    time_zone: str = Field(description="IANA zone, empty for the site's zone")
    cpd_goal_hours: int | None = Field(
        description="Your yearly goal of CPD/CET hours; null for none"
    )
    profile_visibility: ProfileVisibility = Field(
        description="Who may see your profile and find you in the directory"
    )
    practice_areas: list[int] = Field(description="The ids of your practice areas")
    is_admin: bool
    verified: bool
    created_at: Instant

    @classmethod
    def of(cls, member: Member, practice_areas: list[int]) -> Profile:
        return cls(
            id=member.id,
            email=member.email or "",
            display_name=member.display_name,
            handle=member.handle,
            profession=Profession(member.profession) if member.profession else None,
            organisation=member.organisation,
            years_in_practice=member.years_in_practice,
            bio=member.bio,
            story=member.story,
            time_zone=member.time_zone,
            cpd_goal_hours=member.cpd_goal_hours,
            profile_visibility=member.profile_visibility,
            practice_areas=practice_areas,
            is_admin=member.is_admin,
            verified=member.is_verified,
            created_at=member.created_at,
        )


class AccessToken(BaseModel):
    """One of your personal access tokens, without its secret."""

    id: int
    name: str
    created_at: Instant
    last_used_at: Instant | None

    @classmethod
    def of(cls, row: models.AccessToken) -> AccessToken:
        return cls(
            id=row.id, name=row.name, created_at=row.created_at, last_used_at=row.last_used_at
        )


class NewAccessToken(BaseModel):
    id: int
    name: str
    token: str = Field(description="The secret: shown this once, store it safely.")


class AccessTokenList(RootModel[list[AccessToken]]):
    """Your tokens, newest first."""


class Registered(BaseModel):
    message: str


@api.operation(
    "POST",
    "/auth/register",
    summary="Register; a verification link is emailed",
    description="The answer is the same whether or not the address has an account already "
    "(that account is emailed instead), so registration reveals no one.",
    tag="auth",
    auth="none",
    body=Registration,
    response=Registered,
    status=201,
)
async def register(call: Call) -> BaseModel:
    await check_rate_limit(call.request, "register")
    form = call.parsed(Registration)
    await service.register(form=form)
    return Registered(message=f"We sent a link to {form.email}: open it to verify the address.")


@api.operation(
    "POST",
    "/auth/tokens",
    summary="Create a personal access token with an email and password",
    tag="auth",
    auth="none",
    body=TokenRequest,
    response=NewAccessToken,
    status=201,
)
async def create_token(call: Call) -> BaseModel:
    request = call.parsed(TokenRequest)
    await check_rate_limit(call.request, "login", request.email)
    row, secret = await tokens.create_token_with_password(credentials=request, name=request.name)
    return NewAccessToken(id=row.id, name=row.name, token=secret)


@api.operation(
    "GET",
    "/auth/tokens",
    summary="Your personal access tokens (without their secrets)",
    tag="auth",
    response=AccessTokenList,
)
async def list_tokens(call: Call) -> AccessTokenList:
    return AccessTokenList(
        [AccessToken.of(row) for row in await tokens.list_tokens(member=call.member())]
    )


@api.operation(
    "DELETE",
    "/auth/tokens/{token_id}",
    summary="Revoke one of your tokens",
    tag="auth",
    status=204,
)
async def revoke_token(call: Call) -> None:
    await tokens.revoke_token(member=call.member(), token_id=call.path["token_id"])


@api.operation("GET", "/me", summary="Your profile", tag="me", response=Profile)
async def get_me(call: Call) -> BaseModel:
    member = call.member()
    return Profile.of(member, await service.practice_area_ids(member))


@api.operation(
    "PATCH",
    "/me",
    summary="Change your profile (only the fields you send)",
    tag="me",
    body=ProfileUpdate,
    response=Profile,
)
async def update_me(call: Call) -> BaseModel:
    updated = await service.update_profile(actor=call.member(), form=call.parsed(ProfileUpdate))
    return Profile.of(updated, await service.practice_area_ids(updated))
