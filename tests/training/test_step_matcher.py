"""The step matcher: trained on label sets, saved as one directory, read back as a branch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from steplens.pipeline.journey import Journey
from steplens.pipeline.steps.matcher import MatcherError, matcher_encoder
from steplens.training.step_matcher import (
    SOURCES,
    LabelSource,
    MatcherSettings,
    label_view,
    load_source,
    save_matcher,
    train_matcher,
)

JOURNEY = Journey.model_validate(
    {
        "name": "tiny",
        "steps": [
            {"id": "delivery", "name": "Delivery", "description": "Parcels arriving late."},
            {"id": "refunds", "name": "Refunds", "description": "Money back after a return."},
            {"id": "login", "name": "Signing in", "description": "Passwords and log-in codes."},
        ],
    }
)
TEXTS = {
    "delivery": ["my parcel is a week late", "the courier never came", "package still not here"],
    "refunds": ["where is my money back", "refund not received", "returned it, no refund yet"],
    "login": ["can't sign in", "password reset link broken", "the code never arrives"],
}


def test_label_views_are_the_zero_shot_prototypes() -> None:
    assert label_view(JOURNEY, 0, "name") == "Delivery"
    assert label_view(JOURNEY, 0, "template") == "I have a question about Delivery"
    assert label_view(JOURNEY, 1, "description") == "Refunds: Money back after a return."


def test_every_source_loads_train_texts_labelled_with_its_steps() -> None:
    for name in SOURCES:
        source = load_source(name)
        ids = set(source.journey.step_ids)
        assert source.texts and len(source.texts) == len(source.labels)
        assert {label for labels in source.labels for label in labels} <= ids, name


def test_train_save_and_load_a_matcher(encoder: Any, tmp_path: Path) -> None:
    source = LabelSource(
        "tiny",
        JOURNEY,
        [text for texts in TEXTS.values() for text in texts],
        [[step] for step, texts in TEXTS.items() for _ in texts],
    )
    settings = MatcherSettings(epochs=1, batch_size=4, negatives=2, per_source=9)
    state, stats = train_matcher(encoder, [source], settings)
    assert stats["sources"] == ["tiny"] and stats["loss_epoch_1"] > 0
    save_matcher(tmp_path / "m", state, settings, stats)
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["kind"] == "steplens-step-matcher" and config["tuned_layers"] == 2
    tuned = matcher_encoder(encoder, tmp_path / "m")
    texts = ["my parcel is late", "refund please"]
    vectors, base = tuned.encode(texts), encoder.encode(texts)
    assert vectors.shape == base.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(vectors, base, atol=1e-4)  # the tuned layers were used


def test_a_missing_matcher_is_a_clear_error(encoder: Any, tmp_path: Path) -> None:
    with pytest.raises(MatcherError, match="missing or corrupt"):
        matcher_encoder(encoder, tmp_path)


def test_a_matcher_of_another_kind_is_refused(encoder: Any, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"kind": "something-else", "format_version": 1}')
    with pytest.raises(MatcherError, match="not a version-1 steplens-step-matcher"):
        matcher_encoder(encoder, tmp_path)


def test_no_texts_to_train_on_is_refused(encoder: Any) -> None:
    with pytest.raises(ValueError, match="at least one label set"):
        train_matcher(encoder, [])
