"""What an appraisal is scored on (PRODUCT.md §5, §6): for one appraisee and period, each KPI
line's actual and target, and a preview of the scores in the shape of `appraisal compute
--json` (§8) that stores nothing.

A rep is scored on their own KPIs; a supervisor on the KPIs of the teams they lead (§5). A
line is not applicable (§6.3), with the reason stated, when the KPI has no value (a rate or
mean over nothing), when the registry does not compute it, when a ratio needs a target and
none exists, or when a rated KPI has no ratings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from telesales.appraisal import spec
from telesales.appraisal.schemes import RATED_KPIS, scheme_load
from telesales.appraisal.scoring import (
    KpiInput,
    Rating,
    SchemeResult,
    rated_value,
    round_score,
    scheme_score,
)
from telesales.core.periods import Period
from telesales.kpi.registry import kpis_compute
from telesales.kpi.targets import ATTAINMENTS, scope_target
from telesales.org.models import Employee, Role, Team
from telesales.org.scopes import KpiScope, scope_for_employee, scope_for_teams
from telesales.targets.models import Metric
from telesales.targets.phasing import PlanBook

# Curves whose score needs a target (a ratio); the others score the actual alone.
_RATIO_CURVES = ("linear", "linear_lower")


class PreviewError(ValueError):
    """A preview that cannot be made; the message is a full, translated sentence."""


@dataclass(frozen=True)
class AppraisalInput(KpiInput):
    """A KPI line's input with, when it is not applicable, the reason why, and the KPI's
    numerator and denominator (PRODUCT.md §5) when it has them."""

    reason: str = ""
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None


def appraisee_scope(employee: Employee) -> KpiScope:
    """Whose KPIs an appraisee is scored on: a supervisor's are those of the teams they lead
    (PRODUCT.md §5; no team when they lead none), anyone else's are their own."""
    if employee.role == Role.SUPERVISOR:
        teams = Team.objects.filter(supervisor=employee).order_by("code")
        return scope_for_teams(teams, f"supervisor:{employee.employee_no}")
    return scope_for_employee(employee)


def _needs_target(line: spec.KpiLine) -> bool:
    if line.curve in _RATIO_CURVES:
        return True
    return line.curve == "bands" and line.bands_on == "ratio"


def _missing(reason: str) -> AppraisalInput:
    return AppraisalInput(actual=None, target=None, reason=reason)


def _rated(
    employee: Employee, period: Period, line: spec.KpiLine, given: list[Rating]
) -> AppraisalInput:
    """A rated KPI's value from the appraisal's ratings (PRODUCT.md §5). A supervisor's
    report_quality also counts the quality ratings of their work reports due in the period,
    given by their superior (the rater group `superior`)."""
    ratings = list(given)
    if line.kpi == "report_quality" and employee.role == Role.SUPERVISOR:
        from telesales.people.workreports.selectors import quality_ratings

        ratings += [
            Rating(
                group="superior",
                rater_id=("workreport", item.rater_id),  # a login, not an employee id
                dimension="",
                score=Decimal(item.rating),
            )
            for item in quality_ratings(author_ids=[employee.pk], period=period)
        ]
    value = rated_value(ratings, line.rater_groups)
    if value is None:
        return _missing(_("no ratings yet"))
    return AppraisalInput(actual=value, target=None)


def scheme_inputs(
    scheme: spec.Scheme,
    employee: Employee,
    period: Period,
    ratings: dict[str, list[Rating]] | None = None,
) -> dict[str, KpiInput]:
    """Each KPI line's actual and target for the appraisee and period, from one computation
    of the catalogue for the appraisee's scope. The target is the line's own, else 1 for an
    attainment (already a ratio to its target), else the target of the targets app for the
    scope and period when the KPI is a measure with targets. A rated KPI's value comes from
    `ratings` (by KPI code: an appraisal's ratings, `ratings.appraisal_ratings`). Values are
    `AppraisalInput`s: a not-applicable line has actual None and its `reason`."""
    ratings = ratings or {}
    scope = appraisee_scope(employee)
    if scope.is_team and not scope.team_ids:
        reason = _("%(no)s leads no team.") % {"no": employee.employee_no}
        return {line.kpi: _missing(reason) for c in scheme.categories for line in c.kpis}
    computed = kpis_compute(scope, period)
    books: dict[str, PlanBook] = {}
    inputs: dict[str, KpiInput] = {}
    for category in scheme.categories:
        for line in category.kpis:
            inputs[line.kpi] = _line_input(
                line, employee, scope, period, computed, books, ratings.get(line.kpi, [])
            )
    return inputs


def _line_input(line, employee, scope, period, computed, books, ratings) -> AppraisalInput:
    if line.kpi in RATED_KPIS:
        return _rated(employee, period, line, ratings)
    value = computed.get(line.kpi)
    if value is None:
        return _missing(_("not computed yet"))
    if value.value is None:
        if line.kpi in ATTAINMENTS:
            return _missing(_("no target for the period"))
        return _missing(_("no data in the period"))
    actual = Decimal(value.value)
    target = line.target
    if target is None and line.kpi in ATTAINMENTS:
        target = Decimal(1)
    elif target is None and line.kpi in Metric.values:
        if line.kpi not in books:
            books[line.kpi] = PlanBook(line.kpi, period.start, period.end)
        target = scope_target(books[line.kpi], scope, period)
    if _needs_target(line):
        if target is None:
            return _missing(_("no target for the period"))
        if target == 0 and line.curve != "linear_lower":
            return AppraisalInput(actual=None, target=target, reason=_("the target is 0"))
    return AppraisalInput(
        actual=actual, target=target, numerator=value.numerator, denominator=value.denominator
    )


# --- the preview (PRODUCT.md §8 shape) ------------------------------------------------------


def _number(value: Decimal | None):
    """A weight, actual or target as JSON: an integer when whole, else a float."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _score(value: Decimal | None) -> float | None:
    return None if value is None else float(round_score(value))


def preview_json(
    scheme: spec.Scheme, employee: Employee, inputs: dict[str, KpiInput], result: SchemeResult
) -> dict:
    """One appraisee's scores in the shape of `appraisal compute --json` (§8), status
    "preview", with each KPI's not-applicable reason and the redistributions."""
    return {
        "employee_no": employee.employee_no,
        "name": employee.name,
        "scheme": scheme.code,
        "status": "preview",
        "total": _score(result.total),
        "grade": result.grade,
        "categories": [
            {
                "code": c.code,
                "weight": _number(c.weight),
                "effective_weight": _number(c.effective_weight),
                "score": _score(c.score),
            }
            for c in result.categories
        ],
        "kpis": [
            {
                "kpi": k.kpi,
                "category": k.category,
                "actual": _number(k.actual),
                "target": _number(k.target),
                "score": _score(k.score),
                "applicable": k.applicable,
                "weight": _number(k.weight),
                "effective_weight": _number(k.effective_weight),
                "reason": None if k.applicable else _reason(inputs.get(k.kpi), k),
                "numerator": _number(getattr(inputs.get(k.kpi), "numerator", None)),
                "denominator": _number(getattr(inputs.get(k.kpi), "denominator", None)),
            }
            for k in result.kpis
        ],
        "redistributions": [
            {
                "level": r.level,
                "category": r.category,
                "source": r.source,
                "rule": r.rule,
                "weight": _number(r.weight),
                "shares": [{"to": code, "weight": _number(share)} for code, share in r.shares],
                "score": _score(r.score),
            }
            for r in result.redistributions
        ],
    }


def _reason(given: KpiInput | None, kpi) -> str:
    reason = getattr(given, "reason", "")
    if reason:
        return reason
    if kpi.target is not None and kpi.target == 0:
        return _("the target is 0")
    return _("no data in the period")


def appraisal_preview(*, scheme_code: str, employee: Employee, period: Period) -> dict:
    """The scores the appraisee would get on the scheme for the period from today's data,
    stored nowhere. SchemeNotFound for an unknown scheme; PreviewError when the scheme is
    for another role than the appraisee's."""
    scheme = scheme_load(scheme_code)
    if employee.role != scheme.applies_to:
        raise PreviewError(
            _("Scheme %(scheme)s is for the role %(role)s; %(no)s is not in that role.")
            % {"scheme": scheme.code, "role": scheme.applies_to, "no": employee.employee_no}
        )
    return appraisal_score(scheme, employee, period)


def appraisal_score(
    scheme, employee: Employee, period: Period, ratings: dict[str, list[Rating]] | None = None
) -> dict:
    """The scores of one appraisee on the scheme for the period from today's data and the
    given ratings, whatever their role today: an appraisal opened for them keeps its scheme
    when they change role."""
    inputs = scheme_inputs(scheme, employee, period, ratings)
    result = scheme_score(scheme, inputs)
    return preview_json(scheme, employee, inputs, result)
