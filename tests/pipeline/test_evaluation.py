"""steplens.pipeline.evaluation: labelled files read strictly, and numbers that are tag's own."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.evaluation import evaluate, read_labelled, wilson_interval
from steplens.pipeline.journey import UNASSIGNED, load_journey
from steplens.pipeline.paths import samples_dir
from steplens.pipeline.steps.comment import CommentRule
from steplens.pipeline.tagger import Tagger, build_tagger

ECOMMERCE = load_journey("ecommerce")


@pytest.fixture(scope="module")
def steps_tagger(encoder: Any) -> Tagger:
    return build_tagger(ECOMMERCE, signals=False)


def sample_texts(limit: int) -> list[str]:
    with (samples_dir() / "ecommerce_feedback.csv").open(encoding="utf-8", newline="") as handle:
        return [row["text"] for row in csv.DictReader(handle) if row["text"].strip()][:limit]


def test_replayed_evidence_lists_exactly_the_steps_tag_lists(steps_tagger: Tagger) -> None:
    texts = sample_texts(160)
    tagged = steps_tagger.tag(texts)
    rule = CommentRule(threshold=steps_tagger.classifier.threshold)
    ids = steps_tagger.classifier.step_ids
    replayed = [
        [(ids[column], p) for column, p in item.decide(rule).steps]
        for item in steps_tagger.step_evidence(texts)
    ]
    # the same steps; probabilities agree up to the rounding of different encoder batches
    assert [[s for s, _ in steps] for steps in replayed] == [
        [s for s, _ in comment.steps] for comment in tagged
    ]
    for steps, comment in zip(replayed, tagged, strict=True):
        assert [p for _, p in steps] == pytest.approx([p for _, p in comment.steps], abs=0.01)
    assert any(len(steps) > 1 for steps in replayed)  # the comment rule was exercised


def test_labels_are_ids_or_names_in_any_case_and_rows_merge(
    write_csv: Callable[..., Path],
) -> None:
    path = write_csv(
        [
            {"text": "The courier was late", "step": "Delivery"},
            {"text": "The courier was late", "step": "order_tracking"},
            {"text": "refund please", "step": "refunds; RETURNS"},
            {"text": "nice weather", "step": "unassigned"},
            {"text": "   ", "step": "delivery"},
            {"text": "no label here", "step": ""},
        ]
    )
    sample = read_labelled(path, ECOMMERCE)
    assert sample.texts == ["The courier was late", "refund please", "nice weather"]
    assert sample.gold == [
        frozenset({"delivery", "order_tracking"}),
        frozenset({"refunds", "returns"}),
        frozenset({UNASSIGNED}),
    ]
    assert sample.rows == [1, 3, 4]
    assert sample.skipped == {"no text": [5], "no label": [6]}


def test_unknown_labels_are_named_with_rows_and_the_closest_step(
    write_csv: Callable[..., Path],
) -> None:
    path = write_csv(
        [
            {"text": "late again", "step": "delivry"},
            {"text": "so late", "step": "delivry"},
            {"text": "ok", "step": "delivery"},
        ]
    )
    with pytest.raises(SteplensError) as error:
        read_labelled(path, ECOMMERCE)
    message = str(error.value)
    assert "'delivry' in data rows 1, 2" in message
    assert "did you mean 'delivery'?" in message


def test_signal_labels_are_checked_before_any_model_loads(
    write_csv: Callable[..., Path],
) -> None:
    path = write_csv(
        [
            {"text": "late", "step": "delivery", "mood": "angry"},
            {"text": "fine", "step": "delivery", "mood": "Positive"},
        ]
    )
    with pytest.raises(SteplensError, match=r"sentiment column 'mood' has 'angry' in data row 1"):
        read_labelled(path, ECOMMERCE, sentiment_column="mood")
    with pytest.raises(SteplensError, match="no sentiment column 'feeling'"):
        read_labelled(path, ECOMMERCE, sentiment_column="feeling")


def test_labels_from_a_separate_file_join_on_the_id(tmp_path: Path) -> None:
    sample = read_labelled(
        samples_dir() / "ecommerce_feedback.csv",
        ECOMMERCE,
        labels_path=samples_dir() / "ecommerce_feedback_labels.csv",
    )
    assert len(sample.texts) == 445 and len(sample.skipped["no text"]) == 3
    assert sum(len(g) > 1 for g in sample.gold) > 20
    unlabelled = tmp_path / "texts.csv"
    unlabelled.write_text("text\nhello\n", encoding="utf-8")
    with pytest.raises(SteplensError, match="no 'id' column to join"):
        read_labelled(
            unlabelled, ECOMMERCE, labels_path=samples_dir() / "ecommerce_feedback_labels.csv"
        )


def test_evaluation_counts_what_tag_gives(
    steps_tagger: Tagger, write_csv: Callable[..., Path]
) -> None:
    rows = [
        {"text": "The parcel arrived a week late and the box was crushed", "step": "delivery"},
        {"text": "I could not pay, my card was declined twice", "step": "payment"},
        {"text": "Still waiting for my refund after three weeks", "step": "refunds"},
        {"text": "The search never finds what I type", "step": "discovery"},
        {"text": "I couldn't log in to my account, password reset never came", "step": "payment"},
        {"text": "the weather is lovely today", "step": "unassigned"},
    ]
    sample = read_labelled(write_csv(rows), ECOMMERCE)
    result = evaluate(steps_tagger, sample)
    tagged = steps_tagger.tag(sample.texts)
    hits = [c.step in gold for c, gold in zip(tagged, sample.gold, strict=True)]
    assert result.accuracy == pytest.approx(sum(hits) / len(hits))
    assert not hits[4]  # the account comment labelled payment is a confusion
    assert any(c.gold == "payment" and c.examples[0].row == 5 for c in result.confusions)
    by_step = {row.step: row for row in result.steps}
    assert by_step["payment"].labelled == 2
    assert result.best.accuracy >= result.accuracy
    assert result.threshold == pytest.approx(steps_tagger.classifier.threshold)
    assert result.sentiment is None and result.effort is None
    assert result.to_dict()["steps"][0]["step"] == result.steps[0].step


def test_sentiment_and_effort_agreement_through_the_signals_model(
    encoder: Any, write_csv: Callable[..., Path]
) -> None:
    rows = [
        {
            "text": "Checkout was quick and easy, loved it",
            "step": "checkout",
            "sentiment": "positive",
            "effort": "none",
        },
        {
            "text": "I had to call three times and fill in the form again to get my refund",
            "step": "refunds",
            "sentiment": "negative",
            "effort": "high",
        },
        {
            "text": "The delivery came on Tuesday",
            "step": "delivery",
            "sentiment": "neutral",
            "effort": "",
        },
    ]
    path = write_csv(rows)
    tagger = build_tagger(ECOMMERCE)
    result = evaluate(
        tagger, read_labelled(path, ECOMMERCE, sentiment_column="sentiment", effort_column="effort")
    )
    assert result.sentiment is not None and result.sentiment.labelled == 3
    assert result.effort is not None and result.effort.labelled == 2
    predicted = [c.signals.sentiment for c in tagger.tag([r["text"] for r in rows]) if c.signals]
    gold = [r["sentiment"] for r in rows]
    assert result.sentiment.accuracy == pytest.approx(
        sum(p == g for p, g in zip(predicted, gold, strict=True)) / 3
    )
    assert "signal_f1" in result.effort.measures


def test_a_sample_without_unassigned_labels_says_it_cannot_choose_a_cut_off(
    steps_tagger: Tagger, write_csv: Callable[..., Path]
) -> None:
    path = write_csv([{"text": "my parcel never arrived", "step": "delivery"}])
    result = evaluate(steps_tagger, read_labelled(path, ECOMMERCE))
    assert any("No text is labelled 'unassigned'" in note for note in result.notes)


def test_wilson_interval() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    low, high = wilson_interval(88, 100)
    assert low == pytest.approx(0.8019, abs=1e-3) and high == pytest.approx(0.9300, abs=1e-3)
