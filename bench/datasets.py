"""Loaders for the public benchmark datasets bundled under ``data/benchmarks/``.

Each loader returns plain Python data (texts and label lists). Reading uses only the standard
library. Provenance, licences and which splits are never used for training or tuning are in
each dataset's ``SOURCE.md``.
"""

from __future__ import annotations

import csv
import json
import random
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from steplens.pipeline.journey import Journey, load_journey
from steplens.pipeline.paths import data_dir

Banking77Split = Literal["train", "test"]
Clinc150Split = Literal["train", "val", "test", "oos_train", "oos_val", "oos_test"]
MamsSplit = Literal["train", "val"]

CLINC150_SPLITS: tuple[str, ...] = ("train", "val", "test", "oos_train", "oos_val", "oos_test")
OOS_LABEL = "oos"


@dataclass(frozen=True)
class LabelledTexts:
    """Texts with one or more labels each (single-label data gives one-element lists)."""

    texts: list[str]
    labels: list[list[str]]

    def __post_init__(self) -> None:
        if len(self.texts) != len(self.labels):
            raise ValueError(f"{len(self.texts)} texts but {len(self.labels)} label lists")

    def __len__(self) -> int:
        return len(self.texts)


def benchmarks_dir() -> Path:
    """The folder of bundled benchmark datasets: ``<data dir>/benchmarks``."""
    return data_dir() / "benchmarks"


def _dataset_file(dataset: str, name: str) -> Path:
    """Path to one bundled file, or FileNotFoundError saying where it should be."""
    path = benchmarks_dir() / dataset / name
    if not path.is_file():
        raise FileNotFoundError(
            f"benchmark file not found: {path} (the data is expected under data/benchmarks/"
            f"{dataset}/; see its SOURCE.md)"
        )
    return path


def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _check_split(split: str, allowed: tuple[str, ...]) -> None:
    if split not in allowed:
        raise ValueError(f"unknown split {split!r}; expected one of {', '.join(allowed)}")


_NON_WORD = re.compile(r"[\W_]+")


def step_id(label: str) -> str:
    """A dataset label as a steplens step id: humanised, spaces to underscores."""
    return humanise_label(label).replace(" ", "_")


def label_set(name: str) -> Journey:
    """A journey of ``data/label_sets`` (names and descriptions written for a label set)."""
    return load_journey(data_dir() / "label_sets" / f"{name}.yaml")


@dataclass(frozen=True)
class LabelSource:
    """A label set's journey and texts labelled with its step ids (``[]``: off-topic)."""

    name: str
    journey: Journey
    texts: list[str]
    labels: list[list[str]]


def humanise_label(label: str) -> str:
    """A label id as plain words: lowercase, underscores and punctuation become single spaces.

    ``"Refund_not_showing_up"`` -> ``"refund not showing up"``;
    ``"reverted_card_payment?"`` -> ``"reverted card payment"``.
    """
    return _NON_WORD.sub(" ", label.lower()).strip()


# --- Banking77 -------------------------------------------------------------------------------


def banking77(split: Banking77Split) -> LabelledTexts:
    """Banking77 queries with their single intent label (texts stripped of outer whitespace)."""
    _check_split(split, ("train", "test"))
    path = _dataset_file("banking77", f"{split}.csv")
    texts: list[str] = []
    labels: list[list[str]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            texts.append(row["text"].strip())
            labels.append([row["category"]])
    return LabelledTexts(texts, labels)


def banking77_labels() -> list[str]:
    """The 77 Banking77 intent ids, in ``categories.json`` order."""
    categories: list[str] = _read_json(_dataset_file("banking77", "categories.json"))
    return list(categories)


# --- CLINC150 --------------------------------------------------------------------------------


def _clinc150_data() -> dict[str, list[list[str]]]:
    data: dict[str, list[list[str]]] = _read_json(_dataset_file("clinc150", "data_full.json"))
    return data


def clinc150(split: Clinc150Split) -> LabelledTexts:
    """One split of CLINC150 ``data_full.json``; the ``oos_*`` splits are labelled ``"oos"``."""
    _check_split(split, CLINC150_SPLITS)
    pairs = _clinc150_data()[split]
    return LabelledTexts([text for text, _ in pairs], [[label] for _, label in pairs])


def clinc150_labels() -> list[str]:
    """The 150 in-scope CLINC150 intent ids (from the ``train`` split), sorted."""
    return sorted({label for _, label in _clinc150_data()["train"]} - {OOS_LABEL})


# --- MAMS-ACSA -------------------------------------------------------------------------------


def _mams_sentences(split: MamsSplit) -> list[tuple[str, list[tuple[str, str]]]]:
    """(text, [(category, polarity), ...]) per ``<sentence>``, in file order."""
    _check_split(split, ("train", "val"))
    root = ET.parse(_dataset_file("mams_acsa", f"{split}.xml")).getroot()
    sentences: list[tuple[str, list[tuple[str, str]]]] = []
    for sentence in root.iter("sentence"):
        text = sentence.findtext("text") or ""
        aspects = [
            (aspect.get("category", ""), aspect.get("polarity", ""))
            for aspect in sentence.iter("aspectCategory")
        ]
        sentences.append((text, aspects))
    return sentences


def mams(split: MamsSplit) -> LabelledTexts:
    """MAMS-ACSA sentences with their aspect categories (deduplicated, in order of appearance)."""
    sentences = _mams_sentences(split)
    return LabelledTexts(
        [text for text, _ in sentences],
        [list(dict.fromkeys(category for category, _ in aspects)) for _, aspects in sentences],
    )


def mams_labels() -> list[str]:
    """The MAMS-ACSA aspect categories found in the train split, sorted."""
    return sorted({label for labels in mams("train").labels for label in labels})


def mams_polarities(split: MamsSplit) -> list[list[tuple[str, str]]]:
    """(category, polarity) pairs per sentence, aligned with ``mams(split)``."""
    return [aspects for _, aspects in _mams_sentences(split)]


# --- Real customer text with step-like labels (data/signals) ------------------------------------

LaptopSplit = Literal["train", "dev"]
LAPTOP_ENTITY_STEPS = {
    "DISPLAY": "display",
    "KEYBOARD": "keyboard",
    "BATTERY": "battery",
    "SOFTWARE": "software",
    "HARDWARE": "hardware",
    "OS": "operating_system",
    "MULTIMEDIA_DEVICES": "multimedia",
    "SUPPORT": "support",
    "PORTS": "ports",
    "COMPANY": "company",
    "POWER_SUPPLY": "power_supply",
    "CPU": "cpu",
    "MEMORY": "memory",
    "HARD_DISC": "hard_disc",
    "SHIPPING": "shipping",
    "FANS&COOLING": "fans_cooling",
}
"""Laptop-ACOS entities that are steps of ``data/label_sets/laptop_reviews.yaml`` whatever
their attribute; ``LAPTOP#<attribute>`` goes to :data:`LAPTOP_ATTRIBUTE_STEPS`."""
LAPTOP_ATTRIBUTE_STEPS = {
    "GENERAL": "overall",
    "OPERATION_PERFORMANCE": "performance",
    "DESIGN_FEATURES": "design",
    "QUALITY": "build_quality",
    "PRICE": "price",
    "USABILITY": "ease_of_use",
    "PORTABILITY": "portability",
}
COMPLAINT_DOMAINS = (
    "apparel",
    "cars",
    "electronics",
    "food",
    "retail",
    "services",
    "software",
    "transport",
)
OFF_TOPIC = "unassigned"


def _signals_file(dataset: str, name: str) -> Path:
    path = data_dir() / "signals" / dataset / name
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path} (see data/signals/SOURCE.md)")
    return path


def laptop_step(category: str) -> str | None:
    """The laptop_reviews step of a Laptop-ACOS ``ENTITY#ATTRIBUTE`` category, or None."""
    entity, _, attribute = category.partition("#")
    if entity == "LAPTOP":
        return LAPTOP_ATTRIBUTE_STEPS.get(attribute)
    return LAPTOP_ENTITY_STEPS.get(entity)


def laptop_reviews(split: LaptopSplit) -> LabelledTexts:
    """Laptop-ACOS review sentences with their laptop_reviews steps (multi-label).

    Categories with no step (rare ones: WARRANTY, GRAPHICS, ``LAPTOP#CONNECTIVITY``, ...) are
    dropped, and a sentence left with none is skipped. ``test`` is kept for final numbers.
    """
    _check_split(split, ("train", "dev"))
    texts, labels = [], []
    path = _signals_file("laptop_acos", f"laptop_quad_{split}.tsv")
    for line in path.read_text(encoding="utf-8").splitlines():
        text, *quads = line.split("\t")
        steps = [laptop_step(quad.split()[1]) for quad in quads if len(quad.split()) >= 2]
        kept = list(dict.fromkeys(step for step in steps if step))
        if kept:
            texts.append(text)
            labels.append(kept)
    return LabelledTexts(texts, labels)


def complaint_domains() -> LabelledTexts:
    """Tweets to brands by industry (Preotiuc-Pietro et al., 2019), one label each.

    The random tweets and replies of the set are labelled :data:`OFF_TOPIC` (they address no
    brand); the 128 ``other`` tweets are left out (their industry is unknown).
    """
    texts, labels = [], []
    path = _signals_file("complaints_twitter", "complaints-data.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        for _, text, _, domain in csv.reader(handle):
            if domain in COMPLAINT_DOMAINS:
                texts.append(text)
                labels.append([domain])
            elif domain.startswith("random"):
                texts.append(text)
                labels.append([OFF_TOPIC])
    return LabelledTexts(texts, labels)


def travel_tweets() -> LabelledTexts:
    """The complaint set's transport tweets by travel step (``travel_tweets.yaml``), one each.

    Two annotators labelled the 247 tweets independently (``travel_tweets_labels.csv``); the
    237 they agree on are kept, ``unassigned`` ones as :data:`OFF_TOPIC`. Tweets to airlines,
    rail and bus operators, with real handles: a development set shaped like real traffic to one
    travel brand, where the handle says nothing about the step.
    """
    labels_path = data_dir() / "label_sets" / "travel_tweets_labels.csv"
    with labels_path.open(encoding="utf-8", newline="") as handle:
        agreed = {
            row["tweet_id"]: row["annotator_a"]
            for row in csv.DictReader(handle)
            if row["annotator_a"] == row["annotator_b"]
        }
    texts, labels = [], []
    path = _signals_file("complaints_twitter", "complaints-data.csv")
    with path.open(encoding="utf-8", newline="") as handle:
        for tweet_id, text, _, domain in csv.reader(handle):
            if domain == "transport" and tweet_id in agreed:
                texts.append(text)
                labels.append([agreed[tweet_id]])
    return LabelledTexts(texts, labels)


# --- Sampling --------------------------------------------------------------------------------


def few_shot(data: LabelledTexts, per_label: int, seed: int) -> LabelledTexts:
    """``per_label`` examples of each label, sampled with ``random.Random(seed)``.

    Single-label data only. Labels come out in order of first appearance in ``data``, and the
    examples within a label keep their original order. A label with fewer than ``per_label``
    examples raises ValueError.
    """
    if per_label < 1:
        raise ValueError(f"per_label must be at least 1, got {per_label}")
    by_label: dict[str, list[int]] = {}
    for index, labels in enumerate(data.labels):
        if len(labels) != 1:
            raise ValueError(f"few_shot needs single-label data; item {index} has {labels}")
        by_label.setdefault(labels[0], []).append(index)
    rng = random.Random(seed)
    texts: list[str] = []
    chosen_labels: list[list[str]] = []
    for label, indices in by_label.items():
        if len(indices) < per_label:
            raise ValueError(f"label {label!r} has {len(indices)} examples, fewer than {per_label}")
        for index in sorted(rng.sample(indices, per_label)):
            texts.append(data.texts[index])
            chosen_labels.append([label])
    return LabelledTexts(texts, chosen_labels)
