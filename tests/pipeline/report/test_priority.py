"""Priority: observed friction (lost and extra-lost customers) plus stated friction, ranked."""

from __future__ import annotations

from pathlib import Path

import pytest

from steplens.pipeline.journey import Journey, Step
from steplens.pipeline.records import Signals, StepMention
from steplens.pipeline.report.aggregate import summarise
from steplens.pipeline.report.metrics import MetricsRow, StepMetrics
from steplens.pipeline.report.periods import parse_period
from steplens.pipeline.report.priority import PRIORITY_EXPLANATION, prioritise, step_funnels

JOURNEY = Journey(name="shop", steps=[Step(id="browse"), Step(id="checkout"), Step(id="delivery")])


def signals(negatives: dict[str, int], high: dict[str, int]) -> list:
    rows = []
    for step in JOURNEY.step_ids:
        negative = StepMention(step, 0.9, Signals("negative", -0.8, "none", None))
        effortful = StepMention(step, 0.9, Signals("neutral", 0.0, "high", 4.5))
        entries = [negative] * negatives.get(step, 0) + [effortful] * high.get(step, 0)
        rows.append(summarise(step, step, 100, entries))
    return rows


def metrics(rows: list[tuple[str, str, int, int]]) -> StepMetrics:
    return StepMetrics(
        source=Path("m.csv"),
        journey_steps=tuple(JOURNEY.step_ids),
        rows=tuple(
            MetricsRow(i + 1, step, parse_period(period), entered, completed)
            for i, (step, period, entered, completed) in enumerate(rows)
        ),
        period_kind="week",
        group_columns=(),
        metric_columns=(),
        extra_columns=(),
    )


# browse loses 60% every week (normal browsing); checkout is small and gets worse in week 3.
FUNNEL = [
    ("browse", "2026-W01", 10_000, 4_000),
    ("browse", "2026-W02", 10_000, 4_000),
    ("browse", "2026-W03", 10_000, 4_000),
    ("checkout", "2026-W01", 2_000, 1_600),
    ("checkout", "2026-W02", 2_000, 1_600),
    ("checkout", "2026-W03", 2_000, 1_000),
    ("delivery", "2026-W01", 1_000, 990),
    ("delivery", "2026-W02", 1_000, 990),
    ("delivery", "2026-W03", 1_000, 990),
]


def test_excess_lost_compares_the_latest_period_with_the_steps_own_usual_rate() -> None:
    funnels = step_funnels(metrics(FUNNEL))
    checkout = funnels["checkout"]
    assert checkout.usual_drop_off == pytest.approx(0.2)
    assert checkout.latest_drop_off == pytest.approx(0.5)
    assert checkout.excess_lost == pytest.approx(2_000 * 0.3)
    assert funnels["browse"].lost == 18_000 and funnels["browse"].excess_lost == 0.0


def test_a_worsening_step_outranks_a_large_steady_drop_off() -> None:
    ranked = prioritise(signals({"checkout": 20, "delivery": 5}, {"checkout": 8}), metrics(FUNNEL))
    by_step = {p.step: p for p in ranked}
    assert by_step["checkout"].priority_rank == 1
    assert by_step["browse"].priority_rank == 2  # most customers lost, but nothing new
    assert by_step["checkout"].priority_score == pytest.approx(
        100 * ((1_800 / 18_000 + 1.0) / 2 + 1.0) / 2
    )
    assert [p.step for p in ranked] == JOURNEY.step_ids  # journey order, ranks inside


def test_without_metrics_priority_is_what_customers_say() -> None:
    ranked = prioritise(signals({"delivery": 10, "checkout": 5}, {"delivery": 2, "checkout": 4}))
    by_step = {p.step: p for p in ranked}
    assert by_step["browse"].observed_friction is None and by_step["browse"].priority_score == 0
    assert by_step["delivery"].priority_score == pytest.approx(100 * (1.0 + 0.5) / 2)
    assert by_step["checkout"].priority_score == pytest.approx(100 * (0.5 + 1.0) / 2)
    # Ties are broken by journey order, so ranks are unique and stable.
    assert (by_step["checkout"].priority_rank, by_step["delivery"].priority_rank) == (1, 2)


def test_nothing_to_rank_scores_zero_without_dividing_by_zero() -> None:
    ranked = prioritise(signals({}, {}), metrics([("browse", "2026-W01", 0, 0)]))
    assert all(p.priority_score == 0 for p in ranked)
    assert sorted(p.priority_rank for p in ranked) == [1, 2, 3]


def test_the_explanation_names_every_part() -> None:
    for words in ("loses", "latest period", "negatively", "high effort", "100"):
        assert words in PRIORITY_EXPLANATION
