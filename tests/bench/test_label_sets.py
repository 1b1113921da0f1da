"""The label-set journeys: they load, and each has exactly its data set's labels, described."""

from __future__ import annotations

import csv
from collections.abc import Callable

import pytest

from bench.datasets import (
    OFF_TOPIC,
    banking77_labels,
    clinc150_labels,
    complaint_domains,
    humanise_label,
    laptop_reviews,
    laptop_step,
    mams,
    travel_tweets,
)
from steplens.pipeline.journey import load_journey
from steplens.pipeline.paths import data_dir


@pytest.mark.parametrize(
    ("name", "labels"), [("banking77", banking77_labels), ("clinc150", clinc150_labels)]
)
def test_a_label_set_journey_has_every_label_once_with_a_description(
    name: str, labels: Callable[[], list[str]]
) -> None:
    journey = load_journey(data_dir() / "label_sets" / f"{name}.yaml")
    ids = [step.id for step in journey.steps]
    # ids are the labels as steplens ids (bench_steps.journey_for(..., ids_from_names=True))
    assert sorted(ids) == sorted(humanise_label(label).replace(" ", "_") for label in labels())
    for step in journey.steps:
        assert step.name and len(step.description.split()) >= 8, step.id
        assert not step.examples, step.id  # names and descriptions only: no benchmark wording


@pytest.mark.parametrize(
    ("name", "labelled"),
    [
        ("laptop_reviews", lambda: laptop_reviews("dev").labels + laptop_reviews("train").labels),
        ("complaint_domains", lambda: complaint_domains().labels),
        ("restaurant_aspects", lambda: mams("val").labels),
        ("travel_tweets", lambda: travel_tweets().labels),
    ],
)
def test_a_real_text_label_set_covers_exactly_its_data_steps(
    name: str, labelled: Callable[[], list[list[str]]]
) -> None:
    """The real-text development sets (bench.bench_real_steps): every step of the journey
    occurs in the data, and every label of the data is a step (or off-topic)."""
    journey = load_journey(data_dir() / "label_sets" / f"{name}.yaml")
    seen = {label for labels in labelled() for label in labels} - {OFF_TOPIC}
    assert seen == set(journey.step_ids)
    for step in journey.steps:
        assert step.name and len(step.description.split()) >= 8, step.id
        assert not step.examples, step.id


def test_laptop_categories_map_to_steps() -> None:
    assert laptop_step("LAPTOP#PRICE") == "price"
    assert laptop_step("SUPPORT#QUALITY") == "support"
    assert laptop_step("FANS&COOLING#GENERAL") == "fans_cooling"
    assert laptop_step("WARRANTY#GENERAL") is None


def test_travel_tweets_keep_the_tweets_both_annotators_agree_on() -> None:
    """Two independent annotations; a disagreement is left out, never settled by one of them."""
    path = data_dir() / "label_sets" / "travel_tweets_labels.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    agreed = sum(row["annotator_a"] == row["annotator_b"] for row in rows)
    data = travel_tweets()
    assert len(rows) == 247
    assert len(data) == len(data.labels) == agreed
    assert all(len(labels) == 1 for labels in data.labels)
