"""Work-report KPIs (PRODUCT.md §5); registered with telesales.kpi.registry on import.

- report_timeliness: work reports submitted by their due time / reports due in P. A report
  is due in P when its due time's local date is in P and the due time has passed (a report
  not yet due is not counted); it is on time when its first submission is at or before the
  due time (a report returned for revision and submitted again keeps its first submission).
  A report never written is due and not on time.

An employee scope counts that person's own reports (a rep owes none: not applicable); a team
scope counts the reports owed by whoever led the team on each report period's last day.
report_quality is a rated KPI: the superiors' ratings are read by the appraisal through
telesales.people.workreports.selectors.quality_ratings.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, ratio
from telesales.org.scopes import KpiScope
from telesales.people.workreports.schedule import DueReport, reports_due
from telesales.people.workreports.selectors import timeliness_counts

WORKREPORT_KPIS = ("report_timeliness",)


def report_rows(scope: KpiScope, period: Period) -> list[DueReport]:
    """The reports falling due in the period behind report_timeliness, with their rows."""
    if scope.is_team:
        return reports_due(first=period.start, last=period.end, team_ids=scope.team_ids)
    return reports_due(first=period.start, last=period.end, author_ids=[scope.employee_id])


def report_timeliness(
    scope: KpiScope, period: Period, *, now: dt.datetime | None = None
) -> KpiValue:
    """As of `now` (default: this moment), which decides which due times have passed."""
    on_time, due = timeliness_counts(report_rows(scope, period), now or timezone.now())
    return ratio(on_time, due)


def workreport_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    return {"report_timeliness": report_timeliness(scope, period)}


kpi_register(
    "workreports",
    workreport_kpis,
    [
        KpiDefinition(
            "report_timeliness",
            gettext_lazy("Report timeliness"),
            gettext_lazy(
                "work reports submitted by their due time / work reports due (due time passed)"
            ),
            "rate",
            "workreports",
        ),
    ],
)
