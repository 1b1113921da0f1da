"""Zero-shot step classification from the journey alone.

Each step gets several prototypes, embedded separately (never averaged into one string): its
name, the name in a question template, "name: description", and each example phrase. A text's
score for a step is the mean of its two highest cosine similarities to that step's prototypes
(more robust than the single highest: one stray example cannot capture a text alone).

Scores become probabilities with a small logistic calibration on two features per (text, step):
the score and its margin over the best other step. The calibration is fitted leave-one-out on
the journey's own example phrases: each example is scored against every prototype except itself,
and is a positive for its own step and a negative for the others. Off-topic feedback
(``data/calibration/off_topic.txt``: "thanks", "n/a", "10/10", chatter) adds negatives for
every step. A journey with too few examples to calibrate on (fewer than
``MIN_CALIBRATION_EXAMPLES``) is calibrated the same way on the bundled journeys' examples,
scored against the same kinds of prototypes the journey has (names only, or names and
descriptions), so the probabilities mean the same thing.

The ``unassigned`` threshold is set on the same calibration data: the probability cut that
maximises the mean of (a) the share of held-out examples assigned to their own step and (b) the
share of off-topic texts left unassigned. ``--threshold`` overrides it.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.embedding_cache import cached_encode
from pipeline.errors import SteplensError
from pipeline.journey import Journey, bundled_journey_paths, load_journey
from pipeline.paths import data_dir
from pipeline.steps.base import sigmoid

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from pipeline.encoder import TextEncoder

logger = logging.getLogger(__name__)

NAME_TEMPLATE = "I have a question about {name}"
MIN_CALIBRATION_EXAMPLES = 20
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Prototype:
    """One text that stands for a step."""

    step_index: int
    text: str
    kind: str  # "name", "template", "description" or "example"


def build_prototypes(journey: Journey, kinds: Sequence[str] | None = None) -> list[Prototype]:
    """The prototypes of every step, in journey order; ``kinds`` restricts which are built."""
    wanted = set(kinds) if kinds is not None else {"name", "template", "description", "example"}
    prototypes = []
    for index, step in enumerate(journey.steps):
        if "name" in wanted:
            prototypes.append(Prototype(index, step.name, "name"))
        if "template" in wanted:
            prototypes.append(Prototype(index, NAME_TEMPLATE.format(name=step.name), "template"))
        if "description" in wanted and step.description:
            prototypes.append(Prototype(index, f"{step.name}: {step.description}", "description"))
        if "example" in wanted:
            prototypes.extend(Prototype(index, example, "example") for example in step.examples)
    return prototypes


def step_scores(
    similarities: NDArray[np.float32], step_of_prototype: NDArray[np.int64], n_steps: int
) -> NDArray[np.float32]:
    """Per-step scores: the mean of each text's two highest similarities to a step's prototypes.

    Similarities set to -1 (a held-out prototype) are ignored when a step has others.
    """
    scores = np.full((similarities.shape[0], n_steps), -1.0, dtype=np.float32)
    for step in range(n_steps):
        columns = similarities[:, step_of_prototype == step]
        if columns.shape[1] == 0:
            continue
        if columns.shape[1] == 1:
            scores[:, step] = columns[:, 0]
            continue
        top_two = np.partition(columns, columns.shape[1] - 2, axis=1)[:, -2:]
        held_out = top_two[:, 0] <= -1.0
        scores[:, step] = np.where(held_out, top_two[:, 1], top_two.mean(axis=1))
    return scores


def calibration_features(scores: NDArray[np.float32]) -> NDArray[np.float32]:
    """Two features per (text, step): the score and its margin over the best other step."""
    if scores.shape[1] < 2:
        margin = np.zeros_like(scores)
    else:
        ordered = np.sort(scores, axis=1)
        best, second = ordered[:, -1:], ordered[:, -2:-1]
        best_other = np.where(scores >= best, second, best)
        margin = scores - best_other
    return np.stack([scores, margin], axis=-1).astype(np.float32)


@dataclass(frozen=True)
class Calibration:
    """Logistic calibration ``p = sigmoid(w0 * score + w1 * margin + b)``, threshold, provenance."""

    weights: tuple[float, float]
    bias: float
    threshold: float
    source: str
    examples: int

    def apply(self, features: NDArray[np.float32]) -> NDArray[np.float32]:
        """Probabilities from (n, k, 2) features."""
        return sigmoid(features @ np.asarray(self.weights, dtype=np.float32) + self.bias)


CALIBRATION_C = 10.0
"""Inverse L2 strength of the calibration fit (as scikit-learn's ``C``)."""


def fit_logistic(
    x: NDArray[np.float32], y: NDArray[np.bool_], *, c: float, iterations: int = 50
) -> tuple[NDArray[np.float64], float]:
    """L2-regularised logistic regression by Newton's method: (weights, intercept).

    The objective is scikit-learn's ``LogisticRegression(C=c)`` (penalty ``0.5 * |w|^2``, the
    intercept unpenalised), so the fit matches it (a test checks); with a handful of features
    Newton converges in a few steps, and a `tag` run need not import scikit-learn (2 s).
    """
    target = np.asarray(y, dtype=np.float64)
    if target.min() == target.max():
        raise SteplensError("calibration needs both matching and non-matching examples")
    design = np.hstack([np.asarray(x, dtype=np.float64), np.ones((len(x), 1))])
    penalty = np.eye(design.shape[1]) / c
    penalty[-1, -1] = 0.0
    theta = np.zeros(design.shape[1])
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(design @ theta)))
        gradient = design.T @ (p - target) + penalty @ theta
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(theta)), gradient)
        theta -= step
        if np.abs(step).max() < 1e-10:
            break
    return theta[:-1], float(theta[-1])


def fit_calibration(
    features: NDArray[np.float32], labels: NDArray[np.bool_], source: str
) -> Calibration:
    """Fit the logistic calibration and the threshold on (text, step) pairs.

    ``features`` is (n_texts, n_steps, 2) and ``labels`` (n_texts, n_steps); rows with no
    positive label are off-topic texts.
    """
    weights, bias = fit_logistic(features.reshape(-1, 2), labels.reshape(-1), c=CALIBRATION_C)
    calibration = Calibration(
        weights=(float(weights[0]), float(weights[1])),
        bias=bias,
        threshold=DEFAULT_THRESHOLD,
        source=source,
        examples=int(labels.shape[0]),
    )
    threshold = choose_threshold(calibration.apply(features), labels)
    return dataclasses.replace(calibration, threshold=threshold)


def choose_threshold(probabilities: NDArray[np.float32], labels: NDArray[np.bool_]) -> float:
    """The cut that best balances keeping on-topic texts assigned and off-topic ones not.

    Maximises the mean of the on-topic texts' rate of being assigned to a correct step and the
    off-topic texts' rate of staying unassigned; with no off-topic texts, keeps 95% assigned.
    """
    on_topic = labels.any(axis=1)
    best = probabilities.max(axis=1)
    correct = labels[np.arange(len(labels)), probabilities.argmax(axis=1)]
    if not (~on_topic).any():
        return float(np.quantile(best[on_topic], 0.05)) if on_topic.any() else DEFAULT_THRESHOLD
    grid = np.round(np.arange(0.02, 0.96, 0.01), 2)
    utility = [
        0.5 * np.mean(correct[on_topic] & (best[on_topic] >= t))
        + 0.5 * np.mean(best[~on_topic] < t)
        for t in grid
    ]
    return float(grid[int(np.argmax(utility))])


def off_topic_texts() -> list[str]:
    """Hand-written feedback that names no step (data/calibration/off_topic.txt)."""
    path = data_dir() / "calibration" / "off_topic.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@functools.lru_cache(maxsize=32)
def encode_prototypes(encoder: TextEncoder, texts: tuple[str, ...]) -> NDArray[np.float32]:
    """Prototype embeddings, computed once per encoder and journey (the classifier and its
    calibration read the same ones)."""
    vectors = cached_encode(encoder, texts)
    vectors.setflags(write=False)
    return vectors


def leave_one_out_pairs(
    journey: Journey, encoder: TextEncoder, kinds: Sequence[str]
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Features and labels from the journey's examples, each scored without its own prototype.

    Off-topic texts are appended as rows with no positive step.
    """
    examples = [(i, example) for i, step in enumerate(journey.steps) for example in step.examples]
    if not examples:
        return np.zeros((0, len(journey.steps), 2), np.float32), np.zeros((0, 0), bool)
    prototypes = build_prototypes(journey, kinds)
    off_topic = off_topic_texts()
    texts = [example for _, example in examples] + off_topic
    vectors = cached_encode(encoder, texts)
    proto_vectors = encode_prototypes(encoder, tuple(p.text for p in prototypes))
    similarities = vectors @ proto_vectors.T
    for row, (_, example) in enumerate(examples):
        for column, prototype in enumerate(prototypes):
            if prototype.kind == "example" and prototype.text == example:
                similarities[row, column] = -1.0
    step_of = np.array([p.step_index for p in prototypes], dtype=np.int64)
    scores = step_scores(similarities, step_of, len(journey.steps))
    labels = np.zeros(scores.shape, dtype=bool)
    labels[np.arange(len(examples)), [i for i, _ in examples]] = True  # off-topic rows stay False
    return calibration_features(scores), labels


class ZeroShotStepClassifier:
    """Steps from the journey's names, descriptions and examples; no training data needed."""

    kind = "zero-shot"

    def __init__(
        self,
        journey: Journey,
        encoder: TextEncoder,
        *,
        threshold: float | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.journey = journey
        self._encoder_dimension = encoder.dimension
        self.prototypes = build_prototypes(journey)
        self._step_of = np.array([p.step_index for p in self.prototypes], dtype=np.int64)
        self.prototype_vectors = encode_prototypes(encoder, tuple(p.text for p in self.prototypes))
        self.calibration = calibration or calibrate_for(journey, encoder)
        self.threshold = self.calibration.threshold if threshold is None else threshold

    @property
    def step_ids(self) -> list[str]:
        """Step ids in journey order."""
        return self.journey.step_ids

    @property
    def encoder_dimension(self) -> int:
        """Embedding length the prototypes were encoded with."""
        return self._encoder_dimension

    def scores(self, embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        """Raw per-step similarity scores (before calibration)."""
        similarities = embeddings @ self.prototype_vectors.T
        return step_scores(similarities, self._step_of, len(self.journey.steps))

    def predict_proba(self, embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        """Calibrated P(about step k) for each text and step."""
        if embeddings.shape[0] == 0:
            return np.zeros((0, len(self.journey.steps)), dtype=np.float32)
        return self.calibration.apply(calibration_features(self.scores(embeddings)))

    def describe(self) -> dict[str, Any]:
        """Kind, journey, prototypes and calibration, for outputs and docs."""
        return {
            "kind": self.kind,
            "journey": self.journey.name,
            "prototypes": len(self.prototypes),
            "threshold": self.threshold,
            "calibration": {
                "threshold": self.calibration.threshold,
                "weights": list(self.calibration.weights),
                "bias": self.calibration.bias,
                "source": self.calibration.source,
                "examples": self.calibration.examples,
            },
        }


def prototype_kinds(journey: Journey) -> list[str]:
    """The kinds of prototypes a journey can offer besides examples."""
    kinds = ["name", "template"]
    if any(step.description for step in journey.steps):
        kinds.append("description")
    return kinds


@functools.lru_cache(maxsize=32)
def calibrate_for(journey: Journey, encoder: TextEncoder) -> Calibration:
    """Calibrate on the journey's own examples, or on the bundled journeys when it has too few
    or its own calibration comes out degenerate (then with a warning that says what to add).

    Cached per (journey, encoder): journeys are immutable, so a process calibrates each once.
    """
    n_examples = sum(len(step.examples) for step in journey.steps)
    if n_examples >= MIN_CALIBRATION_EXAMPLES:
        kinds = [*prototype_kinds(journey), "example"]
        features, labels = leave_one_out_pairs(journey, encoder, kinds)
        if labels.any():
            own = fit_calibration(features, labels, f"journey {journey.name!r} (leave-one-out)")
            problem = degenerate_calibration(journey, own, features, labels)
            if problem is None:
                return own
            logger.warning("%s; using the bundled journeys' calibration instead", problem)
            bundled = _bundled_calibration(encoder, tuple(kinds))
            rejected = f"; the journey's own calibration (threshold {own.threshold:.2f}) rejected"
            return dataclasses.replace(bundled, source=bundled.source + rejected)
    kinds = prototype_kinds(journey)
    logger.info(
        "journey %r has %d examples; calibrating on the bundled journeys with %s prototypes",
        journey.name,
        n_examples,
        "+".join(kinds),
    )
    return _bundled_calibration(encoder, tuple(kinds))


DEGENERATE_THRESHOLDS = (0.15, 0.9)
"""A calibrated ``unassigned`` threshold outside this range is degenerate: with few examples the
fit learns that almost no (text, step) pair matches, every probability is small, and the cut
falls towards the bottom of its grid (0.08 for a 7-step journey with 3 examples per step)."""
MIN_HELD_OUT_ACCURACY = 0.5


def degenerate_calibration(
    journey: Journey,
    calibration: Calibration,
    features: NDArray[np.float32],
    labels: NDArray[np.bool_],
) -> str | None:
    """Why a journey's own calibration cannot be trusted, naming the steps to add examples to;
    None when it can.

    Degenerate: the threshold falls outside :data:`DEGENERATE_THRESHOLDS`, or fewer than half
    of the held-out examples are read as their own step.
    """
    on_topic = labels.any(axis=1)
    probabilities = calibration.apply(features)[on_topic]
    gold = labels[on_topic].argmax(axis=1)
    right = probabilities.argmax(axis=1) == gold
    accuracy = float(right.mean()) if len(right) else 0.0
    low, high = DEGENERATE_THRESHOLDS
    if low <= calibration.threshold <= high and accuracy >= MIN_HELD_OUT_ACCURACY:
        return None
    per_step = [
        (float(right[gold == index].mean()) if (gold == index).any() else 0.0, len(step.examples))
        for index, step in enumerate(journey.steps)
    ]
    order = sorted(range(len(per_step)), key=lambda i: per_step[i])
    misread = [journey.steps[i].id for i in order if per_step[i][0] < 1.0]
    weakest = (misread or [journey.steps[i].id for i in order])[:3]
    undescribed = [step.id for step in journey.steps if not step.description]
    more = f" and {len(undescribed) - 5} more" if len(undescribed) > 5 else ""
    describe = f", and a description to {', '.join(undescribed[:5])}{more}" if undescribed else ""
    found = (
        f"journey {journey.name!r}: calibrating on its own {int(on_topic.sum())} examples gave "
        f"an unassigned threshold of {calibration.threshold:.2f} and read {accuracy:.0%} of them "
        "as their own step when held out"
    )
    if accuracy < MIN_HELD_OUT_ACCURACY:
        cause = (
            "its steps overlap: held-out examples are read as other steps. Make the steps' "
            "examples and descriptions say what sets each step apart"
        )
    elif calibration.threshold < low:
        cause = (
            "too few examples to tell the steps from off-topic text. Add examples in customers' "
            "own words (5 or more per step, varied)"
        )
    else:
        cause = (
            "its examples are too alike to leave anything unassigned. Add examples in customers' "
            "own words that differ from each other (5 or more per step)"
        )
    return f"{found}: {cause}, first to {', '.join(weakest)}{describe}"


@functools.lru_cache(maxsize=8)
def _bundled_calibration(encoder: TextEncoder, kinds: tuple[str, ...]) -> Calibration:
    features, labels = [], []
    for path in bundled_journey_paths().values():
        f, y = leave_one_out_pairs(load_journey(path), encoder, kinds)
        features.append(f)
        labels.append(y)
    width = max(f.shape[1] for f in features)
    return fit_calibration(
        np.concatenate([_pad_steps(f, width, -1.0) for f in features]),
        np.concatenate([_pad_steps(y, width, False) for y in labels]),
        f"bundled journeys ({'+'.join(kinds)} prototypes)",
    )


def _pad_steps(array: Any, width: int, fill: Any) -> Any:
    """Pad the step axis (axis 1) so journeys with different step counts can be pooled.

    Padded steps get a score of -1 and a negative label; they never win and never count.
    """
    missing = width - array.shape[1]
    if missing == 0:
        return array
    pad = [(0, 0), (0, missing)] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, pad, constant_values=fill)
