"""What every step classifier provides, and how probabilities become step decisions.

A step classifier turns sentence embeddings into calibrated probabilities, one column per step
of its journey: ``P(the text is about step k)``. A text is assigned to its most likely step when
that probability reaches the classifier's ``threshold``; otherwise it is ``unassigned``.
``StepDecision.mentions`` lists every step at or above the threshold; the comment-level rule
(:mod:`steplens.pipeline.steps.comment`) decides which steps a comment lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import UNASSIGNED, step_differences

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from steplens.pipeline.journey import Journey


@runtime_checkable
class StepClassifier(Protocol):
    """The interface the tagger, the CLI and the service rely on."""

    journey: Journey
    threshold: float

    @property
    def step_ids(self) -> list[str]:
        """Step ids, in the order of the probability columns."""
        ...

    @property
    def encoder_dimension(self) -> int:
        """Length of the embeddings the classifier expects."""
        ...

    def predict_proba(self, embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        """Calibrated probabilities, shape (n_texts, n_steps)."""
        ...

    def describe(self) -> dict[str, Any]:
        """Name, kind and settings, recorded in outputs and model cards."""
        ...


def sigmoid(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    """Element-wise logistic function, as float32."""
    result: NDArray[np.float32] = (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
    return result


def softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    """Row-wise softmax, as float32."""
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    result: NDArray[np.float32] = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return result


@dataclass(frozen=True)
class StepDecision:
    """The outcome for one text: its step (or unassigned) and every step it mentions."""

    step: str
    confidence: float
    mentions: tuple[tuple[str, float], ...]


def decide(
    probabilities: NDArray[np.float32], step_ids: list[str], threshold: float
) -> list[StepDecision]:
    """Turn a probability matrix into one decision per row.

    The most likely step wins when its probability reaches ``threshold``; otherwise the row is
    ``unassigned`` with confidence ``1 - max probability`` (the chance no step fits).
    """
    decisions = []
    if probabilities.size == 0:
        return [StepDecision(UNASSIGNED, 0.0, ()) for _ in range(probabilities.shape[0])]
    best = probabilities.argmax(axis=1)
    for row, column in zip(probabilities, best, strict=True):
        top = float(row[column])
        above = np.flatnonzero(row >= threshold)
        mentions = tuple(
            sorted(((step_ids[i], round(float(row[i]), 4)) for i in above), key=lambda m: -m[1])
        )
        if top >= threshold:
            decisions.append(StepDecision(step_ids[column], round(top, 4), mentions))
        else:
            decisions.append(StepDecision(UNASSIGNED, round(1.0 - top, 4), ()))
    return decisions


def check_compatible(classifier: StepClassifier, journey: Journey, encoder_dimension: int) -> None:
    """Refuse to assemble a pipeline whose parts disagree, with an error that says how."""
    if not isinstance(classifier, StepClassifier):
        raise TypeError(f"{type(classifier).__name__} does not implement StepClassifier")
    if classifier.step_ids != journey.step_ids:
        detail = step_differences(journey.step_ids, classifier.step_ids)
        raise SteplensError(
            f"the step model was trained for journey {classifier.journey.name!r}, which does not "
            f"match journey {journey.name!r} ({detail}); retrain with "
            "`steplens train-steps` or pass the journey the model was trained with"
        )
    if classifier.encoder_dimension != encoder_dimension:
        raise SteplensError(
            f"the step model expects {classifier.encoder_dimension}-dimensional embeddings but "
            f"the encoder gives {encoder_dimension}; it was trained with another encoder"
        )
