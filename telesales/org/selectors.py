"""Reads about the organisation: headcount, joiners and leavers, team membership on a date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from telesales.org.models import Employee, EmployeeEvent, Role, TeamAssignment


def headcount_on(
    employees: QuerySet[Employee], day: dt.date, *, role: str | None = Role.REP
) -> int:
    """Reps (or another role) among `employees` employed on `day` (PRODUCT.md §4)."""
    qs = employees.employed_on(day)
    if role is not None:
        qs = qs.filter(role=role)
    return qs.count()


def team_member_ids_on(team_ids, day: dt.date) -> set[int]:
    """Who belonged to these teams on `day`, by the team history."""
    return set(
        TeamAssignment.objects.filter(team_id__in=team_ids, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values_list("employee_id", flat=True)
    )


def recent_events(
    employees: QuerySet[Employee], *, kinds, since: dt.date, limit: int = 10
) -> QuerySet[EmployeeEvent]:
    return (
        EmployeeEvent.objects.filter(employee__in=employees, kind__in=kinds, date__gte=since)
        .select_related("employee", "employee__team", "from_team", "to_team")
        .order_by("-date", "-id")[:limit]
    )
