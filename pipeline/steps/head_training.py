"""Training a step head from labelled examples (``steplens train-steps``, ``tag --adapt``).

``train_step_classifier`` learns from five examples per step up to tens of thousands. Texts
listed with one label each give a softmax head (one step per text); a text listed with several
labels makes the head multi-label (one sigmoid per step). The regularisation strength, the
softmax temperature and the ``unassigned`` threshold are all chosen on held-out training data
(out-of-fold predictions for small sets, a stratified 20% split for large ones), never by hand:

- softmax: the threshold is the ``ASSIGNED_QUANTILE`` quantile of the held-out texts' top
  probability, i.e. the cut that would leave that share of genuine step texts unassigned;
- sigmoid: the threshold maximises micro-F1 over (text, step) pairs on the held-out texts.

Texts labelled ``unassigned`` are negatives: they teach the head what is not about any step.
By default the background texts (:mod:`steplens.pipeline.steps.background`: 1,000 random real tweets
and the hand-written chatter) are added as negatives too, so a head trained only on its steps'
texts still learns a "no step" class, and says ``unassigned`` to other topics and chit-chat
(real chatbot traffic is a third to two thirds out of scope). ``background=False`` turns it off,
for journeys whose steps are themselves chit-chat (greetings, thanks).

The trained model is a :class:`~steplens.pipeline.steps.trained.TrainedStepClassifier`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.steps.trained import (
    TrainedStepClassifier,
    TrainingReport,
    head_probabilities,
)

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder

logger = logging.getLogger(__name__)

ASSIGNED_QUANTILE = 0.01
C_GRID = (0.5, 2.0, 8.0, 32.0)
LARGE_TRAINING_SET = 2000


def read_examples(
    path: str | Path,
    *,
    text_column: str = "text",
    label_column: str = "step",
    encoding: str = "utf-8",
) -> tuple[list[str], list[str]]:
    """(text, label) rows from a CSV/TSV, JSON Lines or Parquet file of labelled examples."""
    from steplens.pipeline.tables import as_text, open_table

    table = open_table(path, text_column=text_column, encoding=encoding, ids_needed=False)
    table.require_column(label_column, "label", "--label-column")
    texts: list[str] = []
    labels: list[str] = []
    for chunk in table.chunks():
        texts += chunk.texts
        labels += [as_text(row.get(label_column)).strip() for row in chunk.rows]
    return texts, labels


def group_examples(
    texts: Sequence[str], labels: Sequence[str], journey: Journey
) -> tuple[list[str], list[set[str]]]:
    """Merge rows of (text, label) into unique texts with label sets; check labels are steps."""
    allowed = set(journey.step_ids) | {UNASSIGNED}
    unknown = Counter(label for label in labels if label not in allowed)
    if unknown:
        listed = ", ".join(f"{label!r} ({count} rows)" for label, count in unknown.most_common())
        raise SteplensError(
            f"training labels that are not steps of journey {journey.name!r}: {listed}. "
            f"The journey's steps are: {', '.join(journey.step_ids)} (and {UNASSIGNED!r} "
            "for texts about none)"
        )
    merged: dict[str, set[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        key = text.strip()
        if not key:
            continue
        merged.setdefault(key, set()).add(label)
    for label_set in merged.values():
        if len(label_set) > 1:
            label_set.discard(UNASSIGNED)
    return list(merged), list(merged.values())


@dataclass
class Examples:
    """Training examples merged per unique text: texts and a (texts x steps) target matrix."""

    texts: list[str]
    targets: NDArray[np.bool_]
    report: TrainingReport
    background: tuple[int, ...] = ()
    """Indices into :func:`steplens.pipeline.steps.background.background_texts` of the last
    ``len(background)`` texts, the background negatives (their embeddings are shipped)."""

    def embed(self, encoder: TextEncoder) -> NDArray[np.float32]:
        """The texts' embeddings; the background negatives' come from the background's own
        (shipped or cached) embeddings instead of being encoded again for every model."""
        own = self.texts[: len(self.texts) - len(self.background)]
        vectors = encoder.encode(own)
        if not self.background:
            return vectors
        from steplens.pipeline.steps.background import background_vectors

        extra = background_vectors(encoder)[list(self.background)]
        return np.vstack([vectors, extra]).astype(np.float32, copy=False)

    @property
    def multi_label(self) -> bool:
        """True when some text has several steps."""
        return self.report.multi_label


@dataclass(frozen=True)
class Calibration:
    """Settings chosen on held-out training data: C, temperature and threshold."""

    regularisation: float
    temperature: float
    threshold: float
    held_out: dict[str, float]


def prepare_examples(
    journey: Journey,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    background: bool = False,
) -> Examples:
    """Check and merge (text, label) rows; warn about steps with too few examples.

    The texts kept are their step views (:func:`steplens.pipeline.model_view.step_view`), what the
    tagger's step branch reads too, so rows that differ only by a handle or a link merge.
    With ``background``, the background texts (:mod:`steplens.pipeline.steps.background`) that are
    not among the examples are appended as ``unassigned`` negatives (counted apart in the report).
    """
    from steplens.pipeline.model_view import step_views

    unique_texts, label_sets = group_examples(step_views(texts), labels, journey)
    if not unique_texts:
        raise SteplensError("no training examples with text")
    own = set(unique_texts)
    extra: list[tuple[int, str]] = []
    if background:
        from steplens.pipeline.steps.background import background_texts

        for index, text in enumerate(background_texts()):
            if text not in own:
                own.add(text)
                extra.append((index, text))
    step_ids = journey.step_ids
    per_step = {step: sum(step in s for s in label_sets) for step in step_ids}
    report = TrainingReport(
        texts=len(unique_texts),
        labels=sum(len(s) for s in label_sets),
        multi_label=any(len(s) > 1 for s in label_sets),
        per_step=per_step,
        negatives=sum(s == {UNASSIGNED} for s in label_sets),
        background=len(extra),
    )
    missing = [step for step, count in per_step.items() if count == 0]
    few = [step for step, count in per_step.items() if count == 1]
    if missing:
        report.warnings.append(
            f"no examples for step(s) {', '.join(missing)}: the model will never predict them"
        )
    if few:
        report.warnings.append(
            f"only one example for step(s) {', '.join(few)}: give at least 2 (5+ is better); "
            "they cannot be checked on held-out data"
        )
    if sum(count > 0 for count in per_step.values()) < 2:
        raise SteplensError("training needs examples for at least two steps")
    for warning in report.warnings:
        logger.warning(warning)
    label_sets = [*label_sets, *[{UNASSIGNED}] * len(extra)]
    targets = np.array([[step in s for step in step_ids] for s in label_sets], dtype=bool)
    texts_out = [*unique_texts, *(text for _, text in extra)]
    return Examples(texts_out, targets, report, tuple(index for index, _ in extra))


def calibrate_head(
    embeddings: NDArray[np.float32],
    targets: NDArray[np.bool_],
    folds: list[NDArray[np.int64]],
    *,
    multi_label: bool,
    seed: int = 0,
) -> Calibration:
    """Choose C, temperature and the ``unassigned`` threshold on the held-out ``folds``."""
    best_c, held_out_logits, held_out_index = _select_regularisation(
        embeddings, targets, folds, multi_label, seed
    )
    y_held = targets[held_out_index]
    n_steps = targets.shape[1]
    if multi_label:
        temperature = 1.0
        probs = head_probabilities(held_out_logits, True, n_steps)
        threshold, metrics = _multi_label_threshold(probs, y_held)
    else:
        temperature = _fit_temperature(held_out_logits, y_held)
        probs = head_probabilities(held_out_logits, False, n_steps, temperature)
        threshold, metrics = _softmax_threshold(probs, y_held)
    return Calibration(best_c, temperature, threshold, metrics)


def held_out_score(calibration: Calibration) -> float:
    """The one number used to compare two ways of training: top-1 accuracy or micro-F1."""
    metrics = calibration.held_out
    return float(metrics.get("accuracy_top1", metrics.get("micro_f1", 0.0)))


def build_classifier(
    journey: Journey,
    examples: Examples,
    embeddings: NDArray[np.float32],
    calibration: Calibration,
    *,
    encoder_name: str,
    seed: int = 0,
    info: dict[str, Any] | None = None,
    tuned_layers: int = 0,
    tuned_state: dict[str, Any] | None = None,
) -> TrainedStepClassifier:
    """Fit the final head on all examples with the calibrated settings.

    ``embeddings`` come from the encoder the head will read: the packaged one, or one whose
    top ``tuned_layers`` layers are ``tuned_state``.
    """
    report = examples.report
    report.regularisation = calibration.regularisation
    report.temperature = calibration.temperature
    report.threshold = calibration.threshold
    report.held_out = calibration.held_out
    weight, bias = _fit_head(
        embeddings, examples.targets, calibration.regularisation, examples.multi_label, seed
    )
    details = {
        "trained_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "examples": len(examples.texts),
        "seed": seed,
        **(info or {}),
    }
    return TrainedStepClassifier(
        journey,
        weight,
        bias,
        multi_label=examples.multi_label,
        threshold=calibration.threshold,
        temperature=calibration.temperature,
        encoder_name=encoder_name,
        info=details,
        tuned_layers=tuned_layers,
        tuned_state=tuned_state,
    )


def train_step_classifier(
    journey: Journey,
    texts: Sequence[str],
    labels: Sequence[str],
    encoder: TextEncoder,
    *,
    seed: int = 0,
    background: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> tuple[TrainedStepClassifier, TrainingReport]:
    """Train a head on frozen embeddings from (text, label) rows; a text in several rows is
    multi-label. ``background`` adds the background texts as negatives (module docstring)."""
    note = on_progress or (lambda message: None)
    examples = prepare_examples(journey, texts, labels, background=background)
    note(f"embedding {len(examples.texts)} texts")
    embeddings = examples.embed(encoder)
    note("choosing regularisation and threshold on held-out training data")
    calibration = calibrate_head(
        embeddings,
        examples.targets,
        held_out_folds(examples.targets, seed, len(examples.background)),
        multi_label=examples.multi_label,
        seed=seed,
    )
    note(f"fitting the final head on all {len(examples.texts)} texts")
    classifier = build_classifier(
        journey, examples, embeddings, calibration, encoder_name=encoder.name, seed=seed
    )
    return classifier, examples.report


def held_out_folds(
    targets: NDArray[np.bool_], seed: int, background: int = 0
) -> list[NDArray[np.int64]]:
    """Index arrays of held-out texts: K folds for small sets, one 20% split for large ones.

    Folds are stratified by each text's first step; a step's lone example is never held out.
    The last ``background`` rows (background negatives) do not count towards the size that
    picks between the two, so adding them does not change how a user's set is split.
    """
    rng = np.random.default_rng(seed)
    n = targets.shape[0]
    primary = np.where(targets.any(axis=1), targets.argmax(axis=1), -1)
    if n - background >= LARGE_TRAINING_SET:
        n_folds, use = 5, 1
    else:
        counts = Counter(primary[primary >= 0].tolist())  # steps, not the negatives
        repeated = [c for c in counts.values() if c >= 2]
        if not repeated:
            raise SteplensError(
                f"every label has a single example ({n} in all): nothing can be held out to "
                "choose the regularisation and threshold; give at least 2 examples per step "
                "(5+ is better)"
            )
        smallest = min(repeated)
        n_folds, use = max(2, min(5, smallest)), None
    fold_of = np.empty(n, dtype=np.int64)
    for label in np.unique(primary):
        members = np.flatnonzero(primary == label)
        rng.shuffle(members)
        if len(members) == 1:
            fold_of[members] = -1  # a lone example is never held out
        else:
            fold_of[members] = (np.arange(len(members)) + rng.integers(n_folds)) % n_folds
    folds = [np.flatnonzero(fold_of == k) for k in range(n_folds)]
    return folds[:use] if use else folds


def _fit_head(
    x: NDArray[np.float32], y: NDArray[np.bool_], c: float, multi_label: bool, seed: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Logistic regression: multinomial over steps, or one binary model per step.

    For a softmax head, texts labelled ``unassigned`` form one extra class (the last row of the
    head), so probability mass can go to "no step" instead of being forced onto a step.
    """
    from sklearn.linear_model import LogisticRegression

    n_steps = y.shape[1]
    labelled = y.any(axis=1)
    rows = n_steps if multi_label or labelled.all() else n_steps + 1
    weight = np.zeros((rows, x.shape[1]), dtype=np.float32)
    bias = np.full(rows, -30.0, dtype=np.float32)  # steps without examples never win
    if multi_label:
        for step in range(n_steps):
            column = y[:, step]
            if column.all() or not column.any():
                continue
            model = LogisticRegression(C=c, max_iter=2000, random_state=seed)
            model.fit(x, column.astype(int))
            weight[step], bias[step] = model.coef_[0], model.intercept_[0]
        return weight, bias
    classes = np.where(labelled, y.argmax(axis=1), n_steps)
    model = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    model.fit(x, classes)
    if model.coef_.shape[0] == 1:  # two classes: sklearn fits one binary model
        first, second = model.classes_
        weight[second], bias[second] = model.coef_[0] / 2, model.intercept_[0] / 2
        weight[first], bias[first] = -model.coef_[0] / 2, -model.intercept_[0] / 2
    else:
        for row, label in enumerate(model.classes_):
            weight[label], bias[label] = model.coef_[row], model.intercept_[row]
    return weight, bias


def _select_regularisation(
    x: NDArray[np.float32],
    y: NDArray[np.bool_],
    folds: list[NDArray[np.int64]],
    multi_label: bool,
    seed: int,
) -> tuple[float, NDArray[np.float32], NDArray[np.int64]]:
    """The C with the best held-out log-loss, and its held-out logits."""
    held_out = np.concatenate(folds)
    n_steps = y.shape[1]
    rows = n_steps if multi_label or y.any(axis=1).all() else n_steps + 1
    best: tuple[float, float, NDArray[np.float32]] | None = None
    for c in C_GRID:
        logits = np.zeros((len(held_out), rows), dtype=np.float32)
        offset = 0
        for fold in folds:
            train = np.setdiff1d(np.arange(len(y)), fold)
            weight, bias = _fit_head(x[train], y[train], c, multi_label, seed)
            logits[offset : offset + len(fold)] = x[fold] @ weight.T + bias
            offset += len(fold)
        probs = head_probabilities(logits, multi_label, n_steps)
        loss = _log_loss(probs, y[held_out], multi_label)
        logger.debug("C=%s held-out log-loss %.4f", c, loss)
        if best is None or loss < best[0]:
            best = (loss, c, logits)
    assert best is not None
    return best[1], best[2], held_out


def _log_loss(probs: NDArray[np.float32], y: NDArray[np.bool_], multi_label: bool) -> float:
    p = np.clip(probs, 1e-7, 1 - 1e-7)
    if multi_label:
        return float(-np.mean(np.where(y, np.log(p), np.log(1 - p))))
    labelled = y.any(axis=1)
    if not labelled.any():
        return 0.0
    own = p[labelled][y[labelled]]
    return float(-np.mean(np.log(own)))


def _fit_temperature(logits: NDArray[np.float32], y: NDArray[np.bool_]) -> float:
    """The softmax temperature with the best held-out log-likelihood (grid search)."""
    labelled = y.any(axis=1)
    if not labelled.any():
        return 1.0
    best_t, best_loss = 1.0, float("inf")
    n_steps = y.shape[1]
    for t in np.exp(np.linspace(np.log(0.25), np.log(4.0), 41)):
        probs = head_probabilities(logits[labelled], False, n_steps, float(t))
        loss = -float(np.mean(np.log(np.clip(probs[y[labelled]], 1e-12, None))))
        if loss < best_loss:
            best_t, best_loss = float(t), loss
    return round(best_t, 4)


def _softmax_threshold(
    probs: NDArray[np.float32], y: NDArray[np.bool_]
) -> tuple[float, dict[str, float]]:
    """Threshold from the held-out top probabilities of genuine step texts."""
    labelled = y.any(axis=1)
    top = probs.max(axis=1)
    correct = y[np.arange(len(y)), probs.argmax(axis=1)]
    threshold = float(np.quantile(top[labelled], ASSIGNED_QUANTILE)) if labelled.any() else 0.5
    assigned = top >= threshold
    metrics = {
        "held_out_texts": float(len(y)),
        "accuracy_top1": float(np.mean(correct[labelled])) if labelled.any() else 0.0,
        "accuracy_with_unassigned": float(np.mean((correct & assigned)[labelled]))
        if labelled.any()
        else 0.0,
        "unassigned_rate": float(np.mean(~assigned[labelled])) if labelled.any() else 0.0,
    }
    if (~labelled).any():
        metrics["negatives_unassigned"] = float(np.mean(~assigned[~labelled]))
    return round(threshold, 4), metrics


def _multi_label_threshold(
    probs: NDArray[np.float32], y: NDArray[np.bool_]
) -> tuple[float, dict[str, float]]:
    """The global threshold with the best held-out micro-F1 over (text, step) pairs."""
    best_t, best_f1, best = 0.5, -1.0, (0.0, 0.0)
    for t in np.round(np.arange(0.05, 0.96, 0.01), 2):
        predicted = probs >= t
        tp = float(np.sum(predicted & y))
        precision = tp / max(float(predicted.sum()), 1.0)
        recall = tp / max(float(y.sum()), 1.0)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        if f1 > best_f1:
            best_t, best_f1, best = float(t), f1, (precision, recall)
    metrics = {
        "held_out_texts": float(len(y)),
        "micro_f1": round(best_f1, 4),
        "precision": round(best[0], 4),
        "recall": round(best[1], 4),
    }
    return best_t, metrics
