"""`telesales import employees` (PRODUCT.md §7 employees)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.org import access
from telesales.org.models import Department, Employee, Role, Team
from telesales.org.services import (
    company_default,
    department_ensure,
    employee_hire,
    employee_update,
    extension_assign,
    extension_conflict,
    team_ensure,
    team_set_supervisor,
)


def _choice_map(choices) -> dict[str, str]:
    """Codes and their labels in every language → code."""
    mapping: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                mapping[str(label).strip().lower()] = value
    for value, _label in choices:
        mapping[value] = value
    return mapping


@functools.cache
def _role_names() -> dict[str, str]:
    """Built once: role codes and labels in every language, for every row of every file."""
    return _choice_map(Role.choices)


@dataclass(frozen=True)
class EmployeeRow:
    employee_no: str
    name: str
    team: str | None
    role: str
    manager_no: str | None
    hire_date: dt.date
    leave_date: dt.date | None
    leave_date_given: bool
    extension: str | None
    email: str | None
    pay_grade: str | None
    department: str | None
    position: str | None
    base_bonus: Decimal | None


def _optional(row: dict[str, str], key: str) -> str | None:
    """None when the column is absent from the file: an update then keeps the stored value."""
    value = row.get(key)
    return None if value is None else value.strip()


def _limited(row: dict[str, str], key: str, max_length: int) -> str | None:
    value = _optional(row, key)
    return None if value is None else fields.text(value, key, max_length=max_length)


class EmployeeImporter(Importer):
    kind = "employees"
    label = gettext_lazy("Employees")
    master_data = True
    description = gettext_lazy(
        "One row per employee. A team that does not exist yet is created; a supervisor leads "
        "the team in their team column; manager_no may name any row of the file."
    )
    columns = (
        Column("employee_no", gettext_lazy("Employee number")),
        Column("name", gettext_lazy("Name")),
        Column("team", gettext_lazy("Team"), required=False),
        Column(
            "role",
            gettext_lazy("Role"),
            help=gettext_lazy("rep, supervisor, manager, hr, staff or admin"),
        ),
        Column("manager_no", gettext_lazy("Manager number"), required=False),
        Column("hire_date", gettext_lazy("Hire date")),
        Column("leave_date", gettext_lazy("Leave date"), required=False),
        Column("extension", gettext_lazy("Extension"), required=False),
        Column("email", gettext_lazy("Email"), required=False),
        Column("pay_grade", gettext_lazy("Pay grade"), required=False),
        Column("department", gettext_lazy("Department"), required=False),
        Column("position", gettext_lazy("Position"), required=False),
        Column("base_bonus", gettext_lazy("Base bonus"), required=False),
    )

    def allowed(self, user) -> bool:
        return access.can_manage_people(user)

    def example_row(self) -> list[str]:
        return [
            "E001",
            "张伟",
            "T1",
            "rep",
            "",
            "2026-01-05",
            "",
            "8001",
            "",
            "P3",
            "sales",
            "",
            "",
        ]

    def parse(self, row: dict[str, str]) -> EmployeeRow:
        roles = _role_names()
        employee_no = fields.text(row["employee_no"], "employee_no", required=True, max_length=40)
        hire_date = fields.date(row["hire_date"], "hire_date", required=True)
        leave_date = fields.date(row.get("leave_date") or "", "leave_date")
        if leave_date is not None and leave_date < hire_date:
            raise RowError("leave_date", _("The leave date is before the hire date."))
        manager_no = _optional(row, "manager_no")
        if manager_no and manager_no == employee_no:
            raise RowError("manager_no", _("An employee cannot be their own manager."))
        email = _limited(row, "email", 254)
        if email and ("@" not in email or " " in email):
            raise RowError("email", _("“%(value)s” is not an email address.") % {"value": email})
        extension = _optional(row, "extension")
        if extension and (len(extension) > 40 or not extension.replace("-", "").isalnum()):
            raise RowError(
                "extension",
                _("“%(value)s” is not an extension or agent id.") % {"value": extension},
            )
        bonus = row.get("base_bonus")
        base_bonus = (
            None if bonus is None else fields.decimal(bonus, "base_bonus", minimum=Decimal(0))
        )
        if base_bonus is not None and base_bonus.as_tuple().exponent < -2:
            raise RowError("base_bonus", _("An amount has at most two decimal places."))
        return EmployeeRow(
            employee_no=employee_no,
            name=fields.text(row["name"], "name", required=True, max_length=100),
            team=_limited(row, "team", 40),
            role=fields.choice(row["role"], "role", roles),
            manager_no=manager_no,
            hire_date=hire_date,
            leave_date=leave_date,
            leave_date_given="leave_date" in row,  # an absent column keeps stored leave dates
            extension=extension,
            email=email,
            pay_grade=_limited(row, "pay_grade", 20),
            department=_limited(row, "department", 40),
            position=_limited(row, "position", 100),
            base_bonus=base_bonus,
        )

    def store(self, batch, ctx: StoreContext) -> None:
        # Managers may be named by later rows, so every row is held until finish().
        ctx.state.setdefault("rows", []).extend(batch)

    def finish(self, ctx: StoreContext) -> None:
        rows: list[tuple[int, EmployeeRow]] = ctx.state.get("rows", [])
        result = ctx.result
        seen: dict[str, int] = {}
        accepted: list[tuple[int, EmployeeRow]] = []
        for line, row in rows:
            if row.employee_no in seen:
                result.reject(
                    line,
                    "employee_no",
                    _("Employee %(no)s already appears on line %(line)s of this file.")
                    % {"no": row.employee_no, "line": seen[row.employee_no]},
                )
                continue
            seen[row.employee_no] = line
            accepted.append((line, row))
        existing = {e.employee_no: e for e in Employee.objects.select_related("team", "user")}
        valid = self._without_extension_conflicts(accepted, existing, result)
        # A row whose manager is neither stored nor a valid row of this file is rejected;
        # rejecting it may orphan another row, so repeat until nothing changes.
        while True:
            in_file = {row.employee_no for _line, row in valid}
            orphans = [
                (line, row)
                for line, row in valid
                if row.manager_no
                and row.manager_no not in in_file
                and row.manager_no not in existing
            ]
            if not orphans:
                break
            for line, row in orphans:
                result.reject(
                    line,
                    "manager_no",
                    _("No employee %(no)s exists in this file or in the system.")
                    % {"no": row.manager_no},
                )
            valid = [item for item in valid if item not in orphans]
        company = company_default()
        by_no: dict[str, Employee] = dict(existing)
        for line, row in valid:
            try:
                by_no[row.employee_no] = self._store_row(
                    row, by_no.get(row.employee_no), company, ctx
                )
            except ValidationError as error:
                result.reject(line, "employee_no", " ".join(error.messages))
        self._link(valid, by_no, ctx)

    def _without_extension_conflicts(self, rows, existing, result) -> list[tuple[int, EmployeeRow]]:
        """Two owners of one extension may not overlap, whether stored or in this file."""
        taken: dict[str, list[tuple[dt.date, dt.date | None, int]]] = {}
        valid = []
        for line, row in rows:
            if row.extension:
                conflict = extension_conflict(
                    row.extension,
                    row.hire_date,
                    row.leave_date,
                    exclude_employee=existing.get(row.employee_no),
                )
                if conflict is not None:
                    result.reject(
                        line,
                        "extension",
                        _("Extension %(number)s already belongs to %(owner)s.")
                        % {"number": row.extension, "owner": conflict.employee},
                    )
                    continue
                clash = next(
                    (
                        other
                        for start, end, other in taken.get(row.extension, [])
                        if (end is None or end > row.hire_date)
                        and (row.leave_date is None or row.leave_date > start)
                    ),
                    None,
                )
                if clash is not None:
                    result.reject(
                        line,
                        "extension",
                        _(
                            "Extension %(number)s is also given on line %(line)s of this file for the same dates."
                        )
                        % {"number": row.extension, "line": clash},
                    )
                    continue
                taken.setdefault(row.extension, []).append((row.hire_date, row.leave_date, line))
            valid.append((line, row))
        return valid

    def _department(self, row: EmployeeRow, company, ctx) -> Department | None:
        if not row.department:
            return None
        kinds = _choice_map(Department.Kind.choices)
        kind = kinds.get(row.department.lower(), Department.Kind.OTHER)
        found = Department.objects.filter(company=company, code__iexact=row.department).first() or (
            Department.objects.filter(company=company, name=row.department).first()
        )
        return found or department_ensure(
            actor=ctx.actor, company=company, code=row.department, kind=kind
        )

    def _team(self, row: EmployeeRow, department, company, ctx) -> Team | None:
        if not row.team:
            return None
        team = (
            Team.objects.filter(code=row.team).first() or Team.objects.filter(name=row.team).first()
        )
        if team:
            return team
        department = department or department_ensure(
            actor=ctx.actor,
            company=company,
            code="sales",
            name=_("Sales"),
            kind=Department.Kind.SALES,
        )
        return team_ensure(actor=ctx.actor, code=row.team, department=department)

    def _store_row(self, row: EmployeeRow, current: Employee | None, company, ctx) -> Employee:
        department = self._department(row, company, ctx)
        team = self._team(row, department, company, ctx)
        if current is None:
            employee = employee_hire(
                actor=ctx.actor,
                company=company,
                employee_no=row.employee_no,
                name=row.name,
                hire_date=row.hire_date,
                leave_date=row.leave_date,
                role=row.role,
                team=team,
                department=department,
                position=row.position or "",
                pay_grade=row.pay_grade or "",
                base_bonus=row.base_bonus,
                email=row.email or "",
            )
            ctx.result.stored += 1
            ctx.state.setdefault("new", set()).add(employee.pk)
            return employee
        # Absent columns and empty optional cells keep what is stored.
        changes: dict = {"name": row.name, "role": row.role, "hire_date": row.hire_date}
        if row.leave_date_given:
            changes["leave_date"] = row.leave_date
        if row.team is not None:
            changes["team"] = team
        for key in ("email", "pay_grade", "position"):
            value = getattr(row, key)
            if value is not None:
                changes[key] = value
        if department is not None:
            changes["department"] = department
        if row.base_bonus is not None:
            changes["base_bonus"] = row.base_bonus
        differs = {k: v for k, v in changes.items() if getattr(current, k) != v}
        if differs:
            employee = employee_update(actor=ctx.actor, employee=current, **differs)
            ctx.state.setdefault("changed", set()).add(employee.pk)
            return employee
        return current

    def _link(self, valid, by_no: dict[str, Employee], ctx: StoreContext) -> None:
        """Second pass: managers, team leadership and extensions, then the counts."""
        changed: set[int] = ctx.state.setdefault("changed", set())
        new: set[int] = ctx.state.setdefault("new", set())
        for line, row in valid:
            employee = by_no.get(row.employee_no)
            if employee is None:
                continue
            if row.manager_no is not None:
                manager = by_no.get(row.manager_no) if row.manager_no else None
                if employee.manager_id != (manager.pk if manager else None):
                    employee_update(actor=ctx.actor, employee=employee, manager=manager)
                    changed.add(employee.pk)
            if row.role == Role.SUPERVISOR and employee.team_id:
                team = Team.objects.get(pk=employee.team_id)
                if team.supervisor_id != employee.pk:
                    team_set_supervisor(actor=ctx.actor, team=team, supervisor=employee)
                    changed.add(employee.pk)
            if row.extension:
                employee.refresh_from_db(fields=["leave_date"])
                ext = employee.extensions.filter(number=row.extension).first()
                if (
                    ext is None
                    or ext.valid_from != row.hire_date
                    or ext.valid_to != employee.leave_date
                ):
                    try:
                        extension_assign(
                            actor=ctx.actor,
                            employee=employee,
                            number=row.extension,
                            valid_from=row.hire_date,
                            valid_to=employee.leave_date,
                        )
                    except ValidationError as error:
                        ctx.result.reject(line, "extension", " ".join(error.messages))
                    else:
                        changed.add(employee.pk)
            if employee.pk not in new:
                if employee.pk in changed:
                    ctx.result.updated += 1
                else:
                    ctx.result.duplicates += 1
