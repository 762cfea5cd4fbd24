"""Individual development plans: creating and editing them, the one transition function with
its table of moves, goals, progress updates (each kept as a history row) and comments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.people.development import access
from telesales.people.development.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    GoalProgress,
    PlanComment,
)
from telesales.people.development.services.common import is_employed, refuse, user_of

Status = DevelopmentPlan.Status
GoalStatus = DevelopmentGoal.Status

PLAN_FIELDS = ["employee_id", "title", "start", "end", "status", "summary"]
GOAL_FIELDS = ["plan_id", "title", "measure", "due_on", "progress", "status"]
EDITABLE = {Status.DRAFT, Status.ACTIVE}


# -- the state machine -------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    label: Promise


# The only moves a plan makes; anything else is refused. Completed and cancelled plans are
# final: a new period gets a new plan, so the old one stays as it was.
MOVES: dict[tuple[str, str], Move] = {
    (Status.DRAFT, Status.ACTIVE): Move(gettext_lazy("Activate")),
    (Status.DRAFT, Status.CANCELLED): Move(gettext_lazy("Cancel")),
    (Status.ACTIVE, Status.COMPLETED): Move(gettext_lazy("Complete")),
    (Status.ACTIVE, Status.CANCELLED): Move(gettext_lazy("Cancel")),
}


def plan_moves_for(user, plan: DevelopmentPlan) -> list[tuple[str, Move]]:
    """The moves this user may make on this plan now: (target status, move)."""
    if not access.plan_rights(user, plan).manage:
        return []
    return [
        (to_status, move)
        for (from_status, to_status), move in MOVES.items()
        if from_status == plan.status
    ]


def _status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


@transaction.atomic
def plan_transition(
    *, actor, plan: DevelopmentPlan, to_status: str, comment: str = ""
) -> DevelopmentPlan:
    """Move a plan along one of the allowed moves (MOVES). A plan is activated with at least
    one goal that is not dropped, and only while the employee has no other active plan."""
    plan = DevelopmentPlan.objects.select_for_update().select_related("employee").get(pk=plan.pk)
    if not access.plan_may_see(actor, plan) or not access.plan_rights(actor, plan).manage:
        refuse()
    if (plan.status, to_status) not in MOVES:
        raise ValidationError(
            _("A plan that is “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": _status_label(plan.status), "to": _status_label(to_status)}
        )
    if to_status == Status.ACTIVE:
        if not plan.goals.exclude(status=GoalStatus.DROPPED).exists():
            raise ValidationError(_("Add at least one goal before activating the plan."))
        Employee.objects.select_for_update().filter(pk=plan.employee_id).first()
        other = (
            DevelopmentPlan.objects.filter(employee_id=plan.employee_id, status=Status.ACTIVE)
            .exclude(pk=plan.pk)
            .first()
        )
        if other is not None:
            raise ValidationError(
                _("%(name)s already has an active plan (“%(title)s”); complete or cancel it first.")
                % {"name": plan.employee.name, "title": other.title}
            )
    before = snapshot(plan, PLAN_FIELDS)
    plan.status = to_status
    plan.save(update_fields=["status", "updated_at"])
    if comment.strip():
        PlanComment.objects.create(plan=plan, author=user_of(actor), body=comment.strip())
    audit_record(
        actor=actor,
        action="development_plan.transition",
        obj=plan,
        before=before,
        after=snapshot(plan, PLAN_FIELDS),
    )
    return plan


# -- plans -------------------------------------------------------------------------------------


def _period_validate(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationError(_("The end of the period cannot be before its start."))


def _text_required(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message)
    return value


@transaction.atomic
def plan_create(
    *,
    actor,
    employee: Employee,
    title: str,
    start: dt.date,
    end: dt.date,
    summary: str = "",
) -> DevelopmentPlan:
    """A new draft plan for an employee, made by their line, HR or an administrator."""
    if not access.can_manage_employee(actor, employee):
        refuse()
    if not is_employed(employee):
        raise ValidationError(
            _("%(name)s is no longer employed; no plan can be made.") % {"name": employee.name}
        )
    title = _text_required(title, _("Give the plan a title."))
    _period_validate(start, end)
    plan = DevelopmentPlan.objects.create(
        employee=employee,
        title=title,
        start=start,
        end=end,
        summary=(summary or "").strip(),
        created_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="development_plan.create",
        obj=plan,
        after=snapshot(plan, PLAN_FIELDS),
    )
    return plan


def _editable(plan: DevelopmentPlan) -> None:
    if plan.status not in EDITABLE:
        raise ValidationError(
            _("A plan that is “%(status)s” can no longer be changed.")
            % {"status": _status_label(plan.status)}
        )


@transaction.atomic
def plan_update(
    *,
    actor,
    plan: DevelopmentPlan,
    title: str,
    start: dt.date,
    end: dt.date,
    summary: str = "",
) -> DevelopmentPlan:
    """Change a draft or active plan's title, period and focus; every goal stays due within
    the period."""
    plan = DevelopmentPlan.objects.select_for_update().select_related("employee").get(pk=plan.pk)
    if not access.plan_may_see(actor, plan) or not access.plan_rights(actor, plan).manage:
        refuse()
    _editable(plan)
    title = _text_required(title, _("Give the plan a title."))
    _period_validate(start, end)
    outside = (
        plan.goals.exclude(status=GoalStatus.DROPPED)
        .exclude(due_on__gte=start, due_on__lte=end)
        .count()
    )
    if outside:
        raise ValidationError(
            ngettext(
                "%(count)s goal is due outside the new period; change its due date first.",
                "%(count)s goals are due outside the new period; change their due dates first.",
                outside,
            )
            % {"count": outside}
        )
    before = snapshot(plan, PLAN_FIELDS)
    plan.title = title
    plan.start = start
    plan.end = end
    plan.summary = (summary or "").strip()
    plan.save()
    audit_record(
        actor=actor,
        action="development_plan.update",
        obj=plan,
        before=before,
        after=snapshot(plan, PLAN_FIELDS),
    )
    return plan


# -- goals -------------------------------------------------------------------------------------


def _goal_validate(plan: DevelopmentPlan, *, title: str, measure: str, due_on: dt.date):
    title = _text_required(title, _("Name the goal."))
    measure = _text_required(measure, _("Say how the goal is measured."))
    if not plan.start <= due_on <= plan.end:
        raise ValidationError(
            _("A goal is due within its plan's period, %(start)s to %(end)s.")
            % {"start": plan.start.isoformat(), "end": plan.end.isoformat()}
        )
    return title, measure


def _status_for(progress: int) -> str:
    if progress >= 100:
        return GoalStatus.ACHIEVED
    return GoalStatus.IN_PROGRESS if progress > 0 else GoalStatus.NOT_STARTED


@transaction.atomic
def goal_add(
    *, actor, plan: DevelopmentPlan, title: str, measure: str, due_on: dt.date
) -> DevelopmentGoal:
    """A new goal, at 0 %, on a draft or active plan."""
    plan = DevelopmentPlan.objects.select_for_update().select_related("employee").get(pk=plan.pk)
    if not access.plan_may_see(actor, plan) or not access.plan_rights(actor, plan).manage:
        refuse()
    _editable(plan)
    title, measure = _goal_validate(plan, title=title, measure=measure, due_on=due_on)
    goal = DevelopmentGoal.objects.create(plan=plan, title=title, measure=measure, due_on=due_on)
    audit_record(
        actor=actor, action="development_goal.create", obj=goal, after=snapshot(goal, GOAL_FIELDS)
    )
    return goal


@transaction.atomic
def goal_update(
    *,
    actor,
    goal: DevelopmentGoal,
    title: str,
    measure: str,
    due_on: dt.date,
    dropped: bool = False,
) -> DevelopmentGoal:
    """Change a goal of a draft or active plan; a dropped goal no longer counts in the plan's
    progress, and taking it back restores the status its progress gives."""
    goal = DevelopmentGoal.objects.select_for_update().get(pk=goal.pk)
    plan = DevelopmentPlan.objects.select_related("employee").get(pk=goal.plan_id)
    if not access.plan_may_see(actor, plan) or not access.plan_rights(actor, plan).manage:
        refuse()
    _editable(plan)
    title, measure = _goal_validate(plan, title=title, measure=measure, due_on=due_on)
    before = snapshot(goal, GOAL_FIELDS)
    goal.title = title
    goal.measure = measure
    goal.due_on = due_on
    goal.status = GoalStatus.DROPPED if dropped else _status_for(goal.progress)
    goal.save()
    audit_record(
        actor=actor,
        action="development_goal.update",
        obj=goal,
        before=before,
        after=snapshot(goal, GOAL_FIELDS),
    )
    return goal


@transaction.atomic
def goal_progress_update(
    *,
    actor,
    goal: DevelopmentGoal,
    progress: int,
    note: str = "",
    at: dt.datetime | None = None,
) -> GoalProgress:
    """Record a goal's progress (0–100 %) on an active plan, by the employee or their line;
    each update is kept (who, when, from, to, note) and sets the goal's status: 0 % not
    started, 100 % achieved, in progress between."""
    goal = DevelopmentGoal.objects.select_for_update().get(pk=goal.pk)
    plan = DevelopmentPlan.objects.select_related("employee").get(pk=goal.plan_id)
    if not access.plan_may_see(actor, plan) or not access.plan_rights(actor, plan).progress:
        refuse()
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise ValidationError(_("Progress is a whole number from 0 to 100."))
    if plan.status != Status.ACTIVE:
        raise ValidationError(_("Progress is recorded only on an active plan."))
    if goal.status == GoalStatus.DROPPED:
        raise ValidationError(_("This goal was dropped; it takes no more progress."))
    note = (note or "").strip()
    if progress == goal.progress and not note:
        raise ValidationError(
            _("The goal is already at %(progress)s%%; enter a different value or a note.")
            % {"progress": goal.progress}
        )
    at = at or timezone.now()
    before = snapshot(goal, GOAL_FIELDS)
    entry = GoalProgress.objects.create(
        goal=goal,
        by=user_of(actor),
        at=at,
        from_progress=goal.progress,
        to_progress=progress,
        note=note,
    )
    goal.progress = progress
    goal.status = _status_for(progress)
    goal.save(update_fields=["progress", "status", "updated_at"])
    audit_record(
        actor=actor,
        action="development_goal.progress",
        obj=goal,
        before=before,
        after=snapshot(goal, GOAL_FIELDS),
    )
    return entry


# -- comments ----------------------------------------------------------------------------------


@transaction.atomic
def plan_comment_add(
    *, actor, plan: DevelopmentPlan, body: str, at: dt.datetime | None = None
) -> PlanComment:
    """A comment on a plan by the employee or their line."""
    if not access.plan_may_see(actor, plan) or not access.plan_rights(actor, plan).comment:
        refuse()
    body = _text_required(body, _("Write a comment first."))
    comment = PlanComment.objects.create(
        plan=plan, author=user_of(actor), body=body, at=at or timezone.now()
    )
    audit_record(
        actor=actor,
        action="development_plan.comment",
        obj=plan,
        after={"comment": comment.pk, "body": body[:200]},
    )
    return comment
