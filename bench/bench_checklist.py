"""The behavioural suite (``bench/checklist.py``): failure rate per capability, beside baselines.

Columns, each measured in the same run on the same cases:

- ``VADER``: the VADER lexicon's compound score (±0.05) for the sentiment cases (it has no
  effort and no steps);
- ``ours, raw text``: the shipped signals model through ``Tagger.tag`` reading the raw clauses
  (no model view): what the normalisation of ``pipeline/model_view.py`` is worth;
- ``ours``: the shipped model through ``Tagger.tag`` as users run it;
- with ``--baseline-signals DIR``, also ``baseline model``: another signals model directory (an
  earlier shipped model, ``git show REV:models/signals/...``) through the same tagger.

    python -m bench.bench_checklist [--baseline-signals DIR] [--write-docs] [--failures N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bench.checklist import (
    CapabilityResult,
    Case,
    Outcome,
    checklist_journey,
    failure_rates,
    generate_cases,
    judge,
    run_cases,
    run_pairs,
)
from bench.report import DocsSection, Row, Table, target_note

if TYPE_CHECKING:
    from steplens.pipeline.signals import SignalsModel
    from steplens.pipeline.tagger import Tagger

VADER, RAW, OURS, BASELINE = "VADER", "ours, raw text", "ours", "baseline model"
INVARIANCE_TARGET = 0.02
SECTION = DocsSection(
    "checklist",
    """## Behavioural suite (CheckList-style)

Written by `python -m bench.bench_checklist --write-docs`. Cases are generated from templates in
`bench/checklist.py` (minimum functionality, invariance and directional cases; see
docs/signals.md); each cell is the share of a capability's cases that **failed** (lower is
better). Every column ran on the same cases in the same run.
""",
    ("suite",),
)


def vader_outcomes(cases: Sequence[Case]) -> list[Outcome]:
    """VADER on the sentiment cases that need no step (compound ±0.05 -> label)."""
    from bench.bench_signals import vader_labels, vader_scores

    chosen = [c for c in cases if c.signal == "sentiment" and not c.steps]
    texts = list(dict.fromkeys([c.text for c in chosen] + [c.original or c.text for c in chosen]))
    values = vader_scores(texts)
    names = ("negative", "neutral", "positive")
    scores = dict(zip(texts, values, strict=True))
    label = {t: names[int(k)] for t, k in zip(texts, vader_labels(values), strict=True)}
    return [
        judge(
            case,
            label[case.text],
            label[case.original or case.text],
            float(scores[case.text] - scores[case.original or case.text]),
        )
        for case in chosen
    ]


def suite_tagger(signals: SignalsModel | None = None, *, normalise: bool = True) -> Tagger:
    """A zero-shot tagger on the suite's journey, with the shipped or the given signals model."""
    from steplens.pipeline.tagger import build_tagger

    return build_tagger(
        checklist_journey(), precision="fp32", signals_model=signals, normalise=normalise
    )


def run_suite(
    tagger: Tagger, cases: Sequence[Case], examples: int = 3
) -> tuple[list[CapabilityResult], float]:
    """Failure rates per capability (the gold-step contrast row included) and seconds."""
    started = time.perf_counter()
    outcomes = run_cases(tagger, cases) + run_pairs(tagger, cases)
    return failure_rates(outcomes, examples), time.perf_counter() - started


def build_table(columns: dict[str, list[CapabilityResult]], seconds: dict[str, float]) -> Table:
    """One row per capability, one column per method."""
    names = tuple(columns)
    table = Table("suite", "Failure rate per capability (share of cases failed)", names)
    order: dict[str, CapabilityResult] = {}
    for results in columns.values():
        for result in results:
            order.setdefault(result.capability, result)
    by_method = {method: {r.capability: r for r in results} for method, results in columns.items()}
    for capability, first in order.items():
        metrics = {
            method: found[capability].failure_rate
            for method, found in by_method.items()
            if capability in found
        }
        table.rows.append(
            Row(f"{first.kind}: {capability}", f"{first.cases:,} cases", metrics, 0.0)
        )
    ours = by_method[OURS]
    invariance = [r for r in ours.values() if r.kind == "INV" and r.signal == "sentiment"]
    worst = max(invariance, key=lambda r: r.failure_rate)
    pooled = sum(r.failures for r in invariance) / max(sum(r.cases for r in invariance), 1)
    thanks = ours.get("thanks and praise: not negative")
    table.notes += [
        target_note(
            "sentiment invariance (handles, names, URLs, numbers, ...), all cases, ours",
            pooled,
            INVARIANCE_TARGET,
            at_most=True,
        )
        + f"; worst capability {worst.capability} {worst.failure_rate:.3f}",
    ]
    if thanks is not None:
        table.notes.append(
            target_note(
                "thanks and praise read as negative, ours",
                thanks.failure_rate,
                INVARIANCE_TARGET,
                at_most=True,
            )
        )
    table.notes.append(
        f"{sum(r.cases for r in ours.values()):,} cases; seconds per column: "
        + ", ".join(f"{k} {v:.0f}" for k, v in seconds.items())
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    """Run the suite for every column, print the table, optionally write the docs."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--baseline-signals", help="another signals model directory to compare")
    parser.add_argument(
        "--baseline-name", default=BASELINE, help="the column name for --baseline-signals"
    )
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--failures", type=int, default=0, help="print N failed cases per row")
    args = parser.parse_args(argv)
    cases = generate_cases()
    columns: dict[str, list[CapabilityResult]] = {}
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    columns[VADER] = failure_rates(vader_outcomes(cases))
    seconds[VADER] = time.perf_counter() - started
    if args.baseline_signals:
        from steplens.pipeline.minilm import base_encoder
        from steplens.pipeline.signals import load_signals_model

        other = load_signals_model(args.baseline_signals, base_encoder("fp32"))
        columns[args.baseline_name], seconds[args.baseline_name] = run_suite(
            suite_tagger(other), cases
        )
    columns[RAW], seconds[RAW] = run_suite(suite_tagger(normalise=False), cases)
    columns[OURS], seconds[OURS] = run_suite(suite_tagger(), cases, max(args.failures, 3))
    SECTION.publish(build_table(columns, seconds), write=args.write_docs)
    if args.failures:
        for result in columns[OURS]:
            if result.examples:
                print(f"\n{result.capability}: " + "; ".join(result.examples[: args.failures]))


if __name__ == "__main__":
    main(sys.argv[1:])
