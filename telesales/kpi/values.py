"""What every KPI function returns (PRODUCT.md §5): the value with its numerator and
denominator, never rounded; a rate or mean over nothing is not applicable (None)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class KpiValue:
    value: Decimal | int | None
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None

    @property
    def applicable(self) -> bool:
        return self.value is not None

    def as_json(self) -> dict:
        return {
            "value": _number(self.value),
            "numerator": _number(self.numerator),
            "denominator": _number(self.denominator),
        }


def _number(value):
    if isinstance(value, Decimal):
        return (
            int(value)
            if value == value.to_integral_value() and value.as_tuple().exponent >= 0
            else float(value)
        )
    return value


def count(value: int) -> KpiValue:
    return KpiValue(int(value or 0), int(value or 0), None)


def ratio(numerator, denominator) -> KpiValue:
    numerator = numerator or 0
    denominator = denominator or 0
    if not denominator:
        return KpiValue(None, numerator, denominator)
    return KpiValue(Decimal(numerator) / Decimal(denominator), numerator, denominator)
