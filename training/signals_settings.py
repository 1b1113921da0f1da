"""What a signals training run is set up with: its settings and the data they select.

``SignalsSettings`` holds every knob of ``python -m steplens.training.signals`` (saved with the
model, so a run can be rebuilt); ``load_data`` turns them into the sentiment and effort training,
development and test sets. The trainer (:mod:`steplens.training.signals`) and the effort
calibration (:mod:`steplens.training.signals_calibrate`) both read them from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.model_view import model_view
from steplens.pipeline.signals import (
    EFFORT_LABELS,
    SENTIMENT_LABELS,
)
from steplens.training.effort_pool import effort_by_round
from steplens.training.signals_augment import augment
from steplens.training.signals_data import (
    Example,
    aspect_examples,
    complaints,
    effort,
    review_sentences,
    sample,
    semeval_tweets,
    split_off,
    sst2,
    sxsw_brand_tweets,
    tweet_key,
    tweeteval,
    uss_turns,
)
from steplens.training.step_encoder import (
    CachedTrunk,
    TextInput,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray


@dataclass(frozen=True)
class SignalsSettings:
    """Everything that defines a training run; saved into the model's config."""

    tuned_layers: int = 6
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 1e-4
    head_learning_rate: float = 1e-2
    warmup: float = 0.1
    condition_on_aspects: bool = True
    sst2_sample: int = 12_000
    sst2_min_words: int = 1
    sst2_fresh_per_epoch: bool = False
    tweeteval_repeats: int = 1
    uss_neutral_sample: int = 1_500
    effort_repeats: int = 2
    dev_share: float = 0.15
    seed: int = 0
    split_seed: int = 0
    real_text: bool = True
    """Train on the SemEval tweets, review sentences, SXSW brand tweets and Laptop-ACOS, and
    keep all 2,000 TweetEval validation tweets for development."""
    sxsw_neutral_sample: int = 2_000
    augment_share: float = 0.2
    """Share of plain training texts given a handle, brand, link, order number or emoji."""
    model_view: bool = True
    """Train on the texts' model views (what tagging reads) instead of the raw texts."""
    effort_rounds: int = 4
    """Train on the effort labels of rounds one to this (round four adds stated ease)."""
    calibrate_effort: bool = True
    """Calibrate the effort levels on development data after training."""
    aspect_repeats: int = 2
    """How many times each (aspect, sentence) training pair appears per epoch: with the
    real-text sources, plain texts would otherwise outnumber the pairs that teach per-step
    sentiment."""
    tweet_neutral_sample: int = 10_000
    """Neutral SemEval tweets drawn for ``real_text`` (0: all of them)."""
    exclude_effort_test: bool = False
    """Drop from the sentiment sources every text of the effort test split (176 of its 332
    texts were drawn from those sources; their effort labels were never trained on, but the
    texts were, with sentiment labels). Off in the shipped recipe, which predates it."""


EARLIER_RECIPE: dict[str, Any] = {
    "epochs": 5,
    "real_text": False,
    "model_view": False,
    "augment_share": 0.0,
    "effort_rounds": 3,
    "calibrate_effort": False,
    "aspect_repeats": 1,
}
"""The fourth model's recipe, as changes to today's defaults: raw texts, TweetEval val trained
on, effort rounds one to three. Comparisons with earlier models draw their development data
with it, and it is the quick mix the data tests load."""


@dataclass
class TaskData:
    """Inputs and integer targets of one task, with their cached trunk states."""

    inputs: list[TextInput]
    targets: NDArray[np.int64]
    sources: list[str]
    trunk: CachedTrunk | None = None
    pool: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pool_draw: int = 0

    def epoch_index(self, epoch: int, seed: int) -> NDArray[np.int64]:
        """The texts one epoch trains on: all of them, or with a pool, a fresh draw from it.

        A pool (``pool`` indices, ``pool_draw`` of them per epoch) is walked through in one
        seeded order, so successive epochs see different texts until the pool is used up.
        """
        if not len(self.pool):
            return np.arange(len(self.inputs), dtype=np.int64)
        fixed = np.setdiff1d(np.arange(len(self.inputs)), self.pool)
        order = np.random.default_rng(seed).permutation(self.pool)
        start = (epoch * self.pool_draw) % len(order)
        drawn = np.take(order, np.arange(start, start + self.pool_draw), mode="wrap")
        return np.sort(np.concatenate([fixed, drawn]))


@dataclass
class SignalsData:
    """Train and development sets for both tasks."""

    sentiment_train: TaskData
    sentiment_dev: TaskData
    effort_train: TaskData
    effort_dev: TaskData
    counts: dict[str, dict[str, int]] = field(default_factory=dict)


def as_input(example: Example, condition_on_aspects: bool, view: bool = True) -> TextInput:
    """What the model reads: the text (its model view,
    :func:`steplens.pipeline.model_view.model_view`, the function tagging uses, unless ``view`` is
    False), or ``(aspect, text)`` with an aspect."""
    text = model_view(example.text) if view else example.text
    if example.aspect and condition_on_aspects:
        return (example.aspect, text)
    return text


def _task(
    examples: Sequence[Example],
    labels: Sequence[str],
    aspects: bool,
    pool: Sequence[Example] = (),
    pool_draw: int = 0,
    view: bool = True,
) -> TaskData:
    """A task's texts and targets; ``pool`` examples are appended and drawn per epoch."""
    every = [*examples, *pool]
    return TaskData(
        [as_input(e, aspects, view) for e in every],
        np.array([labels.index(e.label) for e in every], dtype=np.int64),
        [e.source for e in every],
        pool=np.arange(len(examples), len(every), dtype=np.int64),
        pool_draw=pool_draw if pool else 0,
    )


def effort_split(settings: SignalsSettings) -> tuple[list[Example], list[Example]]:
    """The effort labels of rounds one to ``settings.effort_rounds``: (train, development).

    Rounds one and two are split together (as for every model before round three); each later
    round is split on its own, so adding a round never moves a text between train and dev.
    """
    seed = settings.split_seed
    by_round = {
        n: texts for n, texts in effort_by_round("train").items() if n <= settings.effort_rounds
    }
    train, dev = split_off(by_round.get(1, []) + by_round.get(2, []), settings.dev_share, seed)
    for number in sorted(n for n in by_round if n > 2):
        rest, held = split_off(by_round[number], settings.dev_share, seed)
        train += rest
        dev += held
    return train, dev


def load_data(settings: SignalsSettings) -> SignalsData:
    """Every training source, each split into train and a seeded development share."""
    seed = settings.split_seed
    uss = uss_turns()
    uss = [e for e in uss if e.label != "neutral"] + sample(
        [e for e in uss if e.label == "neutral"], settings.uss_neutral_sample, seed
    )
    phrases = [e for e in sst2("train") if len(e.text.split()) >= settings.sst2_min_words]
    sources = {
        "sst2": sample(phrases, settings.sst2_sample, seed),
        "tweeteval_val": tweeteval("val"),
        "mams": aspect_examples("mams", "train"),
        "semeval14": aspect_examples("semeval14"),
        "semeval16": aspect_examples("semeval16"),
        "complaints": complaints(),
        "uss": uss,
    }
    if settings.real_text:
        sxsw = sxsw_brand_tweets()
        tweets = semeval_tweets()
        if settings.tweet_neutral_sample:
            tweets = [e for e in tweets if e.label != "neutral"] + sample(
                [e for e in tweets if e.label == "neutral"], settings.tweet_neutral_sample, seed
            )
        sources |= {
            "semeval_tweets": tweets,
            "reviews": review_sentences(),
            "sxsw": [e for e in sxsw if e.label != "neutral"]
            + sample([e for e in sxsw if e.label == "neutral"], settings.sxsw_neutral_sample, seed),
            "acos": aspect_examples("acos", "train") + aspect_examples("acos", "dev"),
        }
    if settings.exclude_effort_test:
        effort_test = {tweet_key(e.text) for e in effort("test")}
        sources = {
            name: [e for e in examples if tweet_key(e.text) not in effort_test]
            for name, examples in sources.items()
        }
        phrases = [e for e in phrases if tweet_key(e.text) not in effort_test]
    train: list[Example] = []
    dev: list[Example] = []
    counts: dict[str, dict[str, int]] = {}
    pool: list[Example] = []
    for name, examples in sources.items():
        if name == "tweeteval_val" and settings.real_text:
            # With the SemEval tweets to train on, every TweetEval validation tweet is a
            # development text (the SemEval copies of them are dropped by its loader).
            counts[name] = {"train": 0, "dev": len(examples)}
            dev += examples
            continue
        rest, held = split_off(examples, settings.dev_share, seed)
        if name == "tweeteval_val":
            # The only in-domain tweets we may train on: repeated so they are not drowned out.
            rest = rest * settings.tweeteval_repeats
        rest = rest + [e for e in rest if e.aspect] * (settings.aspect_repeats - 1)
        counts[name] = {"train": len(rest), "dev": len(held)}
        if name == "sst2" and settings.sst2_fresh_per_epoch:
            # Same development phrases and the same number per epoch, but each epoch draws its
            # phrases afresh: the default draw, then every other phrase that is not a dev text.
            held_texts = {e.text for e in held}
            drawn = set(rest)
            pool = rest + [e for e in phrases if e not in drawn and e.text not in held_texts]
            counts[name]["pool"] = len(pool)
            dev += held
            continue
        train += rest
        dev += held
    effort_rest, effort_dev = effort_split(settings)
    counts["effort"] = {"train": len(effort_rest), "dev": len(effort_dev)}
    if settings.augment_share > 0:
        train = augment(train, settings.augment_share, seed)
        pool = augment(pool, settings.augment_share, seed + 1)
    aspects, view = settings.condition_on_aspects, settings.model_view
    return SignalsData(
        _task(train, SENTIMENT_LABELS, aspects, pool, counts["sst2"]["train"], view),
        _task(dev, SENTIMENT_LABELS, aspects, view=view),
        _task(effort_rest, EFFORT_LABELS, False, view=view),
        _task(effort_dev, EFFORT_LABELS, False, view=view),
        counts,
    )
