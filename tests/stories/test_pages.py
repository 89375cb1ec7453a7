"""The stories pages: writing, the guard's warning, submitting with consent, the editors'
review, reading, the feed, covers, and who sees what."""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree as ET

import pytest
from PIL import Image as PilImage
from starlette.applications import Starlette

from community.accounts.models import Member
from community.media.models import Image
from community.stories import service
from community.stories.models import Piece, PieceState
from community.stories.schemas import PieceForm, Submission
from tests.conftest import open_browser, text_of
from tests.factories import PASSWORD, make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

STORY = {
    "kind": "story",
    "title": "A carers' circle",
    "summary": "How a weekly group for young carers grew.",
    "body": "We started small.\n\nCall the family on 9123 4567 after school.",
}


def piece_id_of(location: str) -> int:
    match = re.search(r"/stories/(\d+)", location)
    assert match, location
    return int(match.group(1))


async def make_editor(email: str) -> Member:
    admin = await make_member(admin=True)
    member = await make_member(email=email)
    return await service.set_editor(actor=admin, member_id=member.id, editor=True)


async def test_the_whole_review_from_the_pages(app: Starlette) -> None:
    await make_member(email="writer@example.org", name="Wren Writer")
    await make_editor("editor@example.org")
    async with open_browser(app) as writer:
        await writer.login("writer@example.org", PASSWORD)
        bad = await writer.post("/stories/new", {**STORY, "title": "", "themes": "999999"})
        assert bad.status_code == 422
        assert "Give it a title." in text_of(bad)
        assert "How a weekly group for young carers grew." in bad.text  # kept
        created = await writer.post("/stories/new", STORY)
        assert created.status_code == 303
        piece_id = piece_id_of(created.headers["location"])
        page = await writer.get(f"/stories/{piece_id}")
        # the guard's warning shows the phone number in place, before any submission
        assert '<mark class="finding" title="phone number">9123 4567' in page.text
        refused = await writer.post(
            f"/stories/{piece_id}/submit", {"basis": "de_identified", "named": "true"}
        )
        assert refused.status_code == 422
        assert "1 possible client detail" in text_of(refused)
        assert (await Piece.get(id=piece_id)).state == PieceState.DRAFT
        # the writer takes the number out, and submits
        fixed = await writer.post(
            f"/stories/{piece_id}/edit", {**STORY, "body": "We started small, and grew."}
        )
        assert fixed.status_code == 303
        assert "finding" not in (await writer.get(f"/stories/{piece_id}")).text
        sent = await writer.post(
            f"/stories/{piece_id}/submit", {"basis": "de_identified", "named": "true"}
        )
        assert sent.status_code == 303
    async with open_browser(app) as editor:
        await editor.login("editor@example.org", PASSWORD)
        queue = text_of(await editor.get("/stories/review"))
        assert "A carers' circle" in queue
        no_message = await editor.post(f"/stories/{piece_id}/request-changes", {"message": ""})
        assert no_message.status_code == 422
        asked = await editor.post(
            f"/stories/{piece_id}/request-changes", {"message": "Say how it grew."}
        )
        assert asked.status_code == 303
    async with open_browser(app) as writer:
        await writer.login("writer@example.org", PASSWORD)
        page = text_of(await writer.get(f"/stories/{piece_id}"))
        assert "Changes requested" in page and "Say how it grew." in page
        await writer.post(f"/stories/{piece_id}/edit", {**STORY, "body": "It grew to forty."})
        again = await writer.post(
            f"/stories/{piece_id}/submit",
            {"basis": "consented", "named": "false", "shown_as": "a youth worker"},
        )
        assert again.status_code == 303
    async with open_browser(app) as editor:
        await editor.login("editor@example.org", PASSWORD)
        assert (await editor.post(f"/stories/{piece_id}/approve")).status_code == 303
        past = await editor.post(f"/stories/{piece_id}/publish", {"publish_at": "2000-01-01T09:00"})
        assert past.status_code == 422
        assert "Choose a time to come" in text_of(past)
        assert (await editor.post(f"/stories/{piece_id}/publish", {})).status_code == 303
    async with open_browser(app) as visitor:
        page = await visitor.get(f"/stories/{piece_id}")
        assert page.status_code == 200
        text = text_of(page)
        assert "It grew to forty." in text and "a youth worker" in text
        assert "Wren Writer" not in text  # shown as they chose
        assert "History" not in text and "Consent" not in text
        assert '<meta property="og:title" content="A carers&#39; circle">' in page.text
        listing = text_of(await visitor.get("/stories"))
        assert "A carers' circle" in listing
        found = text_of(await visitor.get("/search", params={"q": "carers"}))
        assert "A carers' circle" in found
        feed = await visitor.get("/stories/feed.atom")
        assert feed.headers["content-type"].startswith("application/atom+xml")
        document = ET.fromstring(feed.content)  # noqa: S314  # our own feed
        entries = document.findall("{http://www.w3.org/2005/Atom}entry")
        assert [e.findtext("{http://www.w3.org/2005/Atom}title") for e in entries] == [
            "A carers' circle"
        ]


@pytest.mark.parametrize("viewer", ["visitor", "member", "editor"])
async def test_a_draft_is_a_404_to_all_but_its_author(app: Starlette, viewer: str) -> None:
    author = await make_member(email="author@example.org")
    piece = await service.create_piece(
        actor=author, form=PieceForm.from_json({**STORY, "body": "Draft."})
    )
    if viewer == "member":
        await make_member(email="viewer@example.org")
    elif viewer == "editor":
        await make_editor("viewer@example.org")
    async with open_browser(app) as browser:
        if viewer != "visitor":
            await browser.login("viewer@example.org", PASSWORD)
        assert (await browser.get(f"/stories/{piece.id}")).status_code == 404
        assert "A carers" not in text_of(await browser.get("/stories"))
        assert "A carers" not in text_of(await browser.get("/search", params={"q": "carers"}))
        assert "A carers" not in (await browser.get("/stories/feed.atom")).text


async def test_a_member_cannot_review(app: Starlette) -> None:
    author = await make_member()
    piece = await service.create_piece(
        actor=author, form=PieceForm.from_json({**STORY, "body": "Fine."})
    )
    await service.submit_piece(
        actor=author,
        piece_id=piece.id,
        submission=Submission.from_json({"basis": "de_identified", "named": True}),
    )
    await make_member(email="nosy@example.org")
    async with open_browser(app) as browser:
        await browser.login("nosy@example.org", PASSWORD)
        assert (await browser.get(f"/stories/{piece.id}")).status_code == 404
        assert (await browser.post(f"/stories/{piece.id}/approve")).status_code == 403
        assert (await browser.get("/stories/review")).status_code == 403
    assert (await Piece.get(id=piece.id)).state == PieceState.SUBMITTED


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    PilImage.new("RGB", size, (200, 80, 40)).save(out, "PNG")
    return out.getvalue()


async def test_a_cover_image_is_uploaded_and_served(app: Starlette) -> None:
    await make_member(email="writer@example.org")
    async with open_browser(app) as writer:
        await writer.login("writer@example.org", PASSWORD)
        created = await writer.post("/stories/new", {**STORY, "body": "Text."})
        piece_id = piece_id_of(created.headers["location"])
        token = writer.client.cookies.get("community_csrf")
        action = f"/stories/{piece_id}/cover?csrf_token={token}"
        zipped = await writer.client.post(
            action,
            data={"cover_alt": "A zip"},
            files={"cover": ("cover.png", b"PK\x03\x04" + b"\0" * 100, "image/png")},
        )
        assert zipped.status_code == 422
        assert "Choose a JPEG, PNG or WebP image" in text_of(zipped)
        assert await Image.all().count() == 0
        saved = await writer.client.post(
            action,
            data={"cover_alt": "A red square"},
            files={"cover": ("cover.png", png_bytes(), "image/png")},
        )
        assert saved.status_code == 303
    image = await Image.get()
    assert (await Piece.get(id=piece_id)).cover_id == image.id
    async with open_browser(app) as visitor:
        served = await visitor.get(f"/media/{image.key}.png")
        assert served.status_code == 200
        assert served.headers["content-type"] == "image/png"
        assert "immutable" in served.headers["cache-control"]
        assert (await visitor.get(f"/media/{image.key}.jpeg")).status_code == 404
        again = await visitor.get(
            f"/media/{image.key}.png", headers={"If-None-Match": served.headers["etag"]}
        )
        assert again.status_code == 304


async def test_a_cover_of_several_megabytes_is_taken_and_one_over_five_is_not(
    app: Starlette,
) -> None:
    await make_member(email="writer@example.org")
    async with open_browser(app) as writer:
        await writer.login("writer@example.org", PASSWORD)
        created = await writer.post("/stories/new", {**STORY, "body": "Text."})
        piece_id = piece_id_of(created.headers["location"])
        action = (
            f"/stories/{piece_id}/cover?csrf_token={writer.client.cookies.get('community_csrf')}"
        )
        noisy = io.BytesIO()
        PilImage.effect_noise((1400, 1400), 90).convert("RGB").save(noisy, "BMP")
        big_png = io.BytesIO()
        PilImage.open(noisy).save(big_png, "PNG")
        assert 1_500_000 < len(big_png.getvalue()) < 5_000_000
        taken = await writer.client.post(
            action,
            data={"cover_alt": "Noise"},
            files={"cover": ("noise.png", big_png.getvalue(), "image/png")},
        )
        assert taken.status_code == 303, text_of(taken)
        refused = await writer.client.post(
            action,
            data={"cover_alt": "Too big"},
            files={"cover": ("big.png", b"\0" * (7 * 1024 * 1024), "image/png")},
        )
        assert refused.status_code == 413
        assert "over 5 MB" in text_of(refused)
    assert (await Piece.get(id=piece_id)).body == "Text."  # the draft is kept
