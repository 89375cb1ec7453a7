"""The people pages: the member directory, profiles, recognitions and the practice areas."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community import clock
from community.accounts.access import can_moderate_members, ensure_admin
from community.accounts.models import PROFESSION_LABELS
from community.errors import Invalid
from community.people import chart, service
from community.people.api import YEARS_MAX, MemberQuery
from community.people.schemas import RecognitionGrant
from community.web.templates import read_form, redirect, render

#: the directory's filters, and what each means in the page's words
SORTS = {"name": "Name", "active": "Recently active"}


async def directory(request: Request) -> Response:
    raw = {name: value for name, value in request.query_params.items() if value != ""}
    errors: dict[str, str] = {}
    found = None
    try:
        asked = MemberQuery.from_form(raw)
        found = await service.directory(
            viewer=request.state.member,
            search=asked.search(),
            cache=request.app.state.directory_pages,
        )
    except Invalid as exc:
        errors = exc.fields
    areas = found.areas if found else await service.practice_areas()
    context: dict[str, Any] = {
        "values": raw,
        "errors": errors,
        "found": found,
        "areas": areas,
        "professions": PROFESSION_LABELS,
        "sorts": SORTS,
        "years_max": YEARS_MAX,
        "today": clock.now().date(),
        "chart": chart.professions(found.by_profession) if found else None,
        "next_query": {k: v for k, v in raw.items() if k != "cursor"},
    }
    return render(request, "people/directory.html", context, status_code=422 if errors else 200)


async def profile(request: Request) -> Response:
    actor = request.state.member
    person = await service.profile(viewer=actor, member_id=request.path_params["member_id"])
    member = person.member
    # panels of later features (the learning record for signed-in readers, stories for all)
    sections = [
        (section.template, await section.load(actor, member))
        for section in request.app.state.profile_sections
        if actor is not None or section.visitors
    ]
    return render(
        request,
        "people/profile.html",
        {
            "profile": member,
            "person": person,
            "today": clock.now().date(),
            "is_own": actor is not None and actor.id == member.id,
            "can_moderate": can_moderate_members(actor) and actor.id != member.id,
            "can_recognise": actor is not None and actor.is_admin,
            "sections": sections,
        },
    )


async def recognition_grant(request: Request) -> Response:
    actor = ensure_admin(request.state.member)
    member_id = request.path_params["member_id"]
    raw = await read_form(request)
    try:
        form = RecognitionGrant.from_form(raw)
        await service.grant_recognition(
            actor=actor,
            member_id=member_id,
            title=form.title,
            starts_on=form.starts_on,
            ends_on=form.ends_on,
        )
    except Invalid as exc:
        person = await service.profile(viewer=actor, member_id=member_id)
        return render(
            request,
            "people/profile.html",
            {
                "profile": person.member,
                "person": person,
                "today": clock.now().date(),
                "is_own": actor.id == person.member.id,
                "can_moderate": actor.id != person.member.id,
                "can_recognise": True,
                "sections": [],
                "errors": exc.fields,
                "values": raw,
            },
            status_code=422,
        )
    return redirect(request, "people:profile", f"{form.title} is recognised.", member_id=member_id)


async def recognition_revoke(request: Request) -> Response:
    actor = ensure_admin(request.state.member)
    member_id = await service.revoke_recognition(
        actor=actor, recognition_id=request.path_params["recognition_id"]
    )
    return redirect(
        request, "people:profile", "The recognition is taken back.", member_id=member_id
    )


async def area_list(request: Request) -> Response:
    ensure_admin(request.state.member)
    return render(request, "people/areas.html", {"areas": await service.practice_areas_counted()})


async def area_create(request: Request) -> Response:
    actor = ensure_admin(request.state.member)
    raw = await read_form(request)
    try:
        area = await service.add_practice_area(actor=actor, name=raw.get("name", ""))
    except Invalid as exc:
        return render(
            request,
            "people/areas.html",
            {"areas": await service.practice_areas_counted(), "errors": exc.fields, "values": raw},
            status_code=422,
        )
    return redirect(request, "people:areas", f"{area.name} is added.")


async def area_update(request: Request) -> Response:
    actor = ensure_admin(request.state.member)
    raw = await read_form(request)
    area_id = request.path_params["area_id"]
    try:
        area = await service.rename_practice_area(
            actor=actor, area_id=area_id, name=raw.get("name", "")
        )
    except Invalid as exc:
        return render(
            request,
            "people/areas.html",
            {
                "areas": await service.practice_areas_counted(),
                "errors": {f"name-{area_id}": exc.fields.get("name", "")},
                "values": {f"name-{area_id}": raw.get("name", "")},
            },
            status_code=422,
        )
    return redirect(request, "people:areas", f"{area.name} is saved.")


async def area_move(request: Request) -> Response:
    actor = ensure_admin(request.state.member)
    raw = await read_form(request)
    await service.move_practice_area(
        actor=actor, area_id=request.path_params["area_id"], up=raw.get("direction") == "up"
    )
    return redirect(request, "people:areas", "The order is saved.")


async def area_delete(request: Request) -> Response:
    actor = ensure_admin(request.state.member)
    name = await service.remove_practice_area(actor=actor, area_id=request.path_params["area_id"])
    return redirect(request, "people:areas", f"{name} is removed from the list and the profiles.")


routes = [
    Route("/members", directory, name="people:directory"),
    Route("/members/{member_id:int}", profile, name="people:profile"),
    Route(
        "/members/{member_id:int}/recognitions",
        recognition_grant,
        methods=["POST"],
        name="people:recognition_grant",
    ),
    Route(
        "/recognitions/{recognition_id:int}/revoke",
        recognition_revoke,
        methods=["POST"],
        name="people:recognition_revoke",
    ),
    Route("/admin/practice-areas", area_list, name="people:areas"),
    Route("/admin/practice-areas", area_create, methods=["POST"], name="people:area_create"),
    Route(
        "/admin/practice-areas/{area_id:int}",
        area_update,
        methods=["POST"],
        name="people:area_update",
    ),
    Route(
        "/admin/practice-areas/{area_id:int}/move",
        area_move,
        methods=["POST"],
        name="people:area_move",
    ),
    Route(
        "/admin/practice-areas/{area_id:int}/delete",
        area_delete,
        methods=["POST"],
        name="people:area_delete",
    ),
]
