"""Training and evaluation data for the signals model (sentiment and effort).

Everything is read from the copies under ``data/signals/`` and ``data/benchmarks/`` (each with a
SOURCE.md); nothing is downloaded. Which splits may be trained on and which are only for the
reported numbers:

- train on: SST-2 train, MAMS train (aspect polarities), SemEval-2014 restaurants train,
  SemEval-2016 laptops train, the complaints set, USS rated user turns, TweetEval *validation*,
  and the ``train`` split of the effort set (``data/effort/``);
- report only: TweetEval test, SST-2 dev, MAMS val, the effort ``test`` split.

Sentiment labels are ``negative`` / ``neutral`` / ``positive``; an example may carry an
``aspect`` (a category name), in which case its label is the polarity towards that aspect.
"""

from __future__ import annotations

import csv
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.paths import data_dir

SENTIMENTS = ("negative", "neutral", "positive")
EFFORTS = ("none", "low", "moderate", "high")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Example:
    """One labelled text: a sentiment or an effort label, optionally towards an aspect."""

    text: str
    label: str
    source: str
    aspect: str | None = None


def signals_dir() -> Path:
    """``<data dir>/signals``: the bundled sentiment and complaint sets."""
    return data_dir() / "signals"


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _file(*parts: str) -> Path:
    path = data_dir().joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path} (see the folder's SOURCE.md)")
    return path


def humanise_aspect(category: str) -> str:
    """``FOOD#QUALITY`` -> ``food quality``; ``anecdotes/miscellaneous`` -> ``miscellaneous``."""
    text = category.split("/")[-1].replace("#", " ").replace("_", " ").lower()
    return _clean(text)


# --- Sentiment -------------------------------------------------------------------------------


def sst2(split: str) -> list[Example]:
    """SST-2 ``train`` (phrases, 67k) or ``dev`` (872 sentences); binary."""
    name = {"train": "train_full.tsv", "dev": "dev.tsv"}[split]
    rows = _file("signals", "sst2", name).read_text(encoding="utf-8").splitlines()[1:]
    examples = []
    for row in rows:
        text, label = row.rsplit("\t", 1)
        examples.append(
            Example(_clean(text), "positive" if label.strip() == "1" else "negative", "sst2")
        )
    return examples


def tweeteval(split: str) -> list[Example]:
    """TweetEval sentiment ``val`` (trainable) or ``test`` (reported only)."""
    folder = ("signals", "tweeteval_sentiment")
    texts = _file(*folder, f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = _file(*folder, f"{split}_labels.txt").read_text(encoding="utf-8").split()
    return [
        Example(_clean(t), SENTIMENTS[int(label)], "tweeteval")
        for t, label in zip(texts, labels, strict=True)
    ]


def _aspect_xml(path: Path, tag: str) -> list[tuple[str, list[tuple[str, str]]]]:
    sentences = []
    for sentence in ET.parse(path).getroot().iter("sentence"):
        text = _clean(sentence.findtext("text") or "")
        pairs = [
            (node.get("category", ""), node.get("polarity", ""))
            for node in sentence.iter(tag)
            if node.get("polarity") in SENTIMENTS
        ]
        if text:
            sentences.append((text, list(dict.fromkeys(pairs))))
    return sentences


def aspect_sentences(source: str, split: str = "train") -> list[tuple[str, list[tuple[str, str]]]]:
    """(sentence, [(category, polarity), ...]) from MAMS, SemEval-14 restaurants or -16 laptops,
    in file order; only polarities that are sentiments (no ``conflict``) are kept."""
    if source == "mams":
        return _aspect_xml(_file("benchmarks", "mams_acsa", f"{split}.xml"), "aspectCategory")
    if source == "semeval14":
        path = _file("signals", "semeval14_restaurants", "Restaurants_Train.xml")
        return _aspect_xml(path, "aspectCategory")
    if source == "semeval16":
        path = _file("signals", "semeval16_laptops", "ABSA16_Laptops_Train_SB1_v2.xml")
        return _aspect_xml(path, "Opinion")
    raise ValueError(f"unknown aspect source {source!r}")


def aspect_examples(source: str, split: str = "train") -> list[Example]:
    """(sentence, aspect, polarity) examples from MAMS, SemEval-14 restaurants or -16 laptops.

    A sentence whose aspects all share one polarity also gives a plain sentence-level example.
    """
    sentences = aspect_sentences(source, split)
    examples = []
    for text, pairs in sentences:
        for category, polarity in pairs:
            examples.append(Example(text, polarity, source, humanise_aspect(category)))
        polarities = {polarity for _, polarity in pairs}
        if len(polarities) == 1 and source != "mams":  # MAMS sentences are mixed by design
            examples.append(Example(text, polarities.pop(), source))
    return examples


def brand_tweets() -> list[tuple[str, bool]]:
    """(tweet, is_complaint) for the tweets to brands (the random-tweet controls left out)."""
    path = _file("signals", "complaints_twitter", "complaints-data.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            (_clean(text), label == "1")
            for _, text, label, domain in csv.reader(handle)
            if not domain.startswith("random")
        ]


def complaints() -> list[Example]:
    """Tweets to brands flagged as complaints, as ``negative`` (a breach of expectation)."""
    return [Example(text, "negative", "complaints") for text, flagged in brand_tweets() if flagged]


def uss_rated_turns() -> list[tuple[str, float]]:
    """(user turn, mean satisfaction rating 1-5) from the USS dialogues (SGD, then MultiWOZ)."""
    turns = []
    for name in ("SGD.txt", "MWOZ.txt"):
        text = _file("signals", "uss_satisfaction", name).read_text(encoding="utf-8")
        for line in text.splitlines():
            parts = line.split("\t")
            if len(parts) < 4 or parts[0] != "USER" or parts[1] == "OVERALL" or not parts[3]:
                continue
            ratings = [int(r) for r in parts[3].split(",") if r.strip().isdigit()]
            if ratings:
                turns.append((_clean(parts[1]), sum(ratings) / len(ratings)))
    return turns


def uss_turns() -> list[Example]:
    """USS user turns rated for satisfaction: mean <= 2 negative, >= 4 positive, else neutral."""
    return [
        Example(text, "negative" if mean <= 2 else "positive" if mean >= 4 else "neutral", "uss")
        for text, mean in uss_rated_turns()
    ]


# --- Effort ----------------------------------------------------------------------------------


def effort(split: str) -> list[Example]:
    """The adjudicated effort labels (``data/effort/effort.csv``), ``train`` or ``test``."""
    path = _file("effort", "effort.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Example(row["text"], row["label"], f"effort:{row['source']}")
            for row in csv.DictReader(handle)
            if row["split"] == split
        ]


def effort_by_round(split: str) -> dict[int, list[Example]]:
    """:func:`effort` grouped by the labelling round that drew each text (1, 2, 3, ...)."""
    from training.effort_pool import round_of_index

    path = _file("effort", "effort.csv")
    rounds: dict[int, list[Example]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["split"] != split:
                continue
            number = round_of_index(int(row["id"].lstrip("e")))
            example = Example(row["text"], row["label"], f"effort:{row['source']}")
            rounds.setdefault(number, []).append(example)
    return rounds


# --- Mixing ----------------------------------------------------------------------------------


def sample(examples: Iterable[Example], n: int, seed: int) -> list[Example]:
    """At most ``n`` examples, drawn with ``random.Random(seed)``, in their original order."""
    items = list(examples)
    if len(items) <= n:
        return items
    keep = sorted(random.Random(seed).sample(range(len(items)), n))
    return [items[i] for i in keep]


def split_off(
    examples: list[Example], share: float, seed: int
) -> tuple[list[Example], list[Example]]:
    """A seeded (rest, held-out) split, stratified by label."""
    by_label: dict[str, list[Example]] = {}
    for example in examples:
        by_label.setdefault(example.label, []).append(example)
    rng = random.Random(seed)
    rest: list[Example] = []
    held: list[Example] = []
    for items in by_label.values():
        shuffled = items[:]
        rng.shuffle(shuffled)
        cut = round(len(shuffled) * share)
        held += shuffled[:cut]
        rest += shuffled[cut:]
    return rest, held
