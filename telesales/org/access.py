"""Scoped access (PRODUCT.md §2), implemented once: every page, export, API and command
gets people and teams through these functions and never outside them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.org.models import Employee, Role, Team

COMPANY_WIDE_ROLES = {Role.ADMIN, Role.HR}


@dataclass(frozen=True)
class Scope:
    role: str | None
    employee: Employee | None
    company_wide: bool
    employee_ids: frozenset[int]
    team_ids: frozenset[int]


EMPTY_SCOPE = Scope(None, None, False, frozenset(), frozenset())


def user_employee(user) -> Employee | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None


def user_role(user) -> str | None:
    """The user's role; a superuser without an employee record is an administrator."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    employee = user_employee(user)
    if employee is not None and employee.leave_date is not None and employee.leave_date <= _today():
        return None  # a leaver's login no longer opens anything, superuser or not
    if user.is_superuser:
        return Role.ADMIN
    if employee is None:
        return None
    return employee.role


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _subtree(root_ids: set[int]) -> set[int]:
    """Everyone below the given people on the manager line."""
    children: dict[int, list[int]] = defaultdict(list)
    for pk, manager_id in Employee.objects.filter(manager__isnull=False).values_list(
        "pk", "manager_id"
    ):
        children[manager_id].append(pk)
    seen: set[int] = set()
    frontier = list(root_ids)
    while frontier:
        current = frontier.pop()
        for child in children.get(current, ()):
            if child not in seen:
                seen.add(child)
                frontier.append(child)
    return seen


def scope_for(user) -> Scope:
    """What the user may see: company-wide, or a set of people and teams."""
    cached = getattr(user, "_telesales_scope", None)
    if cached is not None:
        return cached
    role = user_role(user)
    employee = user_employee(user)
    if role is None:
        scope = EMPTY_SCOPE
    elif role in COMPANY_WIDE_ROLES:
        scope = Scope(role, employee, True, frozenset(), frozenset())
    elif role in {Role.SUPERVISOR, Role.MANAGER}:
        below = _subtree({employee.pk})
        leaders = below | {employee.pk}
        team_ids = set(Team.objects.filter(supervisor_id__in=leaders).values_list("pk", flat=True))
        members = set(Employee.objects.filter(team_id__in=team_ids).values_list("pk", flat=True))
        scope = Scope(role, employee, False, frozenset(leaders | members), frozenset(team_ids))
    else:  # rep, staff: themselves only
        scope = Scope(role, employee, False, frozenset({employee.pk}), frozenset())
    if getattr(user, "is_authenticated", False):
        user._telesales_scope = scope
    return scope


def employees_visible_to(user) -> QuerySet[Employee]:
    scope = scope_for(user)
    qs = Employee.objects.all()
    if scope.company_wide:
        return qs
    return qs.filter(pk__in=scope.employee_ids)


def teams_visible_to(user) -> QuerySet[Team]:
    scope = scope_for(user)
    if scope.company_wide:
        return Team.objects.all()
    return Team.objects.filter(pk__in=scope.team_ids)


def access_employee(user, pk) -> Employee:
    """The employee with this id, if the user may see them; 404 otherwise."""
    try:
        return (
            employees_visible_to(user)
            .select_related("team", "department", "manager", "user")
            .get(pk=pk)
        )
    except (Employee.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_team(user, pk) -> Team:
    try:
        return teams_visible_to(user).select_related("supervisor", "department").get(pk=pk)
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_administer_org(user) -> bool:
    return user_role(user) == Role.ADMIN


def can_manage_people(user) -> bool:
    """HR and administrators maintain employee records and run the employee import."""
    return user_role(user) in {Role.ADMIN, Role.HR}


def can_manage_products(user) -> bool:
    return user_role(user) in {Role.ADMIN, Role.MANAGER}


def visible_q(user, field: str = "employee") -> Q:
    """A filter for rows that belong to an employee, e.g. calls.filter(visible_q(u, 'rep'))."""
    scope = scope_for(user)
    if scope.company_wide:
        return Q()
    return Q(**{f"{field}_id__in": scope.employee_ids})


def can_record_absence(user, employee: Employee) -> bool:
    """HR and administrators, and the supervisors and managers above the employee, record
    leave; nobody records their own."""
    scope = scope_for(user)
    if scope.role is None or scope.employee is not None and scope.employee.pk == employee.pk:
        return False
    if scope.company_wide:
        return True
    return scope.role in {Role.SUPERVISOR, Role.MANAGER} and employee.pk in scope.employee_ids
