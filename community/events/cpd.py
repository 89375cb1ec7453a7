"""The CPD/CET learning record: the events a member attended, with the hours they earned."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.expressions import Q, Subquery

from community import clock, db
from community.accounts.access import ensure_signed_in
from community.accounts.models import Member
from community.clock import reader_zone
from community.errors import NotFound
from community.events.models import EVENT_KIND_LABELS, Event, EventKind, EventState, Rsvp
from community.groups.models import Membership, Visibility
from community.people.access import access_profile
from community.settings import current as current_settings

RECENT = 5


def format_hours(hours: Decimal) -> str:
    """Hours without trailing zeros: 3.75, 1.5, 2."""
    text = f"{hours:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class LearningEntry:
    """One attended event in a learning record."""

    event_id: int
    title: str
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


def _visible_to(actor: Member) -> Q:
    """Events of site-wide, public and the actor's own groups, as a filter on RSVPs (the
    actor's groups in a subquery, so the record stays one query)."""
    mine = Membership.filter(member_id=actor.id).values("group_id")
    return (
        Q(event__group_id__isnull=True)
        | Q(event__group__visibility=Visibility.PUBLIC)
        | Q(event__group_id__in=Subquery(mine))
    )


async def _attended(member: Member, visible: Q) -> list[LearningEntry]:
    """Every event the member attended that was not cancelled, latest first."""
    rsvps = (
        await Rsvp.filter(member_id=member.id, attended=True, event__state=EventState.SCHEDULED)
        .filter(visible)
        .select_related("event", "event__group")
    )
    entries = []
    for rsvp in rsvps:
        event = rsvp.event
        entries.append(
            (
                event.starts_at,
                LearningEntry(
                    event_id=event.id,
                    title=event.title,
                    held_on=event.starts_at.astimezone(ZoneInfo(event.time_zone)).date(),
                    group_name=event.group.name if event.group is not None else "",
                    kind=EVENT_KIND_LABELS[EventKind(event.kind)],
                    hours=Decimal(event.cpd_hours),
                ),
            )
        )
    entries.sort(key=lambda pair: (pair[0], pair[1].event_id), reverse=True)
    return [entry for _, entry in entries]


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
    entries = await _attended(member, Q() if everything else _visible_to(actor))
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
    entries = await _attended(member, Q())
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
    rows = await db.select(
        "SELECT e.starts_at AS starts_at, e.time_zone AS time_zone, e.cpd_hours AS hours "  # noqa: S608
        f"FROM {Rsvp._meta.db_table} r JOIN {Event._meta.db_table} e ON e.id = r.event_id "
        "WHERE r.member_id = $1 AND r.attended = $2 AND e.state = $3 "
        "AND e.starts_at >= $4 AND e.starts_at < $5",
        actor.id,
        True,
        EventState.SCHEDULED.value,
        start,
        end,
    )
    return sum(
        (
            Decimal(str(row["hours"]))
            for row in rows
            if _aware(row["starts_at"]).astimezone(ZoneInfo(row["time_zone"])).year == year
        ),
        Decimal(0),
    )


def _aware(moment: datetime | str) -> datetime:
    """A timestamp as the driver gives it (SQLite: text), aware in UTC."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo else value.replace(tzinfo=UTC)
