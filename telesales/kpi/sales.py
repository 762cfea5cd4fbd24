"""Sales KPIs (PRODUCT.md §5) read from the deals: a deal counts in the period of its
closed_on date; a refund (its own row, amounts positive) subtracts in its own period and
does not change deals_won."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.registry import KpiDefinition, kpi_register
from telesales.kpi.values import KpiValue, count, ratio
from telesales.org.membership import avg_headcount, in_scope
from telesales.org.scopes import KpiScope

SALES_KPIS = (
    "sales_amount",
    "deals_won",
    "avg_order_value",
    "sales_per_head",
    "profit_per_head",
)
ZERO = Decimal("0")


def deals_in_scope(scope: KpiScope, period: Period) -> QuerySet:
    """The deals and refunds behind the sales KPIs: closed in the period, by the rep, or by
    the team's reps on the date each closed."""
    from telesales.sales.models import Deal

    return Deal.objects.filter(closed_on__gte=period.start, closed_on__lte=period.end).filter(
        in_scope(scope, employee="employee", on="closed_on")
    )


def amount(value: Decimal) -> KpiValue:
    """A sum of money: never null (0 when nothing happened), its own numerator."""
    return KpiValue(value, value, None)


def sales_kpis(scope: KpiScope, period: Period) -> dict[str, KpiValue]:
    """The five sales KPIs of a rep or team for a period: one query for the deals, two for
    the headcount. Attainment against targets is in kpi.targets."""
    from telesales.sales.models import Deal

    won, refunded = Q(status=Deal.Status.WON), Q(status=Deal.Status.REFUNDED)
    sums = deals_in_scope(scope, period).aggregate(
        won_amount=Sum("amount", filter=won),
        refunded_amount=Sum("amount", filter=refunded),
        won_profit=Sum("gross_profit", filter=won),
        refunded_profit=Sum("gross_profit", filter=refunded),
        won_count=Count("id", filter=won),
    )
    sales = (sums["won_amount"] or ZERO) - (sums["refunded_amount"] or ZERO)
    profit = (sums["won_profit"] or ZERO) - (sums["refunded_profit"] or ZERO)
    deals_won = sums["won_count"] or 0
    heads = avg_headcount(scope, period)
    return {
        "sales_amount": amount(sales),
        "deals_won": count(deals_won),
        "avg_order_value": ratio(sales, deals_won),
        "sales_per_head": ratio(sales, heads),
        "profit_per_head": ratio(profit, heads),
    }


kpi_register(
    "sales",
    sales_kpis,
    [
        KpiDefinition(
            "sales_amount",
            gettext_lazy("Sales amount"),
            gettext_lazy("amounts of deals won − amounts refunded, closed in the period"),
            "amount",
            "sales",
        ),
        KpiDefinition(
            "deals_won",
            gettext_lazy("Deals won"),
            gettext_lazy("deals won closed in the period; refunds do not change it"),
            "count",
            "sales",
        ),
        KpiDefinition(
            "avg_order_value",
            gettext_lazy("Average order value"),
            gettext_lazy("sales amount / deals won"),
            "amount",
            "sales",
        ),
        KpiDefinition(
            "sales_per_head",
            gettext_lazy("Sales per head"),
            gettext_lazy(
                "sales amount / average headcount, where average headcount = (reps on the "
                "first day + reps on the last day) / 2"
            ),
            "amount",
            "sales",
        ),
        KpiDefinition(
            "profit_per_head",
            gettext_lazy("Profit per head"),
            gettext_lazy("(gross profit of deals won − gross profit refunded) / average headcount"),
            "amount",
            "sales",
        ),
    ],
)
