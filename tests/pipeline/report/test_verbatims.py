"""Verbatims quote the clause about the step, and a comment once per step."""

from __future__ import annotations

from pathlib import Path

from steplens.pipeline.records import Signals, StepMention
from steplens.pipeline.report.build import StepReport, load_tagged
from steplens.pipeline.report.verbatims import Mention, painful, quote, typical

RANT = (
    "Search was fine. The checkout froze three times on the address page and I nearly gave up. "
    "Then the courier left the parcel in the rain, soaked through. Support never answered my "
    "three emails about any of it, so I will not be ordering from you again."
)


def span_of(text: str, part: str) -> list[int]:
    start = text.index(part)
    return [start, start + len(part)]


def test_quote_is_the_clause_with_a_little_context() -> None:
    clause = "The courier left the parcel in the rain, soaked through."
    shown = quote(RANT, [span_of(RANT, "the courier left the parcel in the rain, soaked through.")])
    assert "courier left the parcel in the rain" in shown
    assert shown.startswith("…") and shown.endswith("…")
    assert "Search was fine" not in shown and "ordering from you again" not in shown
    assert len(shown) < len(clause) + 2 * 40 + 4
    # words are not cut in half at the edges of the context
    for edge in (shown[1:].split()[0], shown[:-1].split()[-1]):
        assert edge.strip(".,") in RANT.split() or edge in RANT.split()


def test_quote_joins_two_clauses_and_falls_back_to_the_whole_text() -> None:
    spans = [span_of(RANT, "Search was fine."), span_of(RANT, "so I will not be ordering")]
    shown = quote(RANT, spans)
    assert shown.startswith("Search was fine.") and shown.endswith("from you again.")
    assert shown.count(" … ") == 1 and shown.count("…") == 1  # one gap, marked once
    assert quote("short and sweet", None) == "short and sweet"
    assert quote("short and sweet", [[5, 999], "junk"]) == "short and sweet"


def test_a_comment_is_quoted_once_per_step() -> None:
    entry = StepMention(
        "checkout", 0.9, Signals("negative", sentiment_score=-0.9, effort="high", effort_score=4.0)
    )
    mentions = [Mention(str(i), f"comment {i} about checkout", entry) for i in range(5)]
    shown = typical(mentions, 3)
    others = painful(mentions, 3, shown=shown)
    assert {v.id for v in shown}.isdisjoint({v.id for v in others})
    assert len(shown) + len(others) == 5


def test_the_sample_report_quotes_step_clauses(
    tagged_sample: Path, sample_report: StepReport
) -> None:
    records = load_tagged(tagged_sample)
    assert all(mention.spans for record in records for mention in record.steps)
    multi = [r for r in records if len(r.steps) > 1]
    assert multi, "the sample has comments about several steps"
    quotes = [v for step in sample_report.typical for v in sample_report.typical[step]] + [
        v for step in sample_report.painful for v in sample_report.painful[step]
    ]
    assert any(v.quote != " ".join(v.text.split()) for v in quotes)  # some are a clause
    for step in sample_report.typical:
        ids = [v.id for v in sample_report.typical[step] + sample_report.painful[step]]
        assert len(ids) == len(set(ids)), step


def test_key_phrases_count_only_the_step_clauses() -> None:
    text = "The checkout froze on the address page. The courier left the parcel in the rain."
    start, end = span_of(text, "The courier left the parcel in the rain.")
    mention = Mention("a", text, StepMention("delivery", 0.8, spans=((start, end),)))
    assert mention.about_step == "The courier left the parcel in the rain."
    unplaced = StepMention.from_json({"step": "delivery"})  # tagged before spans existed
    assert Mention("b", text, unplaced).about_step == text
