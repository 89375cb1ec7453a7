"""The bulk seeder: content of a given size whose counters all agree with its rows."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from community.accounts import service
from community.accounts.models import Member, MemberPracticeArea
from community.accounts.schemas import Credentials, Registration
from community.events.models import Event, Rsvp
from community.forum.models import Post, Thread
from community.groups.models import Group, Membership
from community.people.models import Recognition
from community.seed_bulk import PASSWORD, Size, seed_bulk

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_bulk_content_is_consistent(database: None) -> None:
    output = io.StringIO()
    summary = await seed_bulk(Size(members=60, groups=6, threads=40, posts=1200, events=12),
                              stream=output)  # fmt: skip
    assert "added 60 members, 6 groups" in summary and "1,200 posts" in summary
    assert "2 recognitions" in summary  # one member in forty, from the second
    assert "posts" in output.getvalue()  # the progress lines
    assert await Member.all().count() == 60
    threads = {t.id: t for t in await Thread.all()}
    assert sum(t.post_count for t in threads.values()) == await Post.all().count() == 1200
    numbers: dict[int, list[int]] = {}
    for thread_id, number in await Post.all().values_list("thread_id", "number"):
        numbers.setdefault(thread_id, []).append(number)
    for thread_id, seen in numbers.items():
        assert sorted(seen) == list(range(1, threads[thread_id].post_count + 1))
    longest = max(t.post_count for t in threads.values())
    assert longest >= 1200 // 2 - 40  # one long thread, for deep pages
    members_of = Counter(m.group_id for m in await Membership.all())  # type: ignore[attr-defined]
    for group in await Group.all():
        assert group.member_count == members_of[group.id]
        assert await Membership.filter(group_id=group.id, role="facilitator").exists()
    for event in await Event.all():
        going = await Rsvp.filter(event_id=event.id, status="going").count()
        assert event.seats_taken == going
        assert event.capacity is None or going <= event.capacity
    # everyone has one to three practice areas, and the directory's fields are filled
    chosen = Counter(a.member_id for a in await MemberPracticeArea.all())
    assert set(chosen) == {m.id for m in await Member.all()}
    assert all(1 <= count <= 3 for count in chosen.values())
    assert await Recognition.all().count() == 2
    # the admin can sign in, and new rows continue after the seeded ids
    admin = await service.check_credentials(
        Credentials(email="admin@bulk.community.test", password=PASSWORD)
    )
    assert admin.is_admin
    newcomer = await service.register(
        form=Registration(
            email="new@example.org", display_name="New", password="a newcomer of practice"
        )
    )
    assert newcomer is not None and newcomer.id > 60  # no clash with a seeded id


async def test_bulk_seed_refuses_a_site_with_members(database: None) -> None:
    await seed_bulk(Size(members=3, groups=1, threads=1, posts=1, events=0), stream=io.StringIO())
    again = await seed_bulk(Size(members=3, groups=1, threads=1, posts=1, events=0))
    assert "already has members" in again
    assert await Member.all().count() == 3


async def test_impossible_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="posts >= threads"):
        Size(members=1, groups=1, threads=10, posts=5, events=0).check()
