"""Customer phone numbers in one form, E.164 (+8613800138000), so that one number written
five ways is one customer (source §2.3.2). Numbers without a country code are Chinese."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _

DEFAULT_REGION = "CN"


class PhoneError(ValueError):
    """A number that cannot be a customer's phone; `message` is a full, translated sentence."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


def phone_normalise(text: str, *, region: str = DEFAULT_REGION) -> str:
    """The number in E.164 form; raises PhoneError with the reason when it is not a number
    that can be dialled (too short, too long, no such area code or mobile range)."""
    value = (text or "").strip()
    if not value:
        raise PhoneError(_("A phone number is required."))
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        if error.error_type in (
            phonenumbers.NumberParseException.TOO_SHORT_NSN,
            phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD,
        ):
            raise PhoneError(
                _("“%(value)s” has too few digits for a phone number.") % {"value": value}
            ) from None
        if error.error_type == phonenumbers.NumberParseException.TOO_LONG:
            raise PhoneError(
                _("“%(value)s” has too many digits for a phone number.") % {"value": value}
            ) from None
        raise PhoneError(_("“%(value)s” is not a phone number.") % {"value": value}) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason == phonenumbers.ValidationResult.TOO_SHORT:
        raise PhoneError(_("“%(value)s” has too few digits for a phone number.") % {"value": value})
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        raise PhoneError(
            _("“%(value)s” has too many digits for a phone number.") % {"value": value}
        )
    if reason == phonenumbers.ValidationResult.INVALID_COUNTRY_CODE:
        raise PhoneError(
            _("“%(value)s” starts with a country code that does not exist.") % {"value": value}
        )
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(
            _(
                "“%(value)s” is not a valid phone number: write a mobile number with its 11 "
                "digits, or a landline with its area code, for example 010-12345678."
            )
            % {"value": value}
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_normalise_or_none(text: str) -> str | None:
    """The E.164 form, or None when the text is not a valid number."""
    try:
        return phone_normalise(text)
    except PhoneError:
        return None


def phone_display(e164: str) -> str:
    """How a stored number is shown: a Chinese number as it is dialled at home, digits only
    (13800138000, 01012345678); any other number in E.164."""
    if not e164.startswith("+86"):
        return e164
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return "".join(ch for ch in national if ch.isdigit())
