"""Helpers shared by the tests of the annual summary and the use of results: a published
quarterly appraisal with a hand-made result, built through the real services."""

from __future__ import annotations

from decimal import Decimal

from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import Appraisal
from telesales.appraisal.publication import snapshot_take
from telesales.org.models import Role


def kpi(code: str, score, *, category: str = "results", applicable: bool = True) -> dict:
    return {"kpi": code, "category": category, "score": score, "applicable": applicable}


def appraisal_of(org, employee, period: str) -> Appraisal:
    scheme = "supervisor-default" if employee.role == Role.SUPERVISOR else "rep-default"
    cycle, _ = appraisal_open(actor=org.hr.user, scheme_code=scheme, period_code=period)
    return cycle.appraisals.get(employee=employee)


def publish(org, employee, period: str, total, grade: str, kpis=None, categories=None):
    """The employee's appraisal of the quarter, published with this result (a fixture
    shortcut for the status; the snapshot is taken by the real `snapshot_take`)."""
    appraisal = appraisal_of(org, employee, period)
    Appraisal.objects.filter(pk=appraisal.pk).update(status="published")
    appraisal.refresh_from_db()
    snapshot_take(
        actor=org.hr.user,
        appraisal=appraisal,
        data={
            "employee_no": employee.employee_no,
            "name": employee.name,
            "scheme": appraisal.cycle.scheme.code,
            "total": total,
            "grade": grade,
            "kpis": kpis if kpis is not None else [kpi("sales_attainment", total)],
            "categories": (
                categories if categories is not None else [{"code": "results", "score": total}]
            ),
        },
    )
    return appraisal


def base_bonus(employee, amount) -> None:
    type(employee).objects.filter(pk=employee.pk).update(
        base_bonus=None if amount is None else Decimal(amount)
    )
