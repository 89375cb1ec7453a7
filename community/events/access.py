"""Who may see an event, RSVP to it and manage it."""

from __future__ import annotations

from dataclasses import dataclass

from community import db
from community.accounts.models import Member
from community.errors import NotFound, PermissionDenied
from community.events.models import Event
from community.groups.access import Viewer, manages, membership_in, takes_part
from community.groups.models import Group, Membership
from community.text import INT_MAX


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
        return manages(self.actor, self.viewer)

    @property
    def may_rsvp(self) -> bool:
        """Verified members of the group (anyone verified, for site-wide events)."""
        return takes_part(self.actor, self.viewer)


async def access_event(actor: Member | None, event_id: int) -> EventView:
    """The event if the actor may see it; events of private groups are NotFound to others."""
    # on every event page: the event, its group (if any) and the reader's membership in one
    # hand-written query (see `db.select`)
    rows = []
    if 1 <= event_id <= INT_MAX:
        rows = await db.select(
            f"SELECT {db.columns(Event, 'e', 'e__')}, {db.columns(Group, 'g', 'g__')}, "  # noqa: S608
            f"{db.columns(Membership, 'ms', 'ms__')} FROM {Event._meta.db_table} e "
            f"LEFT JOIN {Group._meta.db_table} g ON g.id = e.group_id "
            f"LEFT JOIN {Membership._meta.db_table} ms "
            "ON ms.group_id = e.group_id AND ms.member_id = $1 WHERE e.id = $2",
            actor.id if actor is not None else 0,
            event_id,
        )
    if not rows:
        raise NotFound("There is no such event.")
    event = db.loaded(Event, rows[0], "e__")
    group = db.loaded(Group, rows[0], "g__") if rows[0]["g__id"] is not None else None
    db.attach(event, "group", group)
    viewer = None
    if group is not None:
        viewer = Viewer(group=group, actor=actor, membership=membership_in(rows[0]))
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
