"""Exact splits: parts that add up to the whole to the last cent (largest-remainder rounding)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ONE = Decimal("1")


class SplitError(ValueError):
    pass


def split_exact(
    total: Decimal, weights: Sequence[Decimal | int | Fraction], quantum: Decimal = CENT
) -> list[Decimal]:
    """`total` shared in proportion to `weights`, each part a whole number of `quantum`s:
    every part is first rounded down, and the units left over go one each to the parts
    with the largest remainders (the earlier part on a tie)."""
    if not weights:
        raise SplitError(_("There is nobody to split the target among."))
    if any(w < 0 for w in weights):
        raise SplitError(_("A share cannot be negative."))
    units = Fraction(total) / Fraction(quantum)
    if units.denominator != 1:
        raise SplitError(
            _("%(total)s cannot be split in steps of %(quantum)s.")
            % {"total": total, "quantum": quantum}
        )
    whole = Fraction(sum(Fraction(w) for w in weights))
    if whole == 0:
        raise SplitError(_("Every share is zero, so the target cannot be split by them."))
    exact = [units * Fraction(w) / whole for w in weights]
    floors = [int(x.numerator // x.denominator) for x in exact]
    left = int(units) - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(n) * quantum for n in floors]
