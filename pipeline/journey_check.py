"""How well a journey's steps can be told apart, and how much of a feedback file they cover
(``steplens journeys check``).

- **Confusable steps**: each example phrase is scored against the steps with its own prototype
  left out, as zero-shot tagging scores a comment; an example that reads as another step is
  listed (edit or move it). Two steps with ``CONFUSED_PHRASES`` or more such phrases between
  them are a confusable pair, and so are two whose centres (the mean of their prototypes) are
  closer than ``CLOSE_CENTRES``: the encoder barely separates them.
- **Thin steps**: fewer than ``FEW_EXAMPLES`` examples.
- **Coverage** (with feedback): each step's share of the clauses and the share left
  ``unassigned``, as ``steplens tag`` decides them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.steps.zero_shot import (
    build_prototypes,
    encode_prototypes,
    hold_out_examples,
    step_scores,
)

if TYPE_CHECKING:
    from steplens.pipeline.encoder import TextEncoder
    from steplens.pipeline.tagger import Tagger

CLOSE_CENTRES = 0.75
"""Cosine between two steps' prototype centres above which the encoder barely separates them."""
FEW_EXAMPLES = 5
CONFUSED_PHRASES = 2
"""Example phrases read as the other step that make two steps a confusable pair."""


@dataclass(frozen=True)
class ConfusablePair:
    """Two steps the classifier mixes up, and the example phrases that read as the other."""

    first: str
    second: str
    similarity: float
    """Cosine between the two steps' prototype centres."""
    phrases: tuple[tuple[str, str, str], ...] = ()
    """(phrase, its step, the step it reads as)."""


@dataclass
class JourneyCheck:
    """What ``journeys check`` found."""

    journey: Journey
    confusable: list[ConfusablePair]
    misread: list[tuple[str, str, str]]
    """Every (phrase, its step, the step it reads as) whose step is not its own."""
    thin: list[tuple[str, int]]
    """(step, examples) of the steps with fewer than ``FEW_EXAMPLES``."""
    coverage: dict[str, float] = field(default_factory=dict)
    """Share of clauses per step, ``unassigned`` included (with feedback)."""
    clauses: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "journey": self.journey.name,
            "confusable": [
                {
                    "steps": [p.first, p.second],
                    "similarity": round(p.similarity, 3),
                    "phrases": [{"phrase": t, "step": s, "reads_as": r} for t, s, r in p.phrases],
                }
                for p in self.confusable
            ],
            "misread": [{"phrase": t, "step": s, "reads_as": r} for t, s, r in self.misread],
            "thin": [{"step": s, "examples": n} for s, n in self.thin],
            "coverage": {k: round(v, 4) for k, v in self.coverage.items()},
            "clauses": self.clauses,
        }


def check_journey(
    journey: Journey,
    encoder: TextEncoder,
    *,
    tagger: Tagger | None = None,
    texts: Sequence[str] = (),
) -> JourneyCheck:
    """Check ``journey`` (see the module docstring); with ``tagger`` and ``texts``, also how the
    feedback's clauses spread over its steps."""
    confusable, misread = confusable_steps(journey, encoder)
    thin = [(s.id, len(s.examples)) for s in journey.steps if len(s.examples) < FEW_EXAMPLES]
    check = JourneyCheck(journey, confusable, misread, thin)
    if tagger is not None and texts:
        counts: Counter[str] = Counter()
        for start in range(0, len(texts), 500):
            for result in tagger.tag(list(texts[start : start + 500])):
                counts.update(item.decision.step for item in result.segments)
        check.clauses = sum(counts.values())
        check.coverage = {
            step: counts.get(step, 0) / max(check.clauses, 1)
            for step in [*journey.step_ids, UNASSIGNED]
        }
    return check


def confusable_steps(
    journey: Journey, encoder: TextEncoder
) -> tuple[list[ConfusablePair], list[tuple[str, str, str]]]:
    """Pairs of steps the zero-shot classifier mixes up (most confused first) and every example
    phrase that reads as another step."""
    prototypes = build_prototypes(journey)
    vectors = encode_prototypes(encoder, tuple(p.text for p in prototypes))
    step_of = np.array([p.step_index for p in prototypes], dtype=np.int64)
    n = len(journey.steps)
    centres = np.vstack([vectors[step_of == i].mean(axis=0) for i in range(n)])
    centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-9)
    similarity = centres @ centres.T
    misread: dict[tuple[int, int], list[tuple[str, str, str]]] = {}
    ids = journey.step_ids
    columns = [column for column, p in enumerate(prototypes) if p.kind == "example"]
    similarities = (vectors[columns] @ vectors.T).astype(np.float32)
    hold_out_examples(similarities, [prototypes[c].text for c in columns], prototypes)
    per_step = step_scores(similarities, step_of, n)  # as the calibration scores examples
    for row, column in enumerate(columns):
        prototype = prototypes[column]
        read = int(per_step[row].argmax())
        own = prototype.step_index
        if read != own:
            key = (min(own, read), max(own, read))
            misread.setdefault(key, []).append((prototype.text, ids[own], ids[read]))
    pairs = {key for key, phrases in misread.items() if len(phrases) >= CONFUSED_PHRASES}
    close = np.argwhere(np.triu(similarity, k=1) >= CLOSE_CENTRES)
    pairs |= {(int(i), int(j)) for i, j in close}
    found = [
        ConfusablePair(ids[i], ids[j], float(similarity[i, j]), tuple(misread.get((i, j), [])))
        for i, j in pairs
    ]
    every = [phrase for phrases in misread.values() for phrase in phrases]
    return sorted(found, key=lambda p: (-len(p.phrases), -p.similarity)), every
