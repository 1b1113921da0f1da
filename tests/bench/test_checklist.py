"""The behavioural suite: its cases, and a fast subset run against the shipped model.

The full suite is a benchmark (``python -m bench.bench_checklist``, docs/benchmarks.md); here a
seeded share of every capability runs through ``Tagger.tag`` with failure-rate ceilings, so a
model or pipeline change that breaks a behaviour fails ``make test``. The ceilings sit above the
shipped model's full-suite rates (docs/benchmarks.md) with room for the subset's sampling noise.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bench.checklist import (
    CapabilityResult,
    Case,
    failure_rates,
    fast_subset,
    generate_cases,
    run_cases,
)

REQUIRED = (
    "thanks",
    "praise",
    "questions and requests are neutral",
    "negation: not + positive",
    "negation: not + negative",
    "contrast: a step each, each its own sentiment",
    "effort: repeated attempts and waits",
    "effort: stated as easy (not moderate/high)",
    "intensity: positive",
    "intensity: negative",
    "effort: adding a high-effort cue",
    *(
        f"invariance: {name}"
        for name in (
            "handles",
            "brand names",
            "URLs",
            "e-mail addresses",
            "phone numbers",
            "order numbers",
            "emoji (objects)",
            "typos",
            "casing",
        )
    ),
)


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return generate_cases()


def test_the_suite_covers_every_capability_with_over_2000_cases(cases: list[Case]) -> None:
    assert len(cases) >= 2000
    counts = Counter(case.capability for case in cases)
    missing = [name for name in REQUIRED if counts[name] < 5]
    assert not missing
    assert generate_cases() == cases  # deterministic


def test_every_case_is_well_formed(cases: list[Case]) -> None:
    for case in cases:
        if case.kind == "MFT":
            assert case.allowed or case.steps, case
        else:
            assert case.original and case.original != case.text, case
        if case.kind == "DIR":
            assert case.direction in (-1, 1), case


# Ceilings for the fast subset (failure rates); see the module docstring. The shipped model's
# full-suite rates (2026-12-06): sentiment invariance without typos 0.07, thanks and praise read
# as negative 0.03, questions 0.08, stated ease read as moderate/high 0.30, contrast 0.09.
INVARIANCE_CEILING = 0.12
CEILINGS = {
    "thanks and praise: not negative": 0.15,
    "complaints": 0.20,
    "questions and requests are neutral": 0.40,
    "negation: not + positive": 0.20,
    "negation: not + negative": 0.20,
    "effort: repeated attempts and waits": 0.20,
    "effort: stated as easy (not moderate/high)": 0.40,
    "intensity: positive": 0.15,
    "intensity: negative": 0.15,
    "effort: adding a high-effort cue": 0.10,
    "adding a complaint": 0.20,
    "contrast: a step each, each its own sentiment": 0.30,
}


@pytest.fixture(scope="module")
def results(cases: list[Case]) -> dict[str, CapabilityResult]:
    from bench.bench_checklist import suite_tagger

    outcomes = run_cases(suite_tagger(), fast_subset(cases, 0.06))
    return {r.capability: r for r in failure_rates(outcomes, examples=5)}


def test_handles_names_links_and_numbers_rarely_change_the_sentiment(
    results: dict[str, CapabilityResult],
) -> None:
    invariance = [
        r
        for r in results.values()
        if r.kind == "INV" and r.signal == "sentiment" and "typos" not in r.capability
    ]
    failures = sum(r.failures for r in invariance)
    cases = sum(r.cases for r in invariance)
    assert failures / cases <= INVARIANCE_CEILING, [r.examples for r in invariance if r.failures]


@pytest.mark.parametrize("capability", sorted(CEILINGS))
def test_capability_failure_rate_is_under_its_ceiling(
    results: dict[str, CapabilityResult], capability: str
) -> None:
    result = results[capability]
    assert result.failure_rate <= CEILINGS[capability], result.examples
