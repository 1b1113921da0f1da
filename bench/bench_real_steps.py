"""Zero-shot steps on real customer text, through ``tag``, beside the cosine baseline.

Development sets for issue 22: real (not synthetic, not crowd-paraphrased) customer text with
step-like labels, and journeys whose names and descriptions were written from the label names
alone, the way a user writes a journey (``data/label_sets``):

- ``laptop``: Laptop-ACOS review sentences (train + dev; test is kept for final numbers) by
  what they talk about, 23 steps (``laptop_reviews.yaml``), multi-label.
- ``restaurant``: MAMS-ACSA restaurant review sentences (val), 8 aspects
  (``restaurant_aspects.yaml``), multi-label, two or more aspects per sentence.
- ``complaints``: tweets to brands' support accounts by industry, 8 steps
  (``complaint_domains.yaml``), with the set's random tweets and replies as off-topic texts
  that should stay ``unassigned``.
- ``travel``: the same set's tweets to airlines, rail and bus operators by travel step, 8 steps
  (``travel_tweets.yaml``), labelled by two annotators; thanks, replies and other talk that
  names no step should stay ``unassigned``. Shaped like a brand's own mentions: the handle
  says nothing about the step.

Each is measured three ways on the same texts: the baseline (cosine of the whole text to one
"name: description" prototype per step; its single best step is its answer), the zero-shot
classifier on whole texts (top step, ``unassigned`` below its threshold) and the full ``tag``
path (clauses, step view, whole-text reading, comment-level rule). Nothing is trained.

    python -m bench.bench_real_steps [--only laptop,restaurant,complaints,travel] [--matcher DIR]

With ``--matcher DIR`` a fourth row tags through a step matcher; a matcher's number on a set
is zero-shot only if the matcher was trained without that set (``--hold-out``).
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.bench_steps import F1, PRECISION, RECALL, CachedEncoder, set_scores, timed
from bench.datasets import (
    OFF_TOPIC,
    LabelledTexts,
    complaint_domains,
    label_set,
    laptop_reviews,
    mams,
    travel_tweets,
)
from bench.report import Row, Table, chosen_parts, render
from steplens.pipeline.encoder import Encoder, load_encoder
from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.model_view import step_views
from steplens.pipeline.steps.base import decide
from steplens.pipeline.steps.zero_shot import ZeroShotStepClassifier

PARTS = ("laptop", "restaurant", "complaints", "travel")
COSINE = "baseline: cosine to 'name: description', top step"
WHOLE = "ZeroShotStepClassifier on whole texts"
TAG = "ours: through `tag`"
TOP_STEP = "top step accuracy (1-step texts)"
ON_TOPIC = "on-topic accuracy (unassigned = wrong)"
ON_UNASSIGNED = "on-topic left unassigned"
OFF_RECALL = "off-topic left unassigned"
OVERALL = "overall accuracy"


def cosine_top(journey: Journey, texts: Sequence[str], cache: CachedEncoder) -> list[str]:
    """Each text's best step by cosine to one "name: description" prototype per step."""
    prototypes = cache.encode(
        [f"{s.name}: {s.description}" if s.description else s.name for s in journey.steps]
    )
    ids = journey.step_ids
    return [ids[i] for i in (cache.encode(texts) @ prototypes.T).argmax(axis=1)]


def whole_text(journey: Journey, texts: Sequence[str], cache: CachedEncoder) -> list[str]:
    """The zero-shot classifier's decision on each whole text, read as ``tag`` reads a text (its
    step view)."""
    classifier = ZeroShotStepClassifier(journey, cache)
    probabilities = classifier.predict_proba(cache.encode(step_views(texts)))
    return [d.step for d in decide(probabilities, journey.step_ids, classifier.threshold)]


def through_tag(
    journey: Journey, texts: Sequence[str], cache: CachedEncoder
) -> tuple[list[str], list[set[str]]]:
    """Main step and listed steps of each text through ``Tagger.tag`` (no signals)."""
    from steplens.pipeline.segment import load_segmenter
    from steplens.pipeline.tagger import Tagger

    tagger = Tagger(journey, ZeroShotStepClassifier(journey, cache), load_segmenter(), cache)
    results = tagger.tag(texts)
    return [r.step for r in results], [{step for step, _ in r.steps} for r in results]


def multi_label_metrics(
    main: Sequence[str], listed: Sequence[set[str]], gold: Sequence[list[str]]
) -> dict[str, float]:
    """Micro precision / recall / F1 of the listed steps; main-step accuracy on 1-step texts."""
    scores = set_scores(listed, [set(g) for g in gold])
    single = [i for i, g in enumerate(gold) if len(g) == 1]
    top = float(np.mean([main[i] == gold[i][0] for i in single])) if single else float("nan")
    return {**scores, TOP_STEP: top}


def multi_label_table(
    key: str, title: str, journey: Journey, data: LabelledTexts, matcher: Path | None
) -> Table:
    """The three methods (four with a matcher) on a multi-label set."""
    cache = CachedEncoder(_encoder())
    table = Table(key, title, (PRECISION, RECALL, F1, TOP_STEP))
    cosine, seconds = timed(lambda: cosine_top(journey, data.texts, cache), cache)
    metrics = multi_label_metrics(cosine, [{c} for c in cosine], data.labels)
    table.rows.append(Row("zero-shot", COSINE, metrics, seconds))
    whole, seconds = timed(lambda: whole_text(journey, data.texts, cache), cache)
    listed: list[set[str]] = [set() if w == UNASSIGNED else {w} for w in whole]
    table.rows.append(
        Row("zero-shot", WHOLE, multi_label_metrics(whole, listed, data.labels), seconds)
    )
    (main, listed), seconds = timed(lambda: through_tag(journey, data.texts, cache))
    table.rows.append(
        Row("zero-shot", TAG, multi_label_metrics(main, listed, data.labels), seconds)
    )
    if matcher is not None:
        tuned = _matcher_cache(matcher)
        (main, listed), seconds = timed(lambda: through_tag(journey, data.texts, tuned))
        metrics = multi_label_metrics(main, listed, data.labels)
        table.rows.append(Row("zero-shot", matcher_method(matcher, key), metrics, seconds))
    table.notes.append(
        f"{len(data):,} texts, {sum(len(g) > 1 for g in data.labels):,} with two or more steps; "
        f"journey data/label_sets/{journey.name}.yaml ({len(journey.steps)} steps, names and "
        "descriptions written from the label names alone)"
    )
    return table


def open_set_metrics(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    """On-topic accuracy, off-topic texts left unassigned, and accuracy over all texts."""
    on = [i for i, g in enumerate(gold) if g != OFF_TOPIC]
    off = [i for i, g in enumerate(gold) if g == OFF_TOPIC]
    return {
        ON_TOPIC: float(np.mean([predicted[i] == gold[i] for i in on])),
        ON_UNASSIGNED: float(np.mean([predicted[i] == UNASSIGNED for i in on])),
        OFF_RECALL: float(np.mean([predicted[i] == UNASSIGNED for i in off])),
        OVERALL: float(
            np.mean(
                [
                    (p == UNASSIGNED if g == OFF_TOPIC else p == g)
                    for p, g in zip(predicted, gold, strict=True)
                ]
            )
        ),
    }


def open_set_table(
    key: str, title: str, journey: Journey, data: LabelledTexts, matcher: Path | None
) -> Table:
    """The three methods (four with a matcher) on a single-label set with off-topic texts."""
    gold = [labels[0] for labels in data.labels]
    cache = CachedEncoder(_encoder())
    table = Table(key, title, (ON_TOPIC, ON_UNASSIGNED, OFF_RECALL, OVERALL))
    cosine, seconds = timed(lambda: cosine_top(journey, data.texts, cache), cache)
    table.rows.append(Row("zero-shot", COSINE, open_set_metrics(cosine, gold), seconds))
    whole, seconds = timed(lambda: whole_text(journey, data.texts, cache), cache)
    table.rows.append(Row("zero-shot", WHOLE, open_set_metrics(whole, gold), seconds))
    (main, _), seconds = timed(lambda: through_tag(journey, data.texts, cache))
    table.rows.append(Row("zero-shot", TAG, open_set_metrics(main, gold), seconds))
    if matcher is not None:
        tuned = _matcher_cache(matcher)
        (main, _), seconds = timed(lambda: through_tag(journey, data.texts, tuned))
        method = matcher_method(matcher, key)
        table.rows.append(Row("zero-shot", method, open_set_metrics(main, gold), seconds))
    return table


def tweets_table(
    key: str, title: str, journey: str, data: LabelledTexts, about: str, matcher: Path | None
) -> Table:
    """An open-set table of tweets: ``about`` says what the on- and off-topic tweets are."""
    steps = label_set(journey)
    table = open_set_table(
        key, f"{title} ({len(data):,} tweets, {len(steps.steps)} steps)", steps, data, matcher
    )
    off = sum(labels == [OFF_TOPIC] for labels in data.labels)
    table.notes.append(
        f"{len(data) - off:,} on-topic tweets and {off:,} off-topic; {about}; the baseline has "
        "no unassigned, so it leaves no off-topic tweet unassigned"
    )
    return table


def complaints_table(matcher: Path | None) -> Table:
    """Industries of tweets to brands, with off-topic tweets that should stay unassigned."""
    about = (
        "on-topic: tweets to brands in 8 industries; off-topic: random tweets and replies; the "
        "128 'other' tweets are left out"
    )
    title = "Tweets to brands by industry, with off-topic tweets"
    return tweets_table(
        "complaints", title, "complaint_domains", complaint_domains(), about, matcher
    )


def travel_table(matcher: Path | None) -> Table:
    """Tweets to airlines, rail and bus operators by travel step, chatter left unassigned."""
    about = (
        "off-topic: thanks, replies, loyalty schemes; labelled by two annotators (the 237 of 247 "
        "they agree on); every tweet addresses a travel brand, so a handle says nothing about "
        "the step"
    )
    title = "Tweets to travel brands by journey step"
    return tweets_table("travel", title, "travel_tweets", travel_tweets(), about, matcher)


@functools.lru_cache(maxsize=1)
def _encoder() -> Encoder:
    """The packaged encoder, loaded once per run (each table wraps it in its own cache)."""
    return load_encoder()


def matcher_method(directory: Path, source: str) -> str:
    """The row name for a matcher, saying when its number is not zero-shot (it trained on the
    set: ``steplens.training.step_matcher`` without ``--hold-out source``)."""
    from steplens.pipeline.steps.matcher import held_out_sources

    seen = "" if source in held_out_sources(directory) else " (trained on this set: not zero-shot)"
    return f"{TAG}, matcher {directory.name}{seen}"


def _matcher_cache(directory: Path) -> CachedEncoder:
    """The packaged encoder with a step matcher's top layers, behind a cache."""
    from steplens.pipeline.steps.matcher import matcher_encoder

    tuned = matcher_encoder(_encoder(), directory)
    assert isinstance(tuned, Encoder)
    return CachedEncoder(tuned)


def run_part(part: str, matcher: Path | None = None) -> Table:
    """One table."""
    if part == "laptop":
        data = laptop_reviews("train")
        dev = laptop_reviews("dev")
        both = LabelledTexts(data.texts + dev.texts, data.labels + dev.labels)
        return multi_label_table(
            "laptop",
            f"Laptop reviews (Laptop-ACOS train + dev, {len(both):,} sentences) by what they "
            "talk about",
            label_set("laptop_reviews"),
            both,
            matcher,
        )
    if part == "restaurant":
        data = mams("val")
        return multi_label_table(
            "restaurant",
            f"Restaurant reviews (MAMS-ACSA val, {len(data):,} sentences) by aspect",
            label_set("restaurant_aspects"),
            data,
            matcher,
        )
    if part == "travel":
        return travel_table(matcher)
    return complaints_table(matcher)


def main(argv: Sequence[str] | None = None) -> None:
    """Print one markdown table per part."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--only",
        type=lambda value: chosen_parts(value, PARTS),
        default=list(PARTS),
        help=",".join(PARTS),
    )
    parser.add_argument(
        "--matcher",
        type=Path,
        help="also tag through this step matcher (steplens.training.step_matcher)",
    )
    args = parser.parse_args(argv)
    wanted = args.only
    for part in wanted:
        started = time.perf_counter()
        print("\n".join(render(run_part(part, args.matcher))), flush=True)
        print(f"\n({part}: {time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
