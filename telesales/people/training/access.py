"""Who sees and manages which training (PRODUCT.md §2), decided here once for the pages,
the services and the import.

- supervisors manage the training of their teams' reps, managers that of their subtree;
- HR and administrators manage all training and edit the onboarding templates;
- reps see their own sessions, attendance and scores only (the "My training" page);
- department staff see nothing.

A supervisor or manager sees a plan of their teams, an onboarding plan of someone in their
scope, and the company-wide plans; they see a session when someone in their scope is
invited to it (or its plan is their team's, or they give it). They manage a session when its
plan is their team's, or when everyone invited is in their scope.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.org import access
from telesales.org.models import Employee, Role, Team
from telesales.people.training.models import (
    AssessmentResult,
    Invitation,
    TrainingPlan,
    TrainingSession,
)

MANAGING_ROLES = {Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}
READING_ROLES = MANAGING_ROLES | {Role.REP}
LINE_ROLES = {Role.SUPERVISOR, Role.MANAGER}


def is_system(user) -> bool:
    """No user (the command line without --user, a hire's hook) or a label such as "demo":
    the system itself. An anonymous visitor is not."""
    return user is None or isinstance(user, str)


def can_see_training(user) -> bool:
    return is_system(user) or access.user_role(user) in READING_ROLES


def can_manage_training(user) -> bool:
    return is_system(user) or access.user_role(user) in MANAGING_ROLES


def can_edit_templates(user) -> bool:
    return is_system(user) or access.user_role(user) in {Role.HR, Role.ADMIN}


def can_see_own_training(user) -> bool:
    """The "My training" page: anyone invited to training, reps above all."""
    return access.user_role(user) in READING_ROLES and access.user_employee(user) is not None


def company_wide(user) -> bool:
    return is_system(user) or access.scope_for(user).company_wide


def trainees_for(user) -> QuerySet[Employee]:
    """The people whose training the user manages: everyone for HR, administrators and the
    system; the people of their scope for supervisors and managers."""
    if not can_manage_training(user):
        return Employee.objects.none()
    if is_system(user):
        return Employee.objects.all()
    return access.employees_visible_to(user)


def teams_for(user) -> QuerySet[Team]:
    """The teams whose training plans the user makes."""
    if not can_manage_training(user):
        return Team.objects.none()
    if is_system(user):
        return Team.objects.all()
    return access.teams_visible_to(user)


def plans_visible_to(user) -> QuerySet[TrainingPlan]:
    plans = TrainingPlan.objects.all()
    if company_wide(user):
        return plans
    scope = access.scope_for(user)
    if scope.role not in LINE_ROLES:
        return plans.none()
    return plans.filter(
        Q(team_id__in=scope.team_ids)
        | Q(employee_id__in=scope.employee_ids)
        | Q(kind=TrainingPlan.Kind.RECURRING, team__isnull=True)
    )


def access_plan(user, pk) -> TrainingPlan:
    """The plan with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            plans_visible_to(user)
            .select_related("team", "employee", "employee__team", "trainer", "template")
            .get(pk=pk)
        )
    except (TrainingPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def plan_may_manage(user, plan: TrainingPlan) -> bool:
    if company_wide(user):
        return True
    scope = access.scope_for(user)
    if scope.role not in LINE_ROLES:
        return False
    if plan.kind == TrainingPlan.Kind.ONBOARDING:
        return plan.employee_id in scope.employee_ids
    return plan.team_id is not None and plan.team_id in scope.team_ids


def sessions_visible_to(user) -> QuerySet[TrainingSession]:
    """The sessions shown in the managers' pages (reps use their own page)."""
    sessions = TrainingSession.objects.all()
    if company_wide(user):
        return sessions
    scope = access.scope_for(user)
    if scope.role not in LINE_ROLES:
        return sessions.none()
    invited = Invitation.objects.filter(employee_id__in=scope.employee_ids).values("session_id")
    return sessions.filter(
        Q(pk__in=invited) | Q(plan__team_id__in=scope.team_ids) | Q(trainer=scope.employee)
    )


def access_session(user, pk) -> TrainingSession:
    """The session with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            sessions_visible_to(user)
            .select_related("plan", "plan__team", "trainer", "assessment")
            .get(pk=pk)
        )
    except (TrainingSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def session_may_manage(user, session: TrainingSession) -> bool:
    """Record attendance and scores, mark held or cancelled, invite."""
    if company_wide(user):
        return True
    scope = access.scope_for(user)
    if scope.role not in LINE_ROLES:
        return False
    if session.plan_id is not None and session.plan.team_id is not None:
        return session.plan.team_id in scope.team_ids
    invited = set(session.invitations.values_list("employee_id", flat=True))
    return bool(invited) and invited <= scope.employee_ids


def invitees_visible(user, session: TrainingSession) -> QuerySet[Invitation]:
    """The invitations of a session the user may see: all of them, or those of their scope."""
    invitations = session.invitations.all()
    if company_wide(user):
        return invitations
    return invitations.filter(access.visible_q(user, "employee"))


def results_visible_to(user) -> QuerySet[AssessmentResult]:
    results = AssessmentResult.objects.all()
    if company_wide(user):
        return results
    scope = access.scope_for(user)
    if scope.role not in LINE_ROLES:
        return results.none()
    return results.filter(employee_id__in=scope.employee_ids)


def may_see_employee_training(user, employee: Employee) -> bool:
    """An employee's own training page: themselves, and those who manage their training."""
    own = access.user_employee(user)
    if own is not None and own.pk == employee.pk:
        return can_see_own_training(user)
    if not can_manage_training(user):
        return False
    return company_wide(user) or employee.pk in access.scope_for(user).employee_ids
