"""API: the member's home, the same summary as the page (the yearly CPD/CET goal is set with
PATCH /me)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from community.events.api import RSVP_STATUSES, ItemId, Rsvp
from community.events.cpd import format_hours
from community.events.models import EventKind, EventState
from community.forum.api import LatestThread
from community.groups.api import GroupRef, Invitation
from community.home import service
from community.web.api import Api, Call, Instant

#: this feature's operations, served under /api/v1 with the others'
api = Api()
TAG = "home"


def _group(link: service.GroupLink) -> GroupRef:
    return GroupRef(id=link.id, slug=link.slug, name=link.name)


class HomeEvent(BaseModel):
    """One of your next events, with your answer (and your place, when you wait)."""

    id: ItemId
    title: str
    group: GroupRef | None = Field(description="Null for a site-wide event.")
    kind: EventKind
    starts_at: Instant
    ends_at: Instant
    time_zone: str = Field(description="The IANA zone the event takes place in.")
    cpd_hours: str = Field(pattern=r"^[0-9]+(\.[0-9]+)?$", description='A decimal, like "1.5".')
    state: EventState
    my_rsvp: Rsvp

    @classmethod
    def of(cls, mine: service.MyEvent) -> HomeEvent:
        event = mine.event
        group = None
        if event.group_id is not None:
            group = GroupRef(id=event.group_id, slug=mine.group_slug, name=mine.group_name)
        return cls(
            id=event.id,
            title=event.title,
            group=group,
            kind=EventKind(event.kind),
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            time_zone=event.time_zone,
            cpd_hours=format_hours(Decimal(event.cpd_hours)),
            state=EventState(event.state),
            my_rsvp=Rsvp(
                status=RSVP_STATUSES[mine.status], waitlist_position=mine.waitlist_position
            ),
        )


class RequestsToDecide(BaseModel):
    """A group you facilitate with join requests waiting for a decision."""

    group: GroupRef
    pending: int = Field(ge=1, description="How many requests wait.")


class CpdProgress(BaseModel):
    """Your CPD/CET hours this year against your yearly goal."""

    year: int = Field(description="The year it is now in your time zone.")
    hours: str = Field(
        pattern=r"^[0-9]+(\.[0-9]+)?$",
        description='Hours of the events you attended this year, a decimal like "1.5".',
    )
    goal_hours: int | None = Field(description="Your yearly goal; null when you set none.")
    percent: int | None = Field(
        ge=0,
        le=100,
        description="Whole percent of the goal reached, at most 100; null without one.",
    )
    reached: bool


class Home(BaseModel):
    """What your home page shows."""

    latest: list[LatestThread] = Field(description="The latest discussions in your groups.")
    more_latest: bool = Field(description="There are more: GET /latest?mine=true.")
    group_count: int = Field(ge=0, description="How many groups you belong to.")
    events: list[HomeEvent] = Field(
        description="Events you are going to or waiting for that have not ended, soonest first."
    )
    more_events: bool
    invitations: list[Invitation] = Field(description="Invitations waiting for your answer.")
    my_requests: list[GroupRef] = Field(
        description="Groups you asked to join, waiting for a facilitator."
    )
    requests_to_decide: list[RequestsToDecide] = Field(
        description="Groups you facilitate with join requests waiting."
    )
    cpd: CpdProgress
    unread_notifications: int = Field(ge=0)

    @classmethod
    def of(cls, home: service.MemberHome) -> Home:
        cpd = home.cpd
        return cls(
            latest=[LatestThread.of(entry) for entry in home.latest.items],
            more_latest=home.more_latest,
            group_count=home.group_count,
            events=[HomeEvent.of(mine) for mine in home.events],
            more_events=home.more_events,
            invitations=[Invitation.of(row) for row in home.invitations],
            my_requests=[_group(link) for link in home.my_requests],
            requests_to_decide=[
                RequestsToDecide(group=_group(link), pending=link.count)
                for link in home.requests_to_decide
            ],
            cpd=CpdProgress(
                year=cpd.year,
                hours=cpd.hours_text,
                goal_hours=cpd.goal,
                percent=None if cpd.goal is None else cpd.percent,
                reached=cpd.reached,
            ),
            unread_notifications=home.member.unread_notifications,
        )


@api.operation(
    "GET",
    "/home",
    summary="Your home: what is yours across the site",
    description="The latest discussions in your groups, your next events, invitations and join "
    "requests waiting, and your CPD/CET hours this year against your goal (set it with "
    "PATCH /me `cpd_goal_hours`). Members only.",
    tag=TAG,
    response=Home,
)
async def get_home(call: Call) -> BaseModel:
    return Home.of(await service.member_home(actor=call.member()))
