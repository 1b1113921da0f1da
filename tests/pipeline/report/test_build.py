"""The assembled report on the tagged sample: ranking, alerts, stages, groups, quotes, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import load_journey
from steplens.pipeline.report.build import StepReport, build_report, load_tagged


def test_the_planted_worsening_step_ranks_first_and_alerts(sample_report: StepReport) -> None:
    top = min(sample_report.priorities, key=lambda p: p.priority_rank)
    assert top.step == "checkout"
    assert "checkout" in {alert.step for alert in sample_report.alerts}
    assert all(alert.alert for alert in sample_report.alerts)
    # product_info loses the most customers every week; that alone must not put it first.
    funnels = {p.step: p.funnel for p in sample_report.priorities}
    assert max(funnels, key=lambda s: funnels[s].lost if funnels[s] else 0) == "product_info"


def test_periods_groups_and_scores_are_filled(sample_report: StepReport) -> None:
    assert [p.label for p in sample_report.by_period] == [f"2026-W{w}" for w in range(27, 35)]
    assert sample_report.undated == 0
    assert set(sample_report.by_group) == {"app", "chat", "email_survey", "web"}
    assert sum(rows[0].comments for rows in sample_report.by_group.values()) == 448
    assert sample_report.score is not None and sample_report.score.scored == 448
    assert sample_report.score.kind == "nps"  # the column is called nps and holds 0-10
    impact = {s.step: s.impact for s in sample_report.score.steps}
    assert impact["checkout"] is not None and impact["checkout"] < 0  # checkout drags NPS down
    assert len(sample_report.correlations) == 12 * 3


def test_stages_count_a_comment_once(sample_report: StepReport) -> None:
    by_step = {row.step: row for row in sample_report.steps}
    stages = {stage.stage: stage for stage in sample_report.stages}
    assert set(stages) == {"consideration", "purchase", "fulfilment", "retention", "support"}
    for stage in stages.values():
        mentions = [by_step[step].mentions for step in stage.steps]
        assert max(mentions) <= stage.signals.mentions <= sum(mentions)
        assert stage.lost == sum(
            p.funnel.lost for p in sample_report.priorities if p.step in stage.steps and p.funnel
        )


def test_verbatims_and_key_phrases(sample_report: StepReport) -> None:
    painful = sample_report.painful["checkout"]
    assert painful and all(quote.effort == "high" for quote in painful)
    scores = [quote.sentiment_score for quote in painful]
    assert scores == sorted(scores)  # most negative first
    typical = sample_report.typical["checkout"]
    assert typical and len({quote.sentiment for quote in typical}) == 1
    assert any("address" in phrase for phrase in sample_report.key_phrases["checkout"])


def test_load_tagged_names_what_is_wrong(tmp_path: Path, write_csv) -> None:
    segments = write_csv([{"id": "a", "segment": 0, "text": "x", "step": "checkout"}], "seg.csv")
    with pytest.raises(SteplensError, match="segment-granularity file"):
        load_tagged(segments)
    raw = write_csv([{"id": "a", "text": "x"}], "raw.csv")
    with pytest.raises(SteplensError, match="Run `steplens tag`"):
        load_tagged(raw)
    broken = write_csv([{"id": "a", "text": "x", "steps": "[{"}], "broken.csv")
    with pytest.raises(SteplensError, match="row 1: column 'steps' is not valid JSON"):
        load_tagged(broken)


def test_bad_dates_and_columns_are_named(tmp_path: Path) -> None:
    journey = load_journey("ecommerce")
    path = tmp_path / "tagged.csv"
    entry = json.dumps([{"step": "checkout", "sentiment": "negative", "effort": "high"}])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "when", "steps"])
        writer.writerow(["a", "checkout broke", "2026-07-01", entry])
        writer.writerow(["b", "checkout broke again", "last tuesday", entry])
        writer.writerow(["c", "no date", "", entry])
    records = load_tagged(path)
    # one bad date does not stop the report: it is left out of trends, counted and named
    report = build_report(records, journey, period_column="when", key_phrases=False)
    assert report.unreadable_dates == [(2, "last tuesday")]
    assert report.undated == 1 and [p.label for p in report.by_period] == ["2026-W27"]
    assert report.comments == 3
    from steplens.pipeline.report.outputs import write_report

    written = write_report(report, tmp_path / "out")
    data = json.loads(written.json.read_text(encoding="utf-8"))
    assert data["unreadable_dates"] == {"count": 1, "first": [{"row": 2, "value": "last tuesday"}]}
    assert "data row 2: “last tuesday”" in written.html.read_text(encoding="utf-8")
    # a column with no date at all is the wrong column
    with pytest.raises(SteplensError, match="period column 'text' holds no dates"):
        build_report(records, journey, period_column="text", key_phrases=False)
    with pytest.raises(SteplensError, match="no column 'chanel'; its columns are: 'id', 'text'"):
        build_report(records, journey, group_by="chanel", key_phrases=False)
