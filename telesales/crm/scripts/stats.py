"""Conversion by script version, and whether a difference between two versions is real
(source §2.3.1): pure functions over counts, no database.

conversion = sales / contacts, not applicable (None) without contacts, with a 95 % Wilson
interval. A version is compared with a baseline version by a two-proportion z-test (pooled,
two-sided) when every expected cell count of the 2×2 table (sale / no sale × version /
baseline) is at least 5, and by Fisher's exact test (two-sided) otherwise. It is "better"
or "worse" only when p < α; a higher rate alone never makes a version better."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MIN_EXPECTED = 5  # every expected cell count at least this: the normal approximation holds
Z_95 = 1.959963984540054  # scipy.stats.norm.ppf(0.975), written out: scipy loads slowly


def _scipy_stats():
    """scipy.stats, imported when a test is run rather than when the app starts (it takes
    half a second to load)."""
    from scipy import stats

    return stats


class Method(StrEnum):
    Z = "z"
    FISHER = "fisher"


class Verdict(StrEnum):
    BASELINE = "baseline"
    BETTER = "better"
    WORSE = "worse"
    NO_DIFFERENCE = "no_difference"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class VersionCounts:
    """What one version's outcomes came to: outcomes recorded with it, contacts and sales."""

    number: int
    outcomes: int
    contacts: int
    sales: int

    @property
    def conversion(self) -> float | None:
        return conversion(self.sales, self.contacts)


@dataclass(frozen=True)
class Comparison:
    """A version against the baseline: the test used, its statistic (z for the z-test, the
    odds ratio for Fisher's test), the two-sided p-value and the verdict."""

    verdict: Verdict
    test: Method | None = None
    statistic: float | None = None
    p_value: float | None = None
    difference: float | None = None  # version rate − baseline rate


@dataclass(frozen=True)
class VersionResult:
    counts: VersionCounts
    conversion: float | None
    interval: Interval | None
    comparison: Comparison


def conversion(sales: int, contacts: int) -> float | None:
    """sales / contacts; not applicable (None) without contacts."""
    if contacts <= 0:
        return None
    return sales / contacts


def wilson_interval(successes: int, trials: int, *, z: float = Z_95) -> Interval | None:
    """The Wilson score interval of a proportion (95 % by default); None without trials.

    centre = (p̂ + z²/2n) / (1 + z²/n), half-width = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    return Interval(max(0.0, centre - half), min(1.0, centre + half))


def expected_counts(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float, float, float]:
    """The expected cells of the 2×2 table under no difference: (sales, no sales) of the
    first group, then of the second."""
    total = n1 + n2
    sales = s1 + s2
    misses = total - sales
    return (n1 * sales / total, n1 * misses / total, n2 * sales / total, n2 * misses / total)


def z_test_applies(s1: int, n1: int, s2: int, n2: int) -> bool:
    """The normal approximation is used when every expected cell count is at least 5."""
    if n1 <= 0 or n2 <= 0:
        return False
    return min(expected_counts(s1, n1, s2, n2)) >= MIN_EXPECTED


def two_proportion_z_test(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float]:
    """(z, two-sided p) of p̂1 − p̂2 with the pooled proportion:
    z = (p̂1 − p̂2) / √(p̂(1−p̂)(1/n1 + 1/n2)), p̂ = (s1 + s2) / (n1 + n2)."""
    pooled = (s1 + s2) / (n1 + n2)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if error == 0:
        raise ValueError("no variation: the z-test does not apply")
    z = (s1 / n1 - s2 / n2) / error
    # 2·(1 − Φ(|z|)) = erfc(|z|/√2): the same as scipy's 2·norm.sf(|z|), without loading scipy
    return z, math.erfc(abs(z) / math.sqrt(2))


def fisher_exact_test(s1: int, n1: int, s2: int, n2: int) -> tuple[float, float]:
    """(odds ratio, two-sided p) of Fisher's exact test on [[s1, n1−s1], [s2, n2−s2]]."""
    result = _scipy_stats().fisher_exact([[s1, n1 - s1], [s2, n2 - s2]], alternative="two-sided")
    return float(result.statistic), float(result.pvalue)


def proportions_compare(
    *, sales: int, contacts: int, base_sales: int, base_contacts: int, alpha: float
) -> Comparison:
    """A version's conversion against the baseline's. Not applicable when either has no
    contacts; "better" or "worse" only when p < alpha, else no significant difference."""
    if contacts <= 0 or base_contacts <= 0:
        return Comparison(Verdict.NOT_APPLICABLE)
    difference = sales / contacts - base_sales / base_contacts
    if z_test_applies(sales, contacts, base_sales, base_contacts):
        test = Method.Z
        statistic, p_value = two_proportion_z_test(sales, contacts, base_sales, base_contacts)
    else:
        test = Method.FISHER
        statistic, p_value = fisher_exact_test(sales, contacts, base_sales, base_contacts)
    if p_value < alpha and difference > 0:
        verdict = Verdict.BETTER
    elif p_value < alpha and difference < 0:
        verdict = Verdict.WORSE
    else:
        verdict = Verdict.NO_DIFFERENCE
    return Comparison(verdict, test, statistic, p_value, difference)


def baseline_default(rows: Sequence[VersionCounts]) -> int | None:
    """The oldest version (lowest number) with contacts; None when no version has any."""
    numbers = [row.number for row in rows if row.contacts > 0]
    return min(numbers) if numbers else None


def versions_compare(
    rows: Sequence[VersionCounts], *, baseline: int | None, alpha: float
) -> list[VersionResult]:
    """Each version's conversion, interval and comparison with the baseline version (by
    number; None: the default baseline). Rows keep their order."""
    if baseline is None:
        baseline = baseline_default(rows)
    base = next((row for row in rows if row.number == baseline), None)
    results = []
    for row in rows:
        if base is None:
            comparison = Comparison(Verdict.NOT_APPLICABLE)
        elif row.number == base.number:
            comparison = Comparison(Verdict.BASELINE)
        else:
            comparison = proportions_compare(
                sales=row.sales,
                contacts=row.contacts,
                base_sales=base.sales,
                base_contacts=base.contacts,
                alpha=alpha,
            )
        results.append(
            VersionResult(
                counts=row,
                conversion=row.conversion,
                interval=wilson_interval(row.sales, row.contacts),
                comparison=comparison,
            )
        )
    return results
