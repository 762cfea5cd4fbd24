"""Reads behind the analysis pages (source §2.4.2): the sales and CRM figures with the rows
behind them, the funnel, and the comparison of reps' rates with Wilson intervals. Scope
is the caller's: these functions take a KPI scope already checked against the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from telesales.core.periods import Period
from telesales.crm.models import Customer, Outcome
from telesales.kpi.calls import call_days, call_kpis_by_employee
from telesales.kpi.crm import (
    connected_calls_in_scope,
    converted,
    intent_customers_in_scope,
    timely,
)
from telesales.kpi.values import KpiValue, ratio
from telesales.org import access
from telesales.org.membership import in_scope
from telesales.org.models import Employee, Role
from telesales.org.scopes import KpiScope
from telesales.reports.statistics import wilson_interval
from telesales.sales.models import Deal

ANALYSIS_ROLES = {Role.REP, Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}


def can_view_analysis(user) -> bool:
    return access.user_role(user) in ANALYSIS_ROLES


def can_compare_reps(user) -> bool:
    """A rep sees their own numbers only, so the comparison of reps is not theirs."""
    return access.user_role(user) in ANALYSIS_ROLES - {Role.REP}


def _day_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as [first instant, instant after the last day) in the company's zone."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


# -- the funnel ------------------------------------------------------------------------------

FUNNEL_STEPS = ("leads", "contacted", "intent", "won")


def leads_in_scope(scope: KpiScope, period: Period) -> QuerySet[Customer]:
    """The funnel's leads: customers owned by the scope's reps whose ownership began in the
    period (owned_since, else created_at, as a company-local date; for a team, the owner
    was in the team and a rep that day)."""
    zone = timezone.get_default_timezone()
    return (
        Customer.objects.filter(merged_into__isnull=True, owner__isnull=False)
        .annotate(lead_on=TruncDate(Coalesce("owned_since", "created_at"), tzinfo=zone))
        .filter(lead_on__gte=period.start, lead_on__lte=period.end)
        .filter(in_scope(scope, employee="owner", on="lead_on"))
    )


def funnel_steps_reached(period: Period) -> dict[str, Q]:
    """Each step after leads as a condition on a lead: contacted (an outcome with the contact
    flag recorded in the period), intent (intent_on in the period), won (a deal won closed
    in the period). A lead that reached a later step counts in every earlier one."""
    start, end = _day_bounds(period)
    contact = Exists(
        Outcome.objects.filter(
            customer_id=OuterRef("pk"),
            disposition__contact=True,
            recorded_at__gte=start,
            recorded_at__lt=end,
        )
    )
    won = Q(
        Exists(
            Deal.objects.filter(
                customer_id=OuterRef("pk"),
                status=Deal.Status.WON,
                closed_on__gte=period.start,
                closed_on__lte=period.end,
            )
        )
    )
    intent = Q(intent_on__gte=period.start, intent_on__lte=period.end) | won
    return {"contacted": Q(contact) | intent, "intent": intent, "won": won}


@dataclass
class FunnelCounts:
    leads: int = 0
    contacted: int = 0
    intent: int = 0
    won: int = 0

    def steps(self) -> list[dict]:
        """Each step with its count, the conversion from the step before and from leads."""
        rows, previous = [], None
        for code in FUNNEL_STEPS:
            number = getattr(self, code)
            rows.append(
                {
                    "code": code,
                    "count": number,
                    "from_previous": None if previous is None else ratio(number, previous),
                    "from_leads": ratio(number, self.leads),
                    "share": (Decimal(number) / Decimal(self.leads)) if self.leads else Decimal(0),
                }
            )
            previous = number
        return rows


def funnel_by_owner(scope: KpiScope, period: Period) -> dict[int, FunnelCounts]:
    """The funnel of each rep of the scope, in one query."""
    reached = funnel_steps_reached(period)
    rows = (
        leads_in_scope(scope, period)
        .order_by()
        .values("owner_id")
        .annotate(
            leads=Count("id"),
            **{step: Count("id", filter=condition) for step, condition in reached.items()},
        )
    )
    return {
        row["owner_id"]: FunnelCounts(row["leads"], row["contacted"], row["intent"], row["won"])
        for row in rows
    }


def funnel_total(by_owner: dict[int, FunnelCounts]) -> FunnelCounts:
    total = FunnelCounts()
    for counts in by_owner.values():
        for code in FUNNEL_STEPS:
            setattr(total, code, getattr(total, code) + getattr(counts, code))
    return total


# -- comparison of reps ---------------------------------------------------------------------

COMPARED_RATES = (
    "connection_rate",
    "effective_call_rate",
    "lead_conversion_rate",
    "crm_completeness",
)


@dataclass(frozen=True)
class RateCell:
    code: str
    successes: int
    trials: int
    interval: tuple[float, float] | None

    @property
    def value(self) -> Decimal | None:
        return ratio(self.successes, self.trials).value

    @property
    def lower(self) -> float | None:
        return None if self.interval is None else self.interval[0]


def _cell(code: str, successes, trials) -> RateCell:
    successes, trials = int(successes or 0), int(trials or 0)
    return RateCell(code, successes, trials, wilson_interval(successes, trials))


@dataclass
class ComparisonRow:
    employee: Employee
    cells: dict[str, RateCell] = field(default_factory=dict)


def _kpi_counts(value: KpiValue) -> tuple:
    return value.numerator or 0, value.denominator or 0


def rep_comparison(user, scope: KpiScope, period: Period, *, rank_by: str) -> list[ComparisonRow]:
    """The scope's reps in the period with each compared rate, its counts and its Wilson
    interval, ranked by the interval's lower bound of `rank_by` (reps without trials last).
    A rep counts who was a rep of the scope's teams on a day of the period with activity,
    or is one of its reps employed in the period; only reps visible to the user are shown.
    Four queries whatever the number of reps."""
    calls = call_kpis_by_employee(call_days(scope, period))
    conversions = {
        row["owner_id"]: row
        for row in intent_customers_in_scope(scope, period)
        .order_by()
        .values("owner_id")
        .annotate(intent=Count("id"), converted=Count("id", filter=Q(converted(period))))
    }
    completeness = {
        row["employee_id"]: row
        for row in connected_calls_in_scope(scope, period)
        .order_by()
        .values("employee_id")
        .annotate(connected=Count("id"), timely=Count("id", filter=Q(timely())))
    }
    members = Employee.objects.filter(role=Role.REP, hire_date__lte=period.end).filter(
        Q(leave_date__isnull=True) | Q(leave_date__gt=period.start)
    )
    members = (
        members.filter(team_id__in=scope.team_ids)
        if scope.is_team
        else members.filter(pk=scope.employee_id)
    )
    ids = (
        set(calls)
        | set(conversions)
        | set(completeness)
        | set(members.values_list("pk", flat=True))
    )
    rows = []
    for employee in (
        access.employees_visible_to(user)
        .filter(pk__in=ids)
        .select_related("team")
        .order_by("employee_no")
    ):
        call_values = calls.get(employee.pk)
        connected = _kpi_counts(call_values["connection_rate"]) if call_values else (0, 0)
        effective = _kpi_counts(call_values["effective_call_rate"]) if call_values else (0, 0)
        conversion = conversions.get(employee.pk, {})
        complete = completeness.get(employee.pk, {})
        cells = {
            "connection_rate": _cell("connection_rate", *connected),
            "effective_call_rate": _cell("effective_call_rate", *effective),
            "lead_conversion_rate": _cell(
                "lead_conversion_rate", conversion.get("converted"), conversion.get("intent")
            ),
            "crm_completeness": _cell(
                "crm_completeness", complete.get("timely"), complete.get("connected")
            ),
        }
        rows.append(ComparisonRow(employee, cells))
    rows.sort(
        key=lambda row: (
            row.cells[rank_by].lower is None,
            -(row.cells[rank_by].lower or 0.0),
            -row.cells[rank_by].trials,
            row.employee.employee_no,
        )
    )
    return rows
