"""Reads of tickets and surveys for the pages, always through the scoped querysets of
telesales.feedback.access."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from telesales.feedback import access
from telesales.feedback.models import SlaRule, SurveyResponse, Ticket
from telesales.org.models import Department, Employee

Status = Ticket.Status
UNRESOLVED = (Status.OPEN, Status.IN_PROGRESS)
ACTIVE = "active"  # the queue's default: open, in progress or resolved (not yet closed)


@dataclass(frozen=True)
class TicketFilter:
    status: str = ACTIVE  # "", "active" or a status
    kind: str = ""
    priority: str = ""
    overdue: bool = False
    department: Department | None = None
    mine: bool = False


def ticket_queue(user, criteria: TicketFilter, *, now: dt.datetime | None = None) -> QuerySet:
    """The user's tickets matching the filter, the soonest due first."""
    now = now or timezone.now()
    tickets = access.tickets_visible_to(user).select_related(
        "department", "assignee", "employee", "customer"
    )
    if criteria.status == ACTIVE:
        tickets = tickets.exclude(status=Status.CLOSED)
    elif criteria.status:
        tickets = tickets.filter(status=criteria.status)
    if criteria.kind:
        tickets = tickets.filter(kind=criteria.kind)
    if criteria.priority:
        tickets = tickets.filter(priority=criteria.priority)
    if criteria.overdue:
        tickets = tickets.filter(status__in=UNRESOLVED, due_at__lt=now)
    if criteria.department is not None:
        tickets = tickets.filter(department=criteria.department)
    if criteria.mine:
        employee = getattr(user, "employee", None)
        tickets = tickets.filter(assignee=employee) if employee else tickets.none()
    return tickets.order_by("due_at", "id")


def ticket_is_overdue(ticket: Ticket, now: dt.datetime) -> bool:
    """Still unresolved after its due time."""
    return ticket.status in UNRESOLVED and ticket.due_at < now


def ticket_is_timely(ticket: Ticket) -> bool | None:
    """Resolved by its due time (PRODUCT.md §5); None while unresolved."""
    if ticket.resolved_at is None:
        return None
    return ticket.resolved_at <= ticket.due_at


def queue_counts(user, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Open, in progress, resolved and overdue tickets of the user's queue, in one query."""
    now = now or timezone.now()
    return access.tickets_visible_to(user).aggregate(
        open=Count("pk", filter=Q(status=Status.OPEN)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
        resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
        overdue=Count("pk", filter=Q(status__in=UNRESOLVED, due_at__lt=now)),
    )


def departments_visible_to(user) -> QuerySet[Department]:
    """Departments whose tickets the user sees, for the queue's department filter."""
    ids = access.tickets_visible_to(user).order_by().values("department_id").distinct()
    scope_employee = getattr(user, "employee", None)
    own = Q(pk=scope_employee.department_id) if scope_employee else Q(pk__in=[])
    return Department.objects.filter(Q(pk__in=ids) | own).order_by("code")


def department_people(department: Department, *, day: dt.date | None = None):
    """The people of a department employed on a day, to whom its tickets can be assigned."""
    day = day or timezone.localdate()
    return Employee.objects.employed_on(day).filter(department=department).order_by("employee_no")


def ticket_history(ticket: Ticket) -> QuerySet:
    return ticket.comments.select_related("author").order_by("at", "id")


def sla_table() -> dict[tuple[str, str], int]:
    return {(r.kind, r.priority): r.hours for r in SlaRule.objects.all()}


# -- surveys -----------------------------------------------------------------------------------


def survey_list(
    user, *, start: dt.date, end: dt.date, employee: Employee | None = None
) -> QuerySet[SurveyResponse]:
    responses = access.surveys_visible_to(user).filter(
        responded_on__gte=start, responded_on__lte=end
    )
    if employee is not None:
        responses = responses.filter(employee=employee)
    return responses.select_related("employee", "customer").order_by("-responded_on", "-id")


def survey_by_rep(responses: QuerySet[SurveyResponse]) -> list[dict]:
    """Per rep: responses, mean score and responses scoring 4 or 5, in one query."""
    return list(
        responses.order_by()
        .values("employee_id", "employee__employee_no", "employee__name")
        .annotate(
            responses=Count("pk"),
            average=Avg("score"),
            satisfied=Count("pk", filter=Q(score__gte=4)),
        )
        .order_by("employee__employee_no")
    )
