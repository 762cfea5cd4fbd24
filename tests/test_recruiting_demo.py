"""The demo step of recruiting (`telesales demo`): three openings, one filled by a rep hired
a week ago through the hire, twelve candidates over the stages with rounds and scorecards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from telesales.core.demo import DemoContext
from telesales.org.demo import demo_build
from telesales.org.models import Employee, EmployeeEvent
from telesales.people.recruiting.demo import demo_recruiting
from telesales.people.recruiting.models import Candidate, InterviewRound, Opening, Scorecard

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    demo_build(today=TODAY)
    employees = set(Employee.objects.values_list("employee_no", flat=True))
    summary = demo_recruiting(DemoContext(today=TODAY, seed=2026))
    return employees, summary


def test_the_demo_has_three_openings_one_filled_one_on_hold(demo):
    # when
    openings = {o.team.code: o.status for o in Opening.objects.select_related("team")}
    # then
    assert openings == {"T1": "open", "T2": "filled", "T3": "on_hold"}


def test_the_demo_spreads_twelve_candidates_over_the_stages(demo):
    # when
    stages = dict(
        Candidate.objects.order_by()
        .values_list("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    # then
    assert sum(stages.values()) == 12
    assert stages == {
        "applied": 2,
        "screening": 2,
        "interview": 2,
        "offer": 1,
        "hired": 1,
        "rejected": 3,
        "withdrawn": 1,
    }
    assert InterviewRound.objects.count() == 17
    assert 0 < Scorecard.objects.count() < InterviewRound.objects.count()


def test_the_demo_hires_one_candidate_as_a_new_rep_of_t2(demo):
    # given
    before, summary = demo
    # when
    candidate = Candidate.objects.select_related("employee__team", "employee__manager").get(
        stage="hired"
    )
    employee = candidate.employee
    # then: a new, unique employee number after the demo's own
    assert employee.employee_no not in before
    assert employee.employee_no.startswith("E")
    assert (employee.team.code, employee.role, employee.manager.employee_no) == (
        "T2",
        "rep",
        "S002",
    )
    assert TODAY - dt.timedelta(days=12) <= employee.hire_date <= TODAY - dt.timedelta(days=7)
    assert EmployeeEvent.objects.filter(employee=employee, kind="hire").count() == 1
    assert summary == (
        "Recruiting: 3 openings (1 filled), 12 candidates, 17 interview rounds; "
        f"{employee.name} was hired as {employee.employee_no}."
    )


def test_the_demo_step_runs_once(demo):
    # given
    counts = (Opening.objects.count(), Candidate.objects.count(), Employee.objects.count())
    # when
    again = demo_recruiting(DemoContext(today=TODAY, seed=2026))
    # then
    assert again == ""
    assert (Opening.objects.count(), Candidate.objects.count(), Employee.objects.count()) == counts


def test_the_demo_step_does_nothing_without_the_demo_teams(org):
    # when
    summary = demo_recruiting(DemoContext(today=TODAY, seed=2026))
    # then
    assert summary == ""
    assert Opening.objects.count() == 0
