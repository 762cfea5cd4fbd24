"""Who counts in a KPI scope on a date (PRODUCT.md §5): a rep counts their own rows; a team
counts the rows of the people who were in the team, and were reps, on each row's date —
the same rule the call roll-ups follow (a rep's team by the team history, their role by the
promotion and role-change history)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from telesales.core.periods import Period
from telesales.org.models import Employee, EmployeeEvent, Role, TeamAssignment
from telesales.org.scopes import KpiScope
from telesales.org.selectors import headcount_on, team_member_ids_on

_ROLE_EVENTS = (EmployeeEvent.Kind.PROMOTION, EmployeeEvent.Kind.ROLE_CHANGE)


def _role_on(employee_id, role, day):
    """The role held on `day`: the role given up by the first role change after it, else
    the current role. Each argument is an expression of the outer query or a value."""
    earlier = (
        EmployeeEvent.objects.filter(
            employee_id=employee_id, date__gt=day, kind__in=_ROLE_EVENTS, from_value__in=Role.values
        )
        .order_by("date", "id")
        .values("from_value")[:1]
    )
    return Coalesce(Subquery(earlier), role)


def in_scope(scope: KpiScope, *, employee: str = "employee", on: str) -> Q:
    """A filter for rows that belong to an employee (`employee`, a foreign key) on a date
    (`on`, a date field of the same row): the rep's rows, or the rows of the team's reps."""
    if not scope.is_team:
        return Q(**{f"{employee}_id": scope.employee_id})
    employee_id, day = OuterRef(f"{employee}_id"), OuterRef(on)
    covering = TeamAssignment.objects.filter(employee_id=employee_id, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    # The team that day by the team history; without any history for that day, the
    # employee's current team (as the call roll-ups do).
    member = Q(Exists(covering.filter(team_id__in=scope.team_ids))) | (
        ~Q(Exists(covering)) & Q(**{f"{employee}__team_id__in": scope.team_ids})
    )
    was_rep = Exact(_role_on(employee_id, F(f"{employee}__role"), day), Value(Role.REP))
    return member & Q(was_rep)


def reps_on(scope: KpiScope, day: dt.date):
    """The reps of the scope on `day`: employed that day, and a rep that day (for a team,
    by its membership that day)."""
    members = team_member_ids_on(scope.team_ids, day) if scope.is_team else {scope.employee_id}
    was_rep = Exact(_role_on(OuterRef("pk"), F("role"), day), Value(Role.REP))
    return Employee.objects.filter(pk__in=members).filter(was_rep).employed_on(day)


def avg_headcount(scope: KpiScope, period: Period) -> Decimal:
    """(headcount on the period's first day + headcount on its last day) / 2 (PRODUCT.md §5)."""
    first = headcount_on(reps_on(scope, period.start), period.start, role=None)
    last = headcount_on(reps_on(scope, period.end), period.end, role=None)
    return Decimal(first + last) / 2
