"""The paired bootstrap that says whether one signals model beats another on development texts."""

from __future__ import annotations

import numpy as np

from training.signals_compare import DevPredictions, paired_bootstrap


def predictions(sentiment_errors: int, effort_errors: int) -> DevPredictions:
    rng = np.random.default_rng(1)
    sentiment_gold = rng.integers(0, 3, 300)
    effort_gold = rng.integers(0, 4, 200)
    sentiment, effort = sentiment_gold.copy(), effort_gold.copy()
    sentiment[:sentiment_errors] = (sentiment[:sentiment_errors] + 1) % 3
    effort[:effort_errors] = (effort[:effort_errors] + 1) % 4
    return DevPredictions(sentiment_gold, sentiment, effort_gold, effort)


def test_a_model_against_itself_differs_by_nothing() -> None:
    same = predictions(30, 30)
    result = paired_bootstrap(same, same, draws=200)
    assert result["score_difference"] == 0
    assert result["difference_low"] == result["difference_high"] == 0
    assert result["share_better"] == 0


def test_a_clearly_better_model_wins_almost_every_draw() -> None:
    worse, better = predictions(90, 80), predictions(10, 10)
    result = paired_bootstrap(worse, better, draws=200)
    assert result["score_difference"] > 0.1
    assert 0 < result["difference_low"] < result["score_difference"] < result["difference_high"]
    assert result["share_better"] == 1.0
    flipped = paired_bootstrap(better, worse, draws=200)
    assert flipped["share_better"] == 0.0
    assert np.isclose(flipped["score_difference"], -result["score_difference"])
