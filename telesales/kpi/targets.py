"""Attainment KPIs (PRODUCT.md §5): what a rep or team achieved of its target for the period.
The actual is counted exactly as the KPI of the same measure counts it; the target is the
daily plan of the period's days, so a month's target may come from a phased quarter. A team's
target is its own where it has one, else the sum of its reps' (§5); without a target for every
day of the period, or with a target of 0, attainment is not applicable."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, ratio
from telesales.org.scopes import KpiScope
from telesales.targets.actuals import actual_totals
from telesales.targets.capacity import Person, team_reps
from telesales.targets.models import Metric, Target
from telesales.targets.phasing import PlanBook

ATTAINMENTS: dict[str, str] = {
    "sales_attainment": Metric.SALES_AMOUNT,
    "key_product_attainment": Metric.KEY_PRODUCT_AMOUNT,
    "deals_won_attainment": Metric.DEALS_WON,
    "call_volume_attainment": Metric.CALL_VOLUME,
    "connected_calls_attainment": Metric.CONNECTED_CALLS,
    "effective_calls_attainment": Metric.EFFECTIVE_CALLS,
    "intent_customers_attainment": Metric.INTENT_CUSTOMERS,
}
TARGET_KPIS = tuple(ATTAINMENTS)


def _metrics_with_targets(period: Period) -> set[str]:
    """The metrics with some active target overlapping the period, in one query (the others
    need no plan)."""
    return set(
        Target.objects.filter(
            superseded_at__isnull=True, start__lte=period.end, end__gte=period.start
        )
        .values_list("metric", flat=True)
        .distinct()
    )


def scope_target(
    book: PlanBook,
    scope: KpiScope,
    period: Period,
    members: dict[int, dict[int, Person]] | None = None,
) -> Decimal | None:
    """The target of a rep or of the scope's teams for the period's days from the book; None
    when some day of the period, for the rep or for any of the teams, has no target.
    `members` (team → its reps in the period) may be given to share it between metrics."""
    if not scope.is_team:
        return book.employee_plan(scope.employee_id).total(period.start, period.end)
    total = Decimal(0)
    for team_id in scope.team_ids:
        reps = (
            members[team_id]
            if members is not None and team_id in members
            else team_reps(team_id, period.start, period.end)
        )
        part = book.team_plan(team_id, reps).total(period.start, period.end)
        if part is None:
            return None
        total += part
    return total


def target_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    """Actual / target of each measure with targets; the actual is kept when there is no
    target."""
    with_targets = _metrics_with_targets(period)
    members: dict[int, dict[int, Person]] = {}
    if scope.is_team and with_targets:
        members = {t: team_reps(t, period.start, period.end) for t in scope.team_ids}
    actuals = actual_totals(ATTAINMENTS.values(), scope, period.start, period.end)
    values: dict[str, KpiValue] = {}
    for code, metric in ATTAINMENTS.items():
        actual = actuals[metric]
        target = None
        if metric in with_targets:
            book = PlanBook(metric, period.start, period.end)
            target = scope_target(book, scope, period, members)
        values[code] = KpiValue(None, actual, None) if target is None else ratio(actual, target)
    return values


def _definition(code: str, label, formula) -> KpiDefinition:
    return KpiDefinition(code, label, formula, "rate", "targets")


kpi_register(
    "targets",
    target_kpis,
    [
        _definition(
            "sales_attainment",
            gettext_lazy("Sales attainment"),
            gettext_lazy("sales amount / sales target for the period"),
        ),
        _definition(
            "key_product_attainment",
            gettext_lazy("Key product attainment"),
            gettext_lazy("sales amount of key products / key-product target"),
        ),
        _definition(
            "deals_won_attainment",
            gettext_lazy("Deals won attainment"),
            gettext_lazy("deals won / deals-won target for the period"),
        ),
        _definition(
            "call_volume_attainment",
            gettext_lazy("Call volume attainment"),
            gettext_lazy("dialled calls / call-volume target for the period"),
        ),
        _definition(
            "connected_calls_attainment",
            gettext_lazy("Connected calls attainment"),
            gettext_lazy("connected calls / connected-calls target for the period"),
        ),
        _definition(
            "effective_calls_attainment",
            gettext_lazy("Effective calls attainment"),
            gettext_lazy("effective calls / effective-calls target for the period"),
        ),
        _definition(
            "intent_customers_attainment",
            gettext_lazy("Intent customers attainment"),
            gettext_lazy("intent customers / intent-customers target for the period"),
        ),
    ],
)
