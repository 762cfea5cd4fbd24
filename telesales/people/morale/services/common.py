"""What the services of the ledger, team activities and check-ins share."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.org.models import Employee, TeamAssignment

MAX_AMOUNT = Decimal("9999999999.99")  # what the amount columns hold
MAX_POINTS = 100_000


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


def team_on(employee: Employee, day: dt.date) -> int | None:
    """The employee's team on `day` by the team history; without history for that day,
    their current team (as the KPI scopes count it)."""
    covering = (
        TeamAssignment.objects.filter(employee=employee, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .order_by("-start")
        .values_list("team_id", flat=True)
        .first()
    )
    return covering if covering is not None else employee.team_id


def date_check(day, *, employee: Employee | None = None, today: dt.date | None = None) -> dt.date:
    """A date that is not in the future and, with an employee, within their employment."""
    if not isinstance(day, dt.date):
        raise ValidationError(_("Give a date."), code="date")
    today = today or timezone.localdate()
    if day > today:
        raise ValidationError(_("The date cannot be in the future."), code="future")
    if employee is not None and not employee.is_employed_on(day):
        raise ValidationError(
            _("%(name)s was not employed on %(date)s.")
            % {"name": employee.name, "date": day.isoformat()},
            code="not_employed",
        )
    return day


def amount_check(value, *, label: str) -> Decimal | None:
    """A sum of money in CNY: a number, not negative, at most two decimals; None when empty."""
    if value is None or value == "":
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            _("%(field)s must be a number.") % {"field": label}, code="amount"
        ) from None
    if not amount.is_finite():
        raise ValidationError(_("%(field)s must be a number.") % {"field": label}, code="amount")
    if amount < 0:
        raise ValidationError(
            _("%(field)s cannot be negative.") % {"field": label}, code="negative"
        )
    if amount > MAX_AMOUNT:
        raise ValidationError(_("%(field)s is too large.") % {"field": label}, code="too_large")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _("%(field)s has at most two decimals.") % {"field": label}, code="decimals"
        )
    return amount.quantize(Decimal("0.01"))


def text_required(value, *, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(_("%(field)s is required.") % {"field": label}, code="required")
    if len(text) > max_length:
        raise ValidationError(
            _("%(field)s is at most %(max)s characters long.")
            % {"field": label, "max": max_length},
            code="too_long",
        )
    return text
