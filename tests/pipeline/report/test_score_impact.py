"""Survey-score impact per step: NPS read as NPS, other scores as means, bad rows counted."""

from __future__ import annotations

from typing import Any

import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.journey import Journey, Step
from steplens.pipeline.records import FeedbackRecord
from steplens.pipeline.report.score_impact import score_impacts

JOURNEY = Journey(name="mini", steps=[Step(id="checkout"), Step(id="delivery"), Step(id="returns")])


def record(score: object, *steps: str, column: str = "nps") -> FeedbackRecord:
    row = {column: score, "steps": [{"step": step} for step in steps]}
    return FeedbackRecord.from_row(row)


def test_a_mean_score_and_its_impact_with_unusable_rows_named() -> None:
    records = [
        record(2, "delivery", column="csat"),
        record(4, "delivery", "checkout", column="csat"),
        record(9, "checkout", column="csat"),
        record(10, column="csat"),
        record("", "delivery", column="csat"),  # no score: left out, not read as 0
        record("n/a", "returns", column="csat"),
    ]
    summary = score_impacts(records, JOURNEY, "csat")
    assert summary.kind == "mean" and summary.unit == "mean csat"
    assert (summary.scored, summary.skipped, summary.skipped_rows) == (4, 2, [5, 6])
    assert summary.overall == pytest.approx(25 / 4)
    by_step = {impact.step: impact for impact in summary.steps}
    delivery = by_step["delivery"]
    assert delivery.scored_comments == 2 and delivery.value == pytest.approx(3.0)
    assert delivery.impact == pytest.approx(25 / 4 - (9 + 10) / 2)  # drags the score down
    assert delivery.interval is not None and delivery.interval[0] < 3.0 < delivery.interval[1]
    assert by_step["checkout"].impact == pytest.approx(25 / 4 - (2 + 10) / 2)
    returns = by_step["returns"]
    assert returns.scored_comments == 0 and returns.value is None and returns.impact is None
    assert "data rows 5, 6" in summary.describe()


def test_nps_is_promoters_minus_detractors_with_impact_in_points() -> None:
    # 10 comments: 5 promoters (9-10), 2 passives (7-8), 3 detractors (0-6) -> NPS 20
    scores = [10, 9, 9, 10, 9, 7, 8, 0, 3, 6]
    steps = ["checkout"] * 3 + ["delivery"] * 7
    records = [record(s, step) for s, step in zip(scores, steps, strict=True)]
    summary = score_impacts(records, JOURNEY, "nps")
    assert summary.kind == "nps" and "NPS" in summary.describe()
    assert summary.overall == pytest.approx(20.0)
    low, high = summary.overall_interval or (0, 0)
    assert -100 <= low < 20 < high <= 100
    by_step = {impact.step: impact for impact in summary.steps}
    assert by_step["checkout"].value == pytest.approx(100.0)  # 3 promoters
    delivery_nps = (2 - 3) / 7 * 100  # 2 promoters, 3 detractors of 7
    assert by_step["delivery"].value == pytest.approx(delivery_nps)
    assert by_step["delivery"].impact == pytest.approx(20.0 - 100.0)
    assert by_step["checkout"].impact == pytest.approx(20.0 - delivery_nps)


def test_auto_reads_nps_only_when_named_so_and_0_to_10() -> None:
    named = [record(s, "checkout", column="NPS score") for s in (0, 10, 7)]
    assert score_impacts(named, JOURNEY, "NPS score").kind == "nps"
    out_of_range = [record(s, "checkout", column="nps") for s in (0, 10, 7.5)]
    assert score_impacts(out_of_range, JOURNEY, "nps").kind == "mean"
    other = [record(s, "checkout", column="rating") for s in (0, 10, 7)]
    summary = score_impacts(other, JOURNEY, "rating")
    assert summary.kind == "mean" and "--score-type nps" in summary.describe()
    forced = score_impacts(
        [record(s, "checkout", column="rating") for s in (9, 10, 11)], JOURNEY, "rating", "nps"
    )
    assert forced.kind == "nps" and forced.skipped == 1 and forced.skipped_rows == [3]


def test_a_column_with_no_numbers_is_refused() -> None:
    records = [record("web", "checkout", column="channel"), record("app", column="channel")]
    with pytest.raises(SteplensError, match="score column 'channel' holds no numbers in 2 rows"):
        score_impacts(records, JOURNEY, "channel")


def test_a_step_every_comment_mentions_has_no_impact_to_compare() -> None:
    summary = score_impacts(
        [record(5, "checkout", column="ces"), record(7, "checkout", column="ces")], JOURNEY, "ces"
    )
    checkout = summary.steps[0]
    assert checkout.value == pytest.approx(6.0) and checkout.impact is None


@pytest.mark.parametrize(
    ("label", "number"),
    [
        ("10 - Extremely likely", 10.0),
        ("0 - Not at all likely", 0.0),
        ("4 (Satisfied)", 4.0),
        ("9:Likely", 9.0),
        ("3.5/5", 3.5),
        ("Very satisfied", None),  # words alone need a mapping (issue 26)
        ("2021-03-04", None),  # a date is not a score
        ("11/04/2018 20:09", None),
    ],
)
def test_a_score_label_is_read_by_its_leading_number(label: str, number: float | None) -> None:
    from steplens.pipeline.report.score_impact import score_from_label

    assert score_from_label(label) == number


def test_exported_nps_labels_are_read_as_nps_and_counted() -> None:
    labels = ["10 - Extremely likely", "9", "0 - Not at all likely", "Not sure"]
    records = [record(label, "checkout") for label in labels]
    summary = score_impacts(records, JOURNEY, "nps")
    assert summary.kind == "nps" and summary.scored == 3 and summary.labelled == 2
    assert summary.skipped == 1 and summary.skipped_rows == [4]
    assert summary.overall == pytest.approx(100 * (2 - 1) / 3)
    assert "2 read from labels" in summary.describe()


def test_text_answers_are_read_through_a_score_map(tmp_path: Any) -> None:
    from steplens.pipeline.report.score_impact import load_score_map

    path = tmp_path / "csat.yaml"
    path.write_text("Very satisfied: 5\nSatisfied: 4\nDissatisfied: 2\n", encoding="utf-8")
    answers = ["Very satisfied", "very  SATISFIED", "Dissatisfied", "4 (Satisfied)", "Meh", "Meh"]
    records = [record(answer, "checkout", column="csat") for answer in answers]
    summary = score_impacts(records, JOURNEY, "csat", score_map=load_score_map(path))
    assert (summary.mapped, summary.labelled, summary.skipped) == (3, 1, 2)
    assert summary.overall == pytest.approx((5 + 5 + 2 + 4) / 4)
    assert summary.unmapped == ("Meh",) and "--score-map" in summary.describe()
    help_desk = tmp_path / "zendesk.json"
    help_desk.write_text('{"Good": 1, "Bad": 0, "Offered": null}', encoding="utf-8")
    answers = ["Good", "Offered", "Bad", "Good", "Unoffered"]
    records = [record(answer, "checkout", column="rating") for answer in answers]
    summary = score_impacts(records, JOURNEY, "rating", score_map=load_score_map(help_desk))
    assert (summary.mapped, summary.no_score, summary.skipped) == (3, 1, 2)
    assert summary.overall == pytest.approx(2 / 3) and summary.unmapped == ("Unoffered",)
    assert "1 that the score map marks as no score" in summary.describe()
    bad = tmp_path / "bad.yaml"
    bad.write_text("Very satisfied: lots\n", encoding="utf-8")
    with pytest.raises(SteplensError, match="map to no number"):
        load_score_map(bad)
    with pytest.raises(SteplensError, match="map to no number"):  # a library caller's dict
        score_impacts(records, JOURNEY, "rating", score_map={"Good": "lots"})
    assert score_impacts(records, JOURNEY, "rating", score_map={"Good": "1"}).mapped == 2
    with pytest.raises(SteplensError, match="two different scores"):
        score_impacts(records, JOURNEY, "rating", score_map={"Good": 1, "good ": 2})
