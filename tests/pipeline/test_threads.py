"""Threads: numpy's BLAS held to one thread while tagging; PyTorch's threads shared out."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from steplens.pipeline.blas import blas_controller, single_threaded_blas
from steplens.pipeline.journey import load_journey
from steplens.pipeline.minilm import share_torch_threads
from steplens.pipeline.tagger import build_tagger


def blas_threads() -> list[int]:
    """Threads of the BLAS libraries steplens holds (those loaded when it first looked: numpy's;
    a test session loads others later, through scipy)."""
    return [info["num_threads"] for info in blas_controller().info()]


@pytest.mark.skipif(blas_controller() is None, reason="threadpoolctl cannot control this BLAS")
def test_tagging_holds_blas_to_one_thread_and_then_lets_go(monkeypatch: pytest.MonkeyPatch) -> None:
    tagger = build_tagger(load_journey("ecommerce"))
    seen: list[list[int]] = []
    predict = tagger.classifier.predict_proba

    def spy(embeddings: Any) -> Any:
        seen.append(blas_threads())  # between the encoder passes, where the heads run
        return predict(embeddings)

    monkeypatch.setattr(tagger.classifier, "predict_proba", spy)
    before = blas_threads()
    result = tagger.tag(["The checkout page froze twice", "delivery was quick"])
    assert len(result) == 2
    assert seen and all(threads == [1] * len(threads) for threads in seen)
    assert blas_threads() == before


@pytest.mark.skipif(blas_controller() is None, reason="threadpoolctl cannot control this BLAS")
def test_nested_holds_restore_the_limit_only_when_the_last_ends() -> None:
    before = blas_threads()
    with single_threaded_blas:
        with single_threaded_blas:
            pass
        assert all(threads == 1 for threads in blas_threads())
        np.ones((4, 4)) @ np.ones((4, 4))
    assert blas_threads() == before


def test_torch_threads_are_shared_out_among_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    original = torch.get_num_threads()
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    try:
        assert share_torch_threads(0, workers=1024) == 1  # never fewer than one
        assert torch.get_num_threads() == 1
        assert share_torch_threads(3) == 3  # an explicit number wins
        assert torch.get_num_threads() == 3
        monkeypatch.setenv("OMP_NUM_THREADS", "2")
        assert share_torch_threads(0, workers=1) == 3  # the environment's choice is left alone
    finally:
        torch.set_num_threads(original)
