"""Calibration (PRODUCT.md §6.4, §6.6): the grade distribution against the forced-distribution
guide (reported, never applied), adjustments of a grade with a reason by HR or a manager whose
scope has the appraisee, only while being rated or in calibration, and the calibration page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.appraisal.calibration import (
    FORCED_DISTRIBUTION_SETTING,
    GuideRule,
    adjustment_add,
    calibration_appraisals,
    forced_distribution_guide,
    forced_distribution_parse,
    grade_distribution,
)
from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import Adjustment, Appraisal, AppraisalStatus
from telesales.appraisal.publication import result_live
from telesales.appraisal.workflow import appraisal_transition
from telesales.core.config import setting_set
from telesales.core.models import AuditEvent
from telesales.org.models import Role
from telesales.org.services import employee_hire, employee_login_create, employee_update

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"


def _cycle(org):
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code=Q3)
    return cycle


def _at(appraisal: Appraisal, status: str) -> Appraisal:
    """Put the appraisal in a status (a fixture shortcut; the moves are tested elsewhere)."""
    now = timezone.now()
    Appraisal.objects.filter(pk=appraisal.pk).update(
        status=status, appraisee_agreed_at=now, rater_agreed_at=now
    )
    appraisal.refresh_from_db()
    return appraisal


def _stored() -> tuple[int, int]:
    return Adjustment.objects.count(), AuditEvent.objects.filter(action="appraisal.adjust").count()


# --- the guide ------------------------------------------------------------------------------


def test_the_guide_text_is_parsed_into_rules():
    assert forced_distribution_parse("S:10,S+A:30") == [
        GuideRule(("S",), Decimal("10")),
        GuideRule(("S", "A"), Decimal("30")),
    ]
    assert forced_distribution_parse(" S : 12.5 % , ") == [GuideRule(("S",), Decimal("12.5"))]
    assert forced_distribution_parse("") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "S10",
            "“S10” is not a rule of the guide: write the grades joined by “+”, a colon and the "
            "highest share in per cent, e.g. S+A:30.",
        ),
        (
            "S+:10",
            "“S+:10” is not a rule of the guide: write the grades joined by “+”, a colon and "
            "the highest share in per cent, e.g. S+A:30.",
        ),
        ("S:abc", "In “S:abc” the share must be a number of per cent from 0 to 100."),
        ("S:101", "In “S:101” the share must be a number of per cent from 0 to 100."),
        ("S:10,S:20", "“S:20” names a grade twice or repeats another rule."),
        ("S+S:20", "“S+S:20” names a grade twice or repeats another rule."),
    ],
)
def test_a_broken_guide_is_refused_naming_the_rule(text, message):
    with pytest.raises(ValidationError) as raised:
        forced_distribution_parse(text)
    assert raised.value.messages == [message]


def test_the_guide_is_a_setting_with_the_default_and_empty_means_none(org):
    assert forced_distribution_guide() == [
        GuideRule(("S",), Decimal("10")),
        GuideRule(("S", "A"), Decimal("30")),
    ]
    setting_set(actor=org.admin.user, key=FORCED_DISTRIBUTION_SETTING, value="")
    assert forced_distribution_guide() == []


def test_the_settings_page_refuses_a_broken_guide(org, login_en):
    # given
    client = login_en(org.admin)
    page = client.get("/settings/")
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["appraisal__forced_distribution"] = "S=10"
    # when
    response = client.post("/settings/", data)
    # then
    assert response.status_code == 200
    assert "“S=10” is not a rule of the guide" in response.content.decode()
    assert forced_distribution_guide()[0] == GuideRule(("S",), Decimal("10"))


# --- the distribution, by hand --------------------------------------------------------------


def test_ten_appraisals_with_two_s_and_two_a_exceed_both_rules():
    # given 10 appraisals: 2 S, 2 A, 3 B, 3 C; one of them adjusted
    results = [{"grade": g, "adjustment": None} for g in "SSAABBBCCC"]
    results[0]["adjustment"] = {"to_grade": "S"}
    guide = forced_distribution_parse("S:10,S+A:30")
    # when
    result = grade_distribution(results, ["S", "A", "B", "C", "D"], guide)
    # then S 2/10 = 20 % > 10 %, S+A 4/10 = 40 % > 30 %
    assert (result["appraisals"], result["graded"], result["ungraded"], result["adjusted"]) == (
        10,
        10,
        0,
        1,
    )
    assert [(r["grade"], r["count"], r["share"]) for r in result["grades"]] == [
        ("S", 2, Decimal(20)),
        ("A", 2, Decimal(20)),
        ("B", 3, Decimal(30)),
        ("C", 3, Decimal(30)),
        ("D", 0, Decimal(0)),
    ]
    assert [
        (r["label"], r["count"], r["share"], r["limit"], r["met"]) for r in result["rules"]
    ] == [
        ("S", 2, Decimal(20), Decimal(10), False),
        ("S+A", 4, Decimal(40), Decimal(30), False),
    ]


def test_a_share_equal_to_the_limit_is_met_and_the_ungraded_are_left_out():
    # given 10 graded (1 S, 2 A) and 2 without a grade yet
    results = [{"grade": g} for g in "SAABBBBBCC"] + [{"grade": None}, {"grade": None}]
    # when
    result = grade_distribution(
        results, ["S", "A", "B", "C", "D"], forced_distribution_parse("S:10,S+A:30")
    )
    # then S 1/10 = 10 % ≤ 10 %, S+A 3/10 = 30 % ≤ 30 %
    assert (result["graded"], result["ungraded"]) == (10, 2)
    assert [(r["share"], r["met"]) for r in result["rules"]] == [
        (Decimal(10), True),
        (Decimal(30), True),
    ]


def test_nobody_graded_makes_the_shares_and_rules_not_applicable():
    result = grade_distribution([{"grade": None}], ["S", "D"], forced_distribution_parse("S:10"))
    assert [r["share"] for r in result["grades"]] == [None, None]
    assert [(r["count"], r["share"], r["met"]) for r in result["rules"]] == [(0, None, None)]


# --- adjustments ----------------------------------------------------------------------------


def test_hr_adjusts_a_grade_in_rating_with_the_live_result_before(org):
    # given
    r1 = _at(_cycle(org).appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    live = result_live(r1)
    # when
    adjustment = adjustment_add(
        actor=org.hr.user, appraisal=r1, to_grade="A", to_total="88.50", reason="跨团队对比后上调"
    )
    # then
    assert (adjustment.to_grade, adjustment.to_total, adjustment.reason) == (
        "A",
        Decimal("88.50"),
        "跨团队对比后上调",
    )
    assert adjustment.from_grade == (live["grade"] or "")
    assert adjustment.from_total == (None if live["total"] is None else Decimal(str(live["total"])))
    assert adjustment.actor == org.hr.user
    after = result_live(r1)
    assert (after["grade"], after["total"], after["computed_grade"]) == (
        "A",
        88.5,
        live["grade"],
    )
    audit = AuditEvent.objects.get(action="appraisal.adjust")
    assert audit.after == {"grade": "A", "total": "88.50", "reason": "跨团队对比后上调"}
    # and a second adjustment starts from the first
    second = adjustment_add(actor=org.hr.user, appraisal=r1, to_grade="B", reason="复核")
    assert (second.from_grade, second.from_total, second.to_total) == ("A", Decimal("88.50"), None)


def test_a_manager_adjusts_in_calibration_the_appraisal_of_someone_in_scope(org):
    r3 = _at(_cycle(org).appraisals.get(employee=org.r3), AppraisalStatus.CALIBRATION)
    adjustment = adjustment_add(actor=org.manager.user, appraisal=r3, to_grade="D", reason="投诉")
    assert (adjustment.to_grade, adjustment.actor) == ("D", org.manager.user)


@pytest.mark.parametrize(
    ("status", "who", "grade", "total", "reason", "error", "message"),
    [
        ("rating", "hr", "A", None, "  ", ValidationError, "Give the reason for the adjustment."),
        (
            "in_progress",
            "hr",
            "A",
            None,
            "上调",
            ValidationError,
            "Only an appraisal that is being rated or in calibration can be adjusted; this one "
            "is “In progress”.",
        ),
        (
            "published",
            "hr",
            "A",
            None,
            "上调",
            ValidationError,
            "Only an appraisal that is being rated or in calibration can be adjusted; this one "
            "is “Published”.",
        ),
        (
            "rating",
            "hr",
            "X",
            None,
            "上调",
            ValidationError,
            "“X” is not a grade of this scheme; choose one of S, A, B, C, D.",
        ),
        (
            "rating",
            "hr",
            "A",
            "120.01",
            "上调",
            ValidationError,
            "The new total must be a number from 0 to 120 with at most 2 decimal places.",
        ),
        (
            "rating",
            "hr",
            "A",
            "88.555",
            "上调",
            ValidationError,
            "The new total must be a number from 0 to 120 with at most 2 decimal places.",
        ),
        (
            "rating",
            "hr",
            "A",
            "-1",
            "上调",
            ValidationError,
            "The new total must be a number from 0 to 120 with at most 2 decimal places.",
        ),
        (
            "rating",
            "s1",
            "A",
            None,
            "上调",
            PermissionDenied,
            "You may not calibrate this appraisal.",
        ),
        (
            "rating",
            "r1",
            "A",
            None,
            "上调",
            PermissionDenied,
            "You may not calibrate this appraisal.",
        ),
        (
            "rating",
            "staff",
            "A",
            None,
            "上调",
            PermissionDenied,
            "You may not calibrate this appraisal.",
        ),
    ],
)
def test_an_adjustment_against_the_rules_is_refused_and_stores_nothing(
    org, status, who, grade, total, reason, error, message
):
    # given
    r1 = _at(_cycle(org).appraisals.get(employee=org.r1), status)
    actor = getattr(org, who).user
    # when
    with pytest.raises(error) as raised:
        adjustment_add(actor=actor, appraisal=r1, to_grade=grade, to_total=total, reason=reason)
    # then
    text = " ".join(raised.value.messages) if error is ValidationError else str(raised.value)
    assert text == message
    assert _stored() == (0, 0)


def test_a_manager_out_of_scope_is_refused(org):
    # given a second manager with nobody below them
    other = employee_hire(
        actor=None,
        employee_no="M2",
        name="M2",
        role=Role.MANAGER,
        team=None,
        manager=None,
        hire_date=dt.date(2025, 1, 6),
    )
    employee_login_create(actor=None, employee=other, username="m2", password="Tele-sales-2026!")
    r1 = _at(_cycle(org).appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    other.refresh_from_db()
    # when / then
    with pytest.raises(PermissionDenied):
        adjustment_add(actor=other.user, appraisal=r1, to_grade="A", reason="上调")
    assert _stored() == (0, 0)
    assert list(calibration_appraisals(other.user, r1.cycle)) == []


def test_a_manager_does_not_calibrate_their_own_appraisal(org):
    # given the supervisor cycle: S1 and S2 rated by M1; and M1 is not in it
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="supervisor-default", period_code=Q3)
    # then M1 calibrates S1 and S2, S1 calibrates nobody
    assert sorted(
        a.employee.employee_no for a in calibration_appraisals(org.manager.user, cycle)
    ) == [
        "S1",
        "S2",
    ]
    assert list(calibration_appraisals(org.s1.user, cycle)) == []


def test_publication_freezes_the_adjusted_grade(org):
    # given
    r1 = _at(_cycle(org).appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    adjustment_add(actor=org.hr.user, appraisal=r1, to_grade="S", to_total=96, reason="标杆")
    # when
    appraisal_transition(actor=org.hr.user, appraisal=r1, to_status=AppraisalStatus.PUBLISHED)
    # then
    snapshot = r1.snapshots.get()
    assert (snapshot.grade, snapshot.total) == ("S", Decimal("96.00"))
    with pytest.raises(ValidationError):
        adjustment_add(actor=org.hr.user, appraisal=r1, to_grade="A", reason="再调")


# --- the page -------------------------------------------------------------------------------


def _ten_reps(org):
    for number in range(4, 11):
        employee_hire(
            actor=None,
            employee_no=f"R{number:02d}",
            name=f"R{number:02d}",
            role=Role.REP,
            team=org.t1,
            manager=org.s1,
            hire_date=dt.date(2025, 3, 1),
        )


def test_the_page_shows_the_distribution_against_the_guide(org, login_en):
    # given 10 rep appraisals in rating, graded 2 S, 2 A, 3 B, 3 C by adjustments
    _ten_reps(org)
    cycle = _cycle(org)
    appraisals = list(cycle.appraisals.order_by("employee__employee_no"))
    assert len(appraisals) == 10
    for appraisal, grade in zip(appraisals, "SSAABBBCCC", strict=True):
        _at(appraisal, AppraisalStatus.RATING)
        adjustment_add(actor=org.hr.user, appraisal=appraisal, to_grade=grade, reason="校准")
    client = login_en(org.hr)
    # when
    response = client.get(f"/appraisal/cycles/{cycle.pk}/calibration/")
    # then
    assert response.status_code == 200
    distribution = response.context["distribution"]
    assert [(r["grade"], r["count"], r["percent"]) for r in distribution["grades"]] == [
        ("S", 2, "20.0"),
        ("A", 2, "20.0"),
        ("B", 3, "30.0"),
        ("C", 3, "30.0"),
        ("D", 0, "0.0"),
    ]
    assert [
        (r["label"], r["percent"], r["limit_text"], r["met"]) for r in distribution["rules"]
    ] == [
        ("S", "20.0", "10.0", False),
        ("S+A", "40.0", "30.0", False),
    ]
    assert distribution["adjusted"] == 10
    assert response.context["chart"]["counts"] == [2, 2, 3, 3, 0]
    html = response.content.decode()
    assert html.count('data-testid="adjustment-row"') == 10
    assert html.count("exceeded") == 2
    # nothing was applied: the grades are the adjusted ones, no more adjustments were made
    assert Adjustment.objects.count() == 10


def test_the_page_adjusts_one_appraisal_and_lists_it(org, login_en):
    # given
    cycle = _cycle(org)
    r2 = _at(cycle.appraisals.get(employee=org.r2), AppraisalStatus.RATING)
    client = login_en(org.manager)
    url = f"/appraisal/cycles/{cycle.pk}/calibration/"
    # when
    response = client.post(
        url, {"appraisal": r2.pk, "to_grade": "B", "to_total": "79.00", "reason": "对齐团队"}
    )
    # then
    assert response.status_code == 302
    adjustment = Adjustment.objects.get()
    assert (adjustment.appraisal, adjustment.to_grade, adjustment.to_total, adjustment.actor) == (
        r2,
        "B",
        Decimal("79.00"),
        org.manager.user,
    )
    page = client.get(url).content.decode()
    assert "对齐团队" in page
    assert page.count('data-testid="adjustment-row"') == 1


def test_the_page_shows_a_refusal_as_a_form_error_and_stores_nothing(org, login_en):
    # given
    cycle = _cycle(org)
    r2 = _at(cycle.appraisals.get(employee=org.r2), AppraisalStatus.RATING)
    client = login_en(org.hr)
    # when the reason is missing
    response = client.post(
        f"/appraisal/cycles/{cycle.pk}/calibration/",
        {"appraisal": r2.pk, "to_grade": "B", "reason": ""},
    )
    # then
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert _stored() == (0, 0)


@pytest.mark.parametrize("who", ["s1", "r1", "staff"])
def test_who_may_not_calibrate_gets_404_and_nothing_is_stored(org, login, who):
    # given
    cycle = _cycle(org)
    r1 = _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    client = login(getattr(org, who))
    url = f"/appraisal/cycles/{cycle.pk}/calibration/"
    # when
    got = client.get(url)
    posted = client.post(url, {"appraisal": r1.pk, "to_grade": "S", "reason": "上调"})
    # then
    assert (got.status_code, posted.status_code) == (404, 404)
    assert _stored() == (0, 0)


def test_a_manager_sees_only_the_people_in_scope_and_cannot_post_for_others(org, login):
    # given M2, a manager with only R3's team T2 below (S2 moved under M2)
    m2 = employee_hire(
        actor=None,
        employee_no="M2",
        name="M2",
        role=Role.MANAGER,
        team=None,
        manager=None,
        hire_date=dt.date(2025, 1, 6),
    )
    employee_login_create(actor=None, employee=m2, username="m2", password="Tele-sales-2026!")
    employee_update(actor=None, employee=org.s2, manager=m2)
    m2.refresh_from_db()
    cycle = _cycle(org)
    r1 = _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    client = login(m2)
    url = f"/appraisal/cycles/{cycle.pk}/calibration/"
    # when
    page = client.get(url)
    posted = client.post(url, {"appraisal": r1.pk, "to_grade": "S", "reason": "上调"})
    # then
    assert page.status_code == 200
    assert [i["appraisal"].employee.employee_no for i in page.context["items"]] == ["R3"]
    assert posted.status_code == 404
    assert _stored() == (0, 0)


def test_an_unknown_cycle_is_404(org, login):
    assert login(org.hr).get("/appraisal/cycles/999/calibration/").status_code == 404


def test_appraisals_not_yet_being_rated_are_listed_without_a_score(org, login):
    # given R1 being rated and adjusted to A; R2 and R3 still drafts
    cycle = _cycle(org)
    r1 = _at(cycle.appraisals.get(employee=org.r1), AppraisalStatus.RATING)
    adjustment_add(actor=org.hr.user, appraisal=r1, to_grade="A", reason="校准")
    # when
    response = login(org.hr).get(f"/appraisal/cycles/{cycle.pk}/calibration/")
    # then
    distribution = response.context["distribution"]
    assert (distribution["graded"], distribution["ungraded"], distribution["adjusted"]) == (1, 2, 1)
    items = response.context["items"]
    assert [(i["appraisal"].employee.employee_no, i["result"]["grade"]) for i in items] == [
        ("R1", "A"),
        ("R2", None),
        ("R3", None),
    ]
    assert [i["form"] is not None for i in items] == [True, False, False]
