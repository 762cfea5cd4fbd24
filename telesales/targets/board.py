"""The target board of a team and a rep's own target page (source §2.1.3): each rep's
target, actual, pace and forecast for today, the week, the month and the quarter, and a
rep's daily plan against what they achieved. One plan book, one read of the actuals and one
of the pipeline serve a whole team, so a page costs the same number of queries for three
reps as for thirty."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from telesales.core.periods import period_of
from telesales.org.access import user_role
from telesales.org.models import Employee, Role, Team
from telesales.org.scopes import scope_for_teams
from telesales.targets.actuals import actual_by_day, actual_by_employee_day
from telesales.targets.capacity import Person, people_load, team_reps
from telesales.targets.models import Agreement, Metric, Target
from telesales.targets.pace import (
    STATUS_ORDER,
    Pace,
    PaceStatus,
    Thresholds,
    pace_compute,
    pipeline_by_employee,
)
from telesales.targets.phasing import Plan, PlanBook
from telesales.targets.workdays import WorkCalendar, days

ZERO = Decimal(0)
BOARD_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN})
WINDOWS = ("today", "week", "month", "quarter")
# Open opportunities may close any time in the coming weeks: they count in the forecast of
# the month and the quarter, not in that of a single day or week.
PIPELINE_WINDOWS = frozenset({"month", "quarter"})


def can_see_board(user) -> bool:
    """Supervisors (their teams), managers (the teams under them), HR and administrators."""
    return user_role(user) in BOARD_ROLES


def can_see_own_targets(user) -> bool:
    return user_role(user) == Role.REP


# -- windows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    key: str  # today, week, month or quarter
    start: dt.date
    end: dt.date


def windows_around(on: dt.date) -> dict[str, Window]:
    """The day, its ISO week (Monday to Sunday), its month and its quarter."""
    monday = on - dt.timedelta(days=on.weekday())
    month, quarter = period_of(on, "month"), period_of(on, "quarter")
    return {
        "today": Window("today", on, on),
        "week": Window("week", monday, monday + dt.timedelta(days=6)),
        "month": Window("month", month.start, month.end),
        "quarter": Window("quarter", quarter.start, quarter.end),
    }


# -- the team board ----------------------------------------------------------------------------


@dataclass
class BoardRow:
    """One rep (or, with person None, the team) and their pace in each window."""

    person: Person | None
    paces: dict[str, Pace]
    in_team: bool = True
    agreement: Agreement | None = None

    @property
    def is_team(self) -> bool:
        return self.person is None


@dataclass
class Board:
    team: Team
    metric: str
    on: dt.date
    window: str
    windows: dict[str, Window]
    rows: list[BoardRow]
    total: BoardRow
    thresholds: Thresholds
    hidden: int = 0  # reps of the team in the quarter the viewer no longer sees
    unknown_years: set[int] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        """How many reps are in each pace status in the chosen window."""
        result = {status: 0 for status in STATUS_ORDER}
        for row in self.rows:
            result[PaceStatus(row.paces[self.window].status)] += 1
        return result


def board_sort_key(row: BoardRow, window: str) -> tuple:
    """The reps furthest behind first: by pace status, then by the largest gap."""
    pace = row.paces[window]
    return (STATUS_ORDER[PaceStatus(pace.status)], -pace.gap, row.person.employee_no)


def _agreements(employee_ids, start: dt.date, end: dt.date) -> dict[int, Agreement]:
    """Each rep's agreement over the quarter; a quarter's agreement wins over a month's."""
    found: dict[int, Agreement] = {}
    for agreement in Agreement.objects.filter(
        employee_id__in=list(employee_ids), start__lte=end, end__gte=start
    ).order_by("start", "-end"):
        current = found.get(agreement.employee_id)
        longer = current is None or (agreement.end - agreement.start) > (
            current.end - current.start
        )
        if longer:
            found[agreement.employee_id] = agreement
    return found


def board_build(
    *,
    team: Team,
    metric: str,
    on: dt.date,
    window: str = "month",
    visible: Callable[[int], bool] | None = None,
) -> Board:
    """Every rep of the team in the quarter of `on` (by the team history), with their pace
    and forecast as of the end of `on` in the four windows around it, and the team's. A rep
    who has since moved out of the viewer's scope (`visible`) still counts in the team's
    total but has no row."""
    windows = windows_around(on)
    q_start, q_end = windows["quarter"].start, windows["quarter"].end
    # The week of `on` can begin in the previous quarter or end in the next one.
    first = min(q_start, windows["week"].start)
    last = max(q_end, windows["week"].end)
    thresholds = Thresholds.current()
    book = PlanBook(metric, first, last)
    members = team_reps(team.pk, first, last)
    actuals = actual_by_employee_day(metric, members, first, last)
    team_actuals = actual_by_day(metric, scope_for_teams([team]), first, last)
    pipeline = pipeline_by_employee(metric, members, on)
    agreements = _agreements(members, q_start, q_end)

    def paces(plan: Plan, by_day, person: Person | None, opportunities: Decimal) -> dict:
        return {
            key: pace_compute(
                plan=plan,
                actual_by_day=by_day,
                start=w.start,
                end=w.end,
                as_of=on,
                calendar=book.calendar,
                thresholds=thresholds,
                person=person,
                pipeline=opportunities if key in PIPELINE_WINDOWS else ZERO,
            )
            for key, w in windows.items()
        }

    rows = [
        BoardRow(
            person=person,
            paces=paces(
                book.employee_plan(person.id),
                actuals.get(person.id, {}),
                person,
                pipeline.get(person.id, ZERO),
            ),
            in_team=person.team_on(on) == team.pk,
            agreement=agreements.get(person.id),
        )
        for person in members.values()
        if visible is None or visible(person.id)
    ]
    rows.sort(key=lambda row: board_sort_key(row, window))
    in_team_pipeline = sum(
        (pipeline.get(p.id, ZERO) for p in members.values() if p.team_on(on) == team.pk), ZERO
    )
    total = BoardRow(
        person=None,
        paces=paces(book.team_plan(team.pk, members), team_actuals, None, in_team_pipeline),
    )
    return Board(
        team=team,
        metric=metric,
        on=on,
        window=window,
        windows=windows,
        rows=rows,
        total=total,
        thresholds=thresholds,
        hidden=len(members) - len(rows),
        unknown_years=set(book.unknown_years),
    )


# -- one rep's targets and daily plan ----------------------------------------------------------


@dataclass
class MetricPace:
    metric: str
    pace: Pace
    targets: list[Target]  # the targets the plan of the period comes from
    partial: bool = False  # the targets cover only part of the period: paced over their days

    @property
    def label(self) -> str:
        return str(Metric(self.metric).label)


@dataclass
class PlanDay:
    day: dt.date
    workday: bool
    planned: Decimal
    actual: Decimal | None  # None: the day is still to come
    plan_to_date: Decimal
    actual_to_date: Decimal | None
    is_today: bool = False

    @property
    def difference(self) -> Decimal | None:
        return None if self.actual_to_date is None else self.actual_to_date - self.plan_to_date


@dataclass
class PlanGroup:
    """A month, or the part of an ISO week that falls in one month, with its subtotals."""

    start: dt.date
    end: dt.date
    planned: Decimal = ZERO
    actual: Decimal = ZERO
    workdays: int = 0
    days: list[PlanDay] = field(default_factory=list)
    weeks: list[PlanGroup] = field(default_factory=list)

    @property
    def week(self) -> int:
        return self.start.isocalendar().week

    def take(self, row: PlanDay) -> None:
        self.planned += row.planned
        self.actual += row.actual or ZERO
        self.workdays += row.workday


@dataclass
class DailyPlan:
    metric: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    months: list[PlanGroup]
    planned: Decimal
    actual: Decimal

    def chart(self, plan_name: str, actual_name: str, y_title: str) -> dict:
        """The cumulative plan and actual per day, in the shape calls/charts.js draws."""
        rows = [row for month in self.months for row in month.days]
        return {
            "days": [row.day.isoformat() for row in rows],
            "series": [
                {"name": plan_name, "values": [float(row.plan_to_date) for row in rows]},
                {
                    "name": actual_name,
                    "values": [
                        None if row.actual_to_date is None else float(row.actual_to_date)
                        for row in rows
                    ],
                },
            ],
            "yTitle": y_title,
        }


def daily_plan_build(
    *,
    metric: str,
    plan: Plan,
    actual_by_day: dict[dt.date, Decimal],
    start: dt.date,
    end: dt.date,
    as_of: dt.date,
    calendar: WorkCalendar,
) -> DailyPlan:
    """The working days of the period (and any other day with a plan or an actual), each
    with its plan and actual and both summed up to that day, grouped by month and week."""
    months: list[PlanGroup] = []
    plan_sum = actual_sum = ZERO
    for day in days(start, end):
        workday = calendar.is_workday(day)
        planned = plan.amounts.get(day, ZERO)
        actual = actual_by_day.get(day, ZERO) if day <= as_of else None
        if not workday and not planned and not actual:
            continue
        plan_sum += planned
        if actual is not None:
            actual_sum += actual
        row = PlanDay(
            day=day,
            workday=workday,
            planned=planned,
            actual=actual,
            plan_to_date=plan_sum,
            actual_to_date=actual_sum if actual is not None else None,
            is_today=day == as_of,
        )
        if not months or months[-1].start.month != day.month:
            months.append(PlanGroup(day.replace(day=1), day))
        month = months[-1]
        if not month.weeks or month.weeks[-1].week != day.isocalendar().week:
            month.weeks.append(PlanGroup(day, day))
        week = month.weeks[-1]
        for group in (month, week):
            group.end = day
            group.take(row)
        week.days.append(row)
        month.days.append(row)
    return DailyPlan(metric, start, end, as_of, months, plan_sum, actual_sum)


@dataclass
class EmployeeTargets:
    employee: Employee
    start: dt.date
    end: dt.date
    as_of: dt.date
    metrics: list[MetricPace]
    daily: DailyPlan | None
    agreement: Agreement | None
    unknown_years: set[int] = field(default_factory=set)


def employee_metrics(employee: Employee, start: dt.date, end: dt.date) -> list[str]:
    """The metrics the employee has an active target for on some day of the dates, in the
    catalogue's order."""
    found = set(
        Target.objects.filter(
            employee=employee, superseded_at__isnull=True, start__lte=end, end__gte=start
        ).values_list("metric", flat=True)
    )
    return [metric for metric in Metric.values if metric in found]


def employee_periods(employee: Employee) -> list[str]:
    """The periods of the employee's active targets, the latest first."""
    return sorted(
        set(
            Target.objects.filter(employee=employee, superseded_at__isnull=True).values_list(
                "period", flat=True
            )
        ),
        reverse=True,
    )


def employee_targets(
    *, employee: Employee, start: dt.date, end: dt.date, as_of: dt.date, metric: str | None
) -> EmployeeTargets:
    """Each metric the employee has a target for in the period, with its pace and forecast
    as of the end of `as_of`; and the daily plan of one of them (the chosen one, else the
    first)."""
    metrics = employee_metrics(employee, start, end)
    thresholds = Thresholds.current()
    person = people_load([employee.pk], start, end).get(employee.pk)
    chosen = metric if metric in metrics else (metrics[0] if metrics else None)
    paces: list[MetricPace] = []
    daily = None
    unknown: set[int] = set()
    for code in metrics:
        book = PlanBook(code, start, end)
        plan = book.employee_plan(employee.pk)
        by_day = actual_by_employee_day(code, [employee.pk], start, end).get(employee.pk, {})
        pipeline = pipeline_by_employee(code, [employee.pk], as_of).get(employee.pk, ZERO)
        # A target of part of the period (July's in a quarter) is paced over its own days.
        first, last = start, end
        if plan.total(start, end) is None:
            covered = sorted(day for day in plan.covered if start <= day <= end)
            first, last = covered[0], covered[-1]
        pace = pace_compute(
            plan=plan,
            actual_by_day=by_day,
            start=first,
            end=last,
            as_of=as_of,
            calendar=book.calendar,
            thresholds=thresholds,
            person=person,
            pipeline=pipeline,
        )
        sources = sorted(plan.sources.values(), key=lambda t: (t.start, -(t.end - t.start).days))
        paces.append(MetricPace(code, pace, sources, partial=(first, last) != (start, end)))
        unknown |= book.unknown_years
        if code == chosen:
            daily = daily_plan_build(
                metric=code,
                plan=plan,
                actual_by_day=by_day,
                start=start,
                end=end,
                as_of=as_of,
                calendar=book.calendar,
            )
    agreement = (
        Agreement.objects.filter(employee=employee, start__lte=end, end__gte=start)
        .order_by("start", "-end")
        .first()
    )
    return EmployeeTargets(employee, start, end, as_of, paces, daily, agreement, unknown)
