"""Self-training on the corpus (pipeline.steps.adapt): which comments become pseudo-labels."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import load_journey
from steplens.pipeline.minilm import base_encoder
from steplens.pipeline.steps.adapt import _labelled_views, adapted_directory, pseudo_labels
from steplens.pipeline.steps.zero_shot import ZeroShotStepClassifier


def test_pseudo_labels_are_each_steps_surest_comments_above_the_background_level() -> None:
    encoder = base_encoder("fp32")
    journey = load_journey("ecommerce")
    classifier = ZeroShotStepClassifier(journey, encoder)
    texts = [
        "the parcel arrived a week late",
        "the courier left my parcel in the rain",
        "delivery took ages and the box was crushed",
        "my card was declined at payment",
        "lol what a game last night",
        "happy birthday to my sister",
    ]
    chosen = pseudo_labels(classifier, texts, encoder.encode(texts), per_step=2)
    assert set(chosen.per_step) == set(journey.step_ids)
    assert chosen.per_step["delivery"] == 2  # the cap: two of the three delivery comments
    assert chosen.labels.count("delivery") == 2 and "payment" in chosen.labels
    picked = dict(zip(chosen.texts, chosen.labels, strict=True))
    assert picked["my card was declined at payment"] == "payment"
    assert "lol what a game last night" not in picked  # below the background level
    assert "happy birthday to my sister" not in picked


def test_the_adapted_head_lives_beside_the_output() -> None:
    assert adapted_directory(Path("out/tagged.csv")) == Path("out/tagged.csv.adapted")


def test_labels_are_checked_before_adapting_and_conflicts_left_out(caplog: Any) -> None:
    journey = load_journey("ecommerce")
    labelled = [
        ("@shop my parcel never came", "delivery"),
        ("my parcel never came @courier", "delivery"),  # the same step view, the same label
        ("@shop refund please", "refunds"),
        ("refund please", "payment"),  # the same step view, another label: which is right?
        ("   ", "delivery"),  # no text
        ("thanks!", "unassigned"),
    ]
    with caplog.at_level(logging.WARNING):
        gold = _labelled_views(journey, labelled)
    assert gold == {"my parcel never came": "delivery", "thanks!": "unassigned"}
    assert "1 labelled texts carry two or more different labels" in caplog.text
    with pytest.raises(SteplensError, match="not steps of journey 'ecommerce': 'shipping'"):
        _labelled_views(journey, [("late again", "shipping")])
