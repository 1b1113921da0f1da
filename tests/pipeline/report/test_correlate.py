"""Correlation of a step's text signals with its conversion across periods."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from steplens.pipeline.journey import Journey, Step
from steplens.pipeline.records import records_from_rows
from steplens.pipeline.report.aggregate import aggregate
from steplens.pipeline.report.correlate import conversion_by_period, signal_correlations
from steplens.pipeline.report.metrics import load_metrics
from steplens.pipeline.report.periods import parse_period

JOURNEY = Journey(name="mini", steps=[Step(id="checkout"), Step(id="delivery")])
WEEKS = ["2026-W01", "2026-W02", "2026-W03", "2026-W04"]


def test_complaints_that_rise_as_conversion_falls_correlate_negatively(tmp_path: Path) -> None:
    completed = [90, 80, 70, 60]  # checkout converts worse each week
    lines = ["step,period,entered,completed"]
    lines += [f"checkout,{week},100,{done}" for week, done in zip(WEEKS, completed, strict=True)]
    lines += [f"delivery,{week},100,95" for week in WEEKS]
    path = tmp_path / "metrics.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    metrics = load_metrics(path, JOURNEY)
    assert conversion_by_period(metrics)[("checkout", parse_period("2026-W04"))] == 0.6
    records = []
    for week, negatives in zip(WEEKS, [1, 3, 5, 7], strict=True):
        for i in range(10):
            sentiment = "negative" if i < negatives else "positive"
            steps = [{"step": "checkout", "sentiment": sentiment, "sentiment_score": 0.0}]
            records.append({"week": week, "steps": steps})
    by_period = aggregate(
        records_from_rows(records), JOURNEY, key=lambda r: parse_period(str(r.get("week")))
    )
    results = {(r.step, r.signal): r.correlation for r in signal_correlations(by_period, metrics)}
    negative = results[("checkout", "negative_share")]
    assert negative.r == pytest.approx(-1.0) and negative.n == 4
    assert negative.caution is not None and "4 periods" in negative.caution
    assert math.isnan(results[("delivery", "negative_share")].r)  # no mentions at all
