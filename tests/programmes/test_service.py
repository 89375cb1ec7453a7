"""Programmes at the service level: creating one, enrolling once (a race for the last
places), the waitlist promoted exactly once, no seat by the side door, completion from
attendance exactly once, and certificates checked and revoked."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from community import clock
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.events import attendance
from community.events import service as events_service
from community.events.cpd import hours_in_year, learning_record, learning_summary
from community.events.models import Event, LearningCredit, Rsvp, RsvpStatus
from community.events.schemas import EventChanges
from community.notifications.models import Notification
from community.programmes import service
from community.programmes.models import Certificate, Enrolment, EnrolmentStatus, Programme
from community.programmes.schemas import ProgrammeDetails, ProgrammeFromEvents, Revocation
from tests.factories import add_member, bulk_members, make_event, make_group, make_member
from tests.programmes.helpers import make_programme, programme_fields, sessions_of

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def setting(capacity: int = 20, **overrides: object):  # type: ignore[no-untyped-def]
    admin = await make_member(admin=True)
    facilitator = await make_member()
    group = await make_group(admin=admin, facilitator=facilitator)
    programme = await make_programme(group, facilitator, capacity=capacity, **overrides)
    return admin, facilitator, group, programme


async def member_of(group) -> object:  # type: ignore[no-untyped-def]
    member = await make_member()
    await add_member(group, member)
    return member


async def test_a_programme_makes_its_sessions_seated_by_enrolment_only(database: None) -> None:
    _, _, _, programme = await setting()
    sessions = await sessions_of(programme)
    assert len(sessions) == 6
    assert all(event.enrolment_only for event in sessions)
    assert all(event.cpd_hours == 0 and event.capacity == 20 for event in sessions)
    assert programme.min_attended == 5 and programme.cpd_hours == Decimal(12)
    assert programme.enrol_closes_at == sessions[0].starts_at
    assert [e.starts_at - sessions[0].starts_at for e in sessions] == [
        timedelta(weeks=week) for week in range(6)
    ]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"capacity": "0"}, "capacity"),
        ({"capacity": "-1"}, "capacity"),
        ({"cpd_hours": "0"}, "cpd_hours"),
        ({"sessions": "1"}, "sessions"),
        ({"sessions": "10000"}, "sessions"),
        ({"time_zone": "Mars/Olympus_Mons"}, "time_zone"),
        ({"min_attended": "7"}, "min_attended"),
        ({"provider": " "}, "provider"),
    ],
)
async def test_bad_programmes_are_refused_and_change_nothing(
    database: None, overrides: dict[str, str], field: str
) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    with pytest.raises(Invalid) as refused:
        await make_programme(group, facilitator, **overrides)
    assert field in refused.value.fields
    assert await Programme.all().count() == 0
    assert await Event.all().count() == 0


async def test_an_end_before_the_start_and_a_late_closing_are_refused(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    fields = programme_fields()
    with pytest.raises(Invalid) as refused:
        await make_programme(group, facilitator, ends_at=fields["starts_at"])
    assert "ends_at" in refused.value.fields
    late = clock.now() + timedelta(days=30)
    with pytest.raises(Invalid) as refused:
        await make_programme(group, facilitator, enrol_closes_at=late.isoformat())
    assert "first session" in refused.value.fields["enrol_closes_at"]
    with pytest.raises(Invalid) as refused:
        await make_programme(group, facilitator, mandatory=9)
    assert await Programme.all().count() == 0
    assert await Event.all().count() == 0


async def test_only_facilitators_create_programmes(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await member_of(group)
    with pytest.raises(PermissionDenied):
        await make_programme(group, member)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        await make_programme(None, facilitator)
    assert await Programme.all().count() == 0


async def test_enrolling_takes_a_seat_in_every_session_once(database: None) -> None:
    _, _, group, programme = await setting()
    member = await member_of(group)
    enrolment = await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    again = await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    assert enrolment.id == again.id and enrolment.status == EnrolmentStatus.ENROLLED
    assert (await Programme.get(id=programme.id)).seats_taken == 1
    for event in await sessions_of(programme):
        assert event.seats_taken == 1
        rsvp = await Rsvp.get(event_id=event.id, member_id=member.id)  # type: ignore[attr-defined]
        assert rsvp.status == RsvpStatus.GOING


async def test_no_seat_in_a_session_by_the_side_door(database: None) -> None:
    _, _, group, programme = await setting()
    member = await member_of(group)
    first = (await sessions_of(programme))[0]
    with pytest.raises(Conflict, match="part of a programme"):
        await events_service.rsvp(actor=member, event_id=first.id)  # type: ignore[arg-type]
    await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    with pytest.raises(Conflict, match="part of a programme"):
        await events_service.cancel_rsvp(actor=member, event_id=first.id)  # type: ignore[arg-type]
    assert (await Event.get(id=first.id)).seats_taken == 1


async def test_a_full_programme_waitlists_and_promotes_exactly_once(database: None) -> None:
    _, _, group, programme = await setting(capacity=2)
    members = [await member_of(group) for _ in range(4)]
    for member in members:
        await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
        clock.advance(timedelta(seconds=1))
    statuses = [
        (await Enrolment.get(member_id=m.id)).status
        for m in members  # type: ignore[attr-defined]
    ]
    assert statuses == ["enrolled", "enrolled", "waitlist", "waitlist"]
    page = await service.programme_page(actor=members[3], programme_id=programme.id)  # type: ignore[arg-type]
    assert page.waitlist_position == 2
    await service.withdraw(actor=members[0], programme_id=programme.id)  # type: ignore[arg-type]
    statuses = [
        (await Enrolment.get(member_id=m.id)).status
        for m in members  # type: ignore[attr-defined]
    ]
    assert statuses == ["withdrawn", "enrolled", "enrolled", "waitlist"]
    assert (await Programme.get(id=programme.id)).seats_taken == 2
    for event in await sessions_of(programme):
        going = await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING).count()
        assert going == event.seats_taken == 2
    told = await Notification.filter(member_id=members[2].id, kind="programme_enrolment")  # type: ignore[attr-defined]
    assert len(told) == 1 and "A place opened" in told[0].title
    # withdrawing from the waitlist frees nothing and promotes no one
    await service.withdraw(actor=members[3], programme_id=programme.id)  # type: ignore[arg-type]
    assert (await Programme.get(id=programme.id)).seats_taken == 2
    with pytest.raises(Conflict):
        await service.withdraw(actor=members[3], programme_id=programme.id)  # type: ignore[arg-type]


async def test_sixty_members_race_for_twenty_places(database: None) -> None:
    _, _, group, programme = await setting(capacity=20)
    members = await bulk_members(60)
    for member in members:
        await add_member(group, member)
    await asyncio.gather(
        *(service.enrol(actor=member, programme_id=programme.id) for member in members)
    )
    enrolled = await Enrolment.filter(programme_id=programme.id, status="enrolled").count()
    waiting = await Enrolment.filter(programme_id=programme.id, status="waitlist").count()
    assert (enrolled, waiting) == (20, 40)
    assert (await Programme.get(id=programme.id)).seats_taken == 20
    for event in await sessions_of(programme):
        going = await Rsvp.filter(event_id=event.id, status=RsvpStatus.GOING).count()
        assert going == event.seats_taken == 20


async def test_enrolment_closes_at_the_first_session(database: None) -> None:
    _, _, group, programme = await setting()
    member = await member_of(group)
    clock.freeze(programme.enrol_closes_at)
    with pytest.raises(Conflict, match="closed"):
        await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    assert await Enrolment.all().count() == 0


async def attend(facilitator, programme: Programme, member_ids, sessions: int) -> None:  # type: ignore[no-untyped-def]
    for event in (await sessions_of(programme))[:sessions]:
        clock.freeze(event.starts_at + timedelta(minutes=30))
        await attendance.record_attendance(
            actor=facilitator, event_id=event.id, attended_ids=set(member_ids)
        )


async def test_completion_credits_the_hours_once_and_issues_one_certificate(
    database: None,
) -> None:
    _, facilitator, group, programme = await setting()
    member = await member_of(group)
    await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    await attend(facilitator, programme, [member.id], 4)  # type: ignore[attr-defined]
    assert await Certificate.all().count() == 0
    page = await service.programme_page(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    assert page.progress is not None and page.progress.text == "Attended 4 of 6"
    await attend(facilitator, programme, [member.id], 5)  # type: ignore[attr-defined]
    await attend(facilitator, programme, [member.id], 6)  # type: ignore[attr-defined]
    certificates = await Certificate.all()
    assert len(certificates) == 1
    assert certificates[0].hours == Decimal(12)
    assert await LearningCredit.all().count() == 1
    told = await Notification.filter(member_id=member.id, kind="programme_enrolment")  # type: ignore[attr-defined]
    assert len(told) == 1 and "completed" in told[0].title
    summary = await learning_summary(actor=member, member_id=member.id)  # type: ignore[arg-type]
    assert summary.total_hours == Decimal(12)  # the sessions count nothing of their own
    year = certificates[0].last_day.year
    assert await hours_in_year(actor=member, year=year) == Decimal(12)  # type: ignore[arg-type]
    record = await learning_record(actor=member, member_id=member.id, year=year)  # type: ignore[arg-type]
    assert record.total_hours == Decimal(12)
    credited = [entry for entry in record.entries if entry.kind == "Programme completed"]
    assert [(entry.title, entry.hours, entry.path) for entry in credited] == [
        (programme.title, Decimal(12), f"/programmes/{programme.id}")
    ]
    # the sessions are in the records too (in whichever years they fell), each with no hours
    years = {certificates[0].first_day.year, certificates[0].first_day.year + 1}
    sessions = [
        entry
        for each in sorted(years)
        for entry in (await learning_record(actor=member, member_id=member.id, year=each)).entries  # type: ignore[arg-type]
        if entry.event_id
    ]
    assert [entry.hours for entry in sessions] == [Decimal(0)] * 6


async def test_two_facilitators_marking_at_once_complete_it_once(database: None) -> None:
    _, facilitator, group, programme = await setting(min_attended=1)
    member = await member_of(group)
    await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    first = (await sessions_of(programme))[0]
    clock.freeze(first.starts_at + timedelta(minutes=30))
    admin = await make_member(admin=True)
    await asyncio.gather(
        attendance.record_attendance(
            actor=facilitator,
            event_id=first.id,
            attended_ids={member.id},  # type: ignore[attr-defined]
        ),
        attendance.mark_attendance(
            actor=admin,
            event_id=first.id,
            member_id=member.id,
            attended=True,  # type: ignore[attr-defined]
        ),
    )
    assert await Certificate.all().count() == 1
    assert await LearningCredit.all().count() == 1
    assert (await Enrolment.get(member_id=member.id)).completed_at is not None  # type: ignore[attr-defined]


async def test_a_missed_mandatory_session_keeps_it_open(database: None) -> None:
    _, facilitator, group, programme = await setting(min_attended=3, mandatory=6)
    member = await member_of(group)
    await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    await attend(facilitator, programme, [member.id], 5)  # type: ignore[attr-defined]
    page = await service.programme_page(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    assert page.progress is not None and page.progress.mandatory_missing == [6]
    assert await Certificate.all().count() == 0


async def test_certificates_are_checked_by_code_and_revoked_by_admins(database: None) -> None:
    admin, facilitator, group, programme = await setting(min_attended=1)
    member = await member_of(group)
    await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    await attend(facilitator, programme, [member.id], 1)  # type: ignore[attr-defined]
    certificate = await Certificate.get()
    assert service.normal_code(certificate.code) == certificate.code
    typed = certificate.code.replace("-", " ").lower()
    assert (await service.verify(typed)).id == certificate.id
    for wrong in [
        "",
        "nope",
        certificate.code[:-1] + ("A" if certificate.code[-1] != "A" else "B"),
    ]:
        with pytest.raises(NotFound):
            await service.verify(wrong)
    with pytest.raises(PermissionDenied):
        await service.revoke(actor=facilitator, code=certificate.code, form=Revocation(reason="x"))
    revoked = await service.revoke(
        actor=admin, code=certificate.code, form=Revocation(reason="Attendance was misrecorded.")
    )
    assert revoked.revoked_at is not None
    assert (await service.verify(certificate.code)).revoked_reason == "Attendance was misrecorded."
    assert await LearningCredit.all().count() == 0
    with pytest.raises(Conflict):
        await service.revoke(actor=admin, code=certificate.code, form=Revocation(reason="again"))
    with pytest.raises(Conflict):
        await service.own_certificate(actor=member, code=certificate.code)  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        Revocation.from_json({"reason": "   "})


async def test_codes_are_unguessable(database: None) -> None:
    codes = {service.new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(service.normal_code(code) == code for code in codes)


async def test_a_private_groups_programme_is_hidden_from_outsiders(database: None) -> None:
    admin = await make_member(admin=True)
    facilitator = await make_member()
    group = await make_group(admin=admin, facilitator=facilitator, visibility="private")
    programme = await make_programme(group, facilitator)
    insider = await make_member()
    await add_member(group, insider)
    outsider = await make_member()
    for viewer in (None, outsider):
        with pytest.raises(NotFound):
            await service.access_programme(viewer, programme.id)
        assert await service.list_programmes(actor=viewer) == []
        assert await service.providers(actor=viewer) == []
    assert [card.programme.id for card in await service.list_programmes(actor=insider)] == [
        programme.id
    ]
    with pytest.raises(NotFound):
        await service.enrol(actor=outsider, programme_id=programme.id)


async def test_the_list_filters_by_profession_and_provider(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    for_counsellors = await make_programme(
        group, facilitator, professions=["counsellor"], title="Counselling skills"
    )
    for_everyone = await make_programme(group, facilitator, title="Ethics", provider="NCSS")
    listed = await service.list_programmes(actor=None, profession="counsellor")
    assert {card.programme.id for card in listed} == {for_counsellors.id, for_everyone.id}
    listed = await service.list_programmes(actor=None, profession="psychologist")
    assert [card.programme.id for card in listed] == [for_everyone.id]
    listed = await service.list_programmes(actor=None, provider="NCSS")
    assert [card.programme.id for card in listed] == [for_everyone.id]
    assert await service.providers(actor=None) == ["NCSS", "Social Service Institute"]


async def test_a_programme_of_events_already_scheduled(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    events = [await make_event(group, facilitator, title=f"Session {n}") for n in range(3)]
    terms = {"provider": "SSI", "capacity": 10, "cpd_hours": 6, "title": "Short course"}
    programme = await service.create_programme_from_events(
        actor=facilitator,
        slug=group.slug,
        form=ProgrammeFromEvents.from_json({**terms, "event_ids": [e.id for e in events]}),
    )
    assert programme.min_attended == 3
    assert all(e.enrolment_only for e in await Event.filter(id__in=[e.id for e in events]))
    # an event already in a programme, or one someone answered, is refused
    other = await make_event(group, facilitator, title="Another")
    member = await member_of(group)
    await events_service.rsvp(actor=member, event_id=other.id)  # type: ignore[arg-type]
    for ids in ([events[0].id, other.id], [other.id, other.id]):
        with pytest.raises(Invalid):
            await service.create_programme_from_events(
                actor=facilitator,
                slug=group.slug,
                form=ProgrammeFromEvents.from_json({**terms, "event_ids": ids}),
            )
    assert await Programme.all().count() == 1


async def test_a_sessions_places_and_hours_stay_the_programmes(database: None) -> None:
    _, facilitator, _, programme = await setting()
    first = (await sessions_of(programme))[0]
    for changes, field in (({"capacity": 30}, "capacity"), ({"cpd_hours": "2"}, "cpd_hours")):
        with pytest.raises(Invalid) as refused:
            await events_service.update_event(
                actor=facilitator, event_id=first.id, changes=EventChanges.from_json(changes)
            )
        assert "part of a programme" in refused.value.fields[field]
    unchanged = await Event.get(id=first.id)
    assert (unchanged.capacity, unchanged.cpd_hours) == (20, Decimal(0))


async def test_the_list_follows_the_sessions_when_they_move(database: None) -> None:
    _, facilitator, group, programme = await setting()
    sessions = await sessions_of(programme)
    moved = sessions[0].starts_at - timedelta(days=3)
    await events_service.update_event(
        actor=facilitator,
        event_id=sessions[0].id,
        changes=EventChanges.from_json(
            {"starts_at": moved.isoformat(), "ends_at": (moved + timedelta(hours=2)).isoformat()}
        ),
    )
    [card] = await service.list_programmes(actor=None)
    assert card.span.first == moved and card.span.sessions == 6
    # enrolment closes when the first session starts, wherever it moved
    member = await member_of(group)
    clock.freeze(moved)
    with pytest.raises(Conflict, match="closed"):
        await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    clock.freeze(sessions[-1].starts_at + timedelta(hours=3))
    assert await service.list_programmes(actor=None) == []


def details(**changes: object) -> ProgrammeDetails:
    values: dict[str, object] = {
        "title": "Foundations, revised",
        "summary": "Now with a session on supervision.",
        "provider": "Social Service Institute",
        "capacity": 20,
        "cpd_hours": "12",
        "min_attended": 5,
    }
    values.update(changes)
    return ProgrammeDetails.from_json(values)


async def test_facilitators_change_the_terms_and_more_places_promote(database: None) -> None:
    _, facilitator, group, programme = await setting(capacity=1)
    first, second = await member_of(group), await member_of(group)
    await service.enrol(actor=first, programme_id=programme.id)  # type: ignore[arg-type]
    await service.enrol(actor=second, programme_id=programme.id)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        await service.update_programme(
            actor=second,
            programme_id=programme.id,
            form=details(capacity=2),  # type: ignore[arg-type]
        )
    with pytest.raises(Invalid) as refused:
        await service.update_programme(
            actor=facilitator, programme_id=programme.id, form=details(min_attended=9)
        )
    assert "min_attended" in refused.value.fields
    changed = await service.update_programme(
        actor=facilitator, programme_id=programme.id, form=details(capacity=2, mandatory=[6])
    )
    assert (changed.title, changed.capacity, changed.seats_taken) == ("Foundations, revised", 2, 2)
    assert (await Enrolment.get(member_id=second.id)).status == "enrolled"  # type: ignore[attr-defined]
    assert all(event.capacity == 2 for event in await sessions_of(programme))
    with pytest.raises(Invalid) as refused:
        await service.update_programme(
            actor=facilitator, programme_id=programme.id, form=details(capacity=1)
        )
    assert "2 members are enrolled" in refused.value.fields["capacity"]
    page = await service.programme_page(actor=first, programme_id=programme.id)  # type: ignore[arg-type]
    assert [row.number for row in page.sessions if row.mandatory] == [6]


async def test_a_looser_rule_completes_whoever_meets_it_now(database: None) -> None:
    _, facilitator, group, programme = await setting()
    member = await member_of(group)
    await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    await attend(facilitator, programme, [member.id], 3)  # type: ignore[attr-defined]
    assert await Certificate.all().count() == 0
    await service.update_programme(
        actor=facilitator,
        programme_id=programme.id,
        form=details(min_attended=3, enrol_closes_at=programme.enrol_closes_at.isoformat()),
    )
    assert await Certificate.filter(member_id=member.id).count() == 1  # type: ignore[attr-defined]


async def test_a_cancelled_programme_cancels_its_sessions_and_tells_everyone_once(
    database: None,
) -> None:
    _, facilitator, group, programme = await setting(capacity=1)
    enrolled, waiting = await member_of(group), await member_of(group)
    await service.enrol(actor=enrolled, programme_id=programme.id)  # type: ignore[arg-type]
    await service.enrol(actor=waiting, programme_id=programme.id)  # type: ignore[arg-type]
    with pytest.raises(PermissionDenied):
        await service.cancel_programme(actor=enrolled, programme_id=programme.id)  # type: ignore[arg-type]
    cancelled = await service.cancel_programme(actor=facilitator, programme_id=programme.id)
    assert cancelled.cancelled_at is not None
    assert all(event.is_cancelled for event in await sessions_of(programme))
    for member in (enrolled, waiting):
        told = await Notification.filter(member_id=member.id, kind="event_changed")  # type: ignore[attr-defined]
        assert [notice.title for notice in told] == [f"“{programme.title}” is cancelled"]
    with pytest.raises(Conflict):
        await service.cancel_programme(actor=facilitator, programme_id=programme.id)
    assert await service.list_programmes(actor=None) == []
    late = await member_of(group)
    with pytest.raises(Conflict, match="cancelled"):
        await service.enrol(actor=late, programme_id=programme.id)  # type: ignore[arg-type]
    # a withdrawal from a cancelled programme promotes no one
    await service.withdraw(actor=enrolled, programme_id=programme.id)  # type: ignore[arg-type]
    assert (await Enrolment.get(member_id=waiting.id)).status == "waitlist"  # type: ignore[attr-defined]


async def test_enrolment_opens_when_the_programme_says(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    opens = clock.now() + timedelta(days=2)
    programme = await make_programme(group, facilitator, enrol_opens_at=opens.isoformat())
    member = await member_of(group)
    with pytest.raises(Conflict, match="not opened yet"):
        await service.enrol(actor=member, programme_id=programme.id)  # type: ignore[arg-type]
    clock.freeze(opens)
    assert (await service.enrol(actor=member, programme_id=programme.id)).status == "enrolled"  # type: ignore[arg-type]
    with pytest.raises(Invalid) as refused:
        await make_programme(
            group, facilitator, enrol_opens_at=(clock.now() + timedelta(days=60)).isoformat()
        )
    assert "before it closes" in refused.value.fields["enrol_opens_at"]
