"""Property-based (hypothesis): hostile text never crashes segmentation, tagging or the report.

Any Unicode (control characters, zero-width and right-to-left marks, emoji floods, HTML and
Markdown), very long texts: segments always have valid offsets into their comment, tagged
records are always valid JSON, and report.html always keeps customer text as text.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

MARKS = [
    "\u200b",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\x00",
    "\x07",
    "\r",
    "\n",
    "\t",
    "\u2028",
    "🙂",
    "👨‍👩‍👧",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**bold** _x_ [link](http://x.y)",
    "&amp;",
    "\\",
]
hostile = st.lists(
    st.one_of(st.text(max_size=40), st.sampled_from(MARKS), st.just("checkout froze ")),
    max_size=12,
).map("".join)
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def segmenter() -> Any:
    from steplens.pipeline.segment import load_segmenter

    return load_segmenter()


@pytest.fixture(scope="module")
def tagger(encoder: Any) -> Any:
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.tagger import build_tagger

    return build_tagger(load_journey("ecommerce"))


@SETTINGS
@given(texts=st.lists(hostile, min_size=1, max_size=4))
def test_segments_always_have_valid_offsets(segmenter: Any, texts: list[str]) -> None:
    for text, segments in zip(texts, segmenter.segment_many(texts), strict=True):
        previous_end = 0
        for segment in segments:
            assert 0 <= segment.start <= segment.end <= len(text)
            assert segment.start >= previous_end
            assert text[segment.start : segment.end] == segment.text
            previous_end = segment.end


def test_a_100000_character_text_is_segmented(segmenter: Any) -> None:
    text = ("The checkout froze again and again, " * 3000)[:100_000]
    segments = segmenter.segment(text)
    assert segments and all(text[s.start : s.end] == s.text for s in segments)


@SETTINGS
@given(texts=st.lists(hostile, min_size=1, max_size=3))
def test_tagged_records_are_always_valid_json_and_csv(
    tagger: Any, texts: list[str], tmp_path_factory: Any
) -> None:
    from steplens.pipeline.tables import TableWriter, open_table
    from steplens.pipeline.tables.readers import Chunk
    from steplens.pipeline.tagger import as_rows, chunk_records

    ids = list(range(len(texts)))
    chunk = Chunk(0, [{"id": i, "text": t} for i, t in zip(ids, texts, strict=True)], texts, ids)
    records = as_rows(chunk_records(chunk, tagger.tag(texts)), "comment")
    text = json.dumps(records, ensure_ascii=False, allow_nan=False)
    assert json.loads(text) == json.loads(json.dumps(records, allow_nan=False))
    for record in records:
        if record["language"] != "en":  # read as another language: left unscored, on purpose
            assert record["sentiment_score"] is None and record["step"] == "unassigned"
            continue
        assert -1.0 <= record["sentiment_score"] <= 1.0
        assert 0.0 <= record["step_confidence"] <= 1.0
    out = tmp_path_factory.mktemp("csv") / "tagged.csv"
    with TableWriter(out, columns=list(records[0])) as writer:
        writer.write(records)
    back = [row for part in open_table(out) for row in part.rows]
    assert [row["text"] for row in back] == [str(r["text"]) for r in records]


@SETTINGS
@given(texts=st.lists(hostile, min_size=1, max_size=6))
def test_the_report_page_keeps_text_as_text(texts: list[str], tmp_path_factory: Any) -> None:
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.records import records_from_rows
    from steplens.pipeline.report.build import build_report
    from steplens.pipeline.report.outputs import write_report

    entry = {
        "step": "checkout",
        "confidence": 0.9,
        "sentiment": "negative",
        "sentiment_score": -0.9,
        "effort": "high",
        "effort_score": 5.0,
    }
    rows = [{"id": f"h{i}", "text": t, "steps": [entry]} for i, t in enumerate(texts)]
    report = build_report(records_from_rows(rows), load_journey("ecommerce"), key_phrases=False)
    folder: Path = tmp_path_factory.mktemp("hostile")
    page = write_report(report, folder).html.read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img" not in page and "<b>" not in page
    assert page.count("<script") == 2
    data = page.split('id="report-data">')[1].split("</script>")[0]
    assert json.loads(data)["comments"] == len(texts)
