"""Writes to products and deals, audited."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from telesales.core.audit import audit_record, snapshot
from telesales.sales.models import Product

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
