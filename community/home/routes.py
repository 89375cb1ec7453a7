"""The home page: a signed-in member's own, or the visitor's welcome; and the form that sets
the member's yearly CPD/CET goal."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from community.accounts.models import Member
from community.accounts.routes import require_member
from community.accounts.schemas import CPD_GOAL_MAX
from community.errors import Invalid
from community.home import service
from community.home.schemas import CpdGoal
from community.web.templates import read_form, redirect, render


async def home(request: Request) -> Response:
    actor: Member | None = request.state.member
    if actor is None:
        return render(request, "home/welcome.html", {"welcome": await service.welcome()})
    return await _member_home(request, actor)


async def _member_home(
    request: Request,
    actor: Member,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    page = await service.member_home(actor=actor)
    goal = "" if page.cpd.goal is None else str(page.cpd.goal)
    return render(
        request,
        "home/member.html",
        {
            "home": page,
            "errors": errors or {},
            "values": values if values is not None else {"cpd_goal_hours": goal},
            "goal_max": CPD_GOAL_MAX,
        },
        status_code=status_code,
    )


async def cpd_goal_save(request: Request) -> Response:
    actor = require_member(request)
    raw = await read_form(request)
    try:
        form = CpdGoal.from_form(raw)
    except Invalid as exc:
        return await _member_home(request, actor, errors=exc.fields, values=raw, status_code=422)
    await service.set_cpd_goal(actor=actor, form=form)
    if form.cpd_goal_hours is None:
        return redirect(request, "home", "Your yearly CPD/CET goal is cleared.")
    hours = form.cpd_goal_hours
    return redirect(
        request, "home", f"Your yearly CPD/CET goal is {hours} hour{'' if hours == 1 else 's'}."
    )


routes = [
    Route("/", home, name="home"),
    Route("/home/cpd-goal", cpd_goal_save, methods=["POST"], name="home:cpd_goal"),
]
