"""Zero-shot steps from label names alone vs names with descriptions (``data/label_sets``).

What a user gains by describing each step, measured on development texts only: a seeded 3,000
of Banking77 train and CLINC150 val in-scope (zero-shot never trains on either, and the test
splits stay untouched for the issue's final numbers). Each journey is scored two ways beside
each other: cosine to one "name: description" prototype per step (the baseline of issue 22) and
``ZeroShotStepClassifier`` (several prototypes per step, calibrated), on whole texts.

    python -m bench.bench_label_sets
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence

import numpy as np

from bench.bench_steps import CachedEncoder, gold_ids, journey_for, single_label_metrics, timed
from bench.datasets import (
    LabelledTexts,
    banking77,
    banking77_labels,
    clinc150,
    clinc150_labels,
    label_set,
)
from bench.report import Row, Table, render
from steplens.pipeline.encoder import Encoder, load_encoder
from steplens.pipeline.journey import Journey
from steplens.pipeline.steps.zero_shot import ZeroShotStepClassifier

DEV_TEXTS = 3_000
COSINE = "baseline: cosine to one 'name: description' prototype"
OURS = "ours: ZeroShotStepClassifier"
TOP1 = "top-1 accuracy"
WITH_UNASSIGNED = "accuracy (unassigned = wrong)"
THROUGH_TAG = "through `tag` (unassigned = wrong)"
TWO_OR_MORE = "listed with 2+ steps through `tag`"


def seeded_sample(data: LabelledTexts, n: int, seed: int = 0) -> LabelledTexts:
    """At most ``n`` texts, drawn with ``random.Random(seed)``, in their original order."""
    index = sorted(random.Random(seed).sample(range(len(data)), min(n, len(data))))
    return LabelledTexts([data.texts[i] for i in index], [data.labels[i] for i in index])


def journey_rows(
    setting: str,
    journey: Journey,
    data: LabelledTexts,
    gold: list[str],
    cache: CachedEncoder,
    matcher: CachedEncoder | None = None,
    held_out: bool = False,
) -> list[Row]:
    """The cosine baseline and our zero-shot classifier on one journey (and through a step
    matcher, when given one)."""
    ids = journey.step_ids
    x = cache.encode(data.texts)
    prototypes = cache.encode(
        [f"{s.name}: {s.description}" if s.description else s.name for s in journey.steps]
    )
    top, seconds = timed(lambda: (x @ prototypes.T).argmax(axis=1), cache)
    cosine = float(np.mean([ids[i] == g for i, g in zip(top, gold, strict=True)]))
    rows = [Row(setting, COSINE, {TOP1: cosine}, seconds)]
    classifier, seconds = timed(lambda: ZeroShotStepClassifier(journey, cache), cache)
    metrics = single_label_metrics(classifier.predict_proba(x), ids, classifier.threshold, gold)
    metrics |= tagged_metrics(journey, classifier, cache, data.texts, gold)
    rows.append(Row(setting, OURS, metrics, seconds))
    if matcher is not None:
        tuned = ZeroShotStepClassifier(journey, matcher)
        probabilities = tuned.predict_proba(matcher.encode(data.texts))
        metrics = single_label_metrics(probabilities, ids, tuned.threshold, gold)
        metrics |= tagged_metrics(journey, tuned, matcher, data.texts, gold)
        seen = "" if held_out else " (trained on this set: not zero-shot)"
        rows.append(Row(setting, OURS + " + step matcher" + seen, metrics, float("nan")))
    return rows


def tagged_metrics(
    journey: Journey,
    classifier: ZeroShotStepClassifier,
    cache: CachedEncoder,
    texts: Sequence[str],
    gold: Sequence[str],
) -> dict[str, float]:
    """Accuracy of the comment-level step through ``Tagger.tag``, and how many of these
    single-intent texts come out listing two or more steps."""
    from steplens.pipeline.segment import load_segmenter
    from steplens.pipeline.tagger import Tagger

    results = Tagger(journey, classifier, load_segmenter(), cache).tag(texts)
    return {
        THROUGH_TAG: float(np.mean([r.step == g for r, g in zip(results, gold, strict=True)])),
        TWO_OR_MORE: float(np.mean([len(r.steps) > 1 for r in results])),
    }


def run(
    cache: CachedEncoder, matcher: CachedEncoder | None = None, held_out: Sequence[str] = ()
) -> Table:
    """Both label sets, names only and with descriptions."""
    table = Table(
        "label_sets",
        "Zero-shot from names vs names and descriptions (development texts)",
        (TOP1, WITH_UNASSIGNED, THROUGH_TAG, TWO_OR_MORE),
    )
    sets = (
        ("banking77", seeded_sample(banking77("train"), DEV_TEXTS), banking77_labels()),
        ("clinc150", seeded_sample(clinc150("val"), DEV_TEXTS), clinc150_labels()),
    )
    for name, data, labels in sets:
        names_only, to_id = journey_for(name, labels, ids_from_names=True)
        described = label_set(name)
        gold = gold_ids(data, to_id)
        for how, journey in (("names only", names_only), ("names + descriptions", described)):
            table.rows += journey_rows(
                f"{name}, {how} ({len(data):,} texts)",
                journey,
                data,
                gold,
                cache,
                matcher,
                name in held_out,
            )
    table.notes.append(
        "Banking77: a seeded 3,000 of train; CLINC150: val, in-scope only; the first two columns "
        "on whole texts, the last two through `Tagger.tag` (clauses, model view, comment rule); "
        "seconds exclude encoding and `tag`"
    )
    return table


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table (``--matcher DIR``: also through a step matcher)."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--matcher", type=Path, help="a step matcher directory to compare")
    args = parser.parse_args(argv)
    matcher, held_out = None, []
    if args.matcher is not None:
        from steplens.pipeline.steps.matcher import held_out_sources, matcher_encoder

        tuned = matcher_encoder(load_encoder(), args.matcher)
        assert isinstance(tuned, Encoder)
        matcher, held_out = CachedEncoder(tuned), held_out_sources(args.matcher)
    print("\n".join(render(run(CachedEncoder(load_encoder()), matcher, held_out))))


if __name__ == "__main__":
    main(sys.argv[1:])
