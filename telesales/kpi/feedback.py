"""feedback KPIs (PRODUCT.md §5); registered with telesales.kpi.registry on import.

- csat_rate: survey responses in P scoring 4 or 5 / responses in P.
- complaint_timely_rate: complaints opened in P resolved within their SLA (resolved_at ≤
  due_at) / complaints opened in P, leaving out those still unresolved and not yet past due;
  an unresolved complaint already past due counts as not timely.

A rep's KPIs count the rows naming the rep; a team's count the rows of its reps by each
rep's team and role on the row's date (the response date, or the local date the complaint was
opened), as the call KPIs do.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, ratio
from telesales.org.membership import in_scope
from telesales.org.scopes import KpiScope

FEEDBACK_KPIS = ("csat_rate", "complaint_timely_rate")
SATISFIED_SCORE = 4


def survey_rows(scope: KpiScope, period: Period) -> QuerySet:
    """The survey responses behind csat_rate."""
    from telesales.feedback.models import SurveyResponse

    rows = SurveyResponse.objects.filter(
        responded_on__gte=period.start, responded_on__lte=period.end
    )
    if scope.is_team:
        return rows.filter(in_scope(scope, on="responded_on"))
    return rows.filter(employee_id=scope.employee_id)


def csat_rate(scope: KpiScope, period: Period) -> KpiValue:
    counts = survey_rows(scope, period).aggregate(
        responses=Count("pk"), satisfied=Count("pk", filter=Q(score__gte=SATISFIED_SCORE))
    )
    return ratio(counts["satisfied"], counts["responses"])


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def complaint_rows(scope: KpiScope, period: Period) -> QuerySet:
    """The complaints opened in the period (company-local dates) about the scope's reps."""
    from telesales.feedback.models import Ticket, TicketKind

    rows = Ticket.objects.filter(
        kind=TicketKind.COMPLAINT,
        opened_at__gte=_local_midnight(period.start),
        opened_at__lt=_local_midnight(period.end + dt.timedelta(days=1)),
    )
    if scope.is_team:
        rows = rows.annotate(
            opened_on=TruncDate("opened_at", tzinfo=timezone.get_default_timezone())
        )
        return rows.filter(in_scope(scope, on="opened_on"))
    return rows.filter(employee_id=scope.employee_id)


def complaint_timely_rate(
    scope: KpiScope, period: Period, *, now: dt.datetime | None = None
) -> KpiValue:
    """As of `now` (default: this moment), which decides what is still within its SLA."""
    now = now or timezone.now()
    resolved = Q(resolved_at__isnull=False)
    counts = complaint_rows(scope, period).aggregate(
        timely=Count("pk", filter=resolved & Q(resolved_at__lte=F("due_at"))),
        counted=Count("pk", filter=resolved | Q(due_at__lt=now)),
    )
    return ratio(counts["timely"], counts["counted"])


def feedback_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    return {
        "csat_rate": csat_rate(scope, period),
        "complaint_timely_rate": complaint_timely_rate(scope, period),
    }


kpi_register(
    "feedback",
    feedback_kpis,
    [
        KpiDefinition(
            "csat_rate",
            gettext_lazy("Customer satisfaction"),
            gettext_lazy("survey responses scoring 4 or 5 (of 5) / survey responses"),
            "rate",
            "feedback",
        ),
        KpiDefinition(
            "complaint_timely_rate",
            gettext_lazy("Complaints handled in time"),
            gettext_lazy(
                "complaints resolved within their SLA / complaints opened, leaving out those "
                "still open and not yet past their SLA"
            ),
            "rate",
            "feedback",
        ),
    ],
)
