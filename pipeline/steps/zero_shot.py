"""Zero-shot step classification from the journey alone.

Each step gets several prototypes, embedded separately (never averaged into one string): its
name, the name in a question template, "name: description", each phrase of the description
("name: phrase", from the description's affirmative sentences split at commas, "and" and "or";
a sentence that starts with "Not ..." says what the step is not, so it is no prototype), and
each example phrase. A text's score for a step is the mean of its three highest cosine
similarities to that step's prototypes: one stray prototype cannot capture a text alone, and a
text that matches one phrase of a long description is not diluted by the rest of it (with the
whole description only, the classifier ranked tweets' steps worse than plain cosine to
"name: description" did; docs/steps.md, item 3).

``unassigned`` means off-topic: a text is assigned when its best step scores above the
journey's background level (:mod:`steplens.pipeline.steps.background`: the score 90% of random real
tweets and chatter stay below). The level is set per journey, so it follows the scale of each
journey's prototypes; a cut calibrated on a journey's own clean example phrases did not carry to
real customer text (docs/steps.md, item 5).

Scores become probabilities with a small logistic calibration on two features per (text, step):
the score above the background level, and the step's shortfall from the best step (0 for the
best step, negative for the others). The probability of a best step scoring exactly at the
background level is the ``unassigned`` threshold, so a text is assigned exactly when its best
step beats the background level, whatever the weights. The weights are fitted leave-one-out on
the journey's own example phrases: each example is scored against every prototype except
itself, and is a positive for its own step and a negative for the others. Off-topic feedback
(``data/calibration/off_topic.txt``: "thanks", "n/a", "10/10", chatter) adds negatives for
every step. A journey with too few examples to calibrate on (fewer than
``MIN_CALIBRATION_EXAMPLES``) is calibrated the same way on the bundled journeys' examples,
scored against the same kinds of prototypes the journey has (names only, or names and
descriptions), so the probabilities mean the same thing. ``--threshold`` overrides the cut.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.embedding_cache import cached_encode
from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey, bundled_journey_paths, load_journey
from steplens.pipeline.steps.background import (
    BACKGROUND_QUANTILE,
    background_level,
    background_vectors,
    read_texts,
)
from steplens.pipeline.steps.base import sigmoid

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.encoder import TextEncoder

logger = logging.getLogger(__name__)

NAME_TEMPLATE = "I have a question about {name}"
MIN_CALIBRATION_EXAMPLES = 20
TOP_PROTOTYPES = 3
"""A step's score is the mean of a text's similarities to this many of its closest prototypes."""
PROTOTYPE_KINDS = ("name", "template", "description", "phrase", "example")

_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")
_NEGATED = re.compile(
    r"^(?:not|no|never|neither|nor|except|excluding|other than|"
    r"(?:does|do|is|are)(?: not|n't))\b",
    re.IGNORECASE,
)
_PHRASE_BREAK = re.compile(r"[,.;:!?()]|\s+(?:and|or)\s+")


@dataclass(frozen=True)
class Prototype:
    """One text that stands for a step."""

    step_index: int
    text: str
    kind: str  # one of PROTOTYPE_KINDS


def description_phrases(description: str) -> list[str]:
    """The phrases of a description that say what a step covers.

    Sentences that start with a negation ("Not the apps on them.", "Does not cover returns.")
    say what the step is not and are left out; the rest are split at punctuation, "and" and
    "or" ("lost, delayed or damaged luggage" gives three), and a phrase that starts with a
    negation ("..., not the underlying problem") is left out too. Fragments without a word of
    three letters are dropped.
    """
    sentences = [s for s in _SENTENCE_END.split(description) if not _NEGATED.match(s.strip())]
    phrases = (part.strip() for part in _PHRASE_BREAK.split(" ".join(sentences)))
    return list(
        dict.fromkeys(p for p in phrases if re.search(r"[^\W\d_]{3}", p) and not _NEGATED.match(p))
    )


def build_prototypes(journey: Journey, kinds: Sequence[str] | None = None) -> list[Prototype]:
    """The prototypes of every step, in journey order; ``kinds`` restricts which are built."""
    wanted = set(kinds) if kinds is not None else set(PROTOTYPE_KINDS)
    prototypes = []
    for index, step in enumerate(journey.steps):
        if "name" in wanted:
            prototypes.append(Prototype(index, step.name, "name"))
        if "template" in wanted:
            prototypes.append(Prototype(index, NAME_TEMPLATE.format(name=step.name), "template"))
        if "description" in wanted and step.description:
            prototypes.append(Prototype(index, f"{step.name}: {step.description}", "description"))
        if "phrase" in wanted and step.description:
            phrases = description_phrases(step.description)
            if phrases != [step.description.strip().rstrip(".!?;:")]:
                prototypes.extend(
                    Prototype(index, f"{step.name}: {phrase}", "phrase") for phrase in phrases
                )
        if "example" in wanted:
            prototypes.extend(Prototype(index, example, "example") for example in step.examples)
    return prototypes


def step_scores(
    similarities: NDArray[np.float32],
    step_of_prototype: NDArray[np.int64],
    n_steps: int,
    top: int = TOP_PROTOTYPES,
) -> NDArray[np.float32]:
    """Per-step scores: the mean of each text's ``top`` highest similarities to a step's
    prototypes (all of them when the step has fewer).

    Similarities set to -1 (a held-out prototype) are ignored when a step has others.
    """
    if top < 1:
        raise ValueError(f"top must be at least 1, got {top}")
    scores = np.full((similarities.shape[0], n_steps), -1.0, dtype=np.float32)
    for step in range(n_steps):
        columns = similarities[:, step_of_prototype == step]
        if columns.shape[1] == 0:
            continue
        k = min(top, columns.shape[1])
        best = np.sort(columns, axis=1)[:, -k:]
        counted = best > -1.0
        total = np.where(counted, best, 0.0).sum(axis=1)
        count = counted.sum(axis=1)
        scores[:, step] = np.where(count > 0, total / np.maximum(count, 1), -1.0)
    return scores


def calibration_features(scores: NDArray[np.float32]) -> NDArray[np.float32]:
    """Two features per (text, step): the score, and the step's shortfall from the text's best
    step (0 for the best step, negative for the others)."""
    shortfall = scores - scores.max(axis=1, keepdims=True)
    return np.stack([scores, shortfall], axis=-1).astype(np.float32)


@dataclass(frozen=True)
class Calibration:
    """Logistic calibration ``p = sigmoid(w0 * (score - level) + w1 * shortfall + b)``.

    ``level`` is the journey's background level; the threshold is ``sigmoid(b)``, the
    probability of a best step scoring at that level. Source and example count say where the
    weights came from.
    """

    weights: tuple[float, float]
    bias: float
    source: str
    examples: int
    level: float
    quantile: float = BACKGROUND_QUANTILE

    @property
    def threshold(self) -> float:
        """The ``unassigned`` cut: a best step at the background level has this probability."""
        return 1.0 / (1.0 + math.exp(-self.bias))

    def apply(self, features: NDArray[np.float32]) -> NDArray[np.float32]:
        """Probabilities from (n, k, 2) raw features (score, shortfall)."""
        relative = features - np.asarray([self.level, 0.0], dtype=np.float32)
        return sigmoid(relative @ np.asarray(self.weights, dtype=np.float32) + self.bias)


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
    """Fit the logistic calibration on (text, step) pairs whose scores are already relative to
    their journey's background level (level 0 in the result; :func:`calibrate_for` sets it).

    ``features`` is (n_texts, n_steps, 2) and ``labels`` (n_texts, n_steps); rows with no
    positive label are off-topic texts.
    """
    weights, bias = fit_logistic(features.reshape(-1, 2), labels.reshape(-1), c=CALIBRATION_C)
    return Calibration(
        weights=(float(weights[0]), float(weights[1])),
        bias=bias,
        source=source,
        examples=int(labels.shape[0]),
        level=0.0,
    )


def off_topic_texts() -> list[str]:
    """Hand-written feedback that names no step (data/calibration/off_topic.txt)."""
    return read_texts("off_topic.txt")


def journey_level(
    journey: Journey,
    encoder: TextEncoder,
    kinds: Sequence[str] | None = None,
    quantile: float = BACKGROUND_QUANTILE,
) -> float:
    """The journey's background level with its prototypes of ``kinds`` (all by default)."""
    prototypes = build_prototypes(journey, kinds)
    return _level(
        encoder,
        tuple(p.text for p in prototypes),
        tuple(p.step_index for p in prototypes),
        len(journey.steps),
        quantile,
    )


@functools.lru_cache(maxsize=64)
def _level(
    encoder: TextEncoder,
    texts: tuple[str, ...],
    step_of: tuple[int, ...],
    n_steps: int,
    quantile: float,
) -> float:
    """Cached per prototype set: calibration and the classifier both ask for the same level."""
    vectors = encode_prototypes(encoder, texts)
    steps = np.array(step_of, dtype=np.int64)
    scores = step_scores(background_vectors(encoder) @ vectors.T, steps, n_steps)
    return background_level(scores.max(axis=1), quantile)


@functools.lru_cache(maxsize=32)
def encode_prototypes(encoder: TextEncoder, texts: tuple[str, ...]) -> NDArray[np.float32]:
    """Prototype embeddings, computed once per encoder and journey (the classifier and its
    calibration read the same ones)."""
    vectors = cached_encode(encoder, texts)
    vectors.setflags(write=False)
    return vectors


def hold_out_examples(
    similarities: NDArray[np.float32], texts: Sequence[str], prototypes: Sequence[Prototype]
) -> NDArray[np.float32]:
    """``similarities`` (one row per text of ``texts``, one column per prototype) with every
    example prototype whose text is the row's own set to -1, in place: an example phrase is
    scored without itself, nor a copy of it under another step (``step_scores`` skips -1)."""
    columns: dict[str, list[int]] = {}
    for column, prototype in enumerate(prototypes):
        if prototype.kind == "example":
            columns.setdefault(prototype.text, []).append(column)
    for row, text in enumerate(texts):
        if text in columns:
            similarities[row, columns[text]] = -1.0
    return similarities


def leave_one_out_pairs(
    journey: Journey, encoder: TextEncoder, kinds: Sequence[str]
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Features and labels from the journey's examples, each scored without its own prototype,
    the scores relative to the journey's background level with the same prototypes.

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
    hold_out_examples(similarities[: len(examples)], [e for _, e in examples], prototypes)
    step_of = np.array([p.step_index for p in prototypes], dtype=np.int64)
    scores = step_scores(similarities, step_of, len(journey.steps))
    labels = np.zeros(scores.shape, dtype=bool)
    labels[np.arange(len(examples)), [i for i, _ in examples]] = True  # off-topic rows stay False
    return calibration_features(scores - journey_level(journey, encoder, kinds)), labels


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
                "background_level": self.calibration.level,
                "background_quantile": self.calibration.quantile,
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
        kinds += ["description", "phrase"]
    return kinds


@functools.lru_cache(maxsize=32)
def calibrate_for(journey: Journey, encoder: TextEncoder) -> Calibration:
    """The journey's calibration at its background level: weights fitted on its own examples,
    or on the bundled journeys when it has too few or its own fit misreads them (then with a
    warning that says what to add).

    Cached per (journey, encoder): journeys are immutable, so a process calibrates each once.
    """
    level = journey_level(journey, encoder)
    n_examples = sum(len(step.examples) for step in journey.steps)
    if n_examples >= MIN_CALIBRATION_EXAMPLES:
        kinds = [*prototype_kinds(journey), "example"]
        features, labels = leave_one_out_pairs(journey, encoder, kinds)
        if labels.any():
            own = fit_calibration(features, labels, f"journey {journey.name!r} (leave-one-out)")
            problem = degenerate_calibration(journey, own, features, labels)
            if problem is None:
                return dataclasses.replace(own, level=level)
            logger.warning("%s; using the bundled journeys' calibration instead", problem)
            bundled = _bundled_calibration(encoder, tuple(kinds))
            rejected = "; the journey's own calibration rejected (it misreads its examples)"
            return dataclasses.replace(bundled, source=bundled.source + rejected, level=level)
    kinds = prototype_kinds(journey)
    logger.info(
        "journey %r has %d examples; calibrating on the bundled journeys with %s prototypes",
        journey.name,
        n_examples,
        "+".join(kinds),
    )
    return dataclasses.replace(_bundled_calibration(encoder, tuple(kinds)), level=level)


MIN_HELD_OUT_ACCURACY = 0.5
"""A journey's own calibration is kept when at least this share of its examples, each held out,
is read as its own step."""


def degenerate_calibration(
    journey: Journey,
    calibration: Calibration,
    features: NDArray[np.float32],
    labels: NDArray[np.bool_],
) -> str | None:
    """Why a journey's own calibration cannot be trusted, naming the steps to fix first; None
    when it can.

    Degenerate: fewer than half of the held-out examples are read as their own step (the steps
    overlap, so weights fitted on them say little), or the weights break the rule's premises
    (a higher score must mean a higher probability, and the best step the most probable one).
    """
    w_score, w_shortfall = calibration.weights
    if w_score <= 0 or w_score + w_shortfall <= 0:
        return (
            f"journey {journey.name!r}: the calibration fitted on its examples gives weights "
            f"{w_score:.2f} and {w_shortfall:.2f}, where a higher score must raise the "
            "probability. Add varied examples in customers' own words (5 or more per step)"
        )
    on_topic = labels.any(axis=1)
    probabilities = calibration.apply(features)[on_topic]
    gold = labels[on_topic].argmax(axis=1)
    right = probabilities.argmax(axis=1) == gold
    accuracy = float(right.mean()) if len(right) else 0.0
    if accuracy >= MIN_HELD_OUT_ACCURACY:
        return None
    per_step = [
        float(right[gold == index].mean()) if (gold == index).any() else 0.0
        for index in range(len(journey.steps))
    ]
    order = sorted(range(len(per_step)), key=lambda i: per_step[i])
    weakest = [journey.steps[i].id for i in order][:3]
    undescribed = [step.id for step in journey.steps if not step.description]
    more = f" and {len(undescribed) - 5} more" if len(undescribed) > 5 else ""
    describe = f", and a description to {', '.join(undescribed[:5])}{more}" if undescribed else ""
    return (
        f"journey {journey.name!r}: only {accuracy:.0%} of its {int(on_topic.sum())} examples, "
        "each held out, are read as their own step: its steps overlap. Make the steps' examples "
        "and descriptions say what sets each step apart (5 or more varied examples per step in "
        f"customers' own words), first to {', '.join(weakest)}{describe}"
    )


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

    Padded steps get features of -1 (far below the level, far short of the best step) and a
    negative label: they never win, and enter the fit only as easy negatives.
    """
    missing = width - array.shape[1]
    if missing == 0:
        return array
    pad = [(0, 0), (0, missing)] + [(0, 0)] * (array.ndim - 2)
    return np.pad(array, pad, constant_values=fill)
