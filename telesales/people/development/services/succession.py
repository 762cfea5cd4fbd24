"""The successor bench: nominating future team leads, reassessing their readiness (every
assessment kept) and withdrawing a nomination."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee, Role
from telesales.people.development import access
from telesales.people.development.models import (
    TARGET_ROLES,
    Nomination,
    Readiness,
    SuccessionAssessment,
)
from telesales.people.development.services.common import (
    employee_of,
    is_employed,
    refuse,
    today,
)

NOMINATION_FIELDS = [
    "employee_id",
    "target_role",
    "readiness",
    "strengths",
    "gaps",
    "assessed_by_id",
    "assessed_on",
    "status",
    "withdrawn_on",
    "withdraw_reason",
]
ROLE_RANK = {Role.REP: 0, Role.SUPERVISOR: 1, Role.MANAGER: 2}


def _assessment_validate(readiness: str, assessed_on: dt.date) -> None:
    if readiness not in Readiness.values:
        raise ValidationError(_("“%(value)s” is not a readiness.") % {"value": readiness})
    if assessed_on > today():
        raise ValidationError(_("An assessment cannot be dated in the future."))


def _role_label(role: str) -> str:
    return str(dict(TARGET_ROLES).get(role, role))


@transaction.atomic
def nomination_create(
    *,
    actor,
    employee: Employee,
    readiness: str,
    assessed_on: dt.date,
    target_role: str = Role.SUPERVISOR,
    strengths: str = "",
    gaps: str = "",
    assessed_by: Employee | None = None,
) -> Nomination:
    """Put an employee on the successor bench for a role above their own, with a first
    assessment of their readiness; one active nomination a person and role."""
    if not access.can_nominate(actor, employee):
        refuse()
    if target_role not in dict(TARGET_ROLES):
        raise ValidationError(_("“%(value)s” is not a target role.") % {"value": target_role})
    if ROLE_RANK.get(employee.role, -1) >= ROLE_RANK[target_role]:
        raise ValidationError(
            _("%(name)s is already at or above the role of %(role)s.")
            % {"name": employee.name, "role": _role_label(target_role)}
        )
    if not is_employed(employee):
        raise ValidationError(
            _("%(name)s is no longer employed and cannot be nominated.") % {"name": employee.name}
        )
    _assessment_validate(readiness, assessed_on)
    Employee.objects.select_for_update().filter(pk=employee.pk).first()
    if Nomination.objects.filter(
        employee=employee, target_role=target_role, status=Nomination.Status.ACTIVE
    ).exists():
        raise ValidationError(
            _("%(name)s is already on the bench for %(role)s; reassess the nomination instead.")
            % {"name": employee.name, "role": _role_label(target_role)}
        )
    assessor = assessed_by or employee_of(actor)
    nomination = Nomination.objects.create(
        employee=employee,
        target_role=target_role,
        readiness=readiness,
        strengths=(strengths or "").strip(),
        gaps=(gaps or "").strip(),
        assessed_by=assessor,
        assessed_on=assessed_on,
    )
    SuccessionAssessment.objects.create(
        nomination=nomination,
        readiness=readiness,
        strengths=nomination.strengths,
        gaps=nomination.gaps,
        assessed_by=assessor,
        assessed_on=assessed_on,
    )
    audit_record(
        actor=actor,
        action="nomination.create",
        obj=nomination,
        after=snapshot(nomination, NOMINATION_FIELDS),
    )
    return nomination


@transaction.atomic
def nomination_reassess(
    *,
    actor,
    nomination: Nomination,
    readiness: str,
    assessed_on: dt.date,
    strengths: str = "",
    gaps: str = "",
    assessed_by: Employee | None = None,
) -> SuccessionAssessment:
    """A new assessment of a nominee on the bench, dated on or after the last one; the bench
    shows the latest and keeps the earlier ones as history."""
    nomination = (
        Nomination.objects.select_for_update().select_related("employee").get(pk=nomination.pk)
    )
    if not access.can_nominate(actor, nomination.employee):
        refuse()
    if nomination.status != Nomination.Status.ACTIVE:
        raise ValidationError(_("This nomination was withdrawn; nominate the person again."))
    _assessment_validate(readiness, assessed_on)
    if assessed_on < nomination.assessed_on:
        raise ValidationError(
            _("A reassessment is dated on or after the last one (%(date)s).")
            % {"date": nomination.assessed_on.isoformat()}
        )
    assessor = assessed_by or employee_of(actor)
    before = snapshot(nomination, NOMINATION_FIELDS)
    nomination.readiness = readiness
    nomination.strengths = (strengths or "").strip()
    nomination.gaps = (gaps or "").strip()
    nomination.assessed_by = assessor
    nomination.assessed_on = assessed_on
    nomination.save()
    assessment = SuccessionAssessment.objects.create(
        nomination=nomination,
        readiness=readiness,
        strengths=nomination.strengths,
        gaps=nomination.gaps,
        assessed_by=assessor,
        assessed_on=assessed_on,
    )
    audit_record(
        actor=actor,
        action="nomination.reassess",
        obj=nomination,
        before=before,
        after=snapshot(nomination, NOMINATION_FIELDS),
    )
    return assessment


@transaction.atomic
def nomination_withdraw(
    *, actor, nomination: Nomination, reason: str, on: dt.date | None = None
) -> Nomination:
    """Take a nominee off the bench (promoted, left, no longer a candidate), with a reason."""
    nomination = (
        Nomination.objects.select_for_update().select_related("employee").get(pk=nomination.pk)
    )
    if not access.can_nominate(actor, nomination.employee):
        refuse()
    if nomination.status != Nomination.Status.ACTIVE:
        raise ValidationError(_("This nomination was already withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for withdrawing the nomination."))
    before = snapshot(nomination, NOMINATION_FIELDS)
    nomination.status = Nomination.Status.WITHDRAWN
    nomination.withdrawn_on = on or today()
    nomination.withdraw_reason = reason[:300]
    nomination.save()
    audit_record(
        actor=actor,
        action="nomination.withdraw",
        obj=nomination,
        before=before,
        after=snapshot(nomination, NOMINATION_FIELDS),
    )
    return nomination
