"""The bundled benchmark datasets load with the counts their SOURCE notes give."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench import datasets
from bench.datasets import (
    Banking77Split,
    Clinc150Split,
    LabelledTexts,
    MamsSplit,
    few_shot,
    humanise_label,
)

MAMS_CATEGORIES = [
    "ambience",
    "food",
    "menu",
    "miscellaneous",
    "place",
    "price",
    "service",
    "staff",
]


def test_benchmarks_dir_is_in_the_repo_data() -> None:
    root = datasets.benchmarks_dir()
    assert root.parts[-2:] == ("data", "benchmarks")
    for name in ("banking77", "clinc150", "mams_acsa"):
        assert (root / name / "SOURCE.md").is_file(), name


# --- Banking77 -------------------------------------------------------------------------------


def test_banking77_labels() -> None:
    labels = datasets.banking77_labels()
    assert len(labels) == 77 == len(set(labels))
    assert labels[0] == "card_arrival"
    assert "reverted_card_payment?" in labels


@pytest.mark.parametrize(("split", "rows"), [("train", 10_003), ("test", 3_080)])
def test_banking77_counts(split: Banking77Split, rows: int) -> None:
    data = datasets.banking77(split)
    assert len(data.texts) == len(data.labels) == rows
    assert all(len(labels) == 1 for labels in data.labels)
    counts = Counter(labels[0] for labels in data.labels)
    assert set(counts) == set(datasets.banking77_labels())
    if split == "test":
        assert set(counts.values()) == {40}
    else:
        assert min(counts.values()) == 35
        assert max(counts.values()) == 187
    assert all(text and text == text.strip() for text in data.texts)


# --- CLINC150 --------------------------------------------------------------------------------


@pytest.mark.parametrize(("split", "per_intent"), [("train", 100), ("val", 20), ("test", 30)])
def test_clinc150_in_scope_counts(split: Clinc150Split, per_intent: int) -> None:
    data = datasets.clinc150(split)
    counts = Counter(labels[0] for labels in data.labels)
    assert sorted(counts) == datasets.clinc150_labels()
    assert set(counts.values()) == {per_intent}
    assert len(data.texts) == 150 * per_intent


@pytest.mark.parametrize(
    ("split", "rows"), [("oos_train", 100), ("oos_val", 100), ("oos_test", 1_000)]
)
def test_clinc150_oos_counts(split: Clinc150Split, rows: int) -> None:
    data = datasets.clinc150(split)
    assert len(data.texts) == rows
    assert all(labels == ["oos"] for labels in data.labels)


def test_clinc150_labels_are_150_sorted_in_scope_intents() -> None:
    labels = datasets.clinc150_labels()
    assert len(labels) == 150 == len(set(labels))
    assert labels == sorted(labels)
    assert "oos" not in labels


# --- MAMS-ACSA -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("split", "sentences", "pairs", "by_size"),
    [
        ("train", 3_149, 7_090, {2: 2_452, 3: 609, 4: 81, 5: 7}),
        ("val", 400, 888, {2: 322, 3: 69, 4: 8, 5: 1}),
    ],
)
def test_mams_counts(split: MamsSplit, sentences: int, pairs: int, by_size: dict[int, int]) -> None:
    data = datasets.mams(split)
    assert len(data.texts) == sentences
    assert all(text.strip() for text in data.texts)
    assert all(len(labels) >= 1 for labels in data.labels)
    assert all(len(labels) == len(set(labels)) for labels in data.labels)
    assert sum(len(labels) for labels in data.labels) == pairs
    assert dict(Counter(len(labels) for labels in data.labels)) == by_size
    assert {label for labels in data.labels for label in labels} <= set(MAMS_CATEGORIES)


def test_mams_labels() -> None:
    assert datasets.mams_labels() == MAMS_CATEGORIES


def test_mams_polarities_align_with_categories() -> None:
    data = datasets.mams("val")
    polarities = datasets.mams_polarities("val")
    assert len(polarities) == len(data.texts)
    for labels, pairs in zip(data.labels, polarities, strict=True):
        assert [category for category, _ in pairs] == labels
        assert {polarity for _, polarity in pairs} <= {"positive", "neutral", "negative"}
    assert polarities[0] == datasets.mams_polarities("val")[0]
    train = Counter(p for pairs in datasets.mams_polarities("train") for _, p in pairs)
    assert train == {"positive": 1_929, "neutral": 3_077, "negative": 2_084}


# --- Labels and sampling ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "words"),
    [
        ("card_payment_wrong_exchange_rate", "card payment wrong exchange rate"),
        ("Refund_not_showing_up", "refund not showing up"),
        ("reverted_card_payment?", "reverted card payment"),
        ("apple_pay_or_google_pay", "apple pay or google pay"),
        ("miscellaneous", "miscellaneous"),
    ],
)
def test_humanise_label(label: str, words: str) -> None:
    assert humanise_label(label) == words


def test_every_banking77_label_humanises_to_plain_words() -> None:
    for label in datasets.banking77_labels():
        words = humanise_label(label)
        assert words and words == words.strip() and "  " not in words
        assert all(part.isalnum() and part.islower() for part in words.split()), label


def test_few_shot_is_deterministic_and_balanced() -> None:
    train = datasets.banking77("train")
    first = few_shot(train, per_label=5, seed=13)
    assert first == few_shot(train, per_label=5, seed=13)
    assert first.texts != few_shot(train, per_label=5, seed=14).texts
    counts = Counter(labels[0] for labels in first.labels)
    assert len(counts) == 77 and set(counts.values()) == {5}
    assert set(first.texts) <= set(train.texts)
    # Labels keep their order of first appearance in the source data.
    order = list(dict.fromkeys(labels[0] for labels in train.labels))
    assert list(dict.fromkeys(labels[0] for labels in first.labels)) == order


def test_few_shot_keeps_each_text_with_its_label() -> None:
    data = LabelledTexts([f"t{i}" for i in range(12)], [[f"l{i % 3}"] for i in range(12)])
    sample = few_shot(data, per_label=2, seed=0)
    assert len(sample.texts) == 6
    for text, labels in zip(sample.texts, sample.labels, strict=True):
        assert labels == [f"l{int(text[1:]) % 3}"]


def test_few_shot_rejects_multi_label_data_and_short_labels() -> None:
    with pytest.raises(ValueError, match="single-label"):
        few_shot(datasets.mams("val"), per_label=1, seed=0)
    data = LabelledTexts(["a", "b", "c"], [["x"], ["x"], ["y"]])
    with pytest.raises(ValueError, match="fewer than 2"):
        few_shot(data, per_label=2, seed=0)


def test_missing_data_names_the_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STEPLENS_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="data/benchmarks/") as error:
        datasets.banking77("train")
    assert str(tmp_path / "benchmarks" / "banking77" / "train.csv") in str(error.value)
    with pytest.raises(FileNotFoundError, match="data/benchmarks/"):
        datasets.mams("val")
