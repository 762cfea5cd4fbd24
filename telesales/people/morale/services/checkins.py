"""One-to-one morale check-ins: recording one and correcting it. The private notes never go
into the audit log (administrators read it); only whether they changed does."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.people.morale import access
from telesales.people.morale.models import CheckIn
from telesales.people.morale.services.common import (
    date_check,
    employee_of,
    team_on,
    user_of,
)

CHECKIN_FIELDS = ["employee_id", "team_id", "held_by_id", "date", "morale", "shared_summary"]
MAX_TEXT = 5000


def _morale_check(morale) -> int:
    text = str(morale).strip() if morale is not None else ""
    if isinstance(morale, bool) or not text.isdigit() or not 1 <= int(text) <= 5:
        raise ValidationError(_("Morale is a score from 1 to 5."), code="morale")
    return int(text)


def _text(value, label) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(
            _("%(field)s is at most %(max)s characters long.") % {"field": label, "max": MAX_TEXT},
            code="too_long",
        )
    return text


def _audited(checkin: CheckIn) -> dict:
    after = snapshot(checkin, CHECKIN_FIELDS)
    after["private_notes_written"] = bool(checkin.private_notes)
    return after


@transaction.atomic
def checkin_record(
    *,
    actor,
    employee: Employee,
    date: dt.date,
    morale: int,
    private_notes: str = "",
    shared_summary: str = "",
    held_by: Employee | None = None,
    today: dt.date | None = None,
) -> CheckIn:
    """Record a check-in held by the employee's supervisor or someone above on their line
    (the acting user; the system names who held it), on a day the employee was employed, not
    in the future, with morale from 1 to 5."""
    if not access.can_hold_checkin(actor, employee):
        raise PermissionDenied(_("You may not hold check-ins with this employee."))
    holder = employee_of(actor) if user_of(actor) is not None else held_by
    if holder is None:
        raise ValidationError(_("Say who held the check-in."), code="held_by")
    if holder.pk == employee.pk:
        raise ValidationError(_("Nobody holds a check-in with themselves."), code="held_by")
    morale = _morale_check(morale)
    date = date_check(date, employee=employee, today=today)
    checkin = CheckIn.objects.create(
        employee=employee,
        team_id=team_on(employee, date),
        held_by=holder,
        date=date,
        morale=morale,
        private_notes=_text(private_notes, _("The private notes")),
        shared_summary=_text(shared_summary, _("The shared summary")),
        created_by=user_of(actor),
    )
    audit_record(actor=actor, action="morale.checkin_record", obj=checkin, after=_audited(checkin))
    return checkin


@transaction.atomic
def checkin_update(
    *,
    actor,
    checkin: CheckIn,
    date: dt.date,
    morale: int,
    private_notes: str = "",
    shared_summary: str = "",
    today: dt.date | None = None,
) -> CheckIn:
    """Correct a check-in: only the one who held it, while the employee is on their line."""
    checkin = CheckIn.objects.select_for_update().select_related("employee").get(pk=checkin.pk)
    if user_of(actor) is not None and not access.can_edit_checkin(actor, checkin):
        raise PermissionDenied(_("Only the one who held a check-in corrects it."))
    before = _audited(checkin)
    morale = _morale_check(morale)
    date = date_check(date, employee=checkin.employee, today=today)
    notes = _text(private_notes, _("The private notes"))
    before["private_notes_changed"] = False
    notes_changed = notes != checkin.private_notes
    checkin.private_notes = notes
    checkin.shared_summary = _text(shared_summary, _("The shared summary"))
    checkin.morale = morale
    checkin.date = date
    checkin.team_id = team_on(checkin.employee, date)
    checkin.save()
    after = _audited(checkin)
    after["private_notes_changed"] = notes_changed  # whether, never what
    audit_record(
        actor=actor, action="morale.checkin_update", obj=checkin, before=before, after=after
    )
    return checkin
