"""A certificate as a one-page PDF, drawn with reportlab: A4 landscape, the member's name large,
the programme, its hours and dates, the issuer, and the code with the address anyone checks it at.

Fonts: Noto Serif (fonts/, OFL), cut to Latin, Greek and Cyrillic, is embedded, so a name such
as "Zoë Ó Briain" or "Nguyễn Thị Hoa" prints as written on any machine. Chinese, Japanese and
Korean go in Adobe's standard CJK fonts (STSong-Light, HeiseiMin-W3, HYSMyeongJo-Medium): named,
not embedded (a CJK font is tens of megabytes), and supplied by the reader from its own fonts.
A character neither covers (a script that needs shaping, such as Tamil or Arabic, or an emoji)
prints as "?", and the certificate's code is logged.

CPU-bound: callers run it in a thread.
"""

from __future__ import annotations

import io
import logging
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import NamedTuple

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

logger = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
#: the widest a line of text runs, centred on the page
TEXT_WIDTH = PAGE_WIDTH - 70 * mm
#: the width of the issuer's and the date's columns at the foot
COLUMN_WIDTH = 110 * mm
REGULAR = "NotoSerif"
BOLD = "NotoSerif-Bold"
FONT_FILES = {REGULAR: "NotoSerif-Regular.ttf", BOLD: "NotoSerif-Bold.ttf"}
#: the CID font for each CJK language; Han characters take the language of the text around them
CJK_FONTS = {"zh": "STSong-Light", "ja": "HeiseiMin-W3", "ko": "HYSMyeongJo-Medium"}
Colour = tuple[float, float, float]
INK: Colour = (0.10, 0.15, 0.24)
ACCENT: Colour = (0.05, 0.40, 0.43)
MUTED: Colour = (0.38, 0.41, 0.45)

# reportlab's font registry is global: two threads registering at once could swap a font
# under a document another thread is drawing.
_registering = threading.Lock()


@dataclass(frozen=True)
class CertificateText:
    """What a certificate says."""

    member_name: str
    programme_title: str
    #: already formatted: "12", "7.5"
    hours: str
    first_day: date
    last_day: date
    #: the programme's provider
    issuer: str
    issued_on: date
    code: str
    #: the absolute address of /certificates/<code>
    verify_url: str


class _Block(NamedTuple):
    lines: list[str]
    font: str
    size: float
    colour: Colour
    #: space above the block's first line, in points
    space: float

    @property
    def height(self) -> float:
        return self.space + len(self.lines) * self.size * 1.28


@cache
def _drawable() -> frozenset[int]:
    """Register the fonts, once a process, and return the characters Noto Serif draws (the
    regular and bold cuts cover the same)."""
    folder = Path(__file__).parent / "fonts"
    regular = TTFont(REGULAR, folder / FONT_FILES[REGULAR])
    with _registering:
        if REGULAR not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(regular)
            pdfmetrics.registerFont(TTFont(BOLD, folder / FONT_FILES[BOLD]))
            for name in CJK_FONTS.values():
                pdfmetrics.registerFont(UnicodeCIDFont(name))
    return frozenset(regular.face.charToGlyph)


def _cjk_script(ch: str) -> str | None:
    point = ord(ch)
    if 0x3040 <= point <= 0x30FF or 0x31F0 <= point <= 0x31FF or 0xFF65 <= point <= 0xFF9F:
        return "ja"
    if 0xAC00 <= point <= 0xD7AF or 0x1100 <= point <= 0x11FF or 0x3130 <= point <= 0x318F:
        return "ko"
    if (
        0x2E80 <= point <= 0x2FDF  # radicals
        or 0x3000 <= point <= 0x303F  # CJK punctuation
        or 0x3400 <= point <= 0x4DBF
        or 0x4E00 <= point <= 0x9FFF
        or 0xF900 <= point <= 0xFAFF
        or 0xFF00 <= point <= 0xFFEF  # full-width forms
    ):
        return "han"
    return None


def _characters(text: str, latin: str) -> Iterator[tuple[str, str]]:
    """Each character of the text with the font that draws it: `latin` where Noto Serif has
    it, a CID font for CJK, else its base letters or "?"; invisible format characters go."""
    drawable = _drawable()
    scripts = {_cjk_script(ch) for ch in text}
    language = "ja" if "ja" in scripts else "ko" if "ko" in scripts else "zh"
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) in drawable:
            yield latin, ch
            continue
        script = _cjk_script(ch)
        if script is not None:
            yield CJK_FONTS[language if script == "han" else script], ch
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        else:
            base = [c for c in unicodedata.normalize("NFKD", ch) if ord(c) in drawable]
            for c in base or ["?"]:
                yield latin, c


def _runs(text: str, latin: str) -> list[tuple[str, str]]:
    """The text as (font, piece) runs, each piece drawn in one font."""
    runs: list[tuple[str, str]] = []
    for font, ch in _characters(text, latin):
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + ch)
        else:
            runs.append((font, ch))
    return runs


def _undrawable(text: str) -> int:
    """How many characters of the text are drawn as "?"."""
    return sum(1 for _, ch in _characters(text, REGULAR) if ch == "?") - text.count("?")


def _width(text: str, latin: str, size: float) -> float:
    return sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in _runs(text, latin))


def _wrapped(text: str, latin: str, size: float, width: float = TEXT_WIDTH) -> list[str]:
    """Lines no wider than `width`, broken between words, and inside a word (a long address,
    a Chinese title without spaces) where it alone is wider."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if _width(trial, latin, size) <= width:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if line and _width(line + ch, latin, size) > width:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


def _draw_centred(
    canvas: Canvas, line: str, x: float, y: float, latin: str, size: float, colour: Colour
) -> None:
    """The line centred on x. CID fonts have no bold: in a bold line their strokes are
    thickened instead."""
    x -= _width(line, latin, size) / 2
    canvas.setFillColorRGB(*colour)
    for font, piece in _runs(line, latin):
        thickened = latin == BOLD and font in CJK_FONTS.values()
        if thickened:
            canvas.saveState()
            canvas.setStrokeColorRGB(*colour)
            canvas.setLineWidth(size * 0.03)
        text = canvas.beginText(x, y)
        text.setFont(font, size)
        if thickened:
            text.setTextRenderMode(2)  # fill, then stroke
        text.textOut(piece)
        canvas.drawText(text)
        if thickened:
            canvas.restoreState()
        x += pdfmetrics.stringWidth(piece, font, size)


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _fitted(
    text: str, latin: str, largest: float, smallest: float, most: int
) -> tuple[list[str], float]:
    """The text wrapped at the largest size, down to `smallest`, that takes at most `most`
    lines."""
    size = largest
    lines = _wrapped(text, latin, size)
    while len(lines) > most and size > smallest:
        size = max(size - 1, smallest)
        lines = _wrapped(text, latin, size)
    return lines, size


def _body(text: CertificateText, scale: float) -> list[_Block]:
    """Who completed what, and its hours and dates; the name and the title fitted in two and
    four lines, their sizes multiplied by `scale`."""
    name, name_size = _fitted(text.member_name, BOLD, 40 * scale, 18 * scale, 2)
    title, title_size = _fitted(text.programme_title, BOLD, 24 * scale, 14 * scale, 4)
    unit = "hour" if text.hours == "1" else "hours"
    days = _day(text.first_day)
    if text.last_day != text.first_day:
        days = f"{days} to {_day(text.last_day)}"
    hours = _wrapped(f"{text.hours} CET/CPD {unit}, {days}", REGULAR, 14)
    return [
        _Block(["This certifies that"], REGULAR, 15, MUTED, 0),
        _Block(name, BOLD, name_size, INK, 5 * mm),
        _Block(["completed the programme"], REGULAR, 15, MUTED, 5 * mm),
        _Block(title, BOLD, title_size, INK, 3 * mm),
        _Block(hours, REGULAR, 14, INK, 6 * mm),
    ]


def _fitted_body(text: CertificateText, height: float) -> list[_Block]:
    """The body at the largest scale, down to a half, at which it is no taller than
    `height`."""
    for step in range(11):
        blocks = _body(text, 1 - step * 0.05)
        if sum(block.height for block in blocks) <= height:
            break
    return blocks


def certificate_pdf(text: CertificateText) -> bytes:
    """The certificate as the bytes of a one-page PDF."""
    missing = sum(_undrawable(part) for part in (text.member_name, text.programme_title))
    missing += _undrawable(text.issuer)
    if missing:
        logger.warning(
            "certificate %s: characters drawn as ? for want of a font: %d", text.code, missing
        )
    output = io.BytesIO()
    # without an initial font the page names Helvetica, which nothing on it uses
    canvas = Canvas(
        output,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageCompression=1,
        initialFontName=REGULAR,  # type: ignore[arg-type]  # a font name; the stubs say float
    )
    canvas.setTitle(f"Certificate of completion: {text.programme_title}")
    canvas.setAuthor(text.issuer)
    canvas.setSubject(f"{text.member_name} completed {text.programme_title}")
    canvas.setKeywords(text.code)
    canvas.setCreator("community")
    middle = PAGE_WIDTH / 2

    # measured from the bottom up, drawn last: the text reads in order when copied or read aloud
    verify = _wrapped(
        f"Verify this certificate at {text.verify_url} — code {text.code}", REGULAR, 9
    )
    rule = 22 * mm + len(verify) * 9 * 1.3 + 12 * mm
    issuer = _wrapped(text.issuer, BOLD, 13, COLUMN_WIDTH)
    body_top = PAGE_HEIGHT - 54 * mm
    body_bottom = rule + 2.5 * mm + len(issuer) * 13 * 1.25 + 6 * mm

    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(2.5)
    canvas.rect(12 * mm, 12 * mm, PAGE_WIDTH - 24 * mm, PAGE_HEIGHT - 24 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(15 * mm, 15 * mm, PAGE_WIDTH - 30 * mm, PAGE_HEIGHT - 30 * mm)
    title_y = PAGE_HEIGHT - 40 * mm
    _draw_centred(canvas, "Certificate of completion", middle, title_y, BOLD, 30, ACCENT)
    canvas.setLineWidth(0.8)
    canvas.line(middle - 30 * mm, PAGE_HEIGHT - 46 * mm, middle + 30 * mm, PAGE_HEIGHT - 46 * mm)

    blocks = _fitted_body(text, body_top - body_bottom)
    y = body_top - (body_top - body_bottom - sum(block.height for block in blocks)) / 2
    for block in blocks:
        y -= block.space
        for line in block.lines:
            y -= block.size * 1.28
            baseline = y + block.size * 0.28
            _draw_centred(canvas, line, middle, baseline, block.font, block.size, block.colour)

    canvas.setStrokeColorRGB(*MUTED)
    canvas.setLineWidth(0.5)
    for x, label, lines in (
        (middle - 70 * mm, "Issued by", issuer),
        (middle + 70 * mm, "Issued on", [_day(text.issued_on)]),
    ):
        canvas.line(x - COLUMN_WIDTH / 2, rule, x + COLUMN_WIDTH / 2, rule)
        _draw_centred(canvas, label, x, rule - 4.5 * mm, REGULAR, 10, MUTED)
        y = rule + 2.5 * mm + len(lines) * 13 * 1.25
        for line in lines:
            y -= 13 * 1.25
            _draw_centred(canvas, line, x, y, BOLD, 13, INK)
    y = 22 * mm + len(verify) * 9 * 1.3
    for line in verify:
        y -= 9 * 1.3
        _draw_centred(canvas, line, middle, y, REGULAR, 9, MUTED)
    canvas.showPage()
    canvas.save()
    return output.getvalue()
