"""From per-clause signal probabilities to step-level and comment-level signals.

Policy (documented in docs/signals.md):

- **per clause**: the signals model's own answer for that clause; with a step-conditioned model,
  sentiment is read towards the clause's step;
- **per step of a comment**: sentiment from the mean of the probabilities of the clauses that
  mention the step; effort from the clause (among those) with the strongest effort signal;
- **whole comment**: sentiment from the length-weighted mean of all clauses' probabilities;
  effort from the clause with the strongest effort signal (P(not none)), so one "I called four
  times" in a long comment is not averaged away;
- **no clause** (empty text): neutral with score 0.0 and effort ``none``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from steplens.pipeline.records import Signals
from steplens.pipeline.signals import signals_from_proba

if TYPE_CHECKING:
    from numpy.typing import NDArray

EMPTY = Signals("neutral", 0.0, "none", None)


def combine(
    sentiment: NDArray[np.float32],
    effort: NDArray[np.float32],
    rows: Sequence[int],
    weights: Sequence[float] | None = None,
) -> Signals:
    """One answer for a group of clauses (row indices into the probability arrays)."""
    if not rows:
        return EMPTY
    index = np.asarray(rows)
    w = np.ones(len(index)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum() if w.sum() > 0 else np.full(len(index), 1 / len(index))
    mean_sentiment = (sentiment[index] * w[:, None]).sum(axis=0, keepdims=True)
    strongest = index[int(np.argmax(1.0 - effort[index, 0]))]
    return signals_from_proba(mean_sentiment.astype(np.float32), effort[strongest : strongest + 1])[
        0
    ]
