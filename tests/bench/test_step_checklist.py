"""The behavioural suite for steps: its cases, and the invariances the step view guarantees."""

from __future__ import annotations

from bench.datasets import label_set
from bench.step_checklist import (
    CHATTER,
    JOURNEY,
    MENTIONS,
    PERTURBATIONS,
    failure_rates,
    pooled_invariance,
    step_cases,
)
from steplens.pipeline.journey import UNASSIGNED
from steplens.pipeline.tagger import build_tagger


def test_the_cases_cover_every_step_and_refer_to_plain_mentions() -> None:
    cases = step_cases()
    assert set(MENTIONS) == set(label_set(JOURNEY).step_ids)
    plain = [c for c in cases if c.capability.startswith("MFT: a clear mention")]
    assert len(plain) == sum(len(texts) for texts in MENTIONS.values())
    chatter = [c for c in cases if c.capability == "MFT: chatter stays unassigned"]
    assert len(chatter) == 3 * len(CHATTER) and {c.expected for c in chatter} == {UNASSIGNED}
    invariance = [c for c in cases if c.reference is not None]
    assert {c.capability for c in invariance} == {f"INV: {name}" for name in PERTURBATIONS}
    for case in invariance:
        assert case.reference is not None and case.reference < len(plain)
        assert case.text != cases[case.reference].text
    assert step_cases() == cases  # seeded


def test_failure_rates_compare_invariance_cases_with_their_plain_case() -> None:
    cases = step_cases()[: len(MENTIONS["booking"])]
    predicted = ["booking"] * (len(cases) - 1) + ["refunds"]
    (rate,) = failure_rates(cases, predicted)
    assert rate.failure_rate == 1 / len(cases)
    assert rate.examples == ((cases[-1].text, "refunds", "booking"),)
    assert pooled_invariance([rate]) == 0.0  # no invariance capability here


def test_whom_a_comment_is_addressed_to_never_changes_its_step() -> None:
    """The step view drops opening and closing handles: a regression check on these cases
    (segmentation still reads the raw text, so other texts could split differently)."""
    wanted = {"INV: addressed to a brand", "INV: addressed to two brands", "INV: a handle after it"}
    cases = step_cases()
    plain = [c for c in cases if c.capability.startswith("MFT: a clear mention")]
    assert cases[: len(plain)] == plain  # invariance cases refer to these by index
    chosen = plain + [c for c in cases if c.capability in wanted]
    tagger = build_tagger(label_set(JOURNEY), signals=False, precision="fp32")
    predicted = [result.step for result in tagger.tag([c.text for c in chosen])]
    for case, step in zip(chosen[len(plain) :], predicted[len(plain) :], strict=True):
        assert case.reference is not None
        assert step == predicted[case.reference], case.text
