"""Tickets: opening with their SLA, the one transition function with its table of moves,
comments, assignment and routing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.audit import audit_record, snapshot
from telesales.crm.models import Customer, CustomerEvent
from telesales.feedback import access
from telesales.feedback.models import (
    Ticket,
    TicketComment,
)
from telesales.feedback.services.common import (
    TICKET_FIELDS,
    codes_validate,
    employee_of,
    user_of,
)
from telesales.feedback.services.sla import sla_hours_for
from telesales.org.access import employees_visible_to
from telesales.org.models import Department, Employee

Status = Ticket.Status

# -- the state machine -------------------------------------------------------------------------

WORKER = "worker"  # the department's staff and administrators
FOLLOW_UP = "follow_up"  # also the supervisors and managers over the rep


@dataclass(frozen=True)
class Move:
    label: Promise
    allowed: frozenset[str]
    reopens: bool = False


# The only moves a ticket makes; anything else is refused. A reopen sends the ticket back to
# work and clears its resolution (and closing) time, so timeliness is judged on the final
# resolution, and counts in `reopened`.
MOVES: dict[tuple[str, str], Move] = {
    (Status.OPEN, Status.IN_PROGRESS): Move(gettext_lazy("Start work"), frozenset({WORKER})),
    (Status.OPEN, Status.RESOLVED): Move(gettext_lazy("Resolve"), frozenset({WORKER})),
    (Status.IN_PROGRESS, Status.RESOLVED): Move(gettext_lazy("Resolve"), frozenset({WORKER})),
    (Status.RESOLVED, Status.CLOSED): Move(gettext_lazy("Close"), frozenset({WORKER, FOLLOW_UP})),
    (Status.RESOLVED, Status.IN_PROGRESS): Move(
        gettext_lazy("Reopen"), frozenset({WORKER, FOLLOW_UP}), reopens=True
    ),
    (Status.CLOSED, Status.IN_PROGRESS): Move(
        gettext_lazy("Reopen"), frozenset({WORKER, FOLLOW_UP}), reopens=True
    ),
}


def _may(rights: access.TicketRights, move: Move) -> bool:
    return (WORKER in move.allowed and rights.work) or (
        FOLLOW_UP in move.allowed and rights.follow_up
    )


def ticket_moves_for(user, ticket: Ticket) -> list[tuple[str, Move]]:
    """The moves this user may make on this ticket now: (target status, move)."""
    rights = access.ticket_rights(user, ticket)
    return [
        (to_status, move)
        for (from_status, to_status), move in MOVES.items()
        if from_status == ticket.status and _may(rights, move)
    ]


def _status_label(value: str) -> str:
    return str(dict(Status.choices).get(value, value))


@transaction.atomic
def ticket_transition(
    *, actor, ticket: Ticket, to_status: str, comment: str = "", at: dt.datetime | None = None
) -> Ticket:
    """Move a ticket along one of the allowed moves (MOVES), recorded in its history."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not access.ticket_may_see(actor, ticket):
        raise PermissionDenied(_("You may not change this ticket."))
    move = MOVES.get((ticket.status, to_status))
    if move is None:
        raise ValidationError(
            _("A ticket that is “%(from)s” cannot be moved to “%(to)s”.")
            % {"from": _status_label(ticket.status), "to": _status_label(to_status)}
        )
    if not _may(access.ticket_rights(actor, ticket), move):
        raise PermissionDenied(_("You may not change this ticket."))
    at = at or timezone.now()
    if at < ticket.opened_at:
        raise ValidationError(_("A ticket cannot change before it was opened."))
    before = snapshot(ticket, TICKET_FIELDS)
    from_status = ticket.status
    ticket.status = to_status
    if move.reopens:
        ticket.reopened += 1
        ticket.resolved_at = None
        ticket.closed_at = None
    if to_status == Status.RESOLVED:
        ticket.resolved_at = at
    if to_status == Status.CLOSED:
        ticket.closed_at = at
    employee = employee_of(actor)
    if (
        to_status == Status.IN_PROGRESS
        and ticket.assignee_id is None
        and employee is not None
        and employee.department_id == ticket.department_id
    ):
        ticket.assignee = employee  # who starts work on an unassigned ticket takes it
    ticket.save()
    TicketComment.objects.create(
        ticket=ticket,
        author=user_of(actor),
        at=at,
        body=comment.strip(),
        from_status=from_status,
        to_status=to_status,
    )
    audit_record(
        actor=actor,
        action="ticket.transition",
        obj=ticket,
        before=before,
        after=snapshot(ticket, TICKET_FIELDS),
    )
    return ticket


# -- opening -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"^T(\d{4})-(\d{6})$")


def _next_number(year: int) -> str:
    last = (
        Ticket.objects.filter(number__regex=rf"^T{year}-[0-9]{{6}}$")
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(_NUMBER.match(last).group(2)) + 1 if last else 1
    return f"T{year}-{sequence:06d}"


@transaction.atomic
def ticket_open(
    *,
    actor,
    kind: str,
    priority: str,
    title: str,
    body: str,
    department: Department,
    customer: Customer | None = None,
    employee: Employee | None = None,
    opened_at: dt.datetime | None = None,
) -> Ticket:
    """A new ticket numbered T<year>-<sequence>, due sla_hours (its kind and priority's SLA
    rule, in calendar hours) after it was opened."""
    if not access.can_open_tickets(actor):
        raise PermissionDenied(_("You may not open tickets."))
    if employee is not None and not _in_scope(actor, employee):
        raise PermissionDenied(_("You may not open tickets about this rep."))
    codes_validate(kind, priority)
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A ticket needs a title."))
    opened_at = opened_at or timezone.now()
    hours = sla_hours_for(kind, priority)
    year = timezone.localtime(opened_at).year
    for attempt in range(5):
        try:
            with transaction.atomic():  # a savepoint: another ticket may take the number
                ticket = Ticket.objects.create(
                    number=_next_number(year),
                    kind=kind,
                    priority=priority,
                    title=title[:200],
                    body=(body or "").strip(),
                    department=department,
                    customer=customer,
                    employee=employee,
                    sla_hours=hours,
                    opened_at=opened_at,
                    due_at=opened_at + dt.timedelta(hours=hours),
                    created_by=user_of(actor),
                )
            break
        except IntegrityError:
            if attempt == 4:
                raise
    TicketComment.objects.create(
        ticket=ticket, author=user_of(actor), at=opened_at, to_status=Status.OPEN
    )
    if customer is not None:
        _customer_event(actor, ticket)
    audit_record(
        actor=actor, action="ticket.open", obj=ticket, after=snapshot(ticket, TICKET_FIELDS)
    )
    return ticket


def _customer_event(actor, ticket: Ticket) -> CustomerEvent:
    # The crm app has no service for timeline entries yet; this is the ticket's own entry.
    return CustomerEvent.objects.create(
        customer_id=ticket.customer_id,
        at=ticket.opened_at,
        kind=CustomerEvent.Kind.TICKET,
        actor=user_of(actor),
        text=f"{ticket.number} {ticket.title}"[:300],
        detail={"ticket": ticket.pk, "number": ticket.number, "kind": ticket.kind},
    )


def _in_scope(actor, employee: Employee) -> bool:
    if user_of(actor) is None:
        return True
    return employees_visible_to(actor).filter(pk=employee.pk).exists()


# -- work on a ticket --------------------------------------------------------------------------


def _check(actor, ticket: Ticket, *, work: bool = False, comment: bool = False) -> None:
    if not access.ticket_may_see(actor, ticket):
        raise PermissionDenied(_("You may not change this ticket."))
    rights = access.ticket_rights(actor, ticket)
    if (work and not rights.work) or (comment and not rights.comment):
        raise PermissionDenied(_("You may not change this ticket."))


@transaction.atomic
def ticket_comment_add(*, actor, ticket: Ticket, body: str) -> TicketComment:
    _check(actor, ticket, comment=True)
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a comment first."))
    comment = TicketComment.objects.create(ticket=ticket, author=user_of(actor), body=body)
    audit_record(actor=actor, action="ticket.comment", obj=ticket, after={"comment": comment.pk})
    return comment


@transaction.atomic
def ticket_assign(*, actor, ticket: Ticket, assignee: Employee | None) -> Ticket:
    """Give the ticket to someone of its department (None: to nobody)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check(actor, ticket, work=True)
    if ticket.status == Status.CLOSED:
        raise ValidationError(_("A closed ticket is not assigned; reopen it first."))
    if assignee is not None and (
        assignee.department_id != ticket.department_id
        or not assignee.is_employed_on(timezone.localdate())
    ):
        raise ValidationError(
            _("%(name)s does not work in the ticket's department.") % {"name": assignee.name}
        )
    if assignee is not None and assignee.pk == ticket.assignee_id:
        return ticket
    if assignee is None and ticket.assignee_id is None:
        return ticket
    before = snapshot(ticket, TICKET_FIELDS)
    ticket.assignee = assignee
    ticket.save(update_fields=["assignee"])
    body = (
        _("Assigned to %(name)s.") % {"name": assignee.name}
        if assignee is not None
        else _("No longer assigned to anyone.")
    )
    TicketComment.objects.create(ticket=ticket, author=user_of(actor), body=body)
    audit_record(
        actor=actor,
        action="ticket.assign",
        obj=ticket,
        before=before,
        after=snapshot(ticket, TICKET_FIELDS),
    )
    return ticket


@transaction.atomic
def ticket_route(*, actor, ticket: Ticket, department: Department, comment: str = "") -> Ticket:
    """Send the ticket to another department's queue; it leaves its assignee."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _check(actor, ticket, work=True)
    if ticket.status == Status.CLOSED:
        raise ValidationError(_("A closed ticket stays where it is; reopen it first."))
    if department.pk == ticket.department_id:
        return ticket
    before = snapshot(ticket, TICKET_FIELDS)
    old = ticket.department
    ticket.department = department
    ticket.assignee = None
    ticket.save(update_fields=["department", "assignee"])
    body = _("Routed from %(old)s to %(new)s.") % {"old": old.name, "new": department.name}
    if comment.strip():
        body = f"{body}\n{comment.strip()}"
    TicketComment.objects.create(ticket=ticket, author=user_of(actor), body=body)
    audit_record(
        actor=actor,
        action="ticket.route",
        obj=ticket,
        before=before,
        after=snapshot(ticket, TICKET_FIELDS),
    )
    return ticket
