"""The member directory: search, filters, orders, pages, the chart, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from starlette.applications import Starlette

from community import clock
from community.accounts.models import Member, MemberPracticeArea, PracticeArea
from community.people.models import Recognition
from tests.api.helpers import ApiClient, error_of, token_for
from tests.conftest import QueryCounter, open_browser, text_of
from tests.factories import PASSWORD, add_member, make_group, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def _area(name: str, position: int = 0) -> PracticeArea:
    area, _ = await PracticeArea.get_or_create(
        name=name, defaults={"position": position, "created_at": clock.now()}
    )
    return area


async def _person(
    name: str,
    *,
    profession: str | None = None,
    organisation: str = "",
    years: int | None = None,
    areas: tuple[PracticeArea, ...] = (),
) -> Member:
    email = name.split()[0].lower() if name.startswith("Vera") else name.lower().replace(" ", ".")
    member = await make_member(email=f"{email}@example.org", name=name)
    await Member.filter(id=member.id).update(
        profession=profession, organisation=organisation, years_in_practice=years
    )
    for area in areas:
        await MemberPracticeArea.create(member_id=member.id, area_id=area.id)
    return await Member.get(id=member.id)


async def _recognise(
    member: Member, title: str, by: Member, *, days_ago: int = 30, ended: bool = False
) -> None:
    today = clock.now().date()
    await Recognition.create(
        member_id=member.id,
        title=title,
        starts_on=today - timedelta(days=days_ago),
        ends_on=today - timedelta(days=1) if ended else None,
        granted_by_id=by.id,
        created_at=clock.now(),
    )


async def _names(api: ApiClient, **params: object) -> list[str]:
    response = await api.get("/members", **params)
    assert response.status_code == 200, response.text
    return [item["display_name"] for item in response.json()["items"]]


async def test_search_and_filters(api: ApiClient) -> None:
    protection = await _area("Child protection")
    ageing = await _area("Ageing", 1)
    viewer = await _person("Vera Viewer")
    await _person(
        "Ama Mensah",
        profession="social_worker",
        organisation="Northside Family Service",
        years=3,
        areas=(protection,),
    )
    await _person(
        "Ben Okafor",
        profession="counsellor",
        organisation="Harbour Hospice",
        years=12,
        areas=(ageing,),
    )
    cara = await _person(
        "Cara Lim",
        profession="social_worker",
        organisation="Harbour Hospice",
        years=25,
        areas=(protection, ageing),
    )
    group = await make_group(name="Circle", facilitator=cara)
    await add_member(group, viewer)
    await Recognition.create(
        member_id=cara.id,
        title="Social Service Fellow",
        starts_on=clock.now().date() - timedelta(days=30),
        ends_on=None,
        granted_by_id=viewer.id,
        created_at=clock.now(),
    )
    ended = await _person("Dan Past")
    await _recognise(ended, "Mentor", viewer, days_ago=900, ended=True)
    member_api = api.as_(await token_for(viewer))
    assert await _names(member_api, q="cara") == ["Cara Lim"]
    assert await _names(member_api, q=f"@{cara.handle}") == ["Cara Lim"]
    assert await _names(member_api, profession="social_worker") == ["Ama Mensah", "Cara Lim"]
    assert await _names(member_api, area=protection.id) == ["Ama Mensah", "Cara Lim"]
    assert await _names(member_api, organisation="harbour") == ["Ben Okafor", "Cara Lim"]
    assert await _names(member_api, years_min=10, years_max=20) == ["Ben Okafor"]
    assert await _names(member_api, years_min=10) == ["Ben Okafor", "Cara Lim"]
    assert await _names(member_api, recognition="social service fellow") == ["Cara Lim"]
    assert await _names(member_api, recognition="Mentor") == []  # the term has ended
    assert await _names(member_api, shared="true") == ["Cara Lim"]
    both = await _names(member_api, area=ageing.id, profession="social_worker")
    assert both == ["Cara Lim"]
    found = (await member_api.get("/members", area=protection.id)).json()
    assert {c["profession"]: c["count"] for c in found["by_profession"]} == {"social_worker": 2}
    cara_answer = next(i for i in found["items"] if i["display_name"] == "Cara Lim")
    assert cara_answer["practice_areas"] == ["Child protection", "Ageing"]
    assert [r["title"] for r in cara_answer["recognitions"]] == ["Social Service Fellow"]


async def test_pages_by_name_and_by_recent_activity(api: ApiClient) -> None:
    viewer = await _person("Vera Viewer")
    people = [await _person(f"Person {n:02d}") for n in range(25)]
    now = clock.now()
    for n, person in enumerate(people):
        await Member.filter(id=person.id).update(last_seen_at=now - timedelta(minutes=n))
    await Member.filter(id=viewer.id).update(last_seen_at=now - timedelta(days=1))
    member_api = api.as_(await token_for(viewer))
    for sort, expected in (
        ("name", sorted(p.display_name for p in [*people, viewer])),
        ("active", [p.display_name for p in people] + ["Vera Viewer"]),
    ):
        seen: list[str] = []
        cursor = None
        while True:
            page = (await member_api.get("/members", sort=sort, limit=10, cursor=cursor)).json()
            seen += [item["display_name"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == expected
    assert len(await _names(member_api, cursor="not-a-cursor", limit=100)) == 26


async def test_bad_input_gets_a_clear_message(app: Starlette, api: ApiClient) -> None:
    viewer = await _person("Vera Viewer")
    member_api = api.as_(await token_for(viewer))
    cases = {
        "area": {"area": "999999"},
        "years_max": {"years_min": "20", "years_max": "5"},
        "q": {"q": "x" * 10_000},
        "profession": {"profession": "astronaut"},
        "sort": {"sort": "shoe size"},
        "years_min": {"years_min": "-3"},
    }
    for field, params in cases.items():
        response = await member_api.get("/members", **params)
        assert response.status_code == 422, (field, response.text)
        assert field in error_of(response)["fields"], (field, response.json())
    async with open_browser(app) as browser:
        await browser.login("vera@example.org", PASSWORD)
        page = await browser.get("/members?years_min=20&years_max=5")
        assert page.status_code == 422
        assert "The most years cannot be fewer than the fewest." in text_of(page)
        page = await browser.get("/members?area=999999")
        assert page.status_code == 422
        assert "There is no such practice area" in text_of(page)
        page = await browser.get("/members?q=" + "x" * 10_000)
        assert page.status_code == 422 and "at most 100 characters" in text_of(page)


async def test_the_chart_reads_as_text(app: Starlette) -> None:
    await _person("Vera Viewer", profession="counsellor")
    await _person("Ama Mensah", profession="social_worker")
    await _person("Cara Lim", profession="social_worker")
    async with open_browser(app) as browser:
        await browser.login("vera@example.org", PASSWORD)
        page = await browser.get("/members")
        assert "<svg" in page.text and 'role="img"' in page.text
        assert "Social worker: 2; Counsellor: 1" in page.text  # the description
        svg = page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
        assert ">Social worker</text>" in svg and ">2</text>" in svg and ">1</text>" in svg


async def test_directory_query_count_is_fixed(app: Starlette, count_queries: QueryCounter) -> None:
    area = await _area("Youth")
    await _person("Vera Viewer")
    counts = []
    async with open_browser(app) as browser:
        await browser.login("vera@example.org", PASSWORD)
        for batch in range(2):
            for n in range(5 * batch, 5 * batch + 8):
                person = await _person(f"Quinn {batch}{n}", areas=(area,))
                await _recognise(person, "Mentor", person, days_ago=0)
            count_queries.queries.clear()
            assert (await browser.get("/members")).status_code == 200
            counts.append(len(count_queries.queries))
    # the session (1), the directory's version (1), the areas (1), the page (1), its people's
    # areas (1) and recognitions (1), the counts by profession (1), the recognitions to filter
    # by (1); each new member moved the version, so the second page was computed afresh
    assert counts == [8, 8], count_queries.queries


async def test_a_kept_directory_page_costs_two_queries_and_is_never_stale(
    app: Starlette, count_queries: QueryCounter
) -> None:
    area = await _area("Youth")
    viewer = await _person("Vera Viewer")
    async with open_browser(app) as browser:
        await browser.login("vera@example.org", PASSWORD)
        first = await browser.get("/members")
        count_queries.queries.clear()
        again = await browser.get("/members")
        # the session and the directory's version: the page itself was kept
        assert len(count_queries.queries) == 2, count_queries.queries
        head = '<div class="page-head">'
        assert again.text.split(head, 1)[1] == first.text.split(head, 1)[1]
        # every change the directory shows moves its version: each shows at once
        ama = await _person("Ama Mensah", profession="social_worker")
        assert "Ama Mensah" in text_of(await browser.get("/members"))
        await browser.post(
            "/settings/profile",
            {
                "display_name": "Vera Viewer",
                "practice_areas_shown": "1",
                "practice_areas": str(area.id),
            },
        )
        page = await browser.get(f"/members?area={area.id}")
        assert "Vera Viewer" in text_of(page)
        group = await make_group(admin=await make_member(admin=True), name="Circle")
        await Member.filter(id=ama.id).update(profile_visibility="groups")
        await add_member(group, viewer)  # a membership moves it too
        assert "Ama Mensah" not in text_of(await browser.get("/members?shared=1"))
        await add_member(group, ama)
        assert "Ama Mensah" in text_of(await browser.get("/members?shared=1"))


async def test_accounts_not_yet_verified_are_listed_nowhere(app: Starlette, api: ApiClient) -> None:
    admin = await make_member(admin=True, email="ada@example.org", name="Ada Admin")
    pending = await make_member(name="Pat Pending", verified=False)
    await Member.filter(id__in=[admin.id, pending.id]).update(profile_visibility="everyone")
    for token in (None, await token_for(admin)):
        names = [
            item["display_name"] for item in (await api.as_(token).get("/members")).json()["items"]
        ]
        assert "Ada Admin" in names and "Pat Pending" not in names
    async with open_browser(app) as browser:
        assert "Pat Pending" not in text_of(await browser.get("/members"))
        assert (await browser.get(f"/members/{pending.id}")).status_code == 404
        await browser.login("ada@example.org", PASSWORD)
        assert "Pat Pending" not in text_of(await browser.get("/members"))
        assert (await browser.get(f"/members/{pending.id}")).status_code == 200  # admins see all
