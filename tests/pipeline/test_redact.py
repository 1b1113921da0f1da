"""PII redaction with the real detectors and spaCy's real NER (loaded once per module)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import load_journey
from steplens.pipeline.redact import PLACEHOLDERS, Redactor, apply_spans, build_redactor
from steplens.pipeline.redact.detectors import iban_valid, luhn_valid


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return build_redactor()


def only(redactor: Redactor, text: str) -> list[tuple[str, str]]:
    """(kind, original substring) of every detection in ``text``."""
    return [(s.kind, text[s.start : s.end]) for s in redactor.redact(text).spans]


@pytest.mark.parametrize(
    ("sentence", "kind", "value"),
    [
        (
            "Email me at jane.doe+cx@example.co.uk, not the old one.",
            "email",
            "jane.doe+cx@example.co.uk",
        ),
        ("It's priya [at] gmail [dot] com if you need me.", "email", "priya [at] gmail [dot] com"),
        ("My card 4111 1111 1111 1111 was charged twice.", "card", "4111 1111 1111 1111"),
        ("Charged to 5555-5555-5555-4444 without asking!", "card", "5555-5555-5555-4444"),
        ("Amex 3782 822463 10005 declined again.", "card", "3782 822463 10005"),
        (
            "Refund to IBAN GB82 WEST 1234 5698 7654 32 please.",
            "iban",
            "GB82 WEST 1234 5698 7654 32",
        ),
        ("My IBAN is DE89370400440532013000.", "iban", "DE89370400440532013000"),
        (
            "Use FR14 2004 1010 0505 0001 3M02 606 for the refund.",
            "iban",
            "FR14 2004 1010 0505 0001 3M02 606",
        ),
        (
            "The link https://shop.example.com/reset?token=a8F3kq9ZpL2mXv71 just errors.",
            "url",
            "https://shop.example.com/reset?token=a8F3kq9ZpL2mXv71",
        ),
        (
            "Tracking page https://example.com/track?email=jo%40mail.com shows nothing.",
            "url",
            "https://example.com/track?email=jo%40mail.com",
        ),
        (
            "see http://bob:hunter2@ftp.example.com/invoice.pdf",
            "url",
            "http://bob:hunter2@ftp.example.com/invoice.pdf",
        ),
        (
            "Magic link example.io/login/magic/Zx81kPq02LmnA9vQ7rT5 expired.",
            "url",
            "example.io/login/magic/Zx81kPq02LmnA9vQ7rT5",
        ),
        (
            "I live at 221B Baker Street, London NW1 6XE.",
            "address",
            "221B Baker Street, London NW1 6XE",
        ),
        (
            "Deliver to 1600 Pennsylvania Ave NW, Washington, DC 20500 next time.",
            "address",
            "1600 Pennsylvania Ave NW, Washington, DC 20500",
        ),
        ("It went to 350 5th Avenue Apt 4B instead.", "address", "350 5th Avenue Apt 4B"),
        ("my address is flat 3, 12 station road.", "address", "flat 3, 12 station road"),
        ("Bitte an Hauptstraße 5, 10115 Berlin liefern.", "address", "Hauptstraße 5, 10115 Berlin"),
        ("Parcel for PO Box 1234 never came.", "address", "PO Box 1234"),
        (
            "Send it to 42 Wallaby Way, Sydney NSW 2000 please.",
            "address",
            "42 Wallaby Way, Sydney NSW 2000",
        ),
        ("my postcode is sw1a 1aa btw", "address", "sw1a 1aa"),
        ("IBAN: GB82-WEST-1234-5698-7654-32 ok", "iban", "GB82-WEST-1234-5698-7654-32"),
        ("reach me on tel.+420 601 123 456", "phone", "+420 601 123 456"),
        ("I spoke to Priya Raman on the phone and she hung up.", "name", "Priya Raman"),
    ],
)
def test_each_kind_in_a_sentence(redactor: Redactor, sentence: str, kind: str, value: str) -> None:
    result = redactor.redact(sentence)
    assert [(s.kind, sentence[s.start : s.end]) for s in result.spans] == [(kind, value)]
    assert result.text == sentence.replace(value, PLACEHOLDERS[kind])  # type: ignore[index]


@pytest.mark.parametrize(
    "number",
    [
        *("+44 20 7946 0958", "020 7946 0958", "+44 (0)20 7946 0958", "07700 900123"),
        *("07700900123", "(555) 123-4567", "555-123-4567", "555.123.4567", "+1 415 555 2671"),
        *("+1-800-555-0199", "1-800-555-0199", "+49 30 12345678", "+49 (0)30 1234 5678"),
        *("+33 1 23 45 67 89", "01 23 45 67 89", "+91 98765 43210", "98765 43210"),
        *("+61 2 9876 5432", "+81 3-1234-5678", "03-1234-5678", "+55 11 91234-5678"),
        *("+353 87 123 4567", "+234 803 123 4567", "0044 20 7946 0958", "0722000000"),
    ],
)
def test_phone_numbers_in_international_formats(redactor: Redactor, number: str) -> None:
    text = f"The courier rang from {number} and hung up."
    assert only(redactor, text) == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    [
        "Order #112345678 still hasn't arrived.",
        "Order 112-3456789-1234567 is missing an item.",
        "My order number is 5551234567, where is it?",
        "Tracking 1Z999AA10123456784 hasn't moved.",
        "Tracking number 9400 1000 0000 0000 0000 00 shows delivered.",
        "Ordered on 15/03/2024 at 10:30 and due 2024-03-20 between 9:00 and 17:30.",
        "Paid £1,299.99, then $45.00, then 1299.99 again.",
        "Version 14.2.1 logs me out every 10 minutes; my IP is 192.168.1.1.",
        "Card 4111 1111 1111 1112 was declined.",  # Luhn-invalid
        "IBAN GB00 WEST 1234 5698 7654 32 was rejected.",  # bad check digits
        "IBAN DE88370400440532013000 bounced.",  # bad check digits
        "The help page https://www.example.com/help/returns is useless.",
        "See https://t.co/x8SIPQGitI and https://shop.example.com/orders?id=EX482913 for it.",
        "The iPhone 15 Pro came with a Galaxy S23 case, model SM-G991B.",
        "Case 00123456 was closed; ref 0123 4567 89 and tracking 0207 946 0958 too.",
        "I bought 3 items, 2 x 500ml and got 1,000,000 points.",
        "The 5 Star service and 2 Day Delivery were a lie.",
        "Checkout froze again. Delivery was late. Returns portal is broken.",
        "My a/c no is 04213141403 and the meter is 0421314140.",
        "IBAN IE34 IRZP 5244 3179 9303 58 was rejected.",  # bad IBAN; its digits pass Luhn
        "3D Printed Robots Walk, a 1997-98 Flair Showcase Row card and 5, South Park.",
    ],
)
def test_decoys_are_left_alone(redactor: Redactor, text: str) -> None:
    assert redactor.redact(text).text == text


def test_luhn_and_mod97_checks() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("GB82WEST12345698765432") and not iban_valid("GB83WEST12345698765432")
    assert not iban_valid("GB82WEST1234569876543")  # one character short for GB


def test_the_journey_vocabulary_is_protected_from_names() -> None:
    text = "My name is Priya Raman and I called about the Checkout page."
    unprotected = build_redactor(journeys=[])
    assert ("name", "Checkout") in only(unprotected, text), "NER takes Checkout for a person"
    protected = unprotected.for_journey(load_journey("ecommerce"))
    assert only(protected, text) == [("name", "Priya Raman")]
    assert only(build_redactor(journeys=["ecommerce"]), text) == [("name", "Priya Raman")]


def test_extra_protected_words(redactor: Redactor) -> None:
    text = "It would be good to have Klarna or another pay-later option."
    assert only(redactor, text) == [("name", "Klarna")]  # a known false positive of the model
    assert build_redactor(protect=["Klarna"]).redact(text).text == text


def test_hashtags_handles_urls_and_places_are_not_names(redactor: Redactor) -> None:
    text = "@SarahJones thanks! #Felicia was great. No signal in Penrith or through Stratford."
    assert [kind for kind, _ in only(redactor, text)] == []


def test_placeholders_are_never_redacted_again(redactor: Redactor) -> None:
    text = "Ask Maria Rossi, maria.rossi@gmail.com, +44 7700 900123, card 4111111111111111."
    once = redactor.redact(text)
    assert once.text == "Ask [NAME], [EMAIL], [PHONE], card [CARD]."
    twice = redactor.redact(once.text)
    assert twice.text == once.text and twice.spans == ()


def test_spans_are_offsets_into_the_original(redactor: Redactor) -> None:
    text = "Hi, I'm Oluwaseun Adeyemi. Call +1 (415) 555-2671 or mail oa@example.org today."
    result = redactor.redact(text)
    assert [(s.kind, text[s.start : s.end]) for s in result.spans] == [
        ("name", "Oluwaseun Adeyemi"),
        ("phone", "+1 (415) 555-2671"),
        ("email", "oa@example.org"),
    ]
    assert apply_spans(text, result.spans) == result.text
    assert result.counts() == {"name": 1, "phone": 1, "email": 1}


def test_batches_give_the_same_result_as_one_text_at_a_time(redactor: Redactor) -> None:
    texts = [
        "",
        "   ",
        "all lower case, no names here, call 07700 900123",
        "Thanks to Wei Zhang for sorting it out.",
        "Card 4111 1111 1111 1111 and IBAN DE89370400440532013000.",
        "Checkout was quick but delivery took two weeks.",
    ]
    assert redactor.redact_many(texts) == [redactor.redact(t) for t in texts]
    assert redactor.redact_many([]) == []


def test_a_long_text_is_read_in_pieces_with_exact_offsets(redactor: Redactor) -> None:
    filler = "The parcel was late again and nobody answered the chat. " * 120
    text = filler + "In the end Hannah Schneider from support fixed it."
    result = redactor.redact(text)
    assert len(text) > 5_000
    assert [(s.kind, text[s.start : s.end]) for s in result.spans] == [("name", "Hannah Schneider")]


def test_kinds_can_be_chosen_and_names_switched_off() -> None:
    text = "I'm Maria Rossi, maria.rossi@gmail.com, card 4111111111111111."
    emails = build_redactor(kinds=["email"])
    assert emails.names is None and emails.kinds == ("email",)
    assert emails.redact(text).text == "I'm Maria Rossi, [EMAIL], card 4111111111111111."
    regexes = build_redactor(names_with_ner=False)
    assert "name" not in regexes.kinds
    assert regexes.redact(text).text == "I'm Maria Rossi, [EMAIL], card [CARD]."
    with pytest.raises(SteplensError, match="unknown PII kind"):
        build_redactor(kinds=["email", "passport"])


PLACEHOLDER = re.compile(r"\[(?:EMAIL|PHONE|CARD|IBAN|URL|ADDRESS|NAME)\]")
PIECES = [
    *("Maria Rossi ", "maria@example.com", "+44 20 7946 0958", "4111 1111 1111 1111", "\ud800"),
    *("GB82 WEST 1234 5698 7654 32", "https://x.io/r?token=a8F3kq9ZpL2mXv71", "[NAME]", "\u200b"),
    *("221B Baker Street", "Checkout ", "🙂", "\x00", "\n", "Order #12345678 ", "@handle #tag"),
]


@given(st.lists(st.one_of(st.text(max_size=30), st.sampled_from(PIECES)), max_size=10).map("".join))
@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_hostile_text_gives_valid_spans(redactor: Redactor, text: str) -> None:
    result = redactor.redact(text)
    ends = [0]
    for span in result.spans:
        assert ends[-1] <= span.start < span.end <= len(text)
        ends.append(span.end)
    assert apply_spans(text, result.spans) == result.text
    placeholders = [m.span() for m in PLACEHOLDER.finditer(result.text)]
    for span in redactor.redact(result.text).spans:  # placeholders are never redacted again
        assert all(span.end <= a or span.start >= b for a, b in placeholders)
