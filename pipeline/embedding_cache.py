"""An on-disk cache for the embeddings every run recomputes: a journey's prototypes and its
calibration examples.

A 10-row ``tag`` spends most of its model time embedding the journey's step names,
descriptions and examples (and, for calibration, every example again plus the off-topic texts);
those texts only change when the journey file does. Caching them per (encoder, texts) on disk
makes the second and later runs start faster (docs/speed.md, cold start).

Only encoders that carry a ``cache_key`` (the packaged encoder's own layers, keyed by the
weights file and the precision) are cached; a fine-tuned branch never is. The cache lives in
``STEPLENS_CACHE_DIR``, else ``$XDG_CACHE_HOME/steplens``, else ``~/.cache/steplens``;
``STEPLENS_CACHE_DIR=off`` turns it off. Any file in it can be deleted at any time. A cache that
cannot be read or written never fails a run: the embeddings are computed instead.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder

logger = logging.getLogger(__name__)


def cache_dir() -> Path | None:
    """Where cached embeddings go, or None when the cache is turned off."""
    from steplens.pipeline.environment import library_settings

    settings = library_settings()
    if settings.cache_off:
        return None
    if settings.cache_dir is not None:
        return Path(settings.cache_dir).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "steplens"


def cache_path(key: str, texts: Sequence[str]) -> Path | None:
    """The file that holds (or would hold) the embeddings of ``texts`` under ``key``."""
    folder = cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256(key.encode("utf-8"))
    for text in texts:
        digest.update(b"\x00")
        digest.update(text.encode("utf-8", "surrogatepass"))
    return folder / "embeddings" / f"{digest.hexdigest()}.npy"


def cached_encode(encoder: TextEncoder, texts: Sequence[str]) -> NDArray[np.float32]:
    """``encoder.encode(texts)``, read from the disk cache when it holds them."""
    key = getattr(encoder, "cache_key", None)
    path = cache_path(key, texts) if key else None
    if path is None:
        return encoder.encode(list(texts))
    expected = (len(texts), encoder.dimension)
    try:
        vectors = np.load(path, allow_pickle=False)
        if vectors.shape == expected and vectors.dtype == np.float32:
            return np.ascontiguousarray(vectors)
        logger.debug("embedding cache %s: shape %s, not %s", path, vectors.shape, expected)
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as exc:
        logger.debug("embedding cache %s unreadable (%s); recomputing", path, exc)
    vectors = encoder.encode(list(texts))
    _write(path, vectors)
    return vectors


def _write(path: Path, vectors: NDArray[np.float32]) -> None:
    """Write atomically (a temporary file renamed into place); give up quietly on any error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                np.save(stream, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError as exc:
        logger.debug("embedding cache %s not written (%s)", path, exc)
