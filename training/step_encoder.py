"""Fine-tune the top layers of the sentence encoder to a journey's steps.

Why only the top layers: the lower layers stay shared with every other branch of the pipeline
(one trunk pass per clause), the step model stores a few MB instead of a whole encoder, and
training is cheap on a CPU: the frozen trunk runs once per text, its hidden states are cached,
and each epoch runs only the tuned layers forward and backward.

Two objectives:

- ``supervised``: a cosine-similarity classifier over the steps (scaled by ``scale``) trained
  with cross-entropy and label smoothing; multi-label data uses one sigmoid per step.
- ``contrastive``: SetFit's recipe: pairs of texts with the same step (target 1) or different
  steps (target 0), cosine similarity regressed onto the target.

Either way the result is a state dict of the tuned layers; a head is fitted on the tuned
embeddings afterwards by ``steplens.pipeline.steps.trained``.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from steplens.pipeline.encoder import layers_prefix, transformer_layers

if TYPE_CHECKING:
    import torch
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import Encoder

logger = logging.getLogger(__name__)

Objective = Literal["supervised", "contrastive"]
OBJECTIVES: tuple[Objective, ...] = ("supervised", "contrastive")


@dataclass(frozen=True)
class FineTuneSettings:
    """How the top layers are trained; every default is the one the benchmarks used."""

    objective: Objective = "supervised"
    tuned_layers: int = 2
    epochs: int = 3
    batch_size: int = 32
    learning_rate: float = 1e-4
    head_learning_rate: float = 1e-2
    scale: float = 20.0
    label_smoothing: float = 0.1
    warmup: float = 0.1
    pairs_per_text: int = 20
    seed: int = 0
    time_budget_s: float | None = None


@dataclass
class CachedTrunk:
    """Hidden states after the frozen layers, one (tokens, dim) tensor per text."""

    states: list[torch.Tensor]
    lengths: NDArray[np.int64]

    def subset(self, index: Sequence[int] | NDArray[np.int64]) -> CachedTrunk:
        """The cached states of some texts, in the given order."""
        return CachedTrunk([self.states[i] for i in index], self.lengths[np.asarray(index)])


@dataclass
class FineTuneResult:
    """The tuned layers (as a state dict and as a module) and what training did."""

    state: dict[str, torch.Tensor]
    top: TopStack
    stats: dict[str, Any]


TextInput = str | tuple[str, str]


def cache_trunk(
    encoder: Encoder, texts: Sequence[TextInput], tuned_layers: int, batch_size: int = 64
) -> CachedTrunk:
    """Run the embeddings and frozen layers once per text (no gradients) and keep the output.

    A text may be a pair ``(first, second)``, encoded as BERT sentence pairs (``[CLS] first
    [SEP] second [SEP]``); the signals model uses this to condition on a step name.
    """
    import torch

    model = encoder.model
    bert = model[0].auto_model
    layers = transformer_layers(model)
    frozen = layers[: len(layers) - tuned_layers]
    tokenizer = model.tokenizer
    # Plain texts and pairs are batched apart; within each kind, by length (little padding).
    lengths = np.array([len(t) if isinstance(t, str) else len(t[0]) + len(t[1]) for t in texts])
    is_pair = np.array([not isinstance(t, str) for t in texts], dtype=bool)
    order = np.lexsort((lengths, is_pair))
    bounds = [int(np.searchsorted(is_pair[order], True))]
    states: list[torch.Tensor | None] = [None] * len(texts)
    model.eval()
    with torch.inference_mode():
        starts = sorted({*range(0, len(texts), batch_size), *bounds} - {len(texts)})
        for start, stop in zip(starts, [*starts[1:], len(texts)], strict=True):
            index = order[start:stop]
            chosen = [texts[i] for i in index]
            pairs = [t if isinstance(t, tuple) else (t, None) for t in chosen]
            has_pairs = pairs[0][1] is not None
            batch = tokenizer(
                [first for first, _ in pairs],
                [second for _, second in pairs] if has_pairs else None,
                padding=True,
                truncation=True,
                max_length=encoder.max_seq_length,
                return_tensors="pt",
            )
            hidden = bert.embeddings(
                input_ids=batch["input_ids"], token_type_ids=batch["token_type_ids"]
            )
            mask = additive_mask(batch["attention_mask"], hidden.dtype)
            for layer in frozen:
                hidden = layer(hidden, attention_mask=mask)
            for row, i in enumerate(index):
                length = int(batch["attention_mask"][row].sum())
                states[i] = hidden[row, :length].clone()
    done = [s for s in states if s is not None]
    return CachedTrunk(done, np.array([s.shape[0] for s in done], dtype=np.int64))


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """(batch, 1, 1, tokens) mask: 0 where attended, a large negative number on padding."""
    import torch

    return ((1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min).to(dtype)


class TopStack:
    """The tuned layers plus mean pooling and normalisation, as one trainable module."""

    def __init__(self, encoder: Encoder, tuned_layers: int) -> None:
        import torch

        layers = transformer_layers(encoder.model)
        self.offset = len(layers) - tuned_layers
        self.prefix = layers_prefix(encoder.model)
        self.layers = torch.nn.ModuleList(copy.deepcopy(layers[self.offset :]))

    def state(self) -> dict[str, torch.Tensor]:
        """The tuned layers' weights keyed as in the full encoder (what TunedEncoder loads)."""
        return {
            f"{self.prefix}{self.offset + index}.{key}": tensor.detach().contiguous().clone()
            for index, layer in enumerate(self.layers)
            for key, tensor in layer.state_dict().items()
        }

    def __call__(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        import torch

        mask = additive_mask(attention_mask, hidden.dtype)
        for layer in self.layers:
            hidden = layer(hidden, attention_mask=mask)
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


def encode_cached(top: TopStack, trunk: CachedTrunk, batch_size: int = 128) -> NDArray[np.float32]:
    """Embeddings of cached texts through ``top`` (what the tuned encoder gives for them)."""
    import torch

    order = np.argsort(trunk.lengths, kind="stable")
    out = np.zeros((len(trunk.states), trunk.states[0].shape[1]), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            index = order[start : start + batch_size]
            out[index] = top(*pad_states([trunk.states[i] for i in index])).numpy()
    return out


def pad_states(states: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    """Cached (tokens, dim) states as one zero-padded batch and its attention mask."""
    import torch

    longest = max(s.shape[0] for s in states)
    hidden = torch.zeros(len(states), longest, states[0].shape[1])
    mask = torch.zeros(len(states), longest, dtype=torch.long)
    for row, state in enumerate(states):
        hidden[row, : state.shape[0]] = state
        mask[row, : state.shape[0]] = 1
    return hidden, mask


def length_batches(
    lengths: NDArray[np.int64], batch_size: int, rng: np.random.Generator
) -> list[NDArray[np.int64]]:
    """Shuffled batches of texts of similar length (little padding, still random order)."""
    noisy = lengths + rng.uniform(0, 2, size=len(lengths))
    order = np.argsort(noisy)
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)
    return batches


def optimizer_step(loss: torch.Tensor, optimizer: Any, scheduler: Any, top: TopStack) -> float:
    """Backpropagate, clip the tuned layers' gradients to norm 1, step; returns the loss."""
    import torch

    optimizer.zero_grad()
    loss.backward()  # type: ignore[no-untyped-call]
    torch.nn.utils.clip_grad_norm_(top.layers.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    return float(loss.item())


def warmup_cosine(step: int, total: int, warmup: float) -> float:
    """Learning-rate factor: linear warm-up over the first ``warmup`` share, then cosine decay."""
    warm = max(1, int(total * warmup))
    if step < warm:
        return (step + 1) / warm
    return max(0.0, 0.5 * (1 + math.cos(math.pi * (step - warm) / max(1, total - warm))))


def fine_tune_top_layers(
    encoder: Encoder,
    texts: Sequence[TextInput],
    targets: NDArray[np.bool_],
    settings: FineTuneSettings | None = None,
    *,
    trunk: CachedTrunk | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> FineTuneResult:
    """Train copies of the top layers on (text, step set) pairs.

    ``targets`` has one column per step; an all-False row is a text about no step. The
    original encoder is not modified.
    """
    import torch

    note = on_progress or (lambda message: None)
    settings = settings or FineTuneSettings()
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    started = time.perf_counter()
    if trunk is None:
        note(f"running the frozen layers once over {len(texts)} texts")
        trunk = cache_trunk(encoder, texts, settings.tuned_layers)
    top = TopStack(encoder, settings.tuned_layers)
    if settings.objective == "supervised":
        train = _supervised_trainer(top, trunk, targets, settings)
    else:
        train = _contrastive_trainer(top, trunk, targets, settings, rng)
    stats: dict[str, Any] = {"epochs_run": 0, "stopped_by_budget": False}
    for epoch in range(settings.epochs):
        loss = train(epoch, rng)
        stats["epochs_run"] = epoch + 1
        stats[f"loss_epoch_{epoch + 1}"] = round(loss, 4)
        elapsed = time.perf_counter() - started
        note(f"epoch {epoch + 1}/{settings.epochs}: loss {loss:.4f} ({elapsed:.0f}s)")
        budget = settings.time_budget_s
        if budget is not None and elapsed * (epoch + 2) / (epoch + 1) > budget:
            stats["stopped_by_budget"] = epoch + 1 < settings.epochs
            break
    stats["seconds"] = round(time.perf_counter() - started, 1)
    return FineTuneResult(top.state(), top, stats)


def _supervised_trainer(
    top: TopStack,
    trunk: CachedTrunk,
    targets: NDArray[np.bool_],
    settings: FineTuneSettings,
) -> Callable[[int, np.random.Generator], float]:
    import torch

    multi_label = bool((targets.sum(axis=1) > 1).any())
    n_steps = targets.shape[1]
    none = ~targets.any(axis=1)
    classes = n_steps if multi_label or not none.any() else n_steps + 1
    y = torch.as_tensor(np.c_[targets, none] if classes > n_steps else targets, dtype=torch.float)
    # Start the class vectors at each class's mean pooled trunk output: training begins from
    # the nearest-centroid classifier instead of from noise.
    with torch.no_grad():
        embedded = torch.as_tensor(encode_cached(top, trunk))
        centroids = (y.T @ embedded) / y.sum(0).clamp(min=1).unsqueeze(1)
    head = torch.nn.Parameter(torch.nn.functional.normalize(centroids + 1e-6, dim=-1))
    bias = torch.nn.Parameter(torch.zeros(classes))
    optimizer = torch.optim.AdamW(
        [
            {"params": top.layers.parameters(), "lr": settings.learning_rate},
            {"params": [head, bias], "lr": settings.head_learning_rate, "weight_decay": 0.0},
        ]
    )
    steps_per_epoch = math.ceil(len(trunk.states) / settings.batch_size)
    total = steps_per_epoch * settings.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, total, settings.warmup)
    )

    def run_epoch(epoch: int, rng: np.random.Generator) -> float:
        top.layers.train()
        losses = []
        for index in length_batches(trunk.lengths, settings.batch_size, rng):
            hidden, mask = pad_states([trunk.states[i] for i in index])
            embedded = top(hidden, mask)
            logits = settings.scale * embedded @ torch.nn.functional.normalize(head, dim=-1).T
            logits = logits + bias
            target = y[index]
            if multi_label:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, target)
            else:
                loss = torch.nn.functional.cross_entropy(
                    logits, target.argmax(1), label_smoothing=settings.label_smoothing
                )
            losses.append(optimizer_step(loss, optimizer, scheduler, top))
        top.layers.eval()
        return float(np.mean(losses))

    return run_epoch


def contrastive_pairs(
    targets: NDArray[np.bool_], pairs_per_text: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """SetFit-style pairs (i, j, same): half with a shared step, half without, per text."""
    n = targets.shape[0]
    primary = np.where(targets.any(axis=1), targets.argmax(axis=1), -1)
    by_label = {label: np.flatnonzero(primary == label) for label in np.unique(primary)}
    pairs = []
    for i in range(n):
        same = by_label[primary[i]]
        same = same[same != i]
        for k in range(pairs_per_text):
            if k % 2 == 0 and len(same) and primary[i] >= 0:
                pairs.append((i, int(rng.choice(same)), 1))
            else:
                j = int(rng.integers(n))
                while primary[j] == primary[i] and primary[i] >= 0 and len(by_label) > 1:
                    j = int(rng.integers(n))
                shared = bool((targets[i] & targets[j]).any())
                pairs.append((i, j, int(shared)))
    return np.array(pairs, dtype=np.int64)


def _contrastive_trainer(
    top: TopStack,
    trunk: CachedTrunk,
    targets: NDArray[np.bool_],
    settings: FineTuneSettings,
    rng: np.random.Generator,
) -> Callable[[int, np.random.Generator], float]:
    import torch

    pairs_per_epoch = len(trunk.states) * settings.pairs_per_text
    total = math.ceil(pairs_per_epoch / settings.batch_size) * settings.epochs
    optimizer = torch.optim.AdamW(top.layers.parameters(), lr=settings.learning_rate)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, total, settings.warmup)
    )

    def run_epoch(epoch: int, rng: np.random.Generator) -> float:
        pairs = contrastive_pairs(targets, settings.pairs_per_text, rng)
        rng.shuffle(pairs)
        top.layers.train()
        losses = []
        for start in range(0, len(pairs), settings.batch_size):
            batch = pairs[start : start + settings.batch_size]
            left = top(*pad_states([trunk.states[i] for i in batch[:, 0]]))
            right = top(*pad_states([trunk.states[j] for j in batch[:, 1]]))
            similarity = (left * right).sum(-1)
            target = torch.as_tensor(batch[:, 2], dtype=torch.float)
            loss = torch.nn.functional.mse_loss(similarity, target)
            losses.append(optimizer_step(loss, optimizer, scheduler, top))
        top.layers.eval()
        return float(np.mean(losses))

    return run_epoch
