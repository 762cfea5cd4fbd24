"""Pace and forecast (source §2.1.3): for a target and a stretch of days, what was achieved,
what the plan expected by now, whether that is on track, at risk or behind (thresholds are
settings), and where the period will end: the run rate over the working days left plus the
open opportunities weighted by their intent level. Every number says how it was made."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Avg, Exists, OuterRef
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.config import setting_get
from telesales.targets.capacity import Person
from telesales.targets.models import Metric
from telesales.targets.phasing import Plan
from telesales.targets.workdays import WorkCalendar, days

ZERO = Decimal(0)
HUNDRED = Decimal(100)
AOV_DAYS = 90
# An open opportunity is one whose intent is at most this old; it is expected to close, with
# its chance, within PIPELINE_HORIZON days, so a window with fewer days left gets that share.
OPEN_DAYS = 90
PIPELINE_HORIZON = 30


class PaceStatus(models.TextChoices):
    ON_TRACK = "on_track", gettext_lazy("On track")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    BEHIND = "behind", gettext_lazy("Behind")
    NOT_STARTED = "not_started", gettext_lazy("Nothing due yet")
    NO_TARGET = "no_target", gettext_lazy("No target")


# Sorting the board: the reps furthest behind first.
STATUS_ORDER = {
    PaceStatus.BEHIND: 0,
    PaceStatus.AT_RISK: 1,
    PaceStatus.ON_TRACK: 2,
    PaceStatus.NOT_STARTED: 3,
    PaceStatus.NO_TARGET: 4,
}


@dataclass(frozen=True)
class Thresholds:
    on_track: Decimal  # actual / expected at or above this: on track
    at_risk: Decimal  # at or above this (and below on_track): at risk; below: behind

    @classmethod
    def current(cls) -> Thresholds:
        return cls(
            Decimal(setting_get("targets.pace_on_track")) / HUNDRED,
            Decimal(setting_get("targets.pace_at_risk")) / HUNDRED,
        )


@dataclass(frozen=True)
class Pace:
    start: dt.date
    end: dt.date
    as_of: dt.date
    target: Decimal | None
    actual: Decimal
    expected: Decimal
    status: str
    days_elapsed: int
    days_left: int
    run_rate: Decimal | None
    pipeline: Decimal
    forecast: Decimal | None
    method: str

    @property
    def attainment(self) -> Decimal | None:
        return self.actual / self.target if self.target else None

    @property
    def pace_ratio(self) -> Decimal | None:
        return self.actual / self.expected if self.expected else None

    @property
    def forecast_attainment(self) -> Decimal | None:
        return self.forecast / self.target if self.target and self.forecast is not None else None

    @property
    def gap(self) -> Decimal:
        """How far the actual is behind (negative: ahead of) what was due by now."""
        return self.expected - self.actual

    def get_status_display(self) -> str:
        return str(PaceStatus(self.status).label)


def _fmt(value: Decimal) -> str:
    """A number as the user's language writes it, with cents only when there are some."""
    value = value.quantize(Decimal("0.01"))
    return number_format(value, decimal_pos=2 if value % 1 else 0, force_grouping=True)


def pace_compute(
    *,
    plan: Plan,
    actual_by_day: dict[dt.date, Decimal],
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    calendar: WorkCalendar,
    thresholds: Thresholds,
    person: Person | None = None,
    pipeline: Decimal = ZERO,
) -> Pace:
    """Pace of the days from `start` to `end` as of the end of `as_of`."""
    target = plan.total(start, end)
    through = min(as_of, end)
    actual = sum((v for d, v in actual_by_day.items() if start <= d <= through), ZERO)
    expected = plan.to_date(start, through) if through >= start else ZERO

    def available(day: dt.date) -> bool:
        if not calendar.is_workday(day):
            return False
        return person is None or person.available_on(day)

    elapsed = sum(1 for d in days(start, through) if available(d)) if through >= start else 0
    left = sum(1 for d in days(max(start, as_of + dt.timedelta(days=1)), end) if available(d))
    if target is None:
        status = PaceStatus.NO_TARGET
    elif expected <= 0:
        status = PaceStatus.NOT_STARTED
    elif actual >= expected * thresholds.on_track:
        status = PaceStatus.ON_TRACK
    elif actual >= expected * thresholds.at_risk:
        status = PaceStatus.AT_RISK
    else:
        status = PaceStatus.BEHIND
    run_rate = actual / elapsed if elapsed else None
    days_to_end = (end - max(as_of, start - dt.timedelta(days=1))).days
    pipeline = (pipeline * min(Decimal(1), Decimal(days_to_end) / PIPELINE_HORIZON)).quantize(
        Decimal("0.01")
    )
    if as_of >= end:
        forecast = actual
        method = (
            _("One day: the forecast is the actual.")
            if start == end
            else _("The period is over: the forecast is the actual.")
        )
    elif run_rate is None:
        forecast = None
        method = _("No working day has passed yet, so there is no run rate to forecast from.")
    else:
        forecast = actual + run_rate * left + pipeline
        method = _(
            "actual %(actual)s + run rate %(rate)s a working day × %(left)s working days left "
            "+ open opportunities %(pipeline)s weighted by intent = %(forecast)s"
        ) % {
            "actual": _fmt(actual),
            "rate": _fmt(run_rate),
            "left": left,
            "pipeline": _fmt(pipeline),
            "forecast": _fmt(forecast),
        }
    return Pace(
        start,
        end,
        as_of,
        target,
        actual,
        expected,
        status,
        elapsed,
        left,
        run_rate,
        pipeline,
        forecast,
        method,
    )


def pipeline_weights_parse(text: str) -> dict[str, Decimal]:
    """'medium:10,high:30' → {'medium': 0.1, 'high': 0.3}: the chance that an open intent
    customer at that level buys. Raises ValueError with a translated message."""
    weights = {}
    for part in str(text).split(","):
        level, _sep, percent = part.partition(":")
        try:
            chance = Decimal(percent.strip()) / HUNDRED
        except ArithmeticError:
            chance = Decimal(-1)
        if not level.strip() or not 0 <= chance <= 1:
            raise ValueError(
                _("Write level:percent pairs separated by commas, e.g. medium:10,high:30.")
            )
        weights[level.strip()] = chance
    return weights


def pipeline_weights() -> dict[str, Decimal]:
    return pipeline_weights_parse(setting_get("targets.pipeline_weights"))


def pipeline_by_employee(metric: str, employee_ids, as_of: dt.date) -> dict[int, Decimal]:
    """Weighted open opportunities of each rep: customers they own at a weighted intent
    level reached in the last 90 days, with no deal won since intent_on, each worth the rep's average order value of the
    last 90 days (the company's when the rep has none) for sales_amount, or one deal for
    deals_won. Other metrics have no pipeline."""
    if metric not in {Metric.SALES_AMOUNT, Metric.DEALS_WON}:
        return {}
    from telesales.crm.models import Customer
    from telesales.sales.models import Deal

    weights = pipeline_weights()
    if not weights:
        return {}
    won_since = Deal.objects.filter(
        customer_id=OuterRef("pk"),
        status=Deal.Status.WON,
        closed_on__gte=OuterRef("intent_on"),
    )
    open_customers = (
        Customer.objects.filter(
            owner_id__in=list(employee_ids),
            merged_into__isnull=True,
            dnc=False,
            intent_level__in=list(weights),
            intent_on__gt=as_of - dt.timedelta(days=OPEN_DAYS),
            intent_on__lte=as_of,
        )
        .exclude(Exists(won_since))
        .values("owner_id", "intent_level")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    chances: dict[int, Decimal] = defaultdict(Decimal)
    for row in open_customers:
        chances[row["owner_id"]] += weights[row["intent_level"]] * row["n"]
    if metric == Metric.DEALS_WON:
        return dict(chances)
    recent = Deal.objects.filter(
        status=Deal.Status.WON,
        closed_on__gt=as_of - dt.timedelta(days=AOV_DAYS),
        closed_on__lte=as_of,
    )
    company_aov = recent.aggregate(a=Avg("amount"))["a"] or ZERO
    aov = dict(
        recent.filter(employee_id__in=list(chances))
        .values("employee_id")
        .annotate(a=Avg("amount"))
        .values_list("employee_id", "a")
        .order_by()
    )
    return {
        employee: (chance * Decimal(aov.get(employee) or company_aov)).quantize(Decimal("0.01"))
        for employee, chance in chances.items()
    }
