"""Account actions: register, verify, sign in, reset, profile, deletion, suspension."""

from __future__ import annotations

import logging
import re
import secrets
import unicodedata
import uuid
from datetime import timedelta

from tortoise.exceptions import IntegrityError

from community import clock, sessions
from community.accounts import emails
from community.accounts.access import access_member, can_moderate_members
from community.accounts.models import (
    AccountToken,
    Member,
    MemberPracticeArea,
    PracticeArea,
    TokenPurpose,
)
from community.accounts.passwords import hash_password, needs_rehash, verify_password
from community.accounts.schemas import (
    Credentials,
    NewPassword,
    PasswordChange,
    ProfileUpdate,
    Registration,
    normalise_email,
)
from community.accounts.versions import directory_changed
from community.db import fits, transaction
from community.errors import Conflict, Invalid, PermissionDenied
from community.mail.outbox import enqueue
from community.settings import current as current_settings
from community.text import render_markdown

logger = logging.getLogger(__name__)

VERIFY_LIFETIME = timedelta(days=3)
RESET_LIFETIME = timedelta(hours=1)
DELETED_NAME = "Deleted member"
BAD_LINK = "This link is invalid or has expired. Ask for a new one."


async def _issue_token(
    member: Member, purpose: TokenPurpose, lifetime: timedelta
) -> tuple[str, int]:
    """A new single-use secret: (secret, row id). Call inside a transaction."""
    secret = secrets.token_urlsafe(32)
    now = clock.now()
    row = await AccountToken.create(
        member=member,
        purpose=purpose,
        token_hash=sessions.hash_key(secret),
        created_at=now,
        expires_at=now + lifetime,
    )
    return secret, row.id


async def _live_token(secret: str, purpose: TokenPurpose) -> AccountToken:
    token = (
        await AccountToken.filter(
            token_hash=sessions.hash_key(secret),
            purpose=purpose,
            used_at__isnull=True,
            expires_at__gt=clock.now(),
        )
        .select_related("member")
        .first()
    )
    if token is None or token.member.is_deleted:
        raise Invalid(BAD_LINK, token=BAD_LINK)
    return token


async def _use_token(token: AccountToken) -> None:
    """Mark the token used; a second use of the same link loses the race. Call in a transaction."""
    used = await AccountToken.filter(id=token.id, used_at__isnull=True).update(used_at=clock.now())
    if used != 1:
        raise Invalid(BAD_LINK, token=BAD_LINK)


async def register(*, form: Registration) -> Member | None:
    """Create an unverified member and email a verification link.

    If the address already has an account, that account is emailed instead and None returned;
    the caller shows the same page either way, so registration never reveals who is a member.
    """
    password_hash = hash_password(form.password)  # before the lookup: same time either way
    existing = await Member.filter(email=form.email).first()
    if existing is None:
        try:
            async with transaction():
                member = await Member.create(
                    email=form.email,
                    display_name=form.display_name,
                    password_hash=password_hash,
                    created_at=clock.now(),
                )
                await assign_handle(member)
                secret, token_id = await _issue_token(member, TokenPurpose.VERIFY, VERIFY_LIFETIME)
                await enqueue(emails.verification(member, token=secret, token_id=token_id))
            return member
        except IntegrityError:  # registered a moment ago by a concurrent request
            existing = await Member.filter(email=form.email).first()
    if existing is not None and not existing.is_deleted:
        attempt = uuid.uuid4().hex[:12]
        async with transaction():
            await enqueue(emails.already_registered(existing, attempt=attempt))
    return None


def handle_base(display_name: str) -> str:
    """The handle a name suggests: "Chen Mei Ling" -> "chen_mei_ling"."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")[:30]
    return base or "member"


async def assign_handle(member: Member) -> str:
    """Give the member a unique handle made from their name. Call inside a transaction."""
    base = handle_base(member.display_name)
    taken: set[str] = {
        str(row.handle) for row in await Member.filter(handle__startswith=base).only("handle")
    }
    handle = base
    suffix = 1
    while True:
        while handle in taken:
            suffix += 1
            handle = f"{base}{suffix}"
        try:
            async with transaction():  # a savepoint: a lost race tries the next suffix
                await Member.filter(id=member.id).update(handle=handle)
        except IntegrityError:
            taken.add(handle)
            continue
        member.handle = handle
        return handle


async def verify_email(*, token: str) -> Member:
    """Verify the member whose link this is; a used or expired link raises Invalid."""
    row = await _live_token(token, TokenPurpose.VERIFY)
    async with transaction():
        await _use_token(row)
        member = row.member
        if member.verified_at is None:
            member.verified_at = clock.now()
            await Member.filter(id=member.id).update(verified_at=member.verified_at)
            await directory_changed()  # listed from now on
    return member


async def resend_verification(*, actor: Member) -> None:
    """Email a fresh verification link; Conflict if already verified."""
    if actor.is_verified:
        raise Conflict("Your email address is already verified.")
    async with transaction():
        secret, token_id = await _issue_token(actor, TokenPurpose.VERIFY, VERIFY_LIFETIME)
        await enqueue(emails.verification(actor, token=secret, token_id=token_id))


async def log_in(*, credentials: Credentials, user_agent: str = "") -> tuple[Member, str]:
    """Check the password and open a session; returns the member and the session's secret key.

    A wrong email and a wrong password give the same error after the same work.
    """
    member = await check_credentials(credentials)
    settings = current_settings()
    async with transaction():
        key = await sessions.create_session(
            member_id=member.id, max_days=settings.session_max_days, user_agent=user_agent
        )
    logger.info("Member %s signed in", member.id)
    return member, key


async def check_credentials(credentials: Credentials) -> Member:
    """The member with this email and password (a stored hash is upgraded if it is old).

    A wrong email and a wrong password give the same error after the same work.
    """
    member = await find_member_by_email(credentials.email)
    stored = member.password_hash if member else ""
    if not verify_password(stored, credentials.password) or member is None:
        raise Invalid(
            "The email or password is not right.",
            password="The email or password is not right. Check both and try again.",
        )
    if member.is_suspended:
        raise PermissionDenied(
            "This account is suspended. Please contact the site's administrators."
        )
    if needs_rehash(member.password_hash):
        await Member.filter(id=member.id).update(password_hash=hash_password(credentials.password))
    return member


async def log_out(*, session_key: str | None) -> None:
    """End this browser's session."""
    if session_key:
        await sessions.end_session(session_key)


async def request_password_reset(*, email: str) -> None:
    """Email a one-hour, single-use reset link if the address has an account; silent if not."""
    member = await find_member_by_email(email)
    if member is None or member.is_suspended:
        return
    async with transaction():
        secret, token_id = await _issue_token(member, TokenPurpose.RESET, RESET_LIFETIME)
        await enqueue(emails.password_reset(member, token=secret, token_id=token_id))


async def check_reset_token(*, token: str) -> Member:
    """The member a reset link belongs to; Invalid if it is used or expired."""
    return (await _live_token(token, TokenPurpose.RESET)).member


async def reset_password(*, token: str, form: NewPassword) -> Member:
    """Set a new password from a reset link, end every session, and use up every reset link."""
    row = await _live_token(token, TokenPurpose.RESET)
    member = row.member
    new_hash = hash_password(form.password)
    async with transaction():
        await _use_token(row)
        await AccountToken.filter(
            member_id=member.id, purpose=TokenPurpose.RESET, used_at__isnull=True
        ).update(used_at=clock.now())
        # the link proves the mailbox, so it also verifies the address
        await Member.filter(id=member.id).update(
            password_hash=new_hash, verified_at=member.verified_at or clock.now()
        )
        if member.verified_at is None:
            await directory_changed()
        await sessions.end_member_sessions(member.id)
    return member


async def change_password(*, actor: Member, form: PasswordChange, session_key: str) -> None:
    """Change the password (the current one must match) and end the member's other sessions."""
    if not verify_password(actor.password_hash, form.current_password):
        raise Invalid(current_password="That is not your current password.")
    new_hash = hash_password(form.new_password)
    async with transaction():
        await Member.filter(id=actor.id).update(password_hash=new_hash)
        await sessions.end_member_sessions(actor.id, keep_key=session_key)
        await enqueue(emails.password_changed(actor, change_id=uuid.uuid4().hex[:12]))
    actor.password_hash = new_hash


#: profile fields where null (sent by the API) means no text
_TEXT_FIELDS = frozenset({"organisation", "bio", "story", "time_zone"})


async def update_profile(*, actor: Member, form: ProfileUpdate) -> Member:
    """Save the fields of the member's profile the form names; Markdown is rendered once,
    here."""
    sent = form.sent()
    areas = sent.pop("practice_areas", None)
    if areas is not None:
        known = set(await PracticeArea.filter(id__in=areas).values_list("id", flat=True))
        if known != set(areas):
            raise Invalid(practice_areas="There is no such practice area: choose from the list.")
    if sent.get("profile_visibility", "") is None:
        sent.pop("profile_visibility")  # null keeps the choice (there is no "no one")
    for name, value in sent.items():
        setattr(actor, name, "" if value is None and name in _TEXT_FIELDS else value)
    actor.bio_html = render_markdown(actor.bio) if actor.bio else ""
    actor.story_html = render_markdown(actor.story) if actor.story else ""
    async with transaction():
        await actor.save(
            update_fields=[
                "display_name", "profession", "organisation", "years_in_practice",
                "bio", "bio_html", "story", "story_html", "time_zone", "profile_visibility",
                "cpd_goal_hours",
            ]
        )  # fmt: skip
        if areas is not None:
            await MemberPracticeArea.filter(member_id=actor.id).delete()
            await MemberPracticeArea.bulk_create(
                [
                    MemberPracticeArea(member_id=actor.id, area_id=area)
                    for area in sorted(set(areas))
                ]
            )
        await directory_changed()
    return actor


async def practice_area_ids(member: Member) -> list[int]:
    """The ids of the member's practice areas."""
    rows = await MemberPracticeArea.filter(member_id=member.id).values("area_id")
    return [int(row["area_id"]) for row in rows]


async def delete_account(*, actor: Member, password: str) -> None:
    """Remove the member's personal data for good; their row stays as "Deleted member"."""
    if not verify_password(actor.password_hash, password):
        raise Invalid(password="That is not your password. Enter it to confirm.")
    async with transaction():
        await Member.filter(id=actor.id).update(
            email=None,
            handle=None,
            password_hash="",
            display_name=DELETED_NAME,
            profession=None,
            organisation="",
            years_in_practice=None,
            bio="",
            bio_html="",
            story="",
            story_html="",
            is_admin=False,
            deleted_at=clock.now(),
        )
        await AccountToken.filter(member_id=actor.id).delete()
        await sessions.end_member_sessions(actor.id)
        await directory_changed()
    logger.info("Member %s deleted their account", actor.id)


async def _moderated(actor: Member, member_id: int) -> Member:
    if not can_moderate_members(actor):
        raise PermissionDenied("Only administrators can suspend or reinstate members.")
    member = await access_member(actor, member_id)
    if member.id == actor.id:
        raise Conflict("You cannot suspend or reinstate yourself.")
    return member


async def suspend_member(*, actor: Member, member_id: int) -> Member:
    """Suspend a member (admin): they cannot sign in and their sessions end at once."""
    member = await _moderated(actor, member_id)
    if member.is_suspended:
        return member
    async with transaction():
        member.suspended_at = clock.now()
        await Member.filter(id=member.id).update(suspended_at=member.suspended_at)
        await sessions.end_member_sessions(member.id)
    logger.info("Admin %s suspended member %s", actor.id, member.id)
    return member


async def reinstate_member(*, actor: Member, member_id: int) -> Member:
    """Lift a suspension (admin)."""
    member = await _moderated(actor, member_id)
    if member.is_suspended:
        await Member.filter(id=member.id).update(suspended_at=None)
        member.suspended_at = None
        logger.info("Admin %s reinstated member %s", actor.id, member.id)
    return member


async def create_admin(*, email: str, display_name: str = "", password: str = "") -> Member:
    """Promote the account with this email to admin, or create a verified admin account.

    Creating needs `password` (checked by the usual rules).
    """
    email = normalise_email(email)
    member = await Member.filter(email=email).first()
    if member is not None:
        async with transaction():
            await Member.filter(id=member.id).update(is_admin=True)
            await directory_changed()
        member.is_admin = True
        return member
    form = Registration.from_form(
        {"email": email, "display_name": display_name or email.split("@")[0], "password": password}
    )
    now = clock.now()
    async with transaction():
        admin = await Member.create(
            email=form.email,
            display_name=form.display_name,
            password_hash=hash_password(form.password),
            is_admin=True,
            verified_at=now,
            created_at=now,
        )
        await assign_handle(admin)
        await directory_changed()
    return admin


async def find_member_by_email(email: str) -> Member | None:
    """The live account with this address, if any (none for one too long to be stored)."""
    email = normalise_email(email)
    if not fits(Member, "email", email):
        return None
    return await Member.filter(email=email, deleted_at__isnull=True).first()
