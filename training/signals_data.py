"""Training and evaluation data for the signals model (sentiment and effort).

Everything is read from the copies under ``data/signals/`` and ``data/benchmarks/`` (each with a
SOURCE.md); nothing is downloaded. Which splits may be trained on and which are only for the
reported numbers:

- train on: SST-2 train, MAMS train (aspect polarities), SemEval-2014 restaurants train,
  SemEval-2016 laptops train, Laptop-ACOS train, the complaints set, USS rated user turns, the
  SemEval 2013-2016 tweets (less every tweet that is also a TweetEval validation or test tweet),
  the CR and UCI review sentences, the SXSW brand tweets, and the ``train`` split of the effort
  set (``data/effort/``);
- develop on: TweetEval *validation* (all 2,000 tweets; none of them is trained on), Laptop-ACOS
  dev;
- report only: TweetEval test, SST-2 dev, MAMS val, Laptop-ACOS test, the effort ``test`` split.

Texts are read as published; :func:`steplens.pipeline.model_view.model_view` is applied where the
model reads them (``steplens.training.signals_settings.as_input``), the same function as at tagging
time.

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

from steplens.pipeline.paths import data_dir

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


def tweet_key(text: str) -> str:
    """A tweet folded for matching across copies: handles to @user, URLs dropped, case and
    spaces folded (how the SemEval copy's SOURCE.md matches TweetEval's tweets)."""
    text = re.sub(r"@\w+", "@user", text)
    text = re.sub(r"(?:https?://|www\.)\S+", " ", text, flags=re.IGNORECASE)
    return _SPACE.sub(" ", text).strip().casefold()


_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _semeval_text(raw: str) -> str:
    text = raw.strip().rstrip("\t")
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).replace('\\"', '"')
    return _clean(text)


def semeval_tweets() -> list[Example]:
    """The SemEval 2013-2016 task 4A tweets (TweetEval's train split, with real handles).

    Rules (data/signals/semeval_tweets/SOURCE.md): escapes decoded; a tweet id that carries
    different labels in different files is dropped (84 ids); repeated ids and repeated texts
    are kept once; every tweet that matches a TweetEval validation or test tweet (by
    :func:`tweet_key`) is dropped, so TweetEval val stays a development set and test unseen.
    """
    folder = data_dir() / "signals" / "semeval_tweets"
    files = sorted(folder.glob("twitter-*.tsv"))
    if not files:
        raise FileNotFoundError(f"no SemEval tweet files in {folder} (see its SOURCE.md)")
    labels: dict[str, set[str]] = {}
    texts: dict[str, str] = {}
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t", 2)
            if len(parts) < 3 or parts[1] not in SENTIMENTS:
                continue
            tweet_id, label, raw = parts
            labels.setdefault(tweet_id, set()).add(label)
            texts.setdefault(tweet_id, _semeval_text(raw))
    held = {tweet_key(e.text) for split in ("val", "test") for e in tweeteval(split)}
    seen: set[str] = set()
    examples = []
    for tweet_id, text in texts.items():
        key = tweet_key(text)
        if len(labels[tweet_id]) != 1 or not text or key in held or key in seen:
            continue
        seen.add(key)
        examples.append(Example(text, next(iter(labels[tweet_id])), "semeval_tweets"))
    return examples


def review_sentences() -> list[Example]:
    """CR product-review sentences and the UCI Amazon-phone and Yelp sentences (binary)."""
    folder = ("signals", "review_sentiment")
    examples = []
    for name, label in (("cr_custrev.pos", "positive"), ("cr_custrev.neg", "negative")):
        for line in _file(*folder, name).read_text(encoding="latin-1").splitlines():
            if line.strip():
                examples.append(Example(_clean(line), label, "reviews"))
    for name in ("uci_amazon_cells_labelled.txt", "uci_yelp_labelled.txt"):
        lines = _file(*folder, name).read_text(encoding="utf-8").splitlines()[1:]
        for line in lines:
            text, _, score = line.rstrip("\r").rpartition("\t")
            if text.strip() and score.strip() in ("0", "1"):
                label = "positive" if score.strip() == "1" else "negative"
                examples.append(Example(_clean(text), label, "reviews"))
    return examples


SXSW_LABELS = {
    "Positive emotion": "positive",
    "Negative emotion": "negative",
    "No emotion toward brand or product": "neutral",
}


def sxsw_brand_tweets() -> list[Example]:
    """Tweets about Apple and Google products at SXSW 2011, emotion towards the brand.

    "I can't tell" is dropped; repeated texts are kept once.
    """
    path = _file("signals", "brand_tweets_sxsw", "judge-1377884607_tweet_product_company.csv")
    examples: dict[str, Example] = {}
    with path.open(encoding="latin-1", newline="") as handle:
        for row in list(csv.reader(handle))[1:]:
            if len(row) < 3 or row[2] not in SXSW_LABELS or not row[0].strip():
                continue
            text = _clean(row[0].replace("{link}", "http://link"))
            examples.setdefault(text, Example(text, SXSW_LABELS[row[2]], "sxsw"))
    return list(examples.values())


ACOS_SENTIMENTS = {"0": "negative", "1": "neutral", "2": "positive"}


def acos_sentences(split: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(sentence, [(category, polarity), ...]) from Laptop-ACOS ``train``, ``dev`` or ``test``."""
    path = _file("signals", "laptop_acos", f"laptop_quad_{split}.tsv")
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        text, *quads = line.split("\t")
        pairs = []
        for quad in quads:
            parts = quad.split()
            if len(parts) == 4 and parts[2] in ACOS_SENTIMENTS:
                pairs.append((parts[1], ACOS_SENTIMENTS[parts[2]]))
        if text.strip() and pairs:
            sentences.append((_clean(text), list(dict.fromkeys(pairs))))
    return sentences


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
    """(sentence, [(category, polarity), ...]) from MAMS, SemEval-14 restaurants, -16 laptops or
    Laptop-ACOS (``acos``), in file order; only polarities that are sentiments (no
    ``conflict``) are kept."""
    if source == "mams":
        return _aspect_xml(_file("benchmarks", "mams_acsa", f"{split}.xml"), "aspectCategory")
    if source == "semeval14":
        path = _file("signals", "semeval14_restaurants", "Restaurants_Train.xml")
        return _aspect_xml(path, "aspectCategory")
    if source == "semeval16":
        path = _file("signals", "semeval16_laptops", "ABSA16_Laptops_Train_SB1_v2.xml")
        return _aspect_xml(path, "Opinion")
    if source == "acos":
        return acos_sentences(split)
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
