"""A certificate as a PDF, drawn with reportlab: A4 landscape, the name large, the programme,
its hours and dates, the issuer, and the code with the address anyone checks it at.

Fonts: reportlab's own Bitstream Vera (embedded, Latin) for what it can draw; Chinese,
Japanese and Korean characters in the standard Adobe CID fonts (STSong-Light, HeiseiMin-W3,
HYSMyeongJo-Medium), which PDF readers supply, so a name such as 陈慧玲 is written, not
dropped. A character neither has (rare: letters with two accents, as in Vietnamese) is
written as its base letter.

CPU-bound: callers run it in a thread.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 22 * mm
INK = (0.11, 0.16, 0.25)
ACCENT = (0.05, 0.42, 0.45)
MUTED = (0.35, 0.38, 0.42)
#: the CID fonts by the scripts they draw
CJK_FONTS = {"zh": "STSong-Light", "ja": "HeiseiMin-W3", "ko": "HYSMyeongJo-Medium"}


@dataclass(frozen=True)
class CertificateText:
    """What a certificate says."""

    member_name: str
    programme_title: str
    #: already formatted: "12", "7.5"
    hours: str
    first_day: date
    last_day: date
    issuer: str
    issued_on: date
    code: str
    #: the absolute address of /certificates/<code>
    verify_url: str


@cache
def _fonts() -> tuple[str, str, frozenset[int]]:
    """The regular and bold Latin fonts (registered once a process) and the characters they
    draw."""
    folder = Path(reportlab.__file__).parent / "fonts"
    regular, bold = TTFont("Vera", folder / "Vera.ttf"), TTFont("VeraBd", folder / "VeraBd.ttf")
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(bold)
    for name in CJK_FONTS.values():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    return "Vera", "VeraBd", frozenset(regular.face.charWidths)


def _script(ch: str) -> str | None:
    point = ord(ch)
    if 0x3040 <= point <= 0x30FF or 0x31F0 <= point <= 0x31FF:
        return "ja"
    if 0xAC00 <= point <= 0xD7AF or 0x1100 <= point <= 0x11FF or 0x3130 <= point <= 0x318F:
        return "ko"
    if 0x2E80 <= point <= 0x9FFF or 0xF900 <= point <= 0xFAFF or 0xFF00 <= point <= 0xFFEF:
        return "zh"
    return None


def _runs(text: str, latin: str) -> list[tuple[str, str]]:
    """The text as (font, piece) runs: Latin in `latin`, CJK in a CID font, and any other
    character as its base letter (or "?")."""
    _, _, drawable = _fonts()
    runs: list[tuple[str, str]] = []
    for ch in text:
        script = _script(ch)
        if script is not None:
            font, piece = CJK_FONTS[script], ch
        elif ord(ch) in drawable:
            font, piece = latin, ch
        else:
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if ord(c) in drawable)
            font, piece = latin, base[:1] or "?"
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + piece)
        else:
            runs.append((font, piece))
    return runs


def _width(text: str, latin: str, size: float) -> float:
    return float(
        sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in _runs(text, latin))
    )


def _centred(canvas: Canvas, text: str, y: float, latin: str, size: float) -> None:
    x = (PAGE_WIDTH - _width(text, latin, size)) / 2
    for font, piece in _runs(text, latin):
        canvas.setFont(font, size)
        canvas.drawString(x, y, piece)
        x += pdfmetrics.stringWidth(piece, font, size)


def _wrapped(text: str, latin: str, size: float, width: float) -> list[str]:
    """Lines of at most `width`, broken between words (inside a word too long for a line)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if _width(trial, latin, size) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:  # a word wider than the line: broken where it must be
            if _width(line + ch, latin, size) > width and line:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


def _fitted(text: str, latin: str, size: float, width: float, most: int) -> tuple[list[str], float]:
    """The text wrapped in at most `most` lines, the size made smaller until it fits."""
    while True:
        lines = _wrapped(text, latin, size, width)
        if len(lines) <= most or size <= 9:
            return lines, size
        size -= 1


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def certificate_pdf(text: CertificateText) -> bytes:
    """The certificate as the bytes of a one-page PDF."""
    regular, bold, _ = _fonts()
    output = io.BytesIO()
    canvas = Canvas(output, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(f"Certificate of completion: {text.programme_title}")
    canvas.setAuthor(text.issuer)
    canvas.setSubject(f"{text.member_name} completed {text.programme_title}")
    canvas.setCreator("community")
    # a double border
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, PAGE_WIDTH - 24 * mm, PAGE_HEIGHT - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(15 * mm, 15 * mm, PAGE_WIDTH - 30 * mm, PAGE_HEIGHT - 30 * mm)
    width = PAGE_WIDTH - 2 * MARGIN - 20 * mm
    y = PAGE_HEIGHT - 45 * mm
    canvas.setFillColorRGB(*ACCENT)
    _centred(canvas, "CERTIFICATE OF COMPLETION", y, bold, 26)
    canvas.setFillColorRGB(*MUTED)
    y -= 16 * mm
    _centred(canvas, "This certifies that", y, regular, 14)
    canvas.setFillColorRGB(*INK)
    lines, size = _fitted(text.member_name, bold, 32, width, 2)
    for line in lines:
        y -= size * 1.25
        _centred(canvas, line, y, bold, size)
    canvas.setFillColorRGB(*MUTED)
    y -= 12 * mm
    _centred(canvas, "completed the programme", y, regular, 14)
    canvas.setFillColorRGB(*INK)
    lines, size = _fitted(text.programme_title, bold, 22, width, 3)
    y -= 3 * mm
    for line in lines:
        y -= size * 1.3
        _centred(canvas, line, y, bold, size)
    y -= 10 * mm
    hours = "hour" if text.hours == "1" else "hours"
    _centred(
        canvas,
        f"{text.hours} CET/CPD {hours} · {_day(text.first_day)} to {_day(text.last_day)}",
        y,
        regular,
        14,
    )
    y -= 9 * mm
    for line in _wrapped(f"Issued by {text.issuer} on {_day(text.issued_on)}", regular, 13, width):
        _centred(canvas, line, y, regular, 13)
        y -= 6 * mm
    canvas.setFillColorRGB(*MUTED)
    footer = f"Check this certificate at {text.verify_url}"
    for number, line in enumerate(_wrapped(footer, regular, 10, width)):
        _centred(canvas, line, 30 * mm - number * 5 * mm, regular, 10)
    _centred(canvas, f"Code {text.code}", 22 * mm, bold, 11)
    canvas.showPage()
    canvas.save()
    return output.getvalue()
