"""Agreement between two labellings: macro recall, Cohen's kappa and the effort rubric's measures.

``steplens evaluate``, the signals training and the benchmarks score the sentiment and effort
model with these, and the effort labels' two annotation passes are compared with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from steplens.pipeline.signals import EFFORT_LABELS

if TYPE_CHECKING:
    from numpy.typing import NDArray


def macro_recall(gold: NDArray[np.int64], predicted: NDArray[np.int64], n: int) -> float:
    """Mean over classes (present in ``gold``) of the recall of that class."""
    recalls = [float(np.mean(predicted[gold == k] == k)) for k in range(n) if (gold == k).any()]
    return float(np.mean(recalls)) if recalls else 0.0


def cohen_kappa(
    a: NDArray[np.int64], b: NDArray[np.int64], n: int, quadratic: bool = False
) -> float:
    """Cohen's kappa between two labellings (quadratic weights for ordinal labels)."""
    if len(a) == 0:
        return 0.0
    observed = np.zeros((n, n))
    np.add.at(observed, (a, b), 1)
    observed /= observed.sum()
    expected = np.outer(observed.sum(1), observed.sum(0))
    i, j = np.indices((n, n))
    weights = ((i - j) ** 2 / max((n - 1) ** 2, 1)) if quadratic else (i != j).astype(float)
    denominator = float((weights * expected).sum())
    return 1.0 - float((weights * observed).sum()) / denominator if denominator else 1.0


def effort_agreement(gold: NDArray[np.int64], predicted: NDArray[np.int64]) -> dict[str, float]:
    """The rubric's measures: signal-vs-none F1, QWK where both see a signal, 4-way kappa."""
    gold, predicted = np.asarray(gold), np.asarray(predicted)
    gold_signal, predicted_signal = gold > 0, predicted > 0
    tp = float(np.sum(gold_signal & predicted_signal))
    precision = tp / max(float(predicted_signal.sum()), 1.0)
    recall = tp / max(float(gold_signal.sum()), 1.0)
    both = gold_signal & predicted_signal
    return {
        "signal_f1": 2 * precision * recall / max(precision + recall, 1e-9),
        "signal_precision": precision,
        "signal_recall": recall,
        "qwk": cohen_kappa(gold[both] - 1, predicted[both] - 1, 3, quadratic=True),
        "qwk_texts": float(both.sum()),
        "kappa": cohen_kappa(gold, predicted, len(EFFORT_LABELS)),
    }
