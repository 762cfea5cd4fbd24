"""Who sees and who changes which targets (PRODUCT.md §2): a rep sees their own; a
supervisor sees their teams and their reps, splits a team's target among its reps and sets
those reps' targets, but not the team's own (their superior sets it); a manager sets the
targets of the teams and people under them and the company's; HR and administrators all."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.org.access import scope_for
from telesales.org.models import Employee, Role, Team
from telesales.targets.models import Agreement, Target

COMPANY_ROLES = {Role.ADMIN, Role.HR, Role.MANAGER}


def targets_visible_to(user) -> QuerySet[Target]:
    scope = scope_for(user)
    qs = Target.objects.select_related("employee", "team")
    if scope.company_wide:
        return qs
    if scope.role is None:
        return qs.none()
    visible = Q(employee_id__in=scope.employee_ids) | Q(team_id__in=scope.team_ids)
    if scope.role == Role.MANAGER:
        visible |= Q(employee__isnull=True, team__isnull=True)
    return qs.filter(visible)


def access_target(user, pk) -> Target:
    try:
        return targets_visible_to(user).get(pk=pk)
    except (Target.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_targets(user) -> bool:
    return scope_for(user).role is not None and scope_for(user).role != Role.STAFF


def can_set_target(user, *, team: Team | None = None, employee: Employee | None = None) -> bool:
    """Whether the user may set (or split into) a target of this scope."""
    scope = scope_for(user)
    if scope.role is None or scope.role in {Role.REP, Role.STAFF}:
        return False
    if scope.company_wide:
        return True
    me = scope.employee
    if employee is not None:
        # Nobody sets their own target; a supervisor sets only their reps'.
        return employee.pk != me.pk and employee.pk in scope.employee_ids
    if team is not None:
        if scope.role == Role.SUPERVISOR:
            return False  # a team's own target is set by the supervisor's superior
        return team.pk in scope.team_ids and team.supervisor_id != me.pk
    return scope.role in COMPANY_ROLES


def can_split(user, target: Target) -> bool:
    """Splitting writes the children: a team's target among its reps, the company's among
    its teams."""
    if target.employee_id:
        return False
    scope = scope_for(user)
    if scope.role is None or scope.role in {Role.REP, Role.STAFF}:
        return False
    if scope.company_wide:
        return True
    if target.team_id:
        return target.team_id in scope.team_ids
    return scope.role == Role.MANAGER


def agreements_visible_to(user) -> QuerySet[Agreement]:
    scope = scope_for(user)
    qs = Agreement.objects.select_related("employee", "employee__team", "employee__manager")
    if scope.company_wide:
        return qs
    return qs.filter(employee_id__in=scope.employee_ids)


def access_agreement(user, pk) -> Agreement:
    try:
        return agreements_visible_to(user).get(pk=pk)
    except (Agreement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def agreement_targets(agreement: Agreement) -> QuerySet[Target]:
    """The active targets an agreement covers: the rep's own for the period, or those of the
    teams the supervisor leads."""
    employee = agreement.employee
    q = Q(employee=employee)
    if employee.role != Role.REP:
        q |= Q(team__supervisor=employee)
    return (
        Target.objects.filter(q, period=agreement.period, superseded_at__isnull=True)
        .select_related("employee", "team")
        .order_by("team__code", "metric")
    )
