"""Who sees a programme and who runs it."""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q, Subquery

from community.accounts.models import Member
from community.errors import NotFound, PermissionDenied
from community.groups.access import Viewer, access_group, manages, takes_part
from community.groups.models import Group, Membership, Visibility
from community.programmes.models import (
    Programme,
    ProgrammeSession,
)
from community.text import INT_MAX

NOT_FOUND = "There is no such programme."


@dataclass(frozen=True)
class ProgrammeView:
    """A programme as one person sees it."""

    programme: Programme
    actor: Member | None
    #: the group as the actor sees it; None for a site-wide programme
    viewer: Viewer | None

    @property
    def can_manage(self) -> bool:
        return manages(self.actor, self.viewer)

    @property
    def may_enrol(self) -> bool:
        return takes_part(self.actor, self.viewer)


async def access_programme(actor: Member | None, programme_id: int) -> ProgrammeView:
    """The programme if the actor may see it: those of private groups are NotFound to others."""
    if not 1 <= programme_id <= INT_MAX:
        raise NotFound(NOT_FOUND)
    programme = await Programme.filter(id=programme_id).select_related("group").first()
    if programme is None:
        raise NotFound(NOT_FOUND)
    viewer = None
    if programme.group is not None:
        viewer = await access_group(actor, programme.group.slug)
        if not viewer.can_see_content:
            raise NotFound(NOT_FOUND)
    return ProgrammeView(programme=programme, actor=actor, viewer=viewer)


def visible(actor: Member | None) -> Q:
    """Programmes of site-wide, public and the actor's own groups (all, for admins)."""
    if actor is not None and actor.is_admin:
        return Q()
    seen = Q(group_id__isnull=True) | Q(group__visibility=Visibility.PUBLIC)
    if actor is not None:
        seen |= Q(group_id__in=Subquery(Membership.filter(member_id=actor.id).values("group_id")))
    return seen


def ensure_manages(view: ProgrammeView) -> Member:
    """The actor, if they run the programme (its group's facilitators, admins)."""
    if view.actor is None:
        raise PermissionDenied("Please sign in to continue.")
    if not view.can_manage:
        raise PermissionDenied("Only the programme's facilitators can do that.")
    return view.actor


async def programme_of_event(*, actor: Member | None, event_id: int) -> Programme:
    """The programme an event is a session of, if the actor may see it."""
    session = None
    if 1 <= event_id <= INT_MAX:
        session = await ProgrammeSession.filter(event_id=event_id).first()
    if session is None:
        raise NotFound(NOT_FOUND)
    return (await access_programme(actor, session.programme_id)).programme


async def group_slugs(programmes: list[Programme]) -> dict[int, str]:
    """The slug of each group programme's group, by programme id, in one query."""
    ids = {programme.group_id for programme in programmes if programme.group_id is not None}
    slugs = dict(await Group.filter(id__in=sorted(ids)).values_list("id", "slug")) if ids else {}
    return {
        programme.id: str(slugs[programme.group_id])
        for programme in programmes
        if programme.group_id is not None
    }
