"""Zero-shot step classification from a journey's names, descriptions and examples."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from steplens.pipeline.journey import Journey, Step, load_journey
from steplens.pipeline.steps.base import StepClassifier, decide
from steplens.pipeline.steps.zero_shot import (
    Calibration,
    ZeroShotStepClassifier,
    build_prototypes,
    calibration_features,
    description_phrases,
    journey_level,
    step_scores,
)


@pytest.fixture(scope="module")
def ecommerce_zero_shot(encoder: Any) -> ZeroShotStepClassifier:
    return ZeroShotStepClassifier(load_journey("ecommerce"), encoder)


def test_prototypes_are_kept_separate_per_step() -> None:
    journey = load_journey("ecommerce")
    prototypes = build_prototypes(journey)
    checkout = [p for p in prototypes if journey.steps[p.step_index].id == "checkout"]
    kinds = {p.kind for p in checkout}
    assert kinds == {"name", "template", "description", "phrase", "example"}
    step = journey.step("checkout")
    phrases = description_phrases(step.description)
    assert len(checkout) == 3 + len(phrases) + len(step.examples)
    assert {p.text for p in checkout if p.kind == "phrase"} == {
        f"{step.name}: {phrase}" for phrase in phrases
    }


def test_description_phrases_split_what_a_step_covers_and_drop_what_it_does_not() -> None:
    description = (
        "Checked and carry-on bags, baggage fees; lost, delayed or damaged luggage. "
        "Not the seats on board."
    )
    assert description_phrases(description) == [
        "Checked",
        "carry-on bags",
        "baggage fees",
        "lost",
        "delayed",
        "damaged luggage",
    ]
    assert description_phrases("No refunds. 5, 6") == []


def test_a_one_phrase_description_adds_no_phrase_prototype() -> None:
    journey = Journey(
        name="tiny",
        steps=(Step(id="wait", name="Waiting", description="Waiting for the parcel"),),
    )
    assert [p.kind for p in build_prototypes(journey)] == ["name", "template", "description"]


def test_step_scores_average_the_three_best_prototypes() -> None:
    similarities = np.array([[0.9, 0.5, 0.4, 0.1, 0.1, 0.3]], dtype=np.float32)
    step_of = np.array([0, 0, 0, 0, 1, 1])
    assert step_scores(similarities, step_of, 2).tolist() == [pytest.approx([0.6, 0.2])]
    held_out = np.array([[-1.0, 0.5, 0.4, 0.1, 0.1, 0.3]], dtype=np.float32)
    assert step_scores(held_out, step_of, 2)[0, 0] == pytest.approx((0.5 + 0.4 + 0.1) / 3)
    one_left = np.array([[-1.0, -1.0, -1.0, 0.2, 0.1, 0.3]], dtype=np.float32)
    assert step_scores(one_left, step_of, 2)[0, 0] == pytest.approx(0.2)


def test_calibration_features_give_shortfall_from_the_best_step() -> None:
    features = calibration_features(np.array([[0.8, 0.5, 0.2]], dtype=np.float32))
    assert features[0, :, 0].tolist() == pytest.approx([0.8, 0.5, 0.2])
    assert features[0, :, 1].tolist() == pytest.approx([0.0, -0.3, -0.6])


def test_a_best_step_is_assigned_exactly_when_it_beats_the_background_level() -> None:
    """Whatever the weights, the threshold is the probability of a best step at the level."""
    calibration = Calibration(weights=(9.0, 12.0), bias=-1.5, source="test", examples=0, level=0.3)
    scores = np.array([[0.31, 0.1], [0.29, 0.1], [0.31, 0.305]], dtype=np.float32)
    probabilities = calibration.apply(calibration_features(scores))
    assert (probabilities.max(axis=1) >= calibration.threshold).tolist() == [True, False, True]
    assert probabilities[2, 1] < calibration.threshold  # a close second is not a best step


def test_the_background_level_follows_each_journeys_scale(encoder: Any) -> None:
    """Names alone score lower against any text than names with descriptions and examples, and
    the level moves with them; it sits above what most chatter and random tweets reach."""
    journey = load_journey("ecommerce")
    names_only = journey_level(journey, encoder, ["name"])
    everything = journey_level(journey, encoder)
    assert names_only != pytest.approx(everything, abs=0.01)
    assert 0.1 < everything < 0.6


def test_classifies_clear_clauses_of_the_ecommerce_journey(
    ecommerce_zero_shot: ZeroShotStepClassifier, encoder: Any
) -> None:
    assert isinstance(ecommerce_zero_shot, StepClassifier)
    cases = {
        "the parcel turned up a week late and the box was crushed": "delivery",
        "I couldn't apply my discount code when placing the order": "checkout",
        "my card was declined three times even though it has money on it": "payment",
        "still waiting for my money back after sending the item back": "refunds",
        "the jumper shrank after one wash, poor quality": "product_experience",
        "forgot my password and the reset email never came": "account",
    }
    vectors = encoder.encode(list(cases))
    probabilities = ecommerce_zero_shot.predict_proba(vectors)
    assert probabilities.shape == (len(cases), 12)
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    decisions = decide(probabilities, ecommerce_zero_shot.step_ids, ecommerce_zero_shot.threshold)
    assert [d.step for d in decisions] == list(cases.values())


def test_off_topic_text_is_unassigned(
    ecommerce_zero_shot: ZeroShotStepClassifier, encoder: Any
) -> None:
    texts = ["what a lovely sunny day for a picnic", "my favourite band is playing tonight"]
    probabilities = ecommerce_zero_shot.predict_proba(encoder.encode(texts))
    decisions = decide(probabilities, ecommerce_zero_shot.step_ids, ecommerce_zero_shot.threshold)
    assert [d.step for d in decisions] == ["unassigned", "unassigned"]
    assert all(0 < d.confidence <= 1 for d in decisions)


def test_calibration_is_fitted_on_the_journey_and_recorded(
    ecommerce_zero_shot: ZeroShotStepClassifier,
) -> None:
    described = ecommerce_zero_shot.describe()
    assert "leave-one-out" in described["calibration"]["source"]
    assert 0.0 < described["threshold"] < 1.0
    assert described["calibration"]["weights"][0] > 0  # higher similarity, higher probability


def test_names_only_journey_is_calibrated_on_bundled_journeys(encoder: Any) -> None:
    journey = Journey(
        name="names_only",
        steps=[Step(id="delivery"), Step(id="refunds"), Step(id="login")],
    )
    classifier = ZeroShotStepClassifier(journey, encoder)
    assert "bundled journeys" in classifier.calibration.source
    probabilities = classifier.predict_proba(encoder.encode(["where is my parcel"]))
    assert classifier.step_ids[int(probabilities.argmax())] == "delivery"


def test_empty_batch(ecommerce_zero_shot: ZeroShotStepClassifier) -> None:
    assert ecommerce_zero_shot.predict_proba(np.zeros((0, 384), np.float32)).shape == (0, 12)


def test_calibration_fit_matches_scikit_learn() -> None:
    from sklearn.linear_model import LogisticRegression

    from steplens.pipeline.errors import SteplensError
    from steplens.pipeline.steps.zero_shot import CALIBRATION_C, fit_logistic

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 2)).astype(np.float32)
    y = (x @ np.array([2.0, -1.0]) + 0.3 + rng.normal(size=2000)) > 0
    reference = LogisticRegression(C=CALIBRATION_C, max_iter=1000).fit(x, y.astype(int))
    weights, bias = fit_logistic(x, y, c=CALIBRATION_C)
    assert weights == pytest.approx(reference.coef_[0], rel=1e-3)
    assert bias == pytest.approx(reference.intercept_[0], rel=1e-3)
    with pytest.raises(SteplensError, match="both"):
        fit_logistic(x, np.zeros(len(x), dtype=bool), c=1.0)
