"""Who a KPI is about: one employee, or teams (their reps, by each rep's team on each date)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


class ScopeError(ValueError):
    pass


@dataclass(frozen=True)
class KpiScope:
    code: str  # E001 or team:T1
    employee_id: int | None = None
    team_ids: tuple[int, ...] = ()
    label: str = ""

    @property
    def is_team(self) -> bool:
        return self.employee_id is None


def scope_for_employee(employee) -> KpiScope:
    return KpiScope(employee.employee_no, employee_id=employee.pk, label=str(employee))


def scope_for_teams(teams, code: str = "") -> KpiScope:
    teams = list(teams)
    code = code or "team:" + ",".join(t.code for t in teams)
    return KpiScope(
        code, team_ids=tuple(t.pk for t in teams), label=", ".join(str(t) for t in teams)
    )


def scope_parse(text: str, user=None) -> KpiScope:
    """E001 (an employee number), team:T1, or supervisor:E010 (the teams they lead). With a
    user, anything outside the user's scope is refused as if it did not exist."""
    from telesales.org.access import employees_visible_to, teams_visible_to
    from telesales.org.models import Employee, Team

    text = (text or "").strip()
    employees = employees_visible_to(user) if user is not None else Employee.objects.all()
    teams = teams_visible_to(user) if user is not None else Team.objects.all()
    if text.startswith("team:"):
        team = teams.filter(code=text[5:]).first()
        if team is None:
            raise ScopeError(_("There is no team %(code)s.") % {"code": text[5:]})
        return scope_for_teams([team], text)
    if text.startswith("supervisor:"):
        supervisor = employees.filter(employee_no=text[11:]).first()
        led = list(teams.filter(supervisor=supervisor)) if supervisor else []
        if not led:
            raise ScopeError(_("%(no)s leads no team.") % {"no": text[11:]})
        return scope_for_teams(led, text)
    employee = employees.filter(employee_no=text).first()
    if employee is None:
        raise ScopeError(
            _(
                "There is no employee %(no)s; give an employee number, team:CODE or "
                "supervisor:NUMBER."
            )
            % {"no": text}
        )
    return scope_for_employee(employee)
