"""How zero-shot ``unassigned`` rules trade on-topic accuracy for off-topic recall, per source.

Issue 22 item 5 asks for an ``unassigned`` that means off-topic on real traffic, with a rule
developed on one source that carries to others. This bench puts candidate rules side by side
on development data only (whole texts, model view, the packaged encoder, journeys written from
label names alone):

- ``threshold t``: the classifier's probability cut (``calibrated`` = today's rule);
- ``closer to a step than to chatter + d``: also assign a text whose best step score beats its
  similarity to the off-topic feedback (``data/calibration/off_topic.txt``, mean of the two
  nearest) by ``d``.

Each cell is ``on-topic accuracy / off-topic left unassigned`` (unassigned = wrong for on-topic
texts). Sources: tweets to brands by industry with the set's random tweets as off-topic;
CLINC150 val with oos_val; the bundled sample; the industry set's random tweets tagged with
the bundled ``ecommerce`` journey (off-topic only); laptop and restaurant reviews and Banking77
(on-topic only). docs/steps.md reads the table.

    python -m bench.bench_unassigned
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from bench.bench_label_sets import seeded_sample
from bench.bench_real_steps import label_set
from bench.bench_steps import CachedEncoder, load_sample
from bench.datasets import (
    OFF_TOPIC,
    banking77,
    clinc150,
    complaint_domains,
    humanise_label,
    laptop_reviews,
    mams,
)
from pipeline.encoder import load_encoder
from pipeline.journey import UNASSIGNED, Journey, load_journey
from pipeline.model_view import model_views
from pipeline.steps.zero_shot import ZeroShotStepClassifier, off_topic_texts

THRESHOLDS = (0.1, 0.15, 0.2)
MARGINS = (0.0, 0.025, 0.05, 0.1)


@dataclass(frozen=True)
class Source:
    """Texts with their gold step sets (empty: off-topic) and the journey they are tagged with."""

    name: str
    journey: Journey
    texts: list[str]
    gold: list[set[str]]


def sources() -> list[Source]:
    """The development sources, in the order of the table."""
    found = []
    tweets = complaint_domains()
    industry = [set(labels) - {OFF_TOPIC} for labels in tweets.labels]
    found.append(Source("industry tweets", label_set("complaint_domains"), tweets.texts, industry))
    random_tweets = [t for t, g in zip(tweets.texts, industry, strict=True) if not g]
    ecommerce = load_journey("ecommerce")
    found.append(
        Source(
            "random tweets, ecommerce journey",
            ecommerce,
            random_tweets,
            [set()] * len(random_tweets),
        )
    )
    val, oos = clinc150("val"), clinc150("oos_val")
    found.append(
        Source(
            "CLINC150 val + oos_val",
            label_set("clinc150"),
            val.texts + oos.texts,
            [set(labels) for labels in val.labels] + [set()] * len(oos),
        )
    )
    texts, references = load_sample()
    gold_sample = [set(r) - {UNASSIGNED} for r in references]
    found.append(Source("bundled sample", ecommerce, list(texts), gold_sample))
    laptop = laptop_reviews("train")
    found.append(
        Source(
            "laptop reviews",
            label_set("laptop_reviews"),
            laptop.texts,
            [set(x) for x in laptop.labels],
        )
    )
    restaurant = mams("val")
    found.append(
        Source(
            "restaurant reviews",
            label_set("restaurant_aspects"),
            restaurant.texts,
            [set(x) for x in restaurant.labels],
        )
    )
    bank = seeded_sample(banking77("train"), 3000)
    gold = [{humanise_label(labels[0]).replace(" ", "_")} for labels in bank.labels]
    found.append(Source("Banking77 (3,000 of train)", label_set("banking77"), bank.texts, gold))
    return found


def cell(hit: np.ndarray, assigned: np.ndarray, on_topic: np.ndarray) -> str:
    """``on-topic accuracy / off-topic left unassigned`` (``–`` where a side has no texts)."""
    on = f"{np.mean((hit & assigned)[on_topic]):.3f}" if on_topic.any() else "–"
    off = f"{np.mean(~assigned[~on_topic]):.2f}" if (~on_topic).any() else "–"
    return f"{on} / {off}"


def rows(source: Source, cache: CachedEncoder, chatter: np.ndarray) -> list[str]:
    """One table row: every rule on one source."""
    classifier = ZeroShotStepClassifier(source.journey, cache)
    x = cache.encode(model_views(source.texts))
    probabilities, scores = classifier.predict_proba(x), classifier.scores(x)
    ids = source.journey.step_ids
    best, top = probabilities.max(axis=1), probabilities.argmax(axis=1)
    on_topic = np.array([bool(g) for g in source.gold])
    hit = np.array([ids[i] in g for i, g in zip(top, source.gold, strict=True)])
    near_chatter = np.sort(x @ chatter.T, axis=1)[:, -2:].mean(axis=1)
    calibrated = best >= classifier.threshold
    cells = [f"{classifier.threshold:.2f}", cell(hit, calibrated, on_topic)]
    cells += [cell(hit, best >= t, on_topic) for t in THRESHOLDS]
    cells += [
        cell(hit, calibrated | (scores.max(axis=1) > near_chatter + d), on_topic) for d in MARGINS
    ]
    return [f"| {source.name} ({len(source.texts):,}) | " + " | ".join(cells) + " |"]


def main(argv: Sequence[str] | None = None) -> None:
    """Print the table."""
    del argv
    cache = CachedEncoder(load_encoder())
    chatter = cache.encode(off_topic_texts())
    header = (
        ["source", "calibrated threshold", "calibrated"]
        + [f"threshold {t}" for t in THRESHOLDS]
        + [f"closer to a step than to chatter + {d}" for d in MARGINS]
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for source in sources():
        print("\n".join(rows(source, cache, chatter)), flush=True)
    print(
        "\nEach cell: on-topic accuracy (unassigned = wrong) / off-topic left unassigned; whole "
        "texts, model view, packaged encoder; development data only."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
