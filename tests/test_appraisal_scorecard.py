"""The appraisal list and the scorecard (PRODUCT.md §5, §6, §6.6): hand-computed numbers of a
small scheme, the redistribution stated, a published result frozen against later data, the
previous period beside this one, the monthly tracking of an open quarter, the versions page,
scope (404 and nothing changed), a list whose queries do not grow with its rows, and the three
languages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D
from html import unescape as html_unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from django.utils.timezone import localtime

from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import (
    Adjustment,
    Appraisal,
    AppraisalEvent,
    Snapshot,
)
from telesales.appraisal.process import agreement_confirm
from telesales.appraisal.publication import appraisal_result
from telesales.appraisal.schemes import scheme_import
from telesales.appraisal.views import scorecard
from telesales.appraisal.workflow import appraisal_transition
from telesales.core.models import AuditEvent
from telesales.sales.services import product_upsert
from telesales.targets.models import Metric
from telesales.targets.services import target_set
from tests.test_kpi_sales import deal

Q3 = "2026-Q3"

SCHEME = """
code: tiny-rep
name: 小方案
applies_to: rep
categories:
  - {code: results, name: 业绩, weight: 60, kpis: [
      {kpi: sales_attainment, weight: 70},
      {kpi: deals_won, weight: 30}]}
  - {code: quality, name: 质量, weight: 40, kpis: [
      {kpi: avg_order_value, weight: 50, target: 25000},
      {kpi: superior_evaluation, weight: 50, curve: rating}]}
"""


def _monthly_targets(employee, metric, values):
    for month, value in zip(("2026-07", "2026-08", "2026-09"), values, strict=True):
        target_set(actor=None, metric=metric, period=month, value=D(value), employee=employee)


@pytest.fixture
def case(org):
    """Q3 2026 on the tiny scheme. R1 (T1) won D1 30,000 on 7 July and D2 20,000 on 12
    August; R2 (T1) won D3 10,000 on 20 July. R1's monthly targets: sales 20,000 / 20,000 /
    10,000 (50,000 in Q3), deals won 2 / 2 / 1 (5 in Q3). The Q3 cycle is open: one draft
    appraisal for each of R1, R2 and R3, rated by their supervisor."""
    product, _ = product_upsert(
        actor=None, code="P1", name="产品", key_product=False, unit_price=None
    )
    deal("D1", org.r1, product, "30000", "9000", "2026-07-07")
    deal("D2", org.r1, product, "20000", "6000", "2026-08-12")
    deal("D3", org.r2, product, "10000", "3000", "2026-07-20")
    _monthly_targets(org.r1, Metric.SALES_AMOUNT, ("20000", "20000", "10000"))
    _monthly_targets(org.r1, Metric.DEALS_WON, ("2", "2", "1"))
    scheme_import(actor=None, text=SCHEME)
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="tiny-rep", period_code=Q3)
    org.product = product
    org.cycle = cycle
    org.a1 = cycle.appraisals.get(employee=org.r1)
    org.a2 = cycle.appraisals.get(employee=org.r2)
    org.a3 = cycle.appraisals.get(employee=org.r3)
    return org


@pytest.fixture
def today(monkeypatch):
    """The scorecard's today, set by the test (the monthly tracking runs up to it)."""
    day = {"value": dt.date(2026, 9, 30)}
    monkeypatch.setattr(scorecard, "_today", lambda: day["value"])
    return day


def _publish(org, appraisal) -> Appraisal:
    """Through the real moves: both sides confirm the targets, the rater runs the appraisal,
    HR publishes it."""
    rater = appraisal.rater
    agreement_confirm(actor=appraisal.employee.user, appraisal=appraisal)
    appraisal = agreement_confirm(actor=rater.user, appraisal=appraisal)
    for person, status in (
        (rater, "in_progress"),
        (rater, "rating"),
        (org.hr, "published"),
    ):
        appraisal = appraisal_transition(actor=person.user, appraisal=appraisal, to_status=status)
    return appraisal


def _text(html: str) -> str:
    """The page's visible text with tags dropped and spaces collapsed."""
    return html_unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))).strip()


def _row(html: str, kpi: str) -> str:
    match = re.search(rf'<tr data-testid="kpi" data-kpi="{kpi}".*?</tr>', html, re.S)
    assert match, kpi
    return _text(match.group(0))


def _cells(html: str, testid: str) -> list[str]:
    return [
        _text(cell)
        for cell in re.findall(
            rf'data-testid="{testid}"[^>]*>(.*?)</(?:td|div|span|strong|li)>', html, re.S
        )
    ]


# --- the scorecard ----------------------------------------------------------------------------


def test_the_scorecard_shows_the_hand_computed_numbers(case, login_en, today):
    # when R1 opens their own provisional scorecard
    page = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk]))
    html = page.content.decode()
    # then
    #   results (60): sales_attainment 50,000 / 50,000 = 100% → 100.00 (weight 70);
    #                 deals_won 2 / 5 → 40.00 (weight 30); (70 × 100 + 30 × 40) / 100 = 82.00
    #   quality (40): avg_order_value 50,000 / 2 = 25,000 of 25,000 → 100.00; superior_evaluation
    #                 has no ratings: its 50 goes to avg_order_value (effective weight 100)
    #   total (60 × 82 + 40 × 100) / 100 = 89.20 → A
    assert page.status_code == 200
    assert _cells(html, "total")[0] == "89.20"
    assert _cells(html, "grade")[0] == "A"
    assert 'data-testid="provisional"' in html
    assert _cells(html, "category-score") == ["82.00", "100.00"]
    assert _cells(html, "category-effective") == ["60", "40"]
    assert _row(html, "sales_attainment") == (
        "Sales attainment sales_attainment 100% 100% 50,000 / 50,000 100.00 70 70"
    )
    assert _row(html, "deals_won") == "Deals won deals_won 2 5 2 / — 40.00 30 30"
    assert _row(html, "avg_order_value") == (
        "Average order value avg_order_value 25,000 25,000 50,000 / 2 100.00 50 100"
    )
    assert _row(html, "superior_evaluation") == (
        "Overall evaluation by the superior superior_evaluation "
        "not applicable: no ratings yet — — — — 50 0"
    )
    header = _text(re.search(r'data-testid="scorecard-header">(.*?)</dl>', html, re.S).group(1))
    assert "张一 R1" in header
    assert "小方案 tiny-rep · version 1" in header
    assert "李主管" in header  # the rater is named; 360 raters never are


def test_every_redistribution_is_stated_in_one_sentence(case, login_en, today):
    # when
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk])).content.decode()
    # then
    assert _cells(html, "redistribution") == [
        "Overall evaluation by the superior (质量) is not applicable: its weight of 50 is "
        "shared among the category's other KPIs in proportion to their weights "
        "(Average order value +50)."
    ]


def test_a_category_without_an_applicable_kpi_shares_its_weight_among_the_categories(
    case, login_en, today
):
    # given R2 has a deal (10,000 on 20 July) and no target: both KPIs of results are not
    # applicable, so results shares its 60 with quality
    # when
    html = login_en(case.hr).get(reverse("appraisal-detail", args=[case.a2.pk])).content.decode()
    # then quality's avg_order_value 10,000 / 25,000 → 40.00 takes the whole total
    assert _cells(html, "total")[0] == "40.00"
    assert _cells(html, "redistribution") == [
        "Overall evaluation by the superior (质量) is not applicable: its weight of 50 is "
        "shared among the category's other KPIs in proportion to their weights "
        "(Average order value +50).",
        "The category 业绩 has no applicable KPI: its weight of 60 is shared among the other "
        "categories in proportion to their weights (质量 +60).",
    ]


def test_a_calibration_adjustment_is_stated_with_its_reason(case, login_en, today):
    # given HR's calibration of R1 from A to S (the row calibration writes)
    Adjustment.objects.create(
        appraisal=case.a1,
        from_total=D("89.20"),
        from_grade="A",
        to_total=D("95.00"),
        to_grade="S",
        reason="重点客户突破",
        actor=case.hr.user,
    )
    # when
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk])).content.decode()
    # then
    assert _cells(html, "total")[0] == "95.00"
    assert _cells(html, "grade")[0] == "S"
    assert _text(re.search(r'data-testid="adjustment">(.*?)</p>', html, re.S).group(1)) == (
        "Adjusted at calibration from A (89.20) to S (95.00). Reason: 重点客户突破 "
        "Computed from the data: 89.20, grade A."
    )


def test_a_published_appraisal_shows_its_snapshot_after_a_deal_is_added(case, login_en, today):
    # given R1's appraisal published at 89.20 / A
    appraisal = _publish(case, case.a1)
    snapshot = Snapshot.objects.get(appraisal=appraisal)
    # when a deal of 25,000 is added to Q3 afterwards
    deal("D9", case.r1, case.product, "25000", "5000", "2026-08-20")
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[appraisal.pk])).content.decode()
    # then the page shows the frozen numbers, not the live ones
    assert _cells(html, "total")[0] == "89.20"
    assert _cells(html, "grade")[0] == "A"
    assert _row(html, "avg_order_value") == (
        "Average order value avg_order_value 25,000 25,000 50,000 / 2 100.00 50 100"
    )
    assert _text(re.search(r'data-testid="frozen">(.*?)</p>', html, re.S).group(1)) == (
        f"Frozen on {localtime(snapshot.at):%Y-%m-%d} (version 1): later changes to the data do not "
        "alter this result."
    )
    assert 'data-testid="provisional"' not in html
    assert 'data-testid="monthly"' not in html  # a frozen quarter has no monthly tracking


def test_each_kpi_links_to_the_rows_behind_its_numbers(case, login_en, today, monkeypatch):
    # given a drill-down that knows the sales KPIs only
    known = {"sales_attainment", "deals_won"}

    def drill_url(code, *, who, period_code):
        return f"/drill/{code}/{who}/{period_code}/" if code in known else None

    monkeypatch.setattr(scorecard, "_drill_function", lambda: drill_url)
    # when
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk])).content.decode()
    # then
    assert f'href="/drill/sales_attainment/rep-{case.r1.pk}/2026-Q3/"' in html
    assert f'href="/drill/deals_won/rep-{case.r1.pk}/2026-Q3/"' in html
    assert "/drill/avg_order_value/" not in html


def test_without_the_drill_down_the_numbers_have_no_link(case, login_en, today, monkeypatch):
    # given no drill-down installed
    monkeypatch.setattr(scorecard, "_drill_function", lambda: None)
    # when
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk])).content.decode()
    # then
    assert "50,000 / 50,000" in _row(html, "sales_attainment")
    assert "/drill/" not in html


def test_the_drill_down_of_the_kpi_catalogue_is_used(case, login_en, today):
    # given the real drill-down (telesales.kpi.drill)
    from telesales.kpi.drill import drill_url

    expected = drill_url("deals_won", who=f"rep-{case.r1.pk}", period_code=Q3)
    # when
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk])).content.decode()
    # then the deals won number links to the rows behind it; a rated KPI has no rows
    assert expected is not None
    assert f'href="{escape(expected)}"' in html
    assert drill_url("superior_evaluation", who=f"rep-{case.r1.pk}", period_code=Q3) is None


# --- the previous period ----------------------------------------------------------------------


def test_the_chart_compares_the_categories_with_the_previous_quarter(
    case, login_en, today, english
):
    # given R1's Q2 appraisal on the same scheme: one deal of 25,000 in May, no targets, so
    # results is not applicable and quality (avg_order_value 25,000 / 25,000 → 100) is all
    deal("D0", case.r1, case.product, "25000", "5000", "2026-05-10")
    q2, _ = appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code="2026-Q2")
    # when
    result = scorecard.comparison_chart(
        case.a1, appraisal_result(case.a1), {"results": "业绩", "quality": "质量"}
    )
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk])).content.decode()
    # then
    assert result["data"] == {
        "categories": ["业绩", "质量"],
        "series": [
            {"name": "2026-Q3", "values": [82.0, 100.0]},
            {"name": "2026-Q2", "values": [None, 100.0]},
        ],
        "yTitle": "Score",
    }
    assert result["previous"] == {
        "period": "2026-Q2",
        "pk": q2.appraisals.get(employee=case.r1).pk,
        "total": "100.00",
        "grade": "S",
        "provisional": True,
    }
    assert 'id="category-data"' in html
    assert "Previous period 2026-Q2: total 100.00, grade S" in _text(html)


def test_without_an_earlier_appraisal_the_chart_says_so(case, login_en, today):
    # when R2 has no Q2 appraisal
    html = login_en(case.r2).get(reverse("appraisal-detail", args=[case.a2.pk])).content.decode()
    # then
    assert _cells(html, "no-previous") == [
        "There is no earlier appraisal of this person for the previous period."
    ]
    assert scorecard.previous_appraisal(case.a2) is None


def test_a_previous_month_is_found_for_a_monthly_appraisal(case):
    # given R1's monthly appraisals for August and September
    appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code="2026-08")
    cycle, _ = appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code="2026-09")
    september = cycle.appraisals.get(employee=case.r1)
    # when
    previous = scorecard.previous_appraisal(september)
    # then
    assert (previous.cycle.period, previous.employee) == ("2026-08", case.r1)


# --- monthly tracking -------------------------------------------------------------------------


def test_the_monthly_tracking_of_an_open_quarter(case, login_en, today):
    # given today is 30 September: the three months of Q3 are listed
    # July:  sales 30,000 / 20,000 → 120.00 (cap); deals 1 / 2 → 50.00; results 99.00;
    #        avg_order_value 30,000 / 25,000 → 120.00; quality 120.00;
    #        total (60 × 99 + 40 × 120) / 100 = 107.40 → S
    # August: sales 20,000 / 20,000 → 100.00; deals 1 / 2 → 50.00; results 85.00;
    #        avg_order_value 20,000 → 80.00; total (60 × 85 + 40 × 80) / 100 = 83.00 → B
    # September: nothing sold: results 0.00; quality not applicable (its 40 goes to results)
    #        total 0.00 → D
    # when
    html = login_en(case.r1).get(reverse("appraisal-detail", args=[case.a1.pk])).content.decode()
    rows = scorecard.monthly_tracking(case.a1)
    # then
    assert [(r["period"], r["total"], r["grade"]) for r in rows] == [
        ("2026-07", "107.40", "S"),
        ("2026-08", "83.00", "B"),
        ("2026-09", "0.00", "D"),
    ]
    assert [(r["target"], r["expected"], r["actual"], r["status"]) for r in rows] == [
        ("20,000", "20,000", "30,000", "on_track"),
        ("20,000", "20,000", "20,000", "on_track"),
        ("10,000", "10,000", "0", "behind"),
    ]
    assert _cells(html, "month-total") == ["107.40", "83.00", "0.00"]
    assert _cells(html, "month-pace") == ["On track", "On track", "Behind"]


def test_the_monthly_tracking_runs_up_to_today_only(case, today):
    # given today is 10 August
    today["value"] = dt.date(2026, 8, 10)
    # when
    rows = scorecard.monthly_tracking(case.a1)
    # then July is over and August is under way; September is not listed
    assert [(r["period"], r["current"], r["actual"]) for r in rows] == [
        ("2026-07", False, "30,000"),
        ("2026-08", True, "0"),
    ]


def test_a_monthly_appraisal_has_no_monthly_tracking(case, today):
    # given
    cycle, _ = appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code="2026-08")
    # then
    assert scorecard.monthly_tracking(cycle.appraisals.get(employee=case.r1)) == []


# --- versions and history ---------------------------------------------------------------------


def test_the_versions_page_lists_snapshots_adjustments_and_moves(case, login_en, today):
    # given R1's appraisal calibrated and published
    Adjustment.objects.create(
        appraisal=case.a1,
        from_total=D("89.20"),
        from_grade="A",
        to_grade="S",
        reason="重点客户突破",
        actor=case.hr.user,
    )
    appraisal = _publish(case, case.a1)
    # when the appraisee opens the versions page
    html = login_en(case.r1).get(reverse("appraisal-versions", args=[appraisal.pk]))
    text = _text(html.content.decode())
    # then
    assert html.status_code == 200
    snapshot = Snapshot.objects.get(appraisal=appraisal)
    assert f"1 Published {localtime(snapshot.at):%Y-%m-%d %H:%M} 人事 89.20 S —" in text
    assert "A (89.20) S (—) 重点客户突破" in text
    assert [
        (e.from_status, e.to_status) for e in AppraisalEvent.objects.filter(appraisal=appraisal)
    ] == [
        ("draft", "agreed"),
        ("agreed", "in_progress"),
        ("in_progress", "rating"),
        ("rating", "published"),
    ]
    assert "Being rated Published 人事" in text
    assert "Draft Targets agreed 李主管" in text


# --- the list ---------------------------------------------------------------------------------


def _ids(html: str, testid: str) -> list[int]:
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    if table is None:
        return []
    return [int(pk) for pk in re.findall(r'data-pk="(\d+)"', table.group(0))]


def test_a_rep_sees_their_own_appraisals_with_the_frozen_result_only(case, login_en, today):
    # given R1's Q3 appraisal is published; an August monthly one is still open
    _publish(case, case.a1)
    cycle, _ = appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code="2026-08")
    august = cycle.appraisals.get(employee=case.r1)
    # when
    html = login_en(case.r1).get(reverse("appraisal-home")).content.decode()
    # then
    assert _ids(html, "appraisals-mine") == [case.a1.pk, august.pk]
    assert 'data-testid="appraisals-scope"' not in html
    mine = re.search(r'data-testid="appraisals-mine".*?</table>', html, re.S).group(0)
    assert _cells(mine, "total") == ["89.20", "—"]
    assert _cells(mine, "grade") == ["A", "provisional"]


def test_a_supervisor_sees_the_appraisals_they_rate_and_those_in_their_scope(case, login_en, today):
    # when
    html = login_en(case.s1).get(reverse("appraisal-home")).content.decode()
    # then S1 rates R1 and R2 and has no appraisal of their own on this scheme
    assert _ids(html, "appraisals-rated") == [case.a1.pk, case.a2.pk]
    assert _ids(html, "appraisals-scope") == [case.a1.pk, case.a2.pk]
    assert case.a3.pk not in _ids(html, "appraisals-scope")


def test_hr_filters_the_list_by_period_status_team_and_person(case, login_en, today):
    # given
    _publish(case, case.a1)
    appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code="2026-08")
    client = login_en(case.hr)
    url = reverse("appraisal-home")
    # when / then
    assert len(_ids(client.get(url).content.decode(), "appraisals-scope")) == 6
    assert _ids(
        client.get(url, {"period": Q3, "team": case.t2.pk}).content.decode(), "appraisals-scope"
    ) == [case.a3.pk]
    assert _ids(client.get(url, {"status": "published"}).content.decode(), "appraisals-scope") == [
        case.a1.pk
    ]
    by_person = client.get(url, {"employee": case.r1.pk, "period": Q3}).content.decode()
    assert _ids(by_person, "appraisals-scope") == [case.a1.pk]
    assert "Appraisals of 张一" in _text(by_person)


def test_the_list_costs_the_same_queries_for_few_and_many_rows(
    case, login_en, today, django_assert_max_num_queries
):
    # given HR's list with the three Q3 appraisals, one of them published
    _publish(case, case.a1)
    client = login_en(case.hr)
    url = reverse("appraisal-home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    # when six monthly cycles more make 21 appraisals, two more published
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"):
        cycle, _ = appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code=month)
    for appraisal in cycle.appraisals.filter(employee__in=[case.r1, case.r2]):
        _publish(case, appraisal)
    # then
    with django_assert_max_num_queries(len(few)):
        html = client.get(url).content.decode()
    assert len(_ids(html, "appraisals-scope")) == 21


# --- scope ------------------------------------------------------------------------------------


def _state() -> tuple:
    return (
        Appraisal.objects.count(),
        sorted(Appraisal.objects.values_list("status", "version")),
        AppraisalEvent.objects.count(),
        Snapshot.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("who", ["r3", "s2", "staff"])
@pytest.mark.parametrize("page", ["appraisal-detail", "appraisal-versions"])
def test_out_of_scope_users_get_404_and_nothing_changes(case, login, today, who, page):
    # given
    before = _state()
    # when
    response = login(getattr(case, who)).get(reverse(page, args=[case.a1.pk]))
    # then
    assert response.status_code == 404
    assert _state() == before


def test_the_list_shows_nobody_outside_the_users_scope(case, login_en, today):
    # when R3 asks for R1's appraisals by person
    html = login_en(case.r3).get(reverse("appraisal-home"), {"employee": case.r1.pk})
    html = html.content.decode()
    # then
    assert _ids(html, "appraisals-mine") == []
    assert "张一" not in html


def test_an_unknown_appraisal_is_a_404(case, login, today):
    assert login(case.hr).get(reverse("appraisal-detail", args=[999999])).status_code == 404


def test_the_profile_chip_shows_to_those_who_may_see_the_appraisals(case, login):
    # then
    chip = scorecard.may_see_appraisals_of
    assert [
        chip(getattr(case, who).user, case.r1)
        for who in ("r1", "s1", "manager", "hr", "admin", "r2", "s2", "staff")
    ] == [True, True, True, True, True, False, False, False]
    assert chip(case.hr.user, case.staff) is False  # staff are not appraised
    # and the chip on R1's profile leads to the list filtered to R1
    html = login(case.s1).get(reverse("employee-detail", args=[case.r1.pk])).content.decode()
    assert f'href="/appraisal/?employee={case.r1.pk}"' in html


def test_the_menu_offers_my_appraisal_or_the_appraisals(case, english):
    from telesales.core.navigation import menu_for

    def entries(employee):
        return [
            (item["key"], item["label"], item["url"])
            for item in menu_for(employee.user)
            if item["key"] in ("appraisal-mine", "appraisal-list")
        ]

    # then
    assert entries(case.r1) == [("appraisal-mine", "My appraisal", "/appraisal/")]
    assert entries(case.staff) == [("appraisal-mine", "My appraisal", "/appraisal/")]
    assert entries(case.s1) == [("appraisal-list", "Appraisals", "/appraisal/")]
    assert entries(case.hr) == [("appraisal-list", "Appraisals", "/appraisal/")]


# --- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "total"), [("zh-hans", "合计"), ("zh-hant", "合計"), ("en", "Total")]
)
def test_the_pages_render_in_the_three_languages(case, login, today, language, total):
    # given
    case.r1.user.language = language
    case.r1.user.save(update_fields=["language"])
    client = login(case.r1)
    # when
    pages = [
        client.get(reverse("appraisal-home")),
        client.get(reverse("appraisal-detail", args=[case.a1.pk])),
        client.get(reverse("appraisal-versions", args=[case.a1.pk])),
    ]
    # then
    for response in pages:
        assert response.status_code == 200
        assert f'<html lang="{language}">' in response.content.decode()
        assert f">{total}<" in response.content.decode() or total in response.content.decode()
