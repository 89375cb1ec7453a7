"""Account pages: register, verify, sign in and out, password reset, profile and settings."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community.accounts import service, tokens
from community.accounts.models import PROFESSION_LABELS, VISIBILITY_LABELS, Member, PracticeArea
from community.accounts.schemas import (
    Credentials,
    EmailOnly,
    NewPassword,
    PasswordChange,
    ProfileUpdate,
    Registration,
)
from community.clock import all_zones
from community.errors import Invalid, PermissionDenied
from community.web.limits import check_rate_limit
from community.web.sessions import sign_in, sign_out
from community.web.templates import read_form, redirect, redirect_to, render


def require_member(request: Request) -> Member:
    """The signed-in member, or PermissionDenied (the error page offers to sign in)."""
    member: Member | None = request.state.member
    if member is None:
        raise PermissionDenied("Please sign in to continue.")
    return member


def _next_path(raw: str) -> str:
    return raw if raw.startswith("/") and not raw.startswith("//") else "/"


async def register_form(request: Request) -> Response:
    return render(request, "accounts/register.html")


async def register_submit(request: Request) -> Response:
    raw = await read_form(request)
    try:
        await check_rate_limit(request, "register")
        form = Registration.from_form(raw)
    except Invalid as exc:
        values = {k: v for k, v in raw.items() if "password" not in k}
        return render(
            request,
            "accounts/register.html",
            {"errors": exc.fields, "values": values},
            status_code=422,
        )
    await service.register(form=form)
    return render(request, "accounts/check_email.html", {"email": form.email})


async def verify(request: Request) -> Response:
    try:
        await service.verify_email(token=request.query_params.get("token", ""))
    except Invalid as exc:
        return render(request, "accounts/link_invalid.html", {"error": exc}, status_code=400)
    if request.state.member is not None:
        return redirect(request, "accounts:profile_edit", "Thank you: your email is verified.")
    return redirect(request, "accounts:login", "Thank you: your email is verified. Please sign in.")


async def verify_resend(request: Request) -> Response:
    actor = require_member(request)
    await check_rate_limit(request, "verification_resend", str(actor.id))
    await service.resend_verification(actor=actor)
    return redirect_to(
        request,
        _next_path((await read_form(request)).get("next", "/")),
        f"We sent a new verification link to {actor.email}.",
    )


async def login_form(request: Request) -> Response:
    return render(request, "accounts/login.html", {"next": request.query_params.get("next", "")})


async def login_submit(request: Request) -> Response:
    raw = await read_form(request)
    context = {"values": {"email": raw.get("email", "")}, "next": raw.get("next", "")}
    try:
        await check_rate_limit(request, "login", raw.get("email", ""))
        member, key = await service.log_in(
            credentials=Credentials.from_form(raw),
            user_agent=request.headers.get("user-agent", ""),
        )
    except Invalid as exc:
        return render(
            request, "accounts/login.html", {**context, "errors": exc.fields}, status_code=422
        )
    old_key = request.state.session_key
    if old_key:
        await service.log_out(session_key=old_key)
    sign_in(request, key)
    return redirect_to(
        request, _next_path(raw.get("next", "/")), f"Welcome back, {member.display_name}."
    )


async def logout(request: Request) -> Response:
    await service.log_out(session_key=request.state.session_key)
    sign_out(request)
    return redirect(request, "home", "You are signed out.")


async def forgot_form(request: Request) -> Response:
    return render(request, "accounts/forgot.html")


async def forgot_submit(request: Request) -> Response:
    raw = await read_form(request)
    try:
        await check_rate_limit(request, "password_reset", raw.get("email", ""))
        form = EmailOnly.from_form(raw)
    except Invalid as exc:
        return render(
            request,
            "accounts/forgot.html",
            {"errors": exc.fields, "values": {"email": raw.get("email", "")}},
            status_code=422,
        )
    await service.request_password_reset(email=form.email)
    return render(request, "accounts/forgot_sent.html", {"email": form.email})


async def reset_form(request: Request) -> Response:
    token = request.query_params.get("token", "")
    try:
        await service.check_reset_token(token=token)
    except Invalid as exc:
        return render(request, "accounts/link_invalid.html", {"error": exc}, status_code=400)
    return render(request, "accounts/reset.html", {"token": token})


async def reset_submit(request: Request) -> Response:
    raw = await read_form(request)
    token = raw.get("token", "")
    try:
        member = await service.reset_password(token=token, form=NewPassword.from_form(raw))
    except Invalid as exc:
        if "token" in exc.fields:
            return render(request, "accounts/link_invalid.html", {"error": exc}, status_code=400)
        return render(
            request,
            "accounts/reset.html",
            {"token": token, "errors": exc.fields},
            status_code=422,
        )
    sign_out(request)
    return redirect(
        request,
        "accounts:login",
        f"Your password is changed, {member.display_name}. Every other session has ended; "
        "please sign in.",
    )


def _profile_values(member: Member, areas: list[int]) -> dict[str, object]:
    return {
        "display_name": member.display_name,
        "profession": member.profession or "",
        "organisation": member.organisation,
        "years_in_practice": "" if member.years_in_practice is None else member.years_in_practice,
        "bio": member.bio,
        "story": member.story,
        "time_zone": member.time_zone,
        "profile_visibility": member.profile_visibility,
        "practice_areas": [str(area) for area in areas],
    }


async def _profile_choices(request: Request) -> dict[str, object]:
    return {
        "professions": PROFESSION_LABELS,
        "visibilities": VISIBILITY_LABELS,
        "areas": await PracticeArea.all().order_by("position", "name", "id"),
        "zones": all_zones(),
        "site_zone": request.app.state.settings.time_zone,
    }


async def profile_edit(request: Request) -> Response:
    actor = require_member(request)
    values = _profile_values(actor, await service.practice_area_ids(actor))
    return render(
        request,
        "accounts/profile_edit.html",
        {"values": values, **await _profile_choices(request)},
    )


async def profile_save(request: Request) -> Response:
    actor = require_member(request)
    raw: dict[str, Any] = dict(await read_form(request))
    if "practice_areas_shown" in raw:  # the boxes were on the form: none ticked clears them
        raw["practice_areas"] = (await request.form()).getlist("practice_areas")
    try:
        await service.update_profile(actor=actor, form=ProfileUpdate.from_form(raw))
    except Invalid as exc:
        return render(
            request,
            "accounts/profile_edit.html",
            {"values": raw, "errors": exc.fields, **await _profile_choices(request)},
            status_code=422,
        )
    return redirect(request, "people:profile", "Your profile is saved.", member_id=actor.id)


async def password_form(request: Request) -> Response:
    require_member(request)
    return render(request, "accounts/password.html")


async def password_save(request: Request) -> Response:
    actor = require_member(request)
    try:
        await service.change_password(
            actor=actor,
            form=PasswordChange.from_form(await read_form(request)),
            session_key=request.state.session_key,
        )
    except Invalid as exc:
        return render(request, "accounts/password.html", {"errors": exc.fields}, status_code=422)
    return redirect(
        request, "accounts:password", "Your password is changed. Your other sessions have ended."
    )


async def _tokens_page(
    request: Request,
    *,
    new_secret: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    actor = require_member(request)
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": await tokens.list_tokens(member=actor),
            "new_secret": new_secret,
            "errors": errors or {},
            "values": values or {},
            "api_url": f"{request.app.state.settings.base_url}/api/v1",
        },
        status_code=status_code,
    )


async def tokens_list(request: Request) -> Response:
    return await _tokens_page(request)


async def tokens_create(request: Request) -> Response:
    actor = require_member(request)
    raw = await read_form(request)
    try:
        _, secret = await tokens.create_token(member=actor, name=raw.get("name", ""))
    except Invalid as exc:
        return await _tokens_page(request, errors=exc.fields, values=raw, status_code=422)
    return await _tokens_page(request, new_secret=secret, status_code=201)


async def tokens_revoke(request: Request) -> Response:
    actor = require_member(request)
    await tokens.revoke_token(member=actor, token_id=request.path_params["token_id"])
    return redirect(request, "accounts:tokens", "The token is revoked: it no longer works.")


async def delete_form(request: Request) -> Response:
    require_member(request)
    return render(request, "accounts/delete.html")


async def delete_submit(request: Request) -> Response:
    actor = require_member(request)
    raw = await read_form(request)
    try:
        await service.delete_account(actor=actor, password=raw.get("password", ""))
    except Invalid as exc:
        return render(request, "accounts/delete.html", {"errors": exc.fields}, status_code=422)
    sign_out(request)
    return redirect(request, "home", "Your account and personal data are deleted. Goodbye.")


async def member_suspend(request: Request) -> Response:
    actor = require_member(request)
    member = await service.suspend_member(actor=actor, member_id=request.path_params["member_id"])
    return redirect(
        request,
        "people:profile",
        f"{member.display_name} is suspended and signed out everywhere.",
        member_id=member.id,
    )


async def member_reinstate(request: Request) -> Response:
    actor = require_member(request)
    member = await service.reinstate_member(actor=actor, member_id=request.path_params["member_id"])
    return redirect(
        request,
        "people:profile",
        f"{member.display_name} is reinstated.",
        member_id=member.id,
    )


routes = [
    Route("/register", register_form, name="accounts:register"),
    Route("/register", register_submit, methods=["POST"], name="accounts:register_submit"),
    Route("/verify", verify, name="accounts:verify"),
    Route("/verify/resend", verify_resend, methods=["POST"], name="accounts:verify_resend"),
    Route("/login", login_form, name="accounts:login"),
    Route("/login", login_submit, methods=["POST"], name="accounts:login_submit"),
    Route("/logout", logout, methods=["POST"], name="accounts:logout"),
    Route("/password/forgot", forgot_form, name="accounts:forgot"),
    Route("/password/forgot", forgot_submit, methods=["POST"], name="accounts:forgot_submit"),
    Route("/password/reset", reset_form, name="accounts:reset"),
    Route("/password/reset", reset_submit, methods=["POST"], name="accounts:reset_submit"),
    Route(
        "/members/{member_id:int}/suspend",
        member_suspend,
        methods=["POST"],
        name="accounts:suspend",
    ),
    Route(
        "/members/{member_id:int}/reinstate",
        member_reinstate,
        methods=["POST"],
        name="accounts:reinstate",
    ),
    Route("/settings/profile", profile_edit, name="accounts:profile_edit"),
    Route("/settings/profile", profile_save, methods=["POST"], name="accounts:profile_save"),
    Route("/settings/password", password_form, name="accounts:password"),
    Route("/settings/password", password_save, methods=["POST"], name="accounts:password_save"),
    Route("/settings/tokens", tokens_list, name="accounts:tokens"),
    Route("/settings/tokens", tokens_create, methods=["POST"], name="accounts:tokens_create"),
    Route(
        "/settings/tokens/{token_id:int}/revoke",
        tokens_revoke,
        methods=["POST"],
        name="accounts:tokens_revoke",
    ),
    Route("/settings/delete", delete_form, name="accounts:delete"),
    Route("/settings/delete", delete_submit, methods=["POST"], name="accounts:delete_submit"),
]
