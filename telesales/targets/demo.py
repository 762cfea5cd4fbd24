"""Demo target plans (`telesales demo`): for the last quarter and the current one, company
targets for sales, key-product sales, deals, calls and effective calls, set from the demo's
own run rate with some stretch; split among the teams by capacity and within each team by a
different method (equal, capacity, history); a few reps on leave; the last quarter's
agreements all signed, the current quarter's partly."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.demo import DemoContext
from telesales.core.periods import period_of

ROUND_TO = {  # metric → a round number the targets are set in, and the stretch over run rate
    "sales_amount": (Decimal(1000), Decimal("1.10")),
    "key_product_amount": (Decimal(1000), Decimal("1.10")),
    "deals_won": (Decimal(1), Decimal("1.10")),
    "call_volume": (Decimal(100), Decimal("1.05")),
    "effective_calls": (Decimal(10), Decimal("1.05")),
}
TEAM_METHODS = ("equal", "capacity", "history")
RUN_RATE_DAYS = 56


def _company_target(metric: str, quarter, run_rate_per_day: Decimal, calendar) -> Decimal:
    step, stretch = ROUND_TO[metric]
    raw = run_rate_per_day * calendar.count(quarter.start, quarter.end) * stretch
    return max(step, (raw / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step)


def _sign(agreement, *, employee: bool, superior: bool, at: dt.datetime) -> None:
    """The demo's history of signatures (the people signed on paper before the system)."""
    from telesales.targets.models import Agreement

    S = Agreement.Status
    agreement.employee_signed_at = at if employee else None
    agreement.superior_signed_at = at if superior else None
    agreement.status = (
        S.CONFIRMED
        if employee and superior
        else S.EMPLOYEE_SIGNED
        if employee
        else S.SUPERIOR_SIGNED
        if superior
        else S.PROPOSED
    )
    agreement.save()


@transaction.atomic
def demo_targets(context: DemoContext) -> str:
    from telesales.org.models import Employee, Role, Team
    from telesales.org.scopes import scope_for_teams
    from telesales.org.services import AbsenceError, absence_record
    from telesales.targets.actuals import actual_total
    from telesales.targets.arithmetic import SplitError
    from telesales.targets.decomposition import split_compute
    from telesales.targets.models import Agreement, Target
    from telesales.targets.services import split_apply, target_set
    from telesales.targets.workdays import WorkCalendar

    rng = random.Random(context.seed * 1013 + 60)
    today = context.today
    current = period_of(today, "quarter")
    last = current.previous()
    teams = list(Team.objects.filter(is_active=True).order_by("code"))
    if not teams:
        return ""
    # A few reps take a week off in the current quarter.
    reps = list(Employee.objects.filter(role=Role.REP).employed_on(today).order_by("employee_no"))
    for rep in rng.sample(reps, min(4, len(reps))):
        start = current.start + dt.timedelta(days=rng.randint(7, 70))
        with contextlib.suppress(AbsenceError):
            absence_record(actor=None, employee=rep, start=start, end=start + dt.timedelta(days=4))
    calendar = WorkCalendar.load(last.start, current.end)
    everyone = scope_for_teams(teams, "company")
    window_end = today - dt.timedelta(days=1)
    window_start = window_end - dt.timedelta(days=RUN_RATE_DAYS - 1)
    working = max(calendar.count(window_start, window_end), 1)
    stored = 0
    for metric in ROUND_TO:
        rate = actual_total(metric, everyone, window_start, window_end) / working
        if rate <= 0:
            continue
        for quarter in (last, current):
            company, _outcome = target_set(
                actor=None,
                metric=metric,
                period=quarter.code,
                value=_company_target(metric, quarter, rate, calendar),
                note=_("Demo: the run rate of the last eight weeks with some stretch."),
            )
            try:
                split_apply(actor=None, plan=split_compute(company, "capacity"))
            except SplitError:
                continue
            for index, team_target in enumerate(
                Target.objects.filter(
                    metric=metric, period=quarter.code, team__isnull=False, superseded_at=None
                ).order_by("team__code")
            ):
                method = TEAM_METHODS[index % len(TEAM_METHODS)]
                for candidate in (method, "capacity", "equal"):
                    try:
                        split_apply(actor=None, plan=split_compute(team_target, candidate))
                        break
                    except SplitError:
                        continue
            stored += Target.objects.filter(
                metric=metric, period=quarter.code, superseded_at=None
            ).count()
    # Signatures: the last quarter all confirmed; this one partly.
    start_of = timezone.make_aware(dt.datetime.combine(current.start, dt.time(10)))
    for agreement in Agreement.objects.filter(period=last.code):
        _sign(agreement, employee=True, superior=True, at=start_of - dt.timedelta(days=88))
    for agreement in Agreement.objects.filter(period=current.code).order_by(
        "employee__employee_no"
    ):
        roll = rng.random()
        _sign(
            agreement,
            employee=roll < 0.8,
            superior=roll < 0.6 or 0.8 <= roll < 0.9,
            at=start_of + dt.timedelta(days=rng.randint(0, 3)),
        )
    confirmed = Agreement.objects.filter(status=Agreement.Status.CONFIRMED).count()
    return _(
        "targets: %(targets)s for %(last)s and %(current)s, %(confirmed)s agreements confirmed"
    ) % {
        "targets": stored,
        "last": last.code,
        "current": current.code,
        "confirmed": confirmed,
    }
