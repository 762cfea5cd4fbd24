"""What an appraisal is scored on (PRODUCT.md §5, §6) and `telesales appraisal preview`
(§8): a rep on their own KPIs, a supervisor on the teams they lead, targets from the scheme,
from attainment (1) or from the targets app, and not-applicable lines with their reason, on
hand-computed examples."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from telesales.appraisal.inputs import (
    PreviewError,
    appraisal_preview,
    appraisee_scope,
    scheme_inputs,
)
from telesales.appraisal.models import Scheme as SchemeModel
from telesales.appraisal.schemes import SchemeNotFound, scheme_import, scheme_load
from telesales.core.models import AuditEvent
from telesales.core.periods import period_parse
from telesales.people.workreports.services import report_rate
from telesales.sales.services import product_upsert
from telesales.targets.models import Metric
from telesales.targets.services import target_set
from tests.test_kpi_sales import deal
from tests.test_workreports_services import _submitted

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"

REP_SCHEME = """
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

SUPERVISOR_SCHEME = """
code: tiny-sup
name: 主管小方案
applies_to: supervisor
categories:
  - {code: results, name: 业绩, weight: 80, kpis: [
      {kpi: sales_attainment, weight: 50},
      {kpi: sales_amount, weight: 50, target: 120000}]}
  - {code: conduct, name: 态度, weight: 20, kpis: [
      {kpi: report_quality, weight: 100, curve: rating}]}
"""


def _target(metric, value, *, team=None, employee=None):
    target_set(actor=None, metric=metric, period=Q3, value=D(value), team=team, employee=employee)


@pytest.fixture
def case(org):
    """Q3 2026. R1 (T1) won D1 30,000 on 7 July and D2 20,000 on 12 August; R2 (T1) won D3
    10,000 on 20 July; R3 (T2) nothing. R1's targets: sales 50,000, deals won 5. T1's own
    sales target: 100,000. R2 and R3 have no targets. The two tiny schemes are stored."""
    product, _ = product_upsert(
        actor=None, code="P1", name="产品", key_product=False, unit_price=None
    )
    deal("D1", org.r1, product, "30000", "9000", "2026-07-07")
    deal("D2", org.r1, product, "20000", "6000", "2026-08-12")
    deal("D3", org.r2, product, "10000", "3000", "2026-07-20")
    _target(Metric.SALES_AMOUNT, "50000", employee=org.r1)
    _target(Metric.DEALS_WON, "5", employee=org.r1)
    _target(Metric.SALES_AMOUNT, "100000", team=org.t1)
    scheme_import(actor=None, text=REP_SCHEME)
    scheme_import(actor=None, text=SUPERVISOR_SCHEME)
    return org


def _run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("appraisal", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


# --- scope ----------------------------------------------------------------------------------


def test_a_rep_is_scored_on_their_own_kpis_a_supervisor_on_the_teams_they_lead(org):
    # when
    rep, supervisor = appraisee_scope(org.r1), appraisee_scope(org.s1)
    # then
    assert (rep.employee_id, rep.team_ids) == (org.r1.pk, ())
    assert (supervisor.code, supervisor.employee_id, supervisor.team_ids) == (
        "supervisor:S1",
        None,
        (org.t1.pk,),
    )


# --- inputs -----------------------------------------------------------------------------------


def test_inputs_take_targets_from_the_line_the_attainment_and_the_targets_app(case):
    # when
    inputs = scheme_inputs(scheme_load("tiny-rep"), case.r1, period_parse(Q3))
    # then
    got = {code: (i.actual, i.target, i.reason) for code, i in inputs.items()}
    assert got == {
        # 50,000 sold of the 50,000 target; an attainment's target is 1
        "sales_attainment": (D(1), D(1), ""),
        # 2 deals; the target of 5 comes from the targets app
        "deals_won": (D(2), D(5), ""),
        # 50,000 / 2 deals; the line's own target
        "avg_order_value": (D(25000), D(25000), ""),
        # rated KPIs have no ratings store yet
        "superior_evaluation": (None, None, "no ratings yet"),
    }


def test_without_a_target_the_line_is_not_applicable(case):
    # when R2 has no target of their own
    inputs = scheme_inputs(scheme_load("tiny-rep"), case.r2, period_parse(Q3))
    # then
    assert (inputs["sales_attainment"].actual, inputs["sales_attainment"].reason) == (
        None,
        "no target for the period",
    )
    assert (inputs["deals_won"].actual, inputs["deals_won"].reason) == (
        None,
        "no target for the period",
    )
    # and a KPI of a line with its own target is still scored: 10,000 / 1 deal
    assert inputs["avg_order_value"].actual == D(10000)


def test_a_mean_over_nothing_is_not_applicable_never_0(case):
    # when R3 won no deal (avg_order_value has no deals to divide by)
    inputs = scheme_inputs(scheme_load("tiny-rep"), case.r3, period_parse(Q3))
    # then
    assert (inputs["avg_order_value"].actual, inputs["avg_order_value"].reason) == (
        None,
        "no data in the period",
    )


def test_a_kpi_the_registry_does_not_compute_is_not_applicable(case):
    # given a scheme line naming a catalogue KPI without a computation
    scheme = scheme_load("tiny-rep")
    from dataclasses import replace

    line = replace(scheme.categories[0].kpis[1], kpi="no_such_kpi")
    category = replace(scheme.categories[0], kpis=(scheme.categories[0].kpis[0], line))
    scheme = replace(scheme, categories=(category, scheme.categories[1]))
    # when
    inputs = scheme_inputs(scheme, case.r1, period_parse(Q3))
    # then
    assert (inputs["no_such_kpi"].actual, inputs["no_such_kpi"].reason) == (
        None,
        "not computed yet",
    )


# --- preview ----------------------------------------------------------------------------------


def test_a_reps_preview_in_the_shape_of_appraisal_compute(case):
    # when
    got = appraisal_preview(scheme_code="tiny-rep", employee=case.r1, period=period_parse(Q3))
    # then
    #   results: sales_attainment 1.0 → 100.00; deals_won 2/5 → 40.00
    #            (70 × 100 + 30 × 40) / 100 = 82.00
    #   quality: avg_order_value 25,000/25,000 → 100.00; superior_evaluation not applicable,
    #            its 50 goes to avg_order_value → 100.00
    #   total (60 × 82 + 40 × 100) / 100 = 89.20 → A
    assert got == {
        "employee_no": "R1",
        "name": "张一",
        "scheme": "tiny-rep",
        "status": "preview",
        "total": 89.2,
        "grade": "A",
        "categories": [
            {"code": "results", "weight": 60, "effective_weight": 60, "score": 82.0},
            {"code": "quality", "weight": 40, "effective_weight": 40, "score": 100.0},
        ],
        "kpis": [
            {
                "kpi": "sales_attainment",
                "category": "results",
                "actual": 1,
                "target": 1,
                "score": 100.0,
                "applicable": True,
                "weight": 70,
                "effective_weight": 70,
                "reason": None,
                "numerator": 50000,
                "denominator": 50000,
            },
            {
                "kpi": "deals_won",
                "category": "results",
                "actual": 2,
                "target": 5,
                "score": 40.0,
                "applicable": True,
                "weight": 30,
                "effective_weight": 30,
                "reason": None,
                "numerator": 2,
                "denominator": None,
            },
            {
                "kpi": "avg_order_value",
                "category": "quality",
                "actual": 25000,
                "target": 25000,
                "score": 100.0,
                "applicable": True,
                "weight": 50,
                "effective_weight": 100,
                "reason": None,
                "numerator": 50000,
                "denominator": 2,
            },
            {
                "kpi": "superior_evaluation",
                "category": "quality",
                "actual": None,
                "target": None,
                "score": None,
                "applicable": False,
                "weight": 50,
                "effective_weight": 0,
                "reason": "no ratings yet",
                "numerator": None,
                "denominator": None,
            },
        ],
        "redistributions": [
            {
                "level": "kpi",
                "category": "quality",
                "source": "superior_evaluation",
                "rule": "redistribute",
                "weight": 50,
                "shares": [{"to": "avg_order_value", "weight": 50}],
                "score": None,
            }
        ],
    }


def test_a_category_without_any_value_gives_its_weight_to_the_others(case):
    # when R2 has no targets: the results category has no applicable KPI
    got = appraisal_preview(scheme_code="tiny-rep", employee=case.r2, period=period_parse(Q3))
    # then quality: avg_order_value 10,000 / 25,000 = 0.4 → 40.00 (and takes the 50 of
    # superior_evaluation); results' 60 goes to quality, so the total is 40.00 → D
    assert (got["total"], got["grade"]) == (40.0, "D")
    assert got["categories"] == [
        {"code": "results", "weight": 60, "effective_weight": 0, "score": None},
        {"code": "quality", "weight": 40, "effective_weight": 100, "score": 40.0},
    ]
    assert [(r["level"], r["source"]) for r in got["redistributions"]] == [
        ("kpi", "superior_evaluation"),
        ("category", "results"),
    ]


def test_a_supervisor_is_scored_on_the_team_they_lead(case):
    # when S1 leads T1 (R1 50,000 + R2 10,000 = 60,000 sold; T1's own target 100,000)
    got = appraisal_preview(scheme_code="tiny-sup", employee=case.s1, period=period_parse(Q3))
    # then results: sales_attainment 0.6 → 60.00; sales_amount 60,000/120,000 → 50.00;
    #   (50 × 60 + 50 × 50) / 100 = 55.00
    # conduct: report_quality has no rated work report → its 20 goes to results
    # total 55.00 → D
    assert (got["total"], got["grade"]) == (55.0, "D")
    assert [(k["kpi"], k["actual"], k["target"], k["score"]) for k in got["kpis"]] == [
        ("sales_attainment", 0.6, 1, 60.0),
        ("sales_amount", 60000, 120000, 50.0),
        ("report_quality", None, None, None),
    ]
    assert got["kpis"][2]["reason"] == "no ratings yet"
    assert got["categories"][0]["effective_weight"] == 100


def test_a_supervisors_report_quality_is_their_superiors_rating_of_their_work_reports(case):
    # given S1's weekly reports of 6 and 13 July, rated 4 and 5 by their manager M1
    for start, rating in ((dt.date(2026, 7, 6), 4), (dt.date(2026, 7, 13), 5)):
        report = _submitted(case, start=start, at=f"{start + dt.timedelta(days=4)}T18:00")
        report_rate(actor=case.manager.user, report=report, rating=rating)
    # when
    got = appraisal_preview(scheme_code="tiny-sup", employee=case.s1, period=period_parse(Q3))
    # then report_quality = (4 + 5) / 2 = 4.5 → 20 × 4.5 = 90.00 = conduct
    #   total (80 × 55 + 20 × 90) / 100 = 62.00 → C
    assert got["kpis"][2] == {
        "kpi": "report_quality",
        "category": "conduct",
        "actual": 4.5,
        "target": None,
        "score": 90.0,
        "applicable": True,
        "weight": 100,
        "effective_weight": 100,
        "reason": None,
        "numerator": None,
        "denominator": None,
    }
    assert (got["total"], got["grade"], got["redistributions"]) == (62.0, "C", [])


def test_a_scheme_for_another_role_is_refused(case):
    # when / then
    with pytest.raises(PreviewError, match="Scheme tiny-sup is for the role supervisor"):
        appraisal_preview(scheme_code="tiny-sup", employee=case.r1, period=period_parse(Q3))
    with pytest.raises(SchemeNotFound):
        appraisal_preview(scheme_code="nope", employee=case.r1, period=period_parse(Q3))


# --- the command ------------------------------------------------------------------------------


def test_the_command_previews_one_employee_as_json(case):
    # given
    schemes, audits = SchemeModel.objects.count(), AuditEvent.objects.count()
    # when
    status, out, _err = _run(
        "preview", "--scheme", "tiny-rep", "--period", Q3, "--employee", "R1", "--json"
    )
    # then
    payload = json.loads(out)
    assert (status, payload["period"], len(payload["appraisals"])) == (0, Q3, 1)
    assert (payload["appraisals"][0]["total"], payload["appraisals"][0]["grade"]) == (89.2, "A")
    # and a preview stores nothing
    assert (SchemeModel.objects.count(), AuditEvent.objects.count()) == (schemes, audits)


def test_the_command_previews_a_teams_reps_or_its_supervisor(case):
    # when
    _s, reps, _e = _run(
        "preview", "--scheme", "tiny-rep", "--period", Q3, "--scope", "team:T1", "--json"
    )
    _s, lead, _e = _run(
        "preview", "--scheme", "tiny-sup", "--period", Q3, "--scope", "team:T1", "--json"
    )
    # then
    assert [(a["employee_no"], a["total"]) for a in json.loads(reps)["appraisals"]] == [
        ("R1", 89.2),
        ("R2", 40.0),
    ]
    assert [(a["employee_no"], a["total"]) for a in json.loads(lead)["appraisals"]] == [
        ("S1", 55.0)
    ]


def test_the_command_prints_a_readable_table(case):
    # when
    status, out, _err = _run("preview", "--scheme", "tiny-rep", "--period", Q3, "--employee", "R2")
    # then
    assert status == 0
    assert "R2 张二 · tiny-rep · 2026-Q3 · preview: total 40.00, grade D" in out
    assert "no target for the period" in out
    assert "results has no value: its weight 60 goes to quality +60." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--scheme", "nope", "--period", Q3, "--employee", "R1"), "no appraisal scheme"),
        (("--scheme", "tiny-rep", "--period", "2026-Q9", "--employee", "R1"), ""),
        (("--scheme", "tiny-rep", "--period", Q3, "--employee", "E404"), "no employee E404"),
        (("--scheme", "tiny-rep", "--period", Q3, "--scope", "team:T9"), "no team T9"),
        (("--scheme", "tiny-sup", "--period", Q3, "--employee", "R1"), "is for the role"),
        (("--scheme", "tiny-rep", "--period", Q3, "--employee", "R1", "--user", "x"), "no user"),
    ],
)
def test_bad_inputs_get_a_message_and_exit_1(case, args, message):
    # when
    status, out, err = _run("preview", *args)
    # then
    assert (status, out) == (1, "")
    assert message in err
    assert err.strip()


def test_a_user_sees_only_the_people_in_their_scope(case):
    # when S2 (who leads T2) asks for R1 of T1, or for T1
    one = _run(
        "preview", "--scheme", "tiny-rep", "--period", Q3, "--employee", "R1", "--user", "s2"
    )
    team = _run(
        "preview", "--scheme", "tiny-rep", "--period", Q3, "--scope", "team:T1", "--user", "s2"
    )
    # then both are refused as if they did not exist
    assert (one[0], one[1], one[2].strip()) == (1, "", "There is no employee R1.")
    assert (team[0], team[1]) == (1, "")
    assert "There is no team T1" in team[2]
    # and S1 sees R1
    status, out, _err = _run(
        "preview",
        "--scheme",
        "tiny-rep",
        "--period",
        Q3,
        "--employee",
        "R1",
        "--user",
        "s1",
        "--json",
    )
    assert (status, json.loads(out)["appraisals"][0]["employee_no"]) == (0, "R1")
