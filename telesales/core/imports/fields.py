"""Parsing of single cells; each raises RowError with a translated reason naming the problem."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from telesales.core.imports.base import RowError

YES = {"yes", "y", "true", "1", "是", "是的", "t", "x", "✓"}
NO = {"no", "n", "false", "0", "否", "不是", "f", ""}
_DATE_PATTERNS = (
    re.compile(r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?$"),
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)


def text(value: str, column: str, *, required: bool = False, max_length: int = 200) -> str:
    value = value.strip()
    if required and not value:
        raise RowError(column, _("A value is required."))
    if len(value) > max_length:
        raise RowError(
            column, _("The value is longer than %(max)s characters.") % {"max": max_length}
        )
    return value


def date(value: str, column: str, *, required: bool = False) -> dt.date | None:
    value = value.strip()
    if not value:
        if required:
            raise RowError(column, _("A date is required."))
        return None
    value = value.split(" ")[0].split("T")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(value)
        if match:
            try:
                return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                break
    raise RowError(
        column,
        _("“%(value)s” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.")
        % {"value": value},
    )


def decimal(
    value: str, column: str, *, required: bool = False, minimum: Decimal | None = None
) -> Decimal | None:
    cleaned = value.strip().replace(",", "").replace("¥", "").replace("￥", "")
    if not cleaned:
        if required:
            raise RowError(column, _("A number is required."))
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise RowError(column, _("“%(value)s” is not a number.") % {"value": value}) from None
    if not number.is_finite():
        raise RowError(column, _("“%(value)s” is not a number.") % {"value": value})
    if minimum is not None and number < minimum:
        raise RowError(column, _("The number must be at least %(minimum)s.") % {"minimum": minimum})
    return number


def boolean(value: str, column: str) -> bool:
    cleaned = value.strip().lower()
    if cleaned in YES:
        return True
    if cleaned in NO:
        return False
    raise RowError(column, _("“%(value)s” is not yes or no (是/否).") % {"value": value})


def choice(value: str, column: str, choices: dict[str, str]) -> str:
    """Match a value against codes and their labels in any of the three languages."""
    cleaned = value.strip().lower()
    if cleaned in choices:
        return choices[cleaned]
    raise RowError(
        column,
        _("“%(value)s” is not one of: %(choices)s.")
        % {"value": value, "choices": ", ".join(sorted(set(choices.values())))},
    )
