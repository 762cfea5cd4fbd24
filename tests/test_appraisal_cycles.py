"""Appraisal cycles (PRODUCT.md §6.4, §8): `appraisal open` takes in everyone of the scheme's
role employed on at least one day of the period, leavers included, rated by their manager, and
a second open creates nothing; `appraisal compute` scores every appraisal of the period in the
§8 JSON shape with each appraisal's status."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from telesales.appraisal.cycles import appraisal_open, appraisals_compute
from telesales.appraisal.models import Appraisal, AppraisalStatus, Cycle
from telesales.appraisal.schemes import SchemeNotFound
from telesales.appraisal.workflow import appraisal_transition
from telesales.core.models import AuditEvent
from telesales.core.periods import PeriodError
from telesales.org.models import Role
from telesales.org.services import employee_hire, employee_leave

pytestmark = pytest.mark.usefixtures("english")

Q3 = "2026-Q3"


def _hire(no, org, *, hire, role=Role.REP, manager=None):
    return employee_hire(
        actor=None,
        employee_no=no,
        name=no,
        role=role,
        team=org.t1,
        manager=manager or org.s1,
        hire_date=hire,
    )


def _people(cycle) -> dict[str, str | None]:
    return {
        a.employee.employee_no: (a.rater.employee_no if a.rater else None)
        for a in cycle.appraisals.select_related("employee", "rater")
    }


def test_open_takes_in_the_reps_employed_in_the_period_with_their_manager_as_rater(org):
    # given a rep who left on 2026-07-02 (one day in Q3), one who left before Q3 and one hired after
    leaver = _hire("R4", org, hire=dt.date(2025, 3, 1))
    employee_leave(actor=None, employee=leaver, date=dt.date(2026, 7, 2), voluntary=True)
    gone = _hire("R5", org, hire=dt.date(2025, 3, 1))
    employee_leave(actor=None, employee=gone, date=dt.date(2026, 7, 1), voluntary=True)
    _hire("R6", org, hire=dt.date(2026, 10, 1))
    # when
    cycle, created = appraisal_open(
        actor=org.hr.user, scheme_code="rep-default", period_code="2026-q3"
    )
    # then
    assert (cycle.period, cycle.kind, cycle.scheme.code) == (Q3, "quarter", "rep-default")
    assert cycle.opened_by == org.hr.user
    assert created == 4
    assert _people(cycle) == {"R1": "S1", "R2": "S1", "R3": "S2", "R4": "S1"}
    assert set(cycle.appraisals.values_list("status", "version")) == {("draft", 1)}
    audit = AuditEvent.objects.get(action="appraisal.open")
    assert audit.after == {
        "scheme": "rep-default",
        "period": Q3,
        "created": ["R1", "R2", "R3", "R4"],
    }


def test_open_a_supervisor_scheme_takes_in_the_supervisors_rated_by_the_manager(org):
    # when
    cycle, created = appraisal_open(
        actor=org.hr.user, scheme_code="supervisor-default", period_code="2026-09"
    )
    # then
    assert (cycle.period, cycle.kind, created) == ("2026-09", "month", 2)
    assert _people(cycle) == {"S1": "M1", "S2": "M1"}


def test_open_twice_creates_nothing_new_and_adds_only_who_is_missing(org):
    # given
    first, created = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code=Q3)
    audits = AuditEvent.objects.filter(action="appraisal.open").count()
    # when
    again, created_again = appraisal_open(
        actor=org.hr.user, scheme_code="rep-default", period_code=Q3
    )
    # then
    assert (created, created_again, again.pk) == (3, 0, first.pk)
    assert Cycle.objects.count() == 1
    assert Appraisal.objects.count() == 3
    assert AuditEvent.objects.filter(action="appraisal.open").count() == audits
    # when a rep hired in the period is added later
    _hire("R7", org, hire=dt.date(2026, 9, 30))
    _, added = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code=Q3)
    # then
    assert added == 1
    assert set(_people(first)) == {"R1", "R2", "R3", "R7"}


@pytest.mark.parametrize(
    ("scheme", "period", "error", "message"),
    [
        (
            "nope",
            Q3,
            SchemeNotFound,
            "There is no appraisal scheme with the code “nope”.",
        ),
        (
            "rep-default",
            "2026-09-15",
            ValidationError,
            "An appraisal cycle runs for a month, a quarter or a year, not “2026-09-15”.",
        ),
    ],
)
def test_open_refuses_an_unknown_scheme_or_a_day_and_stores_nothing(
    org, scheme, period, error, message
):
    # when
    with pytest.raises(error) as raised:
        appraisal_open(actor=org.hr.user, scheme_code=scheme, period_code=period)
    # then
    text = " ".join(raised.value.messages) if error is ValidationError else str(raised.value)
    assert text == message
    assert (Cycle.objects.count(), Appraisal.objects.count()) == (0, 0)


def test_open_refuses_text_that_is_no_period(org):
    with pytest.raises(PeriodError):
        appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code="Q9")
    assert Cycle.objects.count() == 0


def test_compute_scores_each_appraisal_in_the_product_shape_with_its_status(org):
    # given R1's appraisal agreed
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code=Q3)
    appraisal_open(actor=org.hr.user, scheme_code="supervisor-default", period_code="2026-09")
    r1 = cycle.appraisals.get(employee=org.r1)
    r1.appraisee_agreed_at = r1.rater_agreed_at = timezone.now()
    r1.save()
    appraisal_transition(actor=org.s1.user, appraisal=r1, to_status=AppraisalStatus.AGREED)
    # when
    result = appraisals_compute(period_code=Q3)
    # then
    assert result["period"] == Q3
    assert [(a["employee_no"], a["scheme"], a["status"]) for a in result["appraisals"]] == [
        ("R1", "rep-default", "agreed"),
        ("R2", "rep-default", "draft"),
        ("R3", "rep-default", "draft"),
    ]
    first = result["appraisals"][0]
    assert {"employee_no", "scheme", "status", "total", "grade", "categories", "kpis"} <= set(first)
    assert set(first["categories"][0]) == {"code", "weight", "effective_weight", "score"}
    assert {
        "kpi",
        "category",
        "actual",
        "target",
        "score",
        "applicable",
        "weight",
        "effective_weight",
    } <= set(first["kpis"][0])
    # and a scheme filter keeps only that scheme's cycle
    assert appraisals_compute(period_code=Q3, scheme_code="supervisor-default") == {
        "period": Q3,
        "appraisals": [],
    }
    assert [a["employee_no"] for a in appraisals_compute(period_code="2026-09")["appraisals"]] == [
        "S1",
        "S2",
    ]


def test_compute_keeps_scoring_an_appraisal_whose_appraisee_changed_role(org):
    # given R2's rep appraisal for Q3 is open, then R2 is promoted to supervisor
    from telesales.org.services import employee_promote

    appraisal_open(actor=org.hr.user, scheme_code="rep-default", period_code=Q3)
    employee_promote(actor=None, employee=org.r2, date=dt.date(2026, 9, 20), role=Role.SUPERVISOR)
    # when
    result = appraisals_compute(period_code=Q3)
    # then: R2 is still scored on the rep scheme, and nobody is left out
    assert [(a["employee_no"], a["scheme"]) for a in result["appraisals"]] == [
        ("R1", "rep-default"),
        ("R2", "rep-default"),
        ("R3", "rep-default"),
    ]


def test_compute_of_a_period_without_cycles_is_empty(org):
    assert appraisals_compute(period_code="2026") == {"period": "2026", "appraisals": []}


# --- the command line ---------------------------------------------------------------------


def _run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("appraisal", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_command_open_prints_how_many_were_created(org):
    # when
    first = _run("open", "--scheme", "rep-default", "--period", Q3)
    second = _run("open", "--scheme", "rep-default", "--period", Q3)
    # then
    assert first == (0, "Cycle 2026-Q3 · rep-default: 3 appraisals created.\n", "")
    assert second == (0, "Cycle 2026-Q3 · rep-default: 0 appraisals created.\n", "")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--scheme", "nope", "--period", Q3),
            "There is no appraisal scheme with the code “nope”.",
        ),
        (
            ("--scheme", "rep-default", "--period", "2026-09-01..2026-09-05"),
            "An appraisal cycle runs for a month, a quarter or a year, "
            "not “2026-09-01..2026-09-05”.",
        ),
    ],
)
def test_command_open_refuses_an_unknown_scheme_or_period_with_exit_1(org, args, message):
    assert _run("open", *args) == (1, "", message + "\n")
    assert Cycle.objects.count() == 0


def test_command_compute_json(org):
    # given
    _run("open", "--scheme", "rep-default", "--period", Q3)
    # when
    code, out, err = _run("compute", "--period", Q3, "--scheme", "rep-default", "--json")
    # then
    payload = json.loads(out)
    assert (code, err) == (0, "")
    assert payload == appraisals_compute(period_code=Q3, scheme_code="rep-default")
    assert [(a["employee_no"], a["status"]) for a in payload["appraisals"]] == [
        ("R1", "draft"),
        ("R2", "draft"),
        ("R3", "draft"),
    ]


def test_command_compute_table_and_unknown_scheme(org):
    # given
    _run("open", "--scheme", "supervisor-default", "--period", Q3)
    # when
    code, out, _err = _run("compute", "--period", Q3)
    # then
    lines = out.splitlines()
    assert code == 0
    assert [line.split(" · ")[0] for line in lines] == ["S1 李主管", "S2 赵主管"]
    assert all(" · supervisor-default · 2026-Q3 · draft: total " in line for line in lines)
    assert _run("compute", "--period", Q3, "--scheme", "nope", "--json") == (
        1,
        json.dumps(
            {"error": "There is no appraisal scheme with the code “nope”."}, ensure_ascii=False
        )
        + "\n",
        "There is no appraisal scheme with the code “nope”.\n",
    )
