"""A candidate's phone number in one form, E.164 (+8613800138000), so that one person who
applies twice with the number written two ways is recognised; numbers without a country code
are Chinese. Shown masked (138****1234) to everyone but HR and administrators."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

REGION = "CN"
MASK = "****"


def phone_normalise(text: str) -> str:
    """The number in E.164 form; a ValidationError names what is wrong with it."""
    value = (text or "").strip()
    if not value:
        raise ValidationError(_("Enter the candidate's phone number."), code="phone")
    try:
        number = phonenumbers.parse(value, REGION)
    except phonenumbers.NumberParseException as error:
        if error.error_type in (
            phonenumbers.NumberParseException.TOO_SHORT_NSN,
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            raise ValidationError(
                _("“%(value)s” has too few digits for a phone number.") % {"value": value},
                code="phone",
            ) from None
        if error.error_type == phonenumbers.NumberParseException.TOO_LONG:
            raise ValidationError(
                _("“%(value)s” has too many digits for a phone number.") % {"value": value},
                code="phone",
            ) from None
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": value}, code="phone"
        ) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        raise ValidationError(
            _("“%(value)s” has too few digits for a phone number.") % {"value": value},
            code="phone",
        )
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        raise ValidationError(
            _("“%(value)s” has too many digits for a phone number.") % {"value": value},
            code="phone",
        )
    if reason == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        raise ValidationError(
            _("“%(value)s” starts with a country code that does not exist.") % {"value": value},
            code="phone",
        )
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number: write a mobile number with its 11 "
                "digits, or a landline with its area code, for example 010-12345678."
            )
            % {"value": value},
            code="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    """A Chinese number as it is dialled at home, digits only (13800138000); any other in
    E.164."""
    if not e164.startswith("+86"):
        return e164
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())


def phone_mask(e164: str) -> str:
    """The number as shown to someone who may not call the candidate: 138****1234 (the first
    3 and last 4 digits kept); a shorter number keeps a quarter at each end."""
    number = phone_display(e164 or "")
    length = len(number)
    if length >= 11:
        return number[:3] + MASK + number[-4:]
    keep = length // 4
    return number[:keep] + "*" * (length - 2 * keep) + number[length - keep :]
