"""The demo step of development (`telesales demo`): plans for about half the reps of each
team with progress histories and some overdue goals, senior reps mentoring new hires, a couple
of rotations, and a bench of 4–6 nominees with one team lacking a ready-now successor."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from telesales.core.demo import DemoContext, demo_steps
from telesales.org.demo import demo_build
from telesales.org.models import Employee, Team
from telesales.people.development.demo import NEW_HIRE_DAYS, SENIOR_DAYS, demo_development
from telesales.people.development.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    GoalProgress,
    Mentorship,
    Nomination,
    Rotation,
    SuccessionAssessment,
)
from telesales.people.development.selectors import bench_coverage, goal_is_overdue

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db):
    demo_build(today=TODAY)
    with CaptureQueriesContext(connection) as queries:
        line = demo_development(DemoContext(today=TODAY, seed=2026))
    return line, len(queries.captured_queries)


def test_the_step_is_registered_at_74():
    assert [(s.key, s.order) for s in demo_steps() if s.key == "development"] == [
        ("development", 74)
    ]


def test_about_half_the_reps_of_each_team_have_a_plan(demo):
    # given
    line, queries = demo
    # then
    for team in Team.objects.all():
        reps = Employee.objects.employed_on(TODAY).filter(role="rep", team=team)
        with_plan = reps.filter(development_plans__isnull=False).distinct().count()
        assert with_plan == (reps.count() + 1) // 2, team.code
    assert line.startswith("Development: ")
    # Fast: about 1.5 s alone on SQLite; the number of queries is the measure that holds
    # on a busy machine.
    assert queries < 1600


def test_goals_have_various_progress_histories_and_a_few_are_overdue(demo):
    # when
    goals = list(DevelopmentGoal.objects.select_related("plan"))
    overdue = [g for g in goals if goal_is_overdue(g, g.plan, TODAY)]
    # then
    assert len({g.progress for g in goals}) >= 5
    assert 1 <= len(overdue) <= len(goals) // 3
    assert GoalProgress.objects.count() >= len(goals)
    assert DevelopmentPlan.objects.filter(status="active").count() >= 10
    for update in GoalProgress.objects.all():
        assert update.to_progress != update.from_progress
        assert timezone.localdate(update.at) <= TODAY


def test_senior_reps_mentor_new_hires(demo):
    mentorships = list(Mentorship.objects.select_related("mentor", "mentee"))
    assert len(mentorships) >= 3
    for m in mentorships:
        assert (TODAY - m.mentor.hire_date).days >= SENIOR_DAYS
        assert (TODAY - m.mentee.hire_date).days <= NEW_HIRE_DAYS
        assert m.mentor.team_id == m.mentee.team_id


def test_rotations_and_the_bench(demo):
    # then
    assert Rotation.objects.count() == 2
    nominations = list(Nomination.objects.select_related("employee__team"))
    assert 4 <= len(nominations) <= 6
    assert len({n.employee.team_id for n in nominations}) == Team.objects.count()
    assert {n.readiness for n in nominations} == {"ready_now", "1_year", "2_years"}
    assert SuccessionAssessment.objects.count() > len(nominations)  # some were reassessed
    hr = get_user_model().objects.get(username="hr")
    coverage = bench_coverage(hr, today=TODAY)
    assert [c.team.code for c in coverage if c.uncovered] == ["T3"]


def test_running_it_again_adds_nothing(demo):
    before = DevelopmentPlan.objects.count()
    assert demo_development(DemoContext(today=TODAY, seed=2026)) == ""
    assert DevelopmentPlan.objects.count() == before
