"""The successor bench (source §2.2.3 后备管理人才): nominations, readiness and its history,
the bench with tenure, plan progress, mentor and rotations, and the coverage of each team."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.people.development import access
from telesales.people.development.models import Nomination, SuccessionAssessment
from telesales.people.development.selectors import (
    bench_coverage,
    bench_nominations,
    bench_rows,
    tenure_months,
)
from telesales.people.development.services import (
    goal_add,
    goal_progress_update,
    mentorship_start,
    nomination_create,
    nomination_reassess,
    nomination_withdraw,
    plan_create,
    plan_transition,
    rotation_record,
)

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def bench(org):
    """R1 ready now, R2 within a year (both T1, by S1), R3 within two years (T2, by S2). R1 has
    an active plan at 40 % and 80 % (60 %), R2 as mentor and two rotations."""
    org.n1 = nomination_create(
        actor=org.s1.user,
        employee=org.r1,
        readiness="ready_now",
        assessed_on=TODAY - 5 * DAY,
        strengths="业绩稳定",
        gaps="缺少管理经验",
    )
    org.n2 = nomination_create(
        actor=org.s1.user, employee=org.r2, readiness="1_year", assessed_on=TODAY - 20 * DAY
    )
    org.n3 = nomination_create(
        actor=org.s2.user, employee=org.r3, readiness="2_years", assessed_on=TODAY - 30 * DAY
    )
    plan = plan_create(
        actor=org.s1.user, employee=org.r1, title="储备组长", start=TODAY - 60 * DAY, end=TODAY
    )
    goals = [
        goal_add(actor=org.s1.user, plan=plan, title=f"g{n}", measure="m", due_on=TODAY)
        for n in (1, 2)
    ]
    plan_transition(actor=org.s1.user, plan=plan, to_status="active")
    goal_progress_update(actor=org.r1.user, goal=goals[0], progress=40)
    goal_progress_update(actor=org.r1.user, goal=goals[1], progress=80)
    mentorship_start(actor=org.s1.user, mentor=org.r2, mentee=org.r1, start=TODAY - 30 * DAY)
    for days in (90, 40):
        rotation_record(
            actor=org.s1.user, employee=org.r1, to_position="质检", start=TODAY - days * DAY
        )
    return org


def _rows(user, **filters):
    return bench_rows(bench_nominations(user, **filters), today=TODAY)


def test_the_bench_shows_each_nominee_with_their_development(bench):
    # when
    rows = _rows(bench.hr.user)
    # then: ready now first
    assert [
        (
            r.nomination.employee.employee_no,
            r.nomination.readiness,
            r.progress,
            r.mentorship.mentor.employee_no if r.mentorship else None,
            r.rotations,
            r.nomination.assessed_on,
            r.nomination.assessed_by.employee_no,
            r.tenure_months,
        )
        for r in rows
    ] == [
        (
            "R1",
            "ready_now",
            Decimal(60),
            "R2",
            2,
            TODAY - 5 * DAY,
            "S1",
            tenure_months(dt.date(2025, 1, 6), TODAY),
        ),
        ("R2", "1_year", None, None, 0, TODAY - 20 * DAY, "S1", rows[1].tenure_months),
        ("R3", "2_years", None, None, 0, TODAY - 30 * DAY, "S2", rows[2].tenure_months),
    ]


def test_tenure_counts_whole_months_from_the_hire_date():
    assert tenure_months(dt.date(2025, 1, 6), dt.date(2026, 3, 5)) == 13
    assert tenure_months(dt.date(2025, 1, 6), dt.date(2026, 3, 6)) == 14
    assert tenure_months(dt.date(2026, 3, 6), dt.date(2026, 3, 6)) == 0


def test_the_readiness_filter_leaves_the_coverage_alone(bench):
    # when
    rows = _rows(bench.hr.user, readiness="1_year")
    coverage = bench_coverage(bench.hr.user, today=TODAY)
    # then
    assert [r.nomination.employee.employee_no for r in rows] == ["R2"]
    assert [(c.team.code, c.nominees, c.ready_now, c.uncovered) for c in coverage] == [
        ("T1", 2, 1, False),
        ("T2", 1, 0, True),  # T2 has no ready-now successor: flagged
    ]


def test_the_team_filter(bench):
    rows = _rows(bench.manager.user, team=bench.t2)
    assert [r.nomination.employee.employee_no for r in rows] == ["R3"]
    assert [c.team.code for c in bench_coverage(bench.manager.user, team=bench.t2)] == ["T2"]


@pytest.mark.parametrize(
    ("who", "nominees", "teams"),
    [
        ("s1", ["R1", "R2"], ["T1"]),
        ("s2", ["R3"], ["T2"]),
        ("manager", ["R1", "R2", "R3"], ["T1", "T2"]),
        ("hr", ["R1", "R2", "R3"], ["T1", "T2"]),
        ("admin", ["R1", "R2", "R3"], ["T1", "T2"]),
        ("r1", [], []),
        ("r3", [], []),
        ("staff", [], []),
    ],
)
def test_who_sees_the_bench(bench, who, nominees, teams):
    user = getattr(bench, who).user
    rows = _rows(user)
    assert sorted(r.nomination.employee.employee_no for r in rows) == nominees
    assert access.can_see_bench(user) == bool(teams)
    if teams:
        assert [c.team.code for c in bench_coverage(user)] == teams


def test_nobody_sees_their_own_nomination(org):
    # given: S1 nominated for manager by M1
    nomination_create(
        actor=org.manager.user,
        employee=org.s1,
        target_role="manager",
        readiness="1_year",
        assessed_on=TODAY,
    )
    # then
    assert _rows(org.s1.user) == []
    assert [r.nomination.employee.employee_no for r in _rows(org.manager.user)] == ["S1"]


def test_a_reassessment_is_kept_as_history_and_counts_in_the_coverage(bench):
    # when
    nomination_reassess(
        actor=bench.s2.user,
        nomination=bench.n3,
        readiness="ready_now",
        assessed_on=TODAY,
        strengths="带教效果好",
    )
    # then
    bench.n3.refresh_from_db()
    assert (bench.n3.readiness, bench.n3.assessed_on, bench.n3.strengths) == (
        "ready_now",
        TODAY,
        "带教效果好",
    )
    assert list(
        SuccessionAssessment.objects.filter(nomination=bench.n3).values_list(
            "readiness", "assessed_on", "assessed_by__employee_no"
        )
    ) == [("2_years", TODAY - 30 * DAY, "S2"), ("ready_now", TODAY, "S2")]
    assert [c.uncovered for c in bench_coverage(bench.hr.user)] == [False, False]
    assert AuditEvent.objects.filter(action="nomination.reassess").count() == 1


def test_a_reassessment_is_not_dated_before_the_last_one(bench, english):
    with pytest.raises(ValidationError) as error:
        nomination_reassess(
            actor=bench.s2.user,
            nomination=bench.n3,
            readiness="1_year",
            assessed_on=TODAY - 31 * DAY,
        )
    assert error.value.messages == [
        f"A reassessment is dated on or after the last one ({TODAY - 30 * DAY})."
    ]
    assert SuccessionAssessment.objects.filter(nomination=bench.n3).count() == 1


@pytest.mark.parametrize(
    ("employee", "role", "readiness", "assessed_on", "message"),
    [
        ("r1", "supervisor", "1_year", TODAY, None),  # already on the bench: see below
        (
            "s2",
            "supervisor",
            "1_year",
            TODAY,
            "赵主管 is already at or above the role of Supervisor.",
        ),
        ("r3", "supervisor", "soon", TODAY, "“soon” is not a readiness."),
        ("r3", "supervisor", "1_year", TODAY + DAY, "An assessment cannot be dated in the future."),
        ("r3", "ceo", "1_year", TODAY, "“ceo” is not a target role."),
    ],
)
def test_bad_nominations_are_refused(
    bench, english, employee, role, readiness, assessed_on, message
):
    # given
    count = Nomination.objects.count()
    person = getattr(bench, employee)
    expected = (
        message or "张一 is already on the bench for Supervisor; reassess the nomination instead."
    )
    # when
    with pytest.raises(ValidationError) as error:
        nomination_create(
            actor=bench.manager.user,
            employee=person,
            target_role=role,
            readiness=readiness,
            assessed_on=assessed_on,
        )
    # then
    assert error.value.messages == [expected]
    assert Nomination.objects.count() == count


@pytest.mark.parametrize(
    ("who", "employee"), [("r1", "r2"), ("s2", "r1"), ("s1", "r3"), ("staff", "r1")]
)
def test_out_of_scope_nominations_are_refused(org, who, employee):
    with pytest.raises(PermissionDenied):
        nomination_create(
            actor=getattr(org, who).user,
            employee=getattr(org, employee),
            readiness="1_year",
            assessed_on=TODAY,
        )
    assert Nomination.objects.count() == 0


def test_withdrawing_takes_a_nominee_off_the_bench(bench, english):
    # when
    nomination_withdraw(actor=bench.s1.user, nomination=bench.n2, reason="调往客服部")
    # then
    assert [r.nomination.employee.employee_no for r in _rows(bench.hr.user)] == ["R1", "R3"]
    with pytest.raises(ValidationError) as error:
        nomination_withdraw(actor=bench.s1.user, nomination=bench.n2, reason="x")
    assert error.value.messages == ["This nomination was already withdrawn."]
    # the person may be nominated again
    again = nomination_create(
        actor=bench.s1.user, employee=bench.r2, readiness="2_years", assessed_on=TODAY
    )
    assert again.status == "active"
