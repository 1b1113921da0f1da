"""Journeys drafted from feedback, used for tagging, against a journey of the gold label names.

    python -m bench.bench_draft [--sets complaints,banking77] [--time 20000]

For each real labelled set the texts are shuffled (seed 0) and split: ``journeys draft`` reads
the first 60% (labels unseen), then each drafted step is named after the gold label most of the
drafting comments tagged with it carry (what a person editing the draft would do, from the same
comments). The other 40% are tagged with the drafted journey and with a journey whose steps are
the gold labels' names only; the table gives the share of comments each assigns a step to
(covered) and the share whose step is their gold label (accuracy; unassigned is right only for a
text labelled off-topic, ``unassigned``).
``--time N`` times drafting from N comments (Banking77 and CLINC150 train texts), with the
sentiment of each step read as the CLI does. Development data only: no test split is read.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence

from bench.datasets import (
    LabelledTexts,
    banking77,
    clinc150,
    complaint_domains,
    humanise_label,
    step_id,
)
from steplens.pipeline.journey import UNASSIGNED, Journey, Step

SETS: dict[str, Callable[[], LabelledTexts]] = {
    "complaints": complaint_domains,
    "banking77": lambda: banking77("train"),
}
DRAFT_SHARE = 0.6
MAX_TEXTS = 5000


def split(
    data: LabelledTexts, seed: int = 0
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, gold) pairs of single-label texts, shuffled, cut into drafting and evaluation."""
    pairs = [(t, ls[0]) for t, ls in zip(data.texts, data.labels, strict=True) if len(ls) == 1]
    random.Random(seed).shuffle(pairs)
    pairs = pairs[:MAX_TEXTS]
    cut = int(len(pairs) * DRAFT_SHARE)
    return pairs[:cut], pairs[cut:]


def steps_of(journey: Journey, texts: Sequence[str]) -> list[str]:
    """Each text's comment-level step, as ``steplens tag`` decides it (no signals)."""
    from steplens.pipeline.tagger import build_tagger

    tagger = build_tagger(journey, signals=False, detect_language=False)
    found: list[str] = []
    for start in range(0, len(texts), 500):
        found += [result.step for result in tagger.tag(list(texts[start : start + 500]))]
    return found


def draft(texts: Sequence[str], signals: bool = False) -> Journey:
    from steplens.pipeline.journey_draft import draft_journey
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.segment import load_segmenter
    from steplens.pipeline.signals import load_default_signals_model

    made = draft_journey(
        texts,
        name="drafted",
        encoder=base_encoder("fp32"),
        segmenter=load_segmenter(),
        signals=load_default_signals_model() if signals else None,
    )
    return made.journey()


def scores(predicted: Sequence[str | None], gold: Sequence[str]) -> tuple[float, float]:
    """(covered, accuracy) of predicted gold labels; None and ``unassigned`` are unassigned, and
    right for a text whose gold label is ``unassigned`` (off-topic)."""
    said = [p or UNASSIGNED for p in predicted]
    covered = sum(p != UNASSIGNED for p in said) / len(gold)
    correct = sum(p == g for p, g in zip(said, gold, strict=True)) / len(gold)
    return covered, correct


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--time", type=int, default=0, help="time a draft from this many texts")
    args = parser.parse_args(argv)
    print(
        "| set | drafting / evaluation texts | gold labels | journey | steps | covered | accuracy |"
    )
    print("|---|---:|---:|---|---:|---:|---:|")
    for name in filter(None, args.sets.split(",")):
        drafting, evaluation = split(SETS[name]())
        labels = sorted({g for _, g in drafting + evaluation})
        drafted = draft([t for t, _ in drafting])
        tagged = steps_of(drafted, [t for t, _ in drafting])
        votes: dict[str, Counter[str]] = {}
        for step, (_, label) in zip(tagged, drafting, strict=True):
            if step != UNASSIGNED:
                votes.setdefault(step, Counter())[label] += 1
        mapping = {step: counts.most_common(1)[0][0] for step, counts in votes.items()}
        texts = [t for t, _ in evaluation]
        gold = [g for _, g in evaluation]
        predicted = [mapping.get(s) for s in steps_of(drafted, texts)]
        names = Journey(
            name="gold_names",
            steps=tuple(
                Step(id=step_id(label), name=humanise_label(label))
                for label in labels
                if label != UNASSIGNED
            ),
        )
        by_id = {step_id(label): label for label in labels}
        named = [by_id.get(s) for s in steps_of(names, texts)]
        sizes = f"{len(drafting)} / {len(evaluation)}"
        for journey, steps, result in (
            ("drafted, steps mapped to gold", len(drafted.steps), scores(predicted, gold)),
            ("gold label names only", len(names.steps), scores(named, gold)),
        ):
            print(
                f"| {name} | {sizes} | {len(labels)} | {journey} | {steps} | {result[0]:.3f} | "
                f"{result[1]:.3f} |"
            )
    if args.time:
        pool = (banking77("train").texts + clinc150("train").texts)[: args.time]
        started = time.perf_counter()
        drafted = draft(pool, signals=True)
        seconds = time.perf_counter() - started
        print(
            f"\nDrafting from {len(pool)} comments (with sentiment): {seconds:.0f} s, "
            f"{len(drafted.steps)} steps."
        )


if __name__ == "__main__":
    main()
