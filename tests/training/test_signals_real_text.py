"""The real-text sources of the signals model, the augmentation, calibration and checkpoints."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steplens.pipeline.signals import SENTIMENT_LABELS
from steplens.training.signals_augment import TRAINING_BRANDS, augment
from steplens.training.signals_calibrate import calibrate_effort_bias
from steplens.training.signals_data import (
    Example,
    acos_sentences,
    review_sentences,
    semeval_tweets,
    sxsw_brand_tweets,
    tweet_key,
    tweeteval,
)


@pytest.fixture(scope="module")
def tweets() -> list[Example]:
    return semeval_tweets()


def test_semeval_tweets_leave_out_every_tweeteval_dev_and_test_tweet(
    tweets: list[Example],
) -> None:
    held = {tweet_key(e.text) for split in ("val", "test") for e in tweeteval(split)}
    keys = [tweet_key(e.text) for e in tweets]
    assert not held & set(keys)
    assert len(keys) == len(set(keys))  # each text once
    assert 40_000 < len(tweets) < 50_000
    assert set(Counter(e.label for e in tweets)) == {"negative", "neutral", "positive"}


def test_semeval_escapes_and_quotes_are_decoded(tweets: list[Example]) -> None:
    texts = [e.text for e in tweets]
    assert not any("\\u2019" in t or "\\u002c" in t for t in texts)
    assert any("’" in t for t in texts) and any("," in t for t in texts)
    # The 2016 test file wraps every text in quotes; only tweets that are themselves a quotation
    # (a few dozen, quoted twice in the file) still start and end with one.
    assert sum(t.startswith('"') and t.endswith('"') for t in texts) < 50


def test_other_real_sources_load() -> None:
    reviews = review_sentences()
    assert len(reviews) == 5_771 and {e.label for e in reviews} == {"positive", "negative"}
    brand = sxsw_brand_tweets()
    assert {e.label for e in brand} == {"positive", "negative", "neutral"}
    assert not any("{link}" in e.text for e in brand)
    sentences = acos_sentences("train")
    assert len(sentences) > 2_500
    assert all(p in {"negative", "neutral", "positive"} for _, pairs in sentences for _, p in pairs)


def test_augmentation_keeps_count_order_labels_and_aspects() -> None:
    examples = [Example(f"text number {i} was fine", "positive", "x") for i in range(400)]
    examples += [Example("the food was great", "positive", "mams", aspect="food")] * 50
    changed = augment(examples, 0.5, seed=3)
    assert len(changed) == len(examples)
    assert [e.label for e in changed] == [e.label for e in examples]
    assert changed[400:] == examples[400:]  # aspect pairs untouched
    altered = [new for new, old in zip(changed, examples, strict=True) if new != old]
    assert 150 < len(altered) < 250
    assert all(
        old.text.split()[0] in new.text or "@" in new.text
        for new, old in zip(changed, examples, strict=True)
    )
    assert augment(examples, 0.5, seed=3) == changed  # deterministic


def test_augmentation_brands_are_not_the_behavioural_suites() -> None:
    from bench.checklist import SUITE_BRANDS, SUITE_EMOJI
    from steplens.training.signals_augment import OBJECT_EMOJI

    assert not {b.lower() for b in TRAINING_BRANDS} & {b.lower() for b in SUITE_BRANDS}
    assert not set(OBJECT_EMOJI) & set(SUITE_EMOJI)


def test_effort_calibration_moves_a_boundary_that_is_off() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 4, 600)
    logits = np.eye(4, dtype=np.float32)[gold] * 2.0 + rng.normal(0, 0.6, (600, 4)).astype(
        np.float32
    )
    logits[:, 1] -= 2.5  # a head that almost never says `low`
    result = calibrate_effort_bias(logits, gold, draws=5)
    assert result.offsets[0] == 0.0 and result.offsets[1] > 1.0
    assert result.after > result.before


def test_a_cut_off_run_resumes_to_the_same_model(tmp_path: Path, encoder: Any) -> None:
    """Two epochs straight, and one epoch then a resume from the checkpoint, give one model."""
    from steplens.training.signals import train_signals
    from steplens.training.signals_settings import SignalsSettings, TaskData, load_data

    settings = SignalsSettings(epochs=2, augment_share=0.0)
    data = load_data(replace(settings, real_text=False))

    def small(task: TaskData, n: int) -> TaskData:
        index = np.arange(0, len(task.inputs), max(1, len(task.inputs) // n))[:n]
        return TaskData(
            [task.inputs[i] for i in index], task.targets[index], [task.sources[i] for i in index]
        )

    def fresh() -> Any:
        return replace(
            data,
            sentiment_train=small(data.sentiment_train, 96),
            sentiment_dev=small(data.sentiment_dev, 64),
            effort_train=small(data.effort_train, 64),
            effort_dev=small(data.effort_dev, 64),
        )

    straight, _ = train_signals(encoder, fresh(), settings)
    checkpoint = tmp_path / "run.pt"

    class CutOff(Exception):
        pass

    def cut_in_epoch_two(message: str) -> None:
        if message.startswith("epoch 2/"):
            raise CutOff  # after epoch 2 trained, before its checkpoint was written

    with pytest.raises(CutOff):
        train_signals(
            encoder, fresh(), settings, on_progress=cut_in_epoch_two, checkpoint=checkpoint
        )
    with pytest.raises(SystemExit, match="other settings"):
        train_signals(encoder, fresh(), replace(settings, seed=5), checkpoint=checkpoint)
    notes: list[str] = []
    resumed, _ = train_signals(
        encoder, fresh(), settings, on_progress=notes.append, checkpoint=checkpoint
    )
    assert any("resuming" in note and "after epoch 1" in note for note in notes)
    for name, array in straight.heads.items():
        assert np.allclose(array, resumed.heads[name], atol=1e-5), name
    assert [m["epoch"] for m in resumed.info["history"]] == [1, 2]


def test_the_real_text_mix_keeps_tweeteval_for_development_and_reads_views() -> None:
    from steplens.training.signals_settings import SignalsSettings, load_data

    settings = SignalsSettings(
        real_text=True,
        model_view=True,
        augment_share=0.2,
        effort_rounds=4,
        tweet_neutral_sample=3000,
    )
    data = load_data(settings)
    tweets = [
        label
        for task in (data.sentiment_train, data.sentiment_dev)
        for label, source in zip(task.targets, task.sources, strict=True)
        if source == "semeval_tweets"
    ]
    assert sum(label == SENTIMENT_LABELS.index("neutral") for label in tweets) == 3000
    assert len(tweets) > 20_000
    assert data.counts["tweeteval_val"] == {"train": 0, "dev": 2000}
    assert "tweeteval" not in set(data.sentiment_train.sources)
    assert {"semeval_tweets", "reviews", "sxsw", "acos"} <= set(data.sentiment_train.sources)
    texts = [t if isinstance(t, str) else t[1] for t in data.sentiment_train.inputs]
    assert not any("https://" in t or "@united" in t.lower() for t in texts)
    assert sum("@user" in t for t in texts) > 5_000
    previous = load_data(SignalsSettings(real_text=False, effort_rounds=3))
    assert len(data.effort_train.inputs) > len(previous.effort_train.inputs)  # round four
    assert previous.counts["effort"] == {"train": 3015, "dev": 532}  # rounds one to three


def test_calibrating_a_saved_model_moves_only_the_effort_bias(tmp_path: Path) -> None:
    import json
    import shutil

    from safetensors.numpy import load_file

    from steplens.pipeline.signals import signals_model_dir
    from steplens.training.signals_calibrate import calibrate_model
    from steplens.training.signals_settings import SignalsSettings, TaskData, load_data

    folder = tmp_path / "model"
    shutil.copytree(signals_model_dir(), folder)
    before = load_file(str(folder / "heads.safetensors"))
    dev = load_data(SignalsSettings(real_text=False)).effort_dev
    small = TaskData(dev.inputs[:200], dev.targets[:200], dev.sources[:200])
    result = calibrate_model(folder, small)
    after = load_file(str(folder / "heads.safetensors"))
    assert np.allclose(after["effort.bias"] - before["effort.bias"], result.offsets, atol=1e-6)
    for name in ("sentiment.weight", "sentiment.bias", "effort.weight"):
        assert np.array_equal(after[name], before[name])
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    assert config["info"]["effort_calibration"]["texts"] == 200
    assert result.texts == 200 and 0.0 <= result.after <= 1.0


def test_the_effort_test_texts_can_be_kept_out_of_sentiment_training() -> None:
    from steplens.training.signals_data import effort
    from steplens.training.signals_settings import SignalsSettings, load_data

    held = {tweet_key(e.text) for e in effort("test")}
    settings = SignalsSettings(real_text=False, model_view=False, augment_share=0.0)

    def overlap(**changes: Any) -> int:
        data = load_data(replace(settings, **changes))
        texts = [t if isinstance(t, str) else t[1] for t in data.sentiment_train.inputs]
        texts += [t if isinstance(t, str) else t[1] for t in data.sentiment_dev.inputs]
        return sum(tweet_key(t) in held for t in texts)

    assert overlap() > 50  # the shipped recipe's sources hold many of them
    assert overlap(exclude_effort_test=True) == 0
