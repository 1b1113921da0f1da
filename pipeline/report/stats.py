"""Small-sample statistics for the per-step report: intervals, change tests, correlations.

The report shows shares (the share of a step's comments that are negative or high-effort), flags
period-over-period changes as alerts only when they are unlikely to be noise, and correlates a
step's text signals with its conversion across periods. Steps often have few comments, so every
number here comes with its uncertainty: Wilson intervals for shares, two-sided tests for changes,
a caution for correlations over few periods and a minimum-n flag (``enough``).

scipy is used for Student's t when it is installed (it comes with scikit-learn); without it,
t-based p-values fall back to the normal approximation, which is slightly too small for small
samples. Normal probabilities use ``math.erfc`` and ``statistics.NormalDist`` and need no scipy.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

MIN_N = 30
"""Fewest comments for a step's share (or its change) to be read as more than a hint.

At 30 comments the 95% Wilson interval of a 50% share is still about ±17 points (±26 at 10), so a
step below this is shown but flagged, and is never ranked or alerted on as a trend. 30 is also
the usual rule of thumb for the normal approximation behind the change tests.
"""

CORRELATION_MIN_N = 8
"""Fewest periods for a correlation to be shown without a caution: below it, r swings widely."""


class TwoProportionTest(NamedTuple):
    """A change in a share between two samples: ``difference = p2 - p1``, z and two-sided p."""

    difference: float
    z: float
    p_value: float


class MeanDifferenceTest(NamedTuple):
    """A change in a mean: ``difference = mean_b - mean_a``, Welch's t, its df and two-sided p."""

    difference: float
    t: float
    df: float
    p_value: float


class Correlation(NamedTuple):
    """Pearson's r over ``n`` pairs, its two-sided p-value and a caution when n is small."""

    r: float
    n: int
    p_value: float
    caution: str | None


def enough(n: int, minimum: int = MIN_N) -> bool:
    """Whether ``n`` comments are enough for a step's share to count as a signal (see MIN_N)."""
    return n >= minimum


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a share, e.g. the negative share of one step's comments.

    Unlike the textbook ``p ± z·se`` interval it stays inside [0, 1] and is not zero-width at 0
    or n successes, so "0 negative out of 3" reads as (0.00, 0.56), not as certainty. ``n = 0``
    gives (0.0, 1.0): nothing is known.
    """
    low, high = wilson_intervals(successes, n, confidence)
    return float(low), float(high)


def wilson_intervals(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``wilson_interval`` for arrays of counts (every step, or step x period, at once)."""
    x = np.asarray(successes, dtype=np.float64)
    total = np.asarray(n, dtype=np.float64)
    if np.any(total < 0) or np.any(x < 0) or np.any(x > total):
        raise ValueError("Wilson interval needs 0 <= successes <= n")
    z = _z_quantile(confidence)
    safe = np.where(total > 0, total, 1.0)
    p = x / safe
    z2 = z * z
    denominator = 1.0 + z2 / safe
    centre = (p + z2 / (2.0 * safe)) / denominator
    half = z / denominator * np.sqrt(p * (1.0 - p) / safe + z2 / (4.0 * safe * safe))
    low = np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(x == total, 1.0, np.clip(centre + half, 0.0, 1.0))
    empty = total == 0
    return np.where(empty, 0.0, low), np.where(empty, 1.0, high)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> TwoProportionTest:
    """Pooled two-sided z-test of a change in a share, e.g. a step's negative share from one
    period (x1 of n1) to the next (x2 of n2); the alerts use it for period-over-period changes.

    ``difference`` is p2 - p1 (positive: the share went up). With n1 or n2 equal to 0 there is
    nothing to compare: difference is NaN, z 0.0 and p 1.0, so no alert can fire. When both
    samples are all successes or all failures the difference is 0 and p is 1.0.
    """
    difference, z, p_value = two_proportion_tests(x1, n1, x2, n2)
    return TwoProportionTest(float(difference), float(z), float(p_value))


def two_proportion_tests(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """``two_proportion_test`` for arrays (every step's change at once): difference, z, p."""
    a, na = np.asarray(x1, dtype=np.float64), np.asarray(n1, dtype=np.float64)
    b, nb = np.asarray(x2, dtype=np.float64), np.asarray(n2, dtype=np.float64)
    if np.any(a < 0) or np.any(b < 0) or np.any(a > na) or np.any(b > nb):
        raise ValueError("two-proportion test needs 0 <= x <= n in both samples")
    empty = (na == 0) | (nb == 0)
    safe_a, safe_b = np.where(na > 0, na, 1.0), np.where(nb > 0, nb, 1.0)
    difference = b / safe_b - a / safe_a
    pooled = (a + b) / (safe_a + safe_b)
    se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / safe_a + 1.0 / safe_b))
    z = np.where(se > 0, difference / np.where(se > 0, se, 1.0), 0.0)
    p_value = np.minimum(1.0, 2.0 * _normal_sf(np.abs(z)))
    return (
        np.where(empty, np.nan, difference),
        np.where(empty, 0.0, z),
        np.where(empty, 1.0, p_value),
    )


def mean_difference_test(values_a: ArrayLike, values_b: ArrayLike) -> MeanDifferenceTest:
    """Welch's t-test of a change in a mean, e.g. a step's mean effort or sentiment from one
    period (values_a) to the next (values_b); it does not assume equal variances.

    NaN values are ignored. ``difference`` is mean_b - mean_a (NaN if either sample is empty).
    With fewer than 2 values in either sample there is no variance to test with: t is 0.0, df
    NaN and p 1.0. Two constant samples give p 1.0 when their means are equal, else t = ±inf
    and p 0.0. The p-value uses Student's t (scipy) or, without scipy, the normal approximation.
    """
    a, b = _finite(values_a), _finite(values_b)
    if a.size == 0 or b.size == 0:
        return MeanDifferenceTest(math.nan, 0.0, math.nan, 1.0)
    difference = float(b.mean() - a.mean())
    if a.size < 2 or b.size < 2:
        return MeanDifferenceTest(difference, 0.0, math.nan, 1.0)
    va, vb = float(a.var(ddof=1)) / a.size, float(b.var(ddof=1)) / b.size
    if va + vb == 0.0:
        if difference == 0.0:
            return MeanDifferenceTest(0.0, 0.0, math.nan, 1.0)
        return MeanDifferenceTest(difference, math.copysign(math.inf, difference), math.nan, 0.0)
    t = difference / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    return MeanDifferenceTest(difference, t, df, _two_sided_t(t, df))


def correlation(x: ArrayLike, y: ArrayLike, unit: str = "periods") -> Correlation:
    """Pearson correlation of a step's text signal with its conversion across periods (x[i] and
    y[i] belong to period i), so the report can say whether what customers write moves with
    what the funnel shows.

    Pairs with a NaN on either side are left out; ``n`` counts the pairs used. Below
    CORRELATION_MIN_N pairs the result carries a caution ("only 5 periods: treat as a hint").
    With fewer than 3 pairs, or a constant series, r and p are NaN and the caution says why.
    """
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise ValueError(f"correlation needs two 1-D series of equal length: {xs.shape} {ys.shape}")
    keep = ~(np.isnan(xs) | np.isnan(ys))
    xs, ys = xs[keep], ys[keep]
    n = int(xs.size)
    if n < 3:
        return Correlation(math.nan, n, math.nan, f"only {n} {unit}: too few for a correlation")
    dx, dy = xs - xs.mean(), ys - ys.mean()
    sxx, syy = float(dx @ dx), float(dy @ dy)
    if sxx == 0.0 or syy == 0.0:
        return Correlation(math.nan, n, math.nan, "one series is constant: no correlation")
    r = float(np.clip(float(dx @ dy) / math.sqrt(sxx * syy), -1.0, 1.0))
    t = math.copysign(math.inf, r) if abs(r) == 1.0 else r * math.sqrt((n - 2) / (1.0 - r * r))
    p_value = _two_sided_t(t, n - 2)
    caution = f"only {n} {unit}: treat as a hint" if n < CORRELATION_MIN_N else None
    return Correlation(r, n, p_value, caution)


def _finite(values: ArrayLike) -> NDArray[np.float64]:
    """The values as a flat float array without NaN."""
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[~np.isnan(array)]


def _z_quantile(confidence: float) -> float:
    """The two-sided standard normal quantile for ``confidence`` (1.959964 for 0.95)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


def _normal_sf(z: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(Z > z) for a standard normal Z, elementwise (erfc keeps the far tail accurate)."""
    sf = np.vectorize(lambda v: 0.5 * math.erfc(v / math.sqrt(2.0)), otypes=[np.float64])
    return np.asarray(sf(z), dtype=np.float64)


def _two_sided_t(t: float, df: float) -> float:
    """Two-sided p-value of Student's t with ``df`` degrees of freedom (normal without scipy)."""
    try:
        from scipy.stats import t as student_t
    except ImportError:
        return min(1.0, 2.0 * float(_normal_sf(np.asarray(abs(t)))))
    return min(1.0, 2.0 * float(student_t.sf(abs(t), df)))
