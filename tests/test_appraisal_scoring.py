"""The scoring engine (PRODUCT.md §5 rated KPIs, §6): every number below is worked out by
hand in the comments and asserted exactly, to the cent."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from telesales.appraisal.scoring import (
    KpiInput,
    Rating,
    Redistribution,
    annual_total,
    curve_score,
    grade_of,
    rated_value,
    round_score,
    scheme_score,
)
from telesales.appraisal.spec import Band, Category, KpiLine, Scheme

# --- §6.1 linear ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "expected"),
    [
        # 84125 / 100000 = 0.84125 → 84.125 → half-up 84.13
        ("84125", "100000", "84.13"),
        # 120 / 100 = 1.2 → 120 = the cap exactly
        ("120", "100", "120.00"),
        # 150 / 100 = 1.5 → 150, capped at 120
        ("150", "100", "120.00"),
        # a negative actual: ratio -0.1 < floor 0 → 0
        ("-10", "100", "0.00"),
        # 0 / 100 = 0, not below floor 0 → min(120, 0) = 0
        ("0", "100", "0.00"),
    ],
)
def test_linear_below_at_and_above_cap(actual, target, expected):
    # given
    line = KpiLine(kpi="sales_per_head", weight=D(20))
    # when
    score = curve_score(line, D(actual), D(target))
    # then
    assert str(score) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        # 49 / 100 = 0.49 < floor 0.5 → 0
        ("49", "0.00"),
        # 50 / 100 = 0.5, not below the floor → 50
        ("50", "50.00"),
        # 51 / 100 = 0.51 → 51
        ("51", "51.00"),
    ],
)
def test_linear_below_at_and_above_floor(actual, expected):
    # given
    line = KpiLine(kpi="sales_per_head", weight=D(20), floor=D("0.5"))
    # when
    score = curve_score(line, D(actual), D(100))
    # then
    assert str(score) == expected


def test_linear_with_a_custom_cap():
    # given: cap 100; 1.05 → 105, capped at 100
    line = KpiLine(kpi="sales_attainment", weight=D(60), cap=D(100))
    # when / then
    assert curve_score(line, D("1.05"), None) == D("100.00")


def test_linear_without_target_is_an_attainment():
    # given: target None means 1, so 100 × 0.9 = 90
    line = KpiLine(kpi="sales_attainment", weight=D(60))
    # when / then
    assert curve_score(line, D("0.9"), None) == D("90.00")


def test_no_actual_is_not_applicable():
    # given
    line = KpiLine(kpi="sales_attainment", weight=D(60))
    # when / then
    assert curve_score(line, None, D(100)) is None


def test_linear_with_target_zero_is_not_applicable():
    # given: a ratio to a 0 target does not exist
    line = KpiLine(kpi="sales_per_head", weight=D(20))
    # when / then
    assert curve_score(line, D(5), D(0)) is None


# --- §6.1 linear_lower ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        # actual 0 → the cap, 120
        ("0", "120.00"),
        # 10 / 8 = 1.25 → 125, capped at 120
        ("8", "120.00"),
        # 12 / 10 = 1.2 → 120 = the cap exactly (target 12 below)
        ("10", "120.00"),
        # 12 / 12 = 1 → 100
        ("12", "100.00"),
        # 12 / 18 = 0.6666… → 66.666… → 66.67
        ("18", "66.67"),
        # 12 / 32 = 0.375 → 37.5
        ("32", "37.50"),
    ],
)
def test_linear_lower(actual, expected):
    # given: lower is better, target 12
    line = KpiLine(kpi="complaints", weight=D(20), curve="linear_lower")
    # when
    score = curve_score(line, D(actual), D(12))
    # then
    assert str(score) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        # 10 / 25 = 0.4 < floor 0.5 → 0
        ("25", "0.00"),
        # 10 / 20 = 0.5, at the floor → 50
        ("20", "50.00"),
        # 10 / 16 = 0.625 → 62.5
        ("16", "62.50"),
    ],
)
def test_linear_lower_floor(actual, expected):
    # given
    line = KpiLine(kpi="complaints", weight=D(20), curve="linear_lower", floor=D("0.5"))
    # when / then
    assert str(curve_score(line, D(actual), D(10))) == expected


# --- §6.1 bands ----------------------------------------------------------------------------

BANDS = (
    # listed out of order on purpose: the highest `min` ≤ value wins, whatever the order
    Band(min=D("0.8"), score=D(80)),
    Band(min=D("1.0"), score=D(100)),
    Band(min=D("0.6"), score=D(60)),
)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        # ratio 150/100 = 1.5 ≥ 1.0 → 100
        ("150", "100.00"),
        # ratio 1.0, exactly on the band → 100
        ("100", "100.00"),
        # ratio 0.95: highest min ≤ 0.95 is 0.8 → 80
        ("95", "80.00"),
        # ratio 0.8 exactly → 80
        ("80", "80.00"),
        # ratio 0.6 exactly → 60
        ("60", "60.00"),
        # ratio 0.59: below every band → 0
        ("59", "0.00"),
    ],
)
def test_bands_on_ratio(actual, expected):
    # given
    line = KpiLine(kpi="sales_per_head", weight=D(20), curve="bands", bands=BANDS)
    # when / then
    assert str(curve_score(line, D(actual), D(100))) == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        # the actual 90 itself ≥ 90 → 100 (the target 1000 is not used)
        ("90", "100.00"),
        # 85 ≥ 80 → 85
        ("85", "85.00"),
        # 79.99 is below every band → 0
        ("79.99", "0.00"),
    ],
)
def test_bands_on_actual(actual, expected):
    # given
    bands = (Band(min=D(90), score=D(100)), Band(min=D(80), score=D(85)))
    line = KpiLine(kpi="qa_score_avg", weight=D(20), curve="bands", bands=bands, bands_on="actual")
    # when / then
    assert str(curve_score(line, D(actual), D(1000))) == expected


# --- §6.1 rating and identity --------------------------------------------------------------


@pytest.mark.parametrize(
    ("rated", "expected"),
    [
        # 20 × 1 = 20
        ("1", "20.00"),
        # 20 × 5 = 100
        ("5", "100.00"),
        # 20 × 4.21875 = 84.375 → half-up 84.38
        ("4.21875", "84.38"),
        # 20 × 3.875 = 77.5
        ("3.875", "77.50"),
    ],
)
def test_rating_curve(rated, expected):
    # given
    line = KpiLine(kpi="process_compliance", weight=D(50), curve="rating")
    # when / then
    assert str(curve_score(line, D(rated), None)) == expected


@pytest.mark.parametrize(
    ("actual", "cap", "expected"),
    [
        # 105 clamped to the cap 100
        ("105", "100", "100.00"),
        # 130 clamped to the default cap 120
        ("130", None, "120.00"),
        # -3 clamped to 0
        ("-3", "100", "0.00"),
        # 84.125 → half-up 84.13
        ("84.125", "100", "84.13"),
        # 84.124 → 84.12
        ("84.124", "100", "84.12"),
    ],
)
def test_identity_curve(actual, cap, expected):
    # given
    extra = {"cap": D(cap)} if cap else {}
    line = KpiLine(kpi="qa_score_avg", weight=D(50), curve="identity", **extra)
    # when / then
    assert str(curve_score(line, D(actual), None)) == expected


def test_unknown_curve_is_refused():
    # given
    line = KpiLine(kpi="qa_score_avg", weight=D(50), curve="cubic")
    # when / then
    with pytest.raises(ValueError, match="Unknown score curve 'cubic'"):
        curve_score(line, D(1), None)


def test_round_score_is_half_up():
    # given / when / then: 0.005 goes up, unlike banker's rounding (84.125 → 84.12)
    assert round_score(D("84.125")) == D("84.13")
    assert round_score(D("84.135")) == D("84.14")
    assert round_score(D("84.1249")) == D("84.12")


# --- §5 rated values -----------------------------------------------------------------------


def _ratings(*rows):
    return [Rating(group, rater, dimension, D(score)) for group, rater, dimension, score in rows]


def test_rated_value_is_superior_only_by_default():
    # given: superior S1 rates the three dimensions 4, 5, 3 → their rating (4+5+3)/3 = 4;
    # the peer's 1 is kept but not counted by default
    ratings = _ratings(
        ("superior", "S1", "responsibility", "4"),
        ("superior", "S1", "leadership", "5"),
        ("superior", "S1", "innovation", "3"),
        ("peer", "P1", "", "1"),
    )
    # when
    value = rated_value(ratings, {})
    # then
    assert value == D(4)


def test_rated_value_group_mean_is_over_raters_not_ratings():
    # given: peer P1 rates three dimensions 2, 3, 4 → 3; peer P2 rates once: 5.
    # group mean (3 + 5)/2 = 4 (a flat mean of the four ratings would be 14/4 = 3.5)
    ratings = _ratings(
        ("peer", "P1", "responsibility", "2"),
        ("peer", "P1", "leadership", "3"),
        ("peer", "P1", "innovation", "4"),
        ("peer", "P2", "", "5"),
    )
    # when
    value = rated_value(ratings, {"peer": D(100)})
    # then
    assert value == D(4)


def test_rated_value_weighted_over_groups():
    # given: 60/20/20. superior S1 4 → 4; peers P1 3, P2 4 → 3.5;
    # subordinates U1 5, U2 2, U3 2 → 3.
    # value = (60×4 + 20×3.5 + 20×3) / 100 = (240 + 70 + 60) / 100 = 3.7
    ratings = _ratings(
        ("superior", "S1", "", "4"),
        ("peer", "P1", "", "3"),
        ("peer", "P2", "", "4"),
        ("subordinate", "U1", "", "5"),
        ("subordinate", "U2", "", "2"),
        ("subordinate", "U3", "", "2"),
        ("self", "R1", "", "5"),  # not configured: kept, not counted
    )
    groups = {"superior": D(60), "peer": D(20), "subordinate": D(20)}
    # when
    value = rated_value(ratings, groups)
    # then
    assert value == D("3.7")


def test_rated_value_missing_group_shares_its_weight():
    # given: 60/20/20 but no subordinate rated. The 20 is shared 60:20 between superior and
    # peer, i.e. value = (60×4 + 20×3.5) / (60 + 20) = 310 / 80 = 3.875
    ratings = _ratings(
        ("superior", "S1", "", "4"),
        ("peer", "P1", "", "3"),
        ("peer", "P2", "", "4"),
    )
    groups = {"superior": D(60), "peer": D(20), "subordinate": D(20)}
    # when
    value = rated_value(ratings, groups)
    # then
    assert value == D("3.875")


def test_rated_value_without_counted_ratings_is_not_applicable():
    # given: only a peer rated, and the default counts the superior only
    ratings = _ratings(("peer", "P1", "", "3"))
    # when / then
    assert rated_value(ratings, {}) is None
    assert rated_value([], {"superior": D(60), "peer": D(40)}) is None


# --- §6.2/§6.3 scheme total ----------------------------------------------------------------


def _scheme(*, key_missing="redistribute", grades=None):
    results = Category(
        code="results",
        name="業績指標",
        weight=D(40),
        kpis=(
            KpiLine(kpi="sales_attainment", weight=D(60)),
            KpiLine(kpi="sales_per_head", weight=D(20), target=D(150000)),
            KpiLine(kpi="key_product_attainment", weight=D(20), when_missing=key_missing),
        ),
    )
    quality = Category(
        code="quality",
        name="質量",
        weight=D(60),
        kpis=(
            KpiLine(kpi="qa_score_avg", weight=D(50), curve="identity", cap=D(100)),
            KpiLine(kpi="process_compliance", weight=D(50), curve="rating"),
        ),
    )
    extra = {"grades": grades} if grades else {}
    return Scheme(
        code="supervisor-2026",
        name="電銷主管考核方案",
        applies_to="supervisor",
        categories=(results, quality),
        **extra,
    )


FULL_VALUES = {
    # 100 × 0.9 = 90
    "sales_attainment": KpiInput(D("0.9")),
    # 120000 / 150000 = 0.8 → 80 (the line's target; the input's 999 is ignored)
    "sales_per_head": KpiInput(D(120000), D(999)),
    # 100 × 1.1 = 110
    "key_product_attainment": KpiInput(D("1.1")),
    # identity 85.5
    "qa_score_avg": KpiInput(D("85.5")),
    # 20 × 3.875 = 77.5
    "process_compliance": KpiInput(D("3.875")),
}


def _by_kpi(result):
    return {row.kpi: row for row in result.kpis}


def _by_category(result):
    return {row.code: row for row in result.categories}


def test_scheme_with_every_kpi():
    # given: results = (60×90 + 20×80 + 20×110) / 100 = (5400 + 1600 + 2200) / 100 = 92.00
    # quality = (50×85.5 + 50×77.5) / 100 = 81.50
    # total = (40×92 + 60×81.5) / 100 = (3680 + 4890) / 100 = 85.70 → A
    scheme = _scheme()
    # when
    result = scheme_score(scheme, FULL_VALUES)
    # then
    kpis = _by_kpi(result)
    assert [(k, r.score, r.effective_weight) for k, r in kpis.items()] == [
        ("sales_attainment", D("90.00"), D(60)),
        ("sales_per_head", D("80.00"), D(20)),
        ("key_product_attainment", D("110.00"), D(20)),
        ("qa_score_avg", D("85.50"), D(50)),
        ("process_compliance", D("77.50"), D(50)),
    ]
    assert kpis["sales_per_head"].target == D(150000)
    assert kpis["sales_attainment"].target is None
    assert all(r.applicable and r.counted for r in result.kpis)
    cats = _by_category(result)
    assert (cats["results"].score, cats["results"].effective_weight) == (D("92.00"), D(40))
    assert (cats["quality"].score, cats["quality"].effective_weight) == (D("81.50"), D(60))
    assert (result.total, result.grade) == (D("85.70"), "A")
    # stored to the cent: two places at every level
    assert [str(cats["results"].score), str(result.total)] == ["92.00", "85.70"]
    assert result.redistributions == ()


def test_input_target_is_used_when_the_line_gives_none():
    # given: a line without target; the input's target 200 → 150 / 200 = 0.75 → 75
    scheme = Scheme(
        code="x",
        name="x",
        applies_to="rep",
        categories=(
            Category(
                code="c",
                name="c",
                weight=D(100),
                kpis=(KpiLine(kpi="sales_amount", weight=D(100)),),
            ),
        ),
    )
    # when
    result = scheme_score(scheme, {"sales_amount": KpiInput(D(150), D(200))})
    # then
    assert (result.kpis[0].target, result.kpis[0].score, result.total) == (
        D(200),
        D("75.00"),
        D("75.00"),
    )


def test_redistribution_inside_a_category():
    # given: sales_per_head (20 of 60/20/20) has no value (absent from the values).
    # Its 20 goes 60:20 → 15 to sales_attainment, 5 to key_product: weights 75/25.
    # results = (75×90 + 25×110) / 100 = (6750 + 2750) / 100 = 95.00
    # total = (40×95 + 60×81.5) / 100 = (3800 + 4890) / 100 = 86.90 → A
    values = {k: v for k, v in FULL_VALUES.items() if k != "sales_per_head"}
    # when
    result = scheme_score(_scheme(), values)
    # then
    kpis = _by_kpi(result)
    missing = kpis["sales_per_head"]
    assert (missing.score, missing.applicable, missing.counted, missing.effective_weight) == (
        None,
        False,
        False,
        D(0),
    )
    assert kpis["sales_attainment"].effective_weight == D(75)
    assert kpis["key_product_attainment"].effective_weight == D(25)
    assert _by_category(result)["results"].score == D("95.00")
    assert (result.total, result.grade) == (D("86.90"), "A")
    assert result.redistributions == (
        Redistribution(
            level="kpi",
            category="results",
            source="sales_per_head",
            rule="redistribute",
            weight=D(20),
            shares=(("sales_attainment", D(15)), ("key_product_attainment", D(5))),
        ),
    )


def test_redistribution_in_exact_proportion_without_rounding_weights():
    # given: weights 40/30/30, the last missing. Its 30 goes 40:30 → 120/7 and 90/7
    # (not rounded); effective weights 4000/70 and 3000/70.
    # score = (40×100 + 30×65) / 70 = 5950 / 70 = 85.00
    category = Category(
        code="c",
        name="c",
        weight=D(100),
        kpis=(
            KpiLine(kpi="a", weight=D(40), curve="identity"),
            KpiLine(kpi="b", weight=D(30), curve="identity"),
            KpiLine(kpi="c", weight=D(30), curve="identity"),
        ),
    )
    scheme = Scheme(code="x", name="x", applies_to="rep", categories=(category,))
    # when
    result = scheme_score(scheme, {"a": KpiInput(D(100)), "b": KpiInput(D(65))})
    # then
    assert result.redistributions[0].shares == (("a", D(120) / 7), ("b", D(90) / 7))
    assert [r.effective_weight for r in result.kpis] == [D(4000) / 70, D(3000) / 70, D(0)]
    assert result.total == D("85.00")


def test_redistribution_across_categories():
    # given: no quality KPI has a value, so quality (60) shares its weight with results
    # alone: results counts 100. total = results = 92.00 → A
    values = {
        k: v for k, v in FULL_VALUES.items() if k not in ("qa_score_avg", "process_compliance")
    }
    # when
    result = scheme_score(_scheme(), values)
    # then
    cats = _by_category(result)
    assert (cats["quality"].score, cats["quality"].effective_weight) == (None, D(0))
    assert (cats["results"].score, cats["results"].effective_weight) == (D("92.00"), D(100))
    assert (result.total, result.grade) == (D("92.00"), "A")
    assert result.redistributions == (
        Redistribution(
            level="category",
            category="quality",
            source="quality",
            rule="redistribute",
            weight=D(60),
            shares=(("results", D(60)),),
        ),
    )


def test_category_redistribution_is_proportional():
    # given: weights 50/30/20, the 20 missing → 12.5 to the 50 and 7.5 to the 30,
    # effective 62.5/37.5. total = (50×80 + 30×60) / 80 = 5800 / 80 = 72.50 → C
    def one(code, weight):
        line = KpiLine(kpi=code, weight=D(100), curve="identity")
        return Category(code=code, name=code, weight=D(weight), kpis=(line,))

    scheme = Scheme(
        code="x", name="x", applies_to="rep", categories=(one("a", 50), one("b", 30), one("c", 20))
    )
    # when
    result = scheme_score(scheme, {"a": KpiInput(D(80)), "b": KpiInput(D(60)), "c": KpiInput(None)})
    # then
    assert [c.effective_weight for c in result.categories] == [D("62.5"), D("37.5"), D(0)]
    assert (result.total, result.grade) == (D("72.50"), "C")
    assert result.redistributions == (
        Redistribution(
            level="category",
            category="c",
            source="c",
            rule="redistribute",
            weight=D(20),
            shares=(("a", D("12.5")), ("b", D("7.5"))),
        ),
    )


def test_when_missing_zero_scores_zero_and_keeps_its_weight():
    # given: key_product_attainment (20) has no value and says zero.
    # results = (60×90 + 20×80 + 20×0) / 100 = 7000 / 100 = 70.00
    # total = (40×70 + 60×81.5) / 100 = (2800 + 4890) / 100 = 76.90 → B
    values = dict(FULL_VALUES, key_product_attainment=KpiInput(None))
    # when
    result = scheme_score(_scheme(key_missing="zero"), values)
    # then
    row = _by_kpi(result)["key_product_attainment"]
    assert (row.score, row.applicable, row.counted, row.effective_weight) == (
        D("0.00"),
        False,
        True,
        D(20),
    )
    assert _by_category(result)["results"].score == D("70.00")
    assert (result.total, result.grade) == (D("76.90"), "B")
    assert result.redistributions == (
        Redistribution(
            level="kpi",
            category="results",
            source="key_product_attainment",
            rule="zero",
            weight=D(20),
            score=D("0.00"),
        ),
    )


def test_when_missing_full_scores_100():
    # given: results = (60×90 + 20×80 + 20×100) / 100 = 9000 / 100 = 90.00
    # total = (40×90 + 60×81.5) / 100 = (3600 + 4890) / 100 = 84.90 → B
    values = dict(FULL_VALUES, key_product_attainment=KpiInput(None))
    # when
    result = scheme_score(_scheme(key_missing="full"), values)
    # then
    assert _by_kpi(result)["key_product_attainment"].score == D("100.00")
    assert _by_category(result)["results"].score == D("90.00")
    assert (result.total, result.grade) == (D("84.90"), "B")
    assert result.redistributions[0].rule == "full"


def test_when_missing_zero_also_receives_redistributed_weight():
    # given: sales_per_head (20) missing → redistribute among the counted KPIs, which include
    # key_product (20) scored 0 by `zero`: 60:20 → effective 75/25.
    # results = (60×90 + 20×0) / 80 = 5400 / 80 = 67.50
    values = dict(FULL_VALUES, sales_per_head=KpiInput(None), key_product_attainment=KpiInput(None))
    # when
    result = scheme_score(_scheme(key_missing="zero"), values)
    # then
    kpis = _by_kpi(result)
    assert kpis["key_product_attainment"].effective_weight == D(25)
    assert _by_category(result)["results"].score == D("67.50")
    assert [(s.source, s.rule, s.shares) for s in result.redistributions] == [
        ("key_product_attainment", "zero", ()),
        (
            "sales_per_head",
            "redistribute",
            (("sales_attainment", D(15)), ("key_product_attainment", D(5))),
        ),
    ]


def test_total_is_computed_from_rounded_category_scores():
    # given: a (50) = identity 80.005 → 80.01; b (50) = identity 80.004 → 80.00.
    # total from rounded categories: (80.01 + 80.00) / 2 = 80.005 → 80.01.
    # (From unrounded scores it would be (80.005 + 80.004) / 2 = 80.0045 → 80.00.)
    def one(code):
        line = KpiLine(kpi=code, weight=D(100), curve="identity")
        return Category(code=code, name=code, weight=D(50), kpis=(line,))

    scheme = Scheme(code="x", name="x", applies_to="rep", categories=(one("a"), one("b")))
    # when
    result = scheme_score(scheme, {"a": KpiInput(D("80.005")), "b": KpiInput(D("80.004"))})
    # then
    assert [c.score for c in result.categories] == [D("80.01"), D("80.00")]
    assert result.total == D("80.01")


def test_category_is_computed_from_rounded_kpi_scores():
    # given: weights 50/50; KPI scores 70.005 → 70.01 and 70.004 → 70.00.
    # category from rounded KPI scores: (50×70.01 + 50×70.00) / 100 = 70.005 → 70.01.
    # (From unrounded scores it would be (70.005 + 70.004) / 2 = 70.0045 → 70.00.)
    category = Category(
        code="c",
        name="c",
        weight=D(100),
        kpis=(
            KpiLine(kpi="a", weight=D(50), curve="identity"),
            KpiLine(kpi="b", weight=D(50), curve="identity"),
        ),
    )
    scheme = Scheme(code="x", name="x", applies_to="rep", categories=(category,))
    # when
    result = scheme_score(scheme, {"a": KpiInput(D("70.005")), "b": KpiInput(D("70.004"))})
    # then
    assert [r.score for r in result.kpis] == [D("70.01"), D("70.00")]
    assert (result.categories[0].score, result.total) == (D("70.01"), D("70.01"))


def test_no_applicable_kpi_anywhere_has_no_total():
    # given
    scheme = _scheme()
    # when
    result = scheme_score(scheme, {})
    # then
    assert (result.total, result.grade) == (None, None)
    assert [c.score for c in result.categories] == [None, None]
    assert result.redistributions == ()


def test_scheme_grades_are_used():
    # given: the scheme's own bands {A: 90, B: 50}; 85.70 → B
    scheme = _scheme(grades={"A": D(90), "B": D(50)})
    # when / then
    assert scheme_score(scheme, FULL_VALUES).grade == "B"


# --- §6.4 grades ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "S"),
        ("95.00", "S"),
        ("94.99", "A"),
        # graded on the rounded total: 94.995 → 95.00 → S; 94.994 → 94.99 → A
        ("94.995", "S"),
        ("94.994", "A"),
        ("85.00", "A"),
        ("84.99", "B"),
        ("75.00", "B"),
        ("74.99", "C"),
        ("60.00", "C"),
        ("59.99", "D"),
        ("0", "D"),
    ],
)
def test_grade_band_edges(total, grade):
    # given / when / then
    assert grade_of(D(total)) == grade


def test_grade_with_custom_bands():
    # given
    grades = {"A": D(90), "B": D(50)}
    # when / then
    assert [grade_of(D(t), grades) for t in ("90", "89.99", "50", "49.99")] == ["A", "B", "B", "D"]


# --- §6.4 annual total ---------------------------------------------------------------------


def test_annual_total_equal_weights_with_a_missing_quarter():
    # given: Q2 had no appraisal (None), Q4 none at all: (80 + 90) / 2 = 85.00
    quarters = {1: D("80.00"), 2: None, 3: D("90.00")}
    # when / then
    assert annual_total(quarters) == D("85.00")


def test_annual_total_rounds_half_up():
    # given: (85 + 90 + 88) / 3 = 263 / 3 = 87.666… → 87.67; (80.01 + 80.00) / 2 = 80.005 → 80.01
    # when / then
    assert annual_total({1: D(85), 2: D(90), 3: D(88)}) == D("87.67")
    assert annual_total({1: D("80.01"), 2: D("80.00")}) == D("80.01")


def test_annual_total_with_weights_and_a_missing_quarter():
    # given: weights 10/20/30/40, Q4 missing: its 40 shared 10:20:30.
    # (10×80 + 20×70 + 30×90) / 60 = (800 + 1400 + 2700) / 60 = 4900 / 60 = 81.666… → 81.67
    quarters = {1: D(80), 2: D(70), 3: D(90), 4: None}
    weights = {1: D(10), 2: D(20), 3: D(30), 4: D(40)}
    # when / then
    assert annual_total(quarters, weights) == D("81.67")


def test_annual_total_without_any_quarter():
    # given / when / then
    assert annual_total({1: None, 2: None}) is None
    assert annual_total({}) is None
