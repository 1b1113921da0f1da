"""Comments not in English are detected, left unscored, not redacted as English, and counted."""

from __future__ import annotations

from typing import Any

import pytest

from steplens.pipeline.journey import UNASSIGNED, load_journey
from steplens.pipeline.language import ENGLISH, load_language_detector
from steplens.pipeline.report.build import StepReport


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Muy mal servicio", "es"),  # the example
        ("@Iberia Muy mal servicio, el vuelo salió con tres horas de retraso", "es"),
        ("La livraison a pris deux semaines", "fr"),
        ("Der Kundenservice ist schrecklich", "de"),
        ("退款还没有到账", "zh"),
        ("thx so much!!", ENGLISH),  # short English that Lingua alone reads as Spanish
        ("meh whatever dude", ENGLISH),
        ("fantastic computer .", ENGLISH),
        ("@AirFrance thanks for nothing, my bag is still in Paris", ENGLISH),
        ("ok", ENGLISH),  # too short to tell: read as English
    ],
)
def test_detected_language(text: str, code: str) -> None:
    assert load_language_detector().detect(text) == code


def test_a_comment_not_in_english_is_not_scored(encoder: Any) -> None:
    from steplens.pipeline.tagger import as_rows, build_tagger, chunk_records, texts_chunk

    tagger = build_tagger(load_journey("ecommerce"))
    texts = ["Muy mal servicio, el paquete llegó roto", "The parcel arrived broken", ""]
    spanish, english, empty = tagger.tag(texts)
    assert spanish.language == "es" and spanish.step == UNASSIGNED and spanish.steps == []
    assert spanish.signals is None and spanish.signals_skipped
    assert english.language == ENGLISH and english.step != UNASSIGNED
    assert english.signals is not None
    assert empty.language == ENGLISH
    records = as_rows(chunk_records(texts_chunk(texts), [spanish, english, empty]), "comment")
    assert records[0]["language"] == "es" and records[0]["sentiment"] is None
    assert set(records[0]) == set(records[1])  # the same columns in every row
    evidence = tagger.step_evidence(texts)
    assert evidence[0].clauses.shape[0] == 0  # evaluate reads it as tag does: unassigned


def test_names_are_not_looked_for_in_other_languages() -> None:
    from steplens.pipeline.redact import build_redactor

    redactor = build_redactor()
    texts = ["Muy mal servicio", "Call me on +44 7700 900123, Muy mal servicio"]
    as_english = redactor.redact_many(texts)
    as_spanish = redactor.redact_many(texts, ["es", "es"])
    assert as_spanish[0].text == "Muy mal servicio"
    assert "[PHONE]" in as_spanish[1].text  # structured PII in any language
    assert "[NAME]" not in as_spanish[1].text
    assert len(as_english) == 2


def test_the_report_counts_comments_not_in_english(sample_report: StepReport) -> None:
    assert sample_report.not_english == {"es": 1, "fr": 1}  # the sample's two (README)


def test_lone_surrogates_do_not_stop_detection() -> None:
    assert load_language_detector().detect("checkout froze again today \ud83d") == ENGLISH


def test_parquet_output_when_the_first_chunk_is_not_english(tmp_path: Any, encoder: Any) -> None:
    import pyarrow.parquet as pq

    from steplens.pipeline.tagger import build_tagger, tag_file

    source = tmp_path / "mixed.jsonl"
    source.write_text(
        '{"id": "1", "text": "Muy mal servicio, el paquete llegó roto"}\n'
        '{"id": "2", "text": "The parcel arrived a week late and broken"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "tagged.parquet"
    tag_file(build_tagger(load_journey("ecommerce")), source, out, chunk_size=1)
    rows = pq.read_table(out).to_pylist()
    assert [row["language"] for row in rows] == ["es", ENGLISH]
    assert rows[0]["sentiment_score"] is None and isinstance(rows[1]["sentiment_score"], float)
    assert rows[1]["steps"] and rows[1]["steps"][0]["spans"]
