"""Publication freezes an appraisal's result (PRODUCT.md §6.6, §9): the snapshot keeps every
input and score, later changes to deals and ratings change nothing in it, only HR reopens with a
reason, and republishing adds a version while keeping the first. Ratings feed the rated KPIs."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import timezone

from telesales.appraisal.cycles import appraisal_open, appraisals_compute
from telesales.appraisal.models import Appraisal, AppraisalStatus, Rating, Snapshot
from telesales.appraisal.publication import appraisal_result, result_live
from telesales.appraisal.workflow import appraisal_transition
from telesales.core.models import AuditEvent
from tests.test_appraisal_inputs import Q3, case  # noqa: F401  (the fixture)
from tests.test_kpi_sales import deal

pytestmark = pytest.mark.usefixtures("english")

Status = AppraisalStatus


def _rate(appraisal, rater, score, group="superior", kpi="superior_evaluation"):
    Rating.objects.create(appraisal=appraisal, rater=rater, group=group, kpi=kpi, score=D(score))


@pytest.fixture
def r1_appraisal(case):  # noqa: F811
    """R1's Q3 appraisal on tiny-rep, moved to rating with both sides' confirmation."""
    cycle, _ = appraisal_open(actor=case.hr.user, scheme_code="tiny-rep", period_code=Q3)
    appraisal = cycle.appraisals.get(employee=case.r1)
    now = timezone.now()
    Appraisal.objects.filter(pk=appraisal.pk).update(appraisee_agreed_at=now, rater_agreed_at=now)
    for status in (Status.AGREED, Status.IN_PROGRESS, Status.RATING):
        appraisal = appraisal_transition(actor=case.s1.user, appraisal=appraisal, to_status=status)
    return appraisal


def test_ratings_score_the_rated_kpi(case, r1_appraisal):  # noqa: F811
    # given S1 rates R1's superior_evaluation 4; a peer's 1 is kept but not counted (the line
    # counts the superior only)
    _rate(r1_appraisal, case.s1, "4")
    _rate(r1_appraisal, case.r2, "1", group="peer")
    # when
    result = result_live(r1_appraisal)
    # then superior_evaluation = 4 → 20 × 4 = 80.00
    #   quality: (50 × 100 + 50 × 80) / 100 = 90.00; results 82.00 (see test_appraisal_inputs)
    #   total (60 × 82 + 40 × 90) / 100 = 85.20 → A
    kpi = next(k for k in result["kpis"] if k["kpi"] == "superior_evaluation")
    assert (kpi["actual"], kpi["score"], kpi["applicable"]) == (4, 80.0, True)
    assert (result["total"], result["grade"]) == (85.2, "A")


def test_a_published_result_is_unchanged_after_its_data_change(case, r1_appraisal):  # noqa: F811
    # given S1's rating of 4, and the appraisal published
    _rate(r1_appraisal, case.s1, "4")
    appraisal = appraisal_transition(
        actor=case.hr.user, appraisal=r1_appraisal, to_status=Status.PUBLISHED
    )
    snapshot = Snapshot.objects.get(appraisal=appraisal)
    assert (snapshot.version, snapshot.total, snapshot.grade) == (1, D("85.20"), "A")
    # when a big deal is added to R1's quarter and the rating is changed
    from telesales.sales.models import Product

    deal("D9", case.r1, Product.objects.get(code="P1"), "90000", "1000", "2026-09-01")
    Rating.objects.filter(appraisal=appraisal).update(score=D("1"))
    # then the live score moved, but the published result did not
    assert result_live(appraisal)["total"] != 85.2
    result = appraisal_result(appraisal)
    assert (result["total"], result["grade"], result["status"]) == (85.2, "A", "published")
    kpi = next(k for k in result["kpis"] if k["kpi"] == "sales_attainment")
    assert (kpi["actual"], kpi["numerator"], kpi["score"]) == (1, 50000, 100.0)
    computed = appraisals_compute(period_code=Q3)["appraisals"]
    assert [(a["employee_no"], a["total"], a["status"]) for a in computed][0] == (
        "R1",
        85.2,
        "published",
    )
    assert "scheme_yaml" in result and "tiny-rep" in result["scheme_yaml"]


def test_hr_reopens_with_a_reason_and_republishing_keeps_both_versions(case, r1_appraisal):  # noqa: F811
    # given published with a rating of 4
    _rate(r1_appraisal, case.s1, "4")
    appraisal = appraisal_transition(
        actor=case.hr.user, appraisal=r1_appraisal, to_status=Status.PUBLISHED
    )
    # when HR reopens it, the rating is corrected to 5 and it is published again
    appraisal = appraisal_transition(
        actor=case.hr.user, appraisal=appraisal, to_status=Status.RATING, reason="评分录入错误"
    )
    Rating.objects.filter(appraisal=appraisal).update(score=D("5"))
    appraisal = appraisal_transition(
        actor=case.hr.user, appraisal=appraisal, to_status=Status.PUBLISHED
    )
    # then version 2 has superior_evaluation 100: quality 100, total (60 × 82 + 40 × 100) / 100
    #   = 89.20; version 1 still says 85.20
    versions = list(
        Snapshot.objects.filter(appraisal=appraisal)
        .order_by("version")
        .values_list("version", "total", "grade")
    )
    assert versions == [(1, D("85.20"), "A"), (2, D("89.20"), "A")]
    assert appraisal_result(appraisal)["total"] == 89.2
    reopen = appraisal.events.get(to_status=Status.RATING, from_status=Status.PUBLISHED)
    assert (reopen.actor, reopen.reason) == (case.hr.user, "评分录入错误")
    assert AuditEvent.objects.filter(action="appraisal.snapshot").count() == 2
