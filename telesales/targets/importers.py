"""`telesales import targets` (PRODUCT.md §7): one target per row, for the company, a team or
an employee, a year, quarter or month, and one metric. A target that differs from the stored
one becomes its new version and the old one is kept."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.imports import fields
from telesales.core.imports.base import Column, Importer, RowError, StoreContext
from telesales.core.periods import PeriodError, period_parse
from telesales.org.access import user_role
from telesales.org.models import Employee, Role, Team
from telesales.targets.arithmetic import CENT, SplitError
from telesales.targets.models import AMOUNT_METRICS, Method, Metric
from telesales.targets.selectors import can_set_target
from telesales.targets.services import MAX_VALUE, target_set

COMPANY = "company"
TEAM_PREFIX = "team:"
COMPANY_NAMES = {"company", "公司", "全公司", "本公司"}
TARGET_PERIOD_KINDS = {"year", "quarter", "month"}
# The roles that may set some target (PRODUCT.md §2); which rows each may set is
# can_set_target's answer, row by row.
IMPORTING_ROLES = {Role.ADMIN, Role.HR, Role.MANAGER, Role.SUPERVISOR}
# The names of PRODUCT.md §5 in both scripts, and common shorter ones.
METRIC_ALIASES = {
    Metric.SALES_AMOUNT: ("销售额", "銷售額", "销售金额", "銷售金額", "业绩", "業績"),
    Metric.KEY_PRODUCT_AMOUNT: (
        "重点产品销售额",
        "重點產品銷售額",
        "重点产品",
        "重點產品",
    ),
    Metric.DEALS_WON: ("成交单数", "成交單數", "成交数", "成交數"),
    Metric.CALL_VOLUME: ("通话量", "通話量", "外呼量"),
    Metric.CONNECTED_CALLS: ("接通数", "接通數"),
    Metric.EFFECTIVE_CALLS: ("有效通话数", "有效通話數", "有效通话", "有效通話"),
    Metric.INTENT_CUSTOMERS: ("意向客户数", "意向客戶數", "意向客户", "意向客戶"),
}


def _key(text: str) -> str:
    """A name compared without case, spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-]", "", text.strip().lower())


@cache
def metric_names() -> dict[str, str]:
    """Every way a metric may be written → its code: the code, its label in each language,
    and the Chinese names."""
    names: dict[str, str] = {}
    for metric in Metric:
        names[_key(metric.value)] = metric.value
        for alias in METRIC_ALIASES.get(metric, ()):
            names[_key(alias)] = metric.value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names[_key(str(metric.label))] = metric.value
    return names


@dataclass(frozen=True)
class TargetRow:
    scope: str  # "company", "team:T1", or an employee number or team code as written
    period: str  # 2026, 2026-Q3 or 2026-07
    metric: str
    target: Decimal


def _scope(text: str) -> str:
    scope = fields.text(text, "scope", required=True, max_length=45)
    if scope.lower() in COMPANY_NAMES:
        return COMPANY
    if scope.lower().startswith(TEAM_PREFIX):
        code = scope[len(TEAM_PREFIX) :].strip()
        if not code:
            raise RowError("scope", _("Write the team's code after team:, for example team:T1."))
        return TEAM_PREFIX + code
    return scope


def _period(text: str) -> str:
    value = fields.text(text, "period", required=True, max_length=20)
    try:
        period = period_parse(value)
    except PeriodError:
        period = None
    if period is None or period.kind not in TARGET_PERIOD_KINDS:
        raise RowError(
            "period",
            _("“%(value)s” is not a year, a quarter or a month; write 2026, 2026-Q3 or 2026-07.")
            % {"value": value},
        )
    return period.code


def _metric(text: str) -> str:
    value = fields.text(text, "metric", required=True, max_length=60)
    metric = metric_names().get(_key(value))
    if metric is None:
        raise RowError(
            "metric",
            _("“%(value)s” is not a metric with targets; write one of: %(metrics)s.")
            % {"value": value, "metrics": ", ".join(Metric.values)},
        )
    return metric


def _target(text: str, metric: str) -> Decimal:
    value = fields.decimal(text, "target", required=True)
    if value < 0:
        raise RowError("target", _("A target cannot be negative."))
    if value != value.quantize(CENT):
        raise RowError("target", _("A target has at most two decimal places."))
    if metric not in AMOUNT_METRICS and value != value.to_integral_value():
        raise RowError(
            "target",
            _("A target for %(metric)s is a whole number; %(value)s has decimals.")
            % {"metric": Metric(metric).label, "value": value},
        )
    if value >= MAX_VALUE:
        raise RowError("target", _("The target is too large."))
    return value.quantize(CENT)


class TargetImporter(Importer):
    """Targets by scope, period and metric: the same target again is a duplicate, a different
    one is stored as the new version (counted as updated)."""

    kind = "targets"
    label = gettext_lazy("Targets")
    master_data = True
    description = gettext_lazy(
        "One row per target. The scope is an employee number, a team code (or team:CODE) or "
        "company (公司); the period is a year (2026), a quarter (2026-Q3) or a month "
        "(2026-07); the metric is a code such as sales_amount or key_product_amount, or its "
        "name (销售额). Amounts have at most two decimals; counts are whole numbers. You can "
        "only set the targets you may set in the targets page."
    )
    columns = (
        Column(
            "scope",
            gettext_lazy("Scope"),
            aliases=("范围", "範圍", "对象", "對象", "目标对象", "目標對象"),
            help=gettext_lazy("An employee number, a team code, or company (公司)."),
        ),
        Column(
            "period",
            gettext_lazy("Period"),
            aliases=("期间", "期間", "周期", "週期"),
            help=gettext_lazy("2026, 2026-Q3 or 2026-07."),
        ),
        Column(
            "metric",
            gettext_lazy("Metric"),
            aliases=("指标", "指標"),
            help=gettext_lazy("sales_amount, key_product_amount, deals_won, call_volume, …"),
        ),
        Column(
            "target",
            gettext_lazy("Target"),
            aliases=("目标", "目標", "目标值", "目標值"),
        ),
    )

    def allowed(self, user) -> bool:
        return user_role(user) in IMPORTING_ROLES

    def example_row(self) -> list[str]:
        return ["T1", "2026-Q3", "sales_amount", "300000"]

    def parse(self, row: dict[str, str]) -> TargetRow:
        metric = _metric(row.get("metric") or "")
        return TargetRow(
            scope=_scope(row.get("scope") or ""),
            period=_period(row.get("period") or ""),
            metric=metric,
            target=_target(row.get("target") or "", metric),
        )

    def store(self, batch, ctx: StoreContext) -> None:
        user = ctx.actor if getattr(ctx.actor, "pk", None) else None
        codes = {row.scope.removeprefix(TEAM_PREFIX) for _line, row in batch}
        employees = {e.employee_no: e for e in Employee.objects.filter(employee_no__in=codes)}
        teams = {t.code: t for t in Team.objects.filter(code__in=codes)}
        seen: dict[tuple, int] = ctx.state.setdefault("seen", {})
        for line, row in batch:
            try:
                team, employee = _resolve(row, employees, teams, user)
            except RowError as error:
                ctx.result.reject(line, error.column, error.reason)
                continue
            key = (team and team.pk, employee and employee.pk, row.period, row.metric)
            if key in seen:
                ctx.result.reject(
                    line,
                    "scope",
                    _(
                        "The %(metric)s target of %(scope)s for %(period)s already appears on "
                        "line %(line)s of this file."
                    )
                    % {
                        "metric": row.metric,
                        "scope": row.scope,
                        "period": row.period,
                        "line": seen[key],
                    },
                )
                continue
            seen[key] = line
            try:
                _stored, outcome = target_set(
                    actor=ctx.actor,
                    metric=row.metric,
                    period=row.period,
                    value=row.target,
                    team=team,
                    employee=employee,
                    method=Method.IMPORTED,
                )
            except SplitError as error:
                ctx.result.reject(line, "target", str(error))
                continue
            if outcome == "stored":
                ctx.result.stored += 1
            elif outcome == "updated":
                ctx.result.updated += 1
            else:
                ctx.result.duplicates += 1


def _resolve(
    row: TargetRow, employees: dict[str, Employee], teams: dict[str, Team], user
) -> tuple[Team | None, Employee | None]:
    """The team or employee a row's scope names, among those the user may set targets of
    (all of them on the command line without --user); the others are as if they did not
    exist, so that a file cannot probe outside the user's scope."""
    if row.scope == COMPANY:
        if user is not None and not can_set_target(user):
            raise RowError("scope", _("You may not set the company's targets."))
        return None, None
    code = row.scope.removeprefix(TEAM_PREFIX)
    candidates: list[tuple[Team | None, Employee | None]] = []
    if not row.scope.startswith(TEAM_PREFIX) and code in employees:
        candidates.append((None, employees[code]))
    if code in teams:
        candidates.append((teams[code], None))
    if user is not None:
        candidates = [
            (team, employee)
            for team, employee in candidates
            if can_set_target(user, team=team, employee=employee)
        ]
    if not candidates:
        raise RowError(
            "scope",
            _("“%(scope)s” is not an employee number or a team code whose targets you may set.")
            % {"scope": row.scope},
        )
    if len(candidates) > 1:
        raise RowError(
            "scope",
            _(
                "“%(code)s” is both an employee number and a team code; write "
                "team:%(code)s for the team's target."
            )
            % {"code": code},
        )
    team, employee = candidates[0]
    if employee is not None:
        period = period_parse(row.period)
        if employee.hire_date > period.end or (
            employee.leave_date is not None and employee.leave_date <= period.start
        ):
            raise RowError(
                "scope",
                _("%(no)s is not employed on any day of %(period)s.")
                % {"no": employee.employee_no, "period": row.period},
            )
    return team, employee
