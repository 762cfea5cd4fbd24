"""The customer a ticket or survey is about, found by the phone number as written anywhere
(PRODUCT.md §4: customers are keyed by their number in E.164 form)."""

from __future__ import annotations

from telesales.crm.customers.phones import phone_display, phone_normalise_or_none
from telesales.crm.models import Customer

__all__ = ["customers_by_phone", "phone_display", "phone_e164"]

# One way to read and show phone numbers, the customers area's.
phone_e164 = phone_normalise_or_none


def customers_by_phone(phones: set[str]) -> dict[str, Customer]:
    """E.164 number → its customer, following merges to the surviving record (one query,
    and one more for each merge followed)."""
    if not phones:
        return {}
    found = {
        c.phone: c
        for c in Customer.objects.filter(phone__in=phones).select_related("merged_into", "owner")
    }
    return {phone: _surviving(customer) for phone, customer in found.items()}


def _surviving(customer: Customer) -> Customer:
    seen = {customer.pk}
    while customer.merged_into_id is not None and customer.merged_into_id not in seen:
        customer = Customer.objects.select_related("merged_into", "owner").get(
            pk=customer.merged_into_id
        )
        seen.add(customer.pk)
    return customer
