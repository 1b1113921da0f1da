"""The PII test set generator and the span-level scoring of bench/bench_redact.py."""

from __future__ import annotations

import random

from bench.bench_redact import FOUND, PLANTED, score
from bench.pii_testset import IBAN_FORMATS, STRUCTURED, Example, Planted, build, card_number, iban
from steplens.pipeline.redact import PiiSpan, Redaction, build_redactor
from steplens.pipeline.redact.detectors import IBAN_LENGTHS, iban_valid, luhn_valid


def test_the_set_is_deterministic_and_its_spans_are_exact() -> None:
    first, again = build(3, planted_texts=40, decoy_texts=10), build(3, 40, 10)
    assert first == again
    assert first != build(4, 40, 10)
    for example in first:
        for planted in (*example.planted, *example.known):
            assert example.text[planted.start : planted.end] == planted.value
    assert all(example.planted for example in first[:40])
    assert not any(example.planted for example in first[40:])
    assert {p.kind for e in first for p in e.planted} == {*STRUCTURED, "name"}


def test_generated_cards_and_ibans_are_valid_or_invalid_on_purpose() -> None:
    rng = random.Random(0)
    for _ in range(200):
        assert luhn_valid(card_number(rng))
        assert not luhn_valid(card_number(rng, valid=False))
        assert iban_valid(iban(rng).replace(" ", ""))
        assert not iban_valid(iban(rng, valid=False).replace(" ", ""))
    for country, layout in IBAN_FORMATS.items():
        assert len(layout) + 4 == IBAN_LENGTHS[country], country


def test_scoring_is_span_level() -> None:
    text = "Ask Priya Raman at 07700 900123."
    example = Example(
        "x",
        text,
        (Planted("name", 4, 15, "Priya Raman"), Planted("phone", 19, 31, "07700 900123")),
    )
    half = Redaction("", (PiiSpan("name", 4, 9), PiiSpan("phone", 19, 31), PiiSpan("url", 0, 3)))
    counts, problems = score([example], [half])
    assert (counts["name"][PLANTED], counts["name"][FOUND]) == (1, 0)  # "Raman" leaked
    assert counts["name"]["correct"] == 1 and counts["phone"][FOUND] == 1
    assert counts["url"]["correct"] == 0 and counts["url"]["detections"] == 1
    assert ("false url", "Ask", text) in problems


def test_structured_recall_on_a_slice_of_the_set() -> None:
    examples = build(5, planted_texts=120, decoy_texts=30)
    redactions = build_redactor(names_with_ner=False).redact_many([e.text for e in examples])
    counts, _ = score(examples, redactions)
    for kind in STRUCTURED:
        assert counts[kind][FOUND] >= 0.95 * counts[kind][PLANTED], kind
        assert counts[kind]["correct"] >= 0.95 * counts[kind]["detections"], kind
