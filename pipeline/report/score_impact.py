"""Which steps drag a survey score down: per-step mean score and impact (``--score-column``).

For a score that came with each comment (NPS 0-10, CSAT, CES), per step:

- ``score_mean``: the mean score of the comments that mention the step;
- ``score_impact``: the overall mean minus the mean with that step's comments left out. A
  negative impact means the comments about this step pull the overall score down by that much;
  it is what the overall score would gain if those customers scored like everyone else.

Comments without a usable score (empty, not a number) are left out of both means and counted in
``skipped``, never silently read as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.journey import Journey
from pipeline.report.aggregate import step_entries
from pipeline.report.stats import as_number


@dataclass(frozen=True)
class ScoreImpact:
    """One step's survey-score summary."""

    step: str
    scored_comments: int
    score_mean: float | None
    score_impact: float | None


@dataclass(frozen=True)
class ScoreSummary:
    """The overall mean, per-step impacts, and how many comments had no usable score."""

    column: str
    overall_mean: float | None
    scored: int
    skipped: int
    steps: list[ScoreImpact]


def score_impacts(
    records: Iterable[Mapping[str, Any]], journey: Journey, column: str
) -> ScoreSummary:
    """Per-step mean score and impact on the overall mean (see the module docstring)."""
    total = 0.0
    scored = skipped = 0
    step_sum = dict.fromkeys(journey.step_ids, 0.0)
    step_count = dict.fromkeys(journey.step_ids, 0)
    for number, record in enumerate(records, start=1):
        score = as_number(record.get(column))
        if score is None:
            skipped += 1
            continue
        total += score
        scored += 1
        mentioned = {entry.get("step") for entry in step_entries(record, f"record {number}: ")}
        for step in mentioned & step_sum.keys():
            step_sum[str(step)] += score
            step_count[str(step)] += 1
    overall = total / scored if scored else None
    impacts = []
    for step in journey.step_ids:
        count = step_count[step]
        mean = step_sum[step] / count if count else None
        rest = scored - count
        impact = None
        if overall is not None and count and rest:
            impact = overall - (total - step_sum[step]) / rest
        impacts.append(ScoreImpact(step, count, mean, impact))
    return ScoreSummary(column, overall, scored, skipped, impacts)
