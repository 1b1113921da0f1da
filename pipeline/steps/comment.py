"""The comment-level step decision: the whole comment and its clauses are both evidence.

A comment is tagged clause by clause, but its main ``step`` is what the comment as a whole is
about: "I ordered a card but it has not arrived. Help please!" is about card delivery, although
its first clause alone reads as ordering a card. So:

1. **Main step.** When the clauses that reach the threshold agree on their most likely step
   (always, for a one-clause comment), that step is the candidate, with its highest clause
   probability. When they disagree, or none reaches it, the whole comment is read once more as
   one text (:attr:`CommentRule.whole_text_words` words at
   most; longer comments keep the best clause) and its most likely step is the candidate. The
   candidate is the main step when its probability reaches the classifier's threshold.
   Otherwise a clause that clearly speaks of a step (probability at least the second-step cut
   below) still assigns the comment; if none does, the comment is ``unassigned``.
2. **Further steps.** A clause adds a second step only when it clearly speaks of another step:
   its own most likely step differs from the main step, has probability at least
   :attr:`CommentRule.second_step_probability` (and the threshold), and beats the main step in
   that clause by :attr:`CommentRule.second_step_margin`. Calibrated probabilities make 0.5 mean
   "more likely than not".
3. **Clauses follow the comment.** A clause assigned on its own to a step the comment did not
   list is attributed to the main step (marked ``from_comment``), so segment records, per-step
   sentiment and the report agree with the comment's steps. A clause that reaches no step
   stays ``unassigned`` (it may still take the step of the clause it points back to), except
   that when no clause reaches the main step (it came from the whole comment), the clause most
   like it carries it. An ``unassigned`` comment has only ``unassigned`` clauses.

Measured on development data (Banking77 train sample, CLINC150 val, MAMS val, the bundled
sample; docs/steps.md): Banking77 names only through ``tag`` goes from 0.577 to 0.612 (whole
texts: 0.615) and 10-shot from 0.792 to 0.835 (whole texts: 0.839), and single-intent queries
listed with two or more steps fall from 78% to 13% (names only) and from 31% to 13% (10-shot).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

SECOND_STEP_PROBABILITY = 0.5
SECOND_STEP_MARGIN = 0.2
WHOLE_TEXT_WORDS = 120


@dataclass(frozen=True)
class CommentRule:
    """The cut-offs of the comment-level decision (recorded in every `tag` output)."""

    threshold: float
    second_step_probability: float = SECOND_STEP_PROBABILITY
    second_step_margin: float = SECOND_STEP_MARGIN
    whole_text_words: int = WHOLE_TEXT_WORDS

    @property
    def second_step_cut(self) -> float:
        """The probability a clause needs to add a step of its own."""
        return max(self.threshold, self.second_step_probability)

    def describe(self) -> dict[str, Any]:
        """The cut-offs, for outputs' metadata and the CLI."""
        return {
            "unassigned_threshold": round(self.threshold, 4),
            "second_step_probability": round(self.second_step_cut, 4),
            "second_step_margin": self.second_step_margin,
            "whole_text_words": self.whole_text_words,
        }

    def needs_whole_text(self, clause_probabilities: NDArray[np.float32], words: int) -> bool:
        """Whether the whole comment must be read: several clauses, not too long, and either the
        clauses that reach the threshold point to different steps or none reaches it."""
        if clause_probabilities.shape[0] < 2 or words > self.whole_text_words:
            return False
        assigned = clause_probabilities[clause_probabilities.max(axis=1) >= self.threshold]
        return len(assigned) == 0 or len(set(assigned.argmax(axis=1).tolist())) > 1


@dataclass(frozen=True)
class CommentSteps:
    """What the rule decided for one comment, by column index of the probabilities."""

    main: int | None
    """The main step's column, or None when the comment is unassigned."""
    confidence: float
    """The main step's probability, or for an unassigned comment the chance no step fits."""
    steps: list[tuple[int, float]]
    """Every step the comment mentions, main step first, each with its probability."""
    clause_steps: list[int | None]
    """The step each clause is attributed to (None: the clause speaks of no listed step)."""


def decide_comment(
    rule: CommentRule,
    clause_probabilities: NDArray[np.float32],
    whole_probabilities: NDArray[np.float32] | None,
) -> CommentSteps:
    """Apply :class:`CommentRule` to one comment's clause (and whole-text) probabilities."""
    clauses = clause_probabilities
    if clauses.shape[0] == 0:
        return CommentSteps(None, 0.0, [], [])
    tops = clauses.argmax(axis=1)
    best_row, best_column = np.unravel_index(int(clauses.argmax()), clauses.shape)
    best_clause = float(clauses[best_row, best_column])
    if whole_probabilities is not None:
        candidate = int(whole_probabilities.argmax())
        confidence = float(whole_probabilities[candidate])
    elif len(set(tops.tolist())) == 1:
        candidate = int(tops[0])
        confidence = float(clauses[:, candidate].max())
    else:
        candidate, confidence = int(best_column), best_clause
    cut = rule.second_step_cut
    if confidence < rule.threshold:
        if best_clause < cut:
            return CommentSteps(
                None, round(1.0 - max(confidence, best_clause), 4), [], [None] * len(tops)
            )
        candidate, confidence = int(best_column), best_clause
    mentioned: dict[int, float] = {candidate: confidence}
    for row, top in zip(clauses, tops, strict=True):
        step = int(top)
        probability = float(row[step])
        if (
            step != candidate
            and probability >= cut
            and probability - float(row[candidate]) >= rule.second_step_margin
        ):
            mentioned[step] = max(probability, mentioned.get(step, 0.0))
    others = sorted((item for item in mentioned.items() if item[0] != candidate), key=_by_prob)
    steps = [(candidate, round(confidence, 4)), *((s, round(p, 4)) for s, p in others)]
    attributed: list[int | None] = []
    for row, top in zip(clauses, tops, strict=True):
        step = int(top)
        if step in mentioned and step != candidate:
            attributed.append(step)
        elif float(row[step]) >= rule.threshold:
            attributed.append(candidate)
        else:
            attributed.append(None)
    if candidate not in attributed:
        # The whole comment reads as a step no clause reached alone: the clause that reads
        # most like it carries it, so the segment records show where the comment says it.
        attributed[int(clauses[:, candidate].argmax())] = candidate
    return CommentSteps(candidate, round(confidence, 4), steps, attributed)


def _by_prob(item: tuple[int, float]) -> float:
    return -item[1]
