"""Smoke test of the step-classification benchmark harness on tiny subsets (real encoder)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bench import bench_steps
from bench.bench_steps import (
    F1,
    IN_SCOPE,
    OOS_RECALL,
    PRECISION,
    RECALL,
    TOP1,
    TOP_STEP,
    UNASSIGNED_RECALL,
    WITH_UNASSIGNED,
    CachedEncoder,
    Row,
    Table,
)
from bench.datasets import LabelledTexts, banking77, clinc150, humanise_label
from bench.report import format_values, render
from steplens.pipeline.journey import UNASSIGNED, Journey
from steplens.pipeline.steps.zero_shot import build_prototypes, off_topic_texts

BANKING_LABELS = ["card_arrival", "exchange_rate", "lost_or_stolen_card"]
CLINC_LABELS = ["translate", "weather", "pto_request"]


def subset(data: LabelledTexts, labels: list[str], per_label: int, skip: int = 0) -> LabelledTexts:
    """``per_label`` texts of each label, after skipping the first ``skip`` of each."""
    texts: list[str] = []
    chosen: list[list[str]] = []
    for label in labels:
        matching = [t for t, ls in zip(data.texts, data.labels, strict=True) if ls == [label]]
        texts += matching[skip : skip + per_label]
        chosen += [[label]] * len(matching[skip : skip + per_label])
    return LabelledTexts(texts, chosen)


def with_examples(journey: Journey, data: LabelledTexts, to_id: dict[str, str]) -> Journey:
    """The journey with each step's texts from ``data`` as examples (own calibration, fast)."""
    examples: dict[str, list[str]] = {}
    for text, labels in zip(data.texts, data.labels, strict=True):
        examples.setdefault(to_id[labels[0]], []).append(text)
    steps = tuple(s.model_copy(update={"examples": tuple(examples[s.id])}) for s in journey.steps)
    return Journey(name=journey.name, steps=steps)


def prime(cache: CachedEncoder, journey: Journey, texts: list[str]) -> None:
    """Embed, in one batched call, the texts and all a zero-shot classifier will ask for."""
    prototypes = [p.text for p in build_prototypes(journey)]
    examples = [example for step in journey.steps for example in step.examples]
    cache.prime([*texts, *prototypes, *examples, *off_topic_texts()])


@pytest.fixture(scope="module")
def cache(encoder: Any) -> CachedEncoder:
    return CachedEncoder(encoder)


def check_rows(rows: list[Row], methods: int, columns: tuple[str, ...]) -> None:
    assert len(rows) == methods
    for row in rows:
        assert row.seconds >= 0.0
        for column in columns:
            assert 0.0 <= row.metrics[column] <= 1.0, (row.method, column)


def test_cached_encoder_embeds_each_text_once(cache: CachedEncoder, encoder: Any) -> None:
    texts = ["my card has not arrived", "what is the exchange rate", "my card has not arrived"]
    first = cache.encode(texts)
    spent = cache.encoding_seconds
    again = cache.encode(texts[:2])
    assert cache.encoding_seconds == spent
    assert cache.name == encoder.name and cache.dimension == encoder.dimension
    assert first.shape == (3, encoder.dimension)
    np.testing.assert_allclose(first[:2], again)
    np.testing.assert_allclose(first, encoder.encode(texts), atol=1e-4)
    assert cache.encode([]).shape == (0, encoder.dimension)


def test_journey_for_humanises_names_and_ids() -> None:
    journey, to_id = bench_steps.journey_for(
        "b", ["Refund_not_showing_up", "card_arrival"], ids_from_names=True
    )
    assert journey.step_ids == ["refund_not_showing_up", "card_arrival"]
    assert [s.name for s in journey.steps] == ["refund not showing up", "card arrival"]
    assert to_id["Refund_not_showing_up"] == "refund_not_showing_up"
    same, _ = bench_steps.journey_for("c", ["pto_request"])
    assert same.step_ids == ["pto_request"] and same.steps[0].name == humanise_label("pto_request")


def test_banking_style_rows(cache: CachedEncoder) -> None:
    journey, to_id = bench_steps.journey_for("tiny", BANKING_LABELS, ids_from_names=True)
    train = subset(banking77("train"), BANKING_LABELS, 5)
    test = subset(banking77("test"), BANKING_LABELS, 3)
    named = with_examples(journey, subset(banking77("train"), BANKING_LABELS, 7, skip=5), to_id)
    prime(cache, named, [*train.texts, *test.texts])
    rows = bench_steps.zero_shot_rows(named, test, to_id, cache)
    rows += bench_steps.trained_rows("5-shot", journey, train, test, to_id, cache, seed=0)
    check_rows(rows, 5, (TOP1,))
    assert WITH_UNASSIGNED not in rows[0].metrics and WITH_UNASSIGNED in rows[1].metrics
    assert rows[-1].metrics[TOP1] >= 0.6  # three distinct intents, five examples each
    table = Table("banking77", "tiny", (TOP1, WITH_UNASSIGNED), rows)
    lines = render(table)
    assert lines[0] == "### tiny" and len(lines) == 4 + 5
    assert "| 5-shot | ours: train-steps, frozen encoder |" in lines[-2]
    assert "| 5-shot | ours: train-steps, fine-tune auto |" in lines[-1]
    assert rows[-1].metrics[bench_steps.TUNED] in (0.0, 1.0)


def test_open_set_rows(cache: CachedEncoder) -> None:
    journey, to_id = bench_steps.journey_for("tiny_clinc", CLINC_LABELS)
    train = subset(clinc150("train"), CLINC_LABELS, 10)
    test = subset(clinc150("test"), CLINC_LABELS, 5)
    oos = LabelledTexts(clinc150("oos_test").texts[:5], [["oos"]] * 5)
    cache.prime([*train.texts, *test.texts, *oos.texts])
    rows = bench_steps.open_set_rows(journey, train, test, oos, to_id, cache)
    check_rows(rows, 3, (IN_SCOPE, OOS_RECALL, bench_steps.IN_SCOPE_TOP1))
    assert all(0.0 < row.metrics[bench_steps.THRESHOLD] < 1.0 for row in rows)


def test_multi_label_rows(cache: CachedEncoder) -> None:
    journey, to_id = bench_steps.journey_for("tiny_mams", ["food", "service", "price"])
    train = LabelledTexts(
        [
            "the pasta was delicious",
            "great burger and fries",
            "soup was cold and bland",
            "the waiter ignored us",
            "staff were friendly and quick",
            "service was slow all night",
            "far too expensive for what it is",
            "prices are fair",
            "cheap and cheerful",
            "tasty food but rude waiters",
            "lovely food at a fair price",
            "slow service and overpriced drinks",
        ],
        [["food"]] * 3
        + [["service"]] * 3
        + [["price"]] * 3
        + [["food", "service"], ["food", "price"], ["service", "price"]],
    )
    val = LabelledTexts(
        ["the steak was perfect", "our server was very attentive", "good pizza, bad service"],
        [["food"], ["service"], ["food", "service"]],
    )
    examples = LabelledTexts(
        [f"{word} {n}" for word in ("the food", "the service", "the price") for n in range(7)],
        [[label] for label in ("food", "service", "price") for _ in range(7)],
    )
    named = with_examples(journey, examples, to_id)
    prime(cache, named, [*train.texts, *val.texts])
    rows = bench_steps.multi_label_rows(named, train, val, to_id, cache)
    check_rows(rows, 4, (PRECISION, RECALL, F1))


def test_comment_metrics_and_sets() -> None:
    references = [{"a"}, {"a", "b"}, {UNASSIGNED}, {UNASSIGNED}]
    predicted = [{"a"}, {"b"}, set(), {"c"}]
    metrics = bench_steps.comment_metrics(predicted, ["a", "b", UNASSIGNED, "c"], references)
    assert metrics[PRECISION] == pytest.approx(2 / 3)
    assert metrics[RECALL] == pytest.approx(2 / 3)
    assert metrics[TOP_STEP] == 1.0
    assert metrics[UNASSIGNED_RECALL] == 0.5


def test_sample_and_speed_rows(encoder: Any) -> None:
    import spacy

    from steplens.pipeline.segment import SPACY_MODEL, load_segmenter
    from steplens.pipeline.steps.zero_shot import Calibration, ZeroShotStepClassifier
    from steplens.pipeline.tagger import Tagger

    journey, _ = bench_steps.journey_for("tiny_shop", ["delivery", "payment", "returns"])
    calibration = Calibration(
        weights=(10.0, 10.0), bias=0.0, source="test", examples=0, level=0.5
    )  # threshold 0.5: a best step is assigned when it scores 0.5 or more
    classifier = ZeroShotStepClassifier(journey, encoder, calibration=calibration)
    tagger = Tagger(journey, classifier, load_segmenter(), encoder)
    texts, references = bench_steps.load_sample()
    assert len(texts) == len(references) == 448
    short = [i for i, text in enumerate(texts) if 0 < len(text) < 60][:6]
    rows = bench_steps.sample_rows(
        tagger, [texts[i] for i in short], [references[i] for i in short]
    )
    check_rows(rows, 2, (PRECISION, RECALL, F1, TOP_STEP, UNASSIGNED_RECALL))
    comments = bench_steps.speed_comments(["", *[texts[i] for i in short]], 8)
    assert len(comments) == 8 and all(c.strip() for c in comments)
    rows = bench_steps.speed_rows(tagger, spacy.load(SPACY_MODEL), comments, chunk_size=4)
    assert len(rows) == 2
    for row in rows:
        assert row.metrics[bench_steps.COMMENTS_PER_S] > 0
        assert row.metrics[bench_steps.SEGMENTS_PER_COMMENT] >= 1.0


def test_update_docs_keeps_other_sections_and_parts(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "benchmarks.md"
    bench_steps.SECTION.update(path=path, new_blocks={"mams": "### MAMS old"})
    created = path.read_text(encoding="utf-8")
    assert created.startswith("# Benchmarks") and "### MAMS old" in created
    segmentation = "<!-- segment:start -->\n## Segmentation\n\n| a |\n<!-- segment:end -->"
    path.write_text(created + "\n" + segmentation + "\n", encoding="utf-8")
    bench_steps.SECTION.update(path=path, new_blocks={"banking77": "### Banking new"})
    bench_steps.SECTION.update(path=path, new_blocks={"banking77": "### Banking newer"})
    text = path.read_text(encoding="utf-8")
    assert segmentation in text
    assert "### MAMS old" in text and "### Banking newer" in text and "Banking new\n" not in text
    assert text.index("### Banking newer") < text.index("### MAMS old")
    assert text.count(bench_steps.SECTION.markers[0]) == 1


def test_parse_parts_and_format() -> None:
    assert bench_steps.parse_parts("speed, banking77") == ["banking77", "speed"]
    with pytest.raises(Exception, match="unknown part"):
        bench_steps.parse_parts("banking78")
    assert format_values([0.8, 0.9, 0.85], 3) == "0.850 (0.800–0.900)"
    assert format_values([], 3) == "–"
