"""The background level: how close random real text comes to a journey's steps.

Zero-shot scores are cosine similarities, and their scale depends on the journey: long
descriptions, short names, example phrases and the kind of text all move it, so no fixed cut
says "on-topic" for every journey. The background level does, per journey: the score that
:data:`BACKGROUND_QUANTILE` of a pooled background stays below: 1,000 real tweets (other
topics, ``data/calibration/background_tweets.txt``) and the 74 hand-written chatter texts of
``off_topic.txt`` ("thanks", "n/a", "10/10"). The tweets' topics (SemEval's) include brands and
devices, so the level is a little higher for a journey about phones or tech products than a
truly random sample would give. A text whose best step scores
above it is closer to the journey than 90% of that background, and is assigned; below it, it
is ``unassigned``.

Developed on real text with step-like labels and checked leave-one-dataset-out (docs/steps.md,
item 5): the same quantile carries across review sentences, tweets to brands, and chatbot
queries, where a cut calibrated on a journey's own clean example phrases left 28-76% of real
on-topic text unassigned.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from steplens.pipeline.embedding_cache import cached_encode
from steplens.pipeline.paths import data_dir

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder

logger = logging.getLogger(__name__)

SHIPPED_VECTORS = "background_embeddings.npy"
SHIPPED_META = "background_embeddings.json"

BACKGROUND_QUANTILE = 0.9
"""Share of random texts a step must beat to be assigned (dimensionless, so it carries across
journeys where an absolute cosine cut does not)."""


def read_texts(name: str) -> list[str]:
    """The texts of a ``data/calibration`` file: one per line, ``#`` lines are comments."""
    lines = (data_dir() / "calibration" / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def background_texts() -> list[str]:
    """Random real tweets (other topics) and the hand-written chatter (chit-chat and
    fragments), pooled, as step classification reads them
    (:func:`steplens.pipeline.model_view.step_views`: no opening or closing handles, the chatter's
    emoji as their names, like any comment's)."""
    from steplens.pipeline.model_view import step_views

    return step_views(read_texts("background_tweets.txt") + read_texts("off_topic.txt"))


def texts_digest(texts: Sequence[str]) -> str:
    """A SHA-256 of the texts, in order, that ties shipped embeddings to the texts they embed."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x00")
    return digest.hexdigest()


PROBE_TEXTS = 4
"""Background texts embedded at load to check that shipped embeddings match the encoder."""


def shipped_vectors(encoder: TextEncoder, texts: Sequence[str]) -> NDArray[np.float32] | None:
    """The embeddings shipped beside the texts (``steplens.training.background`` writes them), when
    they were made from these texts by an encoder of the same name that embeds them the same way;
    else None.

    "The same way" is checked, not assumed from a cache key (which names a weights file by its
    size and mtime, different in every install, and which a sentence-transformers encoder does
    not have): the first :data:`PROBE_TEXTS` texts are embedded again and must match to 1e-4.
    Shipping them spares every first run, and every ``train-steps``, embedding 1,074 texts
    (about 6 s on 2 cores).
    """
    folder = data_dir() / "calibration"
    try:
        meta = json.loads((folder / SHIPPED_META).read_text(encoding="utf-8"))
        if meta.get("encoder") != encoder.name or meta.get("texts") != texts_digest(texts):
            return None
        vectors = np.load(folder / SHIPPED_VECTORS, allow_pickle=False)
    except (OSError, ValueError) as exc:
        logger.debug("shipped background embeddings not used (%s)", exc)
        return None
    if vectors.shape != (len(texts), encoder.dimension) or vectors.dtype != np.float32:
        return None
    probes = encoder.encode(list(texts[:PROBE_TEXTS]))
    if not np.allclose(probes, vectors[:PROBE_TEXTS], atol=1e-4):
        logger.debug("shipped background embeddings differ from this encoder's; recomputing")
        return None
    return np.ascontiguousarray(vectors)


@functools.lru_cache(maxsize=8)
def background_vectors(encoder: TextEncoder) -> NDArray[np.float32]:
    """The background texts' embeddings: shipped ones when they fit the encoder, else computed
    once per encoder (and cached on disk)."""
    texts = tuple(background_texts())
    vectors = shipped_vectors(encoder, texts)
    if vectors is None:
        vectors = cached_encode(encoder, texts)
    vectors.setflags(write=False)
    return vectors


def background_level(
    best_scores: NDArray[np.float32], quantile: float = BACKGROUND_QUANTILE
) -> float:
    """The score that ``quantile`` of the background texts' best-step scores stay below."""
    if best_scores.size == 0:
        raise ValueError("no background scores")
    return float(np.quantile(best_scores, quantile))
