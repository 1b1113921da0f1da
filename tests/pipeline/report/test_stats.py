"""Report statistics: Wilson intervals, the change tests, correlation and the minimum-n flag.

Expected values are published or hand-computed (shown in the comments), not read back from the
code under test.
"""

from __future__ import annotations

import math
import sys
from statistics import NormalDist

import numpy as np
import pytest

from steplens.pipeline.report.stats import (
    CORRELATION_MIN_N,
    MIN_N,
    correlation,
    enough,
    mean_difference_test,
    two_proportion_test,
    two_proportion_tests,
    wilson_interval,
    wilson_intervals,
)

# -- Wilson intervals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "expected"),
    [
        (0, 10, (0.0, 0.2775)),  # the published 95% Wilson values for n = 10
        (5, 10, (0.2366, 0.7634)),
        (10, 10, (0.7225, 1.0)),
        (1, 10, (0.0179, 0.4042)),
    ],
)
def test_wilson_matches_known_95_percent_values(
    successes: int, n: int, expected: tuple[float, float]
) -> None:
    low, high = wilson_interval(successes, n)
    assert low == pytest.approx(expected[0], abs=1e-4)
    assert high == pytest.approx(expected[1], abs=1e-4)


def test_wilson_edges_are_exact_and_empty_sample_is_uninformative() -> None:
    assert wilson_interval(0, 7)[0] == 0.0
    assert wilson_interval(7, 7)[1] == 1.0
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_wilson_widens_with_confidence_and_narrows_with_n() -> None:
    low95, high95 = wilson_interval(5, 10)
    low99, high99 = wilson_interval(5, 10, confidence=0.99)
    assert low99 < low95 and high99 > high95
    low_big, high_big = wilson_interval(500, 1000)
    assert high_big - low_big < (high95 - low95) / 5
    assert low_big < 0.5 < high_big


def test_wilson_rejects_impossible_counts_and_confidence() -> None:
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
    with pytest.raises(ValueError):
        wilson_interval(-1, 10)
    with pytest.raises(ValueError):
        wilson_interval(1, 10, confidence=1.0)


def test_vectorised_wilson_equals_scalar() -> None:
    n = np.array([0, 1, 3, 10, 10, 10, 37, 250, 250])
    x = np.array([0, 1, 2, 0, 5, 10, 11, 3, 249])
    low, high = wilson_intervals(x, n, confidence=0.9)
    assert low.shape == high.shape == (len(n),)
    for i in range(len(n)):
        assert (low[i], high[i]) == pytest.approx(wilson_interval(x[i], n[i], confidence=0.9))
    assert np.all((low <= x / np.maximum(n, 1)) & (x / np.maximum(n, 1) <= high))


# -- two-proportion z-test ----------------------------------------------------------------------


def test_two_proportion_test_matches_hand_computation() -> None:
    # 45/100 then 60/100: pooled p = 105/200 = 0.525,
    # se = sqrt(0.525 * 0.475 * (1/100 + 1/100)) = 0.0706222, z = 0.15 / se = 2.123977,
    # two-sided p = 2 * (1 - Phi(2.123977)) = 0.033672.
    difference, z, p_value = two_proportion_test(45, 100, 60, 100)
    assert difference == pytest.approx(0.15)
    assert z == pytest.approx(2.123977, abs=1e-6)
    assert p_value == pytest.approx(0.033672, abs=1e-6)


def test_two_proportion_test_is_signed_by_direction_of_change() -> None:
    worse = two_proportion_test(45, 100, 60, 100)
    better = two_proportion_test(60, 100, 45, 100)
    assert better.difference == pytest.approx(-worse.difference)
    assert better.z == pytest.approx(-worse.z)
    assert better.p_value == pytest.approx(worse.p_value)


def test_two_proportion_test_with_nothing_to_compare() -> None:
    for args in [(0, 0, 3, 5), (3, 5, 0, 0), (0, 0, 0, 0)]:
        result = two_proportion_test(*args)
        assert math.isnan(result.difference)
        assert (result.z, result.p_value) == (0.0, 1.0)
    assert two_proportion_test(0, 5, 0, 7) == (0.0, 0.0, 1.0)
    assert two_proportion_test(5, 5, 7, 7) == (0.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        two_proportion_test(6, 5, 1, 5)


def test_small_samples_do_not_reach_significance() -> None:
    # 1 of 3 then 3 of 3 looks dramatic but is well within chance.
    assert two_proportion_test(1, 3, 3, 3).p_value > 0.05
    assert two_proportion_test(100, 1000, 160, 1000).p_value < 0.001


def test_vectorised_two_proportion_test_equals_scalar() -> None:
    x1, n1 = np.array([45, 0, 3, 10, 0]), np.array([100, 0, 5, 40, 9])
    x2, n2 = np.array([60, 3, 0, 25, 0]), np.array([100, 5, 0, 41, 9])
    differences, zs, p_values = two_proportion_tests(x1, n1, x2, n2)
    for i in range(len(x1)):
        expected = two_proportion_test(int(x1[i]), int(n1[i]), int(x2[i]), int(n2[i]))
        np.testing.assert_allclose(
            [differences[i], zs[i], p_values[i]], list(expected), equal_nan=True
        )


# -- Welch's t-test -----------------------------------------------------------------------------

BEFORE = [3.1, 2.9, 3.4, 3.0, 3.3]
AFTER = [2.1, 2.6, 2.2, 2.8, 1.9, 2.4]


def test_welch_test_matches_hand_computation() -> None:
    # means 3.14 and 2.3333; variances 0.043 and 0.106667 (ddof 1);
    # se^2 = 0.043/5 + 0.106667/6 = 0.0263778, t = -0.806667 / 0.162412 = -4.905181,
    # Welch-Satterthwaite df = 8.452631, two-sided p (Student's t) = 0.0010107.
    result = mean_difference_test(BEFORE, AFTER)
    assert result.difference == pytest.approx(-0.806667, abs=1e-6)
    assert result.t == pytest.approx(-4.905181, abs=1e-6)
    assert result.df == pytest.approx(8.452631, abs=1e-6)
    assert result.p_value == pytest.approx(0.0010107, abs=1e-6)


def test_welch_test_without_scipy_uses_the_normal_approximation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "scipy.stats", None)
    result = mean_difference_test(BEFORE, AFTER)
    expected = 2 * (1 - NormalDist().cdf(4.905181))
    assert result.p_value == pytest.approx(expected, rel=1e-4)
    assert result.p_value < 0.0010107  # the approximation is too small for few values


def test_welch_test_edge_cases() -> None:
    assert mean_difference_test([1.0, np.nan, 3.0], [2.0, 4.0]).difference == pytest.approx(1.0)
    single = mean_difference_test([2.0], [4.0, 5.0])
    assert single.difference == pytest.approx(2.5) and single.p_value == 1.0
    assert math.isnan(mean_difference_test([], [1.0, 2.0]).difference)
    assert mean_difference_test([2.0, 2.0], [2.0, 2.0, 2.0]).p_value == 1.0
    constant_shift = mean_difference_test([1.0, 1.0], [2.0, 2.0])
    assert constant_shift.t == math.inf and constant_shift.p_value == 0.0


# -- correlation --------------------------------------------------------------------------------


def test_correlation_matches_hand_computation_with_caution_for_few_periods() -> None:
    # dx = dy = [-2..2] permuted: sum dx*dy = 8, sum dx^2 = sum dy^2 = 10, r = 0.8;
    # t = 0.8 * sqrt(3 / 0.36) = 2.309401 with 3 df, two-sided p = 0.104088.
    result = correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    assert result.r == pytest.approx(0.8)
    assert result.n == 5
    assert result.p_value == pytest.approx(0.104088, abs=1e-6)
    assert result.caution == "only 5 periods: treat as a hint"


def test_correlation_needs_no_caution_with_enough_periods() -> None:
    x = np.arange(CORRELATION_MIN_N, dtype=float)
    result = correlation(x, -2 * x + 1)
    assert result.r == pytest.approx(-1.0)
    assert result.p_value == 0.0
    assert result.caution is None
    assert (
        correlation(x[:-1], x[:-1]).caution
        == f"only {CORRELATION_MIN_N - 1} periods: treat as a hint"
    )


def test_correlation_leaves_out_missing_pairs() -> None:
    result = correlation([1, 2, np.nan, 4, 5, 6], [2, 1, 7, 3, np.nan, 5], unit="weeks")
    assert result.n == 4
    assert result.caution == "only 4 weeks: treat as a hint"
    assert result.r == pytest.approx(correlation([1, 2, 4, 6], [2, 1, 3, 5]).r)


def test_correlation_without_enough_information() -> None:
    too_few = correlation([1.0, 2.0], [3.0, 1.0])
    assert math.isnan(too_few.r) and math.isnan(too_few.p_value) and too_few.n == 2
    assert too_few.caution == "only 2 periods: too few for a correlation"
    constant = correlation([1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0])
    assert math.isnan(constant.r) and constant.caution is not None
    with pytest.raises(ValueError):
        correlation([1, 2, 3], [1, 2])


# -- minimum n ----------------------------------------------------------------------------------


def test_enough_flags_small_samples() -> None:
    assert MIN_N == 30
    assert not enough(MIN_N - 1)
    assert enough(MIN_N)
    assert not enough(0)
    assert enough(5, minimum=5)
