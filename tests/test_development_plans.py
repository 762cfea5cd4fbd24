"""Individual development plans (source §2.2.3): the transition table, goals, progress with
its history, the plan's progress as the mean of its goals, and who may change what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.people.development.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    GoalProgress,
    PlanComment,
)
from telesales.people.development.selectors import (
    plan_summaries,
    plan_view,
    progress_chart,
    progress_mean,
)
from telesales.people.development.services import (
    MOVES,
    goal_add,
    goal_progress_update,
    goal_update,
    plan_comment_add,
    plan_create,
    plan_moves_for,
    plan_transition,
    plan_update,
)

S = DevelopmentPlan.Status
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _plan(org, *, employee=None, actor=None, goals=1, activate=False):
    employee = employee or org.r1
    actor = actor or org.s1.user
    plan = plan_create(
        actor=actor,
        employee=employee,
        title="异议处理提升",
        start=TODAY - 30 * DAY,
        end=TODAY + 150 * DAY,
    )
    for n in range(goals):
        goal_add(
            actor=actor,
            plan=plan,
            title=f"目标{n + 1}",
            measure="质检分 ≥ 85",
            due_on=TODAY + (10 + n) * DAY,
        )
    if activate:
        plan = plan_transition(actor=actor, plan=plan, to_status=S.ACTIVE)
    return plan


# --- the transition table ---------------------------------------------------------------------


def test_the_table_of_moves_is_exactly_the_documented_one():
    assert set(MOVES) == {
        (S.DRAFT, S.ACTIVE),
        (S.DRAFT, S.CANCELLED),
        (S.ACTIVE, S.COMPLETED),
        (S.ACTIVE, S.CANCELLED),
    }


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([S.ACTIVE], S.ACTIVE),
        ([S.CANCELLED], S.CANCELLED),
        ([S.ACTIVE, S.COMPLETED], S.COMPLETED),
        ([S.ACTIVE, S.CANCELLED], S.CANCELLED),
    ],
)
def test_allowed_moves_are_made_and_audited(org, path, final):
    # given
    plan = _plan(org)
    audits = AuditEvent.objects.filter(action="development_plan.transition").count()
    # when
    for to_status in path:
        plan = plan_transition(actor=org.s1.user, plan=plan, to_status=to_status)
    # then
    plan.refresh_from_db()
    assert plan.status == final
    assert AuditEvent.objects.filter(action="development_plan.transition").count() == audits + len(
        path
    )


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], S.COMPLETED),
        ([S.ACTIVE], S.DRAFT),
        ([S.ACTIVE, S.COMPLETED], S.ACTIVE),
        ([S.ACTIVE, S.COMPLETED], S.CANCELLED),
        ([S.CANCELLED], S.ACTIVE),
        ([S.CANCELLED], S.DRAFT),
    ],
)
def test_moves_outside_the_table_are_refused_and_change_nothing(org, english, path, refused):
    # given
    plan = _plan(org)
    for to_status in path:
        plan = plan_transition(actor=org.s1.user, plan=plan, to_status=to_status)
    before = plan.status
    # when
    with pytest.raises(ValidationError) as error:
        plan_transition(actor=org.s1.user, plan=plan, to_status=refused)
    # then
    plan.refresh_from_db()
    assert plan.status == before
    assert error.value.messages == [
        f"A plan that is “{S(before).label}” cannot be moved to “{S(refused).label}”."
    ]


def test_a_plan_without_goals_is_not_activated(org, english):
    # given
    plan = _plan(org, goals=0)
    # when
    with pytest.raises(ValidationError) as error:
        plan_transition(actor=org.s1.user, plan=plan, to_status=S.ACTIVE)
    # then
    assert error.value.messages == ["Add at least one goal before activating the plan."]
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == S.DRAFT


def test_an_employee_has_one_active_plan_at_a_time(org, english):
    # given
    _plan(org, activate=True)
    second = _plan(org)
    # when
    with pytest.raises(ValidationError) as error:
        plan_transition(actor=org.s1.user, plan=second, to_status=S.ACTIVE)
    # then
    assert error.value.messages == [
        "张一 already has an active plan (“异议处理提升”); complete or cancel it first."
    ]
    assert DevelopmentPlan.objects.filter(employee=org.r1, status=S.ACTIVE).count() == 1


def test_moves_offered_follow_the_table_and_the_rights(org):
    # given
    plan = _plan(org, activate=True)
    # then: the line sees complete and cancel; the rep and another team's supervisor none
    assert [to for to, _move in plan_moves_for(org.s1.user, plan)] == [S.COMPLETED, S.CANCELLED]
    assert plan_moves_for(org.r1.user, plan) == []
    assert plan_moves_for(org.s2.user, plan) == []


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "staff"])
def test_only_the_line_moves_a_plan(org, who):
    # given
    plan = _plan(org)
    # when / then
    with pytest.raises(PermissionDenied):
        plan_transition(actor=getattr(org, who).user, plan=plan, to_status=S.ACTIVE)
    assert DevelopmentPlan.objects.get(pk=plan.pk).status == S.DRAFT


# --- creating and editing ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["s1", "manager", "hr", "admin"])
def test_the_line_hr_and_admin_create_plans(org, who):
    # when
    plan = plan_create(
        actor=getattr(org, who).user,
        employee=org.r1,
        title="新人成长",
        start=TODAY,
        end=TODAY + 90 * DAY,
    )
    # then
    assert (plan.status, plan.created_by, plan.employee) == (
        S.DRAFT,
        getattr(org, who).user,
        org.r1,
    )
    assert AuditEvent.objects.filter(
        action="development_plan.create", object_id=str(plan.pk)
    ).exists()


@pytest.mark.parametrize("who", ["r1", "r2", "s2", "staff"])
def test_others_and_the_employee_do_not_create_plans(org, who):
    # when / then
    with pytest.raises(PermissionDenied):
        plan_create(
            actor=getattr(org, who).user,
            employee=org.r1,
            title="x",
            start=TODAY,
            end=TODAY + DAY,
        )
    assert DevelopmentPlan.objects.count() == 0


def test_nobody_makes_their_own_plan(org):
    with pytest.raises(PermissionDenied):
        plan_create(actor=org.s1.user, employee=org.s1, title="x", start=TODAY, end=TODAY)
    assert DevelopmentPlan.objects.count() == 0


@pytest.mark.parametrize(
    ("title", "start", "end", "message"),
    [
        ("计划", TODAY, TODAY - DAY, "The end of the period cannot be before its start."),
        ("   ", TODAY, TODAY + DAY, "Give the plan a title."),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_stored(org, english, title, start, end, message):
    # when
    with pytest.raises(ValidationError) as error:
        plan_create(actor=org.s1.user, employee=org.r1, title=title, start=start, end=end)
    # then
    assert error.value.messages == [message]
    assert DevelopmentPlan.objects.count() == 0


def test_a_period_change_keeps_every_goal_inside(org, english):
    # given: a goal due in 10 days
    plan = _plan(org)
    # when: the period would end before it
    with pytest.raises(ValidationError) as error:
        plan_update(
            actor=org.s1.user, plan=plan, title=plan.title, start=plan.start, end=TODAY + DAY
        )
    # then
    assert error.value.messages == [
        "1 goal is due outside the new period; change its due date first."
    ]
    assert DevelopmentPlan.objects.get(pk=plan.pk).end == TODAY + 150 * DAY


def test_completed_plans_are_not_edited(org, english):
    # given
    plan = _plan(org, activate=True)
    plan = plan_transition(actor=org.s1.user, plan=plan, to_status=S.COMPLETED)
    # when
    with pytest.raises(ValidationError) as error:
        goal_add(actor=org.s1.user, plan=plan, title="新目标", measure="m", due_on=TODAY)
    # then
    assert error.value.messages == ["A plan that is “Completed” can no longer be changed."]
    assert plan.goals.count() == 1


@pytest.mark.parametrize(
    ("title", "measure", "due", "message"),
    [
        ("", "m", TODAY, "Name the goal."),
        ("目标", " ", TODAY, "Say how the goal is measured."),
        (
            "目标",
            "m",
            TODAY + 151 * DAY,
            f"A goal is due within its plan's period, {TODAY - 30 * DAY} to {TODAY + 150 * DAY}.",
        ),
    ],
)
def test_bad_goals_are_refused(org, english, title, measure, due, message):
    # given
    plan = _plan(org, goals=0)
    # when
    with pytest.raises(ValidationError) as error:
        goal_add(actor=org.s1.user, plan=plan, title=title, measure=measure, due_on=due)
    # then
    assert error.value.messages == [message]
    assert DevelopmentGoal.objects.count() == 0


# --- progress ---------------------------------------------------------------------------------


def test_progress_updates_are_kept_as_history(org):
    # given
    plan = _plan(org, activate=True)
    goal = plan.goals.get()
    first = timezone.now() - dt.timedelta(days=3)
    # when: the rep, then the supervisor, record progress
    goal_progress_update(actor=org.r1.user, goal=goal, progress=30, note="第一周", at=first)
    goal_progress_update(actor=org.s1.user, goal=goal, progress=100, note="")
    # then
    goal.refresh_from_db()
    assert (goal.progress, goal.status) == (100, DevelopmentGoal.Status.ACHIEVED)
    assert list(
        GoalProgress.objects.filter(goal=goal).values_list(
            "by", "from_progress", "to_progress", "note"
        )
    ) == [(org.r1.user.pk, 0, 30, "第一周"), (org.s1.user.pk, 30, 100, "")]
    assert GoalProgress.objects.filter(goal=goal).first().at == first
    assert AuditEvent.objects.filter(action="development_goal.progress").count() == 2


def test_status_follows_progress(org):
    # given
    goal = _plan(org, activate=True).goals.get()
    # when / then
    goal_progress_update(actor=org.r1.user, goal=goal, progress=40)
    assert DevelopmentGoal.objects.get(pk=goal.pk).status == "in_progress"
    goal_progress_update(actor=org.r1.user, goal=goal, progress=0, note="重新开始")
    assert DevelopmentGoal.objects.get(pk=goal.pk).status == "not_started"


@pytest.mark.parametrize("value", [-1, 101, 250])
def test_progress_outside_0_to_100_is_refused(org, english, value):
    # given
    goal = _plan(org, activate=True).goals.get()
    # when
    with pytest.raises(ValidationError) as error:
        goal_progress_update(actor=org.r1.user, goal=goal, progress=value)
    # then
    assert error.value.messages == ["Progress is a whole number from 0 to 100."]
    assert DevelopmentGoal.objects.get(pk=goal.pk).progress == 0
    assert GoalProgress.objects.count() == 0


def test_progress_is_recorded_only_on_an_active_plan(org, english):
    # given: a draft
    goal = _plan(org).goals.get()
    # when
    with pytest.raises(ValidationError) as error:
        goal_progress_update(actor=org.r1.user, goal=goal, progress=10)
    # then
    assert error.value.messages == ["Progress is recorded only on an active plan."]
    assert GoalProgress.objects.count() == 0


def test_a_dropped_goal_takes_no_progress_and_does_not_count(org, english):
    # given: two goals at 40 and 80; the second is dropped
    plan = _plan(org, goals=2, activate=True)
    first, second = plan.goals.order_by("due_on")
    goal_progress_update(actor=org.r1.user, goal=first, progress=40)
    goal_progress_update(actor=org.r1.user, goal=second, progress=80)
    goal_update(
        actor=org.s1.user,
        goal=second,
        title=second.title,
        measure=second.measure,
        due_on=second.due_on,
        dropped=True,
    )
    # when
    with pytest.raises(ValidationError) as error:
        goal_progress_update(actor=org.r1.user, goal=second, progress=90)
    # then
    assert error.value.messages == ["This goal was dropped; it takes no more progress."]
    assert plan_view(plan, today=TODAY).progress == Decimal(40)


def test_the_same_progress_without_a_note_is_refused(org, english):
    goal = _plan(org, activate=True).goals.get()
    with pytest.raises(ValidationError) as error:
        goal_progress_update(actor=org.r1.user, goal=goal, progress=0)
    assert error.value.messages == ["The goal is already at 0%; enter a different value or a note."]


@pytest.mark.parametrize("who", ["r2", "r3", "s2", "staff"])
def test_others_do_not_record_progress(org, who):
    # given
    goal = _plan(org, activate=True).goals.get()
    # when / then
    with pytest.raises(PermissionDenied):
        goal_progress_update(actor=getattr(org, who).user, goal=goal, progress=50)
    assert DevelopmentGoal.objects.get(pk=goal.pk).progress == 0
    assert GoalProgress.objects.count() == 0


def test_the_employee_does_not_edit_their_own_goals(org):
    goal = _plan(org).goals.get()
    with pytest.raises(PermissionDenied):
        goal_update(actor=org.r1.user, goal=goal, title="改", measure="m", due_on=goal.due_on)
    assert DevelopmentGoal.objects.get(pk=goal.pk).title == "目标1"


def test_the_employee_and_the_line_comment_others_do_not(org):
    # given
    plan = _plan(org)
    # when
    plan_comment_add(actor=org.r1.user, plan=plan, body="我会按时完成")
    plan_comment_add(actor=org.s1.user, plan=plan, body="好")
    # then
    with pytest.raises(PermissionDenied):
        plan_comment_add(actor=org.r2.user, plan=plan, body="x")
    assert list(PlanComment.objects.values_list("body", flat=True)) == ["我会按时完成", "好"]


# --- the plan's progress ----------------------------------------------------------------------


def test_plan_progress_is_the_mean_of_its_goals():
    # hand-computed: (30 + 45 + 100) / 3 = 58.333…
    assert progress_mean([30, 45, 100]) == Decimal(175) / Decimal(3)
    assert progress_mean([0]) == Decimal(0)
    # not applicable: a plan without goals has no progress, not 0
    assert progress_mean([]) is None


def test_summaries_give_progress_and_overdue_goals(org):
    # given: R1's active plan with a goal due yesterday at 50 % (overdue) and one at 100 %
    plan = _plan(org, goals=0)
    late = goal_add(actor=org.s1.user, plan=plan, title="a", measure="m", due_on=TODAY - DAY)
    done = goal_add(actor=org.s1.user, plan=plan, title="b", measure="m", due_on=TODAY - 2 * DAY)
    plan_transition(actor=org.s1.user, plan=plan, to_status=S.ACTIVE)
    goal_progress_update(actor=org.r1.user, goal=late, progress=50)
    goal_progress_update(actor=org.r1.user, goal=done, progress=100)
    _plan(org, employee=org.r2, goals=0)  # R2: a draft without goals
    # when
    summaries = plan_summaries([org.r1.pk, org.r2.pk, org.r3.pk], today=TODAY)
    # then
    assert (summaries[org.r1.pk].progress, summaries[org.r1.pk].overdue) == (Decimal(75), 1)
    assert (summaries[org.r2.pk].progress, summaries[org.r2.pk].goals) == (None, 0)
    assert org.r3.pk not in summaries


def test_the_chart_shows_progress_by_day(org):
    # given: a goal moved to 30 % two days ago and to 60 % today; another untouched
    plan = _plan(org, goals=2, activate=True)
    first, _second = plan.goals.order_by("due_on")
    two_days_ago = timezone.now() - 2 * DAY
    goal_progress_update(actor=org.r1.user, goal=first, progress=30, at=two_days_ago)
    goal_progress_update(actor=org.r1.user, goal=first, progress=60)
    view = plan_view(plan, today=TODAY)
    # when
    chart = progress_chart(view, today=TODAY, mean_label="mean", y_title="%")
    # then
    assert chart["days"] == [
        (TODAY - 30 * DAY).isoformat(),
        timezone.localdate(two_days_ago).isoformat(),
        TODAY.isoformat(),
    ]
    assert chart["series"] == [
        {"name": "mean", "values": [0.0, 15.0, 30.0]},
        {"name": "目标1", "values": [0, 30, 60]},
        {"name": "目标2", "values": [0, 0, 0]},
    ]
