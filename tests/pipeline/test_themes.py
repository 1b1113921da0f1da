"""Themes: clusters of real clauses named by class-based TF-IDF, a journey drafted from them,
and a journey's confusable steps."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steplens.pipeline.errors import SteplensError
from steplens.pipeline.themes import class_tfidf, find_themes, nmi_ari, theme_id


def test_class_tfidf_names_a_cluster_by_its_own_words() -> None:
    texts = [
        "the promo code was rejected",
        "my promo code did not work",
        "promo code expired at checkout",
        "the parcel arrived late",
        "parcel was late again",
        "late parcel, no tracking",
        "random words here",
    ]
    labels = np.array([0, 0, 0, 1, 1, 1, -1])
    phrases = class_tfidf(texts, labels)
    assert phrases[0][0] == "promo code" and "promo" not in phrases[0]  # in the phrase already
    assert phrases[1][0] in {"parcel", "late", "late parcel", "parcel late"}
    assert -1 not in phrases


def test_theme_ids_are_valid_and_unique() -> None:
    taken = {"checkout"}
    assert theme_id("promo code", taken) == "promo_code"
    assert theme_id("promo code", taken) == "promo_code_2"
    assert theme_id("checkout", taken) == "checkout_2"
    assert theme_id("3d secure", taken) == "theme_3d_secure"


def test_scores_against_gold() -> None:
    gold = ["a", "a", "b", "b"]
    perfect = nmi_ari(gold, np.array([0, 0, 1, 1]))
    assert perfect["nmi"] == pytest.approx(1.0) and perfect["labels_with_a_cluster"] == 1.0
    assert nmi_ari(gold, np.array([0, 0, 0, 0]))["labels_with_a_cluster"] == 0.5


def sample_texts() -> list[str]:
    from steplens.pipeline.paths import samples_dir

    with (samples_dir() / "ecommerce_feedback.csv").open(encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def test_themes_of_the_sample_are_about_its_steps(encoder: Any) -> None:
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.model_view import step_views
    from steplens.pipeline.segment import load_segmenter

    clauses = [s.text for segs in load_segmenter().segment_many(sample_texts()) for s in segs]
    embeddings = base_encoder("fp32").encode(step_views(clauses))
    themes, labels = find_themes(clauses, embeddings)
    assert len(themes) >= 4 and [t.size for t in themes] == sorted(
        (t.size for t in themes), reverse=True
    )
    named = " ".join(p for t in themes for p in t.key_phrases)
    assert any(word in named for word in ("delivery", "parcel", "refund", "checkout", "app"))
    for theme in themes:
        assert theme.examples and all(e in clauses for e in theme.examples)
        assert set(labels[list(theme.members)]) == {theme.label}
    with pytest.raises(SteplensError, match="too few to find themes"):
        find_themes(clauses[:10], embeddings[:10])


def test_a_drafted_journey_validates_and_says_what_it_is(encoder: Any, tmp_path: Path) -> None:
    from steplens.pipeline.journey import load_journey
    from steplens.pipeline.journey_draft import draft_journey
    from steplens.pipeline.minilm import base_encoder
    from steplens.pipeline.segment import load_segmenter
    from steplens.pipeline.signals import load_default_signals_model

    draft = draft_journey(
        sample_texts(),
        name="sample_draft",
        encoder=base_encoder("fp32"),
        segmenter=load_segmenter(),
        signals=load_default_signals_model(),
    )
    path = tmp_path / "draft.yaml"
    path.write_text(draft.to_yaml(), encoding="utf-8")
    journey = load_journey(path)
    assert len(journey.steps) == len(draft.steps) >= 4
    assert all(len(step.examples) >= 3 for step in journey.steps)
    text = path.read_text(encoding="utf-8")
    assert "a starting point, not a finished journey" in text and "% negative" in text
    assert any(step.stage for step in journey.steps)  # placed by a bundled journey
    assert draft.noise < draft.clauses


def test_journey_check_finds_confusable_steps(encoder: Any) -> None:
    from steplens.pipeline.journey import Journey, Step, load_journey
    from steplens.pipeline.journey_check import check_journey
    from steplens.pipeline.minilm import base_encoder

    muddled = Journey(
        name="muddled",
        steps=[
            Step(id="delivery", examples=("the parcel came late", "courier lost my parcel")),
            Step(id="shipping", examples=("my parcel arrived late", "the parcel is delayed")),
            Step(id="payment", examples=("card was declined", "charged twice")),
        ],
    )
    check = check_journey(muddled, base_encoder("fp32"))
    assert {p.first for p in check.confusable} | {p.second for p in check.confusable} >= {
        "delivery",
        "shipping",
    }
    assert "payment" not in {p.first for p in check.confusable[:1]}
    assert {step for step, _ in check.thin} == {"delivery", "shipping", "payment"}
    bundled = check_journey(load_journey("ecommerce"), base_encoder("fp32"))
    assert len(bundled.confusable) < len(load_journey("ecommerce").steps)


def test_key_phrases_keep_negations_and_drop_contraction_pieces() -> None:
    texts = [
        "app not working again",
        "the app is not working",
        "app still not working [EMAIL]",
        "I don't like it, didn't work",
        "don't like it at all",
        "didn't like the colour",
    ]
    phrases = class_tfidf(texts, np.array([0, 0, 0, 1, 1, 1]))
    assert "not working" in phrases[0] and "email" not in " ".join(phrases[0])
    assert not {"don", "didn", "dont", "didnt"} & set(" ".join(phrases[1]).split())


def test_the_layout_is_the_same_for_a_seed_and_survives_duplicates() -> None:
    from steplens.pipeline.themes import cluster_labels, manifold_layout

    rng = np.random.default_rng(1)
    centres = rng.normal(size=(3, 32))
    points = np.repeat(centres, 30, axis=0) + rng.normal(scale=0.05, size=(90, 32))
    points[:10] = points[0]  # exact duplicates
    points = (points / np.linalg.norm(points, axis=1, keepdims=True)).astype(np.float32)
    first, again = manifold_layout(points, seed=3), manifold_layout(points, seed=3)
    assert np.array_equal(first, again) and np.isfinite(first).all()
    labels = cluster_labels(points, min_cluster_size=10)
    assert len(set(labels[labels >= 0])) == 3
    assert nmi_ari([str(i // 30) for i in range(90)], labels)["nmi"] > 0.9
