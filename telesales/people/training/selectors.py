"""Reads of training: the lists and pages, and the rows behind the training KPIs
(PRODUCT.md §5), which telesales.kpi.training computes from these same rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet

from telesales.org.membership import in_scope
from telesales.org.models import Employee, Team
from telesales.org.scopes import KpiScope
from telesales.people.training import access
from telesales.people.training.models import (
    Assessment,
    AssessmentResult,
    Attendance,
    Invitation,
    OnboardingTemplate,
    TrainingPlan,
    TrainingSession,
)

Status = TrainingSession.Status


# -- the rows behind the KPIs ------------------------------------------------------------------


def sessions_due(scope: KpiScope, start: dt.date, end: dt.date) -> QuerySet[TrainingSession]:
    """Sessions whose (local) date is from `start` to `end` with at least one invitee in the
    scope on that date, each once: the denominator of training_completion_rate."""
    invited = Invitation.objects.filter(session__date__gte=start, session__date__lte=end).filter(
        in_scope(scope, employee="employee", on="session__date")
    )
    return TrainingSession.objects.filter(pk__in=invited.values("session_id"))


def completion_counts(scope: KpiScope, start: dt.date, end: dt.date) -> tuple[int, int]:
    """(held, due): cancelled and still-planned sessions count as not held."""
    counts = sessions_due(scope, start, end).aggregate(
        due=Count("pk"), held=Count("pk", filter=Q(status=Status.HELD))
    )
    return counts["held"], counts["due"]


def _results(scope: KpiScope, start: dt.date, end: dt.date, kind: str) -> QuerySet:
    return AssessmentResult.objects.filter(
        assessment__kind=kind, assessment__date__gte=start, assessment__date__lte=end
    ).filter(in_scope(scope, employee="employee", on="assessment__date"))


def course_results(scope: KpiScope, start: dt.date, end: dt.date) -> QuerySet[AssessmentResult]:
    """Course-assessment results with both scores, assessed in the period, of trainees in
    the scope on the assessment's date: the rows of training_effect."""
    return _results(scope, start, end, Assessment.Kind.COURSE).filter(pre_score__isnull=False)


def skill_results(scope: KpiScope, start: dt.date, end: dt.date) -> QuerySet[AssessmentResult]:
    """Skill-assessment results of the scope's reps in the period: the rows of
    skill_score_avg."""
    return _results(scope, start, end, Assessment.Kind.SKILL)


def effect_sums(scope: KpiScope, start: dt.date, end: dt.date) -> tuple[Decimal, int]:
    """(Σ(post − pre), count), summed exactly in decimals."""
    rows = list(course_results(scope, start, end).values_list("pre_score", "score"))
    return sum((post - pre for pre, post in rows), Decimal(0)), len(rows)


def skill_sums(scope: KpiScope, start: dt.date, end: dt.date) -> tuple[Decimal, int]:
    """(Σ score, count)."""
    rows = list(skill_results(scope, start, end).values_list("score", flat=True))
    return sum(rows, Decimal(0)), len(rows)


def mean(total, count):
    return None if not count else Decimal(total) / Decimal(count)


# -- lists -------------------------------------------------------------------------------------


def plan_list(
    user, *, today: dt.date, kind: str = "", team: Team | None = None
) -> QuerySet[TrainingPlan]:
    """The plans the user may see, newest first, with their session counts: held,
    cancelled, still to record (planned, dated before today) and the next one to come."""
    plans = access.plans_visible_to(user)
    if kind:
        plans = plans.filter(kind=kind)
    if team is not None:
        plans = plans.filter(Q(team=team) | Q(employee__team=team))
    return (
        plans.select_related("team", "employee", "employee__team", "trainer")
        .annotate(
            total=Count("sessions", distinct=True),
            held=Count("sessions", filter=Q(sessions__status=Status.HELD), distinct=True),
            cancelled=Count("sessions", filter=Q(sessions__status=Status.CANCELLED), distinct=True),
            to_record=Count(
                "sessions",
                filter=Q(sessions__status=Status.PLANNED, sessions__date__lt=today),
                distinct=True,
            ),
            next_date=Min(
                "sessions__date",
                filter=Q(sessions__status=Status.PLANNED, sessions__date__gte=today),
            ),
        )
        .order_by("-start_date", "-id")
    )


def plan_sessions(plan: TrainingPlan) -> QuerySet[TrainingSession]:
    return _with_counts(plan.sessions.select_related("trainer", "assessment")).order_by(
        "date", "start_time", "id"
    )


def _with_counts(sessions: QuerySet[TrainingSession]) -> QuerySet[TrainingSession]:
    return sessions.annotate(
        invited=Count("invitations", distinct=True),
        attended=Count(
            "invitations",
            filter=Q(invitations__attendance=Attendance.ATTENDED),
            distinct=True,
        ),
    )


@dataclass(frozen=True)
class SessionFilter:
    start: dt.date | None = None
    end: dt.date | None = None
    status: str = ""
    team: Team | None = None  # sessions inviting the team's reps (by the KPI rule)
    employee: Employee | None = None


def session_list(user, criteria: SessionFilter) -> QuerySet[TrainingSession]:
    """The sessions the user may see, filtered; with a team or employee, exactly the
    sessions that count in their training_completion_rate."""
    from telesales.org.scopes import scope_for_employee, scope_for_teams

    sessions = access.sessions_visible_to(user)
    if criteria.start is not None:
        sessions = sessions.filter(date__gte=criteria.start)
    if criteria.end is not None:
        sessions = sessions.filter(date__lte=criteria.end)
    if criteria.status:
        sessions = sessions.filter(status=criteria.status)
    scope = None
    if criteria.employee is not None:
        scope = scope_for_employee(criteria.employee)
    elif criteria.team is not None:
        scope = scope_for_teams([criteria.team])
    if scope is not None:
        invited = Invitation.objects.filter(
            in_scope(scope, employee="employee", on="session__date")
        )
        if criteria.start is not None:
            invited = invited.filter(session__date__gte=criteria.start)
        if criteria.end is not None:
            invited = invited.filter(session__date__lte=criteria.end)
        sessions = sessions.filter(pk__in=invited.values("session_id"))
    return _with_counts(sessions.select_related("plan", "trainer", "assessment")).order_by(
        "-date", "-start_time", "-id"
    )


def result_list(
    user,
    *,
    kind: str,
    start: dt.date,
    end: dt.date,
    team: Team | None = None,
    employee: Employee | None = None,
) -> QuerySet[AssessmentResult]:
    """The results the user may see; with a team or employee, exactly the rows of
    training_effect (course) or skill_score_avg (skill)."""
    from telesales.org.scopes import scope_for_employee, scope_for_teams

    results = access.results_visible_to(user).filter(
        assessment__kind=kind, assessment__date__gte=start, assessment__date__lte=end
    )
    scope = None
    if employee is not None:
        scope = scope_for_employee(employee)
    elif team is not None:
        scope = scope_for_teams([team])
    if scope is not None:
        results = results.filter(in_scope(scope, employee="employee", on="assessment__date"))
    if kind == Assessment.Kind.COURSE:
        results = results.filter(pre_score__isnull=False)
    return results.select_related("assessment__session", "employee").order_by(
        "-assessment__date", "employee__employee_no"
    )


# -- one session -------------------------------------------------------------------------------


def session_rows(user, session: TrainingSession) -> list[Invitation]:
    """The session's invitees the user may see, each with `.result` (or None)."""
    invitations = list(
        access.invitees_visible(user, session)
        .select_related("employee", "employee__team")
        .order_by("employee__employee_no")
    )
    assessment = getattr(session, "assessment", None) if _has_assessment(session) else None
    results = {r.employee_id: r for r in assessment.results.all()} if assessment is not None else {}
    for invitation in invitations:
        invitation.result = results.get(invitation.employee_id)
    return invitations


def _has_assessment(session: TrainingSession) -> bool:
    try:
        session.assessment  # noqa: B018 (select_related by access_session)
    except Assessment.DoesNotExist:
        return False
    return True


def session_assessment(session: TrainingSession) -> Assessment | None:
    return session.assessment if _has_assessment(session) else None


# -- one employee ------------------------------------------------------------------------------


@dataclass
class OnboardingProgress:
    plan: TrainingPlan
    sessions: int  # not cancelled
    held: int
    attended: int

    @property
    def percent(self) -> int:
        return round(100 * self.held / self.sessions) if self.sessions else 0


@dataclass
class EmployeeTraining:
    employee: Employee
    invitations: list[Invitation] = field(default_factory=list)
    onboarding: OnboardingProgress | None = None
    attended: int = 0
    held: int = 0


def employee_training(employee: Employee, *, since: dt.date | None = None) -> EmployeeTraining:
    """An employee's sessions (newest first), each with their result, and the progress of
    their onboarding plan."""
    invitations = (
        Invitation.objects.filter(employee=employee)
        .select_related("session", "session__trainer", "session__plan", "session__assessment")
        .order_by("-session__date", "-session__start_time")
    )
    if since is not None:
        invitations = invitations.filter(session__date__gte=since)
    invitations = list(invitations)
    results = {
        r.assessment.session_id: r
        for r in AssessmentResult.objects.filter(employee=employee).select_related("assessment")
    }
    data = EmployeeTraining(employee=employee, invitations=invitations)
    for invitation in invitations:
        invitation.result = results.get(invitation.session_id)
        if invitation.session.status == Status.HELD:
            data.held += 1
            data.attended += invitation.attendance == Attendance.ATTENDED
    plan = TrainingPlan.objects.filter(kind=TrainingPlan.Kind.ONBOARDING, employee=employee).first()
    if plan is not None:
        counts = plan.sessions.exclude(status=Status.CANCELLED).aggregate(
            sessions=Count("pk", distinct=True),
            held=Count("pk", filter=Q(status=Status.HELD), distinct=True),
            attended=Count(
                "pk",
                filter=Q(
                    status=Status.HELD,
                    invitations__employee=employee,
                    invitations__attendance=Attendance.ATTENDED,
                ),
                distinct=True,
            ),
        )
        data.onboarding = OnboardingProgress(plan=plan, **counts)
    return data


# -- the team overview -------------------------------------------------------------------------


@dataclass(frozen=True)
class RepTraining:
    employee: Employee
    invited: int  # sessions held in the period they were invited to
    attended: int
    improvement: Decimal | None  # mean (post − pre) of their course results
    skill: Decimal | None  # their latest skill score in the period


def rep_table(teams: list[Team], start: dt.date, end: dt.date) -> list[RepTraining]:
    """The current reps of the teams with their attendance and scores in the period."""
    reps = list(
        Employee.objects.filter(team__in=teams, role="rep", leave_date__isnull=True)
        .select_related("team")
        .order_by("team__code", "employee_no")
    )
    ids = [r.pk for r in reps]
    attendance = {
        row["employee_id"]: row
        for row in Invitation.objects.filter(
            employee_id__in=ids,
            session__date__gte=start,
            session__date__lte=end,
            session__status=Status.HELD,
        )
        .values("employee_id")
        .annotate(
            invited=Count("pk"),
            attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)),
        )
    }
    improvements: dict[int, list[Decimal]] = defaultdict(list)
    skills: dict[int, tuple[dt.date, Decimal]] = {}
    for employee_id, kind, day, pre, score in AssessmentResult.objects.filter(
        employee_id__in=ids, assessment__date__gte=start, assessment__date__lte=end
    ).values_list("employee_id", "assessment__kind", "assessment__date", "pre_score", "score"):
        if kind == Assessment.Kind.COURSE and pre is not None:
            improvements[employee_id].append(score - pre)
        elif kind == Assessment.Kind.SKILL and (
            employee_id not in skills or skills[employee_id][0] <= day
        ):
            skills[employee_id] = (day, score)
    table = []
    for rep in reps:
        counts = attendance.get(rep.pk, {"invited": 0, "attended": 0})
        values = improvements.get(rep.pk, [])
        table.append(
            RepTraining(
                employee=rep,
                invited=counts["invited"],
                attended=counts["attended"],
                improvement=mean(sum(values, Decimal(0)), len(values)),
                skill=skills[rep.pk][1] if rep.pk in skills else None,
            )
        )
    return table


def templates_all() -> QuerySet[OnboardingTemplate]:
    return OnboardingTemplate.objects.annotate(
        item_count=Count("items"), last_day=Max("items__workday")
    ).order_by("-is_active", "name", "id")
