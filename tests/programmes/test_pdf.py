"""The certificate PDF: one A4 landscape page that says who completed what, when, how many
hours, who issued it and where to check it; any name drawn, a long title wrapped."""

from __future__ import annotations

import io
import logging
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from community.programmes.pdf import (
    BOLD,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    REGULAR,
    CertificateText,
    certificate_pdf,
)

SAMPLE = CertificateText(
    member_name="Aisha Rahman",
    programme_title="Foundations of trauma-informed practice",
    hours="12",
    first_day=date(2027, 1, 5),
    last_day=date(2027, 2, 9),
    issuer="Social Service Institute",
    issued_on=date(2027, 2, 10),
    code="ABCDE-FGHJK-LMNPQ-RSTUV",
    verify_url="https://community.test/certificates/ABCDE-FGHJK-LMNPQ-RSTUV",
)


def words(pdf: bytes) -> str:
    """The page's text as pypdf extracts it, whitespace collapsed."""
    return " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())


def width(text: str, font: str, size: float) -> float:
    """How wide reportlab measures the text in a font named as the PDF names it."""
    name = font.lstrip("/").split("+")[-1]
    registered = {"NotoSerif-Regular": REGULAR, "NotoSerif-Bold": BOLD}.get(name, name)
    return pdfmetrics.stringWidth(text, registered, size)


def drawn(pdf: bytes) -> list[tuple[str, float, float, str, float]]:
    """Each piece of text drawn: (text, x, y, font, size)."""
    pieces: list[tuple[str, float, float, str, float]] = []

    def seen(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        if text.strip() and isinstance(font, dict):
            pieces.append((text, tm[4], tm[5], str(font["/BaseFont"]), size))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=seen)
    return pieces


def test_certificate_pdf_is_one_a4_landscape_page() -> None:
    pdf = certificate_pdf(SAMPLE)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_certificate_pdf_says_who_what_when_and_where_to_check_it() -> None:
    said = words(certificate_pdf(SAMPLE))
    assert said == (
        "Certificate of completion"
        " This certifies that Aisha Rahman completed the programme"
        " Foundations of trauma-informed practice"
        " 12 CET/CPD hours, 5 January 2027 to 9 February 2027"
        " Issued by Social Service Institute Issued on 10 February 2027"
        " Verify this certificate at https://community.test/certificates/ABCDE-FGHJK-LMNPQ-RSTUV"
        " — code ABCDE-FGHJK-LMNPQ-RSTUV"
    )


def test_certificate_pdf_of_one_day_and_one_hour_says_so() -> None:
    one_day = replace(SAMPLE, hours="1", last_day=SAMPLE.first_day)
    assert "1 CET/CPD hour, 5 January 2027 Issued by" in words(certificate_pdf(one_day))


def test_certificate_pdf_sets_the_metadata() -> None:
    metadata = PdfReader(io.BytesIO(certificate_pdf(SAMPLE))).metadata
    assert metadata is not None
    assert metadata.title == "Certificate of completion: Foundations of trauma-informed practice"
    assert metadata.author == "Social Service Institute"
    assert metadata.subject == ("Aisha Rahman completed Foundations of trauma-informed practice")


def test_certificate_pdf_embeds_its_latin_fonts() -> None:
    pdf = certificate_pdf(SAMPLE)
    fonts = {font for _, _, _, font, _ in drawn(pdf)}
    assert fonts == {"/AAAAAA+NotoSerif-Bold", "/AAAAAA+NotoSerif-Regular"}
    assert b"/FontFile2" in pdf
    assert b"Helvetica" not in pdf


@pytest.mark.parametrize(
    "name", ["Zoë Ó Briain", "Nguyễn Thị Hoa", "Łukasz Wąsik", "Αλεξάνδρα Παπαδοπούλου", "Ирина"]
)
def test_certificate_pdf_with_an_accented_name_writes_it_as_it_is(name: str) -> None:
    pdf = certificate_pdf(replace(SAMPLE, member_name=name))
    assert f"This certifies that {name} completed" in words(pdf)


def test_certificate_pdf_with_decomposed_accents_writes_the_composed_letters() -> None:
    pdf = certificate_pdf(replace(SAMPLE, member_name="Nguye\u0302\u0303n"))  # e + ^ + ~
    assert "This certifies that Nguyễn completed" in words(pdf)


def test_certificate_pdf_with_a_chinese_name_writes_it_in_a_cjk_font() -> None:
    pdf = certificate_pdf(replace(SAMPLE, member_name="Tan Wei Ling 陈慧玲"))
    assert "Tan Wei Ling 陈慧玲" in words(pdf)
    assert ("陈慧玲", "/STSong-Light") in {(text, font) for text, _, _, font, _ in drawn(pdf)}


@pytest.mark.parametrize(
    ("name", "font"),
    [("山田 はなこ", "/HeiseiMin-W3"), ("김민지", "/HYSMyeongJo-Medium")],
)
def test_certificate_pdf_with_a_japanese_or_korean_name_uses_its_font(name: str, font: str) -> None:
    pdf = certificate_pdf(replace(SAMPLE, member_name=name))
    assert name in words(pdf)
    assert {font} == {f for text, _, _, f, _ in drawn(pdf) if text.strip() in name.split()}


def test_certificate_pdf_with_a_character_no_font_has_draws_a_question_mark(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="community.programmes.pdf"):
        pdf = certificate_pdf(replace(SAMPLE, member_name="Priya 🎓"))
    assert "This certifies that Priya ? completed" in words(pdf)
    assert caplog.messages == [
        "certificate ABCDE-FGHJK-LMNPQ-RSTUV: characters drawn as ? for want of a font: 1"
    ]


def test_certificate_pdf_with_a_300_character_title_wraps_it_within_the_page() -> None:
    title = " ".join(["Reflective supervision in child protection practice"] * 6)[:300]
    pdf = certificate_pdf(replace(SAMPLE, programme_title=title))
    lines = [piece for piece in drawn(pdf) if piece[0].strip() in title]
    assert " ".join(text.strip() for text, *_ in lines) == title
    assert len({y for _, _, y, _, _ in lines}) == len(lines) >= 3
    for text, x, y, _, size in lines:
        assert x >= 15 * mm
        assert x + width(text, BOLD, size) <= PAGE_WIDTH - 15 * mm
        assert 15 * mm < y < PAGE_HEIGHT - 15 * mm
    assert "12 CET/CPD hours" in words(pdf)  # the rest of the page is still there


def test_certificate_pdf_with_a_long_name_and_issuer_keeps_every_line_on_the_page() -> None:
    long = replace(
        SAMPLE,
        member_name="Wolfeschlegelsteinhausenbergerdorff Adaeze Okonkwo " * 4,
        programme_title="儿童保护实践中的反思性督导与创伤知情照护基础课程" * 4,
        issuer="Social Service Institute of the Republic of Singapore " * 2,
    )
    pieces = drawn(certificate_pdf(long))
    assert len(pieces) > 10
    for text, x, y, font, size in pieces:
        assert x >= 15 * mm, text
        assert x + width(text, font, size) <= PAGE_WIDTH - 15 * mm, text
        assert 15 * mm < y < PAGE_HEIGHT - 15 * mm, text
