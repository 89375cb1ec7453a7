"""The certificate PDF: one A4 landscape page that says who completed what, when, how many
hours, who issued it and where to check it; any name drawn, a long title wrapped."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from community.programmes.pdf import PAGE_WIDTH, CertificateText, certificate_pdf


def text(**overrides: object) -> CertificateText:
    values: dict[str, object] = {
        "member_name": "Aisha Rahman",
        "programme_title": "Foundations of trauma-informed practice",
        "hours": "12",
        "first_day": date(2027, 1, 5),
        "last_day": date(2027, 2, 9),
        "issuer": "Social Service Institute",
        "issued_on": date(2027, 2, 9),
        "code": "ABCDE-FGHJK-LMNPQ-RSTUV",
        "verify_url": "https://community.test/certificates/ABCDE-FGHJK-LMNPQ-RSTUV",
    }
    values.update(overrides)
    return CertificateText(**values)  # type: ignore[arg-type]


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, " ".join(reader.pages[0].extract_text().split())


def test_the_certificate_says_who_what_when_and_where_to_check_it() -> None:
    pdf = certificate_pdf(text())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    reader, words = read(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)  # landscape
    for said in (
        "CERTIFICATE OF COMPLETION",
        "Aisha Rahman",
        "Foundations of trauma-informed practice",
        "12 CET/CPD hours",
        "5 January 2027 to 9 February 2027",
        "Issued by Social Service Institute on 9 February 2027",
        "https://community.test/certificates/ABCDE-FGHJK-LMNPQ-RSTUV",
        "Code ABCDE-FGHJK-LMNPQ-RSTUV",
    ):
        assert said in words, said
    assert reader.metadata is not None
    assert (
        reader.metadata.title
        == "Certificate of completion: Foundations of trauma-informed practice"
    )
    assert reader.metadata.author == "Social Service Institute"


def test_names_in_other_scripts_are_written_not_dropped() -> None:
    pdf = certificate_pdf(text(member_name="Zoë Ó Briain 陈慧玲 Nguyễn"))
    _, words = read(pdf)
    assert "Zoë Ó Briain" in words
    assert "陈慧玲" in words  # in the standard Chinese CID font
    assert "Nguyen" in words  # a letter with two accents: its base letter
    assert b"STSong-Light" in pdf


def test_a_long_title_wraps_within_the_page() -> None:
    title = " ".join(["Reflective supervision in child protection practice"] * 6)[:300]
    reader, words = read(certificate_pdf(text(programme_title=title)))
    assert "Reflective supervision" in words
    positions: list[float] = []

    def seen(text: str, cm: object, tm: list[float], font: object, size: float) -> None:
        if text.strip():
            positions.append(tm[4])

    reader.pages[0].extract_text(visitor_text=seen)
    assert positions and min(positions) >= 0 and max(positions) < PAGE_WIDTH
