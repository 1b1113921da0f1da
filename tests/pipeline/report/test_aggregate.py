"""Per-step aggregation of tagged comments: counts, shares, intervals, slices, bad records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey, Step
from steplens.pipeline.records import parse_steps, records_from_rows
from steplens.pipeline.report.aggregate import aggregate

JOURNEY = Journey(name="mini", steps=[Step(id="checkout"), Step(id="delivery"), Step(id="returns")])


def entry(
    step: str, sentiment: str, score: float, effort: str, effort_score: Any
) -> dict[str, Any]:
    return {
        "step": step,
        "confidence": 0.9,
        "sentiment": sentiment,
        "sentiment_score": score,
        "effort": effort,
        "effort_score": effort_score,
    }


ROWS = [
    {"week": "W1", "steps": [entry("delivery", "negative", -0.8, "high", 4.6)]},
    {"week": "W1", "steps": [entry("delivery", "positive", 0.6, "none", None)]},
    {
        "week": "W2",
        "steps": json.dumps(  # as read back from CSV
            [
                entry("checkout", "positive", 0.9, "low", 1.2),
                entry("delivery", "negative", -0.4, "moderate", 3.0),
            ]
        ),
    },
    {"week": "W2", "steps": "[]"},
]
RECORDS = records_from_rows(ROWS)


def test_one_slice_counts_shares_and_means() -> None:
    (rows,) = aggregate(RECORDS, JOURNEY, minimum=2).values()
    by_step = {row.step: row for row in rows}
    assert [row.step for row in rows] == ["checkout", "delivery", "returns"]
    delivery = by_step["delivery"]
    assert (delivery.comments, delivery.mentions, delivery.share) == (4, 3, 0.75)
    assert delivery.sentiment_mean == pytest.approx((-0.8 + 0.6 - 0.4) / 3)
    assert delivery.negative_share == pytest.approx(2 / 3)
    assert delivery.effort_mean == pytest.approx((4.6 + 3.0) / 2)  # 'none' has no score
    assert delivery.high_effort_share == pytest.approx(1 / 3)
    low, high = delivery.negative_interval
    assert low < 2 / 3 < high and delivery.enough
    returns = by_step["returns"]
    assert returns.mentions == 0 and returns.sentiment_mean is None and not returns.enough
    assert returns.negative_interval == (0.0, 1.0)
    assert set(delivery.as_row()) >= {
        "step",
        "name",
        "comments",
        "mentions",
        "share",
        "sentiment_mean",
        "negative_share",
        "effort_mean",
        "high_effort_share",
    }


def test_slices_by_key() -> None:
    slices = aggregate(RECORDS, JOURNEY, key=lambda record: record.get("week"))
    assert set(slices) == {"W1", "W2"}
    week1 = {row.step: row for row in slices["W1"]}
    assert (week1["delivery"].comments, week1["delivery"].mentions) == (2, 2)
    assert {row.step: row.mentions for row in slices["W2"]} == {
        "checkout": 1,
        "delivery": 1,
        "returns": 0,
    }


def test_bad_records_are_named() -> None:
    stray = records_from_rows([{"steps": [entry("payment", "neutral", 0.0, "none", None)]}])
    with pytest.raises(SteplensError, match="tagged record 1: step 'payment' is not in journey"):
        aggregate(stray, JOURNEY)
    with pytest.raises(SteplensError, match="record 2: column 'steps' is not valid JSON"):
        records_from_rows([{"steps": "[]"}, {"steps": "[{"}])
    with pytest.raises(SteplensError, match="record 1: a 'steps' entry has no step name"):
        records_from_rows([{"steps": [{"confidence": 0.5}]}])
    assert parse_steps("") == [] and parse_steps(None) == []


def test_the_tagged_sample_aggregates(tagged_sample: Path) -> None:
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.report.build import load_tagged

    journey = load_journey("ecommerce")
    records = load_tagged(tagged_sample)
    (rows,) = aggregate(records, journey).values()
    assert sum(row.mentions for row in rows) >= len(records) * 0.7
    assert all(row.comments == len(records) for row in rows)
    checkout = next(row for row in rows if row.step == "checkout")
    assert checkout.mentions > 0 and checkout.negative_share is not None
