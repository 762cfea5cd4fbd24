"""Who sees and works which ticket and survey (PRODUCT.md §2), decided here once for the
pages, the services and the command line.

- staff work the tickets routed to their department (and any ticket assigned to them);
- reps see the tickets about them or their customers, and may comment;
- supervisors and managers see the tickets of the people in their scope and those they
  opened, open tickets, comment, and close or reopen a resolved ticket (they hear whether
  the customer is satisfied);
- HR sees every ticket and may comment; administrators see and work every ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from telesales.feedback.models import SurveyResponse, Ticket
from telesales.org import access
from telesales.org.models import Employee, Role

OPENERS = {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
SURVEY_READERS = {Role.REP, Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}


@dataclass(frozen=True)
class TicketRights:
    """What a user may do with one ticket they can see."""

    work: bool = False  # every move of the table, assignment, routing
    follow_up: bool = False  # close or reopen a resolved or closed ticket
    comment: bool = False


NO_RIGHTS = TicketRights()


def tickets_visible_to(user) -> QuerySet[Ticket]:
    scope = access.scope_for(user)
    tickets = Ticket.objects.all()
    if scope.role is None:
        return tickets.none()
    if scope.company_wide:
        return tickets
    employee = scope.employee
    if scope.role == Role.STAFF:
        routed = Q(assignee=employee)
        if employee.department_id is not None:
            routed |= Q(department_id=employee.department_id)
        return tickets.filter(routed)
    if scope.role == Role.REP:
        return tickets.filter(Q(employee=employee) | Q(customer__owner=employee))
    people = scope.employee_ids
    return tickets.filter(
        Q(employee_id__in=people) | Q(customer__owner_id__in=people) | Q(created_by=user)
    )


def access_ticket(user, pk) -> Ticket:
    """The ticket with this id, if the user may see it; 404 otherwise."""
    try:
        return (
            tickets_visible_to(user)
            .select_related("department", "assignee", "employee", "customer", "created_by")
            .get(pk=pk)
        )
    except (Ticket.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def ticket_rights(user, ticket: Ticket) -> TicketRights:
    """The user's rights on a ticket, assumed visible to them (see tickets_visible_to)."""
    if user is None or not getattr(user, "pk", None):
        return TicketRights(work=True, follow_up=True, comment=True)  # the system itself
    scope = access.scope_for(user)
    if scope.role is None:
        return NO_RIGHTS
    if scope.role == Role.ADMIN:
        return TicketRights(work=True, follow_up=True, comment=True)
    if scope.role == Role.STAFF:
        employee = scope.employee
        works = ticket.assignee_id == employee.pk or (
            employee.department_id is not None and ticket.department_id == employee.department_id
        )
        return TicketRights(work=works, follow_up=works, comment=works)
    if scope.role in {Role.SUPERVISOR, Role.MANAGER}:
        return TicketRights(follow_up=True, comment=True)
    return TicketRights(comment=True)  # rep, hr


def ticket_may_see(user, ticket: Ticket) -> bool:
    if user is None or not getattr(user, "pk", None):
        return True
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def can_open_tickets(user) -> bool:
    if user is None or not getattr(user, "pk", None):
        return True
    return access.user_role(user) in OPENERS


def can_see_tickets(user) -> bool:
    return access.user_role(user) is not None


def can_edit_sla(user) -> bool:
    if user is None or not getattr(user, "pk", None):
        return True
    return access.can_administer_org(user)


def can_import(user) -> bool:
    """Tickets and surveys are imported by administrators (PRODUCT.md §2: imports)."""
    return access.can_administer_org(user)


def ticket_reps_for(user) -> QuerySet[Employee]:
    """The reps a user may name on a ticket they open: those in their scope."""
    return access.employees_visible_to(user).filter(role=Role.REP)


def surveys_visible_to(user) -> QuerySet[SurveyResponse]:
    """Responses about the people in the user's scope; staff see none."""
    if access.user_role(user) not in SURVEY_READERS:
        return SurveyResponse.objects.none()
    return SurveyResponse.objects.filter(access.visible_q(user, "employee"))


def can_see_surveys(user) -> bool:
    return access.user_role(user) in SURVEY_READERS
