"""CRM KPIs (PRODUCT.md §5): intent customers and their conversion, read from the customers
and deals; the record-completeness rate, read from the calls and their outcomes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, count, ratio
from telesales.org.membership import in_scope
from telesales.org.scopes import KpiScope

CRM_KPIS = ("intent_customers", "lead_conversion_rate", "crm_completeness")
# An outcome recorded within this time of the call's start makes the record complete.
OUTCOME_WITHIN = dt.timedelta(hours=24)


def converted(period: Period) -> Exists:
    """Whether the customer has a deal won closed in the period on or after its intent_on."""
    from telesales.sales.models import Deal

    return Exists(
        Deal.objects.filter(
            customer_id=OuterRef("pk"),
            status=Deal.Status.WON,
            closed_on__gte=OuterRef("intent_on"),
            closed_on__lte=period.end,
        )
    )


def timely() -> Exists:
    """Whether an outcome linked to the call was recorded within 24 hours of its start."""
    from telesales.crm.models import Outcome

    return Exists(
        Outcome.objects.filter(
            call_id=OuterRef("pk"), recorded_at__lte=OuterRef("started_at") + OUTCOME_WITHIN
        )
    )


def intent_customers_in_scope(scope: KpiScope, period: Period) -> QuerySet:
    """Customers whose intent_on is in the period, owned by the rep, or by a rep who was in
    the team on the intent date. Customers merged into another are left out (the surviving
    record counts)."""
    from telesales.crm.models import Customer

    return Customer.objects.filter(
        intent_on__gte=period.start, intent_on__lte=period.end, merged_into__isnull=True
    ).filter(in_scope(scope, employee="owner", on="intent_on"))


def connected_calls_in_scope(scope: KpiScope, period: Period) -> QuerySet:
    """The connected calls of the period (outbound and answered, by the call's local date),
    of the rep or of the team's reps on the call's date."""
    from telesales.calls.models import Call, Direction

    return Call.objects.filter(
        direction=Direction.OUTBOUND,
        answered=True,
        local_date__gte=period.start,
        local_date__lte=period.end,
    ).filter(in_scope(scope, employee="employee", on="local_date"))


def crm_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    """The three CRM KPIs of a rep or team for a period, in two queries."""
    # The conditions go into the aggregates themselves: an aggregate filtering on an
    # annotation of the queryset would be wrapped in a subquery that drops the annotation.
    customers = intent_customers_in_scope(scope, period).aggregate(
        intent=Count("id"), converted=Count("id", filter=Q(converted(period)))
    )
    calls = connected_calls_in_scope(scope, period).aggregate(
        connected=Count("id"), timely=Count("id", filter=Q(timely()))
    )
    return {
        "intent_customers": count(customers["intent"]),
        "lead_conversion_rate": ratio(customers["converted"], customers["intent"]),
        "crm_completeness": ratio(calls["timely"], calls["connected"]),
    }


kpi_register(
    "crm",
    crm_kpis,
    [
        KpiDefinition(
            "intent_customers",
            gettext_lazy("Intent customers"),
            gettext_lazy("customers whose intent was reached in the period"),
            "count",
            "crm",
        ),
        KpiDefinition(
            "lead_conversion_rate",
            gettext_lazy("Lead conversion rate"),
            gettext_lazy(
                "intent customers of the period with a deal won in the period on or after the "
                "intent date / intent customers"
            ),
            "rate",
            "crm",
        ),
        KpiDefinition(
            "crm_completeness",
            gettext_lazy("CRM record completeness"),
            gettext_lazy("connected calls with an outcome recorded within 24 h / connected calls"),
            "rate",
            "crm",
        ),
    ],
)
