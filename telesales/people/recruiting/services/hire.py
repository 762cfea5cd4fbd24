"""The hire: a candidate who accepted the offer becomes an employee of the opening's team,
through the organisation's own employee_hire (which runs the after-hire callbacks, such as
the new rep's onboarding plan); the opening is filled when its headcount is reached."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record
from telesales.org.models import Employee
from telesales.org.services import employee_hire
from telesales.people.recruiting import access
from telesales.people.recruiting.models import Candidate, Opening, Stage
from telesales.people.recruiting.services.candidates import candidate_transition
from telesales.people.recruiting.services.openings import opening_fill_check, opening_hires

MAX_EMPLOYEE_NO = 40


@transaction.atomic
def candidate_hire(
    *,
    actor,
    candidate: Candidate,
    employee_no: str,
    hire_date: dt.date | None,
    name: str = "",
    email: str | None = None,
    pay_grade: str = "",
    base_bonus: Decimal | None = None,
    at: dt.datetime | None = None,
) -> Employee:
    """Make the candidate an employee: team, role and position from the opening, the team's
    supervisor (else the hiring manager) as manager. Nothing is stored when any of it fails."""
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if (
        not access.can_manage(actor)
        or not access.candidates_in_scope(actor).filter(pk=candidate.pk).exists()
    ):
        raise PermissionDenied(_("You may not hire candidates."))
    if candidate.stage == Stage.HIRED:
        raise ValidationError(_("%(name)s has already been hired.") % {"name": candidate.name})
    if candidate.stage != Stage.OFFER or candidate.decision != Candidate.Decision.ACCEPTED:
        raise ValidationError(
            _("Only a candidate who accepted the offer can be hired; %(name)s is at “%(stage)s”.")
            % {"name": candidate.name, "stage": candidate.get_stage_display()}
        )
    # Locked alone: PostgreSQL does not lock the nullable side of a join (the supervisor).
    opening = (
        Opening.objects.select_for_update(of=("self",))
        .select_related("team", "team__supervisor", "team__department", "hiring_manager")
        .get(pk=candidate.opening_id)
    )
    if opening.status != Opening.Status.OPEN:
        raise ValidationError(
            _("The opening is “%(status)s”; reopen it or raise its headcount before hiring.")
            % {"status": opening.get_status_display()}
        )
    if opening_hires(opening) >= opening.headcount:
        raise ValidationError(_("The opening's headcount is already reached."))
    employee_no = (employee_no or "").strip()
    if not employee_no:
        raise ValidationError(_("Enter the new employee's number."))
    if len(employee_no) > MAX_EMPLOYEE_NO:
        raise ValidationError(
            _("An employee number has at most %(max)s characters.") % {"max": MAX_EMPLOYEE_NO}
        )
    if hire_date is None:
        raise ValidationError(_("Enter the hire date."))
    taken = Employee.objects.filter(employee_no=employee_no).first()
    if taken is not None:
        raise ValidationError(
            _("The employee number %(number)s is already taken by %(name)s.")
            % {"number": employee_no, "name": taken.name}
        )
    team = opening.team
    manager = team.supervisor or opening.hiring_manager
    try:
        with transaction.atomic():  # a savepoint: the number may be taken meanwhile
            employee = employee_hire(
                actor=actor,
                employee_no=employee_no,
                name=(name or "").strip() or candidate.name,
                hire_date=hire_date,
                role=opening.role,
                team=team,
                department=team.department,
                manager=manager,
                position=opening.position,
                pay_grade=(pay_grade or "").strip(),
                base_bonus=base_bonus,
                email=candidate.email if email is None else email.strip(),
            )
    except IntegrityError:
        raise ValidationError(
            _("The employee number %(number)s is already taken.") % {"number": employee_no}
        ) from None
    candidate_transition(
        actor=actor, candidate=candidate, to_stage=Stage.HIRED, employee=employee, at=at
    )
    audit_record(
        actor=actor,
        action="candidate.hire",
        obj=candidate,
        after={"employee_id": employee.pk, "employee_no": employee.employee_no},
    )
    opening_fill_check(actor=actor, opening=opening)
    return employee
