"""How a zero-shot step score is built from a step's prototypes: kinds and how many count.

Issue 22 item 3 ("use all of the journey"): each phrase of a description as a prototype of its
own, and a score that is the mean of a text's few best prototypes of a step. Each variant ranks
the steps of every on-topic text of the development sources of ``bench.bench_unassigned``
(whole texts, step view, packaged encoder, nothing ``unassigned``); a cell is top-step
accuracy (for a multi-label text, the top step is right when it is one of its steps). The first
row is the cosine baseline of ``bench.bench_real_steps``, the second the previous score, in
the same run. docs/steps.md reads the table.

    python -m bench.bench_scores
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bench.bench_steps import CachedEncoder
from bench.bench_unassigned import sources
from steplens.pipeline.encoder import load_encoder
from steplens.pipeline.journey import Journey
from steplens.pipeline.model_view import step_views
from steplens.pipeline.steps.zero_shot import (
    PROTOTYPE_KINDS,
    TOP_PROTOTYPES,
    build_prototypes,
    step_scores,
)


@dataclass(frozen=True)
class Variant:
    """Which prototypes a step has, and how many of a text's best ones its score averages."""

    name: str
    kinds: tuple[str, ...]
    top: int
    cosine_weight: float = 0.0
    """The weight of the cosine baseline's score in a blend with this score (0: none)."""


WITHOUT_PHRASES = ("name", "template", "description", "example")
VARIANTS = (
    Variant('baseline: cosine to "name: description"', ("description",), 1),
    Variant("previous: two best of name, template, description, examples", WITHOUT_PHRASES, 2),
    Variant("two best, with description phrases", PROTOTYPE_KINDS, 2),
    Variant("three best, with description phrases (in use)", PROTOTYPE_KINDS, TOP_PROTOTYPES),
    Variant("four best, with description phrases", PROTOTYPE_KINDS, 4),
    Variant("three best, blended 3:1 with the cosine baseline", PROTOTYPE_KINDS, 3, 0.25),
    Variant("three best, blended 1:1 with the cosine baseline", PROTOTYPE_KINDS, 3, 0.5),
)


def scored(
    cache: CachedEncoder,
    journey: Journey,
    texts: NDArray[np.float32],
    kinds: tuple[str, ...],
    top: int,
) -> NDArray[np.float32]:
    """Per-step scores of embedded ``texts`` from ``journey``'s prototypes of ``kinds``."""
    prototypes = build_prototypes(journey, kinds)
    vectors = cache.encode([p.text for p in prototypes])
    step_of = np.array([p.step_index for p in prototypes], dtype=np.int64)
    return step_scores(texts @ vectors.T, step_of, len(journey.step_ids), top)


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table: one row per variant, one column per source."""
    argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0]).parse_args(argv)
    cache = CachedEncoder(load_encoder())
    columns: list[str] = []
    cells: dict[str, list[float]] = {variant.name: [] for variant in VARIANTS}
    for source in sources():
        on_topic = [i for i, labels in enumerate(source.labels) if labels]
        if not on_topic:
            continue
        columns.append(f"{source.name} ({len(on_topic):,})")
        texts = cache.encode(step_views([source.texts[i] for i in on_topic]))
        ids = source.journey.step_ids
        described = any(step.description for step in source.journey.steps)
        baseline_kinds = ("description",) if described else ("name",)

        for variant in VARIANTS:
            kinds = baseline_kinds if variant.kinds == ("description",) else variant.kinds
            scores = scored(cache, source.journey, texts, kinds, variant.top)
            if variant.cosine_weight:
                baseline = scored(cache, source.journey, texts, baseline_kinds, 1)
                weight = variant.cosine_weight
                scores = (1 - weight) * scores + weight * baseline
            best = scores.argmax(axis=1)
            right = [ids[b] in source.labels[i] for b, i in zip(best, on_topic, strict=True)]
            cells[variant.name].append(float(np.mean(right)))
    print("| score of a step | " + " | ".join(columns) + " | mean |")
    print("|---|" + "---:|" * (len(columns) + 1))
    for name, values in cells.items():
        row = " | ".join(f"{v:.3f}" for v in values)
        print(f"| {name} | {row} | {np.mean(values):.3f} |")
    print(
        "\nTop-step accuracy of on-topic texts, whole texts, step view, nothing unassigned; "
        "development data only."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
