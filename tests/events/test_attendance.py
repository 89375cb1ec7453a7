"""Attendee tools for facilitators: the list, marking attendance, emailing everyone going, CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts import service as accounts_service
from community.accounts.models import Member
from community.accounts.schemas import ProfileUpdate
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.events import attendance, service
from community.events.models import Event, Rsvp, RsvpStatus
from community.groups.models import Group
from community.mail.models import OutboxMessage
from tests import dates
from tests.conftest import Browser, QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_event, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

NONCE = "nonce-0123456789abcdef"


async def set_profile(member: Member, *, name: str, profession: str, organisation: str) -> Member:
    return await accounts_service.update_profile(
        actor=member,
        form=ProfileUpdate.from_form(
            {"display_name": name, "profession": profession, "organisation": organisation}
        ),
    )


async def event_with(
    going: int, *, facilitator: Member | None = None, capacity: int | None = None
) -> tuple[Event, Member, list[Member]]:
    """An event of a public group whose `going` members RSVP, a second apart."""
    facilitator = facilitator or await make_member()
    group = await make_group(facilitator=facilitator)
    event = await make_event(group, facilitator, capacity=capacity)
    people = [await make_member() for _ in range(going)]
    for person in people:
        await add_member(group, person)
        clock.advance(timedelta(seconds=1))
        await service.rsvp(actor=person, event_id=event.id)
    return event, facilitator, people


async def attendance_state(event: Event) -> dict[int, tuple[bool | None, object]]:
    return {
        rsvp.member_id: (rsvp.attended, rsvp.attendance_marked_at)
        for rsvp in await Rsvp.filter(event_id=event.id)
    }


async def post_attendance(browser: Browser, event: Event, ids: list[int]) -> httpx.Response:
    """The attendance form: the `attended` field repeats, one per ticked member."""
    if "community_csrf" not in browser.client.cookies:
        await browser.get("/healthz")
    return await browser.client.post(
        f"/events/{event.id}/attendance",
        data={
            "csrf_token": browser.client.cookies.get("community_csrf", ""),
            "attended": [str(member_id) for member_id in ids],
        },
    )


# the service


async def test_attendee_list_has_going_waitlist_and_not_going_in_order(database: None) -> None:
    event, facilitator, people = await event_with(5, capacity=2)
    first, second, third, fourth, fifth = people
    await set_profile(first, name="Aisha", profession="counsellor", organisation="Care Corner")
    await service.cancel_rsvp(actor=fifth, event_id=event.id)  # from the waitlist: no promotion
    listing = await attendance.attendee_list(actor=facilitator, event_id=event.id)
    assert [a.member_id for a in listing.going] == [first.id, second.id]
    assert [(a.member_id, a.waitlist_position) for a in listing.waitlist] == [
        (third.id, 1),
        (fourth.id, 2),
    ]
    assert [a.member_id for a in listing.not_going] == [fifth.id]
    aisha = listing.going[0]
    assert (aisha.name, aisha.profession, aisha.organisation) == (
        "Aisha",
        "Counsellor",
        "Care Corner",
    )
    assert aisha.status == RsvpStatus.GOING and aisha.attended is None
    assert aisha.answered_at == (await Rsvp.get(event_id=event.id, member_id=first.id)).answered_at
    assert not listing.attendance_open


async def test_admins_manage_the_attendees_of_any_event(database: None) -> None:
    admin = await make_member(admin=True)
    event, _, people = await event_with(2)
    listing = await attendance.attendee_list(actor=admin, event_id=event.id)
    assert [a.member_id for a in listing.going] == [p.id for p in people]
    site_wide = await make_event(None, admin)
    assert (await attendance.attendee_list(actor=admin, event_id=site_wide.id)).going == []
    clock.freeze(event.starts_at)
    assert (
        await attendance.record_attendance(
            actor=admin, event_id=event.id, attended_ids={people[0].id}
        )
        == 1
    )
    assert (
        await attendance.email_attendees(
            actor=admin,
            event_id=event.id,
            subject="Thanks",
            body="Thank you for coming.",
            nonce=NONCE,
        )
        == 2
    )


async def test_others_cannot_see_the_attendees(database: None) -> None:
    event, facilitator, people = await event_with(1)
    outsider = await make_member()
    other_facilitator = await make_member()
    await make_group(facilitator=other_facilitator)
    for actor in (people[0], outsider, other_facilitator, None):
        with pytest.raises(PermissionDenied):
            await attendance.attendee_list(actor=actor, event_id=event.id)
    admin = await make_member(admin=True)
    site_wide = await make_event(None, admin)
    with pytest.raises(PermissionDenied):  # site-wide events are the admins' alone
        await attendance.attendee_list(actor=facilitator, event_id=site_wide.id)


async def test_private_group_events_stay_not_found_for_outsiders(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator, visibility="private")
    event = await make_event(group, facilitator)
    outsider = await make_member()
    with pytest.raises(NotFound):
        await attendance.attendee_list(actor=outsider, event_id=event.id)
    with pytest.raises(NotFound):
        await attendance.attendees_csv(actor=None, event_id=event.id)
    member = await make_member()
    await add_member(group, member)
    with pytest.raises(PermissionDenied):
        await attendance.attendee_list(actor=member, event_id=event.id)


async def test_attendance_before_the_start_is_refused(database: None) -> None:
    event, facilitator, people = await event_with(2)
    clock.freeze(event.starts_at - timedelta(seconds=1))
    before = await attendance_state(event)
    with pytest.raises(Conflict, match=r"Attendance can be marked from the start of the event\."):
        await attendance.record_attendance(
            actor=facilitator, event_id=event.id, attended_ids={people[0].id}
        )
    with pytest.raises(Conflict, match="from the start"):
        await attendance.mark_attendance(
            actor=facilitator, event_id=event.id, member_id=people[0].id, attended=True
        )
    assert await attendance_state(event) == before
    assert all(attended is None for attended, _ in before.values())


async def test_record_attendance_after_the_start_marks_everyone_going(database: None) -> None:
    event, facilitator, people = await event_with(4, capacity=3)
    came, absent, also_came, waiting = people
    clock.freeze(event.starts_at)
    count = await attendance.record_attendance(
        actor=facilitator, event_id=event.id, attended_ids={came.id, also_came.id}
    )
    assert count == 2
    state = await attendance_state(event)
    assert state[came.id] == (True, event.starts_at)
    assert state[absent.id] == (False, event.starts_at)
    assert state[also_came.id] == (True, event.starts_at)
    assert state[waiting.id] == (None, None)
    listing = await attendance.attendee_list(actor=facilitator, event_id=event.id)
    assert listing.attendance_open and listing.attended_count == 2
    # the same form again changes nothing, not even the times
    clock.advance(timedelta(hours=1))
    await attendance.record_attendance(
        actor=facilitator, event_id=event.id, attended_ids={came.id, also_came.id}
    )
    assert await attendance_state(event) == state
    # a correction changes only the rows that change
    await attendance.record_attendance(
        actor=facilitator, event_id=event.id, attended_ids={came.id, absent.id}
    )
    corrected = await attendance_state(event)
    assert corrected[came.id] == state[came.id]
    assert corrected[absent.id] == (True, clock.now())
    assert corrected[also_came.id] == (False, clock.now())


async def test_mark_attendance_for_one_member_is_idempotent(database: None) -> None:
    event, facilitator, people = await event_with(2)
    clock.freeze(event.ends_at + timedelta(days=2))
    rsvp = await attendance.mark_attendance(
        actor=facilitator, event_id=event.id, member_id=people[0].id, attended=True
    )
    assert rsvp.attended is True and rsvp.attendance_marked_at == clock.now()
    clock.advance(timedelta(minutes=5))
    again = await attendance.mark_attendance(
        actor=facilitator, event_id=event.id, member_id=people[0].id, attended=True
    )
    assert again.attendance_marked_at == rsvp.attendance_marked_at
    assert (await attendance_state(event))[people[1].id] == (None, None)
    absent = await attendance.mark_attendance(
        actor=facilitator, event_id=event.id, member_id=people[0].id, attended=False
    )
    assert absent.attended is False and absent.attendance_marked_at == clock.now()


async def test_attendance_of_a_cancelled_event_is_refused(database: None) -> None:
    event, facilitator, people = await event_with(1)
    await service.cancel_event(actor=facilitator, event_id=event.id)
    clock.freeze(event.starts_at + timedelta(minutes=10))
    with pytest.raises(Conflict, match="cancelled"):
        await attendance.record_attendance(
            actor=facilitator, event_id=event.id, attended_ids={people[0].id}
        )
    with pytest.raises(Conflict, match="cancelled"):
        await attendance.mark_attendance(
            actor=facilitator, event_id=event.id, member_id=people[0].id, attended=True
        )
    assert await attendance_state(event) == {people[0].id: (None, None)}


async def test_only_members_who_were_going_can_be_marked(database: None) -> None:
    event, facilitator, people = await event_with(3, capacity=1)
    going, waiting, leaving = people
    await service.cancel_rsvp(actor=leaving, event_id=event.id)
    stranger = await make_member()
    clock.freeze(event.starts_at)
    before = await attendance_state(event)
    for member in (waiting, leaving, stranger):
        with pytest.raises(Invalid) as caught:
            await attendance.mark_attendance(
                actor=facilitator, event_id=event.id, member_id=member.id, attended=True
            )
        assert "only members who were going can be marked" in caught.value.fields["member_id"]
    with pytest.raises(Invalid) as caught:
        await attendance.record_attendance(
            actor=facilitator, event_id=event.id, attended_ids={going.id, waiting.id}
        )
    assert "Only members who were going" in caught.value.fields["attended"]
    assert await attendance_state(event) == before


async def test_members_cannot_mark_attendance(database: None) -> None:
    event, _, people = await event_with(2)
    clock.freeze(event.starts_at)
    for actor in (people[0], await make_member(), None):
        with pytest.raises(PermissionDenied):
            await attendance.record_attendance(
                actor=actor, event_id=event.id, attended_ids={people[0].id}
            )
        with pytest.raises(PermissionDenied):
            await attendance.mark_attendance(
                actor=actor, event_id=event.id, member_id=people[0].id, attended=True
            )
    assert all(attended is None for attended, _ in (await attendance_state(event)).values())


async def test_email_attendees_sends_one_message_to_each_member_going(database: None) -> None:
    event, facilitator, people = await event_with(4, capacity=3)
    await set_profile(facilitator, name="Farah", profession="social_worker", organisation="")
    body = "Please bring <b>your notes</b> & a pen.\r\n\r\nSee you there,\r\nFarah"
    count = await attendance.email_attendees(
        actor=facilitator, event_id=event.id, subject="What to bring", body=body, nonce=NONCE
    )
    assert count == 3
    messages = await OutboxMessage.filter(template="events/message").order_by("id")
    going_emails = sorted(str(p.email) for p in people[:3])
    assert sorted(m.to_address for m in messages) == going_emails
    message = messages[0]
    assert message.subject == "Trauma-informed supervision: What to bring"
    assert "Farah sent this message to everyone going to Trauma-informed supervision" in (
        message.text_body
    )
    assert "Please bring <b>your notes</b> & a pen.\n\nSee you there,\nFarah" in message.text_body
    assert f"https://community.test/events/{event.id}" in message.text_body
    assert "<b>your notes</b>" not in message.html_body
    assert "Please bring &lt;b&gt;your notes&lt;/b&gt; &amp; a pen." in message.html_body
    assert "See you there,<br>Farah" in message.html_body
    assert f'href="https://community.test/events/{event.id}"' in message.html_body
    # a double submit of the same form sends nothing more; a new form sends again
    await attendance.email_attendees(
        actor=facilitator, event_id=event.id, subject="What to bring", body=body, nonce=NONCE
    )
    assert await OutboxMessage.filter(template="events/message").count() == 3
    await attendance.email_attendees(
        actor=facilitator,
        event_id=event.id,
        subject="Room change",
        body="Room 4.",
        nonce=attendance.new_message_nonce(),
    )
    assert await OutboxMessage.filter(template="events/message").count() == 6


@pytest.mark.parametrize(
    ("subject", "body", "nonce", "field", "message"),
    [
        ("  ", "Hello", NONCE, "subject", "Write a subject for your message."),
        ("x" * 151, "Hello", NONCE, "subject", "Keep the subject to 150 characters."),
        ("Hello", " \n ", NONCE, "body", "Write your message."),
        ("Hello", "x" * 5001, NONCE, "body", "Keep the message to 5,000 characters."),
        ("Hello", "Hello", "", "nonce", "This form was out of date."),
        ("Hello", "Hello", "short", "nonce", "This form was out of date."),
    ],
)
async def test_email_attendees_checks_its_input(
    database: None, subject: str, body: str, nonce: str, field: str, message: str
) -> None:
    event, facilitator, _ = await event_with(1)
    with pytest.raises(Invalid) as caught:
        await attendance.email_attendees(
            actor=facilitator, event_id=event.id, subject=subject, body=body, nonce=nonce
        )
    assert message in caught.value.fields[field]
    assert await OutboxMessage.filter(template="events/message").count() == 0


async def test_email_attendees_at_the_limits_is_accepted(database: None) -> None:
    event, facilitator, _ = await event_with(1)
    count = await attendance.email_attendees(
        actor=facilitator, event_id=event.id, subject="s" * 150, body="b" * 5000, nonce=NONCE
    )
    assert count == 1


async def test_email_attendees_is_for_facilitators_and_needs_someone_going(
    database: None,
) -> None:
    event, facilitator, people = await event_with(1)
    for actor in (people[0], await make_member(), None):
        with pytest.raises(PermissionDenied):
            await attendance.email_attendees(
                actor=actor, event_id=event.id, subject="Hi", body="Hello", nonce=NONCE
            )
    await service.cancel_rsvp(actor=people[0], event_id=event.id)
    with pytest.raises(Conflict, match="No one is going"):
        await attendance.email_attendees(
            actor=facilitator, event_id=event.id, subject="Hi", body="Hello", nonce=NONCE
        )
    assert await OutboxMessage.filter(template="events/message").count() == 0


def parse_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


async def test_attendees_csv_lists_everyone_safely(database: None) -> None:
    event, facilitator, people = await event_with(4, capacity=2)
    tricky, plain, waiting, leaving = people
    await set_profile(
        tricky,
        name='=HYPERLINK("https://evil.example","Click")',
        profession="psychologist",
        organisation="+44 123",
    )
    await set_profile(plain, name="Ben Tan", profession="", organisation="@home -ish")
    await service.cancel_rsvp(actor=leaving, event_id=event.id)
    clock.freeze(event.starts_at)
    await attendance.record_attendance(
        actor=facilitator, event_id=event.id, attended_ids={plain.id}
    )
    text = await attendance.attendees_csv(actor=facilitator, event_id=event.id)
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    rows = parse_csv(text)
    assert rows[0] == [
        "Name",
        "Profession",
        "Organisation",
        "Status",
        "Waitlist position",
        "Answered at",
        "Attended",
    ]
    singapore = ZoneInfo("Asia/Singapore")
    answered = {
        r.member_id: f"{r.answered_at.astimezone(singapore):%Y-%m-%d %H:%M}"
        for r in await Rsvp.filter(event_id=event.id)
    }
    assert rows[1] == [
        '\'=HYPERLINK("https://evil.example","Click")',
        "Psychologist",
        "'+44 123",
        "Going",
        "",
        answered[tricky.id],
        "No",
    ]
    assert rows[2] == ["Ben Tan", "", "'@home -ish", "Going", "", answered[plain.id], "Yes"]
    assert rows[3][0] == waiting.display_name and rows[3][3:5] == ["Waitlist", "1"]
    assert rows[3][6] == ""
    assert rows[4][0] == leaving.display_name and rows[4][3] == "Not going"
    assert len(rows) == 5
    assert "@example.org" not in text  # no email addresses


async def test_attendees_csv_is_for_facilitators(database: None) -> None:
    event, _, people = await event_with(1)
    for actor in (people[0], await make_member(), None):
        with pytest.raises(PermissionDenied):
            await attendance.attendees_csv(actor=actor, event_id=event.id)


# the pages


async def test_attendee_page_before_the_start_says_when_marking_opens(app: Starlette) -> None:
    facilitator = await make_member(email="ap@example.org")
    opens = dates.day(8, "19:00")  # make_event's start, in the site's zone (the reader's)
    event, _, people = await event_with(3, facilitator=facilitator, capacity=2)
    async with open_browser(app) as browser:
        await browser.login("ap@example.org", PASSWORD)
        detail = await browser.get(f"/events/{event.id}")
        assert f'href="/events/{event.id}/attendees"' in detail.text
        page = await browser.get(f"/events/{event.id}/attendees")
        assert page.status_code == 200
        text = text_of(page)
        assert "2 going · 1 on the waitlist · 0 not going" in text
        assert "Attendance can be marked from the start of the event." in text
        assert f"Marking opens at {opens.day} {opens:%b %Y, %H:%M}." in text
        assert "Save attendance" not in text and 'type="checkbox"' not in page.text
        assert people[2].display_name in text
        assert f'href="/events/{event.id}/attendees.csv"' in page.text
        assert f'href="/events/{event.id}/message"' in page.text


async def test_facilitator_saves_attendance_through_the_form(app: Starlette) -> None:
    facilitator = await make_member(email="af@example.org")
    event, _, people = await event_with(3, facilitator=facilitator)
    clock.freeze(event.starts_at + timedelta(hours=1))
    async with open_browser(app) as browser:
        await browser.login("af@example.org", PASSWORD)
        page = await browser.get(f"/events/{event.id}/attendees")
        assert "Save attendance" in text_of(page)
        for person in people:
            assert (
                f'<input type="checkbox" id="attended-{person.id}" name="attended" '
                f'value="{person.id}">'
            ) in page.text
            assert f'<label for="attended-{person.id}">' in page.text
        saved = await post_attendance(browser, event, [people[0].id, people[2].id])
        assert saved.status_code == 303
        assert saved.headers["location"] == f"/events/{event.id}/attendees"
        after = await browser.get(saved.headers["location"])
        assert "Attendance saved: 2 attended." in text_of(after)
        assert f'value="{people[0].id}" checked' in after.text
        assert f'value="{people[1].id}">' in after.text
    state = await attendance_state(event)
    assert [state[p.id][0] for p in people] == [True, False, True]


async def test_attendance_form_with_a_member_not_going_is_shown_again(app: Starlette) -> None:
    facilitator = await make_member(email="ai@example.org")
    event, _, people = await event_with(2, facilitator=facilitator)
    stranger = await make_member()
    clock.freeze(event.starts_at)
    async with open_browser(app) as browser:
        await browser.login("ai@example.org", PASSWORD)
        response = await post_attendance(browser, event, [people[0].id, stranger.id])
        assert response.status_code == 422
        assert "Only members who were going can be marked as attended." in text_of(response)
        assert f'value="{people[0].id}" checked' in response.text
        assert 'id="error-attended"' in response.text
        bad = await post_attendance(browser, event, [])
        assert bad.status_code == 303  # nobody ticked: everyone is absent
    assert {attended for attended, _ in (await attendance_state(event)).values()} == {False}


async def test_attendee_pages_are_refused_to_others(app: Starlette) -> None:
    event, _, people = await event_with(1)
    await make_member(email="ao@example.org")
    private_facilitator = await make_member()
    private = await make_group(facilitator=private_facilitator, visibility="private")
    hidden = await make_event(private, private_facilitator)
    clock.freeze(event.starts_at)
    async with (
        open_browser(app) as visitor,
        open_browser(app) as member,
        open_browser(app) as outsider,
    ):
        await member.login(str(people[0].email), PASSWORD)
        await outsider.login("ao@example.org", PASSWORD)
        for browser in (visitor, member, outsider):
            for path in ("attendees", "attendees.csv", "message"):
                assert (await browser.get(f"/events/{event.id}/{path}")).status_code == 403
            response = await post_attendance(browser, event, [people[0].id])
            assert response.status_code == 403
            response = await browser.post(
                f"/events/{event.id}/message", {"subject": "Hi", "body": "Hi", "nonce": NONCE}
            )
            assert response.status_code == 403
        response = await outsider.get(f"/events/{hidden.id}/attendees")
        assert response.status_code == 404
        assert (await outsider.get(f"/events/{hidden.id}/attendees.csv")).status_code == 404
        detail = await member.get(f"/events/{event.id}")
        assert f"/events/{event.id}/attendees" not in detail.text
    assert await attendance_state(event) == {people[0].id: (None, None)}
    assert await OutboxMessage.filter(template="events/message").count() == 0


async def test_attendees_csv_download(app: Starlette) -> None:
    facilitator = await make_member(email="ac@example.org")
    event, _, people = await event_with(2, facilitator=facilitator)
    async with open_browser(app) as browser:
        await browser.login("ac@example.org", PASSWORD)
        response = await browser.get(f"/events/{event.id}/attendees.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="event-{event.id}-attendees.csv"'
    )
    assert response.content.startswith("\ufeff".encode())
    rows = parse_csv(response.content.decode("utf-8"))
    assert [row[0] for row in rows[1:]] == [p.display_name for p in people]


async def test_facilitator_emails_everyone_going_through_the_form(app: Starlette) -> None:
    facilitator = await make_member(email="am@example.org")
    event, _, people = await event_with(2, facilitator=facilitator)
    async with open_browser(app) as browser:
        await browser.login("am@example.org", PASSWORD)
        form = await browser.get(f"/events/{event.id}/message")
        assert form.status_code == 200 and "Email everyone going" in text_of(form)
        nonce = form.text.split('name="nonce" value="', 1)[1].split('"', 1)[0]
        assert len(nonce) >= 16
        bad = await browser.post(
            f"/events/{event.id}/message",
            {"subject": "", "body": "Bring <notes>", "nonce": nonce},
        )
        assert bad.status_code == 422
        assert "Write a subject for your message." in text_of(bad)
        assert 'id="error-subject"' in bad.text and 'aria-invalid="true"' in bad.text
        assert "Bring &lt;notes&gt;</textarea>" in bad.text
        assert f'name="nonce" value="{nonce}"' in bad.text
        assert await OutboxMessage.filter(template="events/message").count() == 0
        values = {"subject": "Reading", "body": "Chapter 3, please.", "nonce": nonce}
        sent = await browser.post(f"/events/{event.id}/message", values)
        assert sent.status_code == 303 and sent.headers["location"] == f"/events/{event.id}"
        assert "Your message is on its way to 2 members." in text_of(
            await browser.get(sent.headers["location"])
        )
        again = await browser.post(f"/events/{event.id}/message", values)  # a double submit
        assert again.status_code == 303
    messages = await OutboxMessage.filter(template="events/message")
    assert sorted(m.to_address for m in messages) == sorted(str(p.email) for p in people)


async def test_attendee_page_query_count_does_not_grow(
    app: Starlette, count_queries: QueryCounter
) -> None:
    facilitator = await make_member(email="aq@example.org")
    group: Group = await make_group(facilitator=facilitator)
    small = await make_event(group, facilitator, title="Small")
    large = await make_event(group, facilitator, title="Large")
    for number in range(30):
        person = await make_member()
        await add_member(group, person)
        await service.rsvp(actor=person, event_id=large.id)
        if number < 3:
            await service.rsvp(actor=person, event_id=small.id)
    clock.freeze(small.starts_at)
    async with open_browser(app) as browser:
        await browser.login("aq@example.org", PASSWORD)
        counts = []
        for event in (small, large):
            count_queries.queries.clear()
            response = await browser.get(f"/events/{event.id}/attendees")
            assert response.status_code == 200
            counts.append(list(count_queries.queries))
        assert response.text.count('name="attended"') == 30
    assert len(counts[0]) == len(counts[1]), counts
