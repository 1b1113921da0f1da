"""Period-over-period changes and alerts: text shares, funnel drop-off, multiple testing."""

from __future__ import annotations

import numpy as np
import pytest

from steplens.pipeline.journey import Journey, Step, load_journey
from steplens.pipeline.paths import samples_dir
from steplens.pipeline.records import FeedbackRecord, records_from_rows
from steplens.pipeline.report.aggregate import aggregate
from steplens.pipeline.report.change import (
    benjamini_hochberg,
    funnel_changes,
    text_changes,
    with_alerts,
)
from steplens.pipeline.report.metrics import load_metrics
from steplens.pipeline.report.periods import parse_period

JOURNEY = Journey(name="mini", steps=[Step(id="checkout"), Step(id="delivery")])


def records(week: str, negative: int, positive: int) -> list[FeedbackRecord]:
    def one(sentiment: str) -> dict[str, object]:
        steps = [{"step": "checkout", "sentiment": sentiment, "effort": "none"}]
        return {"week": week, "steps": steps}

    return records_from_rows([one("negative")] * negative + [one("positive")] * positive)


def test_benjamini_hochberg_matches_a_hand_computation() -> None:
    adjusted = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.2]))
    assert adjusted == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.2])


def test_a_significant_rise_in_negative_share_is_an_alert() -> None:
    rows = records("2026-W01", 10, 90) + records("2026-W02", 40, 60)
    slices = aggregate(rows, JOURNEY, key=lambda r: parse_period(str(r.get("week"))))
    changes = with_alerts(text_changes(slices))
    negative = next(c for c in changes if c.step == "checkout" and c.metric == "negative_share")
    assert negative.before == pytest.approx(0.10) and negative.after == pytest.approx(0.40)
    assert negative.alert and negative.adjusted_p < 0.05
    assert "checkout: negative share rose from 10% in 2026-W01 to 40% in 2026-W02" in (
        negative.describe()
    )
    delivery = [c for c in changes if c.step == "delivery"]
    assert delivery and not any(c.alert for c in delivery)  # no mentions: nothing to alert


def test_small_samples_and_improvements_never_alert() -> None:
    small = records("2026-W01", 0, 5) + records("2026-W02", 5, 0)
    slices = aggregate(small, JOURNEY, key=lambda r: parse_period(str(r.get("week"))))
    assert not any(c.alert for c in with_alerts(text_changes(slices)))
    better = records("2026-W01", 40, 60) + records("2026-W02", 10, 90)
    slices = aggregate(better, JOURNEY, key=lambda r: parse_period(str(r.get("week"))))
    assert not any(c.alert for c in with_alerts(text_changes(slices)))


def test_the_planted_checkout_worsening_alerts_in_the_sample_funnel() -> None:
    journey = load_journey("ecommerce")
    metrics = load_metrics(samples_dir() / "ecommerce_metrics.csv", journey)
    changes = with_alerts(funnel_changes(metrics))
    alerts = [c for c in changes if c.alert]
    assert {c.step for c in alerts} == {"checkout"}  # 1-2 point wobbles elsewhere stay quiet
    assert {c.period for c in alerts} >= {"2026-W31", "2026-W32"}  # the planted worsening
    assert sum(c.p_value < 0.05 for c in changes) > len(alerts)  # significant is not enough
