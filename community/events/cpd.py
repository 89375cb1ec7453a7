"""The CPD/CET learning record: the events a member attended, with the hours they earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery

from community import clock, db
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.clock import reader_zone
from community.errors import NotFound
from community.events.models import (
    EVENT_KIND_LABELS,
    Event,
    EventKind,
    EventState,
    LearningCredit,
    Rsvp,
)
from community.groups.models import Membership, Visibility
from community.people.access import access_profile
from community.settings import current as current_settings
from community.urls import path as url_path

RECENT = 5


def format_hours(hours: Decimal) -> str:
    """Hours without trailing zeros: 3.75, 1.5, 2."""
    text = f"{hours:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class LearningEntry:
    """One attended event in a learning record."""

    #: 0 for a credit
    event_id: int
    title: str
    #: its page: the event, or what earned the credit (a programme)
    path: str
    #: the day the event started, in its own time zone
    held_on: date
    #: empty for a site-wide event
    group_name: str
    kind: str
    hours: Decimal

    @property
    def hours_text(self) -> str:
        return format_hours(self.hours)


@dataclass(frozen=True)
class LearningSummary:
    """The profile's learning record: the total and the latest events this viewer may see."""

    member: Member
    total_hours: Decimal
    event_count: int
    #: latest first
    recent: list[LearningEntry]
    #: the member themself or an admin, who may open the printable record
    can_print: bool
    #: the year it is now for the member (their time zone), for the link to the record
    current_year: int

    @property
    def total_text(self) -> str:
        return format_hours(self.total_hours)


@dataclass(frozen=True)
class LearningYear:
    """A member's printable learning record for one year."""

    member: Member
    year: int
    #: in date order
    entries: list[LearningEntry]
    total_hours: Decimal
    #: every year with attended events, latest first
    years: list[int]

    @property
    def total_text(self) -> str:
        return format_hours(self.total_hours)


def _sees_everything(actor: Member, member: Member) -> bool:
    return actor.is_admin or actor.id == member.id


def _visible_to(actor: Member, prefix: str = "event__") -> Q:
    """Events (or credits) of site-wide, public and the actor's own groups, as a filter on
    RSVPs or credits (the actor's groups in a subquery, so the record stays one query)."""
    mine = Membership.filter(member_id=actor.id).values("group_id")
    visible: dict[str, Any] = {
        f"{prefix}group_id__isnull": True,
        f"{prefix}group__visibility": Visibility.PUBLIC,
        f"{prefix}group_id__in": Subquery(mine),
    }
    return Q(*(Q(**{name: value}) for name, value in visible.items()), join_type="OR")


def session_hours(event: Event) -> Decimal:
    """The hours attending one event earns: none for a programme's session, whose hours come
    once, with the programme, when it is completed."""
    return Decimal(0) if event.enrolment_only else Decimal(event.cpd_hours)


async def _attended(member: Member, actor: Member | None) -> list[LearningEntry]:
    """Every event the member attended that was not cancelled, and every credit (completed
    programmes), latest first; only what `actor` may see (None: everything)."""
    rsvps = Rsvp.filter(member_id=member.id, attended=True, event__state=EventState.SCHEDULED)
    credits = LearningCredit.filter(member_id=member.id)
    if actor is not None:
        rsvps = rsvps.filter(_visible_to(actor))
        credits = credits.filter(_visible_to(actor, ""))
    entries = []
    for rsvp in await rsvps.select_related("event", "event__group"):
        event = rsvp.event
        entries.append(
            (
                event.starts_at.date(),
                event.starts_at,
                LearningEntry(
                    event_id=event.id,
                    title=event.title,
                    path=url_path("events:detail", event_id=event.id),
                    held_on=event.starts_at.astimezone(ZoneInfo(event.time_zone)).date(),
                    group_name=event.group.name if event.group is not None else "",
                    kind=EVENT_KIND_LABELS[EventKind(event.kind)],
                    hours=session_hours(event),
                ),
            )
        )
    for credit in await credits.select_related("group"):
        entries.append(
            (
                credit.earned_on,
                credit.created_at,
                LearningEntry(
                    event_id=0,
                    title=credit.title,
                    path=credit.path,
                    held_on=credit.earned_on,
                    group_name=credit.group.name if credit.group is not None else "",
                    kind="Programme completed",
                    hours=Decimal(credit.hours),
                ),
            )
        )
    entries.sort(key=lambda row: (row[2].held_on, row[1], row[2].event_id), reverse=True)
    return [row[2] for row in entries]


def _total(entries: list[LearningEntry]) -> Decimal:
    return sum((entry.hours for entry in entries), Decimal(0))


async def learning_summary(
    *, actor: Member | None, member_id: int, limit: int = RECENT
) -> LearningSummary:
    """A member's CPD/CET hours and latest attended events, for signed-in members. The member
    and admins see all, others only the events they may see: events of private groups they are
    not in are left out, of the total too."""
    signed_in = ensure_signed_in(actor)
    member = await access_profile(actor, member_id)
    return await summarise_learning(actor=signed_in, member=member, limit=limit)


async def summarise_learning(
    *, actor: Member, member: Member, limit: int = RECENT
) -> LearningSummary:
    """learning_summary for a member the caller already fetched through people.access (the
    profile page), in one query."""
    everything = _sees_everything(actor, member)
    entries = await _attended(member, None if everything else actor)
    zone = reader_zone(member.time_zone, current_settings().time_zone)
    return LearningSummary(
        member=member,
        total_hours=_total(entries),
        event_count=len(entries),
        recent=entries[:limit],
        can_print=everything,
        current_year=clock.now().astimezone(zone).year,
    )


async def learning_record(*, actor: Member | None, member_id: int, year: int) -> LearningYear:
    """A member's learning record for one year, to print: for the member and admins only
    (NotFound for everyone else, PermissionDenied for visitors)."""
    signed_in = ensure_signed_in(actor)
    member = await access_profile(actor, member_id)
    if not _sees_everything(signed_in, member) or not 2000 <= year <= 2100:
        raise NotFound("There is no learning record here.")
    entries = await _attended(member, None)
    in_year = [entry for entry in reversed(entries) if entry.held_on.year == year]
    return LearningYear(
        member=member,
        year=year,
        entries=in_year,
        total_hours=_total(in_year),
        years=sorted({entry.held_on.year for entry in entries}, reverse=True),
    )


async def hours_in_year(*, actor: Member, year: int) -> Decimal:
    """The CPD/CET hours the member earned in `year`, each event counted in the year it took
    place in its own zone, as the printed record counts it: one hand-written query (the
    record's ORM query cost 4 ms of building on the home page, see `db.select`)."""
    # every zone is within a day of UTC: the rows of a day either side, sorted out here
    start = datetime(year, 1, 1, tzinfo=UTC) - timedelta(days=1)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) + timedelta(days=1)
    # completed programmes' credits in the same round trip (a null start marks one)
    rows = await db.select(
        "SELECT e.starts_at AS starts_at, e.time_zone AS time_zone, e.cpd_hours AS hours "  # noqa: S608
        f"FROM {Rsvp._meta.db_table} r JOIN {Event._meta.db_table} e ON e.id = r.event_id "
        "WHERE r.member_id = $1 AND r.attended = $2 AND e.state = $3 "
        "AND e.starts_at >= $4 AND e.starts_at < $5 AND e.enrolment_only = $6 "
        "UNION ALL SELECT NULL AS starts_at, '' AS time_zone, c.hours AS hours "
        f"FROM {LearningCredit._meta.db_table} c "
        "WHERE c.member_id = $7 AND c.earned_on >= $8 AND c.earned_on < $9",
        actor.id,
        True,
        EventState.SCHEDULED.value,
        start,
        end,
        False,
        actor.id,
        date(year, 1, 1),
        date(year + 1, 1, 1),
    )
    return sum(
        (
            Decimal(str(row["hours"]))
            for row in rows
            if row["starts_at"] is None
            or _aware(row["starts_at"]).astimezone(ZoneInfo(row["time_zone"])).year == year
        ),
        Decimal(0),
    )


def _aware(moment: datetime | str) -> datetime:
    """A timestamp as the driver gives it (SQLite: text), aware in UTC."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo else value.replace(tzinfo=UTC)
