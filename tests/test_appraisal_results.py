"""The use of results (PRODUCT.md §6.5): the rules as pure functions (bonus, pay step,
promotion, training, position review), their settings, the training actions made at
publication, the results of a quarter and a year from published results only, HR's decisions,
the page, the Excel export and the scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from telesales.appraisal import results
from telesales.appraisal.models import Appraisal, ImprovementAction, ResultDecision
from telesales.appraisal.publication import snapshot_take
from telesales.appraisal.results import (
    bonus_amount,
    grade_numbers_parse,
    grades_parse,
    pay_step,
    pay_step_text,
    position_review,
    promotion_priority,
    result_decide,
    result_decisions_sync,
    results_compute,
    training_actions,
)
from telesales.appraisal.workflow import appraisal_transition
from telesales.core.config import setting_set
from telesales.core.models import AuditEvent
from tests.test_appraisal_results_helpers import appraisal_of, base_bonus, kpi, publish

pytestmark = pytest.mark.usefixtures("english")

COEFFICIENTS = grade_numbers_parse(results.DEFAULTS[results.BONUS_SETTING])
STEPS = grade_numbers_parse(results.DEFAULTS[results.PAY_STEPS_SETTING], whole=True)


# --- the rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "amount"),
    # base 10000 × S 1.5, A 1.2, B 1.0, C 0.7, D 0
    [("S", "15000.00"), ("A", "12000.00"), ("B", "10000.00"), ("C", "7000.00"), ("D", "0.00")],
)
def test_bonus_at_each_grade(grade, amount):
    assert bonus_amount(Decimal(10000), grade, COEFFICIENTS) == Decimal(amount)


def test_bonus_rounds_half_up_to_cents_and_needs_a_base_bonus():
    # 3333.35 × 0.7 = 2333.345 → 2333.35 (half-up)
    assert bonus_amount(Decimal("3333.35"), "C", COEFFICIENTS) == Decimal("2333.35")
    assert bonus_amount(None, "S", COEFFICIENTS) is None
    assert bonus_amount(Decimal(10000), "X", COEFFICIENTS) is None


def test_pay_steps_and_their_text():
    assert [pay_step(g, STEPS) for g in ("S", "A", "B", "C", "D", "X")] == [2, 1, 0, 0, -1, 0]
    assert pay_step(None, STEPS) is None
    assert [pay_step_text(s) for s in (2, 1, 0, -1)] == [
        "+2 steps",
        "+1 step",
        "no change",
        "−1 step",
    ]


def test_promotion_priority_for_s_and_a():
    grades = grades_parse("S,A")
    assert [promotion_priority(g, grades) for g in ("S", "A", "B", "C", "D", None)] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_training_actions_below_60_only():
    # given
    result = {
        "kpis": [
            kpi("sales_attainment", 59.99),
            kpi("connection_rate", 60.0),
            kpi("qa_score_avg", 12.5),
            kpi("csat_rate", None, applicable=False),
            kpi("crm_completeness", 0.0, applicable=False),  # when_missing: zero
        ]
    }
    # when
    actions = training_actions(result, 60)
    # then: 59.99 yes, 60.00 no, not applicable never
    assert [(a["kpi"], a["score"]) for a in actions] == [
        ("sales_attainment", Decimal("59.99")),
        ("qa_score_avg", Decimal("12.5")),
    ]
    assert actions[0]["text"].endswith("it scored 59.99, below 60.")


def test_position_review_after_two_consecutive_d_only():
    assert position_review(["D", "D"], 2) is True
    assert position_review(["B", "D", "D"], 2) is True
    assert position_review(["D", "C", "D"], 2) is False
    assert position_review([None, "D"], 2) is False
    assert position_review(["D"], 2) is False
    assert position_review(["D", "D"], 3) is False
    assert position_review(["D"], 1) is True


# --- the settings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "whole", "message"),
    [
        ("", False, "Give at least one grade and its number, e.g. “S:1.5”."),
        ("S=1.5", False, "“S=1.5” is not a grade and a number such as “S:1.5”."),
        ("S:x", False, "“S:x” is not a grade and a number such as “S:1.5”."),
        ("S:1,S:2", False, "The grade S is given twice."),
        ("S:-1", False, "The coefficient of grade S must not be negative."),
        ("S:1.5", True, "The number of steps of grade S must be a whole number."),
    ],
)
def test_grade_numbers_refused_with_a_message(text, whole, message):
    with pytest.raises(ValueError) as error:
        grade_numbers_parse(text, whole=whole)
    assert str(error.value) == message


def test_grade_lists_and_validators():
    assert grades_parse("S, A") == ["S", "A"]
    assert grades_parse("") == []
    with pytest.raises(ValidationError) as error:
        results.valid_grades("S,a")
    assert error.value.messages == ["“a” is not a grade such as “A”."]
    with pytest.raises(ValidationError):
        results.valid_steps("S:2,A:0.5")
    assert grade_numbers_parse("S:2,D:-1", whole=True) == {"S": Decimal(2), "D": Decimal(-1)}


def test_settings_change_the_rules(org):
    # given
    setting_set(actor=org.admin.user, key=results.BONUS_SETTING, value="S:2,A:1")
    setting_set(actor=org.admin.user, key=results.TRAINING_THRESHOLD_SETTING, value=70)
    # when
    rules = results.rules_current()
    # then
    assert rules["coefficients"] == {"S": Decimal(2), "A": Decimal(1)}
    assert rules["threshold"] == Decimal(70)
    assert rules["review_after"] == 2


def test_the_settings_page_refuses_a_bad_coefficient_and_stores_nothing(org, login_en):
    from telesales.core.models import Setting

    client = login_en(org.admin)
    form = client.get("/settings/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data[results.BONUS_SETTING.replace(".", "__")] = "S:1.5,A:-1"
    response = client.post("/settings/", data)
    assert "The coefficient of grade A must not be negative." in response.content.decode()
    assert Setting.objects.filter(key=results.BONUS_SETTING).count() == 0


# --- training actions at publication ----------------------------------------------------


def test_publication_creates_one_rule_action_per_kpi_below_the_threshold(org):
    # when R1's Q3 is published with sales 59.99, connection 60.00, qa 40
    appraisal = publish(
        org,
        org.r1,
        "2026-Q3",
        70,
        "C",
        kpis=[
            kpi("sales_attainment", 59.99),
            kpi("connection_rate", 60.0),
            kpi("qa_score_avg", 40),
        ],
    )
    # then
    actions = list(ImprovementAction.objects.order_by("kpi"))
    assert [(a.kpi, a.source, a.owner, a.status, a.appraisal) for a in actions] == [
        ("qa_score_avg", "rule", org.r1, "open", appraisal),
        ("sales_attainment", "rule", org.r1, "open", appraisal),
    ]
    from django.utils import timezone

    assert {a.due_on for a in actions} == {
        timezone.localdate() + __import__("datetime").timedelta(30)
    }
    assert AuditEvent.objects.filter(action="appraisal.action.rule").count() == 2


def test_republication_does_not_double_an_open_rule_action(org):
    # given R1's Q3 published with sales 50, and that action done meanwhile? no: still open
    appraisal = publish(org, org.r1, "2026-Q3", 70, "C", kpis=[kpi("sales_attainment", 50)])
    # when HR republishes (after a reopening) with sales still 50 and qa now 30
    snapshot_take(
        actor=org.hr.user,
        appraisal=appraisal,
        data={
            "total": 65,
            "grade": "C",
            "kpis": [kpi("sales_attainment", 50), kpi("qa_score_avg", 30)],
        },
    )
    # then
    assert sorted(ImprovementAction.objects.values_list("kpi", flat=True)) == [
        "qa_score_avg",
        "sales_attainment",
    ]


def test_a_revision_on_appeal_creates_no_action(org):
    appraisal = publish(org, org.r1, "2026-Q3", 90, "A", kpis=[kpi("sales_attainment", 90)])
    snapshot_take(
        actor=org.hr.user,
        appraisal=appraisal,
        kind="appeal_revised",
        data={"total": 50, "grade": "D", "kpis": [kpi("sales_attainment", 10)]},
    )
    assert ImprovementAction.objects.count() == 0


def test_the_real_publication_move_creates_the_actions(org):
    # given R1's Q3 appraisal being rated (no data: every computed KPI not applicable, so the
    # only action can come from a rated KPI; the published snapshot is the live result)
    appraisal = appraisal_of(org, org.r1, "2026-Q3")
    Appraisal.objects.filter(pk=appraisal.pk).update(status="rating")
    appraisal.refresh_from_db()
    # when
    appraisal_transition(actor=org.hr.user, appraisal=appraisal, to_status="published")
    # then: one action per applicable KPI of the snapshot below 60
    snapshot = appraisal.snapshots.get()
    expected = [k["kpi"] for k in snapshot.data["kpis"] if k["applicable"] and k["score"] < 60]
    assert sorted(ImprovementAction.objects.values_list("kpi", flat=True)) == sorted(expected)


# --- the results of a quarter ---------------------------------------------------------------


@pytest.fixture
def quarters(org):
    """R1: Q2 D, Q3 D (two consecutive D); R2: Q1 D, Q2 C, Q3 D; R3 Q3 still open."""
    base_bonus(org.r1, "10000")
    base_bonus(org.r2, "8000")
    publish(org, org.r1, "2026-Q2", 50, "D")
    publish(org, org.r1, "2026-Q3", 55, "D", kpis=[kpi("sales_attainment", 55)])
    publish(org, org.r2, "2026-Q1", 50, "D")
    publish(org, org.r2, "2026-Q2", 62, "C")
    publish(org, org.r2, "2026-Q3", 58, "D", kpis=[kpi("sales_attainment", 58)])
    return org


def test_quarter_results_from_published_results_only(quarters):
    # when
    payload = results_compute(period="2026-Q3")
    # then
    assert payload["kind"] == "quarter"
    assert [
        (r["employee_no"], r["grade"], r["base_bonus"], r["coefficient"], r["bonus"])
        for r in payload["rows"]
    ] == [("R1", "D", 10000.0, 0.0, 0.0), ("R2", "D", 8000.0, 0.0, 0.0)]
    # R3's Q3 appraisal is open (draft): listed, excluded
    assert [(i["employee_no"], i["status"]) for i in payload["not_published"]] == [("R3", "draft")]
    # position review: R1 D, D → yes; R2 C, D → no (D, C, D is not 2 consecutive)
    assert [(r["employee_no"], r["position_review"], r["grades"]) for r in payload["rows"]] == [
        ("R1", True, [{"period": "2026-Q2", "grade": "D"}, {"period": "2026-Q3", "grade": "D"}]),
        ("R2", False, [{"period": "2026-Q2", "grade": "C"}, {"period": "2026-Q3", "grade": "D"}]),
    ]
    assert [t["kpi"] for t in payload["rows"][0]["training"]] == ["sales_attainment"]


def test_quarter_bonus_without_a_base_bonus_says_so(org):
    publish(org, org.r3, "2026-Q3", 96, "S")
    row = results_compute(period="2026-Q3")["rows"][0]
    assert (row["bonus"], row["bonus_note"]) == (None, "no base bonus on record")


def test_position_review_after_three_with_the_setting(quarters):
    setting_set(actor=quarters.hr.user, key=results.POSITION_REVIEW_SETTING, value=3)
    rows = results_compute(period="2026-Q3")["rows"]
    assert [(r["employee_no"], r["position_review"]) for r in rows] == [
        ("R1", False),
        ("R2", False),
    ]


def test_results_refuse_a_month(org):
    with pytest.raises(ValidationError) as error:
        results_compute(period="2026-09")
    assert error.value.messages == [
        "The use of results is for a quarter (2026-Q3) or a year (2026), not “2026-09”."
    ]


# --- the results of a year -----------------------------------------------------------------


@pytest.fixture
def year(org):
    """R1 S (96, 98), R2 B (80), R3 D (50); pay grades P3, P2, P1."""
    for person, grade in ((org.r1, "P3"), (org.r2, "P2"), (org.r3, "P1")):
        type(person).objects.filter(pk=person.pk).update(pay_grade=grade)
    publish(org, org.r1, "2026-Q1", 96, "S")
    publish(org, org.r1, "2026-Q2", 98, "S")
    publish(org, org.r2, "2026-Q1", 80, "B")
    publish(org, org.r3, "2026-Q1", 50, "D")
    appraisal_of(org, org.r1, "2026-Q3")  # open, not yet published
    return org


def test_year_results_pay_steps_and_promotion(year):
    # when
    payload = results_compute(year=2026)
    # then: R1 (96+98)/2 = 97.00 → S → +2 steps, promotion; R2 80 → B → 0; R3 50 → D → −1
    assert [
        (
            r["employee_no"],
            r["total"],
            r["grade"],
            r["pay_grade"],
            r["step"],
            r["step_text"],
            r["promotion"],
        )
        for r in payload["rows"]
    ] == [
        ("R1", 97.0, "S", "P3", 2, "+2 steps", True),
        ("R2", 80.0, "B", "P2", 0, "no change", False),
        ("R3", 50.0, "D", "P1", -1, "−1 step", False),
    ]
    assert payload["rows"][0]["unpublished_quarters"] == ["2026-Q3"]
    assert payload["not_published"] == []


# --- decisions -------------------------------------------------------------------------------


def test_sync_stores_proposed_decisions_and_never_touches_a_decided_one(year):
    # when
    assert result_decisions_sync(actor=year.hr.user, period_code="2026") == (3, 0)
    # then: R1 pay +2 and promotion, R3 pay −1 (R2's 0 is no recommendation)
    assert sorted(
        ResultDecision.objects.values_list("employee__employee_no", "rule", "status")
    ) == [("R1", "pay", "proposed"), ("R1", "promotion", "proposed"), ("R3", "pay", "proposed")]
    # given HR approves R3's step and R1's Q2 is then revised to A
    result_decide(
        actor=year.hr.user, employee=year.r3, period_code="2026", rule="pay", approve=True
    )
    appraisal = Appraisal.objects.get(employee=year.r1, cycle__period="2026-Q2")
    snapshot_take(actor=year.hr.user, appraisal=appraisal, data={"total": 86, "grade": "A"})
    # when recomputed: R1 (96+86)/2 = 91.00 → A → +1 step, still promotion (total 91):
    # both of R1's proposals are updated, R3's approved one is not
    assert result_decisions_sync(actor=year.hr.user, period_code="2026") == (0, 2)
    # then
    pay = ResultDecision.objects.get(employee=year.r1, rule="pay")
    assert (pay.status, pay.recommendation["step"], pay.recommendation["grade"]) == (
        "proposed",
        1,
        "A",
    )
    approved = ResultDecision.objects.get(employee=year.r3, rule="pay")
    assert (approved.status, approved.recommendation["step"]) == ("approved", -1)
    assert result_decisions_sync(actor=year.hr.user, period_code="2026") == (0, 0)


def test_decide_approve_and_reject_with_a_note_audited(year):
    # when
    approved = result_decide(
        actor=year.hr.user, employee=year.r1, period_code="2026", rule="promotion", approve=True
    )
    rejected = result_decide(
        actor=year.hr.user,
        employee=year.r1,
        period_code="2026",
        rule="pay",
        approve=False,
        note="预算冻结",
    )
    # then
    assert (approved.status, approved.decided_by, approved.recommendation) == (
        "approved",
        year.hr.user,
        {"grade": "S", "total": 97.0},
    )
    assert (rejected.status, rejected.note) == ("rejected", "预算冻结")
    audits = AuditEvent.objects.filter(action="appraisal.decision").order_by("pk")
    assert [a.after["status"] for a in audits] == ["approved", "rejected"]


@pytest.mark.parametrize(
    ("who", "kwargs", "error", "message"),
    [
        (
            "hr",
            {"rule": "pay", "approve": False, "note": " "},
            ValidationError,
            "Give a note saying why the recommendation is rejected.",
        ),
        (
            "hr",
            {"rule": "bonus", "approve": True},
            ValidationError,
            "“bonus” is not a rule HR decides on.",
        ),
        (
            "hr",
            {"rule": "promotion", "approve": True, "employee": "r2"},
            ValidationError,
            "There is no Promotion priority recommendation for R2 in 2026.",
        ),
        (
            "s1",
            {"rule": "pay", "approve": True},
            PermissionDenied,
            "Only HR and administrators decide on the use of results.",
        ),
    ],
)
def test_decide_refuses_bad_input_and_stores_nothing(year, who, kwargs, error, message):
    employee = getattr(year, kwargs.pop("employee", "r1"))
    with pytest.raises(error) as raised:
        result_decide(
            actor=getattr(year, who).user, employee=employee, period_code="2026", **kwargs
        )
    text = " ".join(raised.value.messages) if error is ValidationError else str(raised.value)
    assert text == message
    assert ResultDecision.objects.count() == 0


def test_a_decision_is_not_made_twice(year):
    result_decide(
        actor=year.hr.user, employee=year.r1, period_code="2026", rule="pay", approve=True
    )
    with pytest.raises(ValidationError) as error:
        result_decide(
            actor=year.hr.user,
            employee=year.r1,
            period_code="2026",
            rule="pay",
            approve=False,
            note="x",
        )
    assert error.value.messages == ["This recommendation was already decided: Approved."]
    assert ResultDecision.objects.get().status == "approved"


# --- the page, the export and the scope ------------------------------------------------------


def test_results_page_for_hr_shows_the_quarter(quarters, login_en):
    # when
    response = login_en(quarters.hr).get("/appraisal/results/?period=2026-Q3")
    # then
    text = response.content.decode()
    assert response.status_code == 200
    assert [r["employee_no"] for r in response.context["payload"]["rows"]] == ["R1", "R2"]
    assert "Quarterly bonus = base bonus × the coefficient of the quarterly grade" in text
    assert "S 1.5, A 1.2, B 1, C 0.7, D 0" in text
    assert 'data-testid="decide-position_review-R1"' in text
    assert "Not yet published" in text


def test_results_page_decides_through_a_post(year, login_en):
    # when
    client = login_en(year.hr)
    response = client.post(
        "/appraisal/results/",
        {
            "action": "decide",
            "period": "2026",
            "employee": year.r3.pk,
            "rule": "pay",
            "verdict": "reject",
            "note": "岗位调整中",
        },
    )
    # then
    assert response.status_code == 302
    assert response["Location"] == "/appraisal/results/?period=2026"
    decision = ResultDecision.objects.get()
    assert (decision.employee, decision.rule, decision.status, decision.note) == (
        year.r3,
        "pay",
        "rejected",
        "岗位调整中",
    )
    page = client.get("/appraisal/results/?period=2026").content.decode()
    assert "岗位调整中" in page


def test_results_page_post_without_a_note_to_reject_stores_nothing(year, login_en):
    client = login_en(year.hr)
    response = client.post(
        "/appraisal/results/",
        {
            "action": "decide",
            "period": "2026",
            "employee": year.r3.pk,
            "rule": "pay",
            "verdict": "reject",
        },
        follow=True,
    )
    assert "Give a note saying why the recommendation is rejected." in response.content.decode()
    assert ResultDecision.objects.count() == 0


def test_results_page_recompute_stores_proposals(year, login_en):
    response = login_en(year.admin).post(
        "/appraisal/results/", {"action": "recompute", "period": "2026"}, follow=True
    )
    assert "Recommendations stored: 3 new, 0 updated." in response.content.decode()
    assert ResultDecision.objects.count() == 3


@pytest.mark.parametrize("who", ["s1", "manager", "r1", "staff"])
def test_results_pages_refuse_everyone_but_hr_and_admin(year, login, who):
    # given
    client = login(getattr(year, who))
    audits = AuditEvent.objects.count()
    # when
    page = client.get("/appraisal/results/?period=2026")
    export = client.get("/appraisal/results/export/?period=2026")
    post = client.post(
        "/appraisal/results/",
        {
            "action": "decide",
            "period": "2026",
            "employee": year.r1.pk,
            "rule": "pay",
            "verdict": "approve",
        },
    )
    sync = client.post("/appraisal/results/", {"action": "recompute", "period": "2026"})
    # then
    assert [page.status_code, export.status_code, post.status_code, sync.status_code] == [404] * 4
    assert ResultDecision.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_export_opens_with_openpyxl_and_has_the_rows(quarters, login_en):
    # when
    response = login_en(quarters.hr).get("/appraisal/results/export/?period=2026-Q3")
    # then
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Bonus", "Training", "Position review", "Rules"]
    bonus = [list(row) for row in book["Bonus"].iter_rows(values_only=True)]
    assert bonus[0] == [
        "Employee no.",
        "Name",
        "Team",
        "Grade",
        "Total",
        "Base bonus",
        "Coefficient",
        "Bonus",
    ]
    assert bonus[1:] == [
        ["R1", "张一", "T1", "D", 55, 10000, 0, 0],
        ["R2", "张二", "T1", "D", 58, 8000, 0, 0],
    ]
    review = list(book["Position review"].iter_rows(values_only=True))
    assert review[1][:4] == ("R1", "张一", "2026-Q2 D → 2026-Q3 D", "yes")
    rules = {row[0]: row[1] for row in book["Rules"].iter_rows(values_only=True)}
    assert rules["appraisal.bonus_coefficients"] == "S:1.5,A:1.2,B:1.0,C:0.7,D:0"
    assert rules["Period"] == "2026-Q3"


def test_export_of_a_year_has_pay_and_promotion_sheets(year, login_en):
    response = login_en(year.admin).get("/appraisal/results/export/?period=2026")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Pay step", "Promotion", "Rules"]
    pay = list(book["Pay step"].iter_rows(values_only=True))
    assert pay[1][:7] == ("R1", "张一", "T1", 97, "S", "P3", 2)


def test_results_page_with_a_bad_period_says_so(org, login_en):
    response = login_en(org.hr).get("/appraisal/results/?period=soon")
    assert response.status_code == 200
    assert "“soon” is not" in response.content.decode()


def test_results_page_queries_do_not_grow_with_rows(org, login, django_assert_max_num_queries):
    # given one published result in Q3 (and nobody else appraised)
    publish(org, org.r1, "2026-Q3", 50, "D")
    Appraisal.objects.exclude(employee=org.r1).delete()
    client = login(org.hr)
    client.get("/appraisal/results/?period=2026-Q3")
    with django_assert_max_num_queries(40) as small:
        client.get("/appraisal/results/?period=2026-Q3")
    # when two more are published
    publish(org, org.r2, "2026-Q3", 50, "D")
    publish(org, org.r3, "2026-Q3", 50, "D")
    # then
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/appraisal/results/?period=2026-Q3")
    assert len(response.context["payload"]["rows"]) == 3


def test_menu_shows_use_of_results_to_hr_only(org, login_en):
    assert "/appraisal/results/" in login_en(org.hr).get("/").content.decode()
    assert "/appraisal/results/" not in login_en(org.s1).get("/").content.decode()
