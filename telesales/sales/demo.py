"""Demo deals, consistent with the demo's calls and outcomes: a deal for each customer whose
outcome was a sale, closed on or after that outcome's date, at the product's unit price,
key products more often; a few of them refunded later. Without sale outcomes (the
customers step did not run), a share of the customers reached in long answered calls buy;
without customers there are no deals."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext

# Without sale outcomes: the share of customers reached in a long call who buy.
LONG_CALL_SECONDS = 180
BUYER_SHARE = 0.2
REFUND_SHARE = 0.06
MARGINS = [Decimal(m) for m in ("0.35", "0.40", "0.45", "0.50", "0.55", "0.60")]
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Sale:
    customer_id: int
    employee_id: int
    on: dt.date  # the date of the sale outcome or of the call


def _sales_from_outcomes() -> list[Sale]:
    """The first sale outcome of each customer."""
    from telesales.crm.models import Outcome

    sales: dict[int, Sale] = {}
    outcomes = (
        Outcome.objects.filter(disposition__sale=True, customer__merged_into__isnull=True)
        .order_by("recorded_at", "id")
        .values_list("customer_id", "employee_id", "recorded_at")
    )
    for customer_id, employee_id, recorded_at in outcomes:
        if customer_id not in sales:
            sales[customer_id] = Sale(
                customer_id, employee_id, timezone.localtime(recorded_at).date()
            )
    return list(sales.values())


def _sales_from_calls(rng: random.Random) -> list[Sale]:
    """A share of the customers reached in long answered outbound calls, on the call's day."""
    from telesales.calls.models import Call, Direction
    from telesales.crm.customers.phones import phone_display
    from telesales.crm.models import Customer

    customers = {
        phone_display(phone): pk
        for pk, phone in Customer.objects.filter(merged_into__isnull=True).values_list(
            "pk", "phone"
        )
    }
    if not customers:
        return []
    sales: dict[int, Sale] = {}
    calls = (
        Call.objects.filter(
            direction=Direction.OUTBOUND,
            answered=True,
            talk_seconds__gte=LONG_CALL_SECONDS,
            employee__isnull=False,
        )
        .order_by("started_at", "id")
        .values_list("customer_number", "employee_id", "local_date")
        .iterator(chunk_size=5000)
    )
    for number, employee_id, day in calls:
        customer_id = customers.get(number)
        if customer_id is None or customer_id in sales:
            continue
        if rng.random() < BUYER_SHARE:
            sales[customer_id] = Sale(customer_id, employee_id, day)
    return list(sales.values())


def demo_deals(context: DemoContext) -> str:
    from telesales.crm.models import Customer
    from telesales.org.models import Employee
    from telesales.sales.models import Deal, Product
    from telesales.sales.services import DealFacts, deal_upsert

    rng = random.Random(context.seed * 1009 + 40)
    products = list(Product.objects.filter(is_active=True, unit_price__gt=0).order_by("code"))
    if not products:
        return ""
    sales = _sales_from_outcomes() or _sales_from_calls(rng)
    if not sales:
        return ""
    weights = [3 if p.key_product else 1 for p in products]
    employees = Employee.objects.in_bulk({s.employee_id for s in sales})
    customers = Customer.objects.in_bulk({s.customer_id for s in sales})
    won = refunds = key = 0
    for index, sale in enumerate(sorted(sales, key=lambda s: (s.on, s.customer_id)), start=1):
        employee = employees[sale.employee_id]
        last_day = context.today
        if employee.leave_date is not None:
            last_day = min(last_day, employee.leave_date - dt.timedelta(days=1))
        closed_on = max(
            sale.on, min(sale.on + dt.timedelta(days=rng.choice([0, 0, 1, 2, 3])), last_day)
        )
        product = rng.choices(products, weights=weights)[0]
        amount = product.unit_price * rng.choice([1, 1, 1, 2, 3])
        profit = (amount * rng.choice(MARGINS)).quantize(CENT, rounding=ROUND_HALF_UP)
        deal_no = f"SO{closed_on:%Y%m%d}{index:05d}"
        facts = DealFacts(
            employee=employee,
            customer=customers[sale.customer_id],
            product=product,
            amount=amount,
            gross_profit=profit,
            closed_on=closed_on,
            status=Deal.Status.WON,
        )
        deal_upsert(actor=None, deal_no=deal_no, facts=facts)
        won += 1
        key += product.key_product
        refund_on = closed_on + dt.timedelta(days=rng.randint(5, 30))
        if refund_on <= context.today and rng.random() < REFUND_SHARE:
            deal_upsert(
                actor=None,
                deal_no=f"{deal_no}-R",
                facts=dataclasses.replace(facts, closed_on=refund_on, status=Deal.Status.REFUNDED),
            )
            refunds += 1
    return _(
        "Entered %(won)s deals (%(key)s of key products) and %(refunds)s refunds, each after "
        "its customer's sale."
    ) % {"won": won, "key": key, "refunds": refunds}
