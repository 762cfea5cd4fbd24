"""What the services of tickets, SLA rules and surveys share."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from telesales.feedback.models import (
    Priority,
    TicketKind,
)
from telesales.org.models import Employee

TICKET_FIELDS = [
    "number",
    "kind",
    "priority",
    "status",
    "title",
    "department_id",
    "assignee_id",
    "customer_id",
    "employee_id",
    "sla_hours",
    "opened_at",
    "due_at",
    "resolved_at",
    "closed_at",
    "reopened",
]


def codes_validate(kind: str, priority: str) -> None:
    if kind not in TicketKind.values:
        raise ValidationError(_("“%(value)s” is not a kind of ticket.") % {"value": kind})
    if priority not in Priority.values:
        raise ValidationError(_("“%(value)s” is not a priority.") % {"value": priority})


def user_of(actor):
    return actor if getattr(actor, "pk", None) else None


def employee_of(actor) -> Employee | None:
    user = user_of(actor)
    if user is None:
        return None
    try:
        return user.employee
    except Employee.DoesNotExist:
        return None
