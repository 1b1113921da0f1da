"""Survey-score impact per step."""

from __future__ import annotations

import pytest

from pipeline.journey import Journey, Step
from pipeline.report.score_impact import score_impacts

JOURNEY = Journey(name="mini", steps=[Step(id="checkout"), Step(id="delivery"), Step(id="returns")])


def record(nps: object, *steps: str) -> dict[str, object]:
    return {"nps": nps, "steps": [{"step": step} for step in steps]}


def test_impact_is_the_overall_mean_minus_the_mean_without_the_step() -> None:
    records = [
        record(2, "delivery"),
        record(4, "delivery", "checkout"),
        record(9, "checkout"),
        record(10),
        record("", "delivery"),  # no score: skipped, not read as 0
        record("n/a", "returns"),
    ]
    summary = score_impacts(records, JOURNEY, "nps")
    assert (summary.scored, summary.skipped) == (4, 2)
    assert summary.overall_mean == pytest.approx(25 / 4)
    by_step = {impact.step: impact for impact in summary.steps}
    delivery = by_step["delivery"]
    assert delivery.scored_comments == 2 and delivery.score_mean == pytest.approx(3.0)
    assert delivery.score_impact == pytest.approx(25 / 4 - (9 + 10) / 2)  # drags NPS down
    assert by_step["checkout"].score_impact == pytest.approx(25 / 4 - (2 + 10) / 2)
    returns = by_step["returns"]
    assert returns.scored_comments == 0 and returns.score_mean is None
    assert returns.score_impact is None


def test_a_step_every_comment_mentions_has_no_impact_to_compare() -> None:
    summary = score_impacts([record(5, "checkout"), record(7, "checkout")], JOURNEY, "nps")
    checkout = summary.steps[0]
    assert checkout.score_mean == pytest.approx(6.0) and checkout.score_impact is None
