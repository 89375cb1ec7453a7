"""Test data built through the real service functions."""

from __future__ import annotations

import itertools
import re

from community import clock
from community.accounts import service
from community.accounts.models import Member
from community.accounts.schemas import Registration
from community.events import service as events_service
from community.events.models import Event
from community.events.schemas import EventForm
from community.forum import service as forum_service
from community.forum.models import Post, Thread
from community.forum.schemas import NewPost, NewThread
from community.groups import service as groups_service
from community.groups.models import Group, JoinRequest
from community.groups.schemas import GroupForm
from community.mail.models import OutboxMessage
from community.notifications.delivery import send_pending_emails
from community.notifications.models import Notification
from community.notifications.service import coalesce_window
from tests import dates

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


async def emails_to(address: str, template: str | None = None) -> list[OutboxMessage]:
    query = OutboxMessage.filter(to_address=address.lower())
    if template is not None:
        query = query.filter(template=template)
    return list(await query.order_by("id"))


def link_in(message: OutboxMessage) -> str:
    """The first link to the site in a message, as a local path with its query."""
    match = re.search(r"https://community\.test(/\S+)", message.text_body)
    assert match, message.text_body
    return match.group(1)


async def make_member(
    *,
    email: str | None = None,
    name: str | None = None,
    password: str = PASSWORD,
    verified: bool = True,
    admin: bool = False,
) -> Member:
    """Register (and verify, through the emailed link) a member."""
    number = next(_numbers)
    email = email or f"member{number}@example.org"
    member = await service.register(
        form=Registration(
            email=email.lower(), display_name=name or f"Member {number}", password=password
        )
    )
    assert member is not None
    if verified:
        message = (await emails_to(email))[-1]
        token = link_in(message).split("token=", 1)[1]
        member = await service.verify_email(token=token)
    if admin:
        member = await service.create_admin(email=email)
    return await Member.get(id=member.id)


async def make_group(
    *,
    admin: Member | None = None,
    name: str | None = None,
    policy: str = "open",
    visibility: str = "public",
    facilitator: Member | None = None,
) -> Group:
    """Create a group through the admin action (making an admin if none is given)."""
    number = next(_numbers)
    admin = admin or await make_member(admin=True)
    return await groups_service.create_group(
        actor=admin,
        form=GroupForm.from_form(
            {
                "name": name or f"Group {number}",
                "description": f"About group {number}.",
                "join_policy": policy,
                "visibility": visibility,
            }
        ),
        facilitator_id=facilitator.id if facilitator else None,
    )


async def bulk_members(count: int) -> list[Member]:
    """Many verified members at once, straight into the table (for concurrency tests)."""
    now = clock.now()
    numbers = [next(_numbers) for _ in range(count)]
    await Member.bulk_create(
        [
            Member(
                email=f"bulk{number}@example.org",
                display_name=f"Bulk member {number}",
                handle=f"bulk{number}",
                verified_at=now,
                created_at=now,
            )
            for number in numbers
        ]
    )
    return list(await Member.filter(handle__in=[f"bulk{n}" for n in numbers]).order_by("id"))


async def deliver_notification_emails() -> int:
    """Let the coalescing window pass and run the notification email job."""
    clock.advance(coalesce_window())
    return await send_pending_emails()


async def notified(email: str, kind: str | None = None) -> list[Notification]:
    """The notifications of the member with this email, oldest first."""
    query = Notification.filter(member__email=email)
    if kind is not None:
        query = query.filter(kind=kind)
    return list(await query.order_by("id"))


async def add_member(group: Group, member: Member) -> None:
    """Bring the member into the group the way its policy allows (approving a request)."""
    outcome = await groups_service.join_group(actor=member, slug=group.slug)
    if outcome == "requested":
        facilitator = await Member.filter(
            memberships__group_id=group.id, memberships__role="facilitator"
        ).first()
        request = await JoinRequest.get(group_id=group.id, member_id=member.id)
        await groups_service.approve_join_request(
            actor=facilitator, slug=group.slug, request_id=request.id
        )


async def make_thread(
    group: Group, author: Member, *, title: str = "A question of practice", body: str = ""
) -> Thread:
    """Start a thread through the real action (each with its own opening words unless given:
    the same thread sent twice within a minute would be one thread)."""
    body = body or f"Hello ({next(_numbers)})."
    return await forum_service.start_thread(
        actor=author, slug=group.slug, form=NewThread(title=title, body=body)
    )


async def make_reply(thread: Thread, author: Member, body: str = "") -> Post:
    """A reply through the real action (its own words unless given: see make_thread)."""
    body = body or f"A reply ({next(_numbers)})."
    return await forum_service.reply(actor=author, thread_id=thread.id, form=NewPost(body=body))


async def make_event(
    group: Group | None,
    actor: Member,
    *,
    capacity: int | None = None,
    starts: str = "",
    ends: str = "",
    deadline: str = "",
    title: str = "Trauma-informed supervision",
    zone: str = "Asia/Singapore",
    kind: str = "workshop",
) -> Event:
    """Schedule an event through the real action (times in `zone`; by default 19:00 to 21:00
    eight days from today, by the clock: 1 December at the suite's default START)."""
    starts = starts or dates.field(dates.day(8, "19:00", zone))
    ends = ends or dates.field(dates.day(8, "21:00", zone))
    form = EventForm.from_form(
        {
            "title": title,
            "kind": kind,
            "starts_at": starts,
            "ends_at": ends,
            "time_zone": zone,
            "venue": "NCSS Hub, Level 3",
            "online_url": "https://meet.example.org/abc",
            "capacity": "" if capacity is None else str(capacity),
            "rsvp_deadline": deadline,
            "cpd_hours": "1.5",
        }
    )
    return await events_service.create_event(
        actor=actor, slug=group.slug if group else None, form=form
    )
