"""The behavioural suite for steps (``bench/step_checklist.py``): failure rate per capability.

Columns, on the same cases in the same run:

- ``baseline: cosine``: the raw text against one "name: description" prototype per step (the
  cosine baseline of ``bench.bench_real_steps``); it never says ``unassigned``;
- ``ours, raw text``: ``Tagger.tag`` (steps only, zero-shot) reading the raw clauses, without
  the model and step views of ``pipeline/model_view.py``: what the normalisation is worth;
- ``ours``: ``Tagger.tag`` as users run it.

    python -m bench.bench_step_checklist [--failures N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from bench.datasets import label_set
from bench.report import Row, Table, render
from bench.step_checklist import (
    JOURNEY,
    CapabilityRate,
    failure_rates,
    pooled_invariance,
    step_cases,
)
from steplens.pipeline.encoder import load_encoder
from steplens.pipeline.journey import Journey

COSINE, RAW, OURS = "baseline: cosine", "ours, raw text", "ours"


def cosine_steps(journey: Journey, texts: Sequence[str]) -> list[str]:
    """Each text's best step by cosine to one "name: description" prototype per step."""
    encoder = load_encoder()
    prototypes = encoder.encode([f"{s.name}: {s.description}" for s in journey.steps])
    best = (encoder.encode(list(texts)) @ prototypes.T).argmax(axis=1)
    return [journey.step_ids[i] for i in best]


def tagged_steps(journey: Journey, texts: Sequence[str], *, normalise: bool) -> list[str]:
    """The comment-level step of each text through ``Tagger.tag`` (zero-shot, no signals)."""
    from steplens.pipeline.tagger import build_tagger

    tagger = build_tagger(journey, signals=False, precision="fp32", normalise=normalise)
    return [result.step for result in tagger.tag(list(texts))]


def build_table(columns: dict[str, list[CapabilityRate]], seconds: dict[str, float]) -> Table:
    """One row per capability, one column per method."""
    table = Table("steps", "Step classification: failure rate per capability", tuple(columns))
    by_method = {method: {r.capability: r for r in rates} for method, rates in columns.items()}
    for rate in columns[OURS]:
        metrics = {
            method: found[rate.capability].failure_rate for method, found in by_method.items()
        }
        table.rows.append(Row(rate.capability, f"{rate.cases:,} cases", metrics, 0.0))
    table.notes.append(
        "invariance, all cases pooled: "
        + ", ".join(f"{method} {pooled_invariance(rates):.3f}" for method, rates in columns.items())
    )
    table.notes.append(
        f"journey data/label_sets/{JOURNEY}.yaml; seconds per column: "
        + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items())
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    """Run the suite for every column and print the table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--failures", type=int, default=0, help="print N failed cases per row")
    args = parser.parse_args(argv)
    journey = label_set(JOURNEY)
    cases = step_cases()
    texts = [case.text for case in cases]
    methods = {
        COSINE: lambda: cosine_steps(journey, texts),
        RAW: lambda: tagged_steps(journey, texts, normalise=False),
        OURS: lambda: tagged_steps(journey, texts, normalise=True),
    }
    columns: dict[str, list[CapabilityRate]] = {}
    seconds: dict[str, float] = {}
    for method, predict in methods.items():
        started = time.perf_counter()
        columns[method] = failure_rates(cases, predict(), max(args.failures, 3))
        seconds[method] = time.perf_counter() - started
    print("\n".join(render(build_table(columns, seconds))))
    if args.failures:
        for rate in columns[OURS]:
            if rate.examples:
                shown = "; ".join(
                    f"{text!r}: {got} (wanted {wanted})"
                    for text, got, wanted in rate.examples[: args.failures]
                )
                print(f"\n{rate.capability}: {shown}")


if __name__ == "__main__":
    main(sys.argv[1:])
