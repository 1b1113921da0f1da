"""The tagger's signals: what the models read (the model view) and per-(clause, step) sentiment."""

from __future__ import annotations

from typing import Any

import pytest

from bench.checklist import checklist_journey
from steplens.pipeline.tagger import Tagger, build_tagger


def _tagger(threshold: float | None = None, normalise: bool = True) -> Tagger:
    return build_tagger(
        checklist_journey(), threshold=threshold, precision="fp32", normalise=normalise
    )


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return _tagger()


def test_which_handle_or_link_makes_no_difference(tagger: Tagger) -> None:
    results = tagger.tag(
        [
            "@united thank you so much https://t.co/abc123XYZ",
            "@VirginAmerica thank you so much http://bit.ly/q",
            "@user thank you so much http",
        ]
    )
    # The model reads the same text, so the answers are the same, not only the labels.
    answers = {result.signals for result in results}
    assert len(answers) == 1
    (answer,) = answers
    assert answer is not None and answer.sentiment == "positive"


def test_output_keeps_the_original_text_and_offsets(tagger: Tagger) -> None:
    text = "@VirginAmerica my order #A1234567 never arrived https://t.co/x"
    (result,) = tagger.tag([text])
    for tagged in result.segments:
        assert text[tagged.segment.start : tagged.segment.end] == tagged.segment.text
    assert "@VirginAmerica" in " ".join(t.segment.text for t in result.segments)


def test_normalise_off_reads_the_raw_text() -> None:
    raw = _tagger(normalise=False)
    normalised = _tagger()
    text = "@united thank you"
    assert raw.tag([text])[0].signals != normalised.tag([text])[0].signals


def test_each_step_of_a_comment_gets_its_own_sentiment(tagger: Tagger) -> None:
    """A comment that praises one step and criticises another gives each its own reading."""
    (result,) = tagger.tag(
        ["The food was hot and really tasty. But the courier was rude and 40 minutes late."]
    )
    signals: dict[str, Any] = result.step_signals or {}
    assert {"food", "delivery"} <= set(signals)
    assert signals["food"].sentiment_score > signals["delivery"].sentiment_score


def test_a_clause_without_a_step_keeps_its_own_sentiment(tagger: Tagger) -> None:
    (result,) = tagger.tag(["wonderful"])
    assert result.signals is not None and result.signals.sentiment == "positive"
