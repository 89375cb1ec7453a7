"""Group pages: directory, group home, settings, members, requests, invitations."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from community.accounts.access import ensure_admin
from community.accounts.routes import require_member
from community.cache import VersionedCache
from community.errors import Invalid
from community.groups import service
from community.groups.access import access_facilitation
from community.groups.models import Group, JoinPolicy, Role, Visibility
from community.groups.schemas import (
    GroupChanges,
    GroupForm,
    Invitee,
    Message,
    parse_member_id,
)
from community.groups.service.membership import JoinOutcome
from community.groups.service.reads import DirectoryEntry
from community.web.context import page_context
from community.web.features import Section
from community.web.templates import read_form, redirect, render, request_zone

POLICY_LABELS = {
    JoinPolicy.OPEN: "Anyone may join",
    JoinPolicy.REQUEST: "Members ask to join; facilitators approve",
    JoinPolicy.INVITE: "By invitation only",
}
VISIBILITY_LABELS = {
    Visibility.PUBLIC: "Public: anyone may read its discussions and events",
    Visibility.PRIVATE: "Private: only members see anything beyond the name and description",
}


def _form_context(values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "values": values,
        "errors": errors,
        "policies": POLICY_LABELS,
        "visibilities": VISIBILITY_LABELS,
    }


#: where a directory card shows the reader's own role, and where each card ends
ROLE_MARK = "\x00role\x00"
CARD_END = "\x00end\x00"
_ROLE_TAGS = {
    Role.FACILITATOR: Markup(' · <span class="tag">Facilitator</span>'),
    Role.MEMBER: Markup(' · <span class="tag">Member</span>'),
}


def _card_version(group: Group) -> tuple[object, ...]:
    """Everything a card shows: a card is rendered again when one of these changes."""
    return (
        group.slug,
        group.name,
        group.member_count,
        group.visibility,
        group.join_policy,
        group.last_activity_at,
        group.description_html,
    )


def directory_cards(request: Request, entries: list[DirectoryEntry]) -> list[Markup]:
    """The directory's cards: each rendered once per version of the group and time zone and
    reused for every reader, with the reader's role added."""
    cards: VersionedCache[Markup] = request.app.state.group_cards
    zone = request_zone(request).key
    found = {e.group.id: cards.lookup((e.group.id, zone), _card_version(e.group)) for e in entries}
    missing = [e.group for e in entries if found[e.group.id] is None]
    if missing:
        templates: Jinja2Templates = request.app.state.templates
        rendered = templates.get_template("groups/_cards.html").render(
            {
                **page_context(request),
                "groups": missing,
                "policies": POLICY_LABELS,
                "role_mark": ROLE_MARK,
                "end_mark": CARD_END,
            }
        )
        for group, card in zip(missing, rendered.split(CARD_END), strict=False):
            markup = Markup(card)  # noqa: S704  # rendered by the autoescaping template
            found[group.id] = markup
            cards.store((group.id, zone), _card_version(group), markup, len(card))
    empty = Markup("")
    return [
        (found[e.group.id] or empty).replace(ROLE_MARK, _ROLE_TAGS[e.role] if e.role else empty)
        for e in entries
    ]


async def group_directory(request: Request) -> Response:
    params = request.query_params
    query = params.get("q", "")
    mine = params.get("mine") == "1"
    page = await service.list_groups(
        actor=request.state.member, query=query, mine=mine, cursor=params.get("cursor")
    )
    return render(
        request,
        "groups/directory.html",
        {
            "page": page,
            "cards": directory_cards(request, page.items),
            "query": query,
            "mine": mine,
        },
    )


async def group_new(request: Request) -> Response:
    ensure_admin(request.state.member)
    return render(
        request,
        "groups/form.html",
        {**_form_context({"join_policy": "open", "visibility": "public"}, {}), "group": None},
    )


async def group_create(request: Request) -> Response:
    raw = await read_form(request)
    try:
        form = GroupForm.from_form(raw)
        group = await service.create_group(
            actor=request.state.member, form=form, facilitator_id=form.facilitator_id
        )
    except Invalid as exc:
        return render(
            request,
            "groups/form.html",
            {**_form_context(raw, exc.fields), "group": None},
            status_code=422,
        )
    return redirect(request, "groups:detail", f"{group.name} is created.", slug=group.slug)


async def _home_context(request: Request, home: service.GroupHome) -> dict[str, Any]:
    sections: list[Section] = request.app.state.group_home_sections
    return {
        "home": home,
        "group": home.viewer.group,
        "viewer": home.viewer,
        "policies": POLICY_LABELS,
        "sections": [(section.template, await section.load(home.viewer)) for section in sections],
    }


async def group_detail(request: Request) -> Response:
    home = await service.group_home(actor=request.state.member, slug=request.path_params["slug"])
    return render(request, "groups/detail.html", await _home_context(request, home))


async def group_edit(request: Request) -> Response:
    viewer = await access_facilitation(request.state.member, request.path_params["slug"])
    group = viewer.group
    values = {
        "name": group.name,
        "slug": group.slug,
        "description": group.description,
        "join_policy": str(group.join_policy),
        "visibility": str(group.visibility),
        "case_discussion": "on" if group.case_discussion else "",
    }
    return render(request, "groups/form.html", {**_form_context(values, {}), "group": group})


async def group_update(request: Request) -> Response:
    slug = request.path_params["slug"]
    viewer = await access_facilitation(request.state.member, slug)
    raw = await read_form(request)
    try:
        group = await service.update_group(
            actor=request.state.member, slug=slug, changes=GroupChanges.from_form(raw)
        )
    except Invalid as exc:
        return render(
            request,
            "groups/form.html",
            {**_form_context(raw, exc.fields), "group": viewer.group},
            status_code=422,
        )
    return redirect(request, "groups:detail", "The group's settings are saved.", slug=group.slug)


async def group_join(request: Request) -> Response:
    actor = require_member(request)
    slug = request.path_params["slug"]
    raw = await read_form(request)
    try:
        outcome = await service.join_group(
            actor=actor, slug=slug, message=Message.from_form(raw).message
        )
    except Invalid as exc:
        home = await service.group_home(actor=actor, slug=slug)
        context = await _home_context(request, home)
        context.update(errors=exc.fields, values=raw)
        return render(request, "groups/detail.html", context, status_code=422)
    message = (
        "Welcome to the group."
        if outcome == JoinOutcome.MEMBER
        else "Your request is sent. The facilitators will let you know."
    )
    return redirect(request, "groups:detail", message, slug=slug)


async def group_leave(request: Request) -> Response:
    actor = require_member(request)
    group = await service.leave_group(actor=actor, slug=request.path_params["slug"])
    return redirect(request, "groups:detail", f"You have left {group.name}.", slug=group.slug)


async def group_members(request: Request) -> Response:
    viewer, page = await service.list_members(
        actor=request.state.member,
        slug=request.path_params["slug"],
        cursor=request.query_params.get("cursor"),
    )
    return render(
        request,
        "groups/members.html",
        {"group": viewer.group, "viewer": viewer, "page": page},
    )


async def member_remove(request: Request) -> Response:
    slug = request.path_params["slug"]
    membership = await service.remove_member(
        actor=require_member(request), slug=slug, member_id=request.path_params["member_id"]
    )
    return redirect(
        request,
        "groups:members",
        f"{membership.member.display_name} is no longer a member.",
        slug=slug,
    )


async def facilitator_appoint(request: Request) -> Response:
    slug = request.path_params["slug"]
    member_id = parse_member_id(await read_form(request))
    membership = await service.appoint_facilitator(
        actor=require_member(request), slug=slug, member_id=member_id
    )
    return redirect(
        request,
        "groups:members",
        f"{membership.member.display_name} is now a facilitator.",
        slug=slug,
    )


async def facilitator_remove(request: Request) -> Response:
    slug = request.path_params["slug"]
    membership = await service.remove_facilitator(
        actor=require_member(request), slug=slug, member_id=request.path_params["member_id"]
    )
    return redirect(
        request,
        "groups:members",
        f"{membership.member.display_name} is no longer a facilitator.",
        slug=slug,
    )


async def request_list(request: Request) -> Response:
    viewer, requests = await service.list_join_requests(
        actor=request.state.member, slug=request.path_params["slug"]
    )
    return render(
        request,
        "groups/requests.html",
        {"group": viewer.group, "viewer": viewer, "requests": requests},
    )


async def _decide(request: Request, approve: bool) -> Response:
    slug = request.path_params["slug"]
    raw = await read_form(request)
    decide = service.approve_join_request if approve else service.decline_join_request
    join_request = await decide(
        actor=require_member(request),
        slug=slug,
        request_id=request.path_params["request_id"],
        message=Message.from_form(raw).message,
    )
    verb = "approved" if approve else "declined"
    return redirect(
        request,
        "groups:requests",
        f"The request of {join_request.member.display_name} is {verb}.",
        slug=slug,
    )


async def request_approve(request: Request) -> Response:
    return await _decide(request, approve=True)


async def request_decline(request: Request) -> Response:
    return await _decide(request, approve=False)


async def invite_form(request: Request) -> Response:
    viewer = await access_facilitation(request.state.member, request.path_params["slug"])
    return render(request, "groups/invite.html", {"group": viewer.group})


async def invite_submit(request: Request) -> Response:
    slug = request.path_params["slug"]
    viewer = await access_facilitation(request.state.member, slug)
    raw = await read_form(request)
    try:
        invitation = await service.invite(
            actor=request.state.member, slug=slug, email=Invitee.from_form(raw).email
        )
    except Invalid as exc:
        return render(
            request,
            "groups/invite.html",
            {"group": viewer.group, "errors": exc.fields, "values": raw},
            status_code=422,
        )
    return redirect(
        request, "groups:invite", f"An invitation is on its way to {invitation.email}.", slug=slug
    )


async def invitation_list(request: Request) -> Response:
    invitations = await service.list_invitations(actor=request.state.member)
    return render(request, "groups/invitations.html", {"invitations": invitations})


async def invitation_link(request: Request) -> Response:
    token = request.path_params["token"]
    invitation = await service.find_invitation(token=token)
    return render(
        request,
        "groups/invitation.html",
        {"invitation": invitation, "token": token},
        status_code=200 if invitation else 404,
    )


async def _respond(request: Request, accept: bool) -> Response:
    actor = require_member(request)
    token = request.path_params.get("token")
    invitation_id = request.path_params.get("invitation_id")
    if accept:
        group = await service.accept_invitation(
            actor=actor, token=token, invitation_id=invitation_id
        )
        return redirect(request, "groups:detail", f"Welcome to {group.name}.", slug=group.slug)
    group = await service.decline_invitation(actor=actor, token=token, invitation_id=invitation_id)
    return redirect(request, "groups:invitations", f"You declined the invitation to {group.name}.")


async def invitation_accept(request: Request) -> Response:
    return await _respond(request, accept=True)


async def invitation_decline(request: Request) -> Response:
    return await _respond(request, accept=False)


_GROUP = "/groups/{slug:str}"
routes = [
    Route("/groups", group_directory, name="groups:directory"),
    Route("/groups", group_create, methods=["POST"], name="groups:create"),
    Route("/groups/new", group_new, name="groups:new"),
    Route(_GROUP, group_detail, name="groups:detail"),
    Route(f"{_GROUP}/edit", group_edit, name="groups:edit"),
    Route(f"{_GROUP}/edit", group_update, methods=["POST"], name="groups:update"),
    Route(f"{_GROUP}/join", group_join, methods=["POST"], name="groups:join"),
    Route(f"{_GROUP}/leave", group_leave, methods=["POST"], name="groups:leave"),
    Route(f"{_GROUP}/members", group_members, name="groups:members"),
    Route(
        f"{_GROUP}/members/{{member_id:int}}/remove",
        member_remove,
        methods=["POST"],
        name="groups:member_remove",
    ),
    Route(
        f"{_GROUP}/facilitators",
        facilitator_appoint,
        methods=["POST"],
        name="groups:facilitator_appoint",
    ),
    Route(
        f"{_GROUP}/facilitators/{{member_id:int}}/remove",
        facilitator_remove,
        methods=["POST"],
        name="groups:facilitator_remove",
    ),
    Route(f"{_GROUP}/requests", request_list, name="groups:requests"),
    Route(
        f"{_GROUP}/requests/{{request_id:int}}/approve",
        request_approve,
        methods=["POST"],
        name="groups:request_approve",
    ),
    Route(
        f"{_GROUP}/requests/{{request_id:int}}/decline",
        request_decline,
        methods=["POST"],
        name="groups:request_decline",
    ),
    Route(f"{_GROUP}/invite", invite_form, name="groups:invite"),
    Route(f"{_GROUP}/invite", invite_submit, methods=["POST"], name="groups:invite_submit"),
    Route("/invitations", invitation_list, name="groups:invitations"),
    Route(
        "/invitations/{invitation_id:int}/accept",
        invitation_accept,
        methods=["POST"],
        name="groups:invitation_accept",
    ),
    Route(
        "/invitations/{invitation_id:int}/decline",
        invitation_decline,
        methods=["POST"],
        name="groups:invitation_decline",
    ),
    Route("/invitations/{token:str}", invitation_link, name="groups:invitation_link"),
    Route(
        "/invitations/{token:str}/accept",
        invitation_accept,
        methods=["POST"],
        name="groups:invitation_link_accept",
    ),
    Route(
        "/invitations/{token:str}/decline",
        invitation_decline,
        methods=["POST"],
        name="groups:invitation_link_decline",
    ),
]
