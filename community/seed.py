"""Demo content for a new site: believable members with social-service profiles.

Later features (groups, forums, events) add their own demo content here.
"""

from __future__ import annotations

import random
from datetime import timedelta

from tortoise.transactions import in_transaction

from community import clock
from community.accounts.models import Member, Profession
from community.accounts.passwords import hash_password
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
    async with in_transaction():
        for index, (name, profession, organisation) in enumerate(_PEOPLE):
            bio = rng.choice(_BIOS)
            story = rng.choice(_STORIES)
            await Member.create(
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
    first = _PEOPLE[0][0].lower().replace(" ", ".")
    return (
        f"added {len(_PEOPLE)} demo members. Sign in as {first}@{DEMO_DOMAIN} (an admin) "
        f"or any other, password {DEMO_PASSWORD!r}."
    )
