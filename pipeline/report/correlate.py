"""Does what customers say move with what the funnel shows? Per-step correlations over periods.

For each step, across the periods that have both tagged comments and metrics, the Pearson
correlation of the step's conversion (``completed / entered``) with each text signal: negative
share, high-effort share and mean sentiment. A negative r for negative share means conversion
falls in the periods where more customers complain about the step. Each correlation carries its
``n`` (periods) and a caution below ``stats.CORRELATION_MIN_N``: a handful of weeks is a hint,
not evidence.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from steplens.pipeline.report.aggregate import StepSignals
from steplens.pipeline.report.metrics import StepMetrics, funnel_totals
from steplens.pipeline.report.periods import Period
from steplens.pipeline.report.stats import Correlation, correlation

SIGNALS = ("negative_share", "high_effort_share", "sentiment_mean")


@dataclass(frozen=True)
class SignalCorrelation:
    """One step's correlation of one text signal with its conversion across periods."""

    step: str
    signal: str
    correlation: Correlation


def conversion_by_period(metrics: StepMetrics) -> dict[tuple[str, Period], float]:
    """``completed / entered`` per (step, period), summed over groups; periods with no traffic
    are left out."""
    totals = funnel_totals(metrics)
    return {key: completed / entered for key, (entered, completed) in totals.items() if entered}


def signal_correlations(
    by_period: Mapping[Period, Sequence[StepSignals]], metrics: StepMetrics
) -> list[SignalCorrelation]:
    """Every step's correlations (journey order, then ``SIGNALS`` order)."""
    conversion = conversion_by_period(metrics)
    periods = sorted(by_period)
    steps = [row.step for row in by_period[periods[0]]] if periods else []
    results = []
    for index, step in enumerate(steps):
        rows = [(period, by_period[period][index]) for period in periods]
        pairs = [(conversion.get((step, period)), row) for period, row in rows]
        for signal in SIGNALS:
            xs = [_value(getattr(row, signal)) for converted, row in pairs if converted is not None]
            ys = [converted for converted, _ in pairs if converted is not None]
            results.append(SignalCorrelation(step, signal, correlation(xs, ys)))
    return results


def _value(value: float | None) -> float:
    return math.nan if value is None else float(value)
