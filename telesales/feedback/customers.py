"""The customer a ticket or survey is about, found by the phone number as written anywhere
(PRODUCT.md §4: customers are keyed by their number in E.164 form)."""

from __future__ import annotations

import phonenumbers

from telesales.crm.models import Customer

DEFAULT_REGION = "CN"


def phone_e164(raw: str) -> str | None:
    """+8613800138000 for 138 0013 8000, +86 138-0013-8000 or 010-12345678 (region CN);
    None when the text is not a valid phone number."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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


def phone_display(e164: str) -> str:
    """A number as people in China write it: 13800138000, 01012345678; others in E.164."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code != 86:
        return e164
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())
