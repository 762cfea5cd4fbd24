"""Writes to products and deals, audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.crm.models import Customer
from telesales.org.models import Employee
from telesales.sales.models import Deal, Product

PRODUCT_FIELDS = ["name", "key_product", "unit_price"]


@transaction.atomic
def product_upsert(
    *, actor, code: str, name: str, key_product: bool | None, unit_price: Decimal | None
) -> tuple[Product, str]:
    """Create or update a product by code; a None flag or price keeps the stored one.
    Returns the product and 'stored', 'updated' or 'same'."""
    product = Product.objects.select_for_update().filter(code=code).first()
    values = {"name": name, "key_product": key_product, "unit_price": unit_price}
    values = {k: v for k, v in values.items() if v is not None}
    if product is None:
        product = Product.objects.create(code=code, **values)
        audit_record(
            actor=actor,
            action="product.create",
            obj=product,
            after=snapshot(product, PRODUCT_FIELDS),
        )
        return product, "stored"
    if all(getattr(product, k) == v for k, v in values.items()):
        return product, "same"
    before = snapshot(product, PRODUCT_FIELDS)
    for key, value in values.items():
        setattr(product, key, value)
    product.save()
    audit_record(
        actor=actor,
        action="product.update",
        obj=product,
        before=before,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product, "updated"


# -- deals -----------------------------------------------------------------------------------

CENT = Decimal("0.01")
DEAL_AUDITED = [
    "deal_no",
    "employee_id",
    "customer_id",
    "product_id",
    "amount",
    "gross_profit",
    "closed_on",
    "status",
]


@dataclass(frozen=True)
class DealFacts:
    """What a deal says, whatever its number; a refund carries positive amounts."""

    employee: Employee
    customer: Customer | None
    product: Product
    amount: Decimal
    gross_profit: Decimal
    closed_on: dt.date
    status: str

    def columns(self) -> dict:
        return {
            "employee_id": self.employee.pk,
            "customer_id": self.customer.pk if self.customer else None,
            "product_id": self.product.pk,
            # as stored (two places), so that the audit compares like with like
            "amount": self.amount.quantize(CENT),
            "gross_profit": self.gross_profit.quantize(CENT),
            "closed_on": self.closed_on,
            "status": self.status,
        }


def _check(facts: DealFacts) -> None:
    if facts.amount <= 0:
        raise ValidationError(
            _("The amount must be more than 0; a refund is written with a positive amount."),
            code="amount",
        )
    if facts.gross_profit < 0 or facts.gross_profit > facts.amount:
        raise ValidationError(
            _("The gross profit must be between 0 and the amount."), code="gross_profit"
        )
    if facts.status not in Deal.Status.values:
        raise ValidationError(_("A deal is won or refunded."), code="status")


def _store(actor, deal: Deal, facts: DealFacts, *, created: bool) -> None:
    before = None if created else snapshot(deal, DEAL_AUDITED)
    for name, value in facts.columns().items():
        setattr(deal, name, value)
    deal.save()
    audit_record(
        actor=actor,
        action="deal.create" if created else "deal.update",
        obj=deal,
        before=before,
        after=snapshot(deal, DEAL_AUDITED),
    )
    if deal.customer_id is not None:
        # A deal is a fact the tier rules read (deal history).
        from telesales.crm.customers.tiering import customer_retier

        customer_retier(actor=actor, customer=deal.customer)


@transaction.atomic
def deal_upsert(*, actor, deal_no: str, facts: DealFacts) -> tuple[Deal, str]:
    """Store a deal by its number (the import's key): 'stored' when new, 'same' when the
    stored deal says the same, 'updated' when the row corrects it."""
    _check(facts)
    deal = Deal.objects.select_for_update().filter(deal_no=deal_no).first()
    if deal is None:
        deal = Deal(deal_no=deal_no)
        _store(actor, deal, facts, created=True)
        return deal, "stored"
    if all(getattr(deal, name) == value for name, value in facts.columns().items()):
        return deal, "same"
    _store(actor, deal, facts, created=False)
    return deal, "updated"


@transaction.atomic
def deal_create(*, actor, deal_no: str, facts: DealFacts) -> Deal:
    """A deal entered by hand; its number must be new."""
    _check(facts)
    if Deal.objects.filter(deal_no=deal_no).exists():
        raise ValidationError(
            _("Deal %(no)s already exists."), code="duplicate", params={"no": deal_no}
        )
    deal = Deal(deal_no=deal_no)
    _store(actor, deal, facts, created=True)
    return deal


@transaction.atomic
def deal_update(*, actor, deal: Deal, facts: DealFacts) -> Deal:
    """A correction of a deal by hand; its number stays."""
    _check(facts)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    _store(actor, deal, facts, created=False)
    return deal
