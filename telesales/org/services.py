"""Writes to the organisation: each is atomic and records its audit row in the same transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.hooks import after_hire_run
from telesales.org.models import (
    Absence,
    Company,
    Department,
    Employee,
    EmployeeEvent,
    Extension,
    Role,
    Team,
    TeamAssignment,
)

EMPLOYEE_FIELDS = [
    "name",
    "department_id",
    "team_id",
    "role",
    "manager_id",
    "position",
    "pay_grade",
    "base_bonus",
    "email",
    "hire_date",
    "leave_date",
]


def company_default() -> Company:
    """The company this installation runs; created on first use."""
    company = Company.objects.order_by("pk").first()
    if company is None:
        company = Company.objects.create(code="company", name="Company")
    return company


@transaction.atomic
def department_ensure(
    *, actor, company: Company, code: str, name: str = "", kind: str = ""
) -> Department:
    department = Department.objects.filter(company=company, code=code).first()
    if department:
        return department
    department = Department.objects.create(
        company=company, code=code, name=name or code, kind=kind or Department.Kind.OTHER
    )
    audit_record(
        actor=actor, action="department.create", obj=department, after=snapshot(department)
    )
    return department


@transaction.atomic
def team_ensure(*, actor, code: str, department: Department, name: str = "") -> Team:
    team = Team.objects.filter(code=code).first()
    if team:
        return team
    team = Team.objects.create(code=code, name=name or code, department=department)
    audit_record(actor=actor, action="team.create", obj=team, after=snapshot(team))
    return team


@transaction.atomic
def team_set_supervisor(*, actor, team: Team, supervisor: Employee | None) -> Team:
    before = snapshot(team)
    team.supervisor = supervisor
    team.save(update_fields=["supervisor", "updated_at"])
    audit_record(actor=actor, action="team.update", obj=team, before=before, after=snapshot(team))
    return team


def _assignment_open(employee: Employee, team: Team | None, start: dt.date) -> None:
    # Saved one by one so that what listens to team changes (call roll-ups) hears it.
    for assignment in TeamAssignment.objects.filter(employee=employee, end__isnull=True):
        assignment.end = start
        assignment.save(update_fields=["end"])
    TeamAssignment.objects.filter(employee=employee, start__gte=start).exclude(team=team).delete()
    if team is not None:
        TeamAssignment.objects.create(employee=employee, team=team, start=start)


@transaction.atomic
def employee_hire(
    *,
    actor,
    employee_no: str,
    name: str,
    hire_date: dt.date,
    role: str = Role.REP,
    team: Team | None = None,
    department: Department | None = None,
    manager: Employee | None = None,
    position: str = "",
    pay_grade: str = "",
    base_bonus: Decimal | None = None,
    email: str = "",
    leave_date: dt.date | None = None,
    company: Company | None = None,
) -> Employee:
    """A new employee, with their hire event and their first team assignment."""
    if leave_date is not None and leave_date < hire_date:
        raise ValidationError(_("The leave date cannot be before the hire date."))
    employee = Employee.objects.create(
        company=company or company_default(),
        employee_no=employee_no,
        name=name,
        hire_date=hire_date,
        role=role,
        team=team,
        department=department or (team.department if team else None),
        manager=manager,
        position=position,
        pay_grade=pay_grade,
        base_bonus=base_bonus,
        email=email,
        leave_date=leave_date,
    )
    EmployeeEvent.objects.create(
        employee=employee, kind=EmployeeEvent.Kind.HIRE, date=hire_date, to_team=team, to_value=role
    )
    if team is not None:
        TeamAssignment.objects.create(employee=employee, team=team, start=hire_date, end=leave_date)
    if leave_date is not None:
        EmployeeEvent.objects.create(
            employee=employee, kind=EmployeeEvent.Kind.LEAVE, date=leave_date, from_team=team
        )
    audit_record(
        actor=actor, action="employee.hire", obj=employee, after=snapshot(employee, EMPLOYEE_FIELDS)
    )
    after_hire_run(actor=actor, employee=employee)
    return employee


@transaction.atomic
def employee_update(
    *,
    actor,
    employee: Employee,
    effective: dt.date | None = None,
    leave_voluntary: bool | None = None,
    leave_reason: str = "",
    **changes,
) -> Employee:
    """Change an employee's record; a change of team, role, position or dates becomes history."""
    unknown = set(changes) - {f.removesuffix("_id") for f in EMPLOYEE_FIELDS} - set(EMPLOYEE_FIELDS)
    if unknown:
        raise TypeError(f"unknown employee fields: {sorted(unknown)}")
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    before = snapshot(employee, EMPLOYEE_FIELDS)
    old_team, old_role, old_position = employee.team, employee.role, employee.position
    old_leave, old_hire = employee.leave_date, employee.hire_date
    for name, value in changes.items():
        setattr(employee, name, value)
    if employee.leave_date is not None and employee.leave_date < employee.hire_date:
        raise ValidationError(_("The leave date cannot be before the hire date."))
    day = effective or timezone.localdate()
    employee.save()
    if employee.team_id != (old_team.pk if old_team else None):
        start = max(day, employee.hire_date)
        _assignment_open(employee, employee.team, start)
        EmployeeEvent.objects.create(
            employee=employee,
            kind=EmployeeEvent.Kind.TRANSFER,
            date=start,
            from_team=old_team,
            to_team=employee.team,
        )
    if employee.role != old_role:
        kind = (
            EmployeeEvent.Kind.PROMOTION
            if _role_rank(employee.role) > _role_rank(old_role)
            else EmployeeEvent.Kind.ROLE_CHANGE
        )
        EmployeeEvent.objects.create(
            employee=employee, kind=kind, date=day, from_value=old_role, to_value=employee.role
        )
    elif employee.position != old_position and old_position:
        EmployeeEvent.objects.create(
            employee=employee,
            kind=EmployeeEvent.Kind.PROMOTION,
            date=day,
            from_value=old_position,
            to_value=employee.position,
        )
    if employee.hire_date != old_hire:
        EmployeeEvent.objects.filter(employee=employee, kind=EmployeeEvent.Kind.HIRE).update(
            date=employee.hire_date
        )
        TeamAssignment.objects.filter(employee=employee, start=old_hire).update(
            start=employee.hire_date
        )
    if employee.leave_date != old_leave:
        _record_leave(employee, old_leave, voluntary=leave_voluntary, reason=leave_reason)
    audit_record(
        actor=actor,
        action="employee.update",
        obj=employee,
        before=before,
        after=snapshot(employee, EMPLOYEE_FIELDS),
    )
    return employee


def _record_leave(employee: Employee, old_leave, *, voluntary, reason) -> None:
    if old_leave is not None:
        EmployeeEvent.objects.filter(
            employee=employee, kind=EmployeeEvent.Kind.LEAVE, date=old_leave
        ).delete()
    if employee.leave_date is None:
        if old_leave is not None:
            EmployeeEvent.objects.create(
                employee=employee, kind=EmployeeEvent.Kind.REHIRE, date=old_leave
            )
        last = TeamAssignment.objects.filter(employee=employee).order_by("-start").first()
        if last and last.end == old_leave:
            last.end = None
            last.save(update_fields=["end"])
        return
    EmployeeEvent.objects.create(
        employee=employee,
        kind=EmployeeEvent.Kind.LEAVE,
        date=employee.leave_date,
        voluntary=voluntary,
        reason=reason,
        from_team=employee.team,
    )
    TeamAssignment.objects.filter(employee=employee).filter(
        Q(end__isnull=True) | Q(end__gt=employee.leave_date)
    ).update(end=employee.leave_date)
    # Saved one by one so that what listens to extension changes (call attribution) hears it.
    for extension in Extension.objects.filter(employee=employee).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=employee.leave_date)
    ):
        extension.valid_to = employee.leave_date
        extension.save(update_fields=["valid_to"])


_RANK = {Role.REP: 1, Role.STAFF: 1, Role.SUPERVISOR: 2, Role.HR: 2, Role.MANAGER: 3, Role.ADMIN: 3}


def _role_rank(role: str) -> int:
    return _RANK.get(role, 0)


def employee_leave(
    *, actor, employee: Employee, date: dt.date, voluntary: bool | None, reason: str = ""
) -> Employee:
    """Record that an employee leaves on `date` (their last day is the day before)."""
    return employee_update(
        actor=actor,
        employee=employee,
        leave_date=date,
        leave_voluntary=voluntary,
        leave_reason=reason,
    )


def employee_transfer(*, actor, employee: Employee, team: Team, date: dt.date) -> Employee:
    """Move an employee to another team; a rep reporting to the old team's supervisor now
    reports to the new team's supervisor, so scope follows the move."""
    changes: dict = {"team": team, "department": team.department}
    old_team = employee.team
    if (
        old_team is not None
        and old_team.supervisor_id
        and employee.manager_id == old_team.supervisor_id
        and team.supervisor_id
        and team.supervisor_id != employee.pk
    ):
        changes["manager"] = team.supervisor
    return employee_update(actor=actor, employee=employee, effective=date, **changes)


def employee_promote(
    *,
    actor,
    employee: Employee,
    date: dt.date,
    role: str | None = None,
    position: str | None = None,
    pay_grade: str | None = None,
) -> Employee:
    changes = {}
    if role is not None:
        changes["role"] = role
    if position is not None:
        changes["position"] = position
    if pay_grade is not None:
        changes["pay_grade"] = pay_grade
    employee = employee_update(actor=actor, employee=employee, effective=date, **changes)
    if (
        role is None
        and position is not None
        and not EmployeeEvent.objects.filter(
            employee=employee, kind=EmployeeEvent.Kind.PROMOTION, date=date
        ).exists()
    ):
        EmployeeEvent.objects.create(
            employee=employee, kind=EmployeeEvent.Kind.PROMOTION, date=date, to_value=position
        )
    return employee


def extension_conflict(
    number: str, valid_from: dt.date, valid_to: dt.date | None, *, exclude_employee=None
) -> Extension | None:
    """Another owner of the same extension over an overlapping date range, if any."""
    overlapping = Extension.objects.filter(number=number).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=valid_from)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lt=valid_to)
    if exclude_employee is not None:
        overlapping = overlapping.exclude(employee=exclude_employee)
    return overlapping.select_related("employee").first()


@transaction.atomic
def extension_assign(
    *, actor, employee: Employee, number: str, valid_from: dt.date, valid_to: dt.date | None = None
) -> Extension:
    """Give an extension to an employee for a date range; two owners may never overlap."""
    conflict = extension_conflict(number, valid_from, valid_to, exclude_employee=employee)
    if conflict is not None:
        raise ValidationError(
            _("Extension %(number)s already belongs to %(owner)s from %(start)s.")
            % {"number": number, "owner": conflict.employee, "start": conflict.valid_from}
        )
    existing = (
        Extension.objects.filter(employee=employee, number=number).order_by("valid_from").first()
    )
    if existing is not None:
        before = snapshot(existing)
        existing.valid_from, existing.valid_to = valid_from, valid_to
        existing.save()
        audit_record(
            actor=actor,
            action="extension.update",
            obj=existing,
            before=before,
            after=snapshot(existing),
        )
        return existing
    # A new number closes the employee's previous open extension the day it starts.
    # A new open-ended number replaces the employee's current one from the day it starts;
    # a number for a past period (mapped late) leaves the current one alone.
    if valid_to is None:
        for previous in Extension.objects.filter(
            employee=employee, valid_to__isnull=True, valid_from__lt=valid_from
        ):
            previous.valid_to = valid_from
            previous.save(update_fields=["valid_to"])
    extension = Extension.objects.create(
        employee=employee, number=number, valid_from=valid_from, valid_to=valid_to
    )
    audit_record(actor=actor, action="extension.assign", obj=extension, after=snapshot(extension))
    return extension


@transaction.atomic
def employee_login_create(*, actor, employee: Employee, username: str, password: str) -> object:
    """Give an employee a login; administrators also get the organisation admin."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("The username %(username)s is taken.") % {"username": username})
    is_admin = employee.role == Role.ADMIN
    user = User.objects.create_user(
        username=username,
        password=password,
        email=employee.email,
        first_name=employee.name,
        is_staff=is_admin,
        is_superuser=is_admin,
    )
    employee.user = user
    employee.save(update_fields=["user", "updated_at"])
    audit_record(actor=actor, action="employee.login", obj=employee, after={"user": username})
    return user


class AbsenceError(ValueError):
    pass


@transaction.atomic
def absence_record(
    *,
    actor,
    employee: Employee,
    start: dt.date,
    end: dt.date,
    kind: str = Absence.Kind.ANNUAL,
    note: str = "",
) -> Absence:
    """Leave of an employee over days they are employed; overlapping leave is refused."""
    if end < start:
        raise AbsenceError(_("The leave ends before it starts."))
    overlap = Absence.objects.filter(employee=employee, start__lte=end, end__gte=start).first()
    if overlap is not None:
        raise AbsenceError(
            _("%(employee)s already has leave from %(start)s to %(end)s.")
            % {"employee": employee, "start": overlap.start, "end": overlap.end}
        )
    absence = Absence.objects.create(employee=employee, start=start, end=end, kind=kind, note=note)
    audit_record(actor=actor, action="absence.record", obj=absence, after=snapshot(absence))
    return absence
