"""qa KPIs (PRODUCT.md §5); registered with telesales.kpi.registry on import.

- qa_score_avg: mean QA review score (0–100) of S's calls reviewed in P
  (numerator Σ scores, denominator the number of reviews);
- qa_pass_rate: QA reviews passed / QA reviews in P.

Only submitted, regular reviews count (a calibration review never does). A review is "in P"
when its local date (the company's time zone) is in P. S's calls are the calls of the rep,
or, for a team, of the people who were in the team, and were reps, on each call's date. An
instant-failed review counts with its score 0 and as not passed. Without reviews both KPIs
are not applicable (None).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, ratio
from telesales.org.membership import in_scope
from telesales.org.scopes import KpiScope

QA_KPIS = ("qa_score_avg", "qa_pass_rate")


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def review_rows(scope: KpiScope, period: Period) -> QuerySet:
    """The reviews behind both KPIs: submitted regular reviews made in P of S's calls."""
    from telesales.qa.models import Review

    rows = Review.objects.filter(
        status=Review.Status.SUBMITTED,
        kind=Review.Kind.REGULAR,
        reviewed_at__gte=_local_midnight(period.start),
        reviewed_at__lt=_local_midnight(period.end + dt.timedelta(days=1)),
    )
    if scope.is_team:
        return rows.filter(in_scope(scope, employee="call__employee", on="call__local_date"))
    return rows.filter(call__employee_id=scope.employee_id)


def qa_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    counts = review_rows(scope, period).aggregate(
        reviews=Count("pk"), total=Sum("score"), passed=Count("pk", filter=Q(passed=True))
    )
    reviews = counts["reviews"] or 0
    total = counts["total"] or 0
    return {
        "qa_score_avg": ratio(total, reviews),
        "qa_pass_rate": ratio(counts["passed"], reviews),
    }


def qa_score_avg(scope: KpiScope, period: Period) -> KpiValue:
    return qa_kpis(scope, period)["qa_score_avg"]


def qa_pass_rate(scope: KpiScope, period: Period) -> KpiValue:
    return qa_kpis(scope, period)["qa_pass_rate"]


kpi_register(
    "qa",
    qa_kpis,
    [
        KpiDefinition(
            "qa_score_avg",
            gettext_lazy("QA average score"),
            gettext_lazy("Σ QA review scores (0–100) / QA reviews"),
            "score",
            "qa",
        ),
        KpiDefinition(
            "qa_pass_rate",
            gettext_lazy("QA pass rate"),
            gettext_lazy("QA reviews passed / QA reviews"),
            "rate",
            "qa",
        ),
    ],
)
