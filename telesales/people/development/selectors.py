"""Reads for the development pages: a person's development, the team list, the successor
bench and its coverage. Every list costs the same few queries however many people it shows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from telesales.org import access as org_access
from telesales.org.models import Employee, Role, Team
from telesales.people.development import access
from telesales.people.development.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    GoalProgress,
    Mentorship,
    Nomination,
    Readiness,
    Rotation,
)

Status = DevelopmentPlan.Status
GoalStatus = DevelopmentGoal.Status
COUNTED = [GoalStatus.NOT_STARTED, GoalStatus.IN_PROGRESS, GoalStatus.ACHIEVED]
READINESS_ORDER = {value: index for index, value in enumerate(Readiness.values)}


# -- the rules ---------------------------------------------------------------------------------


def progress_mean(progresses: list[int]) -> Decimal | None:
    """A plan's progress: the mean of its goals' progress, dropped goals not counted; a plan
    without such goals has none (not 0)."""
    if not progresses:
        return None
    return Decimal(sum(progresses)) / Decimal(len(progresses))


def goal_is_overdue(goal: DevelopmentGoal, plan: DevelopmentPlan, today: dt.date) -> bool:
    """A goal of an active plan, not dropped, below 100 % after its due date."""
    return (
        plan.status == Status.ACTIVE
        and goal.status != GoalStatus.DROPPED
        and goal.progress < 100
        and goal.due_on < today
    )


def tenure_months(hire_date: dt.date, today: dt.date) -> int:
    """Whole months of service from the hire date to today."""
    months = (today.year - hire_date.year) * 12 + today.month - hire_date.month
    if today.day < hire_date.day:
        months -= 1
    return max(months, 0)


# -- plans of many people at once --------------------------------------------------------------


@dataclass
class PlanSummary:
    plan: DevelopmentPlan
    goals: int
    progress: Decimal | None
    overdue: int


def plan_summaries(
    employee_ids, *, today: dt.date, statuses=(Status.ACTIVE, Status.DRAFT)
) -> dict[int, PlanSummary]:
    """Each employee's current plan (active before draft, then the latest) with its progress
    and overdue goals, in one query."""
    counted = Q(goals__status__in=COUNTED)
    overdue = counted & Q(goals__progress__lt=100, goals__due_on__lt=today)
    plans = (
        DevelopmentPlan.objects.filter(employee_id__in=list(employee_ids), status__in=statuses)
        .annotate(
            goal_count=Count("goals", filter=counted),
            progress_sum=Sum("goals__progress", filter=counted),
            overdue_count=Count("goals", filter=overdue),
        )
        .order_by("employee_id", "-start", "-id")
    )
    found: dict[int, PlanSummary] = {}
    for plan in plans:
        current = found.get(plan.employee_id)
        if current is not None and not (
            plan.status == Status.ACTIVE and current.plan.status != Status.ACTIVE
        ):
            continue
        progress = (
            Decimal(plan.progress_sum or 0) / Decimal(plan.goal_count) if plan.goal_count else None
        )
        found[plan.employee_id] = PlanSummary(
            plan=plan,
            goals=plan.goal_count,
            progress=progress,
            overdue=plan.overdue_count if plan.status == Status.ACTIVE else 0,
        )
    return found


def current_mentors(employee_ids, *, today: dt.date) -> dict[int, Mentorship]:
    """Each mentee's mentorship of today, in one query."""
    rows = Mentorship.objects.filter(
        Q(end__isnull=True) | Q(end__gte=today),
        mentee_id__in=list(employee_ids),
        start__lte=today,
    ).select_related("mentor")
    return {row.mentee_id: row for row in rows}


def rotation_counts(employee_ids) -> dict[int, int]:
    rows = (
        Rotation.objects.filter(employee_id__in=list(employee_ids))
        .values("employee_id")
        .annotate(n=Count("id"))
    )
    return {row["employee_id"]: row["n"] for row in rows}


# -- the team list -----------------------------------------------------------------------------


def can_see_team_list(user) -> bool:
    return access.can_manage_any(user)


def team_people(user, *, team: Team | None = None, today: dt.date | None = None):
    """The reps whose development the user follows: employed today, in scope (supervisors:
    their teams; managers: their subtree; HR and administrators: everybody)."""
    today = today or timezone.localdate()
    people = (
        access.manageable_employees(user)
        .filter(role=Role.REP)
        .select_related("team")
        .order_by("team__code", "employee_no")
    )
    if team is not None:
        people = people.filter(team=team)
    return people


@dataclass
class TeamRow:
    employee: Employee
    summary: PlanSummary | None
    mentorship: Mentorship | None


def team_rows(people, *, today: dt.date) -> list[TeamRow]:
    """The rows of one page of the team list."""
    people = list(people)
    ids = [p.pk for p in people]
    summaries = plan_summaries(ids, today=today)
    mentors = current_mentors(ids, today=today)
    return [TeamRow(p, summaries.get(p.pk), mentors.get(p.pk)) for p in people]


# -- the successor bench -----------------------------------------------------------------------


@dataclass
class BenchRow:
    nomination: Nomination
    tenure_months: int
    progress: Decimal | None
    has_plan: bool
    mentorship: Mentorship | None
    rotations: int


def bench_nominations(
    user, *, team: Team | None = None, readiness: str = "", today: dt.date | None = None
) -> QuerySet[Nomination]:
    """The nominees on the bench the user may see: active nominations of people employed
    today, filtered by the nominee's team and readiness."""
    today = today or timezone.localdate()
    rows = (
        access.nominations_visible_to(user)
        .filter(status=Nomination.Status.ACTIVE)
        .filter(employee__in=Employee.objects.employed_on(today))
        .select_related("employee__team", "assessed_by")
    )
    if team is not None:
        rows = rows.filter(employee__team=team)
    if readiness:
        rows = rows.filter(readiness=readiness)
    return rows


def bench_rows(nominations, *, today: dt.date) -> list[BenchRow]:
    """Each nominee with readiness, tenure, the progress of their active plan, their mentor
    and their number of rotations; ready now first."""
    nominations = list(nominations)
    ids = {n.employee_id for n in nominations}
    summaries = plan_summaries(ids, today=today, statuses=(Status.ACTIVE,))
    mentors = current_mentors(ids, today=today)
    rotations = rotation_counts(ids)
    rows = []
    for nomination in nominations:
        summary = summaries.get(nomination.employee_id)
        rows.append(
            BenchRow(
                nomination=nomination,
                tenure_months=tenure_months(nomination.employee.hire_date, today),
                progress=summary.progress if summary else None,
                has_plan=summary is not None,
                mentorship=mentors.get(nomination.employee_id),
                rotations=rotations.get(nomination.employee_id, 0),
            )
        )
    rows.sort(
        key=lambda r: (
            READINESS_ORDER.get(r.nomination.readiness, 99),
            r.nomination.employee.team.code if r.nomination.employee.team else "",
            r.nomination.employee.employee_no,
        )
    )
    return rows


@dataclass
class Coverage:
    team: Team
    ready_now: int
    nominees: int

    @property
    def uncovered(self) -> bool:
        """A team with no ready-now successor to its team lead is flagged."""
        return self.ready_now == 0


def bench_teams(user) -> QuerySet[Team]:
    return org_access.teams_visible_to(user).filter(is_active=True).order_by("code")


def bench_coverage(
    user, *, team: Team | None = None, today: dt.date | None = None
) -> list[Coverage]:
    """Per team: nominees for team lead (target role supervisor) of the team, and how many of
    them are ready now; the readiness filter of the bench does not apply here."""
    today = today or timezone.localdate()
    teams = bench_teams(user)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    counts = (
        bench_nominations(user, today=today)
        .filter(target_role=Role.SUPERVISOR)
        .values("employee__team_id")
        .annotate(
            nominees=Count("id"),
            ready_now=Count("id", filter=Q(readiness=Readiness.READY_NOW)),
        )
    )
    by_team = {row["employee__team_id"]: row for row in counts}
    return [
        Coverage(
            team=t,
            ready_now=by_team.get(t.pk, {}).get("ready_now", 0),
            nominees=by_team.get(t.pk, {}).get("nominees", 0),
        )
        for t in teams
    ]


# -- one person's development ------------------------------------------------------------------


@dataclass
class PlanView:
    plan: DevelopmentPlan
    goals: list[DevelopmentGoal]
    progress: Decimal | None
    updates: list[GoalProgress] = field(default_factory=list)


def plan_view(plan: DevelopmentPlan, *, today: dt.date) -> PlanView:
    """A plan with its goals (each marked overdue or not), its progress and the history of
    its goals' progress, newest first."""
    goals = list(plan.goals.all())
    for goal in goals:
        goal.overdue = goal_is_overdue(goal, plan, today)
    updates = list(
        GoalProgress.objects.filter(goal__plan=plan)
        .select_related("goal", "by__employee")
        .order_by("-at", "-id")
    )
    counted = [g.progress for g in goals if g.status != GoalStatus.DROPPED]
    return PlanView(plan=plan, goals=goals, progress=progress_mean(counted), updates=updates)


def progress_chart(view: PlanView, *, today: dt.date, mean_label: str, y_title: str) -> dict:
    """The progress of each counted goal and of the plan, as it stood at the end of each day
    something changed (the chart of the plan page; the same numbers are in its table)."""
    plan = view.plan
    updates = sorted(view.updates, key=lambda u: (u.at, u.pk))
    day_of = {u.pk: timezone.localdate(u.at) for u in updates}
    days = sorted({plan.start, *day_of.values()} | ({today} if plan.start <= today else set()))
    days = [d for d in days if d <= max(today, plan.start)]
    by_goal: dict[int, list[GoalProgress]] = defaultdict(list)
    for update in updates:
        by_goal[update.goal_id].append(update)
    goals = [g for g in view.goals if g.status != GoalStatus.DROPPED]
    series = []
    columns = []
    for goal in goals:
        values = []
        for day in days:
            value = 0
            for update in by_goal.get(goal.pk, ()):
                if day_of[update.pk] <= day:
                    value = update.to_progress
            values.append(value)
        columns.append(values)
        series.append({"name": goal.title, "values": values})
    if goals:
        means = [
            float(round(progress_mean([column[i] for column in columns]), 1))
            for i in range(len(days))
        ]
        series.insert(0, {"name": mean_label, "values": means})
    return {"days": [d.isoformat() for d in days], "series": series, "yTitle": y_title}


@dataclass
class PersonDevelopment:
    employee: Employee
    plans: list[DevelopmentPlan]
    current: PlanView | None
    mentorships: list[Mentorship]
    mentor: Mentorship | None
    mentees: list[Mentorship]
    rotations: list[Rotation]


def person_development(user, employee: Employee, *, today: dt.date) -> PersonDevelopment:
    """What the user may see of one person's development: plans, mentors, mentees and
    rotations."""
    plans = list(
        access.plans_visible_to(user)
        .filter(employee=employee)
        .annotate(
            goal_count=Count("goals", filter=Q(goals__status__in=COUNTED)),
            progress_sum=Sum("goals__progress", filter=Q(goals__status__in=COUNTED)),
        )
        .order_by("-start", "-id")
    )
    for plan in plans:
        plan.progress = (
            Decimal(plan.progress_sum or 0) / Decimal(plan.goal_count) if plan.goal_count else None
        )
    current_plan = next((p for p in plans if p.status == Status.ACTIVE), None) or next(
        (p for p in plans if p.status == Status.DRAFT), None
    )
    mentorships = list(
        access.mentorships_visible_to(user)
        .filter(Q(mentee=employee) | Q(mentor=employee))
        .select_related("mentor", "mentee")
        .order_by("-start", "-id")
    )
    received = [m for m in mentorships if m.mentee_id == employee.pk]
    mentor = next((m for m in received if m.is_active_on(today)), None)
    mentees = [m for m in mentorships if m.mentor_id == employee.pk and m.is_active_on(today)]
    rotations = list(
        access.rotations_visible_to(user)
        .filter(employee=employee)
        .select_related("to_team", "to_department")
        .order_by("-start", "-id")
    )
    return PersonDevelopment(
        employee=employee,
        plans=plans,
        current=plan_view(current_plan, today=today) if current_plan else None,
        mentorships=received,
        mentor=mentor,
        mentees=mentees,
        rotations=rotations,
    )
