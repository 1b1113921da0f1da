"""Trained step classifiers: few-shot and multi-label training, calibration, save and load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey, Step, load_journey
from steplens.pipeline.steps.base import StepClassifier, check_compatible, decide
from steplens.pipeline.steps.head_training import train_step_classifier
from steplens.pipeline.steps.trained import StepModelError, load_step_model

JOURNEY = Journey(
    name="mini_shop",
    steps=[Step(id="delivery"), Step(id="payment"), Step(id="returns")],
)

EXAMPLES = {
    "delivery": [
        "my parcel arrived a week late",
        "courier left the box in the rain",
        "delivery was quick, next day",
        "the package never showed up",
        "driver was rude and threw the parcel",
        "tracking says delivered but nothing came",
    ],
    "payment": [
        "my card got declined at payment",
        "charged twice for one order",
        "paypal payment failed again",
        "could not pay with apple pay",
        "the payment page took my money but errored",
        "bank transfer payment was accepted instantly",
    ],
    "returns": [
        "sending the item back was easy",
        "the return label would not print",
        "no drop-off point for returns near me",
        "exchange for a bigger size took ages",
        "returns portal keeps crashing",
        "they refused my return after 20 days",
    ],
}


def rows() -> tuple[list[str], list[str]]:
    texts = [text for step in EXAMPLES for text in EXAMPLES[step]]
    labels = [step for step in EXAMPLES for _ in EXAMPLES[step]]
    return texts, labels


@pytest.fixture(scope="module")
def trained(encoder: Any) -> Any:
    texts, labels = rows()
    return train_step_classifier(JOURNEY, texts, labels, encoder, seed=0)


def test_few_shot_training_classifies_new_texts(trained: Any, encoder: Any) -> None:
    classifier, report = trained
    assert isinstance(classifier, StepClassifier)
    assert not report.multi_label and report.texts == 18
    assert report.per_step == {"delivery": 6, "payment": 6, "returns": 6}
    assert report.background > 1000  # the background texts, as unassigned negatives
    assert 0.0 < classifier.threshold < 1.0
    assert report.held_out["held_out_texts"] > 0
    probabilities = classifier.predict_proba(
        encoder.encode(["the courier lost my parcel", "my visa card was refused"])
    )
    assert (probabilities.sum(axis=1) <= 1.0 + 1e-5).all()  # the rest is "no step"
    steps = [d.step for d in decide(probabilities, classifier.step_ids, classifier.threshold)]
    assert steps == ["delivery", "payment"]


def test_background_negatives_teach_a_head_to_leave_other_topics_unassigned(
    trained: Any, encoder: Any
) -> None:
    """A head trained only on its steps' texts puts every text on some step; with the
    background texts as negatives, chit-chat and other topics go to "no step"."""
    texts, labels = rows()
    without, report = train_step_classifier(
        JOURNEY, texts, labels, encoder, seed=0, background=False
    )
    assert report.background == 0
    off_topic = encoder.encode(
        ["lol who is watching the game tonight", "happy birthday to my little sister!!"]
    )
    plain = without.predict_proba(off_topic)
    assert np.allclose(plain.sum(axis=1), 1.0, atol=1e-5)
    with_background, _ = trained
    probabilities = with_background.predict_proba(off_topic)
    decided = decide(probabilities, with_background.step_ids, with_background.threshold)
    assert [d.step for d in decided] == ["unassigned", "unassigned"]
    assert (probabilities.max(axis=1) < plain.max(axis=1)).all()


def test_multi_label_examples_give_a_sigmoid_head(encoder: Any) -> None:
    texts, labels = rows()
    texts += ["returned it and the refund took a month to reach my card"] * 2
    labels += ["returns", "payment"]
    classifier, report = train_step_classifier(JOURNEY, texts, labels, encoder, seed=0)
    assert report.multi_label and classifier.multi_label
    assert "micro_f1" in report.held_out
    probabilities = classifier.predict_proba(encoder.encode(["parcel came late"]))
    assert probabilities.shape == (1, 3)
    assert not np.isclose(probabilities.sum(), 1.0)  # independent per step


def test_unassigned_examples_are_negatives(encoder: Any) -> None:
    texts, labels = rows()
    negatives = ["thanks", "n/a", "love you guys", "no comment", "hello there", "great"]
    classifier, report = train_step_classifier(
        JOURNEY, texts + negatives, labels + ["unassigned"] * len(negatives), encoder
    )
    assert report.negatives == 6
    assert classifier.weight.shape[0] == 4  # three steps plus a "no step" class
    probabilities = classifier.predict_proba(encoder.encode(["no comment, thanks"]))
    assert probabilities.shape == (1, 3) and probabilities.sum() < 0.9


def test_unknown_labels_are_listed(encoder: Any) -> None:
    texts, labels = rows()
    labels[0] = "shipping"
    labels[1] = "shipping"
    with pytest.raises(SteplensError, match=r"'shipping' \(2 rows\).*delivery, payment, returns"):
        train_step_classifier(JOURNEY, texts, labels, encoder)


def test_a_step_with_one_example_is_named(encoder: Any, caplog: Any) -> None:
    texts, labels = rows()
    keep = [i for i, label in enumerate(labels) if label != "returns"] + [labels.index("returns")]
    _, report = train_step_classifier(
        JOURNEY, [texts[i] for i in keep], [labels[i] for i in keep], encoder
    )
    assert any("returns" in warning and "only one" in warning for warning in report.warnings)


def test_save_and_load_round_trip(trained: Any, tmp_path: Path, encoder: Any) -> None:
    classifier, report = trained
    folder = classifier.save(tmp_path / "model", report)
    assert {p.name for p in folder.iterdir()} == {
        "config.json",
        "head.safetensors",
        "journey.yaml",
        "README.md",
    }
    config = json.loads((folder / "config.json").read_text())
    assert config["journey"]["steps"] == JOURNEY.step_ids
    assert config["encoder"]["name"] == encoder.name
    loaded = load_step_model(folder, journey=JOURNEY, encoder_name=encoder.name)
    vectors = encoder.encode(["my parcel is lost"])
    assert np.allclose(loaded.predict_proba(vectors), classifier.predict_proba(vectors))
    assert loaded.threshold == classifier.threshold
    assert load_step_model(folder).journey.name == "mini_shop"


def test_mismatched_journey_or_encoder_is_refused(trained: Any, tmp_path: Path) -> None:
    classifier, report = trained
    folder = classifier.save(tmp_path / "model", report)
    with pytest.raises(StepModelError, match="steps only in the journey: account"):
        load_step_model(folder, journey=load_journey("ecommerce"))
    with pytest.raises(StepModelError, match="trained on encoder"):
        load_step_model(folder, encoder_name="another/encoder")
    with pytest.raises(SteplensError, match="does not match journey 'ecommerce'"):
        check_compatible(classifier, load_journey("ecommerce"), 384)


def test_corrupt_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StepModelError, match=r"no config\.json"):
        load_step_model(tmp_path)
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(StepModelError, match="not valid JSON"):
        load_step_model(tmp_path)


def test_one_example_per_step_is_a_clean_error(encoder: Any) -> None:
    from steplens.pipeline.errors import SteplensError
    from steplens.pipeline.steps.head_training import train_step_classifier

    with pytest.raises(SteplensError, match="every label has a single example"):
        train_step_classifier(JOURNEY, ["a", "b"], JOURNEY.step_ids[:2], encoder)
