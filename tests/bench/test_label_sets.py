"""The label-set journeys: they load, and each has exactly its data set's labels, described."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bench.datasets import banking77_labels, clinc150_labels, humanise_label
from pipeline.journey import load_journey
from pipeline.paths import data_dir


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
