"""The CRM KPIs (PRODUCT.md §5) — intent_customers, lead_conversion_rate, crm_completeness —
of a rep and of a team, on hand-computed examples, and `telesales kpi`."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from telesales.calls.models import Call
from telesales.core.periods import period_parse
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.models import Disposition, Outcome
from telesales.kpi.crm import (
    CRM_KPIS,
    connected_calls_in_scope,
    converted,
    crm_kpis,
    intent_customers_in_scope,
    timely,
)
from telesales.org.scopes import scope_for_employee, scope_for_teams
from telesales.org.services import employee_transfer
from telesales.sales.services import product_upsert
from tests.calls_files import give_extensions, import_calls, inbound, outbound
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")

D = Decimal


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=timezone.get_default_timezone())


@pytest.fixture
def crm(org):
    """R2 moves from T1 to T2 on 1 August 2026.

    Intent customers and their deals:
      C1 (R1) intent 10 July, deal won 20 July: converted in July
      C2 (R1) intent 15 July, deal won 1 July, before the intent: not converted
      C3 (R1) intent 25 July, deal won 5 August: not converted in July
      C4 (R1) intent 2 August, deal won the same day: converted in August
      C5 (R2) intent 5 July, only a refund on 6 July: not converted
      C6 (R3) intent 8 July, deal won 9 July: converted
      C7 (R1) no intent
      C8 (R2) intent 20 August, when R2 was in T2

    July's connected calls and their outcomes (local times):
      R1 → C1 10 July 10:00, outcome 5 h later (and another 3 days later): timely
      R1 → C2 11 July 09:00, outcome exactly 24 h later: timely
      R1 → C3 12 July 09:00, outcome 24 h and 1 s later: late
      R1 → an unknown number 13 July 09:00, no outcome
      R1 → C1 14 July, not answered (an outcome, but not a connected call)
      C1 → R1 15 July, inbound: not counted
      R2 → C5 20 July, outcome 1 h later: timely
      S1 → C7 21 July: a supervisor's call, not one of T1's reps'
      R3 → C6 22 July, no outcome"""
    give_extensions(org)
    employee_transfer(actor=None, employee=org.r2, team=org.t2, date=dt.date(2026, 8, 1))
    product, _ = product_upsert(
        actor=None, code="P1", name="产品", key_product=False, unit_price=None
    )

    def customer(phone, owner, intent_on):
        return customer_create(
            actor=None,
            phone=phone,
            owner=owner,
            intent_level="medium" if intent_on else None,
            intent_on=dt.date.fromisoformat(intent_on) if intent_on else None,
        )

    c = {
        1: customer("13800000001", org.r1, "2026-07-10"),
        2: customer("13800000002", org.r1, "2026-07-15"),
        3: customer("13800000003", org.r1, "2026-07-25"),
        4: customer("13800000004", org.r1, "2026-08-02"),
        5: customer("13800000005", org.r2, "2026-07-05"),
        6: customer("13800000006", org.r3, "2026-07-08"),
        7: customer("13800000007", org.r1, None),
        8: customer("13800000008", org.r2, "2026-08-20"),
    }
    deal("K1", org.r1, product, "100", "10", "2026-07-20", customer=c[1])
    deal("K2", org.r1, product, "100", "10", "2026-07-01", customer=c[2])
    deal("K3", org.r1, product, "100", "10", "2026-08-05", customer=c[3])
    deal("K4", org.r1, product, "100", "10", "2026-08-02", customer=c[4])
    deal("K5", org.r2, product, "100", "10", "2026-07-06", status="refunded", customer=c[5])
    deal("K6", org.r3, product, "100", "10", "2026-07-09", customer=c[6])
    import_calls(
        [
            outbound("8001", "13800000001", "2026-07-10 10:00:00", billsec=60),
            outbound("8001", "13800000002", "2026-07-11 09:00:00", billsec=60),
            outbound("8001", "13800000003", "2026-07-12 09:00:00", billsec=60),
            outbound("8001", "13900000000", "2026-07-13 09:00:00", billsec=60),
            outbound("8001", "13800000001", "2026-07-14 09:00:00", disposition="NO ANSWER"),
            inbound("13800000001", "8001", "2026-07-15 09:00:00", billsec=60),
            outbound("8002", "13800000005", "2026-07-20 09:00:00", billsec=60),
            outbound("8010", "13800000007", "2026-07-21 09:00:00", billsec=60),
            outbound("8003", "13800000006", "2026-07-22 09:00:00", billsec=60),
        ]
    )
    contacted = Disposition.objects.get(code="contacted")
    no_answer = Disposition.objects.get(code="no_answer")

    def outcome(employee, customer, started, recorded, disposition=contacted):
        call = Call.objects.get(started_at=_local(started), employee=employee)
        recorded_outcome = outcome_record(
            actor=None, customer=customer, disposition=disposition, employee=employee, call=call
        )
        # recorded at the given time, as the rep would have done then
        Outcome.objects.filter(pk=recorded_outcome.pk).update(recorded_at=_local(recorded))

    outcome(org.r1, c[1], "2026-07-10 10:00:00", "2026-07-10 15:00:00")
    outcome(org.r1, c[1], "2026-07-10 10:00:00", "2026-07-13 10:00:00")
    outcome(org.r1, c[2], "2026-07-11 09:00:00", "2026-07-12 09:00:00")
    outcome(org.r1, c[3], "2026-07-12 09:00:00", "2026-07-13 09:00:01")
    outcome(org.r1, c[1], "2026-07-14 09:00:00", "2026-07-14 09:05:00", no_answer)
    outcome(org.r2, c[5], "2026-07-20 09:00:00", "2026-07-20 10:00:00")
    org.customers = c
    return org


def _values(kpis) -> dict[str, tuple]:
    return {code: (v.value, v.numerator, v.denominator) for code, v in kpis.items()}


def _expected(intent, converted, timely, connected) -> dict[str, tuple]:
    return {
        "intent_customers": (intent, intent, None),
        "lead_conversion_rate": (
            D(converted) / D(intent) if intent else None,
            converted,
            intent,
        ),
        "crm_completeness": (
            D(timely) / D(connected) if connected else None,
            timely,
            connected,
        ),
    }


@pytest.mark.parametrize(
    ("who", "period", "expected"),
    [
        ("r1", "2026-07", _expected(3, 1, 2, 4)),
        ("r1", "2026-08", _expected(1, 1, 0, 0)),  # no calls: completeness not applicable
        ("r1", "2026-Q3", _expected(4, 3, 2, 4)),  # C3's August deal converts it in Q3
        ("r2", "2026-07", _expected(1, 0, 1, 1)),
        ("r2", "2026-08", _expected(1, 0, 0, 0)),
        ("r3", "2026-07", _expected(1, 1, 0, 1)),
        ("r3", "2026-08", _expected(0, 0, 0, 0)),  # nothing: both rates not applicable
        ("s1", "2026-07", _expected(0, 0, 0, 1)),
    ],
)
def test_a_reps_crm_kpis(crm, who, period, expected):
    # when
    kpis = crm_kpis(scope_for_employee(getattr(crm, who)), period_parse(period))
    # then
    assert tuple(kpis) == CRM_KPIS
    assert _values(kpis) == expected


@pytest.mark.parametrize(
    ("team", "period", "expected"),
    [
        # R1 (3, 1) + R2 (C5); calls R1 2/4 + R2 1/1; S1's call not counted
        ("t1", "2026-07", _expected(4, 1, 3, 5)),
        # C4 (R1); C8 is R2's, in T2 by then
        ("t1", "2026-08", _expected(1, 1, 0, 0)),
        ("t2", "2026-07", _expected(1, 1, 0, 1)),
        ("t2", "2026-08", _expected(1, 0, 0, 0)),
    ],
)
def test_a_teams_crm_kpis_count_its_reps_on_each_date(crm, team, period, expected):
    kpis = crm_kpis(scope_for_teams([getattr(crm, team)]), period_parse(period))
    assert _values(kpis) == expected


def test_the_rows_behind_the_crm_kpis(crm):
    # given
    scope, period = scope_for_employee(crm.r1), period_parse("2026-07")
    c = crm.customers
    # when
    customers = dict(
        intent_customers_in_scope(scope, period)
        .annotate(converted=converted(period))
        .values_list("pk", "converted")
    )
    calls = set(
        connected_calls_in_scope(scope, period)
        .annotate(timely=timely())
        .values_list("customer_number", "timely")
    )
    # then
    assert customers == {c[1].pk: True, c[2].pk: False, c[3].pk: False}
    assert calls == {
        ("13800000001", True),
        ("13800000002", True),
        ("13800000003", False),
        ("13900000000", False),
    }


def test_a_merged_customer_is_counted_once(crm):
    # given C2 merged into C1: the merged record no longer counts
    from telesales.crm.models import Customer

    Customer.objects.filter(pk=crm.customers[2].pk).update(merged_into=crm.customers[1])
    # when
    kpis = crm_kpis(scope_for_employee(crm.r1), period_parse("2026-07"))
    # then
    assert _values(kpis)["intent_customers"] == (2, 2, None)


def test_the_kpi_command_prints_the_crm_kpis(crm):
    out = io.StringIO()
    call_command("kpi", "--period", "2026-07", "--scope", "team:T1", "--json", stdout=out)
    kpis = json.loads(out.getvalue())["kpis"]
    assert kpis["intent_customers"] == {"value": 4, "numerator": 4, "denominator": None}
    assert kpis["lead_conversion_rate"] == {"value": 0.25, "numerator": 1, "denominator": 4}
    assert kpis["crm_completeness"] == {"value": 0.6, "numerator": 3, "denominator": 5}
