"""Attainment KPIs (PRODUCT.md §5): actual / target of a rep and of a team, the target coming
from stored target plans phased over working days, on hand-computed examples."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.crm.customers.services import customer_create
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.kpi.targets import ATTAINMENTS, TARGET_KPIS, target_kpis
from telesales.org.scopes import scope_for_employee, scope_for_teams, scope_parse
from telesales.sales.services import product_upsert
from telesales.targets.decomposition import split_compute
from telesales.targets.models import Method, Metric
from telesales.targets.services import split_apply, target_set
from tests.calls_files import give_extensions, import_calls, outbound
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"  # 23 + 21 + 22 = 66 working days on the China calendar


def _value(kpi) -> tuple:
    return (kpi.value, kpi.numerator, kpi.denominator)


def _target(metric, value, *, period=Q3, team=None, employee=None):
    target, _outcome = target_set(
        actor=None, metric=metric, period=period, value=D(value), team=team, employee=employee
    )
    return target


@pytest.fixture
def sales(org):
    """P1 is a key product, P2 is not.
    R1 (T1): D1 won P1 30,000 on 7 July; D2 won P2 20,000 on 12 August; D1-R refunds 5,000
        of D1 on 15 September.
    R2 (T1): D3 won P2 10,000 on 20 July.
    R3 (T2): D4 won P1 8,000 on 5 July.
    So in Q3: R1 sold 45,000 (key 25,000), R2 10,000, T1 55,000, R3 8,000."""
    p1, _ = product_upsert(actor=None, code="P1", name="重点", key_product=True, unit_price=None)
    p2, _ = product_upsert(actor=None, code="P2", name="普通", key_product=False, unit_price=None)
    deal("D1", org.r1, p1, "30000", "9000", "2026-07-07")
    deal("D2", org.r1, p2, "20000", "6000", "2026-08-12")
    deal("D1-R", org.r1, p1, "5000", "1500", "2026-09-15", status="refunded")
    deal("D3", org.r2, p2, "10000", "3000", "2026-07-20")
    deal("D4", org.r3, p1, "8000", "2400", "2026-07-05")
    return org


@pytest.fixture
def split(sales):
    """T1's quarter target of 66,000 split equally: 33,000 each, 500 a working day."""
    parent = _target(Metric.SALES_AMOUNT, "66000", team=sales.t1)
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    return sales


def test_a_reps_sales_attainment_counts_the_refund(split):
    # when
    kpis = target_kpis(scope_for_employee(split.r1), period_parse(Q3))
    # then 30,000 + 20,000 − 5,000 of 33,000
    assert _value(kpis["sales_attainment"]) == (D(45000) / D(33000), D(45000), D(33000))


def test_a_teams_sales_attainment_uses_its_own_target(split):
    # when
    kpis = target_kpis(scope_for_teams([split.t1]), period_parse(Q3))
    # then R1's 45,000 and R2's 10,000 of T1's 66,000
    assert _value(kpis["sales_attainment"]) == (D(55000) / D(66000), D(55000), D(66000))
    # and a supervisor's teams are the teams they lead
    led = target_kpis(scope_parse("supervisor:S1"), period_parse(Q3))
    assert _value(led["sales_attainment"]) == _value(kpis["sales_attainment"])


@pytest.mark.parametrize(
    ("period", "actual", "target"),
    [
        ("2026-07", "30000", "11500"),  # 23 working days × 500
        ("2026-08", "20000", "10500"),  # 21 working days × 500
        ("2026-09", "-5000", "11000"),  # 22 working days × 500; only the refund
        ("2026-10-08..2026-10-09", "0", None),  # after the quarter: no target
        ("2026", "45000", None),  # the other quarters have no target
    ],
)
def test_a_months_attainment_comes_from_the_phased_quarter(split, period, actual, target):
    # when
    kpi = target_kpis(scope_for_employee(split.r1), period_parse(period))["sales_attainment"]
    # then
    if target is None:
        assert _value(kpi) == (None, D(actual), None)
    else:
        assert _value(kpi) == (D(actual) / D(target), D(actual), D(target))


def test_a_month_target_wins_over_its_share_of_the_quarter(split):
    # given R1's own August target of 40,000
    _target(Metric.SALES_AMOUNT, "40000", period="2026-08", employee=split.r1)
    # when
    kpi = target_kpis(scope_for_employee(split.r1), period_parse("2026-08"))["sales_attainment"]
    # then
    assert _value(kpi) == (D("0.5"), D(20000), D(40000))


def test_key_product_attainment_against_a_key_product_target(sales):
    # given R1's key-product target of 20,000 for the quarter
    _target(Metric.KEY_PRODUCT_AMOUNT, "20000", employee=sales.r1)
    # when
    kpis = target_kpis(scope_for_employee(sales.r1), period_parse(Q3))
    # then D1's 30,000 less its 5,000 refund; D2 is not a key product
    assert _value(kpis["key_product_attainment"]) == (D("1.25"), D(25000), D(20000))
    # and a sales target does not make a key-product target
    assert _value(kpis["sales_attainment"]) == (None, D(45000), None)


def test_key_product_attainment_is_not_applicable_without_a_target(sales):
    # when
    kpis = target_kpis(scope_for_employee(sales.r1), period_parse("2026-07"))
    # then the key sales are kept as the numerator
    assert _value(kpis["key_product_attainment"]) == (None, D(30000), None)
    assert kpis["key_product_attainment"].applicable is False


def test_not_applicable_without_a_target_or_with_a_target_of_zero(sales):
    # given R3 has a deals-won target of 0 and no other
    _target(Metric.DEALS_WON, "0", employee=sales.r3)
    # when
    kpis = target_kpis(scope_for_employee(sales.r3), period_parse(Q3))
    # then
    assert tuple(kpis) == TARGET_KPIS
    assert _value(kpis["sales_attainment"]) == (None, D(8000), None)
    assert _value(kpis["deals_won_attainment"]) == (None, D(1), D(0))
    assert {code: _value(kpis[code]) for code in TARGET_KPIS[3:]} == {
        "call_volume_attainment": (None, D(0), None),
        "connected_calls_attainment": (None, D(0), None),
        "effective_calls_attainment": (None, D(0), None),
        "intent_customers_attainment": (None, D(0), None),
    }


def test_a_team_without_its_own_target_is_measured_against_its_reps_targets(sales):
    # given R1 40,000 and R2 20,000 for the quarter, and no target of T1 itself
    _target(Metric.SALES_AMOUNT, "40000", employee=sales.r1)
    _target(Metric.SALES_AMOUNT, "20000", employee=sales.r2)
    # when
    kpi = target_kpis(scope_for_teams([sales.t1]), period_parse(Q3))["sales_attainment"]
    # then 55,000 of 60,000
    assert _value(kpi) == (D(55000) / D(60000), D(55000), D(60000))


def test_several_teams_need_a_target_for_each(split):
    # given T1 has 66,000, T2 nothing yet
    both = scope_for_teams([split.t1, split.t2])
    # then
    kpi = target_kpis(both, period_parse(Q3))["sales_attainment"]
    assert _value(kpi) == (None, D(63000), None)
    # when R3 gets 16,000, T2 carries it
    _target(Metric.SALES_AMOUNT, "16000", employee=split.r3)
    kpi = target_kpis(both, period_parse(Q3))["sales_attainment"]
    # then 55,000 + 8,000 of 66,000 + 16,000
    assert _value(kpi) == (D(63000) / D(82000), D(63000), D(82000))


def test_call_and_customer_attainment(org):
    # given R1 dialled 4 calls in July, 3 answered, 2 of them of at least 60 seconds, and has
    # one intent customer; each measure with a July target
    give_extensions(org)
    import_calls(
        [
            outbound("8001", "13800000001", "2026-07-06 10:00:00", billsec=90),
            outbound("8001", "13800000002", "2026-07-07 10:00:00", billsec=60),
            outbound("8001", "13800000003", "2026-07-08 10:00:00", billsec=20),
            outbound("8001", "13800000004", "2026-07-09 10:00:00"),
        ]
    )
    customer_create(
        actor=None,
        phone="13800000001",
        owner=org.r1,
        intent_level="medium",
        intent_on=dt.date(2026, 7, 6),
    )
    for metric, value in [
        (Metric.CALL_VOLUME, 10),
        (Metric.CONNECTED_CALLS, 5),
        (Metric.EFFECTIVE_CALLS, 4),
        (Metric.INTENT_CUSTOMERS, 2),
    ]:
        _target(metric, value, period="2026-07", employee=org.r1)
    # when
    kpis = target_kpis(scope_for_employee(org.r1), period_parse("2026-07"))
    # then
    assert _value(kpis["call_volume_attainment"]) == (D("0.4"), D(4), D(10))
    assert _value(kpis["connected_calls_attainment"]) == (D("0.6"), D(3), D(5))
    assert _value(kpis["effective_calls_attainment"]) == (D("0.5"), D(2), D(4))
    assert _value(kpis["intent_customers_attainment"]) == (D("0.5"), D(1), D(2))
    # and T1, without targets of its own, is measured against the sum of its reps' targets
    # (R2 has none, so R1's alone)
    team = target_kpis(scope_for_teams([org.t1]), period_parse("2026-07"))
    assert _value(team["call_volume_attainment"]) == (D("0.4"), D(4), D(10))


def test_the_attainments_are_registered_once_as_rates(sales):
    # when
    kpis = kpis_compute(scope_for_employee(sales.r1), period_parse(Q3))
    # then
    assert set(TARGET_KPIS) <= set(kpis)
    assert {DEFINITIONS[code].unit for code in TARGET_KPIS} == {"rate"}
    assert {DEFINITIONS[code].group for code in TARGET_KPIS} == {"targets"}
    assert set(ATTAINMENTS.values()) == set(Metric.values)


def test_the_kpi_command_shows_the_attainments(split):
    # given R1's key-product target of 20,000 besides the split sales target
    _target(Metric.KEY_PRODUCT_AMOUNT, "20000", employee=split.r1)
    out = io.StringIO()
    # when
    call_command("kpi", "--period", Q3, "--scope", "R1", "--json", stdout=out)
    # then
    kpis = json.loads(out.getvalue())["kpis"]
    assert kpis["sales_attainment"] == {
        "value": float(D(45000) / D(33000)),
        "numerator": 45000.0,
        "denominator": 33000.0,
    }
    assert kpis["key_product_attainment"] == {
        "value": 1.25,
        "numerator": 25000.0,
        "denominator": 20000.0,
    }
    assert kpis["deals_won_attainment"] == {"value": None, "numerator": 2, "denominator": None}
    assert set(TARGET_KPIS) <= set(kpis)


def test_the_actuals_of_all_measures_cost_one_query_per_source(
    org, sales, django_assert_num_queries
):
    # given a sales target only: one query finds which measures have targets, one plan
    # book is read (targets, company calendar, ramp-up setting, people, leave, team history)
    _target(Metric.SALES_AMOUNT, "60000", employee=org.r1)
    scope, period = scope_for_employee(org.r1), period_parse(Q3)
    # when the seven attainments are computed
    # then the actuals of the seven measures take three queries: deals, calls, customers
    with django_assert_num_queries(1 + 6 + 3):
        kpis = target_kpis(scope, period)
    assert _value(kpis["sales_attainment"]) == (D(45000) / D(60000), D(45000), D(60000))
