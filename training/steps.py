"""Train a step model, with or without fine-tuning the encoder's top layers.

``fine_tune="auto"`` (the default of ``steplens train-steps``) decides on held-out training
data, never on a test set: it fine-tunes the top layers on the fit part of one stratified split,
fits heads on the frozen and on the tuned embeddings, and keeps fine-tuning only when the tuned
head scores higher on the held-out part (top-1 accuracy, or micro-F1 for multi-label data).

When fine-tuning is kept, the calibration (regularisation, temperature, ``unassigned``
threshold) is the one measured on that held-out part, because an encoder tuned on all texts
would make held-out scores look better than they are; the layers are then tuned again on all
texts and the final head is fitted on their embeddings.

CPU cost (2 cores, Banking77, 10,003 texts): about 45 s per epoch for the default 2 tuned
layers; ``auto`` runs the tuning twice (split, then all texts). See docs/steps.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Literal

import numpy as np

from steplens.pipeline.steps.head_training import (
    Calibration,
    build_classifier,
    calibrate_head,
    held_out_folds,
    held_out_score,
    prepare_examples,
    train_step_classifier,
)
from steplens.pipeline.steps.trained import TrainedStepClassifier, TrainingReport
from steplens.training.step_encoder import (
    FineTuneSettings,
    TopStack,
    cache_trunk,
    encode_cached,
    fine_tune_top_layers,
)

if TYPE_CHECKING:
    from steplens.pipeline.encoder import Encoder
    from steplens.pipeline.journey import Journey

logger = logging.getLogger(__name__)

FineTune = Literal["auto", "always", "never"]
FINE_TUNE_CHOICES: tuple[FineTune, ...] = ("auto", "always", "never")


def train_steps(
    journey: Journey,
    texts: Sequence[str],
    labels: Sequence[str],
    encoder: Encoder,
    *,
    fine_tune: FineTune = "auto",
    settings: FineTuneSettings | None = None,
    background: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> tuple[TrainedStepClassifier, TrainingReport]:
    """Train a step classifier from (text, label) rows; see the module docstring.
    ``background`` adds the background texts as ``unassigned`` negatives
    (:func:`steplens.pipeline.steps.head_training.prepare_examples`)."""
    note = on_progress or (lambda message: None)
    settings = settings or FineTuneSettings()
    seed = settings.seed
    if fine_tune == "never":
        return train_step_classifier(
            journey,
            texts,
            labels,
            encoder,
            seed=seed,
            background=background,
            on_progress=on_progress,
        )
    examples = prepare_examples(journey, texts, labels, background=background)
    targets, multi_label = examples.targets, examples.multi_label
    negatives = len(examples.background)
    held_out = held_out_folds(targets, seed, negatives)[0]
    fit = np.setdiff1d(np.arange(len(examples.texts)), held_out)
    note(f"running the frozen layers once over {len(examples.texts)} texts")
    trunk = cache_trunk(encoder, examples.texts, settings.tuned_layers)
    note(f"fine-tuning the top {settings.tuned_layers} layers on {len(fit)} texts")
    trial = fine_tune_top_layers(
        encoder,
        [examples.texts[i] for i in fit],
        targets[fit],
        settings,
        trunk=trunk.subset(fit),
        on_progress=note,
    )
    tuned = calibrate_head(
        encode_cached(trial.top, trunk), targets, [held_out], multi_label=multi_label, seed=seed
    )
    # The untouched top layers over the cached trunk are the packaged encoder's embeddings.
    frozen_embeddings = encode_cached(TopStack(encoder, settings.tuned_layers), trunk)
    frozen = calibrate_head(
        frozen_embeddings, targets, [held_out], multi_label=multi_label, seed=seed
    )
    labelled = int(targets[held_out].any(axis=1).sum())
    decision = _decision(frozen, tuned, labelled)
    note(decision)
    if fine_tune == "auto" and held_out_score(tuned) <= held_out_score(frozen):
        examples.report.warnings.append(f"fine-tuning not kept: {decision}")
        note("keeping the frozen encoder; calibrating on held-out folds")
        calibration = calibrate_head(
            frozen_embeddings,
            targets,
            held_out_folds(targets, seed, negatives),
            multi_label=multi_label,
            seed=seed,
        )
        classifier = build_classifier(
            journey,
            examples,
            frozen_embeddings,
            calibration,
            encoder_name=encoder.name,
            seed=seed,
            info={"fine_tune": {"kept": False, "decision": decision}},
        )
        return classifier, examples.report
    note(f"fine-tuning the top {settings.tuned_layers} layers on all {len(examples.texts)} texts")
    final = fine_tune_top_layers(
        encoder, examples.texts, targets, settings, trunk=trunk, on_progress=note
    )
    classifier = build_classifier(
        journey,
        examples,
        encode_cached(final.top, trunk),
        tuned,
        encoder_name=encoder.name,
        seed=seed,
        info={
            "fine_tune": {
                "kept": True,
                "decision": decision,
                "settings": asdict(settings),
                "trial": trial.stats,
                "final": final.stats,
            }
        },
        tuned_layers=settings.tuned_layers,
        tuned_state=final.state,
    )
    return classifier, examples.report


def _decision(frozen: Calibration, tuned: Calibration, held_out: int) -> str:
    metric = "accuracy_top1" if "accuracy_top1" in frozen.held_out else "micro_f1"
    return (
        f"held-out {metric} on {held_out} step texts: frozen {held_out_score(frozen):.4f}, "
        f"fine-tuned {held_out_score(tuned):.4f}"
    )
