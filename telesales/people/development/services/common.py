"""What the development services share."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.org.models import Employee


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


def today() -> dt.date:
    return timezone.localdate()


def refuse() -> None:
    raise PermissionDenied(_("You may not change this record."))


def is_employed(employee: Employee, day: dt.date | None = None) -> bool:
    return employee.is_employed_on(day or today())
