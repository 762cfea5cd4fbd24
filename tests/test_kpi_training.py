"""training_completion_rate, training_effect and skill_score_avg (PRODUCT.md §5) on
hand-computed examples, for a rep and for a team by each rep's team and role on the
session's date, and in `telesales kpi`."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.kpi.registry import kpis_compute
from telesales.kpi.training import skill_score_avg, training_completion_rate, training_effect
from telesales.kpi.values import KpiValue
from telesales.org.models import Role
from telesales.org.scopes import scope_for_employee, scope_for_teams
from telesales.org.services import employee_promote, employee_transfer
from telesales.people.training.services import (
    ScoreEntry,
    session_attendance_record,
    session_create,
    session_scores_record,
    session_transition,
)

pytestmark = pytest.mark.usefixtures("english")

MARCH = period_parse("2026-03")
D = Decimal


def _session(day: str, invitees, *, status="held", kind=None, scores=()):
    """A session on `day` inviting `invitees`; held ones with everyone attending and the
    scores given as (employee, pre, post)."""
    session = session_create(
        actor=None,
        title=f"培训 {day}",
        topic="selling_skills",
        date=dt.date.fromisoformat(day),
        start_time=dt.time(16, 0),
        duration_minutes=60,
        invitees=list(invitees),
    )
    if status == "planned":
        return session
    session = session_transition(actor=None, session=session, to_status=status)
    if status == "held":
        session_attendance_record(
            actor=None, session=session, attendance={e.pk: "attended" for e in invitees}
        )
        if kind:
            session_scores_record(
                actor=None,
                session=session,
                kind=kind,
                pass_mark=D(60),
                scores=[ScoreEntry(e.pk, pre, post) for e, pre, post in scores],
            )
    return session


@pytest.fixture
def history(org):
    """R3 moves from T2 to T1 on 16 March; R2 becomes a supervisor on 20 March."""
    employee_transfer(actor=None, employee=org.r3, team=org.t1, date=dt.date(2026, 3, 16))
    employee_promote(actor=None, employee=org.r2, date=dt.date(2026, 3, 20), role=Role.SUPERVISOR)
    return org


@pytest.fixture
def sessions(history):
    org = history
    r1, r2, r3 = org.r1, org.r2, org.r3
    # A: T1, held, course: R1 60 → 80 (+20), R2 50 → 65 (+15)
    _session("2026-03-03", [r1, r2], kind="course", scores=[(r1, D(60), D(80)), (r2, D(50), D(65))])
    # G: R1 (T1) and R3 (still T2), held, course: R1 70 → 75 (+5), R3 40 → 70.5 (+30.5)
    _session(
        "2026-03-05", [r1, r3], kind="course", scores=[(r1, D(70), D(75)), (r3, D(40), D("70.5"))]
    )
    # B: T1, cancelled
    _session("2026-03-10", [r1], status="cancelled")
    # C: R3 in T2, held, a course score without a score before: no effect
    _session("2026-03-12", [r3], kind="course", scores=[(r3, None, D(90))])
    # K2: R3 in T2, skill 66
    _session("2026-03-13", [r3], kind="skill", scores=[(r3, None, D(66))])
    # D: R3, now in T1, never recorded (still planned)
    _session("2026-03-18", [r3], status="planned")
    # E: R2, a supervisor by then, held, course 50 → 90 (+40)
    _session("2026-03-25", [r2], kind="course", scores=[(r2, D(50), D(90))])
    # K1: skill on 31 March: R1 82, R3 (T1) 74.5, R2 (supervisor) 90
    _session(
        "2026-03-31",
        [r1, r2, r3],
        kind="skill",
        scores=[(r1, None, D(82)), (r3, None, D("74.5")), (r2, None, D(90))],
    )
    # outside March: a skill score in February, a held session in April
    _session("2026-02-27", [r1], kind="skill", scores=[(r1, None, D(50))])
    _session("2026-04-01", [r1], kind="course", scores=[(r1, D(10), D(90))])
    return org


# -- training_completion_rate ------------------------------------------------------------------


def test_completion_of_a_team_counts_sessions_inviting_its_reps_on_the_day(sessions):
    # T1 in March: A, G and K1 held, B cancelled, D still planned (R3 in T1 by then); C and
    # K2 invite R3 while in T2, E invites R2 after the promotion → 3 held of 5
    value = training_completion_rate(scope_for_teams([sessions.t1]), MARCH)
    assert value == KpiValue(D(3) / D(5), 3, 5)


def test_completion_of_the_other_team_and_both_teams_counts_each_session_once(sessions):
    # T2: G (R3), C, K2 — all held
    assert training_completion_rate(scope_for_teams([sessions.t2]), MARCH) == KpiValue(D(1), 3, 3)
    # both: A, G, B, C, K2, D, K1 — G once although it invites a rep of each team
    both = training_completion_rate(scope_for_teams([sessions.t1, sessions.t2]), MARCH)
    assert both == KpiValue(D(5) / D(7), 5, 7)


def test_completion_of_a_rep(sessions):
    # R1: A, G, B, K1 in March (the February and April sessions are outside)
    assert training_completion_rate(scope_for_employee(sessions.r1), MARCH) == KpiValue(
        D(3) / D(4), 3, 4
    )
    # R2 counts their own sessions whatever their role: A, E, K1
    assert training_completion_rate(scope_for_employee(sessions.r2), MARCH) == KpiValue(D(1), 3, 3)


def test_completion_without_sessions_due_is_not_applicable(sessions):
    value = training_completion_rate(scope_for_employee(sessions.r1), period_parse("2026-05"))
    assert value == KpiValue(None, 0, 0)
    assert not value.applicable


# -- training_effect ---------------------------------------------------------------------------


def test_effect_of_a_team_is_the_mean_improvement_of_its_reps_assessed_before_and_after(
    sessions,
):
    # T1: R1 +20 (A), R2 +15 (A), R1 +5 (G); R3's +30.5 in G was in T2, R2's +40 as supervisor
    value = training_effect(scope_for_teams([sessions.t1]), MARCH)
    assert value == KpiValue(D(40) / D(3), D(40), 3)
    # T2: R3 +30.5 (G); C has no score before
    assert training_effect(scope_for_teams([sessions.t2]), MARCH) == KpiValue(
        D("30.5"), D("30.5"), 1
    )


def test_effect_of_a_rep(sessions):
    assert training_effect(scope_for_employee(sessions.r1), MARCH) == KpiValue(D("12.5"), D(25), 2)
    assert training_effect(scope_for_employee(sessions.r2), MARCH) == KpiValue(D("27.5"), D(55), 2)


def test_effect_without_assessed_trainees_is_not_applicable(sessions):
    # S1 took no course; R3's only other course score (C) had no score before
    assert training_effect(scope_for_employee(sessions.s1), MARCH) == KpiValue(None, 0, 0)
    assert training_effect(scope_for_teams([sessions.t1]), period_parse("2026-05")) == KpiValue(
        None, 0, 0
    )


# -- skill_score_avg ---------------------------------------------------------------------------


def test_skill_average_of_a_team_counts_skill_assessments_of_its_reps_only(sessions):
    # T1 on 31 March: R1 82 and R3 74.5 (R2 was a supervisor); course scores never count
    assert skill_score_avg(scope_for_teams([sessions.t1]), MARCH) == KpiValue(
        D("78.25"), D("156.5"), 2
    )
    # T2: R3's 66 on 13 March
    assert skill_score_avg(scope_for_teams([sessions.t2]), MARCH) == KpiValue(D(66), D(66), 1)


def test_skill_average_of_a_rep(sessions):
    # R3: 66 and 74.5; R1: 82 (February's 50 is outside)
    assert skill_score_avg(scope_for_employee(sessions.r3), MARCH) == KpiValue(
        D("70.25"), D("140.5"), 2
    )
    assert skill_score_avg(scope_for_employee(sessions.r1), MARCH) == KpiValue(D(82), D(82), 1)


def test_skill_average_without_skill_assessments_is_not_applicable(sessions):
    assert skill_score_avg(scope_for_employee(sessions.r1), period_parse("2026-04")) == KpiValue(
        None, 0, 0
    )


# -- the catalogue -----------------------------------------------------------------------------


def test_the_training_kpis_are_in_the_catalogue_and_the_command(sessions):
    # when
    values = kpis_compute(scope_for_teams([sessions.t1]), MARCH, groups={"training"})
    out = io.StringIO()
    call_command("kpi", "--period", "2026-03", "--scope", "team:T1", "--json", stdout=out)
    payload = json.loads(out.getvalue())["kpis"]
    # then
    assert set(values) == {"training_completion_rate", "training_effect", "skill_score_avg"}
    assert payload["training_completion_rate"] == {"value": 0.6, "numerator": 3, "denominator": 5}
    assert payload["skill_score_avg"] == {"value": 78.25, "numerator": 156.5, "denominator": 2}
    assert payload["training_effect"]["numerator"] == 40
    assert payload["training_effect"]["denominator"] == 3
