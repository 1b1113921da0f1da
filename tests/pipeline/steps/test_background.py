"""The background that sets the zero-shot unassigned level, and its shipped embeddings."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from steplens.pipeline.minilm import base_encoder
from steplens.pipeline.steps.background import (
    background_level,
    background_texts,
    background_vectors,
    shipped_vectors,
)
from steplens.training.background import sample_background


def test_the_background_is_real_tweets_in_the_model_view_and_the_chatter() -> None:
    texts = background_texts()
    assert len(texts) == 1074
    assert "thanks" in texts  # the hand-written chatter comes last
    tweets = texts[:1000]
    assert not any(t.startswith("#") for t in tweets)
    assert not any("\\u2019" in t or "\\u002c" in t for t in tweets)  # escapes decoded
    handles = [h for t in tweets for h in re.findall(r"(?<![\w@])@[A-Za-z0-9_]{1,30}", t)]
    assert handles and set(handles) == {"@user"}


def test_shipped_embeddings_are_the_packaged_encoders_embeddings() -> None:
    """The zero-shot classifier reads the packaged encoder in fp32 (steplens.pipeline.tagger)."""
    encoder = base_encoder("fp32")
    texts = tuple(background_texts())
    shipped = shipped_vectors(encoder, texts)
    assert shipped is not None, "data/calibration/background_embeddings.npy is stale: rebuild it"
    rows = [10, 500, 999, 1050]
    fresh = encoder.encode([texts[i] for i in rows])
    assert np.allclose(shipped[rows], fresh, atol=1e-4)
    assert background_vectors(encoder).shape == (1074, encoder.dimension)


def test_shipped_embeddings_serve_the_sentence_transformers_encoder_too(encoder: Any) -> None:
    """train-steps reads the same weights through sentence-transformers: same embeddings."""
    assert shipped_vectors(encoder, tuple(background_texts())) is not None


def test_shipped_embeddings_are_refused_for_other_texts_or_encoders(encoder: Any) -> None:
    texts = tuple(background_texts())
    assert shipped_vectors(base_encoder("fp32"), texts[:-1]) is None

    class Other:
        name = "another/encoder"
        dimension = 384
        cache_key = None

        def encode(self, texts: list[str]) -> np.ndarray:
            return encoder.encode(texts)

    assert shipped_vectors(Other(), texts) is None  # type: ignore[arg-type]


def test_the_level_is_a_quantile_of_the_best_scores() -> None:
    scores = np.linspace(0.0, 1.0, 101, dtype=np.float32)
    assert background_level(scores, 0.9) == np.float32(0.9)


def test_the_sample_is_seeded_and_skips_lines_the_file_would_read_as_comments() -> None:
    tweets = [f"tweet number {i}" for i in range(50)] + ["#hashtag first", "@someone hi"]
    first = sample_background(tweets, 20, seed=3)
    assert first == sample_background(tweets, 20, seed=3)
    assert len(set(first)) == 20 and not any(t.startswith("#") for t in first)
    assert "@someone hi" not in first  # handles are written as the model view writes them
