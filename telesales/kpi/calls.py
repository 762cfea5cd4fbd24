"""Call KPIs (PRODUCT.md §5) read from the daily roll-ups, never from the calls table.

Outbound calls count; inbound and internal calls are in the roll-ups for the pages."""

from __future__ import annotations

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, count, ratio
from telesales.org.scopes import KpiScope

CALL_KPIS = (
    "call_volume",
    "connected_calls",
    "connection_rate",
    "avg_talk_seconds",
    "effective_calls",
    "effective_call_rate",
)
_SUMS = ("out_calls", "out_connected", "out_talk_seconds", "out_effective")


def call_days(scope: KpiScope, period: Period) -> QuerySet:
    from telesales.calls.models import CallDay

    days = CallDay.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.is_team:
        # The team's reps on each date: its members that day who were reps that day.
        return days.filter(team_id__in=scope.team_ids, rep=True)
    return days.filter(employee_id=scope.employee_id)


def _kpis(sums: dict) -> dict[str, KpiValue]:
    calls = sums.get("out_calls") or 0
    connected = sums.get("out_connected") or 0
    talk = sums.get("out_talk_seconds") or 0
    effective = sums.get("out_effective") or 0
    return {
        "call_volume": count(calls),
        "connected_calls": count(connected),
        "connection_rate": ratio(connected, calls),
        "avg_talk_seconds": ratio(talk, connected),
        "effective_calls": count(effective),
        "effective_call_rate": ratio(effective, connected),
    }


def call_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    """The six call KPIs of a rep or team for a period, in one query."""
    sums = call_days(scope, period).aggregate(**{name: Sum(name) for name in _SUMS})
    return _kpis(sums)


def call_kpis_by_employee(days: QuerySet) -> dict[int, dict[str, KpiValue]]:
    """The call KPIs of every employee in these roll-up rows, in one query."""
    rows = days.values("employee_id").annotate(**{name: Sum(name) for name in _SUMS})
    return {row["employee_id"]: _kpis(row) for row in rows}


def call_trend(scope: KpiScope, period: Period) -> list[dict]:
    """Per day: calls, connected, effective and talk seconds (outbound), in one query."""
    rows = (
        call_days(scope, period)
        .values("day")
        .annotate(**{name: Sum(name) for name in _SUMS})
        .order_by("day")
    )
    return [dict(row) for row in rows]


kpi_register(
    "calls",
    call_kpis,
    [
        KpiDefinition(
            "call_volume",
            gettext_lazy("Call volume"),
            gettext_lazy("outbound calls dialled"),
            "count",
            "calls",
        ),
        KpiDefinition(
            "connected_calls",
            gettext_lazy("Connected calls"),
            gettext_lazy("outbound calls answered"),
            "count",
            "calls",
        ),
        KpiDefinition(
            "connection_rate",
            gettext_lazy("Connection rate"),
            gettext_lazy("connected calls / call volume"),
            "rate",
            "calls",
        ),
        KpiDefinition(
            "avg_talk_seconds",
            gettext_lazy("Average talk time"),
            gettext_lazy("talk seconds of connected calls / connected calls"),
            "seconds",
            "calls",
        ),
        KpiDefinition(
            "effective_calls",
            gettext_lazy("Effective calls"),
            gettext_lazy("connected calls with talk time at or above the threshold"),
            "count",
            "calls",
        ),
        KpiDefinition(
            "effective_call_rate",
            gettext_lazy("Effective call rate"),
            gettext_lazy("effective calls / connected calls"),
            "rate",
            "calls",
        ),
    ],
)
