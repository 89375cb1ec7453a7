"""Completion from attendance: the programme rule, applied when members are marked as
attended (in the marking transaction), completes each member once, with the hours credited,
a certificate and a notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.expressions import Subquery

from community import clock
from community.accounts.models import Member
from community.events.attendance import on_attended
from community.events.cpd import format_hours
from community.events.models import Event, LearningCredit, Rsvp
from community.notifications.service import Notice, notify
from community.programmes.kinds import ENROLMENT
from community.programmes.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeSession,
)
from community.programmes.service.certificates import new_code
from community.urls import path as url_path


async def complete_all_who_meet(programme: Programme) -> None:
    """Complete every enrolled member who meets the rule now (after the rule changed)."""
    enrolments = await Enrolment.filter(
        programme_id=programme.id, status=EnrolmentStatus.ENROLLED, completed_at__isnull=True
    ).select_related("member")
    progress = await progress_of(programme, [enrolment.member_id for enrolment in enrolments])
    for enrolment in enrolments:
        if progress[enrolment.member_id].met and progress[enrolment.member_id].attended:
            await _complete(programme, enrolment)


@dataclass(frozen=True)
class Progress:
    """How far one member is through a programme."""

    attended: int
    #: sessions not cancelled
    sessions: int
    #: sessions to attend, mandatory ones included
    required: int
    #: mandatory sessions not yet attended, by number from 1
    mandatory_missing: list[int]

    @property
    def met(self) -> bool:
        return self.attended >= self.required and not self.mandatory_missing

    @property
    def text(self) -> str:
        return f"Attended {self.attended} of {self.sessions}"


async def progress_of(programme: Programme, member_ids: list[int]) -> dict[int, Progress]:
    sessions = await ProgrammeSession.filter(programme_id=programme.id).select_related("event")
    sessions.sort(key=lambda session: (session.event.starts_at, session.event_id))
    live = [session for session in sessions if not session.event.is_cancelled]
    attended: dict[int, set[int]] = {member_id: set() for member_id in member_ids}
    if member_ids:
        for rsvp in await Rsvp.filter(
            event_id__in=[session.event_id for session in live],
            member_id__in=member_ids,
            attended=True,
        ).only("event_id", "member_id"):
            attended[rsvp.member_id].add(rsvp.event_id)
    required = min(programme.min_attended, len(live))
    numbers = {session.event_id: number for number, session in enumerate(live, start=1)}
    return {
        member_id: Progress(
            attended=len(seen),
            sessions=len(live),
            required=required,
            mandatory_missing=[
                numbers[session.event_id]
                for session in live
                if session.mandatory and session.event_id not in seen
            ],
        )
        for member_id, seen in attended.items()
    }


async def complete_if_met(event: Event, member_ids: set[int]) -> None:
    """The programme rule, applied when members are marked as attended at one of its sessions
    (in the marking transaction): each member who now meets it completes it exactly once,
    with the hours credited, a certificate and a notice. Marked twice, or by two facilitators
    at once, the guarded update lets one of them complete it."""
    session = await ProgrammeSession.filter(event_id=event.id).first()
    if session is None:
        return
    programme = await Programme.get(id=session.programme_id)
    enrolments = await Enrolment.filter(
        programme_id=programme.id,
        member_id__in=sorted(member_ids),
        status=EnrolmentStatus.ENROLLED,
        completed_at__isnull=True,
    ).select_related("member")
    if not enrolments:
        return
    progress = await progress_of(programme, [enrolment.member_id for enrolment in enrolments])
    for enrolment in enrolments:
        if progress[enrolment.member_id].met:
            await _complete(programme, enrolment)


async def _attended_days(programme: Programme, member_id: int) -> tuple[date, date]:
    ids = ProgrammeSession.filter(programme_id=programme.id).values("event_id")
    starts = sorted(
        rsvp.event.starts_at
        for rsvp in await Rsvp.filter(
            event_id__in=Subquery(ids), member_id=member_id, attended=True
        ).select_related("event")
    )
    zone = ZoneInfo(programme.time_zone)
    return starts[0].astimezone(zone).date(), starts[-1].astimezone(zone).date()


async def _complete(programme: Programme, enrolment: Enrolment) -> None:
    now = clock.now()
    done = await Enrolment.filter(id=enrolment.id, completed_at__isnull=True).update(
        completed_at=now
    )
    if not done:
        return  # completed meanwhile by another marking
    member: Member = enrolment.member
    first_day, last_day = await _attended_days(programme, member.id)
    path = url_path("programmes:detail", programme_id=programme.id)
    await LearningCredit.create(
        member_id=member.id,
        group_id=programme.group_id,
        source=f"programme:{programme.id}",
        title=programme.title,
        path=path,
        hours=programme.cpd_hours,
        earned_on=last_day,
        created_at=now,
    )
    certificate = await Certificate.create(
        code=new_code(),
        enrolment_id=enrolment.id,
        member_id=member.id,
        programme_id=programme.id,
        member_name=member.display_name,
        programme_title=programme.title,
        provider=programme.provider,
        hours=programme.cpd_hours,
        first_day=first_day,
        last_day=last_day,
        issued_at=now,
    )
    await notify(
        [member],
        Notice(
            ENROLMENT,
            f"You completed “{programme.title}”",
            url=url_path("programmes:certificate", code=certificate.code),
            dedupe_key=f"programme-completed:{programme.id}",
            body=f"{format_hours(Decimal(programme.cpd_hours))} CET/CPD hours are in your "
            "learning record, and your certificate is ready.",
            topic=f"programme:{programme.id}",
        ),
    )


# completion runs whenever a facilitator marks attendance, in the same transaction
on_attended(complete_if_met)
