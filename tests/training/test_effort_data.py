"""The effort data set's rounds: later rounds add training texts and never move the test split."""

from __future__ import annotations

from collections import Counter

from steplens.pipeline.paths import data_dir
from steplens.training.effort_labels import read_labels, read_rows
from steplens.training.effort_pool import ROUND_QUOTAS, effort_by_round, read, round_of, round_sizes
from steplens.training.signals_data import effort


def test_every_pooled_text_has_a_valid_first_pass_label() -> None:
    pool = read(data_dir() / "effort" / "pool.csv")
    labels = read_labels("labels_pass1.csv")
    assert [row["id"] for row in pool] == list(labels)
    assert len(pool) == sum(round_sizes())


def test_later_rounds_are_training_texts_only() -> None:
    pool = read(data_dir() / "effort" / "pool.csv")
    rounds = round_of(pool)
    assert Counter(rounds) == {n + 1: size for n, size in enumerate(round_sizes())}
    later = [row for row, r in zip(pool, rounds, strict=True) if r > 1]
    assert later and all(row["split"] == "train" for row in later)
    # Rounds two and three had no second pass; round four has its own 20%.
    assert all(row["double"] == "0" for row, r in zip(pool, rounds, strict=True) if r in (2, 3))
    fourth = [row for row, r in zip(pool, rounds, strict=True) if r == 4]
    assert sum(row["double"] == "1" for row in fourth) == round(len(fourth) * 0.2)
    test_texts = {row["text"].lower() for row in pool if row["split"] == "test"}
    assert not test_texts & {row["text"].lower() for row in pool if row["split"] == "train"}
    assert set(ROUND_QUOTAS) == set(range(2, len(round_sizes()) + 1))


def test_effort_by_round_partitions_the_split() -> None:
    for split in ("train", "test"):
        grouped = effort_by_round(split)
        assert sum(len(v) for v in grouped.values()) == len(effort(split))
    assert set(effort_by_round("test")) == {1}
    built = read_rows("effort.csv")
    assert Counter(r["split"] for r in built)["test"] == 332


def test_agreement_is_per_round() -> None:
    from steplens.training.effort_labels import agreement

    assert agreement(1).texts == 332  # the sample the benchmarks quote, unchanged
    fourth = agreement(4)
    assert fourth.texts == 158 and fourth.cohen_kappa > 0.6
