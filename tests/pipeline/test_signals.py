"""The signals model: scores from probabilities, agreement metrics, the shipped model, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steplens.pipeline.agreement import cohen_kappa, effort_agreement, macro_recall
from steplens.pipeline.signals import (
    EFFORT_LABELS,
    SignalsModelError,
    load_signals_model,
    signals_from_proba,
    signals_model_dir,
    split_windows,
)


def test_scores_follow_the_documented_definitions() -> None:
    sentiment = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]], dtype=np.float32)
    effort = np.array([[0.9, 0.05, 0.03, 0.02], [0.1, 0.0, 0.3, 0.6]], dtype=np.float32)
    first, second = signals_from_proba(sentiment, effort)
    assert (first.sentiment, first.sentiment_score) == ("negative", pytest.approx(-0.6))
    assert first.effort == "none" and first.effort_score is None
    assert second.sentiment == "positive" and second.sentiment_score == pytest.approx(0.7)
    assert second.effort == "high"
    assert second.effort_score == pytest.approx((0.3 * 3 + 0.6 * 5) / 0.9, abs=1e-3)
    assert 1.0 <= second.effort_score <= 5.0


def test_kappas_match_scikit_learn() -> None:
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, 200)
    b = np.where(rng.random(200) < 0.7, a, rng.integers(0, 4, 200))
    assert cohen_kappa(a, b, 4) == pytest.approx(cohen_kappa_score(a, b))
    assert cohen_kappa(a, b, 4, quadratic=True) == pytest.approx(
        cohen_kappa_score(a, b, weights="quadratic")
    )


def test_effort_agreement_and_macro_recall() -> None:
    gold = np.array([0, 0, 1, 2, 3, 3])
    predicted = np.array([0, 2, 1, 2, 3, 0])
    scores = effort_agreement(gold, predicted)
    assert scores["signal_precision"] == pytest.approx(3 / 4)
    assert scores["signal_recall"] == pytest.approx(3 / 4)
    assert scores["qwk"] == pytest.approx(1.0) and scores["qwk_texts"] == 3
    assert macro_recall(gold, predicted, 4) == pytest.approx((0.5 + 1 + 1 + 0.5) / 4)


@pytest.fixture(scope="module")
def signals(encoder: Any) -> Any:
    return load_signals_model(signals_model_dir(), encoder)


def test_the_shipped_model_scores_clauses(signals: Any) -> None:
    texts = [
        "the delivery was fast and the driver was lovely",
        "I called four times and I'm still waiting for my refund after three weeks",
        "the food was great",
        "",
        "@united https://example.com/x #123456",
        "https://example.com/x",
        "la comida estaba fría",
        "😡😡",
    ]
    sentiment, effort = signals.predict_proba(texts)
    assert sentiment.shape == (len(texts), 3) and effort.shape == (len(texts), len(EFFORT_LABELS))
    assert np.allclose(sentiment.sum(1), 1, atol=1e-5) and np.allclose(effort.sum(1), 1, atol=1e-5)
    results = signals_from_proba(sentiment, effort)
    for empty in results[3:6]:  # empty, handle and URL only: a defined answer
        assert (empty.sentiment, empty.sentiment_score, empty.effort) == ("neutral", 0.0, "none")
    assert results[7].sentiment == "negative"  # emoji are read by their names
    assert results[6].sentiment in {"negative", "neutral", "positive"}  # non-English: no crash
    assert results[0].sentiment == "positive"
    assert results[1].sentiment == "negative" and results[1].effort == "high"
    assert results[2].effort == "none"


def test_step_conditioning_reads_the_polarity_towards_the_step(signals: Any) -> None:
    if not signals.condition_on_steps:
        pytest.skip("the shipped model is not step-conditioned")
    text = "the food was great but the waiter ignored us for an hour"
    sentiment, _ = signals.predict_proba([text, text], ["food", "service"])
    assert sentiment[0, 2] > sentiment[0, 0]  # food: positive
    assert sentiment[1, 0] > sentiment[1, 2]  # service: negative


def test_a_missing_or_corrupt_model_is_a_clear_error(encoder: Any, tmp_path: Path) -> None:
    with pytest.raises(SignalsModelError, match=r"training\.signals"):
        load_signals_model(tmp_path / "nowhere", encoder)
    folder = tmp_path / "broken"
    folder.mkdir()
    for name in ("config.json", "heads.safetensors"):
        (folder / name).write_bytes((signals_model_dir() / name).read_bytes())
    (folder / "encoder.safetensors").write_bytes(b"garbage")
    with pytest.raises(SignalsModelError, match="missing or corrupt"):
        load_signals_model(folder, encoder)


def test_long_clauses_are_scored_in_windows(signals: Any) -> None:
    windows, owners = split_windows(["short one", " ".join(["word"] * 400), ""], words=150)
    assert owners.tolist() == [0, 1, 1, 1, 1, 1, 2]
    assert all(len(w.split()) <= 150 for w in windows)
    long_text = "the courier never came and I waited all day again. " * 60
    sentiment, effort = signals.predict_proba(["fine", long_text], ["delivery", "delivery"])
    assert sentiment.shape == (2, 3) and np.allclose(effort.sum(1), 1, atol=1e-5)
    assert signals_from_proba(sentiment, effort)[1].sentiment == "negative"


def test_the_head_scale_travels_with_the_model(tmp_path: Path) -> None:
    import shutil

    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.signals import HEAD_SCALE, load_signals_model, signals_model_dir

    folder = tmp_path / "signals"
    shutil.copytree(signals_model_dir(), folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config["head_scale"] == HEAD_SCALE
    config["head_scale"] = 5.0
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    base = base_encoder("fp32")
    shipped, rescaled = (
        load_signals_model(signals_model_dir(), base),
        load_signals_model(folder, base),
    )
    assert (shipped.head_scale, rescaled.head_scale) == (HEAD_SCALE, 5.0)
    text = ["the courier was rude and the parcel was late"]
    sharp = shipped.predict_proba(text)[0][0].max()
    flat = rescaled.predict_proba(text)[0][0].max()
    assert flat < sharp  # a smaller scale flattens the probabilities: the saved value is used
