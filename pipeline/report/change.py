"""Period-over-period change per step, and the alerts a CX lead should see first.

For each step and each pair of consecutive periods, three shares are compared with a pooled
two-proportion z-test (``stats.two_proportion_test``):

- ``negative_share``: negative mentions out of the step's mentions (what customers say);
- ``high_effort_share``: high-effort mentions out of the step's mentions;
- ``drop_off_rate``: customers who entered the step but did not complete it (the funnel).

Testing every step, metric and period pair at once makes false alarms likely, so p-values are
adjusted with the Benjamini-Hochberg procedure across all the changes of a report before they
are compared with ``alpha``. An **alert** is a change that is significant after adjustment, goes
the bad way (the share rises) by at least ``MIN_DIFFERENCE`` (3 percentage points), and rests on
at least ``MIN_N`` observations in both periods. The size floor matters for funnel counts: with
100,000 visitors a week a 1-point wobble in drop-off is "significant" but not news.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from steplens.pipeline.report.aggregate import StepSignals
from steplens.pipeline.report.metrics import StepMetrics, funnel_totals
from steplens.pipeline.report.periods import Period
from steplens.pipeline.report.stats import MIN_N, two_proportion_test

ALPHA = 0.05
MIN_DIFFERENCE = 0.03
METRIC_LABELS = {
    "negative_share": "negative share",
    "high_effort_share": "high-effort share",
    "drop_off_rate": "drop-off rate",
}


@dataclass(frozen=True)
class StepChange:
    """One step's change in one share from one period to the next."""

    step: str
    metric: str
    previous: str
    period: str
    before: float | None
    after: float | None
    difference: float
    p_value: float
    adjusted_p: float
    n_before: int
    n_after: int
    alert: bool = False

    def describe(self) -> str:
        """A one-line sentence for the report's alert list."""
        label = METRIC_LABELS.get(self.metric, self.metric)
        return (
            f"{self.step}: {label} rose from {_percent(self.before)} in {self.previous} to "
            f"{_percent(self.after)} in {self.period} (n = {self.n_before} and {self.n_after}, "
            f"adjusted p = {self.adjusted_p:.3g})"
        )


def text_changes(by_period: Mapping[Period, Sequence[StepSignals]]) -> list[StepChange]:
    """Changes in negative and high-effort share between consecutive periods."""
    periods = sorted(by_period)
    changes = []
    for previous, current in itertools.pairwise(periods):
        before = {row.step: row for row in by_period[previous]}
        for row in by_period[current]:
            old = before.get(row.step)
            if old is None:
                continue
            for metric, x1, x2 in (
                ("negative_share", old.negatives, row.negatives),
                ("high_effort_share", old.high_efforts, row.high_efforts),
            ):
                changes.append(
                    _change(row.step, metric, previous, current, x1, old.mentions, x2, row.mentions)
                )
    return changes


def funnel_changes(metrics: StepMetrics) -> list[StepChange]:
    """Changes in drop-off rate between consecutive periods (rows summed over groups)."""
    totals = funnel_totals(metrics)
    periods = sorted({period for _, period in totals})
    changes = []
    for step in metrics.steps():
        for previous, current in itertools.pairwise(periods):
            if (step, previous) not in totals or (step, current) not in totals:
                continue
            e1, c1 = totals[(step, previous)]
            e2, c2 = totals[(step, current)]
            changes.append(
                _change(step, "drop_off_rate", previous, current, e1 - c1, e1, e2 - c2, e2)
            )
    return changes


def with_alerts(
    changes: Sequence[StepChange],
    alpha: float = ALPHA,
    minimum: int = MIN_N,
    min_difference: float = MIN_DIFFERENCE,
) -> list[StepChange]:
    """The changes with Benjamini-Hochberg adjusted p-values and the ``alert`` flag set."""
    if not changes:
        return []
    adjusted = benjamini_hochberg(np.array([c.p_value for c in changes]))
    return [
        replace(
            change,
            adjusted_p=float(p),
            alert=bool(
                p < alpha
                and change.difference >= min_difference
                and min(change.n_before, change.n_after) >= minimum
            ),
        )
        for change, p in zip(changes, adjusted, strict=True)
    ]


def benjamini_hochberg(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false discovery rate), in the input order."""
    n = len(p_values)
    if n == 0:
        return p_values
    order = np.argsort(p_values)
    ranked = p_values[order] * n / np.arange(1, n + 1)
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    adjusted = np.empty(n)
    adjusted[order] = adjusted_sorted
    return adjusted


def _change(
    step: str,
    metric: str,
    previous: Period,
    current: Period,
    x1: int,
    n1: int,
    x2: int,
    n2: int,
) -> StepChange:
    test = two_proportion_test(x1, n1, x2, n2)
    return StepChange(
        step=step,
        metric=metric,
        previous=previous.label,
        period=current.label,
        before=x1 / n1 if n1 else None,
        after=x2 / n2 if n2 else None,
        difference=0.0 if np.isnan(test.difference) else test.difference,
        p_value=test.p_value,
        adjusted_p=test.p_value,
        n_before=n1,
        n_after=n2,
    )


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"
