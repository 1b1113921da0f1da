"""Themes in the report: what no step covers, and sub-themes inside each step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from steplens.pipeline.records import FeedbackRecord, StepMention
from steplens.pipeline.report.themes import uncovered_pieces


def test_uncovered_pieces_are_the_text_outside_every_step() -> None:
    text = "The checkout froze twice. Also your new logo is really ugly and confusing."
    start = text.index("The checkout")
    end = text.index(". Also") + 1
    record = FeedbackRecord(
        id=1,
        text=text,
        step="checkout",
        steps=(StepMention("checkout", 0.9, spans=((start, end),)),),
    )
    assert uncovered_pieces(record) == ["Also your new logo is really ugly and confusing."]
    unassigned = FeedbackRecord(id=2, text="Your new logo is really ugly")
    assert uncovered_pieces(unassigned) == ["Your new logo is really ugly"]
    spanish = FeedbackRecord(id=3, text="Muy mal servicio de verdad", language="es")
    assert uncovered_pieces(spanish) == []
    short = FeedbackRecord(id=4, text="ok thanks")
    assert uncovered_pieces(short) == []


def test_the_sample_report_has_themes_and_sub_themes(
    tagged_sample: Path, encoder: Any, tmp_path: Path
) -> None:
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.report.build import build_report, load_tagged
    from steplens.pipeline.report.outputs import report_data, write_report

    journey = load_journey("ecommerce")
    report = build_report(
        load_tagged(tagged_sample),
        journey,
        period_column="created_at",
        key_phrases=False,
        themes_encoder=base_encoder("fp32"),
    )
    assert report.themes
    with_sub_themes = [step for step, found in report.sub_themes.items() if found]
    assert len(with_sub_themes) >= 3
    for found in report.sub_themes.values():
        for theme in found:
            assert theme.comments <= theme.clauses and 0 < theme.share <= 1
            assert theme.verbatims and theme.key_phrases and theme.by_period
    data = report_data(report)
    assert set(data["sub_themes"]) == set(journey.step_ids) and data["themes"] is True
    page = write_report(report, tmp_path).html.read_text(encoding="utf-8")
    assert "What customers say that no step covers" in page and "What it comes down to" in page
