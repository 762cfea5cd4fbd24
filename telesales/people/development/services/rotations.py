"""Job rotations, kept as development records: where the employee went to learn, when, why
and what came of it. The employee's own team is org's to change (employee_transfer), not
this app's."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Department, Employee, Team
from telesales.people.development import access
from telesales.people.development.models import Rotation
from telesales.people.development.services.common import refuse, user_of

ROTATION_FIELDS = [
    "employee_id",
    "to_team_id",
    "to_department_id",
    "to_position",
    "start",
    "end",
    "purpose",
    "outcome",
]


def _validate(
    employee: Employee,
    *,
    to_team: Team | None,
    to_department: Department | None,
    to_position: str,
    start: dt.date,
    end: dt.date | None,
) -> str:
    to_position = (to_position or "").strip()
    if to_team is None and to_department is None and not to_position:
        raise ValidationError(_("Say where the rotation goes: a team, a department or a position."))
    if to_team is not None and to_team.pk == employee.team_id:
        raise ValidationError(
            _("%(name)s is already in team %(team)s; a rotation goes somewhere else.")
            % {"name": employee.name, "team": to_team.code}
        )
    if end is not None and end < start:
        raise ValidationError(_("The end of the rotation cannot be before its start."))
    if start < employee.hire_date:
        raise ValidationError(
            _("The rotation cannot start before %(name)s was hired (%(date)s).")
            % {"name": employee.name, "date": employee.hire_date.isoformat()}
        )
    return to_position


@transaction.atomic
def rotation_record(
    *,
    actor,
    employee: Employee,
    to_team: Team | None = None,
    to_department: Department | None = None,
    to_position: str = "",
    start: dt.date,
    end: dt.date | None = None,
    purpose: str = "",
    outcome: str = "",
) -> Rotation:
    """Record a rotation of an employee in the actor's charge."""
    if not access.can_manage_employee(actor, employee):
        refuse()
    to_position = _validate(
        employee,
        to_team=to_team,
        to_department=to_department,
        to_position=to_position,
        start=start,
        end=end,
    )
    rotation = Rotation.objects.create(
        employee=employee,
        to_team=to_team,
        to_department=to_department,
        to_position=to_position,
        start=start,
        end=end,
        purpose=(purpose or "").strip(),
        outcome=(outcome or "").strip(),
        created_by=user_of(actor),
    )
    audit_record(
        actor=actor,
        action="rotation.create",
        obj=rotation,
        after=snapshot(rotation, ROTATION_FIELDS),
    )
    return rotation


@transaction.atomic
def rotation_update(
    *,
    actor,
    rotation: Rotation,
    to_team: Team | None,
    to_department: Department | None,
    to_position: str,
    start: dt.date,
    end: dt.date | None,
    purpose: str,
    outcome: str,
) -> Rotation:
    """Correct a rotation or note its outcome."""
    rotation = Rotation.objects.select_for_update().select_related("employee").get(pk=rotation.pk)
    if not access.can_manage_employee(actor, rotation.employee):
        refuse()
    to_position = _validate(
        rotation.employee,
        to_team=to_team,
        to_department=to_department,
        to_position=to_position,
        start=start,
        end=end,
    )
    before = snapshot(rotation, ROTATION_FIELDS)
    rotation.to_team = to_team
    rotation.to_department = to_department
    rotation.to_position = to_position
    rotation.start = start
    rotation.end = end
    rotation.purpose = (purpose or "").strip()
    rotation.outcome = (outcome or "").strip()
    rotation.save()
    audit_record(
        actor=actor,
        action="rotation.update",
        obj=rotation,
        before=before,
        after=snapshot(rotation, ROTATION_FIELDS),
    )
    return rotation
