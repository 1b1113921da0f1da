"""The comment-level step decision (steplens.pipeline.steps.comment) and its use by the tagger."""

from __future__ import annotations

import numpy as np
import pytest

from bench.checklist import CHECKLIST_JOURNEY, checklist_journey
from steplens.pipeline.journey import Journey
from steplens.pipeline.minilm import base_encoder
from steplens.pipeline.segment import Segment
from steplens.pipeline.steps.base import decide
from steplens.pipeline.steps.comment import CommentRule, decide_comment
from steplens.pipeline.steps.zero_shot import calibrate_for
from steplens.pipeline.tagger import Tagger, build_tagger

RULE = CommentRule(threshold=0.3)


def probs(*rows: list[float]) -> np.ndarray:
    return np.asarray(rows, dtype=np.float32)


def test_agreeing_clauses_give_one_step_and_need_no_whole_text() -> None:
    clauses = probs([0.8, 0.1, 0.0], [0.4, 0.2, 0.1])
    assert not RULE.needs_whole_text(clauses, words=12)
    decided = decide_comment(RULE, clauses, None)
    assert decided.main == 0 and decided.confidence == pytest.approx(0.8)
    assert decided.steps == [(0, pytest.approx(0.8))]


def test_the_whole_text_decides_when_clauses_disagree() -> None:
    """'I ordered a card but it has not arrived. Help please!': the first clause reads as
    ordering (0.9), the whole comment as delivery (0.7); ordering does not beat delivery by the
    margin in its clause, so only delivery is listed and the clause follows the comment."""
    clauses = probs([0.9, 0.75, 0.0], [0.1, 0.35, 0.0])
    assert RULE.needs_whole_text(clauses, words=11)
    decided = decide_comment(RULE, clauses, probs([0.4, 0.7, 0.0])[0])
    assert decided.main == 1
    assert [step for step, _ in decided.steps] == [1]
    assert decided.clause_steps == [1, 1]


def test_a_clause_that_clearly_speaks_of_another_step_adds_it() -> None:
    clauses = probs([0.9, 0.05, 0.0], [0.05, 0.85, 0.0])
    decided = decide_comment(RULE, clauses, probs([0.6, 0.5, 0.0])[0])
    assert decided.main == 0
    assert [step for step, _ in decided.steps] == [0, 1]
    assert decided.clause_steps == [0, 1]


def test_a_weak_second_clause_adds_nothing() -> None:
    """0.45 is above the threshold but below 'more likely than not': not a second step."""
    clauses = probs([0.9, 0.05, 0.0], [0.05, 0.45, 0.0])
    decided = decide_comment(RULE, clauses, probs([0.7, 0.2, 0.0])[0])
    assert [step for step, _ in decided.steps] == [0]
    assert decided.clause_steps == [0, 0]


def test_a_diluted_whole_text_still_takes_a_clear_clause() -> None:
    clauses = probs([0.02, 0.0, 0.0], [0.0, 0.8, 0.1])
    decided = decide_comment(RULE, clauses, probs([0.1, 0.25, 0.0])[0])
    assert decided.main == 1 and decided.clause_steps == [None, 1]


def test_a_step_from_the_whole_text_alone_is_carried_by_the_clause_most_like_it() -> None:
    clauses = probs([0.1, 0.2, 0.0], [0.05, 0.25, 0.0])
    decided = decide_comment(RULE, clauses, probs([0.1, 0.6, 0.0])[0])
    assert decided.main == 1 and decided.clause_steps == [None, 1]


def test_nothing_clear_is_unassigned_with_the_chance_no_step_fits() -> None:
    clauses = probs([0.2, 0.1, 0.0], [0.0, 0.25, 0.0])
    decided = decide_comment(RULE, clauses, probs([0.15, 0.2, 0.0])[0])
    assert decided.main is None and decided.steps == []
    assert decided.confidence == pytest.approx(0.75)


def test_long_comments_are_not_read_again() -> None:
    clauses = probs([0.9, 0.0], [0.0, 0.9])
    assert not RULE.needs_whole_text(clauses, words=RULE.whole_text_words + 1)


def test_the_second_step_cut_never_falls_below_the_threshold() -> None:
    assert CommentRule(threshold=0.7).second_step_cut == 0.7
    assert CommentRule(threshold=0.1).second_step_cut == 0.5
    assert CommentRule(threshold=0.3).describe()["second_step_probability"] == 0.5


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return build_tagger(checklist_journey(), signals=False, precision="fp32")


def test_tagger_clauses_agree_with_the_comment_steps(tagger: Tagger) -> None:
    texts = [
        "The courier was 40 minutes late. Also the app crashed twice at checkout.",
        "My food arrived cold. It was also squashed. Thanks anyway!",
        "I love this app, the menu is easy to browse and the driver was friendly",
    ]
    for result in tagger.tag(texts):
        listed = {step for step, _ in result.steps}
        clause_steps = {t.decision.step for t in result.segments} - {"unassigned"}
        assert clause_steps <= listed
        assert listed <= clause_steps  # every listed step is carried by a clause
        assert result.step == (result.steps[0][0] if result.steps else "unassigned")


def test_an_unassigned_comment_has_no_assigned_clauses(tagger: Tagger) -> None:
    """Clauses above the threshold but below the second-step cut, each for another step, and a
    whole text below the threshold: the comment is unassigned, and so are its clauses."""
    threshold = tagger.classifier.threshold
    clauses = np.zeros((2, len(tagger.classifier.step_ids)), dtype=np.float32)
    clauses[0, 0], clauses[1, 1] = threshold + 0.05, threshold + 0.1
    whole = np.full(len(tagger.classifier.step_ids), threshold / 2, dtype=np.float32)
    decided = decide_comment(tagger.comment_rule, clauses, whole)
    assert decided.main is None
    segments = [Segment("the app was slow", 0, 16), Segment("the pizza was ok", 18, 34)]
    own = decide(clauses, tagger.classifier.step_ids, threshold)
    assert {d.step for d in own} != {"unassigned"}  # each clause alone is assigned
    result = tagger._summarise(segments, own, decided)
    assert result.step == "unassigned" and result.steps == []
    assert {t.decision.step for t in result.segments} == {"unassigned"}


def test_the_cutoffs_line_says_where_the_threshold_came_from(tagger: Tagger) -> None:
    assert "calibrated on bundled journeys" in tagger.cutoffs_line()
    assert "threshold set by --threshold" in tagger.cutoffs_line(threshold_overridden=True)


def test_tagger_describes_its_comment_rule(tagger: Tagger) -> None:
    rule = tagger.describe()["comment_rule"]
    assert rule["unassigned_threshold"] == pytest.approx(tagger.classifier.threshold, abs=1e-4)
    assert rule["second_step_probability"] >= rule["unassigned_threshold"]


def new_user_journey() -> Journey:
    """A 7-step journey with 3 examples per step, as a new user's first file: its own
    calibration once set the unassigned cut to 0.08, and comments listed 31 wrong steps."""
    steps = [
        {**step, "examples": [*step["examples"], extra]}
        for step, extra in zip(
            CHECKLIST_JOURNEY["steps"],
            [
                "couldn't find the search bar",
                "apple pay failed",
                "portion was tiny",
                "order left at the wrong door",
                "chat agent never replied",
                "still waiting for my refund",
            ],
            strict=True,
        )
    ]
    steps.append(
        {
            "id": "tracking",
            "name": "Order tracking",
            "description": "Following the order on the map and the estimated arrival time.",
            "examples": [
                "the map showed the driver going the wrong way",
                "ETA kept changing",
                "tracking froze",
            ],
        }
    )
    return Journey.model_validate({**CHECKLIST_JOURNEY, "name": "new_user", "steps": steps})


def test_a_small_journey_is_cut_at_its_background_level_not_at_its_examples() -> None:
    """The unassigned cut no longer comes from a handful of clean examples: a text is assigned
    when its best step beats the background level (random tweets and chatter), so chatter stays
    unassigned and a clear complaint about one step is assigned to it."""
    journey = new_user_journey()
    tagger = build_tagger(journey, threshold=None)
    assert tagger.classifier.calibration.source == "journey 'new_user' (leave-one-out)"
    results = tagger.tag(
        [
            "lol what a game last night",
            "thanks",
            "the courier left my food at the neighbours and drove off",
            "the ETA on the map jumped from 10 to 45 minutes",
        ]
    )
    assert [r.step for r in results] == ["unassigned", "unassigned", "delivery", "tracking"]
    assert all(len(r.steps) <= 1 for r in results)


def test_a_journey_whose_steps_overlap_is_warned_and_calibrated_on_the_bundled_journeys(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Examples filed under the wrong steps (each step's examples belong to the next step):
    held out, most are read as another step, so the journey's own weights are not trusted and
    the warning names the steps to fix."""
    journey = new_user_journey()
    shifted = [
        step.model_copy(update={"examples": journey.steps[(i + 1) % len(journey.steps)].examples})
        for i, step in enumerate(journey.steps)
    ]
    overlapping = journey.model_copy(update={"name": "overlapping", "steps": tuple(shifted)})
    with caplog.at_level("WARNING"):
        calibration = calibrate_for(overlapping, base_encoder("fp32"))
    assert calibration.source.startswith("bundled journeys")
    assert "own calibration rejected" in calibration.source
    assert "its steps overlap" in caplog.text and "first to" in caplog.text
    assert calibration.level > 0


def test_bundled_journeys_keep_their_own_calibration() -> None:
    from steplens.pipeline.journey import bundled_journey_paths, load_journey

    for path in bundled_journey_paths().values():
        journey = load_journey(path)
        assert calibrate_for(journey, base_encoder("fp32")).source.startswith("journey")
