"""The client-details guard: what it finds in real-looking text (each kind, with its exact
text and place), what it leaves alone, and the marked text the author sees."""

from __future__ import annotations

import pytest

from community.client_details import (
    DetailKind,
    DetailsToConfirm,
    Finding,
    find_client_details,
    marked,
    stored,
)

CASE_NOTE = (
    "Home visit with Mdm Tan (NRIC S1234567D, DOB: 12/05/1948) at Blk 123 Ang Mo Kio Ave 3 "
    "#05-01, Singapore 560123.\n"
    "Her son can be reached at 9123 4567 or son.tan@example.com; the GP's clinic is at "
    "10 Anson Rd #05-01. Next review in 2 weeks."
)
STORY = (
    "When I met R. in 2019 she had 3 ways to get help and none of them worked. Over 12 "
    "sessions we built a plan: her budget went from $1,200 to $1,500 (a 25% rise), rent "
    "arrears of S$91234567 were written off (case no. 81234567), and the range 2019-2023 "
    "covers her whole journey. Meeting on 3/4/2024 at 9.30am."
)


def kinds_and_texts(text: str) -> list[tuple[DetailKind, str]]:
    return [(finding.kind, finding.text) for finding in find_client_details(text)]


def test_find_client_details_in_a_case_note_finds_each_kind_in_place() -> None:
    findings = find_client_details(CASE_NOTE)

    assert [(f.kind, f.text) for f in findings] == [
        (DetailKind.NRIC, "S1234567D"),
        (DetailKind.DATE_OF_BIRTH, "12/05/1948"),
        (DetailKind.ADDRESS, "Blk 123 Ang Mo Kio Ave 3 #05-01"),
        (DetailKind.POSTAL_CODE, "Singapore 560123"),
        (DetailKind.PHONE, "9123 4567"),
        (DetailKind.EMAIL, "son.tan@example.com"),
        (DetailKind.ADDRESS, "10 Anson Rd #05-01"),
    ]
    for finding in findings:
        assert CASE_NOTE[finding.start : finding.end] == finding.text
    assert findings[0].start == CASE_NOTE.index("S1234567D")
    assert findings[0].end == findings[0].start + 9


def test_find_client_details_in_a_story_finds_nothing() -> None:
    assert find_client_details(STORY) == []


@pytest.mark.parametrize(
    "nric",
    [
        "S1234567D",  # 106 % 11 = 7: "JZIHGFEDCBA"[7]
        "s1234567d",  # any case
        "T1234567J",  # (106 + 4) % 11 = 0
        "F1234567N",  # 106 % 11 = 7: "XWUTRQPNMLK"[7]
        "G1234567X",  # (106 + 4) % 11 = 0
        "M1234567K",  # (106 + 3) % 11 = 10: "KLJNPQRTUWX"[11 - 10 - 1]
        "S0000001I",  # 2 % 11 = 2
    ],
)
def test_find_client_details_finds_nric_with_its_check_letter(nric: str) -> None:
    text = f"Her IC is {nric}."
    assert find_client_details(text) == [Finding(DetailKind.NRIC, nric, 10, 19)]


@pytest.mark.parametrize(
    "text",
    [
        "Her IC is S1234567A.",  # wrong check letter
        "Her IC is T1234567D.",  # S's letter with T's offset
        "Her IC is M1234567L.",
        "Her IC is S****567D.",  # masked
        "Ref XS1234567D and S1234567DX are codes.",  # not word-bounded
    ],
)
def test_find_client_details_leaves_nric_with_a_wrong_check_letter(text: str) -> None:
    assert find_client_details(text) == []


@pytest.mark.parametrize(
    "phone",
    [
        "91234567",
        "9123 4567",
        "6123-4567",
        "+65 6123-4567",
        "+6581234567",
        "65 8123 4567",
        "(65) 3123 4567",
        "+60 12-345 6789",
        "+44 20 7946 0958",
    ],
)
def test_find_client_details_finds_phone_numbers(phone: str) -> None:
    assert kinds_and_texts(f"Call her on {phone} after 6pm.") == [(DetailKind.PHONE, phone)]


@pytest.mark.parametrize(
    "text",
    [
        "The fund paid $12,345,678 in all.",
        "Arrears of S$91234567 were written off.",
        "Arrears of S$ 9123 4567 and SGD 81234567.",
        "From 2019-2023 she was in the programme.",
        "Between 8000-9000 people attended.",
        "Savings rose 91234567% (a typo).",
        "The ratio was 9123.4567, then 91234567.89.",
        "Case no. 91234567 and ref 81234567 were closed.",
        "Order ID 61234567 was shipped.",
        "A 9-digit number 912345678 and 12345678 (starts with 1).",
        "Her postal code alone: 560123.",
        "Dates: 31/12/2023 and 2023-12-31.",
        "Short international +1 23 45.",
    ],
)
def test_find_client_details_leaves_numbers_that_are_not_phones(text: str) -> None:
    assert find_client_details(text) == []


def test_find_client_details_finds_email_addresses() -> None:
    text = "Write to jane.tan+case@family-service.org.sg (her worker)."
    assert find_client_details(text) == [
        Finding(DetailKind.EMAIL, "jane.tan+case@family-service.org.sg", 9, 44)
    ]


@pytest.mark.parametrize(
    "postal", ["Singapore 560123", "S(560123)", "S560123", "postal code 560123"]
)
def test_find_client_details_finds_postal_codes_after_their_cue(postal: str) -> None:
    assert kinds_and_texts(f"She moved to {postal} last year.") == [
        (DetailKind.POSTAL_CODE, postal)
    ]


def test_find_client_details_leaves_a_bare_six_digit_number() -> None:
    assert find_client_details("We raised 560123 dollars over 2 years.") == []


@pytest.mark.parametrize(
    "address",
    [
        "Blk 123 Ang Mo Kio Ave 3",
        "Block 45A Jurong West Street 42",
        "123 Orchard Road",
        "10 Anson Rd #05-01",
        "Blk 5 Toa Payoh Lor 7 #12-345",
        "12 Jalan Besar",
        "#12-345",
    ],
)
def test_find_client_details_finds_street_addresses(address: str) -> None:
    assert kinds_and_texts(f"They live at {address} now.") == [(DetailKind.ADDRESS, address)]


@pytest.mark.parametrize(
    "text",
    [
        "There are 3 ways to support a family.",
        "After 12 sessions she felt ready.",
        "Session 2 With Dr Tan went well.",
        "In 2019 Orchard Road was busy.",
        "See issue #1-2 in the notes.",
        "We met at St Luke's Hospital.",
    ],
)
def test_find_client_details_leaves_numbers_before_words(text: str) -> None:
    assert find_client_details(text) == []


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("DOB: 03/04/2015", "03/04/2015"),
        ("D.O.B. 3-4-15", "3-4-15"),
        ("**DOB:** 1 Jan 2015", "1 Jan 2015"),
        ("date of birth 3 March 2015", "3 March 2015"),
        ("born on March 3, 2015", "March 3, 2015"),
        ("born in Johor on 2015-03-03", "2015-03-03"),
    ],
)
def test_find_client_details_finds_dates_of_birth_after_their_cue(text: str, date: str) -> None:
    findings = find_client_details(text)
    assert findings == [Finding(DetailKind.DATE_OF_BIRTH, date, text.index(date), len(text))]


def test_find_client_details_leaves_dates_without_a_birth_cue() -> None:
    text = "The case conference is on 3/4/2024; the review was on 3 March 2024."
    assert find_client_details(text) == []


def test_marked_escapes_the_text_and_marks_each_finding_in_place() -> None:
    text = '<script>alert("x")</script> Call 9123 4567\nor <b>tan@example.com</b>'
    findings = find_client_details(text)

    html = marked(text, findings)

    assert [f.text for f in findings] == ["9123 4567", "tan@example.com"]
    assert str(html) == (
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Call "
        '<mark class="finding" title="phone number">9123 4567'
        '<span class="visually-hidden"> (phone number)</span></mark>\nor &lt;b&gt;'
        '<mark class="finding" title="email address">tan@example.com'
        '<span class="visually-hidden"> (email address)</span></mark>&lt;/b&gt;'
    )


def test_marked_without_findings_is_the_escaped_text() -> None:
    assert str(marked("<b>x</b>\n", [])) == "&lt;b&gt;x&lt;/b&gt;\n"


def test_stored_keeps_kind_and_text() -> None:
    findings = find_client_details("Call 9123 4567, IC S1234567D.")
    assert stored(findings) == [
        {"kind": "phone", "text": "9123 4567"},
        {"kind": "nric", "text": "S1234567D"},
    ]
    assert [DetailKind(f["kind"]).label for f in stored(findings)] == [
        "phone number",
        "NRIC/FIN number",
    ]


def test_details_to_confirm_names_the_field_and_lists_the_findings() -> None:
    findings = find_client_details("Call 9123 4567.")
    error = DetailsToConfirm("Call 9123 4567.", findings, field="body")
    assert error.status_code == 422
    assert error.fields == {
        "body": "We found 1 possible client detail: remove or change it, or confirm it is "
        "not a client's (or shared with consent)."
    }
    assert error.details == {"findings": [{"kind": "phone", "text": "9123 4567"}]}
    assert error.findings == findings
