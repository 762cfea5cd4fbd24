"""Phone normalisation (telesales.crm.customers.phones): one number written many ways is one
E.164 number; anything that cannot be dialled is refused with a reason."""

from __future__ import annotations

import pytest
from django.utils import translation

from telesales.crm.customers.phones import (
    PhoneError,
    phone_display,
    phone_normalise,
    phone_normalise_or_none,
)


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("13800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("138-0013-8000", "+8613800138000"),
        (" 138 0013 8000 ", "+8613800138000"),
        ("１３８００１３８０００", "+8613800138000"),  # full-width digits
        ("19912345678", "+8619912345678"),
        ("010-12345678", "+861012345678"),
        ("(021)12345678", "+862112345678"),
        ("（021）12345678", "+862112345678"),
        ("0755 1234 5678", "+8675512345678"),
        ("+86 10 1234 5678", "+861012345678"),
        ("400-810-1234", "+864008101234"),
        ("+1 650 253 0000", "+16502530000"),
    ],
)
def test_numbers_are_normalised_to_e164(text, e164):
    assert phone_normalise(text) == e164


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "A phone number is required."),
        ("   ", "A phone number is required."),
        ("abc", "“abc” is not a phone number."),
        ("+999 1234", "“+999 1234” is not a phone number."),
        ("1380013800", "“1380013800” is not a valid phone number"),  # 10 digits
        ("12345678", "“12345678” is not a valid phone number"),  # a landline without area code
        ("99999999999", "“99999999999” is not a valid phone number"),
        ("12", "“12” has too few digits for a phone number."),
        ("+86 1", "“+86 1” has too few digits for a phone number."),
        ("1380013800013", "“1380013800013” has too many digits for a phone number."),
        ("1" * 30, f"“{'1' * 30}” has too many digits for a phone number."),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(text, reason, english):
    # when
    with pytest.raises(PhoneError) as refused:
        phone_normalise(text)
    # then
    assert refused.value.message.startswith(reason)
    assert isinstance(refused.value, ValueError)
    assert phone_normalise_or_none(text) is None


def test_the_reason_is_translated():
    # when
    with translation.override("zh-hans"), pytest.raises(PhoneError) as chinese:
        phone_normalise("")
    with translation.override("en"), pytest.raises(PhoneError) as english:
        phone_normalise("")
    # then: a full sentence in each language (the Chinese one once translated)
    assert english.value.message == "A phone number is required."
    assert chinese.value.message


@pytest.mark.parametrize(
    ("e164", "shown"),
    [
        ("+8613800138000", "13800138000"),
        ("+861012345678", "01012345678"),
        ("+8675512345678", "075512345678"),
        ("+16502530000", "+16502530000"),
    ],
)
def test_numbers_are_shown_as_dialled_at_home(e164, shown):
    assert phone_display(e164) == shown
