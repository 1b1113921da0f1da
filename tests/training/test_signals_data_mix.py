"""The training mix of the signals model: what the data flags change, and what they must not."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from steplens.training.signals_settings import (
    EARLIER_RECIPE,
    SignalsData,
    SignalsSettings,
    load_data,
)


def mix(**changes: object) -> SignalsData:
    """The earlier recipe's mix (TweetEval val to train on, raw texts): quick to load, and the
    only one the TweetEval and SST-2 flags act on."""
    return load_data(SignalsSettings(**{**EARLIER_RECIPE, **changes}))


@pytest.fixture(scope="module")
def default_mix() -> SignalsData:
    return mix()


@pytest.fixture(scope="module")
def changed_mix() -> SignalsData:
    return mix(sst2_min_words=8, tweeteval_repeats=3)


def texts(data: SignalsData, split: str, source: str) -> list[str]:
    task = data.sentiment_train if split == "train" else data.sentiment_dev
    return [
        t if isinstance(t, str) else t[1]
        for t, s in zip(task.inputs, task.sources, strict=True)
        if s == source
    ]


def test_sst2_phrases_can_be_drawn_from_long_ones_only(
    default_mix: SignalsData, changed_mix: SignalsData
) -> None:
    long_ones = texts(changed_mix, "train", "sst2") + texts(changed_mix, "dev", "sst2")
    assert min(len(t.split()) for t in long_ones) >= 8
    assert len(long_ones) == len(
        texts(default_mix, "train", "sst2") + texts(default_mix, "dev", "sst2")
    )
    assert min(len(t.split()) for t in texts(default_mix, "train", "sst2")) < 8


def test_repeated_tweets_never_move_the_development_split(
    default_mix: SignalsData, changed_mix: SignalsData
) -> None:
    train_once = texts(default_mix, "train", "tweeteval")
    assert sorted(texts(changed_mix, "train", "tweeteval")) == sorted(train_once * 3)
    assert texts(changed_mix, "dev", "tweeteval") == texts(default_mix, "dev", "tweeteval")
    assert not set(texts(changed_mix, "dev", "tweeteval")) & set(train_once)
    # effort data does not depend on either flag
    assert changed_mix.effort_dev.inputs == default_mix.effort_dev.inputs


@pytest.fixture(scope="module")
def fresh_mix() -> SignalsData:
    return mix(sst2_fresh_per_epoch=True)


def epoch_texts(data: SignalsData, epoch: int, source: str) -> list[str]:
    task = data.sentiment_train
    return [
        t if isinstance(t, str) else t[1]
        for t, s in ((task.inputs[i], task.sources[i]) for i in task.epoch_index(epoch, seed=0))
        if s == source
    ]


def test_fresh_sst2_phrases_each_epoch_keep_the_count_and_the_development_split(
    default_mix: SignalsData, fresh_mix: SignalsData
) -> None:
    assert fresh_mix.sentiment_dev.inputs == default_mix.sentiment_dev.inputs
    first, second = epoch_texts(fresh_mix, 0, "sst2"), epoch_texts(fresh_mix, 1, "sst2")
    assert len(first) == len(second) == len(texts(default_mix, "train", "sst2"))
    assert len(set(first) & set(second)) < len(first) // 20  # only the data's own duplicates
    # the pool adds no development phrase that the default draw did not already train on
    # (SST-2 repeats some short phrases, so a few sit on both sides of the default split)
    shared = set(first + second) & set(texts(default_mix, "dev", "sst2"))
    assert shared <= set(texts(default_mix, "train", "sst2"))
    # every other source trains on the same texts, every epoch
    assert epoch_texts(fresh_mix, 1, "mams") == texts(default_mix, "train", "mams")
    assert fresh_mix.counts["sst2"]["pool"] > 5 * len(first)


def test_without_a_pool_every_epoch_trains_on_every_text(default_mix: SignalsData) -> None:
    task = default_mix.sentiment_train
    assert list(task.epoch_index(3, seed=0)) == list(range(len(task.inputs)))


def test_the_training_seed_leaves_the_data_alone(default_mix: SignalsData) -> None:
    reseeded = mix(seed=7)
    for split in ("train", "dev"):
        for source in ("sst2", "mams", "uss", "tweeteval_val"):
            assert texts(reseeded, split, source) == texts(default_mix, split, source)
    assert reseeded.effort_dev.inputs == default_mix.effort_dev.inputs
    moved = mix(split_seed=7)
    assert texts(moved, "dev", "mams") != texts(default_mix, "dev", "mams")


def test_aspect_repeats_repeat_only_the_training_pairs(default_mix: SignalsData) -> None:
    repeated = mix(aspect_repeats=3)

    def pairs(task_inputs: Sequence[object]) -> list[object]:
        return [t for t in task_inputs if not isinstance(t, str)]

    once = pairs(default_mix.sentiment_train.inputs)
    assert len(once) > 5_000
    assert sorted(map(str, pairs(repeated.sentiment_train.inputs))) == sorted(map(str, once * 3))
    plain = [t for t in default_mix.sentiment_train.inputs if isinstance(t, str)]
    assert [t for t in repeated.sentiment_train.inputs if isinstance(t, str)] == plain
    assert repeated.sentiment_dev.inputs == default_mix.sentiment_dev.inputs
