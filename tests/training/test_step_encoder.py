"""Fine-tuning the encoder's top layers: parity of the cached trunk, training, save and load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steplens.pipeline.encoder import TunedEncoder
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.steps.trained import TUNED_ENCODER_FILE, StepModelError, load_step_model
from steplens.training.step_encoder import (
    FineTuneSettings,
    TopStack,
    cache_trunk,
    contrastive_pairs,
    encode_cached,
    fine_tune_top_layers,
)
from steplens.training.steps import train_steps
from tests.pipeline.steps.test_trained import JOURNEY, rows

FAST = FineTuneSettings(tuned_layers=1, epochs=2, batch_size=8, learning_rate=5e-4)


def targets_for(labels: list[str]) -> np.ndarray:
    return np.array([[step == label for step in JOURNEY.step_ids] for label in labels])


@pytest.mark.parametrize("tuned_layers", [1, 2, 6])
def test_cached_trunk_plus_top_layers_equals_the_encoder(encoder: Any, tuned_layers: int) -> None:
    texts = ["short", "a somewhat longer text about a parcel that never came 📦", "ok"]
    trunk = cache_trunk(encoder, texts, tuned_layers)
    assert [len(s) for s in trunk.states] == list(trunk.lengths)
    cached = encode_cached(TopStack(encoder, tuned_layers), trunk)
    assert np.allclose(cached, encoder.encode(texts), atol=1e-5)


def test_the_trunk_encodes_pairs_like_sentence_transformers(encoder: Any) -> None:
    texts: list[Any] = ["plain text", ("food", "the food was great but the waiter ignored us")]
    trunk = cache_trunk(encoder, texts, 2)
    cached = encode_cached(TopStack(encoder, 2), trunk)
    expected = encoder.model.encode(texts, normalize_embeddings=True)
    assert np.allclose(cached, expected, atol=1e-5)


@pytest.fixture(scope="module")
def tuned(encoder: Any) -> Any:
    texts, labels = rows()
    return train_steps(JOURNEY, texts, labels, encoder, fine_tune="always", settings=FAST)


def test_always_keeps_the_tuned_layers_and_leaves_the_base_encoder_alone(
    tuned: Any, encoder: Any
) -> None:
    classifier, report = tuned
    before = encoder.encode(["my parcel arrived late"])
    assert classifier.tuned_layers == 1 and classifier.tuned_state is not None
    assert classifier.info["fine_tune"]["kept"] is True
    assert "held-out accuracy_top1" in classifier.info["fine_tune"]["decision"]
    tuned_encoder = classifier.encoder_for(encoder)
    assert isinstance(tuned_encoder, TunedEncoder)
    after = tuned_encoder.encode(["my parcel arrived late"])
    assert not np.allclose(before, after)  # the layers changed ...
    assert np.allclose(encoder.encode(["my parcel arrived late"]), before)  # ... the base did not
    probabilities = classifier.predict_proba(
        tuned_encoder.encode(["the courier lost my parcel", "my visa card was refused"])
    )
    assert [JOURNEY.step_ids[i] for i in probabilities.argmax(axis=1)] == ["delivery", "payment"]
    assert report.held_out["held_out_texts"] > 0


def test_tuned_model_round_trips_through_its_directory(
    tuned: Any, encoder: Any, tmp_path: Path
) -> None:
    classifier, report = tuned
    folder = classifier.save(tmp_path / "model", report)
    assert (folder / TUNED_ENCODER_FILE).is_file()
    assert "fine-tuned" in (folder / "README.md").read_text(encoding="utf-8")
    loaded = load_step_model(folder, journey=JOURNEY, encoder_name=encoder.name)
    texts = ["returns portal is down", "charged twice"]
    original = classifier.predict_proba(classifier.encoder_for(encoder).encode(texts))
    again = loaded.predict_proba(loaded.encoder_for(encoder).encode(texts))
    assert loaded.tuned_layers == 1
    assert np.allclose(original, again, atol=1e-5)


def test_missing_or_corrupt_tuned_layers_are_clear_errors(
    tuned: Any, encoder: Any, tmp_path: Path
) -> None:
    classifier, report = tuned
    folder = classifier.save(tmp_path / "model", report)
    (folder / TUNED_ENCODER_FILE).write_bytes(b"not safetensors")
    with pytest.raises(StepModelError, match="corrupt"):
        load_step_model(folder)
    (folder / TUNED_ENCODER_FILE).unlink()
    with pytest.raises(StepModelError, match=r"encoder\.safetensors is missing"):
        load_step_model(folder)


def test_tuned_layers_from_another_depth_are_refused(encoder: Any) -> None:
    state = TopStack(encoder, 2).state()
    with pytest.raises(SteplensError, match="do not fit"):
        TunedEncoder(encoder, state, 1)


def test_auto_records_its_decision(encoder: Any) -> None:
    texts, labels = rows()
    classifier, report = train_steps(
        JOURNEY, texts, labels, encoder, fine_tune="auto", settings=FAST
    )
    decision = classifier.info["fine_tune"]["decision"]
    assert "frozen" in decision and "fine-tuned" in decision
    if classifier.tuned_layers == 0:
        assert any("fine-tuning not kept" in warning for warning in report.warnings)


def test_multi_label_fine_tuning_uses_one_sigmoid_per_step(encoder: Any) -> None:
    texts, labels = rows()
    texts += ["returned it and the refund took a month to reach my card"] * 2
    labels += ["returns", "payment"]
    classifier, report = train_steps(
        JOURNEY, texts, labels, encoder, fine_tune="always", settings=FAST
    )
    assert report.multi_label and classifier.multi_label
    assert "micro_f1" in report.held_out


def test_contrastive_objective_trains_and_pairs_are_balanced(encoder: Any) -> None:
    texts, labels = rows()
    targets = targets_for(labels)
    pairs = contrastive_pairs(targets, 4, np.random.default_rng(0))
    assert len(pairs) == 4 * len(texts)
    assert 0.3 < pairs[:, 2].mean() < 0.7
    same = targets[pairs[:, 0]].argmax(1) == targets[pairs[:, 1]].argmax(1)
    assert np.array_equal(same, pairs[:, 2] == 1)
    settings = FineTuneSettings(
        objective="contrastive", tuned_layers=1, epochs=1, pairs_per_text=4, batch_size=16
    )
    result = fine_tune_top_layers(encoder, texts, targets, settings)
    assert result.stats["epochs_run"] == 1 and np.isfinite(result.stats["loss_epoch_1"])


def test_the_time_budget_stops_training_early(encoder: Any) -> None:
    texts, labels = rows()
    settings = FineTuneSettings(tuned_layers=1, epochs=20, time_budget_s=0.001)
    result = fine_tune_top_layers(encoder, texts, targets_for(labels), settings)
    assert result.stats["epochs_run"] == 1 and result.stats["stopped_by_budget"]


def test_signals_training_is_deterministic_under_a_seed(encoder: Any, tmp_path: Path) -> None:
    from steplens.pipeline.signals import load_signals_model
    from steplens.training.signals import train_signals
    from steplens.training.signals_data import Example
    from steplens.training.signals_settings import SignalsData, SignalsSettings, _task

    sentiment = [
        Example("the food was great", "positive", "t"),
        Example("awful, cold and late", "negative", "t"),
        Example("it is a restaurant", "neutral", "t"),
        Example("the waiter ignored us", "negative", "t", aspect="service"),
    ] * 3
    effort = [
        Example("I called four times and still no refund", "high", "e"),
        Example("took a while but sorted", "moderate", "e"),
        Example("so easy, two minutes", "low", "e"),
        Example("nice colour", "none", "e"),
    ] * 3
    settings = SignalsSettings(tuned_layers=1, epochs=1, batch_size=4, effort_repeats=1)

    def run() -> Any:
        data = SignalsData(
            _task(sentiment, ("negative", "neutral", "positive"), True),
            _task(sentiment[:4], ("negative", "neutral", "positive"), True),
            _task(effort, ("none", "low", "moderate", "high"), False),
            _task(effort[:4], ("none", "low", "moderate", "high"), False),
        )
        model, chosen = train_signals(encoder, data, settings)
        assert chosen["epoch"] == 1
        return model

    first, second = run(), run()
    for name, array in first.heads.items():
        assert np.array_equal(array, second.heads[name]), name
    folder = first.save(tmp_path / "signals")
    again = load_signals_model(folder, encoder)
    texts = ["the waiter ignored us", "so easy"]
    assert np.allclose(first.predict_proba(texts)[0], again.predict_proba(texts)[0], atol=2e-2)
