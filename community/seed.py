"""Demo content for a new site: believable members with social-service profiles, groups
with facilitators, members and a waiting request, and discussions, all made through the real
actions, and upcoming and past learning events with RSVPs and a waitlist.
"""

from __future__ import annotations

import io
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PIL import Image, ImageDraw

from community import clock
from community.accounts.models import (
    DEFAULT_PRACTICE_AREAS,
    Member,
    MemberPracticeArea,
    PracticeArea,
    Profession,
    ProfileVisibility,
)
from community.accounts.passwords import hash_password
from community.accounts.service import assign_handle
from community.db import transaction
from community.events import attendance
from community.events import service as events
from community.events.models import Event, Rsvp, RsvpStatus
from community.events.schemas import EventForm, SeriesForm
from community.forum import service as forum
from community.forum.models import Post, ReactionKind
from community.forum.schemas import NewPost, NewThread
from community.groups import service as groups
from community.groups.models import Group, JoinPolicy, Membership
from community.groups.schemas import GroupChanges, GroupForm
from community.media.service import store_image
from community.people.models import Recognition
from community.programmes import service as programmes
from community.programmes.schemas import ProgrammeForm
from community.stories import service as stories
from community.stories.models import Theme
from community.stories.schemas import PieceForm, Submission
from community.text import render_markdown

DEMO_PASSWORD = "practice-together"  # noqa: S105  # the demo accounts' published password
DEMO_DOMAIN = "demo.community.test"

_PEOPLE = [
    ("Aisha Rahman", Profession.SOCIAL_WORKER, "Family Service Centre, Bedok"),
    ("Benjamin Tan", Profession.COUNSELLOR, "Youth Guidance Outreach"),
    ("Chen Mei Ling", Profession.PSYCHOLOGIST, "Community Psychology Hub"),
    ("Daniel Koh", Profession.THERAPIST, "Play Therapy Studio"),
    ("Elena Fernandez", Profession.SPECIAL_EDUCATION_TEACHER, "Rainbow Special School"),
    ("Farah Ismail", Profession.EARLY_INTERVENTION_TEACHER, "EIPIC Centre, Jurong"),
    ("Gopal Krishnan", Profession.SOCIAL_WORK_ASSOCIATE, "Senior Activity Centre, Toa Payoh"),
    ("Hannah Lim", Profession.CHILDCARE_EDUCATOR, "Little Seeds Student Care"),
    ("Irfan Hakim", Profession.SOCIAL_SERVICE_ASSISTANT, "Community Link, Woodlands"),
    ("Jasmine Ong", Profession.SOCIAL_WORKER, "Hospital Medical Social Work"),
    ("Kumar Selvam", Profession.COUNSELLOR, "Addictions Recovery Network"),
    ("Lydia Chua", Profession.PSYCHOLOGIST, "Child Guidance Clinic"),
    ("Marcus Yeo", Profession.SOCIAL_WORKER, "Probation and Community Rehabilitation"),
    ("Nur Aliyah", Profession.THERAPIST, "Speech and Language Therapy Practice"),
    ("Oliver Ng", Profession.SPECIAL_EDUCATION_TEACHER, "Autism Resource School"),
    ("Priya Nair", Profession.COUNSELLOR, "Family Violence Specialist Centre"),
    ("Qistina Rahim", Profession.EARLY_INTERVENTION_TEACHER, "Inclusive Preschool Network"),
    ("Rachel Goh", Profession.SOCIAL_WORKER, "Child Protection Service"),
    ("Samuel Lee", Profession.SOCIAL_WORK_ASSOCIATE, "Grace Family Centre"),
    ("Tan Wei Jie", Profession.PSYCHOLOGIST, "School Psychology Service"),
    ("Usha Pillai", Profession.THERAPIST, "Occupational Therapy for Seniors"),
    ("Vincent Ho", Profession.SOCIAL_SERVICE_ASSISTANT, "Rental Housing Support"),
    ("Wong Li Hua", Profession.CHILDCARE_EDUCATOR, "Sunrise Infant Care"),
    ("Xavier Lim", Profession.COUNSELLOR, "Employee Assistance Programme"),
    ("Yasmin Abdullah", Profession.SOCIAL_WORKER, "Dementia Day Care"),
    ("Zhang Hui", Profession.OTHER, "Volunteer Management, Community Foundation"),
    ("Amir Hamzah", Profession.SOCIAL_WORKER, "Transitional Shelter"),
    ("Bernice Teo", Profession.PSYCHOLOGIST, "Trauma Recovery Clinic"),
    ("Clara Santos", Profession.EARLY_INTERVENTION_TEACHER, "Home-Based Early Intervention"),
    ("Dinesh Menon", Profession.COUNSELLOR, "Grief Support Service"),
]

_BIOS = [
    "I work with families through **crisis and change**, mostly around housing and debt.",
    "Trained in solution-focused brief therapy; interested in *group work* with young people.",
    "I support children with developmental needs and coach their parents at home.",
    "Ten years in hospital social work; now learning about palliative care.",
    "Interested in trauma-informed practice and reflective supervision.",
]

_STORIES = [
    "My grandmother raised five children alone. A social worker helped her keep us together, "
    "and I wanted to be that person for someone else.",
    "I volunteered at a student care centre in university and never left the field.",
    "I saw how a single patient teacher changed my brother's life. That is why I teach.",
    "Every family I meet reminds me that people are more than the worst thing that "
    "happened to them.",
    "I came from engineering. I wanted my work to be about people, not machines.",
]


async def seed_demo() -> str:
    """Fill an empty site with demo members; does nothing if members exist already."""
    if await Member.exists():
        return "the database already has members; no demo content added."
    rng = random.Random(2026)  # the same demo site every time  # noqa: S311
    password_hash = hash_password(DEMO_PASSWORD)
    now = clock.now()
    async with transaction():
        for index, (name, profession, organisation) in enumerate(_PEOPLE):
            bio = rng.choice(_BIOS)
            story = rng.choice(_STORIES)
            member = await Member.create(
                email=f"{name.lower().replace(' ', '.')}@{DEMO_DOMAIN}",
                display_name=name,
                password_hash=password_hash,
                profession=profession,
                organisation=organisation,
                years_in_practice=rng.randint(1, 25),
                bio=bio,
                bio_html=render_markdown(bio),
                story=story,
                story_html=render_markdown(story),
                is_admin=index == 0,
                verified_at=now,
                created_at=now - timedelta(days=rng.randint(30, 700)),
            )
            await assign_handle(member)
    await _seed_profiles(rng)
    group_count = await _seed_groups(rng)
    thread_count = await _seed_threads(rng)
    event_count = await _seed_events(rng)
    await _seed_stories()
    first = _PEOPLE[0][0].lower().replace(" ", ".")
    return (
        f"added {len(_PEOPLE)} demo members, {group_count} groups, {thread_count} "
        f"discussions, {event_count} events, a weekly series of 6 sessions, 2 programmes and "
        f"{len(_PIECES)} stories. Sign in as "
        f"{first}@{DEMO_DOMAIN} (an admin) or any other, password {DEMO_PASSWORD!r}."
    )


async def _seed_profiles(rng: random.Random) -> None:
    """Practice areas for every demo member, a few choices of who sees their profile, and a
    few recognitions (current and past) from the admin."""
    if not await PracticeArea.exists():  # a site whose admins removed them all, or tests
        for position, name in enumerate(DEFAULT_PRACTICE_AREAS):
            await PracticeArea.create(name=name, position=position, created_at=clock.now())
    areas = [area.id for area in await PracticeArea.all().order_by("position")]
    members = await Member.all().order_by("id")
    admin = members[0]
    today = clock.now().date()
    visibilities = [ProfileVisibility.EVERYONE, ProfileVisibility.GROUPS, ProfileVisibility.ADMINS]
    async with transaction():
        for index, member in enumerate(members):
            if areas:
                chosen = rng.sample(areas, k=min(len(areas), rng.randint(1, 3)))
                await MemberPracticeArea.bulk_create(
                    [MemberPracticeArea(member_id=member.id, area_id=area) for area in chosen]
                )
            if 2 <= index < 2 + len(visibilities) * 3 and index % 3 == 0:
                member.profile_visibility = visibilities[(index // 3) % len(visibilities)]
                await member.save(update_fields=["profile_visibility"])
        for member, title, starts, ends in (
            (
                members[1],
                "Social Service Fellow",
                date(today.year - 1, 1, 1),
                date(today.year + 2, 12, 31),
            ),
            (members[2], "Mentor", date(today.year - 2, 7, 1), None),
            (members[3], "Facilitator", date(today.year - 4, 1, 1), date(today.year - 2, 12, 31)),
            (
                members[4],
                "Social Service Fellow",
                date(today.year, 1, 1),
                date(today.year + 3, 12, 31),
            ),
        ):
            await Recognition.create(
                member_id=member.id,
                title=title,
                starts_on=starts,
                ends_on=ends,
                granted_by_id=admin.id,
                created_at=clock.now(),
            )


_GROUPS = [
    ("Child Protection Practice Circle", "request", "public", 17,
     "A community of practice for **child protection** workers: case dilemmas, safety "
     "planning, working with families under statutory orders.\n\nMeets online on the "
     "first Tuesday of each month."),
    ("Early Intervention Educators", "open", "public", 5,
     "Early intervention and special education teachers sharing strategies for "
     "*inclusive classrooms*, family coaching and developmental screening."),
    ("Counsellors' Reflective Practice", "open", "public", 1,
     "Peer reflection for counsellors and therapists: bring a session that stayed with "
     "you. Confidentiality is our first rule."),
    ("Hospice and Grief Support Fellowship", "request", "private", 29,
     "A private fellowship for those accompanying the dying and the bereaved. Members "
     "only: ask to join with a short note about your work."),
    ("New Social Workers Network", "open", "public", 9,
     "For social workers in their first three years of practice: supervision questions, "
     "self-care and career paths."),
]  # fmt: skip


async def _seed_groups(rng: random.Random) -> int:
    """Groups made through the real actions: created, joined, requested."""
    members = list(await Member.all().order_by("id"))
    admin = members[0]
    for name, policy, visibility, facilitator_index, description in _GROUPS:
        group = await groups.create_group(
            actor=admin,
            form=GroupForm.from_form(
                {
                    "name": name,
                    "description": description,
                    "join_policy": "open",
                    "visibility": visibility,
                }
            ),
            facilitator_id=members[facilitator_index].id,
        )
        for member in rng.sample(members[1:], k=rng.randint(6, 14)):
            await groups.join_group(actor=member, slug=group.slug)
        if policy == "request":  # admits by request from now on; one person is waiting
            await groups.update_group(
                actor=admin,
                slug=group.slug,
                changes=GroupChanges(join_policy=JoinPolicy(policy)),
            )
            for waiting in reversed(members):
                if not await _is_member(group.id, waiting):
                    await groups.join_group(
                        actor=waiting, slug=group.slug, message="I would love to learn with you."
                    )
                    break
    return len(_GROUPS)


async def _is_member(group_id: int, member: Member) -> bool:
    return await Membership.filter(group_id=group_id, member_id=member.id).exists()


_THREADS = [
    ("Safety planning when the parent minimises risk",
     "I am working with a mother who says her partner's violence \"was only once\". How do you "
     "keep safety planning *collaborative* without colluding with minimisation?",
     ["We start from what she already does to keep the children safe. Naming her strengths "
      "first makes the harder conversation possible.",
      "A scaling question helps: *on a scale of 0 to 10, how safe do the children feel?* It moves "
      "the talk from her view to the children's.",
      "Agree with both. Also document her words exactly; supervisors and courts read "
      "those notes."]),
    ("Visual schedules that actually get used",
     "Our classroom schedule is on the wall but the children ignore it. What has worked for you?",
     ["Make it portable: a strip on each table, and let the child move the card when done.",
      "Photos of *our* room, not clip art. Recognition went up immediately."]),
    ("Self-care that is not a bubble bath",
     "After a week of three crisis calls I realised my \"self-care\" advice to others is hollow. "
     "What do you actually do?",
     ["Peer supervision every fortnight, protected in the calendar like a client session.",
      "I walk home instead of taking the bus. Twenty minutes of transition helps me leave "
      "work at work.",
      "Honest answer: I am still learning. Thank you for asking it out loud."]),
    ("Reading list for new hospice volunteers",
     "What would you give a new volunteer to read before their first vigil?",
     ["*Being Mortal* by Atul Gawande, and the local guide on cultural rites at the end of life."]),
]  # fmt: skip


async def _seed_threads(rng: random.Random) -> int:
    """Discussions with replies, a quote, reactions and a mention, made through the actions."""
    group_ids = await Group.all().order_by("id").values_list("id", flat=True)
    for index, (title, body, replies) in enumerate(_THREADS):
        group = await Group.get(id=group_ids[index % len(group_ids)])
        people = list(await Member.filter(memberships__group_id=group.id).order_by("id"))
        author = people[index % len(people)]
        thread = await forum.start_thread(
            actor=author, slug=group.slug, form=NewThread(title=title, body=body)
        )
        opening = await Post.get(thread_id=thread.id, number=1)
        for number, text in enumerate(replies):
            writer = people[(index + number + 1) % len(people)]
            if number == 1 and writer.id != author.id:
                text = f"@{author.handle} {text}"
            post = await forum.reply(
                actor=writer,
                thread_id=thread.id,
                form=NewPost(body=text, quote_post_id=opening.id if number == 2 else None),
            )
            for reactor in rng.sample(people, k=min(3, len(people))):
                if reactor.id != writer.id:
                    await forum.react(
                        actor=reactor, post_id=post.id, kind=rng.choice(list(ReactionKind))
                    )
    return len(_THREADS)


_EVENTS = [
    # (group index or None for site-wide, title, kind, days from now, hours, capacity, cpd)
    (0, "Safety planning with families: a practice workshop", "workshop", 9, 3, 20, "3"),
    (1, "Inclusive classrooms: visual supports clinic", "talk", 16, 2, 8, "2"),
    (None, "Annual social service practice forum", "cet", 30, 6, None, "6"),
    (2, "Reflective practice circle (last month)", "networking", -20, 2, 12, "1.5"),
    (None, "Ethics in everyday practice: CET refresher", "cet", -45, 3, None, "3"),
    (0, "Case conferences that work", "course", -70, 4, 15, "4"),
]


async def _past_attendance(
    rng: random.Random, event: Event, people: list[Member], start: datetime, capacity: int | None
) -> None:
    """Who went to a past event, as its facilitator marked it (RSVPs to it are closed now,
    so they are written as they stood then)."""
    going = rng.sample(people, k=min(len(people), capacity or 12))
    for offset, person in enumerate(going):
        await Rsvp.create(
            event_id=event.id,
            member_id=person.id,
            status=RsvpStatus.GOING,
            answered_at=start - timedelta(days=10) + timedelta(minutes=offset),
            attended=rng.random() < 0.85,
            attendance_marked_at=start + timedelta(hours=3),
        )
    await Event.filter(id=event.id).update(seats_taken=len(going))


async def _seed_events(rng: random.Random) -> int:
    """Upcoming and past events with RSVPs, made through the actions."""
    all_groups = list(await Group.all().order_by("id"))
    admin = await Member.filter(is_admin=True).order_by("id").first()
    assert admin is not None  # noqa: S101  # the seed made one
    zone = ZoneInfo("Asia/Singapore")
    today = clock.now().astimezone(zone).replace(hour=19, minute=0, second=0, microsecond=0)
    for group_index, title, kind, days, hours, capacity, cpd in _EVENTS:
        group = all_groups[group_index] if group_index is not None else None
        start = today + timedelta(days=days)
        if group is not None:
            facilitator = await Member.filter(
                memberships__group_id=group.id, memberships__role="facilitator"
            ).first()
        else:
            facilitator = admin
        assert facilitator is not None  # noqa: S101  # every group has one
        form = EventForm.from_form(
            {
                "title": title,
                "kind": kind,
                "description": "Bring a case or a question. Tea and kueh provided.",
                "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
                "ends_at": (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
                "time_zone": "Asia/Singapore",
                "venue": "Social Service Hub, 340 Jalan Sejarah, Level 3",
                "online_url": "https://meet.example.org/community-demo",
                "capacity": "" if capacity is None else str(capacity),
                "cpd_hours": cpd,
            }
        )
        event = await events.create_event(
            actor=facilitator, slug=group.slug if group else None, form=form
        )
        people = list(
            await (
                Member.filter(memberships__group_id=group.id) if group else Member.all()
            ).order_by("id")
        )
        if days < 0:
            await _past_attendance(rng, event, people, start, capacity)
            continue
        for person in rng.sample(people, k=min(len(people), (capacity or 12) + 2)):
            await events.rsvp(actor=person, event_id=event.id)
    await _seed_series(rng, all_groups[0], today + timedelta(days=3))
    await _seed_programmes(rng, all_groups[0], today)
    return len(_EVENTS)


async def _seed_series(rng: random.Random, group: Group, start: datetime) -> None:
    """A weekly series of six sessions in the first group, some of its members going."""
    facilitator = await Member.filter(
        memberships__group_id=group.id, memberships__role="facilitator"
    ).first()
    assert facilitator is not None  # noqa: S101  # every group has one
    first = start.replace(minute=30)
    form = SeriesForm.from_form(
        {
            "title": "Reflective practice circle",
            "kind": "course",
            "description": "Six evenings of structured reflection on our own cases, in pairs "
            "and as a group. Come to as many as you can.",
            "starts_at": first.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (first + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "Asia/Singapore",
            "venue": "Social Service Hub, 340 Jalan Sejarah, Level 3, Room 2",
            "capacity": "14",
            "cpd_hours": "2",
            "repeat": "weekly",
            "sessions": "6",
        }
    )
    series = await events.create_series(actor=facilitator, slug=group.slug, form=form)
    people = list(await Member.filter(memberships__group_id=group.id).order_by("id"))
    sessions = await Event.filter(series_id=series.id).order_by("series_index")
    for person in rng.sample(people, k=min(len(people), 8)):
        for session in sessions[: rng.randint(2, 6)]:
            await events.rsvp(actor=person, event_id=session.id)


def _programme_form(title: str, first: datetime, summary: str, capacity: int) -> ProgrammeForm:
    return ProgrammeForm.from_form(
        {
            "title": title,
            "kind": "cet",
            "description": summary,
            "starts_at": first.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (first + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "Asia/Singapore",
            "venue": "Social Service Institute, Level 5, Training Room 2",
            "repeat": "weekly",
            "sessions": "6",
            "provider": "Social Service Institute",
            "professions": ["social_worker", "counsellor", "social_work_associate"],
            "capacity": str(capacity),
            "cpd_hours": "12",
            "min_attended": "5",
        }
    )


async def _seed_programmes(rng: random.Random, group: Group, today: datetime) -> None:
    """Two six-week CET programmes in the first group: one that ended last month, through
    the real actions on the clock as it was then (so its members completed it and hold
    certificates), and one open for enrolment."""
    facilitator = await Member.filter(
        memberships__group_id=group.id, memberships__role="facilitator"
    ).first()
    assert facilitator is not None  # noqa: S101  # every group has one
    people = list(await Member.filter(memberships__group_id=group.id).order_by("id"))
    first = today - timedelta(weeks=9)
    with clock.back_at(first - timedelta(days=14)):
        past = await programmes.create_programme(
            actor=facilitator,
            slug=group.slug,
            form=_programme_form(
                "Foundations of trauma-informed practice",
                first,
                "Six evenings on trauma-informed work with children and families: safety, "
                "trust, choice, collaboration and empowerment in everyday casework.",
                16,
            ),
        )
        learners = [person for person in people if person.id != facilitator.id][:6]
        for person in learners:
            await programmes.enrol(actor=person, programme_id=past.id)
    sessions = await Event.filter(programme_session__programme_id=past.id).order_by("starts_at")
    for index, session in enumerate(sessions):
        with clock.back_at(session.starts_at + timedelta(hours=2)):
            # the first two came to every session; the others missed one or two
            came = {
                person.id
                for number, person in enumerate(learners)
                if number < 2 or rng.random() < 0.7 or index == 0
            }
            await attendance.record_attendance(
                actor=facilitator, event_id=session.id, attended_ids=came
            )
    upcoming = await programmes.create_programme(
        actor=facilitator,
        slug=group.slug,
        form=_programme_form(
            "Supervision skills for new supervisors",
            today + timedelta(days=12),
            "Six weeks on reflective supervision: contracting, feedback, and supporting "
            "practitioners through difficult cases.",
            12,
        ),
    )
    for person in people[:4]:
        if person.id != facilitator.id:
            await programmes.enrol(actor=person, programme_id=upcoming.id)


#: (author's index, kind, title, summary, body, themes, where it ends up)
_PIECES = [
    (
        1,
        "story",
        "The homework club that stayed",
        "A void-deck homework club became the place families come first when things go wrong.",
        "It began with six children and a folding table.\n\nThree years on, the club is where "
        "parents ask for help first, before the crisis. We learned to **stay**: the same "
        "volunteers, the same evenings, the same table.",
        ["Working with families", "Community partnerships"],
        "picked",
    ),
    (
        2,
        "profile",
        "A day in early intervention",
        "Home visits, play, and the paperwork in between.",
        "I start at eight with a home visit. Most of my work is watching a child play and "
        "helping a parent see what I see.\n\nWhat keeps me here: the first word, the first step.",
        ["Inclusion"],
        "published",
    ),
    (
        3,
        "story",
        "Supervision that changed how we close cases",
        "Group supervision made our case closures safer, and our team braver.",
        "We moved from closing cases alone to closing them together, once a month.",
        ["Supervision and learning"],
        "published",
    ),
    (
        4,
        "profile",
        "Why I stayed in youth work",
        "Twelve years with young people, and what I would tell my first-year self.",
        "Listen first. Then listen again.",
        ["Self-care and resilience"],
        "submitted",
    ),
    (
        5,
        "story",
        "A referral pathway across three agencies",
        "How three agencies agreed on one referral form.",
        "It took eleven meetings and one shared spreadsheet.",
        ["Collaboration across agencies"],
        "approved",
    ),
]


def _cover_png() -> bytes:
    """A soft two-colour picture for the first story's cover (made here: no file to ship)."""

    picture = Image.new("RGB", (1200, 675), (232, 242, 238))
    draw = ImageDraw.Draw(picture)
    for step in range(12):
        draw.ellipse(
            (80 + step * 85, 220 + (step % 3) * 60, 220 + step * 85, 360 + (step % 3) * 60),
            fill=(40 + step * 12, 110 + step * 6, 100),
        )
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


async def _seed_stories() -> None:
    """Stories and worker profiles in every state an editor meets, through the actions."""
    members = list(await Member.all().order_by("id"))
    admin = members[0]
    themes = {theme.name: theme.id for theme in await Theme.all()}
    for index, kind, title, summary, body, theme_names, ends in _PIECES:
        author = members[index]
        form = PieceForm.from_json(
            {
                "kind": kind,
                "title": title,
                "summary": summary,
                "body": body,
                "themes": [themes[name] for name in theme_names if name in themes],
            }
        )
        piece = await stories.create_piece(actor=author, form=form)
        if ends == "picked":
            image = await store_image(actor=author, data=_cover_png(), field="cover")
            await stories.set_cover(
                actor=author, piece_id=piece.id, image=image, alt="Coloured circles in a row"
            )
        consent = Submission.from_json({"basis": "consented", "named": True})
        await stories.submit_piece(actor=author, piece_id=piece.id, submission=consent)
        if ends == "submitted":
            continue
        await stories.approve_piece(actor=admin, piece_id=piece.id)
        if ends == "approved":
            continue
        await stories.publish_piece(actor=admin, piece_id=piece.id)
        if ends == "picked":
            await stories.pick_piece(actor=admin, piece_id=piece.id, picked=True)
