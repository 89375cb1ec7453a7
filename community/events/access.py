"""Who may see an event, RSVP to it and manage it."""

from __future__ import annotations

from dataclasses import dataclass

from community.accounts.models import Member
from community.errors import NotFound, PermissionDenied
from community.events.models import Event
from community.groups.access import Viewer
from community.groups.models import Membership


@dataclass(frozen=True)
class EventView:
    """An event as one person sees it."""

    event: Event
    actor: Member | None
    #: the group as the actor sees it; None for a site-wide event
    viewer: Viewer | None

    @property
    def can_manage(self) -> bool:
        """The group's facilitators, and admins (who alone manage site-wide events)."""
        if self.actor is not None and self.actor.is_admin:
            return True
        return self.viewer is not None and self.viewer.can_facilitate

    @property
    def may_rsvp(self) -> bool:
        """Verified members of the group (anyone verified, for site-wide events)."""
        actor = self.actor
        if actor is None or not actor.is_verified:
            return False
        return self.viewer is None or self.viewer.is_member or actor.is_admin


async def access_event(actor: Member | None, event_id: int) -> EventView:
    """The event if the actor may see it; events of private groups are NotFound to others."""
    event = await Event.filter(id=event_id).select_related("group").first()
    if event is None:
        raise NotFound("There is no such event.")
    viewer = None
    if event.group is not None:
        membership = None
        if actor is not None:
            membership = await Membership.filter(
                group_id=event.group.id, member_id=actor.id
            ).first()
        viewer = Viewer(group=event.group, actor=actor, membership=membership)
        if not viewer.can_see_content:
            raise NotFound("There is no such event.")
    return EventView(event=event, actor=actor, viewer=viewer)


def ensure_may_rsvp(view: EventView) -> Member:
    """The actor, if they may RSVP; PermissionDenied with the reason otherwise."""
    actor = view.actor
    if actor is None:
        raise PermissionDenied("Please sign in to RSVP.")
    if not actor.is_verified:
        raise PermissionDenied("Please verify your email address before you RSVP.")
    if not view.may_rsvp:
        raise PermissionDenied("Join the group to RSVP to its events.")
    return actor
