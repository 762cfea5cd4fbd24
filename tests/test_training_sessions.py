"""Training sessions and plans (source §2.2.2): recurring plans and their dates, the one
transition function with its table of moves, attendance, and scores from 0 to 100."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from telesales.core.models import AuditEvent
from telesales.people.training.models import (
    Assessment,
    AssessmentResult,
    Invitation,
    TrainingPlan,
    TrainingSession,
)
from telesales.people.training.services import (
    MOVES,
    ScoreEntry,
    occurrences,
    recurring_plan_create,
    session_attendance_record,
    session_create,
    session_invite,
    session_scores_record,
    session_transition,
)

pytestmark = pytest.mark.usefixtures("english")

PAST = dt.date(2026, 3, 3)
FUTURE = dt.date(2030, 3, 5)


def _session(org, day=PAST, invitees=None):
    return session_create(
        actor=None,
        title="电话话术演练",
        topic="call_scripts",
        date=day,
        start_time=dt.time(14, 0),
        duration_minutes=90,
        invitees=invitees if invitees is not None else [org.r1, org.r2],
        trainer=org.s1,
    )


def _held(org, **kwargs):
    session = _session(org, **kwargs)
    session = session_transition(actor=None, session=session, to_status="held")
    session_attendance_record(
        actor=None, session=session, attendance={org.r1.pk: "attended", org.r2.pk: "absent"}
    )
    return session


# -- recurring plans ---------------------------------------------------------------------------


def test_weekly_dates_move_off_holidays_to_the_next_working_day():
    # Thursdays of late September and October 2026: 1 Oct is National Day → 8 Oct, which is
    # also the next Thursday, so they are one session
    assert occurrences(
        frequency="weekly", weekday=3, start=dt.date(2026, 9, 20), end=dt.date(2026, 10, 20)
    ) == [dt.date(2026, 9, 24), dt.date(2026, 10, 8), dt.date(2026, 10, 15)]


def test_monthly_dates_use_the_months_last_day_when_it_is_shorter():
    # the 31st: 31 January is a Saturday → Monday 2 February; February has 28 days, and
    # Saturday 28 February 2026 is a make-up working day; 31 March is a Tuesday
    assert occurrences(
        frequency="monthly", day_of_month=31, start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    ) == [dt.date(2026, 2, 2), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]


def test_a_supervisor_makes_a_weekly_plan_for_the_team_inviting_its_reps(org):
    # when
    plan = recurring_plan_create(
        actor=org.s1.user,
        title="每周销售技巧",
        topic="selling_skills",
        team=org.t1,
        frequency="weekly",
        weekday=0,
        start_time=dt.time(16, 30),
        duration_minutes=60,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
        trainer=org.s1,
    )
    # then
    sessions = plan.sessions.order_by("date")
    assert [s.date.day for s in sessions] == [2, 9, 16, 23, 30]
    assert {
        (s.title, s.topic, s.start_time, s.duration_minutes, s.trainer_id, s.status)
        for s in sessions
    } == {("每周销售技巧", "selling_skills", dt.time(16, 30), 60, org.s1.pk, "planned")}
    assert (
        sorted(
            Invitation.objects.filter(session__plan=plan).values_list(
                "employee__employee_no", flat=True
            )
        )
        == ["R1"] * 5 + ["R2"] * 5
    )
    assert AuditEvent.objects.filter(action="training.plan.create", object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(
    ("who", "team", "message"),
    [
        ("s2", "t1", "You may not plan the training of this team."),
        ("s1", None, "Only HR and administrators plan training for the whole company."),
        ("manager", None, "Only HR and administrators plan training for the whole company."),
        ("r1", "t1", "You may not change this training."),
        ("staff", "t1", "You may not change this training."),
    ],
)
def test_plans_outside_the_users_teams_are_refused(org, who, team, message):
    # when / then
    with pytest.raises(PermissionDenied, match=message):
        recurring_plan_create(
            actor=getattr(org, who).user,
            title="x",
            topic="other",
            team=getattr(org, team) if team else None,
            frequency="weekly",
            weekday=0,
            start_time=dt.time(9, 0),
            duration_minutes=60,
            start_date=dt.date(2026, 3, 1),
            end_date=dt.date(2026, 3, 31),
        )
    assert TrainingPlan.objects.count() == 0


def test_hr_plans_for_the_whole_company(org):
    # when
    plan = recurring_plan_create(
        actor=org.hr.user,
        title="行业资讯",
        topic="industry_news",
        team=None,
        frequency="monthly",
        day_of_month=25,
        start_time=dt.time(15, 0),
        duration_minutes=60,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
    )
    # then
    session = plan.sessions.get()
    assert session.date == dt.date(2026, 3, 25)
    assert sorted(session.invitations.values_list("employee__employee_no", flat=True)) == [
        "R1",
        "R2",
        "R3",
    ]


def test_a_plan_with_bad_dates_is_refused(org):
    common = {
        "actor": org.hr.user,
        "title": "x",
        "topic": "other",
        "team": org.t1,
        "frequency": "weekly",
        "weekday": 0,
        "start_time": dt.time(9, 0),
        "duration_minutes": 60,
    }
    with pytest.raises(ValidationError, match="ends before it starts"):
        recurring_plan_create(
            **common, start_date=dt.date(2026, 3, 31), end_date=dt.date(2026, 3, 1)
        )
    with pytest.raises(ValidationError, match="No session of this recurrence"):
        recurring_plan_create(
            **common, start_date=dt.date(2026, 3, 3), end_date=dt.date(2026, 3, 4)
        )
    with pytest.raises(ValidationError, match="at most 366 days"):
        recurring_plan_create(
            **common, start_date=dt.date(2026, 1, 1), end_date=dt.date(2027, 1, 2)
        )
    assert TrainingPlan.objects.count() == 0


# -- transitions -------------------------------------------------------------------------------


def test_the_table_of_moves():
    assert sorted(MOVES) == [
        ("cancelled", "planned"),
        ("planned", "cancelled"),
        ("planned", "held"),
    ]


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["held"], True),
        (["cancelled"], True),
        (["cancelled", "planned"], True),
        (["cancelled", "planned", "held"], True),
        (["held", "cancelled"], False),
        (["held", "planned"], False),
        (["cancelled", "held"], False),
        (["planned"], False),
    ],
)
def test_session_transitions_allowed_and_refused(org, path, allowed):
    # given
    session = _session(org)
    *before, last = path
    for status in before:
        session = session_transition(actor=None, session=session, to_status=status)
    status_before = session.status
    # when / then
    if allowed:
        session = session_transition(actor=org.s1.user, session=session, to_status=last)
        assert session.status == last
    else:
        with pytest.raises(ValidationError, match="cannot become"):
            session_transition(actor=org.s1.user, session=session, to_status=last)
        session.refresh_from_db()
        assert session.status == status_before


def test_a_session_is_not_held_before_its_date(org):
    # given
    session = _session(org, day=FUTURE)
    # when / then
    with pytest.raises(ValidationError, match="cannot be marked held before then"):
        session_transition(actor=org.s1.user, session=session, to_status="held")
    session.refresh_from_db()
    assert session.status == "planned"


def test_a_cancellation_keeps_its_reason_and_is_audited(org):
    # given
    session = _session(org)
    # when
    session_transition(actor=org.s1.user, session=session, to_status="cancelled", note="讲师出差")
    # then
    session.refresh_from_db()
    assert (session.status, session.note) == ("cancelled", "讲师出差")
    event = AuditEvent.objects.get(action="training.session.transition")
    assert (event.before, event.after) == (
        {"note": "", "status": "planned"},
        {"note": "讲师出差", "status": "cancelled"},
    )


def test_another_supervisor_cannot_move_the_session(org):
    # given
    session = _session(org)
    # when / then
    with pytest.raises(PermissionDenied):
        session_transition(actor=org.s2.user, session=session, to_status="cancelled")
    session.refresh_from_db()
    assert session.status == "planned"


# -- attendance --------------------------------------------------------------------------------


def test_attendance_is_recorded_once_the_session_was_held(org):
    # given
    session = _session(org)
    # when / then
    with pytest.raises(ValidationError, match="once the session was held"):
        session_attendance_record(actor=None, session=session, attendance={org.r1.pk: "attended"})
    session = session_transition(actor=None, session=session, to_status="held")
    changed = session_attendance_record(
        actor=org.s1.user,
        session=session,
        attendance={org.r1.pk: "attended", org.r2.pk: "excused"},
    )
    assert changed == 2
    assert dict(session.invitations.values_list("employee__employee_no", "attendance")) == {
        "R1": "attended",
        "R2": "excused",
    }


def test_attendance_of_someone_not_invited_is_refused(org):
    # given
    session = _held(org)
    # when / then
    with pytest.raises(ValidationError, match="Only those invited"):
        session_attendance_record(actor=None, session=session, attendance={org.r3.pk: "attended"})


def test_inviting_someone_later_and_someone_out_of_scope(org):
    # given
    session = _session(org, invitees=[org.r1])
    # when
    session_invite(actor=org.s1.user, session=session, employees=[org.r2])
    # then
    with pytest.raises(PermissionDenied):
        session_invite(actor=org.s1.user, session=session, employees=[org.r3])
    assert sorted(session.invitations.values_list("employee__employee_no", flat=True)) == [
        "R1",
        "R2",
    ]


# -- scores ------------------------------------------------------------------------------------


def test_course_scores_of_those_who_attended(org):
    # given
    session = _held(org)
    # when
    changed = session_scores_record(
        actor=org.s1.user,
        session=session,
        kind="course",
        pass_mark=Decimal(60),
        scores=[ScoreEntry(org.r1.pk, Decimal("55.5"), Decimal(80))],
    )
    # then
    result = AssessmentResult.objects.select_related("assessment").get()
    assert changed == 1
    assert (result.pre_score, result.score, result.improvement, result.passed) == (
        Decimal("55.50"),
        Decimal("80.00"),
        Decimal("24.50"),
        True,
    )
    assert (result.assessment.kind, result.assessment.date) == ("course", PAST)


@pytest.mark.parametrize(
    ("pre", "post", "message"),
    [
        (None, "101", "“101” is not a score; a score is a number from 0 to 100."),
        ("-1", "80", "“-1” is not a score; a score is a number from 0 to 100."),
        ("abc", "80", "“abc” is not a score; a score is a number from 0 to 100."),
        ("50", "80.555", "A score has at most two decimals."),
        ("50", None, "a score before the course needs the score after it too."),
    ],
)
def test_bad_scores_are_refused_naming_the_trainee_and_nothing_is_stored(org, pre, post, message):
    # given
    session = _held(org)
    # when / then
    with pytest.raises(ValidationError) as refused:
        session_scores_record(
            actor=None,
            session=session,
            kind="course",
            pass_mark=None,
            scores=[ScoreEntry(org.r1.pk, pre, post)],
        )
    assert refused.value.messages == [f"张一: {message}"]
    assert AssessmentResult.objects.count() == 0
    assert Assessment.objects.count() == 0


def test_scores_of_an_absentee_and_a_skill_score_before_are_refused(org):
    # given
    session = _held(org)
    # when / then
    with pytest.raises(ValidationError, match="张二 did not attend"):
        session_scores_record(
            actor=None,
            session=session,
            kind="course",
            pass_mark=None,
            scores=[ScoreEntry(org.r2.pk, None, Decimal(70))],
        )
    with pytest.raises(ValidationError, match="a skill assessment has one score"):
        session_scores_record(
            actor=None,
            session=session,
            kind="skill",
            pass_mark=None,
            scores=[ScoreEntry(org.r1.pk, Decimal(50), Decimal(70))],
        )
    with pytest.raises(ValidationError, match="Pass mark"):
        session_scores_record(
            actor=None, session=session, kind="skill", pass_mark=Decimal(120), scores=[]
        )
    assert AssessmentResult.objects.count() == 0


def test_scores_wait_for_the_session_to_be_held(org):
    # given
    session = _session(org)
    # when / then
    with pytest.raises(ValidationError, match="once the session was held"):
        session_scores_record(
            actor=None,
            session=session,
            kind="skill",
            pass_mark=None,
            scores=[ScoreEntry(org.r1.pk, None, Decimal(70))],
        )


def test_a_skill_score_changed_and_cleared_is_audited(org):
    # given
    session = _held(org)
    session_scores_record(
        actor=None,
        session=session,
        kind="skill",
        pass_mark=None,
        scores=[ScoreEntry(org.r1.pk, None, Decimal(70))],
    )
    # when
    session_scores_record(
        actor=org.s1.user,
        session=session,
        kind="skill",
        pass_mark=None,
        scores=[ScoreEntry(org.r1.pk, None, Decimal(75))],
    )
    session_scores_record(
        actor=org.s1.user,
        session=session,
        kind="skill",
        pass_mark=None,
        scores=[ScoreEntry(org.r1.pk, None, None)],
    )
    # then
    assert AssessmentResult.objects.count() == 0
    changes = [
        (e.before["scores"], e.after["scores"])
        for e in AuditEvent.objects.filter(action="training.session.scores").order_by("pk")
    ]
    assert changes == [
        ({"R1": [None, None]}, {"R1": [None, "70.00"]}),
        ({"R1": [None, "70.00"]}, {"R1": [None, "75.00"]}),
        ({"R1": [None, "75.00"]}, {"R1": [None, None]}),
    ]


def test_an_attendee_with_scores_cannot_become_absent(org):
    # given
    session = _held(org)
    session_scores_record(
        actor=None,
        session=session,
        kind="skill",
        pass_mark=None,
        scores=[ScoreEntry(org.r1.pk, None, Decimal(70))],
    )
    # when / then
    with pytest.raises(ValidationError, match="has scores in this session"):
        session_attendance_record(actor=None, session=session, attendance={org.r1.pk: "absent"})
    assert Invitation.objects.get(session=session, employee=org.r1).attendance == "attended"


def test_sessions_are_counted_by_local_date(org):
    # the model keeps the company-local date and time of a session, never UTC
    session = _session(org)
    assert TrainingSession.objects.filter(date=PAST, start_time=dt.time(14, 0)).get() == session
