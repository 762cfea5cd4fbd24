"""The sales KPIs (PRODUCT.md §5) of a rep and of a team, computed by hand below, with
refunds in a later period, a transfer, a new hire and a promotion, and `telesales kpi`."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.kpi.sales import SALES_KPIS, deals_in_scope, sales_kpis
from telesales.org.models import Role
from telesales.org.scopes import scope_for_employee, scope_for_teams, scope_parse
from telesales.org.services import employee_hire, employee_promote, employee_transfer
from telesales.sales.services import DealFacts, deal_upsert, product_upsert

pytestmark = pytest.mark.usefixtures("english")

D = Decimal


def deal(no, employee, product, amount, profit, closed_on, status="won", customer=None):
    """A deal stored through the real write function."""
    stored, _outcome = deal_upsert(
        actor=None,
        deal_no=no,
        facts=DealFacts(
            employee=employee,
            customer=customer,
            product=product,
            amount=D(amount),
            gross_profit=D(profit),
            closed_on=dt.date.fromisoformat(closed_on),
            status=status,
        ),
    )
    return stored


@pytest.fixture
def sales(org):
    """T1: R1, R2 (reps from 2025), S1 (its supervisor), E9 (a rep hired 16 July 2026,
    promoted to supervisor 15 September). T2: R3; R2 moves to T2 on 1 August.

    P1 is a key product, P2 is not.
    R1: D1 won P1 1000 (profit 400) 5 July; D2 won P2 500 (100) 20 July; D1-R refunds D1 on
        3 August (a later period).
    R2: D3 won P2 300 (60) 31 July (in T1); D6 won P2 400 (100) 10 August (in T2 by then).
    S1: D4 won P2 700 (300) 10 July: not one of T1's reps.
    R3: D5 won P1 2000 (800) 15 July.
    E9: D7 won P1 600 (200) 10 September (a rep), D8 won P2 900 (300) 20 September (a
        supervisor by then)."""
    e9 = employee_hire(
        actor=None,
        employee_no="E9",
        name="新人",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2026, 7, 16),
    )
    employee_transfer(actor=None, employee=org.r2, team=org.t2, date=dt.date(2026, 8, 1))
    employee_promote(actor=None, employee=e9, date=dt.date(2026, 9, 15), role=Role.SUPERVISOR)
    p1, _ = product_upsert(actor=None, code="P1", name="重点", key_product=True, unit_price=None)
    p2, _ = product_upsert(actor=None, code="P2", name="普通", key_product=False, unit_price=None)
    deal("D1", org.r1, p1, "1000", "400", "2026-07-05")
    deal("D2", org.r1, p2, "500", "100", "2026-07-20")
    deal("D1-R", org.r1, p1, "1000", "400", "2026-08-03", status="refunded")
    deal("D3", org.r2, p2, "300", "60", "2026-07-31")
    deal("D6", org.r2, p2, "400", "100", "2026-08-10")
    deal("D4", org.s1, p2, "700", "300", "2026-07-10")
    deal("D5", org.r3, p1, "2000", "800", "2026-07-15")
    deal("D7", e9, p1, "600", "200", "2026-09-10")
    deal("D8", e9, p2, "900", "300", "2026-09-20")
    org.e9 = e9
    return org


def _values(kpis) -> dict[str, tuple]:
    return {code: (v.value, v.numerator, v.denominator) for code, v in kpis.items()}


def _expected(sales, won, profit, heads) -> dict[str, tuple]:
    """The five sales KPIs from the hand-computed sums, as PRODUCT.md §5 defines them
    (key_product_attainment is in tests/test_kpi_targets.py)."""
    sales, profit, heads = D(sales), D(profit), D(heads)
    return {
        "sales_amount": (sales, sales, None),
        "deals_won": (won, won, None),
        "avg_order_value": (sales / won if won else None, sales, won),
        "sales_per_head": (sales / heads if heads else None, sales, heads),
        "profit_per_head": (profit / heads if heads else None, profit, heads),
    }


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # 1000 + 500; profit 400 + 100; one rep on 1 and 31 July
        ("2026-07", _expected("1500", 2, "500", "1")),
        # the refund of D1 only: negative, deals won unchanged (0), no average order value
        ("2026-08", _expected("-1000", 0, "-400", "1")),
        ("2026-Q3", _expected("500", 2, "100", "1")),
        ("2026-06", _expected("0", 0, "0", "1")),
    ],
)
def test_a_reps_sales_kpis(sales, period, expected):
    # when
    kpis = sales_kpis(scope_for_employee(sales.r1), period_parse(period))
    # then
    assert tuple(kpis) == SALES_KPIS
    assert _values(kpis) == expected


def test_the_values_are_exact_decimals(sales):
    kpis = sales_kpis(scope_for_employee(sales.r1), period_parse("2026-07"))
    assert kpis["sales_amount"].value == D("1500.00")
    assert kpis["avg_order_value"].value == D("750")
    assert isinstance(kpis["sales_per_head"].value, Decimal)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # R1 1500 + R2 300 (S1's 700 is not a rep's); reps on 1 July R1, R2 = 2, on 31 July
        # R1, R2, E9 = 3: average 2.5; profit 400 + 100 + 60
        ("2026-07", _expected("1800", 3, "560", "2.5")),
        # the refund of D1; R2's D6 was in T2 by then; reps on 1 and 31 August: R1, E9
        ("2026-08", _expected("-1000", 0, "-400", "2")),
        # E9's D7 as a rep, not D8 as a supervisor; reps on 1 September R1, E9, on 30
        # September R1: 1.5
        ("2026-09", _expected("600", 1, "200", "1.5")),
        # 1800 − 1000 + 600; reps on 1 July R1, R2, on 30 September R1: 1.5
        ("2026-Q3", _expected("1400", 4, "360", "1.5")),
    ],
)
def test_a_teams_sales_kpis_count_its_reps_on_each_date(sales, period, expected):
    # when
    kpis = sales_kpis(scope_for_teams([sales.t1]), period_parse(period))
    # then
    assert _values(kpis) == expected
    assert _values(sales_kpis(scope_parse("team:T1"), period_parse(period))) == expected
    assert _values(sales_kpis(scope_parse("supervisor:S1"), period_parse(period))) == expected


def test_the_team_a_rep_moved_to_counts_their_deals_from_the_move(sales):
    # R2's D6 (400, profit 100) in T2 in August; reps on 1 and 31 August: R3, R2
    kpis = sales_kpis(scope_for_teams([sales.t2]), period_parse("2026-08"))
    assert _values(kpis) == _expected("400", 1, "100", "2")
    # July: R3's D5 only; R2 was in T1
    kpis = sales_kpis(scope_for_teams([sales.t2]), period_parse("2026-07"))
    assert _values(kpis) == _expected("2000", 1, "800", "1")


def test_per_head_is_not_applicable_without_reps(sales):
    # S1 is not a rep: their own deal counts for them, their headcount is 0
    kpis = sales_kpis(scope_for_employee(sales.s1), period_parse("2026-07"))
    assert _values(kpis) == _expected("700", 1, "300", "0")
    assert kpis["sales_per_head"].applicable is False
    assert kpis["profit_per_head"].applicable is False


def test_the_deals_behind_the_figures_are_the_ones_counted(sales):
    rows = deals_in_scope(scope_for_teams([sales.t1]), period_parse("2026-Q3"))
    assert sorted(rows.values_list("deal_no", flat=True)) == ["D1", "D1-R", "D2", "D3", "D7"]


def test_the_sales_kpis_are_registered_with_formulas(sales):
    kpis = kpis_compute(scope_for_employee(sales.r1), period_parse("2026-07"))
    assert set(SALES_KPIS) <= set(kpis)
    assert {DEFINITIONS[code].unit for code in SALES_KPIS} == {"amount", "count"}


def test_the_kpi_command_prints_the_sales_kpis(sales):
    # when
    out = io.StringIO()
    call_command("kpi", "--period", "2026-08", "--scope", "team:T1", "--json", stdout=out)
    # then
    payload = json.loads(out.getvalue())
    assert payload["period"] == "2026-08"
    assert payload["scope"] == "team:T1"
    kpis = payload["kpis"]
    assert kpis["sales_amount"] == {"value": -1000.0, "numerator": -1000.0, "denominator": None}
    assert kpis["deals_won"] == {"value": 0, "numerator": 0, "denominator": None}
    assert kpis["avg_order_value"] == {"value": None, "numerator": -1000.0, "denominator": 0}
    assert kpis["sales_per_head"] == {"value": -500.0, "numerator": -1000.0, "denominator": 2}
    assert kpis["key_product_attainment"] == {
        "value": None,
        "numerator": -1000.0,
        "denominator": None,
    }


def test_the_kpi_command_in_text(sales):
    out = io.StringIO()
    call_command("kpi", "--period", "2026-07", "--scope", "R1", stdout=out)
    text = out.getvalue()
    assert "sales_amount" in text and "1500" in text
    assert "key_product_attainment" in text and "not applicable" in text
