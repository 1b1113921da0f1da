"""The background level: how close random real text comes to a journey's steps.

Zero-shot scores are cosine similarities, and their scale depends on the journey: long
descriptions, short names, example phrases and the kind of text all move it, so no fixed cut
says "on-topic" for every journey. The background level does, per journey: the score that
:data:`BACKGROUND_QUANTILE` of a pooled background stays below: 1,000 real tweets about
anything (other topics, ``data/calibration/background_tweets.txt``) and the 78 hand-written
chatter lines of ``off_topic.txt`` ("thanks", "n/a", "10/10"). A text whose best step scores
above it is closer to the journey than 90% of that background, and is assigned; below it, it
is ``unassigned``.

Developed on real text with step-like labels and checked leave-one-dataset-out (docs/steps.md,
item 5): the same quantile carries across review sentences, tweets to brands, and chatbot
queries, where a cut calibrated on a journey's own clean example phrases left 28-76% of real
on-topic text unassigned.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import numpy as np

from pipeline.embedding_cache import cached_encode
from pipeline.paths import data_dir

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from pipeline.encoder import TextEncoder

BACKGROUND_QUANTILE = 0.9
"""Share of random texts a step must beat to be assigned (dimensionless, so it carries across
journeys where an absolute cosine cut does not)."""


def read_texts(name: str) -> list[str]:
    """The texts of a ``data/calibration`` file: one per line, ``#`` lines are comments."""
    lines = (data_dir() / "calibration" / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def background_texts() -> list[str]:
    """Random real tweets (other topics, already in the model view) and the hand-written
    chatter (chit-chat and fragments), pooled."""
    return read_texts("background_tweets.txt") + read_texts("off_topic.txt")


@functools.lru_cache(maxsize=8)
def background_vectors(encoder: TextEncoder) -> NDArray[np.float32]:
    """The background texts' embeddings, computed once per encoder (and cached on disk)."""
    vectors = cached_encode(encoder, tuple(background_texts()))
    vectors.setflags(write=False)
    return vectors


def background_level(
    best_scores: NDArray[np.float32], quantile: float = BACKGROUND_QUANTILE
) -> float:
    """The score that ``quantile`` of the background texts' best-step scores stay below."""
    if best_scores.size == 0:
        raise ValueError("no background scores")
    return float(np.quantile(best_scores, quantile))
