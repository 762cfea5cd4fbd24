"""What was achieved against a target, day by day, counted exactly as the KPI of the same
code counts it (PRODUCT.md §5): deals by closed_on with refunds subtracted, outbound calls
from the daily roll-ups, intent customers by intent_on; a team by its reps on each date.

Each metric is an aggregate over one of three sources (deals, call roll-ups, customers), so
the totals of several metrics cost one query per source."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Aggregate, Case, Count, DecimalField, F, Q, QuerySet, Sum, When

from telesales.org.membership import in_scope
from telesales.org.scopes import KpiScope
from telesales.targets.models import Metric

ZERO = Decimal(0)
CALLS, CUSTOMERS, DEALS = "calls", "customers", "deals"
_CALL_FIELDS = {
    Metric.CALL_VOLUME: "out_calls",
    Metric.CONNECTED_CALLS: "out_connected",
    Metric.EFFECTIVE_CALLS: "out_effective",
}


def _source_of(metric: str) -> str:
    if metric in _CALL_FIELDS:
        return CALLS
    return CUSTOMERS if metric == Metric.INTENT_CUSTOMERS else DEALS


def _source(source: str, start: dt.date, end: dt.date) -> tuple[QuerySet, str, str]:
    """The rows of a source between the dates: (queryset, employee field, date field)."""
    if source == CALLS:
        from telesales.calls.models import CallDay

        return CallDay.objects.filter(day__gte=start, day__lte=end), "employee", "day"
    if source == CUSTOMERS:
        from telesales.crm.models import Customer

        rows = Customer.objects.filter(
            intent_on__gte=start, intent_on__lte=end, merged_into__isnull=True
        )
        return rows, "owner", "intent_on"
    from telesales.sales.models import Deal

    return Deal.objects.filter(closed_on__gte=start, closed_on__lte=end), "employee", "closed_on"


def _aggregate(metric: str) -> Aggregate:
    """The metric over a group of its source's rows."""
    if metric in _CALL_FIELDS:
        return Sum(_CALL_FIELDS[metric])
    if metric == Metric.INTENT_CUSTOMERS:
        return Count("id")
    from telesales.sales.models import Deal

    if metric == Metric.DEALS_WON:
        return Count("id", filter=Q(status=Deal.Status.WON))
    signed = Case(
        When(status=Deal.Status.REFUNDED, then=-F("amount")),
        default=F("amount"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    if metric == Metric.KEY_PRODUCT_AMOUNT:
        return Sum(signed, filter=Q(product__key_product=True))
    return Sum(signed)


def _scoped(source: str, scope: KpiScope, start: dt.date, end: dt.date) -> tuple[QuerySet, str]:
    rows, employee, on = _source(source, start, end)
    if source == CALLS and scope.is_team:
        # The roll-ups carry each rep's team and role of the day (as the call KPIs read them).
        return rows.filter(team_id__in=scope.team_ids, rep=True), on
    return rows.filter(in_scope(scope, employee=employee, on=on)), on


def _number(value) -> Decimal:
    return Decimal(value or 0)


def actual_totals(metrics, scope: KpiScope, start: dt.date, end: dt.date) -> dict[str, Decimal]:
    """{metric: actual} of the scope between the dates, one query per source."""
    by_source: dict[str, list[str]] = defaultdict(list)
    for metric in metrics:
        by_source[_source_of(metric)].append(metric)
    totals: dict[str, Decimal] = {}
    for source, wanted in by_source.items():
        rows, _on = _scoped(source, scope, start, end)
        sums = rows.aggregate(**{m: _aggregate(m) for m in wanted})
        totals.update({m: _number(sums[m]) for m in wanted})
    return totals


def actual_total(metric: str, scope: KpiScope, start: dt.date, end: dt.date) -> Decimal:
    return actual_totals([metric], scope, start, end)[metric]


def actual_by_day(metric: str, scope: KpiScope, start: dt.date, end: dt.date) -> dict:
    """{date: actual} for the days with something, in one query."""
    rows, on = _scoped(_source_of(metric), scope, start, end)
    return {
        row[on]: _number(row["total"])
        for row in rows.values(on).annotate(total=_aggregate(metric)).order_by(on)
    }


def _of_employees(metric: str, employee_ids, start: dt.date, end: dt.date):
    rows, employee, on = _source(_source_of(metric), start, end)
    key = f"{employee}_id"
    return rows.filter(**{f"{key}__in": list(employee_ids)}), key, on


def actual_by_employee_day(
    metric: str, employee_ids, start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, Decimal]]:
    """{employee: {date: actual}} for the given people, in one query."""
    rows, key, on = _of_employees(metric, employee_ids, start, end)
    result: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for row in rows.values(key, on).annotate(total=_aggregate(metric)).order_by():
        result[row[key]][row[on]] = _number(row["total"])
    return result


def actual_by_employee(metric: str, employee_ids, start: dt.date, end: dt.date) -> dict:
    """{employee: total} for the given people, in one query."""
    rows, key, _on = _of_employees(metric, employee_ids, start, end)
    return {
        row[key]: _number(row["total"])
        for row in rows.values(key).annotate(total=_aggregate(metric)).order_by()
    }
