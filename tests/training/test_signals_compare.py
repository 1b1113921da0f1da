"""The paired bootstrap that says whether one signals model beats another on development texts."""

from __future__ import annotations

import numpy as np
import pytest

from steplens.training.signals_compare import (
    MEASURES,
    DevPredictions,
    holds_out_default_sst2,
    paired_bootstrap,
)
from steplens.training.signals_settings import SignalsSettings


def predictions(sentiment_errors: int, effort_errors: int, sst2_errors: int = 0) -> DevPredictions:
    rng = np.random.default_rng(1)
    sentiment_gold = rng.integers(0, 3, 300)
    sources = np.array(["tweeteval"] * 100 + ["mams"] * 100 + ["sst2"] * 100)
    effort_gold = rng.integers(0, 4, 200)
    sentiment, effort = sentiment_gold.copy(), effort_gold.copy()
    sentiment[:sentiment_errors] = (sentiment[:sentiment_errors] + 1) % 3
    sentiment[200 : 200 + sst2_errors] = (sentiment[200 : 200 + sst2_errors] + 1) % 3
    effort[:effort_errors] = (effort[:effort_errors] + 1) % 4
    return DevPredictions(sentiment_gold, sentiment, sources, effort_gold, effort)


def test_a_model_against_itself_differs_by_nothing() -> None:
    same = predictions(30, 30)
    result = paired_bootstrap(same, same, draws=200)
    assert list(result) == list(MEASURES)
    for difference in result.values():
        assert difference.observed == difference.low == difference.high == 0
        assert difference.share_better == 0


def test_a_clearly_better_model_wins_almost_every_draw() -> None:
    worse, better = predictions(90, 80), predictions(10, 10)
    score = paired_bootstrap(worse, better, draws=200)["score"]
    assert score.observed > 0.1
    assert 0 < score.low < score.observed < score.high
    assert score.share_better == 1.0
    flipped = paired_bootstrap(better, worse, draws=200)["score"]
    assert flipped.share_better == 0.0
    assert np.isclose(flipped.observed, -score.observed)


def test_sst2_is_measured_but_kept_out_of_the_score() -> None:
    base, fewer_sst2_errors = predictions(30, 30, sst2_errors=40), predictions(30, 30)
    result = paired_bootstrap(base, fewer_sst2_errors, draws=200)
    assert np.isclose(result["sst2_accuracy"].observed, 0.4)
    assert result["sst2_accuracy"].share_better == 1.0
    assert result["score"].observed == 0
    assert result["tweeteval_accuracy"].observed == 0


def test_sst2_counts_only_for_models_trained_on_the_default_split() -> None:
    def model(**settings: object) -> dict[str, object]:
        return {"sst2_sample": 12_000, "sst2_min_words": 1, "seed": 0, **settings}

    assert SignalsSettings().sst2_sample == 12_000
    assert holds_out_default_sst2(model(), split_seed=0)
    assert holds_out_default_sst2(model(sst2_fresh_per_epoch=True), split_seed=0)
    assert not holds_out_default_sst2(model(sst2_min_words=8), split_seed=0)
    assert not holds_out_default_sst2(model(sst2_sample=20_000), split_seed=0)
    assert not holds_out_default_sst2(model(), split_seed=1)
    # A run that varies only its training seed keeps the default split.
    assert holds_out_default_sst2(model(seed=3, split_seed=0), split_seed=0)
    assert not holds_out_default_sst2(model(seed=3), split_seed=0)
    assert not holds_out_default_sst2({}, split_seed=0)


def test_the_development_split_follows_a_real_text_runs_tweet_sample() -> None:
    from types import SimpleNamespace
    from typing import Any, cast

    from steplens.pipeline.errors import SteplensError
    from steplens.training.signals_compare import development_settings

    def model(**settings: Any) -> Any:
        return cast(Any, SimpleNamespace(info={"settings": settings}))

    shipped, sampled = model(seed=0), model(real_text=True, tweet_neutral_sample=10_000)
    chosen = development_settings([shipped, sampled], 0, real_text=True)
    assert chosen.real_text and chosen.tweet_neutral_sample == 10_000
    assert not chosen.model_view and chosen.effort_rounds == 3  # raw texts, rounds one to three
    assert development_settings([shipped, sampled], 0, real_text=False).tweet_neutral_sample == 0
    with pytest.raises(SteplensError, match="different neutral SemEval tweet samples"):
        development_settings([sampled, model(real_text=True)], 0, real_text=True)
