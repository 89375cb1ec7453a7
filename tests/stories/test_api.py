"""The stories API: the same review as the pages, each refusal a clear 4xx changing nothing,
and the bad inputs of #20 (an image too big, a zip called PNG, a 30,000-pixel square, a
publish time past, an unknown theme) answered without losing the draft."""

from __future__ import annotations

import io
import zlib
from struct import pack

import pytest
from PIL import Image as PilImage

from community.accounts.models import Member
from community.media.models import Image
from community.stories import service
from community.stories.models import Piece, PieceState, Transition
from community.stories.schemas import PieceForm, Submission
from tests.api.helpers import ApiClient, error_of, token_for
from tests.factories import make_member

pytestmark = pytest.mark.asyncio(loop_scope="session")

STORY = {
    "kind": "profile",
    "title": "A day in early intervention",
    "summary": "Home visits, play and paperwork.",
    "body": "I start at eight with a home visit.",
}


async def as_member(api: ApiClient, member: Member) -> ApiClient:
    return api.as_(await token_for(member))


async def editor_client(api: ApiClient) -> ApiClient:
    admin = await make_member(admin=True)
    member = await make_member()
    answer = await (await as_member(api, admin)).put(
        f"/members/{member.id}/editor", {"editor": True}
    )
    assert answer.status_code == 200 and answer.json() == {"member_id": member.id, "editor": True}
    return await as_member(api, await Member.get(id=member.id))


async def test_write_submit_review_publish(api: ApiClient) -> None:
    author = await as_member(api, await make_member())
    editor = await editor_client(api)
    created = await author.post("/stories", {**STORY, "body": "Reach me on 9123 4567."})
    assert created.status_code == 201, created.text
    piece = created.json()
    assert piece["state"] == "draft"
    assert piece["findings"] == [{"kind": "phone", "text": "9123 4567"}]
    piece_id = piece["id"]
    assert (await api.get(f"/stories/{piece_id}")).status_code == 404  # a visitor
    assert (await editor.get(f"/stories/{piece_id}")).status_code == 404  # a draft
    refused = await author.post(
        f"/stories/{piece_id}/submit", {"basis": "de_identified", "named": True}
    )
    assert refused.status_code == 422
    assert "confirm_findings" in error_of(refused)["fields"]
    sent = await author.post(
        f"/stories/{piece_id}/submit",
        {"basis": "de_identified", "named": True, "confirm_findings": True},
    )
    assert sent.status_code == 200 and sent.json()["state"] == "submitted"
    assert sent.json()["findings_confirmed"] is True
    [record] = sent.json()["consents"]
    assert record["wording"].startswith("No client, family or other person can be identified")
    queue = await editor.get("/stories/review")
    assert [p["id"] for p in queue.json()["submitted"]] == [piece_id]
    assert (await editor.post(f"/stories/{piece_id}/approve", {})).json()["state"] == "approved"
    past = await editor.post(f"/stories/{piece_id}/publish", {"publish_at": "2001-01-01T00:00"})
    assert past.status_code == 422 and "publish_at" in error_of(past)["fields"]
    done = await editor.post(f"/stories/{piece_id}/publish", {})
    assert done.json()["state"] == "published"
    public = await api.get(f"/stories/{piece_id}")
    assert public.status_code == 200
    assert public.json()["history"] == [] and public.json()["consents"] == []
    assert public.json()["findings"] == []
    listed = await api.get("/stories", kind="profile")
    assert [p["id"] for p in listed.json()["items"]] == [piece_id]
    assert (await api.get("/stories", kind="story")).json()["items"] == []
    searched = await api.get("/stories", q="home visit")
    assert [p["id"] for p in searched.json()["items"]] == [piece_id]
    assert (await api.get("/stories", q="x" * 101)).status_code == 422
    history = (await author.get(f"/stories/{piece_id}")).json()["history"]
    assert [step["action"] for step in history] == ["submit", "approve", "publish"]


async def test_refusals_change_nothing(api: ApiClient) -> None:
    writer = await make_member()
    author = await as_member(api, writer)
    other = await as_member(api, await make_member())
    piece_id = (await author.post("/stories", STORY)).json()["id"]
    unknown = await author.put(f"/stories/{piece_id}", {**STORY, "themes": [987654]})
    assert unknown.status_code == 422
    assert error_of(unknown)["fields"] == {
        "themes": "There is no such theme: choose themes from the list."
    }
    assert (await other.put(f"/stories/{piece_id}", STORY)).status_code == 404
    assert (await other.post(f"/stories/{piece_id}/approve", {})).status_code == 403
    assert (await api.post(f"/stories/{piece_id}/approve", {})).status_code == 401
    assert (await author.post(f"/stories/{piece_id}/withdraw")).status_code == 409
    not_admin = await other.put(f"/members/{writer.id}/editor", {"editor": True})
    assert not_admin.status_code == 403
    stored = await Piece.get(id=piece_id)
    assert stored.state == PieceState.DRAFT and stored.title == STORY["title"]
    assert not await Transition.exists()
    assert not (await Member.get(id=writer.id)).is_editor


async def test_two_editors_deciding_at_once_one_is_told(api: ApiClient) -> None:
    author = await as_member(api, await make_member())
    first, second = await editor_client(api), await editor_client(api)
    piece_id = (await author.post("/stories", STORY)).json()["id"]
    await author.post(f"/stories/{piece_id}/submit", {"basis": "consented", "named": True})
    assert (await first.post(f"/stories/{piece_id}/approve", {})).status_code == 200
    late = await second.post(f"/stories/{piece_id}/approve", {})
    assert late.status_code == 409
    assert "cannot be approved" in error_of(late)["message"]


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares its size and holds one tiny compressed row: a decompression bomb
    in a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data))

    header = pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0"))
        + chunk(b"IEND", b"")
    )


def _jpeg_with_gps() -> bytes:
    image = PilImage.new("RGB", (2400, 1200), (10, 120, 200))
    exif = PilImage.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (1.0, 21.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


async def test_cover_images_bad_and_good(api: ApiClient) -> None:
    author = await as_member(api, await make_member())
    piece_id = (await author.post("/stories", STORY)).json()["id"]
    path = f"/api/v1/stories/{piece_id}/cover"
    headers = {"Authorization": f"Bearer {author.token}", "Content-Type": "image/png"}

    async def upload(data: bytes, alt: str | None = "A cover") -> object:
        params = {"alt": alt} if alt is not None else {}
        return await api.client.put(path, content=data, headers=headers, params=params)

    too_big = await upload(b"\0" * (20 * 1024 * 1024))
    assert too_big.status_code == 413  # type: ignore[attr-defined]
    assert "over 5 MB" in too_big.json()["error"]["message"]  # type: ignore[attr-defined]
    zipped = await upload(b"PK\x03\x04" + b"\0" * 200)
    assert zipped.status_code == 422  # type: ignore[attr-defined]
    assert "not one" in zipped.json()["error"]["fields"]["cover"]  # type: ignore[attr-defined]
    bomb = await upload(_png_header(30_000, 30_000))
    assert bomb.status_code == 422  # type: ignore[attr-defined]
    assert "at most 40 million pixels" in bomb.json()["error"]["fields"]["cover"]  # type: ignore[attr-defined]
    wide = await upload(_png_header(9_000, 9_000))  # past our limit, within Pillow's
    assert "9,000 \u00d7 9,000 pixels" in wide.json()["error"]["fields"]["cover"]  # type: ignore[attr-defined]
    no_alt = await upload(_jpeg_with_gps(), alt=None)
    assert no_alt.status_code == 422  # type: ignore[attr-defined]
    assert await Image.all().count() == 0
    stored = await Piece.get(id=piece_id)
    assert stored.body == STORY["body"] and stored.cover_id is None  # the draft is untouched
    saved = await upload(_jpeg_with_gps())
    assert saved.status_code == 200  # type: ignore[attr-defined]
    cover = saved.json()["cover"]  # type: ignore[attr-defined]
    assert cover["width"] == 1600 and cover["height"] == 800 and cover["alt"] == "A cover"
    image = await Image.get()
    kept = PilImage.open(io.BytesIO(bytes(image.data)))
    assert kept.format == "JPEG" and not kept.getexif()  # no camera, no GPS
    served = await api.client.get(cover["url"])
    assert served.content == bytes(image.data)
    removed = await author.delete(f"/stories/{piece_id}/cover")
    assert removed.status_code == 200 and removed.json()["cover"] is None


async def test_publish_is_refused_while_findings_are_unconfirmed(api: ApiClient) -> None:
    author_member = await make_member()
    editor = await editor_client(api)
    piece = await service.create_piece(actor=author_member, form=PieceForm.from_json(STORY))
    await service.submit_piece(
        actor=author_member,
        piece_id=piece.id,
        submission=Submission.from_json({"basis": "consented", "named": True}),
    )
    await editor.post(f"/stories/{piece.id}/approve", {})
    # a state the steps never leave (found, not confirmed): written directly
    await Piece.filter(id=piece.id).update(findings=[{"kind": "email", "text": "a@b.sg"}])
    refused = await editor.post(f"/stories/{piece.id}/publish", {})
    assert refused.status_code == 409
    assert (await Piece.get(id=piece.id)).state == PieceState.APPROVED
