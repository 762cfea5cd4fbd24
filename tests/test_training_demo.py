"""The training step of `telesales demo`: recurring plans for each team, sessions held and a
few cancelled, attendance, course and skill assessments, and the recent hires' onboarding."""

from __future__ import annotations

import datetime as dt

import pytest

from telesales.core.demo import DemoContext
from telesales.core.periods import period_parse
from telesales.kpi.training import training_kpis
from telesales.org.demo import DEMO_SEED, demo_build
from telesales.org.models import Employee, Team
from telesales.org.scopes import scope_for_teams
from telesales.people.training.demo import demo_training
from telesales.people.training.models import Assessment, Invitation, TrainingPlan, TrainingSession

pytestmark = pytest.mark.usefixtures("english")

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_build(today=TODAY)
    return demo_training(DemoContext(today=TODAY, seed=DEMO_SEED))


def test_the_demo_plans_training_for_every_team_and_the_company(demo):
    # when
    summary = demo
    recurring = TrainingPlan.objects.filter(kind="recurring")
    # then
    assert summary.startswith("Training: 11 plans (4 onboarding plans of new hires), ")
    assert sorted((p.team.code if p.team else "", p.frequency) for p in recurring) == [
        ("", "monthly"),
        ("T1", "monthly"),
        ("T1", "weekly"),
        ("T2", "monthly"),
        ("T2", "weekly"),
        ("T3", "monthly"),
        ("T3", "weekly"),
    ]
    sessions = TrainingSession.objects.all()
    assert sessions.filter(date__lt=TODAY - dt.timedelta(days=3), status="planned").count() == 0
    assert sessions.filter(status="cancelled").count() >= 1
    assert sessions.filter(date__gt=TODAY).exclude(status="planned").count() == 0
    assert Invitation.objects.filter(session__status="held", attendance="").count() == 0


def test_the_demo_has_course_and_quarterly_skill_assessments(demo):
    # when
    course = Assessment.objects.filter(kind="course")
    skill = Assessment.objects.filter(kind="skill")
    # then: the skill assessment of the quarter that ended on 31 March, for each team
    assert course.count() >= 10
    assert sorted(a.session.title for a in skill) == [
        "电销一组·2026-Q1 季度技能考核",
        "电销三组·2026-Q1 季度技能考核",
        "电销二组·2026-Q1 季度技能考核",
    ]
    assert {a.date for a in skill} == {dt.date(2026, 3, 31)}
    values = training_kpis(scope_for_teams(Team.objects.all()), period_parse("2026-Q2"))
    assert 0.5 < values["training_completion_rate"].value < 1
    assert values["training_effect"].value > 0
    values = training_kpis(scope_for_teams(Team.objects.all()), period_parse("2026-Q1"))
    assert 60 <= values["skill_score_avg"].value <= 95


def test_the_recent_hires_get_their_onboarding_held(demo):
    # given: the reps hired in the 90 days before the demo's today
    recent = set(
        Employee.objects.filter(
            role="rep", hire_date__gte=TODAY - dt.timedelta(days=90), leave_date__isnull=True
        ).values_list("employee_no", flat=True)
    )
    # when
    onboarding = TrainingPlan.objects.filter(kind="onboarding")
    # then
    assert recent
    assert {p.employee.employee_no for p in onboarding} == recent
    past = TrainingSession.objects.filter(plan__kind="onboarding", date__lt=TODAY)
    assert past.exists()
    assert set(past.values_list("status", flat=True)) == {"held"}


def test_the_demo_step_runs_once(demo):
    # when
    again = demo_training(DemoContext(today=TODAY, seed=DEMO_SEED))
    # then
    assert again == ""
    assert TrainingPlan.objects.filter(kind="recurring").count() == 7
