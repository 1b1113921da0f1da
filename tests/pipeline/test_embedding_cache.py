"""The on-disk embedding cache: hits give the same vectors, and a bad cache never fails a run."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from steplens.pipeline.embedding_cache import cache_dir, cache_path, cached_encode
from steplens.pipeline.minilm import base_encoder

TEXTS = ("checkout", "my parcel never arrived", "the refund took three weeks")


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("STEPLENS_CACHE_DIR", str(tmp_path))
    return tmp_path


class CountingEncoder:
    """The packaged encoder, counting how often it really encodes."""

    def __init__(self) -> None:
        self.inner = base_encoder("fp32")
        self.calls = 0
        self.name = self.inner.name

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    @property
    def cache_key(self) -> str | None:
        return self.inner.cache_key

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return self.inner.encode(texts)


def test_second_call_reads_the_same_vectors_from_disk(cache: Path) -> None:
    encoder = CountingEncoder()
    first = cached_encode(encoder, TEXTS)  # type: ignore[arg-type]
    second = cached_encode(encoder, TEXTS)  # type: ignore[arg-type]
    assert encoder.calls == 1
    np.testing.assert_array_equal(first, second)
    assert second.dtype == np.float32 and second.shape == (3, encoder.dimension)
    assert len(list((cache / "embeddings").glob("*.npy"))) == 1


def test_key_covers_texts_order_and_weights(cache: Path) -> None:
    key = base_encoder("fp32").cache_key
    assert key and "fp32" in key
    assert cache_path(key, TEXTS) != cache_path(key, TEXTS[::-1])
    assert cache_path(key, TEXTS) != cache_path(key.replace("fp32", "bf16"), TEXTS)


def test_fine_tuned_branches_are_never_cached() -> None:
    from steplens.pipeline.signals import load_default_signals_model

    assert load_default_signals_model("fp32").encoder.cache_key is None
    assert base_encoder("fp32").cache_key is not None


def test_corrupt_or_wrong_shape_file_is_recomputed(cache: Path) -> None:
    encoder = CountingEncoder()
    good = cached_encode(encoder, TEXTS)  # type: ignore[arg-type]
    path = cache_path(encoder.cache_key or "", TEXTS)
    assert path is not None
    path.write_bytes(b"not a numpy file")
    np.testing.assert_array_equal(cached_encode(encoder, TEXTS), good)  # type: ignore[arg-type]
    np.save(path, np.zeros((2, 5), np.float32))
    np.testing.assert_array_equal(cached_encode(encoder, TEXTS), good)  # type: ignore[arg-type]
    assert encoder.calls == 3
    assert np.load(path).shape == good.shape  # rewritten


def test_unwritable_cache_still_encodes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("STEPLENS_CACHE_DIR", str(blocker / "cache"))
    vectors = cached_encode(CountingEncoder(), TEXTS)  # type: ignore[arg-type]
    assert vectors.shape[0] == 3


@pytest.mark.parametrize("value", ["off", "0", ""])
def test_cache_can_be_turned_off(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEPLENS_CACHE_DIR", value)
    assert cache_dir() is None
    encoder = CountingEncoder()
    cached_encode(encoder, TEXTS)  # type: ignore[arg-type]
    cached_encode(encoder, TEXTS)  # type: ignore[arg-type]
    assert encoder.calls == 2


def test_default_location_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("STEPLENS_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "steplens"
