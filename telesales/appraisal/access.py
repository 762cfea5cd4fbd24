"""Who sees and works on which appraisal (PRODUCT.md §2), decided here once for every page,
export and command of the app.

- everyone sees their own appraisals;
- supervisors and managers see the appraisals of the people in their scope (the teams they
  lead and everyone below them on the manager line);
- HR and administrators see every appraisal, open cycles, edit schemes and use the results;
- department staff see only their own appraisals (and the rating requests sent to them,
  `ratings` decides those);
- who may make which workflow move is `workflow.MOVES`.

A page asked for an appraisal the user may not see answers 404, never 403, so that it does not
tell that the appraisal exists."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.appraisal.models import Appraisal, Cycle
from telesales.org import access
from telesales.org.models import Role

ADMINISTERING_ROLES = {Role.HR, Role.ADMIN}
CALIBRATING_ROLES = {Role.HR, Role.ADMIN, Role.MANAGER}


def is_system(user) -> bool:
    """No user (the command line without --user) or a label such as "demo": the system."""
    return user is None or isinstance(user, str)


def can_administer(user) -> bool:
    """Open cycles, publish, reopen, edit schemes, use the results: HR and administrators."""
    return is_system(user) or access.user_role(user) in ADMINISTERING_ROLES


def can_calibrate(user) -> bool:
    """The calibration page: HR, administrators and managers (for the people below them)."""
    return is_system(user) or access.user_role(user) in CALIBRATING_ROLES


def can_see_appraisals(user) -> bool:
    return is_system(user) or access.user_role(user) is not None


def appraisals_visible(user) -> QuerySet[Appraisal]:
    """The appraisals the user may see: their own, and those of the people in their scope."""
    qs = Appraisal.objects.all()
    if is_system(user):
        return qs
    scope = access.scope_for(user)
    if scope.role is None:
        return qs.none()
    if scope.company_wide:
        return qs
    visible = Q(employee_id__in=scope.employee_ids)  # everyone's scope holds themselves
    if scope.employee is not None:
        visible |= Q(rater_id=scope.employee.pk)  # an appraisal they rate, e.g. after a move
    return qs.filter(visible)


def access_appraisal(user, pk) -> Appraisal:
    """The appraisal with this id if the user may see it; 404 otherwise."""
    try:
        return (
            appraisals_visible(user)
            .select_related("cycle__scheme", "employee__team", "rater__manager")
            .get(pk=pk)
        )
    except (Appraisal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def cycles_visible(user) -> QuerySet[Cycle]:
    """Cycles with at least one appraisal the user sees; every cycle for HR and admin."""
    if can_administer(user):
        return Cycle.objects.all()
    return Cycle.objects.filter(appraisals__in=appraisals_visible(user)).distinct()


def access_cycle(user, pk) -> Cycle:
    try:
        return cycles_visible(user).select_related("scheme").get(pk=pk)
    except (Cycle.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def is_appraisee(user, appraisal: Appraisal) -> bool:
    employee = None if is_system(user) else access.user_employee(user)
    return employee is not None and employee.pk == appraisal.employee_id


def sees_raters(user, appraisal: Appraisal) -> bool:
    """Whether the user may see who gave which rating: never the appraisee (PRODUCT.md §5);
    HR and administrators do."""
    if is_appraisee(user, appraisal):
        return False
    return can_administer(user)
