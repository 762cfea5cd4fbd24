"""The attrition-risk signal (source §2.2.4): each fact with its points and sentence on a
hand-built example, the levels and their settings, who sees the page, and its queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from telesales.core.config import setting_set
from telesales.org.models import Employee, Role
from telesales.people.morale.models import LedgerEntry
from telesales.people.morale.services import (
    checkin_record,
    ledger_entry_grant,
    ledger_entry_reverse,
)
from telesales.reports import attrition
from telesales.reports.attrition import RepFacts, attrition_risks, rep_facts, risk_settings
from telesales.sales.services import product_upsert
from telesales.targets.models import Metric
from telesales.targets.services import target_set
from tests.conftest import _person
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")

TODAY = dt.date(2026, 5, 15)  # the last full month is April; the month before, March


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _fresh(employee):
    return get_user_model().objects.get(pk=employee.user_id)


def _checkin(holder, employee, day, morale):
    checkin_record(
        actor=_fresh(holder), employee=employee, date=_day(day), morale=morale, today=TODAY
    )


def _penalty(holder, employee, day, reason):
    return ledger_entry_grant(
        actor=_fresh(holder),
        employee=employee,
        kind=LedgerEntry.Kind.PENALTY,
        reason=reason,
        date=_day(day),
        points=5,
        today=TODAY,
    )


@pytest.fixture
def risks(org, monkeypatch):
    """As of 15 May 2026:
    R1 (T1): morale 4 (10 Mar), 3 (10 Apr), 2 (10 May); a penalty of 20 April reversed.
    R2 (T1): sales target 10,000 in March and April; sold 9,000 then 5,000; morale 4 (20 Apr).
    R4 (T1): hired 1 April 2026; a penalty on 1 May; no check-in yet.
    R3 (T2): last check-in 1 March (morale 3).
    R5 (T2): hired 6 January 2025, never checked in."""
    monkeypatch.setattr(attrition, "_today", lambda: TODAY)
    r4 = _person("R4", "四", Role.REP, team=org.t1, manager=org.s1, hire=_day("2026-04-01"))
    r5 = _person("R5", "五", Role.REP, team=org.t2, manager=org.s2)
    _checkin(org.s1, org.r1, "2026-03-10", 4)
    _checkin(org.s1, org.r1, "2026-04-10", 3)
    _checkin(org.s1, org.r1, "2026-05-10", 2)
    wrong = _penalty(org.s1, org.r1, "2026-04-20", "记错的处罚")
    ledger_entry_reverse(actor=_fresh(org.s1), entry=wrong, reason="撤销")
    product, _ = product_upsert(
        actor=None, code="P2", name="普通", key_product=False, unit_price=None
    )
    for period in ("2026-03", "2026-04"):
        target_set(
            actor=None,
            metric=Metric.SALES_AMOUNT,
            period=period,
            value=D(10000),
            employee=org.r2,
        )
    deal("M2", org.r2, product, "9000", "0", "2026-03-10")
    deal("A2", org.r2, product, "5000", "0", "2026-04-10")
    _checkin(org.s1, org.r2, "2026-04-20", 4)
    _penalty(org.s1, r4, "2026-05-01", "迟到三次")
    _checkin(org.s2, org.r3, "2026-03-01", 3)
    org.r4, org.r5 = r4, r5
    return org


def _reps(*employees):
    return list(Employee.objects.filter(pk__in=[e.pk for e in employees]).order_by("employee_no"))


def _shown(risk) -> tuple:
    return (
        risk.employee.employee_no,
        risk.score,
        risk.level,
        [(f.code, f.points, f.sentence) for f in risk.facts],
    )


def test_each_fact_adds_its_points_with_a_sentence_naming_it(risks):
    # when
    result = attrition_risks(_reps(risks.r1, risks.r2, risks.r3, risks.r4, risks.r5), today=TODAY)
    # then, highest first
    assert [_shown(r) for r in result] == [
        (
            "R1",
            50,
            "high",
            [
                ("morale_low", 30, "The latest morale check-in, on 2026-05-10, scored 2 of 5."),
                (
                    "morale_falling",
                    20,
                    "Morale fell at each of the last three check-ins: 4 → 3 → 2.",
                ),
            ],
        ),
        (
            "R2",
            35,
            "medium",
            [
                (
                    "attainment_drop",
                    20,
                    "Sales attainment fell from 90.0% in 2026-03 to 50.0% in 2026-04.",
                ),
                ("attainment_low", 15, "Sales attainment in 2026-04 was 50.0%, below 60.0%."),
            ],
        ),
        (
            "R4",
            25,
            "medium",
            [
                ("short_tenure", 10, "Hired on 2026-04-01, 44 days ago: under 90 days of service."),
                (
                    "recent_penalty",
                    15,
                    "1 penalty in the last 60 days, the latest on 2026-05-01: 迟到三次.",
                ),
            ],
        ),
        (
            "R3",
            10,
            "low",
            [("no_checkin", 10, "No morale check-in since 2026-03-01, 75 days ago.")],
        ),
        (
            "R5",
            10,
            "low",
            [("no_checkin", 10, "No morale check-in on record in 494 days of service.")],
        ),
    ]


def test_weights_and_levels_are_settings(risks):
    # given
    setting_set(actor=None, key="morale.risk_high", value=30)
    setting_set(actor=None, key="morale.risk_medium", value=20)
    setting_set(actor=None, key="morale.risk_points_morale_low", value=0)
    # when
    result = {
        r.employee.employee_no: (r.score, r.level)
        for r in attrition_risks(_reps(risks.r1, risks.r2, risks.r4), today=TODAY)
    }
    # then
    assert result == {"R1": (20, "medium"), "R2": (35, "high"), "R4": (25, "medium")}
    assert risk_settings().weights["morale_low"] == 0


def _facts(**changes) -> RepFacts:
    values = {
        "hire_date": dt.date(2025, 1, 6),
        "checkins": [{"date": dt.date(2026, 5, 1), "morale": 4}],
        "attainment_before": None,
        "attainment_last": None,
        "penalties": [],
    } | changes
    return RepFacts(**values)


def _codes(facts: RepFacts) -> list[str]:
    return [f.code for f in rep_facts(facts, today=TODAY, settings=risk_settings())]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "codes"),
    [
        ({}, []),
        # down exactly 20 points, and 60 % is not below 60 %
        ({"attainment_before": D("0.8"), "attainment_last": D("0.6")}, ["attainment_drop"]),
        ({"attainment_before": D("0.79"), "attainment_last": D("0.6")}, []),
        ({"attainment_before": None, "attainment_last": D("0.59")}, ["attainment_low"]),
        # a check-in 59 days ago is recent; 60 days ago it is not
        ({"checkins": [{"date": dt.date(2026, 3, 17), "morale": 3}]}, []),
        ({"checkins": [{"date": dt.date(2026, 3, 16), "morale": 3}]}, ["no_checkin"]),
        # a new hire is not due a check-in yet: 59 days; due at 60 days
        ({"hire_date": dt.date(2026, 3, 17), "checkins": []}, ["short_tenure"]),
        ({"hire_date": dt.date(2026, 3, 16), "checkins": []}, ["short_tenure", "no_checkin"]),
        # short tenure is under 90 days: 89 days is, 90 days is not
        ({"hire_date": dt.date(2026, 2, 15)}, ["short_tenure"]),
        ({"hire_date": dt.date(2026, 2, 14)}, []),
        # morale must fall at each step
        (
            {
                "checkins": [
                    {"date": dt.date(2026, 5, 1), "morale": 3},
                    {"date": dt.date(2026, 4, 1), "morale": 4},
                    {"date": dt.date(2026, 3, 1), "morale": 4},
                ]
            },
            [],
        ),
        (
            {
                "checkins": [
                    {"date": dt.date(2026, 5, 1), "morale": 3},
                    {"date": dt.date(2026, 4, 1), "morale": 4},
                    {"date": dt.date(2026, 3, 1), "morale": 5},
                ]
            },
            ["morale_falling"],
        ),
        ({"checkins": [{"date": dt.date(2026, 5, 1), "morale": 1}]}, ["morale_low"]),
    ],
)
def test_the_edges_of_each_fact(changes, codes):
    # when / then
    assert _codes(_facts(**changes)) == codes


# -- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "listed"),
    [
        ("s1", ["R1", "R2", "R4"]),
        ("s2", ["R3", "R5"]),
        ("manager", ["R1", "R2", "R4", "R3", "R5"]),
        ("hr", ["R1", "R2", "R4", "R3", "R5"]),
    ],
)
def test_the_page_lists_the_reps_in_scope_highest_risk_first(risks, login_en, who, listed):
    # given
    client = login_en(getattr(risks, who))
    # when
    response = client.get("/attrition/")
    # then
    page = response.content.decode()
    assert response.status_code == 200
    positions = [page.find(f'data-testid="risk-{no}"') for no in listed]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    for other in {"R1", "R2", "R3", "R4", "R5"} - set(listed):
        assert f'data-testid="risk-{other}"' not in page
    if "R1" in listed:
        assert "Morale fell at each of the last three check-ins: 4 → 3 → 2." in page


@pytest.mark.parametrize("who", ["r1", "r3", "staff", "admin"])
def test_reps_staff_and_admin_do_not_see_the_page(risks, login, who):
    # when
    response = login(getattr(risks, who)).get("/attrition/")
    # then
    assert response.status_code == 404


def test_a_team_out_of_scope_is_a_404(risks, login):
    # given
    client = login(risks.s1)
    # when / then
    assert client.get(f"/attrition/?team={risks.t2.pk}").status_code == 404
    assert client.get("/attrition/?team=x").status_code == 404
    page = client.get(f"/attrition/?team={risks.t1.pk}").content.decode()
    assert 'data-testid="risk-R1"' in page


def test_the_menu_offers_the_page_to_the_line_and_hr_only(risks):
    # given
    from telesales.core.navigation import menu_for

    # when
    def offered(employee):
        return "attrition" in {item["key"] for item in menu_for(_fresh(employee))}

    # then
    assert [offered(getattr(risks, who)) for who in ("s1", "manager", "hr", "r1", "admin")] == [
        True,
        True,
        True,
        False,
        False,
    ]


def test_the_page_costs_the_same_queries_for_more_reps(risks, login, django_assert_max_num_queries):
    # given
    client = login(risks.hr)
    client.get("/attrition/")
    with CaptureQueriesContext(connection) as few:
        client.get("/attrition/")
    product = product_upsert(actor=None, code="P3", name="三", key_product=False, unit_price=None)[
        0
    ]
    for number in range(15):
        rep = _person(f"R{number + 10}", f"新{number}", Role.REP, team=risks.t1, manager=risks.s1)
        _checkin(risks.s1, rep, "2026-04-10", 1 + number % 5)
        _checkin(risks.s1, rep, "2026-05-10", 1 + number % 5)
        target_set(
            actor=None, metric=Metric.SALES_AMOUNT, period="2026-04", value=D(5000), employee=rep
        )
        deal(f"X{number}", rep, product, "1000", "0", "2026-04-10")
        if number % 3 == 0:
            _penalty(risks.s1, rep, "2026-05-02", "迟到")
    # when / then
    with django_assert_max_num_queries(len(few)):
        response = client.get("/attrition/")
    assert response.content.decode().count('data-testid="risk-') == 20
    print(f"attrition page: {len(few)} queries")  # noqa: T201
