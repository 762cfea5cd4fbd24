"""Which work reports are owed, by whom, and when they are due.

- A **weekly** report covers an ISO week (Monday–Sunday) and is due on the first configured
  weekday after the week at the configured time (default Monday 10:00); a **monthly**
  report covers a calendar month and is due on the configured day of the following month at
  the configured time (default the 3rd, 18:00). Times are company-local (Asia/Shanghai).
- A person owes a period's report when, on the period's **last day**, they were employed, a
  supervisor (by the role history) and leading a team: the team they belonged to that day
  by the team history (a supervisor leads the team they are in), plus, while that
  membership is their current one, any team that names them its supervisor; a supervisor
  without any team history leads the teams that name them their supervisor.

The list is computed from this schedule and the people's history, never from stored rows
alone, so a report never written still counts as due and missing.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from telesales.org.models import Employee, EmployeeEvent, Role, Team, TeamAssignment
from telesales.people.workreports.models import ReportKind, WorkReport

WEEKLY_WEEKDAY = "workreports.weekly_due_weekday"
WEEKLY_TIME = "workreports.weekly_due_time"
MONTHLY_DAY = "workreports.monthly_due_day"
MONTHLY_TIME = "workreports.monthly_due_time"
DEFAULTS = {WEEKLY_WEEKDAY: 1, WEEKLY_TIME: "10:00", MONTHLY_DAY: 3, MONTHLY_TIME: "18:00"}

TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ROLE_EVENTS = (EmployeeEvent.Kind.PROMOTION, EmployeeEvent.Kind.ROLE_CHANGE)


def time_parse(text: str) -> dt.time:
    """'10:00' → 10:00; raises ValueError for anything else."""
    match = TIME_PATTERN.match((text or "").strip())
    if match is None:
        raise ValueError(text)
    return dt.time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class DueRule:
    """When reports are due: ISO weekday (1 = Monday … 7 = Sunday) and time after the week;
    day of the following month and time after the month."""

    weekly_weekday: int = 1
    weekly_time: dt.time = dt.time(10, 0)
    monthly_day: int = 3
    monthly_time: dt.time = dt.time(18, 0)


def due_rule_current() -> DueRule:
    """The due times from the settings page."""
    from telesales.core.config import setting_get

    return DueRule(
        weekly_weekday=int(setting_get(WEEKLY_WEEKDAY)),
        weekly_time=time_parse(setting_get(WEEKLY_TIME)),
        monthly_day=int(setting_get(MONTHLY_DAY)),
        monthly_time=time_parse(setting_get(MONTHLY_TIME)),
    )


# -- periods -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ReportPeriod:
    start: dt.date
    kind: str
    end: dt.date

    @property
    def code(self) -> str:
        """2026-W23 for a week (its ISO year and number), 2026-06 for a month."""
        if self.kind == ReportKind.WEEKLY:
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"


def period_for(kind: str, start: dt.date) -> ReportPeriod | None:
    """The week starting on a Monday, or the month starting on its 1st; None otherwise."""
    if kind == ReportKind.WEEKLY and start.isoweekday() == 1:
        return ReportPeriod(start, kind, start + dt.timedelta(days=6))
    if kind == ReportKind.MONTHLY and start.day == 1:
        last = calendar.monthrange(start.year, start.month)[1]
        return ReportPeriod(start, kind, start.replace(day=last))
    return None


def period_containing(kind: str, day: dt.date) -> ReportPeriod:
    if kind == ReportKind.WEEKLY:
        return period_for(kind, day - dt.timedelta(days=day.isoweekday() - 1))
    return period_for(kind, day.replace(day=1))


def due_at(period: ReportPeriod, rule: DueRule) -> dt.datetime:
    """The moment a period's report is due (aware, company-local)."""
    zone = timezone.get_default_timezone()
    if period.kind == ReportKind.WEEKLY:
        day = period.end + dt.timedelta(days=rule.weekly_weekday)  # Sunday + n: 1 = Monday
        moment = dt.datetime.combine(day, rule.weekly_time)
    else:
        first = period.end + dt.timedelta(days=1)
        last = calendar.monthrange(first.year, first.month)[1]
        moment = dt.datetime.combine(
            first.replace(day=min(rule.monthly_day, last)), rule.monthly_time
        )
    return timezone.make_aware(moment, zone)


def periods_due_between(first: dt.date, last: dt.date, rule: DueRule) -> list[ReportPeriod]:
    """Every week and month whose report is due on a local date from `first` to `last`, in
    the order they fall due."""
    periods: list[ReportPeriod] = []
    for kind in (ReportKind.WEEKLY, ReportKind.MONTHLY):
        period = period_containing(kind, first - dt.timedelta(days=40))
        while True:
            due_day = timezone.localtime(due_at(period, rule)).date()
            if due_day > last:
                break
            if due_day >= first:
                periods.append(period)
            period = period_containing(kind, period.end + dt.timedelta(days=1))
    return sorted(periods, key=lambda p: (due_at(p, rule), p.kind))


# -- who leads a team when ---------------------------------------------------------------------


@dataclass
class _Person:
    pk: int
    hire_date: dt.date
    leave_date: dt.date | None
    role: str
    role_changes: list[tuple[dt.date, str]] = field(default_factory=list)  # (date, role before)
    assignments: list[tuple[dt.date, dt.date | None, int]] = field(default_factory=list)
    led_now: frozenset[int] = frozenset()

    def employed_on(self, day: dt.date) -> bool:
        return self.hire_date <= day and (self.leave_date is None or self.leave_date > day)

    def role_on(self, day: dt.date) -> str:
        """The role given up by the first role change after `day`, else the current role."""
        dates = [d for d, _role in self.role_changes]
        index = bisect.bisect_right(dates, day)
        return self.role_changes[index][1] if index < len(self.role_changes) else self.role


class Leadership:
    """The supervisors' history, read in a fixed number of queries, answering who led which
    team on a date."""

    def __init__(self, author_ids=None):
        candidates = Employee.objects.filter(
            Q(role=Role.SUPERVISOR)
            | Q(led_teams__isnull=False)
            | Q(events__kind__in=_ROLE_EVENTS, events__from_value=Role.SUPERVISOR)
        )
        if author_ids is not None:
            candidates = candidates.filter(pk__in=list(author_ids))
        rows = candidates.distinct().values_list("pk", "hire_date", "leave_date", "role")
        self.people: dict[int, _Person] = {
            pk: _Person(pk, hire, leave, role) for pk, hire, leave, role in rows
        }
        ids = list(self.people)
        for pk, day, before in (
            EmployeeEvent.objects.filter(
                employee_id__in=ids, kind__in=_ROLE_EVENTS, from_value__in=Role.values
            )
            .order_by("employee_id", "date", "id")
            .values_list("employee_id", "date", "from_value")
        ):
            self.people[pk].role_changes.append((day, before))
        for pk, start, end, team_id in (
            TeamAssignment.objects.filter(employee_id__in=ids)
            .order_by("employee_id", "start")
            .values_list("employee_id", "start", "end", "team_id")
        ):
            self.people[pk].assignments.append((start, end, team_id))
        led: dict[int, set[int]] = defaultdict(set)
        for team_id, supervisor_id in Team.objects.filter(supervisor_id__in=ids).values_list(
            "pk", "supervisor_id"
        ):
            led[supervisor_id].add(team_id)
        for pk, teams in led.items():
            self.people[pk].led_now = frozenset(teams)

    def teams_led_on(self, employee_id: int, day: dt.date) -> frozenset[int]:
        person = self.people.get(employee_id)
        if person is None or not person.employed_on(day) or person.role_on(day) != Role.SUPERVISOR:
            return frozenset()
        covering = [
            (end, team_id)
            for start, end, team_id in person.assignments
            if start <= day and (end is None or end > day)
        ]
        if not covering:
            # Without a team that day: the teams naming them today count when the day falls
            # after all their team history (their current state), never in a past gap.
            after_history = all(
                end is not None and end <= day for _s, end, _t in person.assignments
            )
            return person.led_now if after_history else frozenset()
        teams = {team_id for _end, team_id in covering}
        if any(end is None for end, _team in covering):
            teams |= person.led_now
        return frozenset(teams)


# -- the due list ------------------------------------------------------------------------------

NOT_STARTED = "not_started"
DRAFT = "draft"
RETURNED = "returned"
ON_TIME = "on_time"
LATE = "late"
MISSING = "missing"


@dataclass
class DueReport:
    """A report owed by `author_id` for `period`, due at `due_at`, with its stored row if
    the author has saved it."""

    author_id: int
    period: ReportPeriod
    due_at: dt.datetime
    team_ids: frozenset[int]
    report: WorkReport | None = None
    author: Employee | None = None

    @property
    def kind(self) -> str:
        return self.period.kind

    @property
    def submitted_at(self) -> dt.datetime | None:
        """The first submission: a report returned and submitted again keeps it."""
        return self.report.first_submitted_at if self.report is not None else None

    def is_due(self, now: dt.datetime) -> bool:
        """Counted in report_timeliness: its due time has passed."""
        return self.due_at < now

    @property
    def on_time(self) -> bool:
        return self.submitted_at is not None and self.submitted_at <= self.due_at

    def state(self, now: dt.datetime) -> str:
        report = self.report
        if report is not None and report.first_submitted_at is not None:
            if report.status == WorkReport.Status.RETURNED:
                return RETURNED
            return ON_TIME if self.on_time else LATE
        if self.is_due(now):
            return MISSING
        return DRAFT if report is not None else NOT_STARTED


def reports_due(
    *,
    first: dt.date,
    last: dt.date,
    author_ids=None,
    team_ids=None,
    rule: DueRule | None = None,
    extra_periods: list[ReportPeriod] = (),
) -> list[DueReport]:
    """The reports due on a local date from `first` to `last` (and those of `extra_periods`),
    of the given authors (default: everyone) or, with `team_ids`, owed by whoever led one of
    those teams on each period's last day; each with its stored row. A fixed number of
    queries whatever the number of reports."""
    rule = rule or due_rule_current()
    periods = sorted(set(periods_due_between(first, last, rule)) | set(extra_periods))
    if not periods:
        return []
    leadership = Leadership(author_ids)
    wanted = frozenset(team_ids) if team_ids is not None else None
    items: list[DueReport] = []
    for author_id in sorted(leadership.people):
        for period in periods:
            teams = leadership.teams_led_on(author_id, period.end)
            if not teams or (wanted is not None and not teams & wanted):
                continue
            items.append(DueReport(author_id, period, due_at(period, rule), teams))
    if not items:
        return []
    stored = WorkReport.objects.filter(
        author_id__in={item.author_id for item in items},
        period_start__gte=min(p.start for p in periods),
        period_start__lte=max(p.start for p in periods),
    )
    by_key = {(r.author_id, r.kind, r.period_start): r for r in stored}
    authors = Employee.objects.in_bulk({item.author_id for item in items})
    for item in items:
        item.report = by_key.get((item.author_id, item.kind, item.period.start))
        item.author = authors.get(item.author_id)
    return sorted(items, key=lambda i: (i.due_at, i.author.employee_no if i.author else ""))


def owes(author: Employee, period: ReportPeriod) -> bool:
    """Whether the author owes this period's report (led a team on its last day)."""
    return bool(Leadership([author.pk]).teams_led_on(author.pk, period.end))
