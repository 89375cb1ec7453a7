"""Group rules at the domain level."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from community import clock
from community.errors import Conflict, Invalid, NotFound, PermissionDenied
from community.groups import service
from community.groups.models import (
    Group,
    Invitation,
    InvitationStatus,
    JoinRequest,
    Membership,
    RequestStatus,
    Role,
)
from community.groups.schemas import GroupChanges, GroupForm
from tests.factories import (
    add_member,
    deliver_notification_emails,
    emails_to,
    link_in,
    make_group,
    make_member,
    notified,
)

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_create_group_makes_the_first_facilitator(database: None) -> None:
    admin = await make_member(admin=True)
    facilitator = await make_member()
    group = await make_group(admin=admin, name="Family Work Circle", facilitator=facilitator)
    assert group.slug == "family-work-circle"
    assert group.member_count == 1 and group.facilitator_count == 1
    membership = await Membership.get(group_id=group.id)
    assert membership.member_id == facilitator.id and membership.role == Role.FACILITATOR  # type: ignore[attr-defined]


async def test_only_admins_create_groups(database: None) -> None:
    member = await make_member()
    form = GroupForm.from_form({"name": "Case Reviews"})
    with pytest.raises(PermissionDenied):
        await service.create_group(actor=member, form=form)
    assert await Group.all().count() == 0


async def test_slug_must_be_unique(database: None) -> None:
    admin = await make_member(admin=True)
    await make_group(admin=admin, name="Play Therapy")
    with pytest.raises(Invalid) as caught:
        await make_group(admin=admin, name="Play therapy")
    assert caught.value.fields == {"slug": "Another group has this web address. Choose another."}
    assert await Group.all().count() == 1


async def test_join_open_group_twice_is_harmless(database: None) -> None:
    group = await make_group()
    member = await make_member()
    assert await service.join_group(actor=member, slug=group.slug) == "member"
    assert await service.join_group(actor=member, slug=group.slug) == "member"
    assert (await Group.get(id=group.id)).member_count == 2


async def test_unverified_member_cannot_join(database: None) -> None:
    group = await make_group()
    member = await make_member(verified=False)
    with pytest.raises(PermissionDenied, match="verify your email"):
        await service.join_group(actor=member, slug=group.slug)
    assert (await Group.get(id=group.id)).member_count == 1


async def test_concurrent_joins_count_exactly(database: None) -> None:
    group = await make_group()
    members = [await make_member() for _ in range(5)]
    await asyncio.gather(
        *(service.join_group(actor=m, slug=group.slug) for m in members for _ in range(2))
    )
    assert (await Group.get(id=group.id)).member_count == 6
    assert await Membership.filter(group_id=group.id).count() == 6


async def test_request_to_join_emails_the_facilitators(database: None) -> None:
    facilitator = await make_member(email="fac@example.org")
    group = await make_group(policy="request", facilitator=facilitator, name="Grief Support")
    member = await make_member(email="req@example.org", name="Rae")
    outcome = await service.join_group(actor=member, slug=group.slug, message="I work in hospice.")
    assert outcome == "requested"
    assert await service.join_group(actor=member, slug=group.slug) == "requested"  # double
    [notice] = await notified("fac@example.org", "join_request")
    assert notice.title == "Rae asked to join Grief Support"
    assert await deliver_notification_emails() == 1
    [email] = await emails_to("fac@example.org", "notifications/activity")
    assert email.subject == "Rae asked to join Grief Support"
    assert "I work in hospice." in email.text_body
    assert "https://community.test/groups/grief-support/requests" in email.text_body
    assert await JoinRequest.filter(status=RequestStatus.PENDING).count() == 1


async def test_approve_admits_and_emails_once(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(policy="request", facilitator=facilitator)
    member = await make_member(email="ap@example.org")
    await service.join_group(actor=member, slug=group.slug)
    request = await JoinRequest.get()
    await service.approve_join_request(
        actor=facilitator, slug=group.slug, request_id=request.id, message="Welcome, Ap!"
    )
    await service.approve_join_request(actor=facilitator, slug=group.slug, request_id=request.id)
    assert await Membership.filter(group_id=group.id, member_id=member.id).exists()
    assert (await Group.get(id=group.id)).member_count == 2
    [decision] = await notified("ap@example.org", "request_decided")
    assert decision.title.endswith("was approved") and decision.body == "Welcome, Ap!"
    assert await deliver_notification_emails() == 2  # the request, to the facilitator, too
    [email] = await emails_to("ap@example.org", "notifications/activity")
    assert "Welcome, Ap!" in email.text_body
    with pytest.raises(Conflict, match="already approved"):
        await service.decline_join_request(
            actor=facilitator, slug=group.slug, request_id=request.id
        )


async def test_declined_member_may_ask_again(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(policy="request", facilitator=facilitator)
    member = await make_member(email="dc@example.org")
    await service.join_group(actor=member, slug=group.slug, message="first")
    request = await JoinRequest.get()
    await service.decline_join_request(
        actor=facilitator, slug=group.slug, request_id=request.id, message="Full this term."
    )
    [declined] = await notified("dc@example.org", "request_decided")
    assert declined.title.endswith("was declined") and declined.body == "Full this term."
    assert not await Membership.filter(member_id=member.id).exists()
    clock.advance(timedelta(minutes=1))
    await service.join_group(actor=member, slug=group.slug, message="second")
    again = await JoinRequest.get()
    assert again.id == request.id and again.status == RequestStatus.PENDING
    assert again.message == "second"


async def test_approving_another_groups_request_is_not_found(database: None) -> None:
    facilitator = await make_member()
    mine = await make_group(policy="request", facilitator=facilitator)
    other = await make_group(policy="request")
    member = await make_member()
    await service.join_group(actor=member, slug=other.slug)
    request = await JoinRequest.get()
    with pytest.raises(NotFound):
        await service.approve_join_request(actor=facilitator, slug=mine.slug, request_id=request.id)
    assert (await JoinRequest.get()).status == RequestStatus.PENDING


async def test_invitation_only_group_refuses_joins(database: None) -> None:
    group = await make_group(policy="invite")
    member = await make_member()
    with pytest.raises(PermissionDenied, match="invitation only"):
        await service.join_group(actor=member, slug=group.slug)


async def test_invite_an_existing_member_who_accepts(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(policy="invite", facilitator=facilitator, name="Supervisors")
    guest = await make_member(email="guest@example.org")
    invitation = await service.invite(actor=facilitator, slug=group.slug, email="guest@example.org")
    [listed] = await service.list_invitations(actor=guest)
    assert listed.id == invitation.id
    [notice] = await notified("guest@example.org", "invitation")
    assert notice.title.endswith("invited you to join Supervisors")
    assert notice.url == "/invitations"
    assert await deliver_notification_emails() == 1
    [email] = await emails_to("guest@example.org", "notifications/activity")
    assert "invited you to join Supervisors" in email.subject
    assert "https://community.test/invitations" in email.text_body
    joined = await service.accept_invitation(actor=guest, invitation_id=invitation.id)
    assert joined.id == group.id
    assert (await Invitation.get()).status == InvitationStatus.ACCEPTED
    with pytest.raises(NotFound):  # used
        await service.accept_invitation(actor=guest, invitation_id=invitation.id)
    assert (await Group.get(id=group.id)).member_count == 2


async def test_invitation_to_a_new_address_survives_registration(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(policy="invite", facilitator=facilitator)
    await service.invite(actor=facilitator, slug=group.slug, email="New.Person@example.org".lower())
    link = link_in((await emails_to("new.person@example.org"))[-1])
    token = link.rsplit("/", 1)[1]
    found = await service.find_invitation(token=token)
    assert found is not None and found.group.id == group.id  # type: ignore[attr-defined]
    newcomer = await make_member(email="new.person@example.org")
    assert [i.group.id for i in await service.list_invitations(actor=newcomer)] == [group.id]  # type: ignore[attr-defined]
    await service.accept_invitation(actor=newcomer, token=token)
    assert await Membership.filter(group_id=group.id, member_id=newcomer.id).exists()


async def test_invitation_link_works_for_another_address_too(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(policy="invite", facilitator=facilitator)
    await service.invite(actor=facilitator, slug=group.slug, email="work@example.org")
    token = link_in((await emails_to("work@example.org"))[-1]).rsplit("/", 1)[1]
    person = await make_member(email="home@example.org")
    with pytest.raises(NotFound):  # by id only for the invited address
        await service.accept_invitation(actor=person, invitation_id=(await Invitation.get()).id)
    await service.accept_invitation(actor=person, token=token)  # the link proves the invitation
    assert await Membership.filter(group_id=group.id, member_id=person.id).exists()


async def test_invitation_expires_after_two_weeks(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(policy="invite", facilitator=facilitator)
    guest = await make_member(email="late@example.org")
    invitation = await service.invite(actor=facilitator, slug=group.slug, email="late@example.org")
    clock.advance(timedelta(days=14, seconds=1))
    with pytest.raises(NotFound, match="no longer valid"):
        await service.accept_invitation(actor=guest, invitation_id=invitation.id)
    # inviting again renews it
    await service.invite(actor=facilitator, slug=group.slug, email="late@example.org")
    await service.accept_invitation(actor=guest, invitation_id=invitation.id)


async def test_inviting_a_member_is_refused(database: None) -> None:
    facilitator = await make_member(email="f@example.org")
    group = await make_group(facilitator=facilitator)
    with pytest.raises(Invalid) as caught:
        await service.invite(actor=facilitator, slug=group.slug, email="f@example.org")
    assert caught.value.fields == {"email": "f@example.org is already a member of this group."}
    assert await Invitation.all().count() == 0


async def test_group_never_loses_its_last_facilitator(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    with pytest.raises(Conflict, match="at least one facilitator"):
        await service.leave_group(actor=facilitator, slug=group.slug)
    with pytest.raises(Conflict, match="at least one facilitator"):
        await service.remove_facilitator(
            actor=facilitator, slug=group.slug, member_id=facilitator.id
        )
    assert (await Membership.get(member_id=facilitator.id)).role == Role.FACILITATOR
    assert (await Group.get(id=group.id)).facilitator_count == 1


async def test_two_facilitators_stepping_down_at_once_leave_one(database: None) -> None:
    first = await make_member()
    group = await make_group(facilitator=first)
    second = await make_member()
    await add_member(group, second)
    await service.appoint_facilitator(actor=first, slug=group.slug, member_id=second.id)
    results = await asyncio.gather(
        service.remove_facilitator(actor=first, slug=group.slug, member_id=first.id),
        service.remove_facilitator(actor=second, slug=group.slug, member_id=second.id),
        return_exceptions=True,
    )
    assert sum(isinstance(result, Conflict) for result in results) == 1
    assert await Membership.filter(group_id=group.id, role=Role.FACILITATOR).count() == 1
    assert (await Group.get(id=group.id)).facilitator_count == 1


async def test_appoint_and_remove_facilitator(database: None) -> None:
    first = await make_member()
    group = await make_group(facilitator=first)
    second = await make_member()
    await add_member(group, second)
    await service.appoint_facilitator(actor=first, slug=group.slug, member_id=second.id)
    await service.remove_facilitator(actor=second, slug=group.slug, member_id=first.id)
    assert (await Membership.get(member_id=first.id)).role == Role.MEMBER
    await service.leave_group(actor=first, slug=group.slug)
    stored = await Group.get(id=group.id)
    assert stored.member_count == 1 and stored.facilitator_count == 1


async def test_admin_appoints_someone_outside_the_group(database: None) -> None:
    admin = await make_member(admin=True)
    group = await make_group(admin=admin, facilitator=await make_member())
    outsider = await make_member()
    await service.appoint_facilitator(actor=admin, slug=group.slug, member_id=outsider.id)
    membership = await Membership.get(member_id=outsider.id)
    assert membership.role == Role.FACILITATOR
    assert (await Group.get(id=group.id)).facilitator_count == 2


async def test_remove_member(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator)
    member = await make_member()
    await add_member(group, member)
    await service.remove_member(actor=facilitator, slug=group.slug, member_id=member.id)
    assert not await Membership.filter(member_id=member.id).exists()
    assert (await Group.get(id=group.id)).member_count == 1
    with pytest.raises(NotFound):
        await service.remove_member(actor=facilitator, slug=group.slug, member_id=member.id)


async def test_update_group_changes_only_what_is_named(database: None) -> None:
    facilitator = await make_member()
    group = await make_group(facilitator=facilitator, name="Quiet Circle")
    changed = await service.update_group(
        actor=facilitator,
        slug=group.slug,
        changes=GroupChanges.from_form({"visibility": "private", "slug": ""}),
    )
    assert changed.visibility == "private" and changed.join_policy == group.join_policy
    assert (changed.name, changed.slug, changed.description) == (
        group.name, group.slug, group.description,
    )  # fmt: skip
    renamed = await service.update_group(
        actor=facilitator, slug=group.slug, changes=GroupChanges(description="")
    )
    assert renamed.description == "" and renamed.description_html == ""
