"""A guard against clients' details in what members write: Singapore NRIC/FIN numbers (with
a correct check letter), phone numbers, email addresses, postal codes, street addresses and
dates of birth. It finds candidates for the author to look at, in place; it decides nothing.

Each rule leans towards what a case note really holds: a bare six-digit number is no postal
code, a date is a date of birth only after "born" or "DOB", and a number is a phone only in a
phone's shape (eight digits starting 3, 6, 8 or 9, or with a "+" and a country code). Not
phones: money (a currency sign or code just before it, "S$91234567"), numbers labelled as
something else ("case no. 91234567", "ref 81234567"), decimals, percentages, ranges of round
numbers ("8000-9000") and longer runs of digits."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from markupsafe import Markup, escape

from community.errors import Invalid


class DetailKind(StrEnum):
    NRIC = "nric"
    PHONE = "phone"
    EMAIL = "email"
    POSTAL_CODE = "postal_code"
    ADDRESS = "address"
    DATE_OF_BIRTH = "date_of_birth"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    DetailKind.NRIC: "NRIC/FIN number",
    DetailKind.PHONE: "phone number",
    DetailKind.EMAIL: "email address",
    DetailKind.POSTAL_CODE: "postal code",
    DetailKind.ADDRESS: "street address",
    DetailKind.DATE_OF_BIRTH: "date of birth",
}


@dataclass(frozen=True)
class Finding:
    """One possible client detail: what it looks like and where it is in the text."""

    kind: DetailKind
    text: str
    start: int
    end: int

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind.value, "text": self.text}


_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
#: the check letters by the remainder of the weighted sum (plus the series' offset), for each
#: series: S and T citizens and permanent residents (born before and from 2000), F and G
#: foreigners (issued before and from 2000), M foreigners from 2022. M's published table
#: "KLJNPQRTUWX" is read from the end (letter 11 - remainder), written here in reading order.
_CHECK_LETTERS = {
    "S": "JZIHGFEDCBA",
    "T": "JZIHGFEDCBA",
    "F": "XWUTRQPNMLK",
    "G": "XWUTRQPNMLK",
    "M": "KLJNPQRTUWX"[::-1],
}
_OFFSET = {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}

_NRIC = re.compile(r"(?<![A-Za-z0-9])([STFGMstfgm])(\d{7})([A-Za-z])(?![A-Za-z0-9])")
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
# eight digits starting 3, 6, 8 or 9, as one block or 4 + 4, optionally after +65, 65 or (65);
# or an international number: "+", a country code and more digits in groups (8 to 15 in all)
_PHONE = re.compile(
    r"(?<![\w$.,/+-])"
    r"(?:(?:\+65|\(\+?65\)|65)[\s-]?)?[3689]\d{3}(?P<separator>[\s-]?)\d{4}"
    r"(?![\w.,/-]?\d|\s?%)"
    r"|(?<![\w$])\+(?!65)[1-9]\d{0,2}(?:[\s-]?\d{2,5}){1,5}(?![\w.,-]?\d|\s?%)"
)
#: what may come just before a number that is not a phone: money, or another kind of number
_NOT_A_PHONE_BEFORE = re.compile(
    r"(?:(?:S|US|A|HK|NT)?\$|SGD|USD|MYR|RM|€|£|¥"
    r"|\b(?:case|ref|reference|file|invoice|receipt|account|acct|a/c|claim|application|serial"
    r"|policy|ticket|order|transaction|ID)\b\.?\s*(?:no\b\.?|number|num\b\.?|#)?)\s*[:#]?\s*$",
    re.IGNORECASE,
)
_POSTAL = re.compile(
    r"\b(?:Singapore|S(?=\s?\(|\s?\d)|postal\s+code:?)\s*\(?\s*\d{6}(?:\s*\))?(?!\d)",
    re.IGNORECASE,
)
_STREET_TYPES = (
    r"Road|Rd|Street|St|Avenue|Ave|Drive|Dr|Crescent|Cres|Lane|Ln|Close|Walk|Way|Place|Pl|"
    r"Link|Central|Boulevard|Blvd|Terrace|Rise|Grove|Loop|Heights|Hts|Industrial Park"
)
_UNIT = r"#B?\d{1,3}-\d{2,5}[A-Z]?"
_ADDRESS = re.compile(
    # a block: "Blk 123 Ang Mo Kio Ave 3"
    r"(?:\b(?i:Blk|Block)\s+\d{1,4}[A-Z]?(?:\s+[A-Z][A-Za-z']*){1,5}(?:\s+\d{1,3}[A-Z]?\b)?"
    # a house number and a Malay street name: "12 Jalan Besar", "5 Lorong 1 Toa Payoh"
    r"|\b\d{1,4}[A-Z]?\s+(?:Jalan|Jln|Lorong|Lor)\s+(?:\d{1,3}[A-Z]?\s+)?[A-Z][A-Za-z']*"
    r"(?:\s+[A-Z][A-Za-z']*){0,2}"
    # a house number and a named street: "10 Anson Rd" (a year is no house number; "Dr" and
    # "St" before a name are a doctor and a saint: "2 With Dr Tan")
    r"|\b(?!(?:19|20)\d\d\b)\d{1,4}[A-Z]?\s+(?:[A-Z][A-Za-z']*\s+){1,4}?"
    rf"(?:{_STREET_TYPES})\b(?<!Dr|St)\.?(?:\s+\d{{1,3}}[A-Z]?\b)?"
    r"|\b(?!(?:19|20)\d\d\b)\d{1,4}[A-Z]?\s+(?:[A-Z][A-Za-z']*\s+){1,4}?"
    r"(?:Dr|St)\b\.?(?!\s+(?!Singapore\b)[A-Z][a-z])(?:\s+\d{1,3}[A-Z]?\b)?)"
    # and the unit, or a unit alone: "#12-345"
    rf"(?:,?\s*{_UNIT})?"
    rf"|(?<![\w#]){_UNIT}\b"
)
_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})(?!\d)"
)
# the cue, then at most four words ("born in Johor on"), then the date
_BIRTH = re.compile(
    r"(?<![A-Za-z])(?:D\.?O\.?B\b\.?|date\s+of\s+birth|born|birthday)"
    r"(?:[\s:,()*_-]+[A-Za-z']+){0,4}?[\s:,()*_-]+"
    rf"(?P<date>{_DATE})",
    re.IGNORECASE,
)


def _nric_is_valid(prefix: str, digits: str, check: str) -> bool:
    prefix = prefix.upper()
    total = sum(int(d) * w for d, w in zip(digits, _WEIGHTS, strict=True)) + _OFFSET[prefix]
    return _CHECK_LETTERS[prefix][total % 11] == check.upper()


def _is_phone(text: str, match: re.Match[str]) -> bool:
    if _NOT_A_PHONE_BEFORE.search(text[max(0, match.start() - 30) : match.start()]):
        return False
    number = match.group()
    digits = sum(c.isdigit() for c in number)
    if number.startswith("+") and not number.startswith("+65"):
        return 8 <= digits <= 15
    # "8000-9000": a range of round numbers, not a phone
    halves = re.split(r"[\s-]", number[-9:])
    return not (match["separator"] == "-" and all(h.endswith("00") for h in halves))


def find_client_details(text: str) -> list[Finding]:
    """Every possible client detail in the text, in order, none overlapping another (where
    two rules match the same words, the one found first in this order wins: NRIC, email,
    date of birth, postal code, address, phone)."""
    found: list[Finding] = []

    def add(kind: DetailKind, start: int, end: int) -> None:
        if any(start < f.end and f.start < end for f in found):
            return
        found.append(Finding(kind, text[start:end], start, end))

    for match in _NRIC.finditer(text):
        if _nric_is_valid(*match.groups()):
            add(DetailKind.NRIC, match.start(), match.end())
    for match in _EMAIL.finditer(text):
        add(DetailKind.EMAIL, match.start(), match.end())
    for match in _BIRTH.finditer(text):
        add(DetailKind.DATE_OF_BIRTH, match.start("date"), match.end("date"))
    for match in _POSTAL.finditer(text):
        add(DetailKind.POSTAL_CODE, match.start(), match.end())
    for match in _ADDRESS.finditer(text):
        add(DetailKind.ADDRESS, match.start(), match.end())
    for match in _PHONE.finditer(text):
        if _is_phone(text, match):
            add(DetailKind.PHONE, match.start(), match.end())
    return sorted(found, key=lambda f: f.start)


def marked(text: str, findings: Sequence[Finding]) -> Markup:
    """The text, escaped, with each finding marked in place and named for screen readers
    (line breaks stay as they are: show it with `white-space: pre-line`)."""
    parts: list[str] = []
    at = 0
    for finding in sorted(findings, key=lambda f: f.start):
        parts.append(str(escape(text[at : finding.start])))
        label = escape(finding.kind.label)
        parts.append(
            f'<mark class="finding" title="{label}">{escape(finding.text)}'
            f'<span class="visually-hidden"> ({label})</span></mark>'
        )
        at = finding.end
    parts.append(str(escape(text[at:])))
    return Markup("".join(parts))  # noqa: S704  # every piece of the text is escaped above


def stored(findings: Sequence[Finding]) -> list[dict[str, str]]:
    """The findings as kept with what they were found in."""
    return [finding.as_json() for finding in findings]


def count_of(findings: Sequence[object]) -> str:
    """ "1 possible client detail", "2 possible client details"."""
    return f"{len(findings)} possible client detail{'' if len(findings) == 1 else 's'}"


class DetailsToConfirm(Invalid):
    """Text with possible client details its author has not confirmed: `fields` names the
    field to change, `findings` (with `text`, what they were found in) are for the form's
    warning, and `details` lists them for programs."""

    def __init__(self, text: str, findings: Sequence[Finding], *, field: str) -> None:
        super().__init__(
            **{
                field: f"We found {count_of(findings)}: remove or change "
                f"{'it' if len(findings) == 1 else 'them'}, or confirm "
                f"{'it is' if len(findings) == 1 else 'they are'} not a client's "
                "(or shared with consent)."
            }
        )
        self.text = text
        self.findings = list(findings)
        self.details = {"findings": stored(findings)}
