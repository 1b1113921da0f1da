"""Train the step matcher: the encoder's top layers tuned to match texts to step names and
descriptions across many label sets (issue 22; the idea of TARS, Halder et al., COLING 2020,
and of label-description contrastive training).

Zero-shot tagging compares a clause with each step's prototypes (name, "I have a question about
{name}", "name: description", examples). The packaged encoder was trained for sentence
similarity, not for "is this text about that label", so it matches wording more than topic.
The matcher is a copy of the top layers trained on public label sets whose labels were given
names and descriptions (``data/label_sets``): each batch holds texts of one label set, and the
loss is a softmax over that set's labels, read through the same tuned layers as the texts
(a label is one of its prototype views, drawn per batch). Because labels are encoded, not
learned as class vectors, the matcher carries to label sets it never saw.

Only the top layers are trained, so the lower layers stay shared with the signals branch (one
trunk pass per clause at ``tag`` time), and the frozen trunk runs once per text (cached).
Evaluation is leave-one-dataset-out: ``--hold-out NAME`` trains on every other source, so a
zero-shot number on NAME is on labels the matcher never saw.

    python -m steplens.training.step_matcher --out models/step_matcher [--hold-out banking77]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.datasets import LabelSource, label_set
from steplens.pipeline.journey import Journey
from steplens.training.step_encoder import (
    CachedTrunk,
    TopStack,
    cache_trunk,
    optimizer_step,
    pad_states,
    warmup_cosine,
)

if TYPE_CHECKING:
    from steplens.pipeline.encoder import Encoder

logger = logging.getLogger(__name__)

SOURCES = ("banking77", "clinc150", "restaurant", "laptop", "complaints")
VIEWS = ("name", "template", "description")


@dataclass(frozen=True)
class MatcherSettings:
    """How the matcher is trained; the defaults are those of the measured runs (docs/steps.md)."""

    tuned_layers: int = 2
    epochs: int = 2
    batch_size: int = 32
    negatives: int = 48
    """Labels per batch besides the batch's own (all of a set's labels when it has fewer)."""
    per_source: int = 2500
    """Texts drawn from each source per epoch (a source with fewer gives all of them)."""
    learning_rate: float = 5e-5
    scale: float = 20.0
    label_smoothing: float = 0.1
    warmup: float = 0.1
    seed: int = 0


def label_view(journey: Journey, index: int, view: str) -> str:
    """One prototype text of a step, as the zero-shot classifier builds it."""
    from steplens.pipeline.steps.zero_shot import NAME_TEMPLATE

    step = journey.steps[index]
    if view == "template":
        return NAME_TEMPLATE.format(name=step.name)
    if view == "description" and step.description:
        return f"{step.name}: {step.description}"
    return step.name


def load_source(name: str) -> LabelSource:
    """A training source: train splits only (the benchmarks' test splits are never read)."""
    from bench.datasets import (
        OFF_TOPIC,
        banking77,
        clinc150,
        complaint_domains,
        laptop_reviews,
        mams,
        step_id,
    )

    if name == "banking77":
        data = banking77("train")
        labels = [[step_id(label)] for [label] in data.labels]
        return LabelSource(name, label_set("banking77"), data.texts, labels)
    if name == "clinc150":
        data = clinc150("train")
        return LabelSource(name, label_set("clinc150"), data.texts, data.labels)
    if name == "restaurant":
        data = mams("train")
        return LabelSource(name, label_set("restaurant_aspects"), data.texts, data.labels)
    if name == "laptop":
        data = laptop_reviews("train")
        return LabelSource(name, label_set("laptop_reviews"), data.texts, data.labels)
    if name == "complaints":
        data = complaint_domains()
        kept = [i for i, labels in enumerate(data.labels) if labels != [OFF_TOPIC]]
        return LabelSource(
            name,
            label_set("complaint_domains"),
            [data.texts[i] for i in kept],
            [data.labels[i] for i in kept],
        )
    raise ValueError(f"unknown source {name!r}; choose from {', '.join(SOURCES)}")


@dataclass
class _Prepared:
    source: LabelSource
    trunk: CachedTrunk
    views: list[CachedTrunk]
    """One cached trunk per view, each with one row per step."""
    gold: list[list[int]]


def train_matcher(
    encoder: Encoder,
    sources: Sequence[LabelSource],
    settings: MatcherSettings | None = None,
    *,
    on_progress: Callable[[str], None] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train the top layers on the sources; returns (state dict, training stats)."""
    import torch

    note = on_progress or logger.info
    settings = settings or MatcherSettings()
    if not sources or not any(source.texts for source in sources):
        raise ValueError("the matcher needs at least one label set with texts to train on")
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    started = time.perf_counter()
    prepared = []
    for source in sources:
        note(f"{source.name}: frozen layers over {len(source.texts):,} texts")
        ids = {step_id: i for i, step_id in enumerate(source.journey.step_ids)}
        views = [
            cache_trunk(
                encoder,
                [label_view(source.journey, i, view) for i in range(len(ids))],
                settings.tuned_layers,
            )
            for view in VIEWS
        ]
        prepared.append(
            _Prepared(
                source,
                cache_trunk(encoder, source.texts, settings.tuned_layers),
                views,
                [[ids[label] for label in labels] for labels in source.labels],
            )
        )
    top = TopStack(encoder, settings.tuned_layers)
    optimizer = torch.optim.AdamW(top.layers.parameters(), lr=settings.learning_rate)
    per_epoch = sum(
        math.ceil(min(settings.per_source, len(p.gold)) / settings.batch_size) for p in prepared
    )
    total = per_epoch * settings.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, total, settings.warmup)
    )
    stats: dict[str, Any] = {"sources": [p.source.name for p in prepared]}
    for epoch in range(settings.epochs):
        batches = [
            (p, chunk)
            for p in prepared
            for chunk in _batches(len(p.gold), settings.per_source, settings.batch_size, rng)
        ]
        order = rng.permutation(len(batches))
        top.layers.train()
        losses = []
        for step, position in enumerate(order):
            p, chunk = batches[position]
            losses.append(_batch_loss(top, p, chunk, settings, rng, optimizer, scheduler))
            if (step + 1) % 100 == 0:
                note(
                    f"epoch {epoch + 1}: {step + 1}/{len(order)} batches, loss "
                    f"{np.mean(losses[-100:]):.3f} ({time.perf_counter() - started:.0f}s)"
                )
        top.layers.eval()
        stats[f"loss_epoch_{epoch + 1}"] = round(float(np.mean(losses)), 4)
        note(f"epoch {epoch + 1}/{settings.epochs}: loss {np.mean(losses):.4f}")
    stats["seconds"] = round(time.perf_counter() - started, 1)
    return top.state(), stats


def _batches(
    n: int, per_source: int, batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    chosen = rng.permutation(n)[:per_source]
    return [chosen[i : i + batch_size] for i in range(0, len(chosen), batch_size)]


def _batch_loss(
    top: TopStack,
    prepared: _Prepared,
    chunk: np.ndarray,
    settings: MatcherSettings,
    rng: np.random.Generator,
    optimizer: Any,
    scheduler: Any,
) -> float:
    """One step: the batch's texts against its own labels and sampled other labels."""
    import torch

    gold = [prepared.gold[i] for i in chunk]
    own = sorted({label for labels in gold for label in labels})
    n_labels = len(prepared.views[0].states)
    others = np.setdiff1d(np.arange(n_labels), own)
    extra = rng.choice(others, size=min(settings.negatives, len(others)), replace=False)
    labels = [*own, *extra.tolist()]
    column = {label: k for k, label in enumerate(labels)}
    view = prepared.views[int(rng.integers(len(prepared.views)))]
    texts = top(*pad_states([prepared.trunk.states[i] for i in chunk]))
    label_vectors = top(*pad_states([view.states[i] for i in labels]))
    logits = settings.scale * texts @ label_vectors.T
    # Multi-label texts: one gold label is the target, the text's other gold labels are masked
    # out of the negatives (they are not wrong answers).
    targets = []
    mask = torch.zeros_like(logits, dtype=torch.bool)
    for row, labels_of_text in enumerate(gold):
        target = labels_of_text[int(rng.integers(len(labels_of_text)))]
        targets.append(column[target])
        for other in labels_of_text:
            if other != target:
                mask[row, column[other]] = True
    log_p = torch.log_softmax(logits.masked_fill(mask, -1e4), dim=1)
    rows = torch.arange(len(targets))
    # Label smoothing over the columns that are real negatives or the target, not masked ones.
    allowed = (~mask).to(log_p.dtype)
    smooth = -(log_p * allowed).sum(1) / allowed.sum(1)
    eps = settings.label_smoothing
    loss = ((1 - eps) * -log_p[rows, torch.as_tensor(targets)] + eps * smooth).mean()
    return optimizer_step(loss, optimizer, scheduler, top)


def save_matcher(
    folder: Path, state: dict[str, Any], settings: MatcherSettings, stats: dict[str, Any]
) -> None:
    """The matcher as one directory: tuned layers (safetensors, fp16), config and model card."""
    import torch

    from steplens.pipeline import __version__
    from steplens.pipeline.steps.matcher import FORMAT_VERSION, MATCHER_KIND
    from steplens.pipeline.weights import save_weights

    folder.mkdir(parents=True, exist_ok=True)
    half = {key: tensor.to(torch.float16).contiguous() for key, tensor in state.items()}
    save_weights(half, folder / "layers.safetensors")
    config = {
        "kind": MATCHER_KIND,
        "format_version": FORMAT_VERSION,
        "steplens_version": __version__,
        "tuned_layers": settings.tuned_layers,
        "settings": asdict(settings),
        "training": stats,
    }
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> None:
    """Train on every source but ``--hold-out`` and save the matcher."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--hold-out", choices=SOURCES, action="append", default=[])
    parser.add_argument("--epochs", type=int, default=MatcherSettings.epochs)
    parser.add_argument("--per-source", type=int, default=MatcherSettings.per_source)
    parser.add_argument("--seed", type=int, default=MatcherSettings.seed)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    from steplens.pipeline.encoder import load_encoder

    settings = MatcherSettings(epochs=args.epochs, per_source=args.per_source, seed=args.seed)
    sources = [load_source(name) for name in SOURCES if name not in args.hold_out]
    state, stats = train_matcher(load_encoder(), sources, settings)
    stats["held_out"] = args.hold_out
    save_matcher(args.out, state, settings, stats)
    logger.info("matcher saved to %s", args.out)


if __name__ == "__main__":
    main(sys.argv[1:])
