"""Team KPIs of the source's §3.1.2 (PRODUCT.md §5); registered with telesales.kpi.registry
on import.

- retention_rate = 1 − leavers in P / avg_headcount, with avg_headcount = (headcount on P's
  first day + headcount on its last day) / 2 (telesales.org.membership.avg_headcount). A
  leaver in P is a rep whose leave date (their first day away) is in P and who was in S on
  the day before it. numerator = avg_headcount − leavers, denominator = avg_headcount; not
  applicable when avg_headcount is 0. Not clamped: more leavers than the average headcount
  gives a negative rate.
- promotions = promotion events (EmployeeEvent PROMOTION: a higher role or a new position)
  dated in P of people who were reps in S on the day before the event. A count.
- attainment_improved_share = of the reps in S on the last day of P and on the last day of
  the previous period of the same length (month → month, quarter → quarter, year → year),
  those whose sales_attainment in P is higher than in the previous period, over those whose
  sales_attainment is applicable in both; not applicable when there are none.

A rep's sales_attainment here is exactly the sales_attainment KPI of that rep alone
(telesales.kpi.targets): the actual sales amount (refunds subtracted) over the rep's own
daily plan for the period's days, not applicable without a target for every day or with a
target of 0. sales_attainment_of_reps computes it for many reps in a bounded number of
queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, count, ratio
from telesales.org.membership import avg_headcount, reps_on
from telesales.org.models import Employee, EmployeeEvent
from telesales.org.scopes import KpiScope
from telesales.targets.actuals import actual_by_employee
from telesales.targets.models import Metric
from telesales.targets.phasing import PlanBook

PEOPLE_KPIS = ("retention_rate", "promotions", "attainment_improved_share")
ZERO = Decimal(0)


def _in_scope_day_before(scope: KpiScope, dated: Iterable[tuple[int, dt.date]]) -> list[int]:
    """Of (employee, date) pairs, the employees who were reps in S on the day before the
    date; one or two queries per distinct date."""
    by_day: dict[dt.date, set[int]] = defaultdict(set)
    for employee_id, day in dated:
        by_day[day - dt.timedelta(days=1)].add(employee_id)
    found: list[int] = []
    for day, ids in sorted(by_day.items()):
        found.extend(sorted(reps_on(scope, day).filter(pk__in=ids).values_list("pk", flat=True)))
    return found


def leavers(scope: KpiScope, period: Period) -> list[int]:
    """The reps who left in P (leave date in P) and were in S on the day before leaving."""
    candidates = Employee.objects.filter(leave_date__gte=period.start, leave_date__lte=period.end)
    if not scope.is_team:
        candidates = candidates.filter(pk=scope.employee_id)
    return _in_scope_day_before(scope, list(candidates.values_list("pk", "leave_date")))


def retention_rate(scope: KpiScope, period: Period) -> KpiValue:
    average = avg_headcount(scope, period)
    left = len(leavers(scope, period))
    return ratio(average - left, average)


def promotion_events(scope: KpiScope, period: Period) -> list[EmployeeEvent]:
    """The promotion events in P of people who were reps in S on the day before each."""
    events = EmployeeEvent.objects.filter(
        kind=EmployeeEvent.Kind.PROMOTION, date__gte=period.start, date__lte=period.end
    )
    if not scope.is_team:
        events = events.filter(employee_id=scope.employee_id)
    events = list(events.order_by("date", "id"))
    counted: list[EmployeeEvent] = []
    by_day: dict[dt.date, list[EmployeeEvent]] = defaultdict(list)
    for event in events:
        by_day[event.date - dt.timedelta(days=1)].append(event)
    for day, day_events in sorted(by_day.items()):
        ids = {event.employee_id for event in day_events}
        present = set(reps_on(scope, day).filter(pk__in=ids).values_list("pk", flat=True))
        counted.extend(event for event in day_events if event.employee_id in present)
    return counted


def promotions(scope: KpiScope, period: Period) -> KpiValue:
    return count(len(promotion_events(scope, period)))


def sales_attainment_of_reps(
    employee_ids: Iterable[int], periods: Iterable[Period]
) -> dict[str, dict[int, Decimal | None]]:
    """{period code: {rep: sales_attainment of the rep alone}}, None where not applicable:
    one target book over all the periods and one query of deals per period."""
    ids = sorted(set(employee_ids))
    periods = list(periods)
    result: dict[str, dict[int, Decimal | None]] = {p.code: {} for p in periods}
    if not ids or not periods:
        return result
    book = PlanBook(Metric.SALES_AMOUNT, min(p.start for p in periods), max(p.end for p in periods))
    for period in periods:
        actuals = actual_by_employee(Metric.SALES_AMOUNT, ids, period.start, period.end)
        for pk in ids:
            target = book.employee_plan(pk).total(period.start, period.end)
            result[period.code][pk] = ratio(actuals.get(pk, ZERO), target or 0).value
    return result


def attainment_changes(scope: KpiScope, period: Period) -> list[tuple[int, Decimal, Decimal]]:
    """(rep, attainment in the previous period, attainment in P) of the reps in S on the last
    day of both periods whose attainment is applicable in both."""
    previous = period.previous()
    ids = set(reps_on(scope, period.end).values_list("pk", flat=True)) & set(
        reps_on(scope, previous.end).values_list("pk", flat=True)
    )
    values = sales_attainment_of_reps(ids, [previous, period])
    changes = []
    for pk in sorted(ids):
        before, after = values[previous.code][pk], values[period.code][pk]
        if before is not None and after is not None:
            changes.append((pk, before, after))
    return changes


def attainment_improved_share(scope: KpiScope, period: Period) -> KpiValue:
    changes = attainment_changes(scope, period)
    return ratio(sum(1 for _pk, before, after in changes if after > before), len(changes))


def people_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    return {
        "retention_rate": retention_rate(scope, period),
        "promotions": promotions(scope, period),
        "attainment_improved_share": attainment_improved_share(scope, period),
    }


kpi_register(
    "people",
    people_kpis,
    [
        KpiDefinition(
            "retention_rate",
            gettext_lazy("Team retention"),
            gettext_lazy(
                "1 − leavers / average headcount; average headcount = (reps on the first day "
                "+ reps on the last day) / 2"
            ),
            "rate",
            "people",
        ),
        KpiDefinition(
            "promotions",
            gettext_lazy("Promotions"),
            gettext_lazy("promotions of the scope's reps in the period"),
            "count",
            "people",
        ),
        KpiDefinition(
            "attainment_improved_share",
            gettext_lazy("Reps whose attainment improved"),
            gettext_lazy(
                "reps whose sales attainment rose from the previous period / reps in the scope "
                "at the end of both periods with an attainment in both"
            ),
            "rate",
            "people",
        ),
    ],
)
