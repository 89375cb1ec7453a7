"""Every HTML form, sent what hypothesis draws (issue #11): the forms are found by crawling a demo
site as a visitor, an admin, a member and an unverified member, so a new form is fuzzed
without being listed here, and a POST route that no page's form reaches fails the test.

Each form is sent FORM_FUZZ_EXAMPLES times (default 4; e.g. 200 on demand) with values drawn
per field: its own value, text from all of Unicode, numbers far out of range, impossible dates
and times, unknown zones and options, script, 30,000 characters, NUL, or the field left out.
What must hold: never a 5xx; a NUL is a 400; a refusal is a page that says what is wrong (a
422 names the field); the page the site redirects to afterwards opens; and at the end every
page crawled still opens, whatever was stored.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote_plus, urlsplit

import httpx
import pytest
import pytest_asyncio
from asgi_lifespan import LifespanManager
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hyp_seed
from hypothesis import strategies as st
from PIL import Image as PilImage
from starlette.applications import Starlette
from starlette.routing import Match, Route

from community.accounts import service as accounts
from community.accounts.models import Member
from community.accounts.tokens import create_token
from community.app import create_app
from community.events.models import Event
from community.features import FEATURES
from community.forum.models import FlagReason, Post, ReactionKind, Thread
from community.forum.service.flags import flag_post
from community.forum.service.posting import react
from community.groups.models import Group, Membership
from community.groups.service.membership import invite
from community.mail.models import OutboxMessage, OutboxStatus
from community.media.service import store_image
from community.seed import DEMO_PASSWORD, seed_demo
from community.stories import service as stories
from community.stories.models import Piece
from community.stories.schemas import PieceForm, Submission
from tests.conftest import BASE_URL, Browser, make_settings, text_of
from tests.factories import PASSWORD, emails_to, link_in, make_member, make_reply
from tests.web.forms import Field, Form, crawl, start_pages

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _png() -> bytes:
    out = io.BytesIO()
    PilImage.new("RGB", (20, 20), (0, 90, 60)).save(out, "PNG")
    return out.getvalue()


EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "4"))

#: POST routes (by name) with no form on any page, and why (each is tested in its own module)
FORMLESS = {
    "forum:preview": "the Markdown preview that site.js fetches",
    "events:cant_make_it_submit": "the one-click link in a reminder email",
    "notifications:unsubscribe": "RFC 8058 one-click unsubscribe",
}
#: the paths that take uploads, with their larger body limit
UPLOAD_PATHS = [path for feature in FEATURES for path in feature.upload_paths]
#: forms that end the session they are sent from (tested in tests/accounts)
NOT_FUZZED = {"/logout", "/settings/delete"}

SPECIAL = st.sampled_from(
    [
        "", " ", "0", "-1", "1.5", "1e309", "NaN", "-0", "99999999999999999999999999",
        "\uff12\uff10", "\u00b2", "\u0663", "2026-02-30T10:00", "2026-13-01T25:61",
        "0000-00-00", "9999-12-31T23:59",
        "2026-03-08T02:30", "Mars/Olympus_Mons", "UTC", "../../etc/passwd",
        "<script>alert(1)</script>", "javascript:alert(1)", "x" * 30_000, "\u202e\u0301",
        "a\x00b", "%00", "' OR 1=1 --", "[x](javascript:alert(1))", ">" * 5_000,
        "[" * 5_000, "*" * 5_000, "null", "true", "🎉" * 100, "http://", "@", "a@b",
    ]
)  # fmt: skip
TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=300)
#: naive, as a datetime-local field sends them
DATES = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))  # noqa: DTZ001


@dataclass
class Person:
    name: str
    browser: Browser
    email: str = ""
    password: str = ""

    async def sign_in_again(self) -> None:
        """Sign back in if a form ended the session (a password change, say); a visitor
        that a form signed in is signed out again."""
        if self.email and not self.browser.signed_in:
            await self.browser.login(self.email, self.password)
        if not self.email and self.browser.signed_in:
            self.browser.client.cookies.delete("community_session")


@dataclass
class World:
    forms: list[tuple[Person, Form]]
    pages: list[tuple[Person, str]]


@pytest_asyncio.fixture(loop_scope="session")
async def fuzz_app(database: None) -> AsyncIterator[Starlette]:
    """The site with rate limits off: the fuzz signs in and registers far more than 5 times."""
    application = create_app(make_settings(rate_limits=False), manage_orm=False)
    async with LifespanManager(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def world(fuzz_app: Starlette) -> AsyncIterator[World]:
    """The demo site with a little of everything a form acts on, crawled by four people; at
    the end (after the fuzz) every page they opened must still open."""
    async with contextlib.AsyncExitStack() as stack:
        found = await _world(fuzz_app, stack)
        yield found
        for person, page in found.pages:
            await person.sign_in_again()
            response = await person.browser.get(page)
            assert response.status_code < 500, f"{page} as {person.name} after the fuzz"


async def _world(app: Starlette, stack: contextlib.AsyncExitStack) -> World:
    await seed_demo()
    admin = await Member.get(is_admin=True)
    group = await Group.filter(visibility="public").order_by("id").first()
    assert group is not None
    post = (
        await Post.filter(thread__group_id=group.id, number=1)
        .exclude(author_id=admin.id)
        .order_by("id")
        .first()
    )
    assert post is not None
    membership = (
        await Membership.filter(group_id=group.id)
        .exclude(member_id__in=[admin.id, post.author_id])
        .order_by("id")
        .first()
    )
    assert membership is not None
    member = await Member.get(id=membership.member_id)
    await flag_post(actor=member, post_id=post.id, reason=FlagReason.SPAM, details="fuzz")
    await react(actor=member, post_id=post.id, kind=ReactionKind.LIKE)
    await make_reply(await Thread.get(id=post.thread_id), member, "A reply of the member's own")
    joined = await Membership.filter(member_id=member.id).values_list("group_id", flat=True)
    elsewhere = await Group.exclude(id__in=list(joined)).order_by("id").first()
    assert elsewhere is not None
    await invite(actor=admin, slug=elsewhere.slug, email=member.email)
    await invite(actor=admin, slug=elsewhere.slug, email="newcomer@example.org")
    await create_token(member=admin, name="fuzz")
    bystander = (
        await Member.exclude(id__in=[admin.id, member.id, post.author_id]).order_by("-id").first()
    )
    assert bystander is not None
    await accounts.request_password_reset(email=bystander.email)
    await accounts.suspend_member(actor=admin, member_id=bystander.id)
    first_mail = await OutboxMessage.all().order_by("id").first()
    assert first_mail is not None
    await OutboxMessage.filter(id=first_mail.id).update(status=OutboxStatus.FAILED)
    unverified = await make_member(email="unverified@example.org", verified=False)
    # the member's own stories: a draft with a cover (its forms), and one with the editors
    draft = await stories.create_piece(
        actor=member, form=PieceForm.from_json({"kind": "story", "title": "Mine", "body": "B"})
    )
    cover = await store_image(actor=member, data=_png(), field="cover")
    await stories.set_cover(actor=member, piece_id=draft.id, image=cover, alt="A square")
    sent = await stories.create_piece(
        actor=member,
        form=PieceForm.from_json({"kind": "story", "title": "Sent", "summary": "S", "body": "B"}),
    )
    await stories.submit_piece(
        actor=member,
        piece_id=sent.id,
        submission=Submission.from_json({"basis": "consented", "named": True}),
    )

    reset_link = link_in((await emails_to(bystander.email, "accounts/password_reset"))[-1])
    invitation_link = link_in((await emails_to("newcomer@example.org"))[-1])
    events = [f"/events/{event.id}" for event in await Event.all().order_by("id")]
    pieces = [f"/stories/{piece.id}" for piece in await Piece.all().order_by("id")]
    groups = [f"/groups/{g.slug}" for g in await Group.all().order_by("id")]

    async def browser() -> Browser:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        return Browser(await stack.enter_async_context(client))

    visitor = Person("visitor", await browser())
    people = [(visitor, [*start_pages(), reset_link, invitation_link])]
    for name, who, password in (
        ("admin", admin, DEMO_PASSWORD),
        ("member", member, DEMO_PASSWORD),
        ("unverified", unverified, PASSWORD),
    ):
        person = Person(name, await browser(), who.email, password)
        await person.browser.login(who.email, password)
        starts = [
            *start_pages(),
            invitation_link,
            f"/members/{bystander.id}",
            f"/members/{post.author_id}",
        ]
        starts += [f"/threads/{post.thread_id}", *groups]
        starts += [f"{g}/flags" for g in groups] + [f"{e}/attendees" for e in events] + events
        starts += pieces  # each state's forms: a draft's, a submitted piece's, a published one's
        people.append((person, starts))
    forms: dict[tuple[str, str, tuple[str, ...]], tuple[Person, Form]] = {}
    pages: list[tuple[Person, str]] = []
    ours = {admin.id, member.id, unverified.id}
    for person, starts in people:
        found, opened = await crawl(person.browser, starts)
        pages += [(person, page) for page in opened]
        for form in found:
            parts = form.action.split("/")
            if (
                parts[1] == "members"
                and parts[2:3]
                and parts[2].isdigit()
                and int(parts[2]) in ours
            ):
                continue  # suspending the people crawling would end the crawl
            forms.setdefault(form.shape, (person, form))
    return World(list(forms.values()), pages)


def _values(field: Field, options: list[str]) -> st.SearchStrategy[str | None]:
    """What one field may be sent: its own value, something odd, or nothing at all."""
    own = st.just(field.value)
    if field.kind == "submit":
        return own
    if field.name == "csrf_token":
        return own
    odd: list[st.SearchStrategy[str]] = [SPECIAL, TEXT]
    if field.kind in ("number", "hidden"):
        odd.append(st.integers(-(2**70), 2**70).map(str))
    if field.kind in ("datetime-local", "date", "time"):
        odd.append(DATES.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")))
    if field.kind == "email":
        odd.append(st.emails())
    if options:
        odd.append(st.sampled_from(options))
    return st.one_of(own, st.none(), *odd)


@st.composite
def _filled(draw: st.DrawFn, form: Form) -> list[tuple[str, str]]:
    """The pairs a form sends: radio buttons of one name become one choice."""
    pairs: list[tuple[str, str]] = []
    done: set[str] = set()
    for field in form.fields:
        if field.kind == "radio":
            if field.name in done:
                continue
            done.add(field.name)
            group = [f for f in form.fields if f.name == field.name]
            checked = next((f for f in group if f.checked), group[0])
            choice = Field(field.name, "radio", checked.value)
            value = draw(_values(choice, [f.value for f in group]))
        elif field.kind == "checkbox":
            value = draw(_values(field, [field.value]) if field.checked else st.none() | SPECIAL)
        else:
            value = draw(_values(field, field.options))
        if value is not None:
            pairs.append((field.name, value))
    return pairs


async def _send(person: Person, form: Form, pairs: list[tuple[str, str]]) -> None:
    client = person.browser.client
    if form.method == "get":
        # an address past ~64 KB is refused by the HTTP server before the site sees it
        pairs = [(name, value[:2000]) for name, value in pairs]
        response = await client.get(form.action, params=pairs)
    else:
        token = client.cookies.get("community_csrf", "")
        pairs = [(k, token if k == "csrf_token" else v) for k, v in pairs]
        response = await client.post(
            form.action,
            content="&".join(f"{_q(k)}={_q(v)}" for k, v in pairs),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    said = f"{form} as {person.name} with {[(k, v[:80]) for k, v in pairs]}"
    assert response.status_code < 500, f"{response.status_code} from {said}"
    if any("\x00" in value for _, value in pairs):
        assert response.status_code == 400, f"{response.status_code} for a NUL from {said}"
    if 400 <= response.status_code < 500:
        page = text_of(response)
        assert "<h1" in response.text and len(page) > 40, f"a bare refusal from {said}"
        if response.status_code == 422:
            assert 'role="alert"' in response.text or "field-error" in response.text, said
    if response.status_code in (302, 303):
        after = await client.get(response.headers["location"])
        assert after.status_code < 500, f"{after.status_code} after {said}"
    await person.sign_in_again()


def _q(text: str) -> str:
    return quote_plus(text, safe="")


def _route_of(app: Starlette, path: str) -> str | None:
    for route in app.routes:
        if isinstance(route, Route) and route.methods and "POST" in route.methods:
            # a multipart form carries its CSRF token in its action's query
            scope = {"type": "http", "path": urlsplit(path).path, "method": "POST"}
            if route.matches(scope)[0] is Match.FULL:
                return route.name
    return None


def _examples(form: Form, count: int, seed: int) -> list[list[tuple[str, str]]]:
    """`count` sets of values for one form, drawn by hypothesis (no site involved, so this is
    pure drawing: each form gets hypothesis's whole budget for its own fields)."""
    drawn: list[list[tuple[str, str]]] = []

    @hyp_seed(seed)
    @settings(
        max_examples=count,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(_filled(form))
    def collect(pairs: list[tuple[str, str]]) -> None:
        drawn.append(pairs)

    collect()
    return drawn


async def test_every_form_refuses_bad_values_with_a_clear_4xx(world: World) -> None:
    """Each form in turn, each with EXAMPLES sets of values. The site keeps what each one
    stored, so a failure is reported with its seed rather than shrunk: FORM_FUZZ_SEED=N
    sends the same values in the same order again."""
    seed = int(os.environ.get("FORM_FUZZ_SEED") or random.randrange(2**32))
    fuzzed = [(person, form) for person, form in world.forms if form.action not in NOT_FUZZED]
    plans = [(person, form, _examples(form, EXAMPLES, seed)) for person, form in fuzzed]
    for round_ in range(EXAMPLES):
        for person, form, examples in plans:
            if round_ < len(examples):
                try:
                    await _send(person, form, examples[round_])
                except AssertionError as failure:
                    raise AssertionError(f"FORM_FUZZ_SEED={seed}: {failure}") from None


async def test_every_post_route_has_a_form_the_crawl_finds(
    fuzz_app: Starlette, world: World
) -> None:
    posted = {_route_of(fuzz_app, form.action) for _, form in world.forms if form.method == "post"}
    every = {
        route.name
        for route in fuzz_app.routes
        if isinstance(route, Route)
        and route.methods
        and "POST" in route.methods
        and not route.path.startswith("/api/")
    }
    assert every - posted - set(FORMLESS) == set()


async def test_every_post_form_refuses_bad_bytes_and_oversized_bodies(world: World) -> None:
    """Bytes that are not UTF-8 and NUL: a 400 saying nothing was saved; over the body
    limit (1 MB): a 413. For every form, whether or not its handler reads the form."""
    for person, form in world.forms:
        if form.method != "post" or form.action in NOT_FUZZED:
            continue
        client = person.browser.client
        token = client.cookies.get("community_csrf", "")
        names = [f.name for f in form.fields if f.name != "csrf_token"] or ["anything"]
        upload = any(re.fullmatch(p, urlsplit(form.action).path) for p in UPLOAD_PATHS)
        oversized = b"x" * (6_600_000 if upload else 1_100_000)
        for bad in (b"caf%E9", b"%C3", b"a%00b", oversized):
            body = b"csrf_token=" + token.encode() + b"&" + names[0].encode() + b"=" + bad
            response = await client.post(
                form.action,
                content=body,
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
            said = f"{response.status_code} from {form} with {bad[:20]!r}"
            if len(bad) > 1_000_000:
                assert response.status_code == 413, said
                message = "over 5 MB" if upload else "too much to send"
                assert message in text_of(response), said
            else:
                assert response.status_code == 400, said
                assert "Nothing was saved" in text_of(response), said
