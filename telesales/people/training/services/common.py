"""What the training services share: the audited fields, score checks and the actor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from telesales.core.audit import snapshot as core_snapshot
from telesales.people.training.models import Topic

PLAN_FIELDS = [
    "kind",
    "title",
    "topic",
    "employee_id",
    "template_id",
    "team_id",
    "trainer_id",
    "frequency",
    "weekday",
    "day_of_month",
    "start_time",
    "duration_minutes",
    "start_date",
    "end_date",
]
SESSION_FIELDS = [
    "plan_id",
    "title",
    "topic",
    "trainer_id",
    "date",
    "start_time",
    "duration_minutes",
    "status",
    "note",
]
MAX_SCORE = Decimal(100)
CENT = Decimal("0.01")
MAX_DURATION = 600  # minutes: a working day


def snapshot(obj, fields: list[str]) -> dict:
    """The audited fields as JSON-safe values; times of day as HH:MM (core's snapshot knows
    dates, not times)."""
    values = core_snapshot(obj, fields)
    return {
        k: v.isoformat(timespec="minutes") if isinstance(v, dt.time) else v
        for k, v in values.items()
    }


def user_of(actor):
    return actor if getattr(actor, "pk", None) else None


def refuse(message: str | None = None) -> PermissionDenied:
    return PermissionDenied(message or _("You may not change this training."))


def topic_validate(topic: str) -> None:
    if topic not in Topic.values:
        raise ValidationError(_("“%(value)s” is not a training topic.") % {"value": topic})


def duration_validate(minutes) -> None:
    if minutes is None or not 1 <= int(minutes) <= MAX_DURATION:
        raise ValidationError(_("A duration is from 1 to %(max)s minutes.") % {"max": MAX_DURATION})


def score_check(value, *, who: str = "") -> Decimal | None:
    """A score is a number from 0 to 100 with at most two decimals (None: no score)."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not 0 <= number <= MAX_SCORE:
        message = _("“%(value)s” is not a score; a score is a number from 0 to 100.") % {
            "value": value
        }
        raise ValidationError(f"{who}: {message}" if who else message)
    if number != number.quantize(CENT):
        message = _("A score has at most two decimals.")
        raise ValidationError(f"{who}: {message}" if who else message)
    return number.quantize(CENT)
