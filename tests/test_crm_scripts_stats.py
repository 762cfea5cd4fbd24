"""Conversion by script version and its significance test (source §2.3.1), on counts worked
out by hand: no database."""

from __future__ import annotations

import pytest
from scipy import stats as scipy_stats

from telesales.crm.scripts.stats import (
    Z_95,
    Comparison,
    Interval,
    Method,
    Verdict,
    VersionCounts,
    baseline_default,
    conversion,
    expected_counts,
    fisher_exact_test,
    proportions_compare,
    two_proportion_z_test,
    versions_compare,
    wilson_interval,
    z_test_applies,
)


def _compare(sales, contacts, base_sales, base_contacts, alpha=0.05) -> Comparison:
    return proportions_compare(
        sales=sales,
        contacts=contacts,
        base_sales=base_sales,
        base_contacts=base_contacts,
        alpha=alpha,
    )


def test_the_written_out_z_is_scipys_97_5_percent_point():
    assert abs(Z_95 - float(scipy_stats.norm.ppf(0.975))) < 1e-15


@pytest.mark.parametrize("z", [0.0, 0.452, 1.96, 2.54, 4.0, -2.54])
def test_the_z_tests_p_value_is_scipys_two_sided_normal_tail(z):
    # the p-value is erfc(|z|/√2); scipy gives 2·sf(|z|) of the standard normal
    n = 1000  # 2·p̂(1−p̂)/n with p̂ = 0.5 → SE = √(0.5·0.5·2/1000) = 0.02236
    error = (0.5 * 0.5 * 2 / n) ** 0.5
    sales = round(n * (0.5 + z * error / 2))
    base = n - sales  # symmetric around 0.5, so the pooled p̂ stays 0.5
    statistic, p_value = two_proportion_z_test(sales, n, base, n)
    assert p_value == pytest.approx(float(2 * scipy_stats.norm.sf(abs(statistic))), rel=1e-12)


def test_conversion_is_sales_over_contacts_and_not_applicable_without_contacts():
    assert conversion(30, 100) == 0.3
    assert conversion(0, 12) == 0.0
    assert conversion(0, 0) is None


def test_wilson_interval_of_30_of_100():
    # p̂ = 0.3, z² = 3.8415; centre = (0.3 + 3.8415/200) / (1 + 3.8415/100) = 0.30740,
    # half = 1.96·√(0.3·0.7/100 + 3.8415/40000) / 1.038415 = 0.08845 → 0.21895 … 0.39585
    interval = wilson_interval(30, 100)
    assert interval.low == pytest.approx(0.21895, abs=5e-5)
    assert interval.high == pytest.approx(0.39585, abs=5e-5)


def test_wilson_interval_at_the_edges_stays_within_0_and_1():
    # 0 of 10: centre = (0 + 0.19207) / 1.38415 = 0.13876 = half → 0 … 0.27753
    assert wilson_interval(0, 10) == Interval(0.0, pytest.approx(0.27753, abs=5e-5))
    top = wilson_interval(10, 10)
    assert (top.low, top.high) == (pytest.approx(0.72247, abs=5e-5), pytest.approx(1.0))
    assert wilson_interval(0, 0) is None


def test_wilson_interval_refuses_more_successes_than_trials():
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_30_of_100_against_15_of_100_is_better_by_the_z_test():
    # pooled p̂ = 45/200 = 0.225; SE = √(0.225·0.775·(1/100 + 1/100)) = 0.059055;
    # z = (0.30 − 0.15) / 0.059055 = 2.540; p = 2·(1 − Φ(2.540)) = 0.01109 < 0.05
    # expected counts: 22.5 sales and 77.5 others in each row, all ≥ 5
    result = _compare(30, 100, 15, 100)
    assert result.test == Method.Z
    assert result.statistic == pytest.approx(2.540, abs=5e-4)
    assert result.p_value == pytest.approx(0.01109, abs=5e-5)
    assert result.difference == pytest.approx(0.15)
    assert result.verdict == Verdict.BETTER


def test_the_other_way_round_it_is_worse():
    result = _compare(15, 100, 30, 100)
    assert (result.test, result.verdict) == (Method.Z, Verdict.WORSE)
    assert result.statistic == pytest.approx(-2.540, abs=5e-4)
    assert result.p_value == pytest.approx(0.01109, abs=5e-5)


def test_a_stricter_significance_level_makes_the_same_counts_undecided():
    # p = 0.01109 is not below α = 0.01
    assert _compare(30, 100, 15, 100, alpha=0.01).verdict == Verdict.NO_DIFFERENCE


def test_12_of_100_against_10_of_100_is_no_significant_difference():
    # pooled p̂ = 0.11; SE = √(0.11·0.89·0.02) = 0.044249; z = 0.02 / 0.044249 = 0.452;
    # p = 0.651: a higher rate, but not a better version
    result = _compare(12, 100, 10, 100)
    assert result.test == Method.Z
    assert result.statistic == pytest.approx(0.452, abs=5e-4)
    assert result.p_value == pytest.approx(0.6513, abs=5e-5)
    assert result.verdict == Verdict.NO_DIFFERENCE


def test_7_of_10_against_1_of_10_uses_fishers_test():
    # expected sales in each row = 10·8/20 = 4 < 5 → Fisher. Hypergeometric, N = 20, 8 sales,
    # rows of 10, C(20,10) = 184756: P(7) = C(8,7)·C(12,3) = 1760, P(8) = 66, P(1) = 1760,
    # P(0) = 66; two-sided p = (1760 + 66 + 1760 + 66) / 184756 = 0.019767
    assert expected_counts(7, 10, 1, 10) == (4.0, 6.0, 4.0, 6.0)
    result = _compare(7, 10, 1, 10)
    assert result.test == Method.FISHER
    assert result.p_value == pytest.approx(0.019767, abs=5e-6)
    assert result.statistic == pytest.approx(21.0)  # odds ratio (7·9)/(3·1)
    assert result.verdict == Verdict.BETTER


def test_fishers_test_on_8_of_10_against_2_of_10():
    # P(8) = C(10,8)·C(10,2) / C(20,10) = 2025/184756, P(9) = 100/184756, P(10) = 1/184756;
    # two-sided p = 2·2126/184756 = 0.023014
    odds, p_value = fisher_exact_test(8, 10, 2, 10)
    assert p_value == pytest.approx(0.023014, abs=5e-6)
    assert odds == pytest.approx(16.0)


def test_8_of_10_against_2_of_10_has_expected_counts_of_exactly_5_so_the_z_test_applies():
    # pooled 10/20: every expected cell is 10·10/20 = 5, which is "at least 5"; z = 0.6 /
    # √(0.25·0.2) = 2.683, p = 0.00729. (Fisher's p on the same table is 0.0230, above.)
    assert expected_counts(8, 10, 2, 10) == (5.0, 5.0, 5.0, 5.0)
    assert z_test_applies(8, 10, 2, 10)
    result = _compare(8, 10, 2, 10)
    assert result.test == Method.Z
    assert result.statistic == pytest.approx(2.683, abs=5e-4)
    assert result.p_value == pytest.approx(0.00729, abs=5e-5)


def test_a_higher_rate_on_little_data_is_not_called_better():
    # 3/10 against 1/10: expected sales 2 < 5 → Fisher; N = 20, 4 sales: P(3) = P(1) =
    # 4·C(16,7) = 45760, P(4) = P(0) = 8008; p = 107536 / 184756 = 0.58204
    result = _compare(3, 10, 1, 10)
    assert result.test == Method.FISHER
    assert result.p_value == pytest.approx(0.58204, abs=5e-6)
    assert result.verdict == Verdict.NO_DIFFERENCE


def test_zero_contacts_on_either_side_is_not_applicable():
    for args in [(0, 0, 10, 100), (10, 100, 0, 0)]:
        result = _compare(*args)
        assert result == Comparison(Verdict.NOT_APPLICABLE)


def test_no_sales_anywhere_is_no_difference_by_fishers_test():
    # every expected sale count is 0 < 5 → Fisher, p = 1
    result = _compare(0, 50, 0, 40)
    assert (result.test, result.p_value, result.verdict) == (
        Method.FISHER,
        pytest.approx(1.0),
        Verdict.NO_DIFFERENCE,
    )


def test_the_z_test_refuses_a_table_without_variation():
    with pytest.raises(ValueError):
        two_proportion_z_test(0, 10, 0, 10)


def test_the_default_baseline_is_the_oldest_version_with_contacts():
    rows = [
        VersionCounts(number=1, outcomes=4, contacts=0, sales=0),
        VersionCounts(number=2, outcomes=120, contacts=100, sales=15),
        VersionCounts(number=3, outcomes=110, contacts=100, sales=30),
    ]
    assert baseline_default(rows) == 2
    assert baseline_default(rows[:1]) is None


def test_versions_compare_against_the_default_and_a_chosen_baseline():
    # given
    rows = [
        VersionCounts(number=1, outcomes=4, contacts=0, sales=0),
        VersionCounts(number=2, outcomes=120, contacts=100, sales=15),
        VersionCounts(number=3, outcomes=110, contacts=100, sales=30),
    ]
    # when
    default = versions_compare(rows, baseline=None, alpha=0.05)
    chosen = versions_compare(rows, baseline=3, alpha=0.05)
    # then
    assert [r.comparison.verdict for r in default] == [
        Verdict.NOT_APPLICABLE,
        Verdict.BASELINE,
        Verdict.BETTER,
    ]
    assert [r.comparison.verdict for r in chosen] == [
        Verdict.NOT_APPLICABLE,
        Verdict.WORSE,
        Verdict.BASELINE,
    ]
    assert [r.conversion for r in default] == [None, 0.15, 0.3]
    assert default[0].interval is None
    assert default[2].interval == wilson_interval(30, 100)


def test_a_baseline_without_contacts_makes_every_comparison_not_applicable():
    rows = [
        VersionCounts(number=1, outcomes=4, contacts=0, sales=0),
        VersionCounts(number=2, outcomes=120, contacts=100, sales=15),
    ]
    results = versions_compare(rows, baseline=1, alpha=0.05)
    assert [r.comparison.verdict for r in results] == [
        Verdict.BASELINE,
        Verdict.NOT_APPLICABLE,
    ]


def test_no_version_with_contacts_compares_nothing():
    rows = [VersionCounts(number=1, outcomes=3, contacts=0, sales=0)]
    assert versions_compare(rows, baseline=None, alpha=0.05)[0].comparison == Comparison(
        Verdict.NOT_APPLICABLE
    )
