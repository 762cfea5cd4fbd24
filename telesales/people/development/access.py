"""Who sees and changes which development record (PRODUCT.md §2), decided here once for the
pages and the services.

- everyone sees their own plans, goals, mentorships and rotations; a mentor also sees their
  current mentees' plans, read-only;
- the line (a supervisor for their teams, a manager for the subtree below them) and HR and
  administrators for everybody see and manage the records of the people in their scope:
  create and edit plans and goals, assign and end mentors, record rotations; nobody manages
  their own records;
- the employee updates the progress of their own goals and comments on their own plan;
- the successor bench is for managers, HR and administrators; supervisors see the nominees
  of their own teams; nobody sees their own nomination; reps and staff see no bench.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from telesales.org import access
from telesales.org.models import Employee, Role
from telesales.people.development.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    Mentorship,
    Nomination,
    Rotation,
)

LINE = {Role.SUPERVISOR, Role.MANAGER}
BENCH_READERS = {Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}


def _system(user) -> bool:
    """None or a label such as "demo": the system itself, which may do anything."""
    return user is None or not getattr(user, "pk", None)


def _today():
    return timezone.localdate()


def _active_on(day) -> Q:
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def mentee_ids_of(employee: Employee | None, *, on=None) -> set[int]:
    """The people this employee mentors on the day (today by default)."""
    if employee is None:
        return set()
    day = on or _today()
    return set(
        Mentorship.objects.filter(_active_on(day), mentor=employee).values_list(
            "mentee_id", flat=True
        )
    )


# -- people ------------------------------------------------------------------------------------


def can_manage_employee(user, employee: Employee) -> bool:
    """The user is on the employee's line (or HR, or an administrator), and not the employee."""
    if _system(user):
        return True
    scope = access.scope_for(user)
    if scope.role is None:
        return False
    if scope.employee is not None and scope.employee.pk == employee.pk:
        return False
    if scope.company_wide:
        return True
    return scope.role in LINE and employee.pk in scope.employee_ids


def manageable_employees(user) -> QuerySet[Employee]:
    """The employed people whose development records the user manages."""
    scope = access.scope_for(user)
    today = _today()
    employed = Employee.objects.employed_on(today)
    if scope.role is None:
        return employed.none()
    if scope.company_wide:
        people = employed
    elif scope.role in LINE:
        people = employed.filter(pk__in=scope.employee_ids)
    else:
        return employed.none()
    if scope.employee is not None:
        people = people.exclude(pk=scope.employee.pk)
    return people


def access_manageable_employee(user, pk) -> Employee:
    """An employed person whose development records the user manages; 404 otherwise."""
    try:
        return manageable_employees(user).get(pk=pk)
    except (Employee.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_manage_any(user) -> bool:
    return access.scope_for(user).role in LINE | access.COMPANY_WIDE_ROLES


def people_visible_to(user) -> QuerySet[Employee]:
    """Whose development page the user may open: their scope and their current mentees."""
    scope = access.scope_for(user)
    if scope.role is None:
        return Employee.objects.none()
    if scope.company_wide:
        return Employee.objects.all()
    ids = set(scope.employee_ids) | mentee_ids_of(scope.employee)
    return Employee.objects.filter(pk__in=ids)


def access_person(user, pk) -> Employee:
    """The employee with this id, if the user may see their development; 404 otherwise."""
    try:
        return people_visible_to(user).select_related("team", "user").get(pk=pk)
    except (Employee.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_development(user) -> bool:
    scope = access.scope_for(user)
    return scope.role is not None and scope.employee is not None


# -- plans and goals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRights:
    """What a user may do with one plan they can see."""

    manage: bool = False  # edit the plan and its goals, move it along its statuses
    progress: bool = False  # record progress of its goals
    comment: bool = False


def plans_visible_to(user) -> QuerySet[DevelopmentPlan]:
    scope = access.scope_for(user)
    plans = DevelopmentPlan.objects.all()
    if scope.role is None:
        return plans.none()
    if scope.company_wide:
        return plans
    ids = set(scope.employee_ids) | mentee_ids_of(scope.employee)
    return plans.filter(employee_id__in=ids)


def plan_rights(user, plan: DevelopmentPlan) -> PlanRights:
    """The user's rights on a plan, assumed visible to them (a mentor's view is read-only)."""
    if _system(user):
        return PlanRights(manage=True, progress=True, comment=True)
    scope = access.scope_for(user)
    if scope.role is None:
        return PlanRights()
    own = scope.employee is not None and scope.employee.pk == plan.employee_id
    manage = can_manage_employee(user, plan.employee)
    return PlanRights(manage=manage, progress=own or manage, comment=own or manage)


def plan_may_see(user, plan: DevelopmentPlan) -> bool:
    """The same rule as plans_visible_to, for one plan in hand."""
    if _system(user):
        return True
    scope = access.scope_for(user)
    if scope.role is None:
        return False
    if scope.company_wide or plan.employee_id in scope.employee_ids:
        return True
    return plan.employee_id in mentee_ids_of(scope.employee)


def access_plan(user, pk) -> DevelopmentPlan:
    """The plan with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            plans_visible_to(user)
            .select_related("employee__team", "created_by__employee")
            .get(pk=pk)
        )
    except (DevelopmentPlan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_goal(user, pk) -> DevelopmentGoal:
    """The goal with this id, if the user may see its plan; 404 otherwise."""
    try:
        return (
            DevelopmentGoal.objects.filter(plan__in=plans_visible_to(user))
            .select_related("plan__employee")
            .get(pk=pk)
        )
    except (DevelopmentGoal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- mentors -----------------------------------------------------------------------------------


def mentorships_visible_to(user) -> QuerySet[Mentorship]:
    """Own mentorships (as mentee or mentor); the line's people's; HR and administrators all."""
    scope = access.scope_for(user)
    rows = Mentorship.objects.all()
    if scope.role is None:
        return rows.none()
    if scope.company_wide:
        return rows
    people = scope.employee_ids
    return rows.filter(Q(mentee_id__in=people) | Q(mentor_id__in=people))


def access_mentorship(user, pk) -> Mentorship:
    try:
        return (
            mentorships_visible_to(user).select_related("mentor__team", "mentee__team").get(pk=pk)
        )
    except (Mentorship.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see_mentors(user) -> bool:
    return access.user_role(user) is not None


# -- rotations ---------------------------------------------------------------------------------


def rotations_visible_to(user) -> QuerySet[Rotation]:
    if access.user_role(user) is None:
        return Rotation.objects.none()
    return Rotation.objects.filter(access.visible_q(user, "employee"))


def access_rotation(user, pk) -> Rotation:
    try:
        return (
            rotations_visible_to(user)
            .select_related("employee__team", "to_team", "to_department")
            .get(pk=pk)
        )
    except (Rotation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- the successor bench -----------------------------------------------------------------------


def can_see_bench(user) -> bool:
    return access.user_role(user) in BENCH_READERS


def nominations_visible_to(user) -> QuerySet[Nomination]:
    scope = access.scope_for(user)
    rows = Nomination.objects.all()
    if scope.role not in BENCH_READERS:
        return rows.none()
    if not scope.company_wide:
        if scope.role == Role.SUPERVISOR:
            rows = rows.filter(employee__team_id__in=scope.team_ids)
        else:
            rows = rows.filter(employee_id__in=scope.employee_ids)
    if scope.employee is not None:
        rows = rows.exclude(employee_id=scope.employee.pk)
    return rows


def access_nomination(user, pk) -> Nomination:
    try:
        return (
            nominations_visible_to(user).select_related("employee__team", "assessed_by").get(pk=pk)
        )
    except (Nomination.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_nominate(user, employee: Employee) -> bool:
    """Bench readers nominate the people they manage (supervisors: of their own teams)."""
    if _system(user):
        return True
    scope = access.scope_for(user)
    if scope.role not in BENCH_READERS or not can_manage_employee(user, employee):
        return False
    if scope.role == Role.SUPERVISOR:
        return employee.team_id in scope.team_ids
    return True


def nominable_employees(user) -> QuerySet[Employee]:
    scope = access.scope_for(user)
    if scope.role not in BENCH_READERS:
        return Employee.objects.none()
    people = manageable_employees(user)
    if scope.role == Role.SUPERVISOR:
        people = people.filter(team_id__in=scope.team_ids)
    return people


def mentor_candidates(user) -> QuerySet[Employee]:
    """Who the user may name as a mentor: the employed people they can see."""
    return access.employees_visible_to(user).employed_on(_today())


def can_name_mentor(user, mentor: Employee) -> bool:
    if _system(user):
        return True
    return access.employees_visible_to(user).filter(pk=mentor.pk).exists()
