"""retention_rate, promotions and attainment_improved_share (PRODUCT.md §5) on hand-computed
examples, for a rep and for teams by each rep's team and role on the day that matters, with
the not-applicable cases, and in `telesales kpi`."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.kpi.people import (
    attainment_improved_share,
    promotions,
    retention_rate,
    sales_attainment_of_reps,
)
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.kpi.targets import target_kpis
from telesales.org.models import Role
from telesales.org.scopes import scope_for_employee, scope_for_teams
from telesales.org.services import (
    employee_leave,
    employee_promote,
    employee_transfer,
    team_ensure,
)
from telesales.sales.services import product_upsert
from telesales.targets.models import Metric
from telesales.targets.services import target_set
from tests.conftest import _person
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")

MARCH = period_parse("2026-03")
APRIL = period_parse("2026-04")


def _value(kpi) -> tuple:
    return (kpi.value, kpi.numerator, kpi.denominator)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# -- retention_rate -----------------------------------------------------------------------------


@pytest.fixture
def leavers(org):
    """T1 has R1, R2 (from 2025) and:
    R4 hired 10 March 2026; R5 leaves 20 March; R6 leaves 1 April (their first day away);
    R7 moves to T2 on 15 March and leaves 25 March. T3 has nobody."""
    people = {}
    people["r4"] = _person(
        "R4", "四", Role.REP, team=org.t1, manager=org.s1, hire=_day("2026-03-10")
    )
    for no in ("R5", "R6", "R7"):
        people[no.lower()] = _person(no, no, Role.REP, team=org.t1, manager=org.s1)
    employee_leave(actor=None, employee=people["r5"], date=_day("2026-03-20"), voluntary=True)
    employee_leave(actor=None, employee=people["r6"], date=_day("2026-04-01"), voluntary=False)
    employee_transfer(actor=None, employee=people["r7"], team=org.t2, date=_day("2026-03-15"))
    employee_leave(actor=None, employee=people["r7"], date=_day("2026-03-25"), voluntary=True)
    org.t3 = team_ensure(actor=None, code="T3", department=org.sales, name="三组")
    return org


def test_retention_of_a_team_counts_its_leavers_over_its_average_headcount(leavers):
    # when
    kpi = retention_rate(scope_for_teams([leavers.t1]), MARCH)
    # then 1 March: R1, R2, R5, R6, R7 = 5; 31 March: R1, R2, R4, R6 = 4; average 4.5.
    # Leavers: R5 (in T1 the day before leaving); R7 was in T2 by then; R6 leaves in April.
    assert _value(kpi) == (D("3.5") / D("4.5"), D("3.5"), D("4.5"))


def test_a_leaver_counts_for_the_team_they_were_in_the_day_before_leaving(leavers):
    # when
    kpi = retention_rate(scope_for_teams([leavers.t2]), MARCH)
    # then 1 March: R3; 31 March: R3 (R7 joined on the 15th and left on the 25th); R7 left.
    assert _value(kpi) == (D(0), D(0), D(1))


def test_a_leave_date_on_the_first_day_of_a_period_counts_in_it(leavers):
    # when
    kpi = retention_rate(scope_for_teams([leavers.t1]), APRIL)
    # then 1 April: R1, R2, R4 (R6 is away from the 1st); 30 April: the same; R6 left.
    assert _value(kpi) == (D(2) / D(3), D(2), D(3))


def test_retention_of_a_rep(leavers):
    # when / then R1 stayed: (1 + 1) / 2 = 1 with no leaver
    assert _value(retention_rate(scope_for_employee(leavers.r1), MARCH)) == (D(1), D(1), D(1))


def test_retention_without_headcount_is_not_applicable(leavers):
    # when
    kpi = retention_rate(scope_for_teams([leavers.t3]), MARCH)
    # then
    assert _value(kpi) == (None, D(0), D(0))
    assert not kpi.applicable


# -- promotions ---------------------------------------------------------------------------------


@pytest.fixture
def promoted(org):
    """March 2026: R1 becomes a senior rep (5th); S1 gets a new title (10th); R3 (T2) becomes a
    senior rep (12th); R2 becomes a supervisor (20th). April: R1 again (3rd)."""
    employee_promote(actor=None, employee=org.r1, date=_day("2026-03-05"), position="高级电销专员")
    employee_promote(actor=None, employee=org.s1, date=_day("2026-03-10"), position="高级主管")
    employee_promote(actor=None, employee=org.r3, date=_day("2026-03-12"), position="高级电销专员")
    employee_promote(actor=None, employee=org.r2, date=_day("2026-03-20"), role=Role.SUPERVISOR)
    employee_promote(actor=None, employee=org.r1, date=_day("2026-04-03"), position="资深电销专员")
    org.t3 = team_ensure(actor=None, code="T3", department=org.sales, name="三组")
    return org


def test_promotions_of_a_teams_reps_in_a_period(promoted):
    # when / then T1 in March: R1 and R2 (a rep the day before); S1 is no rep
    assert _value(promotions(scope_for_teams([promoted.t1]), MARCH)) == (2, 2, None)
    assert _value(promotions(scope_for_teams([promoted.t2]), MARCH)) == (1, 1, None)
    assert _value(promotions(scope_for_teams([promoted.t1]), APRIL)) == (1, 1, None)


def test_promotions_of_a_rep(promoted):
    # when / then
    assert promotions(scope_for_employee(promoted.r2), MARCH).value == 1
    assert promotions(scope_for_employee(promoted.s1), MARCH).value == 0


def test_promotions_are_a_count_never_not_applicable(promoted):
    # when
    kpi = promotions(scope_for_teams([promoted.t3]), MARCH)
    # then
    assert _value(kpi) == (0, 0, None)


# -- attainment_improved_share ------------------------------------------------------------------


def _target(employee, period, value):
    target_set(
        actor=None, metric=Metric.SALES_AMOUNT, period=period, value=D(value), employee=employee
    )


@pytest.fixture
def attainment(org):
    """Monthly sales targets of 10,000 in February and March 2026.
    R1 sells 5,000 then 8,000 (50 % → 80 %); R2 6,000 then 3,000 (60 % → 30 %);
    R3 (T2) 1,000 then 2,000 (10 % → 20 %); R8 (T1) has a March target only (not applicable
    in February); R9 (T1) joins on 2 March (not in T1 at the end of February)."""
    product, _ = product_upsert(
        actor=None, code="P2", name="普通", key_product=False, unit_price=None
    )
    r8 = _person("R8", "八", Role.REP, team=org.t1, manager=org.s1)
    r9 = _person("R9", "九", Role.REP, team=org.t1, manager=org.s1, hire=_day("2026-03-02"))
    for rep in (org.r1, org.r2, org.r3):
        _target(rep, "2026-02", 10000)
        _target(rep, "2026-03", 10000)
    _target(r8, "2026-03", 10000)
    _target(r9, "2026-03", 10000)
    for no, rep, feb, mar in (
        ("1", org.r1, "5000", "8000"),
        ("2", org.r2, "6000", "3000"),
        ("3", org.r3, "1000", "2000"),
        ("8", r8, "4000", "9000"),
        ("9", r9, "0", "9000"),
    ):
        if feb != "0":
            deal(f"F{no}", rep, product, feb, "0", "2026-02-10")
        deal(f"M{no}", rep, product, mar, "0", "2026-03-10")
    org.r8, org.r9 = r8, r9
    org.t3 = team_ensure(actor=None, code="T3", department=org.sales, name="三组")
    return org


def test_the_share_of_a_teams_reps_whose_attainment_rose(attainment):
    # when
    kpi = attainment_improved_share(scope_for_teams([attainment.t1]), MARCH)
    # then R1 rose, R2 fell; R8 (no February target) and R9 (joined in March) left out
    assert _value(kpi) == (D(1) / D(2), 1, 2)
    assert _value(attainment_improved_share(scope_for_teams([attainment.t2]), MARCH)) == (
        D(1),
        1,
        1,
    )


def test_the_share_of_a_rep(attainment):
    # when / then
    assert _value(attainment_improved_share(scope_for_employee(attainment.r1), MARCH)) == (
        D(1),
        1,
        1,
    )
    assert _value(attainment_improved_share(scope_for_employee(attainment.r2), MARCH)) == (
        D(0),
        0,
        1,
    )


def test_the_share_is_not_applicable_without_attainment_in_both_periods(attainment):
    # when April has no targets, R8 has no February one, and T3 has nobody
    for scope, period in (
        (scope_for_teams([attainment.t1]), APRIL),
        (scope_for_employee(attainment.r8), MARCH),
        (scope_for_teams([attainment.t3]), MARCH),
    ):
        kpi = attainment_improved_share(scope, period)
        # then
        assert _value(kpi) == (None, 0, 0)


def test_a_quarter_is_compared_with_the_quarter_before(org):
    # given R3: 2025-Q4 target 30,000, sold 15,000 (50 %); 2026-Q1 target 30,000, sold
    # 12,000 (40 %)
    product, _ = product_upsert(
        actor=None, code="P2", name="普通", key_product=False, unit_price=None
    )
    _target(org.r3, "2025-Q4", 30000)
    _target(org.r3, "2026-Q1", 30000)
    deal("Q4", org.r3, product, "15000", "0", "2025-11-10")
    deal("Q1", org.r3, product, "12000", "0", "2026-02-10")
    # when
    kpi = attainment_improved_share(scope_for_teams([org.t2]), period_parse("2026-Q1"))
    # then it fell: 0 of 1
    assert _value(kpi) == (D(0), 0, 1)


def test_attainment_of_many_reps_is_each_reps_sales_attainment_kpi(attainment):
    # given
    reps = [attainment.r1, attainment.r2, attainment.r3, attainment.r8, attainment.r9]
    february = period_parse("2026-02")
    # when
    together = sales_attainment_of_reps([r.pk for r in reps], [february, MARCH])
    # then
    for period in (february, MARCH):
        for rep in reps:
            alone = target_kpis(scope_for_employee(rep), period)["sales_attainment"].value
            assert together[period.code][rep.pk] == alone
    assert together["2026-03"][attainment.r1.pk] == D("0.8")
    assert together["2026-02"][attainment.r8.pk] is None


# -- the catalogue ------------------------------------------------------------------------------


def test_the_three_kpis_are_in_the_catalogue_and_the_kpi_command(attainment):
    # given
    employee_leave(actor=None, employee=attainment.r2, date=_day("2026-03-31"), voluntary=True)
    out = io.StringIO()
    # when
    call_command("kpi", period="2026-03", scope="team:T1", json=True, stdout=out)
    # then T1: 1 March R1, R2, R8 = 3; 31 March R1, R8, R9 = 3; R2 left
    kpis = json.loads(out.getvalue())["kpis"]
    assert kpis["retention_rate"] == {"value": 2 / 3, "numerator": 2, "denominator": 3}
    assert kpis["promotions"] == {"value": 0, "numerator": 0, "denominator": None}
    # R2 is gone at the end of March: R1 rose, of R1 alone
    assert kpis["attainment_improved_share"] == {"value": 1, "numerator": 1, "denominator": 1}
    assert {"retention_rate", "promotions", "attainment_improved_share"} <= set(DEFINITIONS)
    assert set(kpis_compute(scope_for_employee(attainment.r1), MARCH, groups=["people"])) == {
        "retention_rate",
        "promotions",
        "attainment_improved_share",
    }
