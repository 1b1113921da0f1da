"""Rank the steps by where to invest first: observed friction (the funnel) plus stated friction.

``priority_score`` (0 to 100) is the mean of four parts, each divided by the largest value any
step has, so the worst step on each part scores 1:

- observed friction, from the metrics file:
  - ``lost``: customers the step loses (``entered - completed``, summed over the periods);
  - ``excess_lost``: how many more it lost in the latest period than its own usual drop-off
    rate (pooled over the earlier periods) would have lost; 0 when nothing worsened or there
    is only one period. This makes a step that is getting worse stand out even when the step
    is small, and keeps a step whose drop-off is large but normal (browsing) from outranking it;
- stated friction, from the tagged comments:
  - ``negative_mentions``: comments that speak negatively about the step;
  - ``high_effort_mentions``: comments that describe high effort at the step.

Without a metrics file the score is the stated half alone. ``PRIORITY_EXPLANATION`` says the same
for a CX lead and is printed in the report itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from steplens.pipeline.report.aggregate import StepSignals
from steplens.pipeline.report.metrics import StepMetrics, funnel_totals

PRIORITY_EXPLANATION = (
    "Priority (0 to 100) weighs what customers do against what they say, half each. What they "
    "do is the funnel: how many customers the step loses (entered minus completed), and how "
    "many more it lost in the latest period than its own usual drop-off rate would have lost, "
    "so a step that is getting worse stands out even when it is small, and a step that always "
    "loses many browsers does not crowd it out. What they say is how many comments speak "
    "negatively about the step and how many describe high effort there. Each of these four "
    "counts is divided by the largest of any step, so the worst step on each scores 1, and the "
    "priority is their average times 100. Without step metrics, only what customers say "
    "counts. A high rank says where to look first; it is not a forecast of revenue."
)


@dataclass(frozen=True)
class StepFunnel:
    """One step's funnel over the report's periods (all rows summed, groups included)."""

    entered: int
    completed: int
    latest_entered: int | None
    latest_drop_off: float | None
    usual_drop_off: float | None

    @property
    def lost(self) -> int:
        """Customers who entered the step and did not complete it."""
        return self.entered - self.completed

    @property
    def drop_off_rate(self) -> float | None:
        """``1 - completed / entered``; None without traffic."""
        return 1.0 - self.completed / self.entered if self.entered else None

    @property
    def excess_lost(self) -> float:
        """Extra customers lost in the latest period compared with the step's usual rate."""
        if self.latest_entered is None or self.latest_drop_off is None:
            return 0.0
        if self.usual_drop_off is None:
            return 0.0
        return self.latest_entered * max(0.0, self.latest_drop_off - self.usual_drop_off)


@dataclass(frozen=True)
class StepPriority:
    """One step's friction parts, score and rank (1 = look here first)."""

    step: str
    funnel: StepFunnel | None
    negative_mentions: int
    high_effort_mentions: int
    observed_friction: float | None
    stated_friction: float
    priority_score: float
    priority_rank: int


def step_funnels(metrics: StepMetrics) -> dict[str, StepFunnel]:
    """Each step's funnel: totals over every row, and its latest period against the others."""
    totals: dict[str, tuple[int, int]] = {}
    for row in metrics.rows:
        entered, completed = totals.get(row.step, (0, 0))
        totals[row.step] = (entered + row.entered, completed + row.completed)
    by_period = funnel_totals(metrics)
    funnels = {}
    for step, (entered, completed) in totals.items():
        periods = sorted(period for s, period in by_period if s == step)
        latest_entered = latest_drop = usual = None
        if len(periods) >= 2:
            last_in, last_done = by_period[(step, periods[-1])]
            earlier_in = sum(by_period[(step, p)][0] for p in periods[:-1])
            earlier_done = sum(by_period[(step, p)][1] for p in periods[:-1])
            if last_in and earlier_in:
                latest_entered = last_in
                latest_drop = 1.0 - last_done / last_in
                usual = 1.0 - earlier_done / earlier_in
        funnels[step] = StepFunnel(entered, completed, latest_entered, latest_drop, usual)
    return funnels


def prioritise(
    signals: Sequence[StepSignals], metrics: StepMetrics | None = None
) -> list[StepPriority]:
    """Score and rank every step of ``signals`` (journey order in, journey order out)."""
    funnels = step_funnels(metrics) if metrics is not None else {}
    lost = _scaled([float(funnels[s.step].lost) if s.step in funnels else 0.0 for s in signals])
    excess = _scaled([funnels[s.step].excess_lost if s.step in funnels else 0.0 for s in signals])
    negative = _scaled([float(s.negatives) for s in signals])
    high = _scaled([float(s.high_efforts) for s in signals])
    scored = []
    for index, row in enumerate(signals):
        stated = (negative[index] + high[index]) / 2
        observed = (lost[index] + excess[index]) / 2 if metrics is not None else None
        score = 100 * (stated if observed is None else (observed + stated) / 2)
        scored.append((row, observed, stated, score))
    order = sorted(range(len(scored)), key=lambda i: (-round(scored[i][3], 9), i))
    ranks = {index: rank for rank, index in enumerate(order, start=1)}
    return [
        StepPriority(
            step=row.step,
            funnel=funnels.get(row.step),
            negative_mentions=row.negatives,
            high_effort_mentions=row.high_efforts,
            observed_friction=observed,
            stated_friction=stated,
            priority_score=score,
            priority_rank=ranks[index],
        )
        for index, (row, observed, stated, score) in enumerate(scored)
    ]


def _scaled(values: Sequence[float]) -> list[float]:
    top = max(values, default=0.0)
    return [value / top if top > 0 else 0.0 for value in values]
