"""What was achieved against a target, day by day, counted exactly as the KPI of the same
code counts it (PRODUCT.md §5): deals by closed_on with refunds subtracted, outbound calls
from the daily roll-ups, intent customers by intent_on; a team by its reps on each date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, When

from telesales.org.membership import in_scope
from telesales.org.scopes import KpiScope
from telesales.targets.models import Metric

ZERO = Decimal(0)
_CALL_FIELDS = {
    Metric.CALL_VOLUME: "out_calls",
    Metric.CONNECTED_CALLS: "out_connected",
    Metric.EFFECTIVE_CALLS: "out_effective",
}


def _rows(metric: str, start: dt.date, end: dt.date) -> tuple[QuerySet, str, str, object]:
    """The rows behind a metric between the dates: (queryset, employee field, date field,
    the aggregate of one group)."""
    if metric in _CALL_FIELDS:
        from telesales.calls.models import CallDay

        rows = CallDay.objects.filter(day__gte=start, day__lte=end)
        return rows, "employee", "day", Sum(_CALL_FIELDS[metric])
    if metric == Metric.INTENT_CUSTOMERS:
        from telesales.crm.models import Customer

        rows = Customer.objects.filter(
            intent_on__gte=start, intent_on__lte=end, merged_into__isnull=True
        )
        return rows, "owner", "intent_on", Count("id")
    from telesales.sales.models import Deal

    rows = Deal.objects.filter(closed_on__gte=start, closed_on__lte=end)
    if metric == Metric.DEALS_WON:
        return rows.filter(status=Deal.Status.WON), "employee", "closed_on", Count("id")
    if metric == Metric.KEY_PRODUCT_AMOUNT:
        rows = rows.filter(product__key_product=True)
    signed = Case(
        When(status=Deal.Status.REFUNDED, then=-F("amount")),
        default=F("amount"),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    return rows, "employee", "closed_on", Sum(signed)


def _scoped(metric: str, scope: KpiScope, start: dt.date, end: dt.date):
    rows, employee, on, total = _rows(metric, start, end)
    if metric in _CALL_FIELDS and scope.is_team:
        # The roll-ups carry each rep's team and role of the day (as the call KPIs read them).
        rows = rows.filter(team_id__in=scope.team_ids, rep=True)
    else:
        rows = rows.filter(in_scope(scope, employee=employee, on=on))
    return rows, employee, on, total


def _number(value) -> Decimal:
    return Decimal(value or 0)


def actual_total(metric: str, scope: KpiScope, start: dt.date, end: dt.date) -> Decimal:
    rows, _employee, _on, total = _scoped(metric, scope, start, end)
    return _number(rows.aggregate(total=total)["total"])


def actual_by_day(metric: str, scope: KpiScope, start: dt.date, end: dt.date) -> dict:
    """{date: actual} for the days with something, in one query."""
    rows, _employee, on, total = _scoped(metric, scope, start, end)
    return {
        row[on]: _number(row["total"]) for row in rows.values(on).annotate(total=total).order_by(on)
    }


def actual_by_employee_day(
    metric: str, employee_ids, start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, Decimal]]:
    """{employee: {date: actual}} for the given people, in one query."""
    rows, employee, on, total = _rows(metric, start, end)
    result: dict[int, dict[dt.date, Decimal]] = defaultdict(dict)
    for row in (
        rows.filter(Q(**{f"{employee}_id__in": list(employee_ids)}))
        .values(f"{employee}_id", on)
        .annotate(total=total)
        .order_by()
    ):
        result[row[f"{employee}_id"]][row[on]] = _number(row["total"])
    return result


def actual_by_employee(metric: str, employee_ids, start: dt.date, end: dt.date) -> dict:
    """{employee: total} for the given people, in one query."""
    rows, employee, _on, total = _rows(metric, start, end)
    return {
        row[f"{employee}_id"]: _number(row["total"])
        for row in rows.filter(Q(**{f"{employee}_id__in": list(employee_ids)}))
        .values(f"{employee}_id")
        .annotate(total=total)
        .order_by()
    }
