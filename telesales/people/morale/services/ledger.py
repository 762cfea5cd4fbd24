"""The recognition and reward/penalty ledger: granting an entry and reversing a mistaken one.
Entries are never edited or deleted."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee
from telesales.people.morale import access
from telesales.people.morale.models import LedgerEntry
from telesales.people.morale.services.common import (
    MAX_POINTS,
    amount_check,
    date_check,
    team_on,
    text_required,
    user_of,
)

Kind = LedgerEntry.Kind
LEDGER_FIELDS = [
    "employee_id",
    "team_id",
    "kind",
    "points",
    "amount",
    "reason",
    "date",
    "granted_by_id",
    "reverses_id",
]


def _points_check(points) -> int:
    if points is None or points == "":
        return 0
    text = str(points).strip()
    if isinstance(points, bool) or not re.fullmatch(r"[+-]?\d+", text):
        raise ValidationError(_("Points must be a whole number."), code="points")
    value = int(text)
    if value < 0:
        raise ValidationError(_("Points cannot be negative."), code="points")
    if value > MAX_POINTS:
        raise ValidationError(_("Points are at most %(max)s.") % {"max": MAX_POINTS}, code="points")
    return value


@transaction.atomic
def ledger_entry_grant(
    *,
    actor,
    employee: Employee,
    kind: str,
    reason: str,
    date: dt.date,
    points: int = 0,
    amount: Decimal | None = None,
    today: dt.date | None = None,
) -> LedgerEntry:
    """Record a recognition, reward or penalty of an employee on a day they were employed,
    not in the future. A reward or penalty carries points or an amount (CNY); a recognition
    may carry points but no money. Nobody grants to themselves."""
    if kind not in Kind.values:
        raise ValidationError(_("“%(value)s” is not a kind of entry.") % {"value": kind})
    if not access.can_grant(actor, employee):
        raise PermissionDenied(_("You may not record entries about this employee."))
    reason = text_required(reason, label=_("The reason"), max_length=300)
    date = date_check(date, employee=employee, today=today)
    points = _points_check(points)
    amount = amount_check(amount, label=_("The amount"))
    if kind == Kind.RECOGNITION and amount:
        raise ValidationError(
            _("A recognition carries no money; record a reward for an amount."), code="amount"
        )
    if kind != Kind.RECOGNITION and not points and not amount:
        raise ValidationError(_("A reward or penalty needs points or an amount."), code="empty")
    entry = LedgerEntry.objects.create(
        employee=employee,
        team_id=team_on(employee, date),
        kind=kind,
        points=points,
        amount=amount if amount else None,
        reason=reason,
        date=date,
        granted_by=user_of(actor),
    )
    audit_record(
        actor=actor, action="morale.ledger_grant", obj=entry, after=snapshot(entry, LEDGER_FIELDS)
    )
    return entry


@transaction.atomic
def ledger_entry_reverse(*, actor, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Correct a mistaken entry by a reversing entry of the same kind and date with the
    points and amount negated, naming the entry it reverses; an entry is reversed once, and a
    reversal is never reversed itself."""
    entry = LedgerEntry.objects.select_for_update().select_related("employee").get(pk=entry.pk)
    if not access.can_grant(actor, entry.employee):
        raise PermissionDenied(_("You may not record entries about this employee."))
    if entry.is_reversal:
        raise ValidationError(
            _("Entry #%(number)s is itself a reversal and cannot be reversed.")
            % {"number": entry.pk},
            code="reversal",
        )
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(
            _("Entry #%(number)s has already been reversed.") % {"number": entry.pk},
            code="reversed",
        )
    reason = text_required(reason, label=_("The reason"), max_length=300)
    try:
        with transaction.atomic():
            reversal = LedgerEntry.objects.create(
                employee=entry.employee,
                team_id=entry.team_id,
                kind=entry.kind,
                points=-entry.points,
                amount=-entry.amount if entry.amount is not None else None,
                reason=reason,
                date=entry.date,
                granted_by=user_of(actor),
                reverses=entry,
            )
    except IntegrityError:
        raise ValidationError(
            _("Entry #%(number)s has already been reversed.") % {"number": entry.pk},
            code="reversed",
        ) from None
    audit_record(
        actor=actor,
        action="morale.ledger_reverse",
        obj=reversal,
        after=snapshot(reversal, LEDGER_FIELDS),
    )
    return reversal
