"""A programme to test with: six weekly sessions from eight days ahead, by the clock."""

from __future__ import annotations

from datetime import timedelta

from tortoise.expressions import Subquery

from community.accounts.models import Member
from community.events.models import Event
from community.groups.models import Group
from community.programmes import service
from community.programmes.models import Programme, ProgrammeSession
from community.programmes.schemas import ProgrammeForm
from tests import dates

ZONE = "Asia/Singapore"


def programme_fields(**overrides: object) -> dict[str, str]:
    """The new-programme form as a facilitator fills it in."""
    first = dates.day(8, "19:00", ZONE)
    fields = {
        "title": "Foundations of trauma-informed practice",
        "description": "Six evenings on trauma-informed work with families.",
        "kind": "cet",
        "time_zone": ZONE,
        "starts_at": dates.field(first),
        "ends_at": dates.field(first + timedelta(hours=2)),
        "venue": "Training room 2, Social Service Institute",
        "repeat": "weekly",
        "sessions": "6",
        "provider": "Social Service Institute",
        "capacity": "20",
        "cpd_hours": "12",
        "min_attended": "5",
    }
    fields.update({name: str(value) for name, value in overrides.items()})
    return fields


async def make_programme(
    group: Group | None,
    facilitator: Member,
    *,
    professions: list[str] | None = None,
    **overrides: object,
) -> Programme:
    raw: dict[str, object] = dict(programme_fields(**overrides))
    if "mandatory" in raw:
        raw["mandatory"] = str(raw["mandatory"]).split()
    if professions:
        raw["professions"] = professions
    return await service.create_programme(
        actor=facilitator,
        slug=group.slug if group is not None else None,
        form=ProgrammeForm.from_form(raw),
    )


async def sessions_of(programme: Programme) -> list[Event]:
    ids = ProgrammeSession.filter(programme_id=programme.id).values("event_id")
    return list(await Event.filter(id__in=Subquery(ids)).order_by("starts_at"))
