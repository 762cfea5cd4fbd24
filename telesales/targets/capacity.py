"""Who is available to carry a target, and how much: the working days each person is
employed, in the team and not on leave, weighted by the ramp-up factor of a new hire
(by default 40 % in the first month of service, 70 % in the second, 100 % after)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from telesales.core.config import setting_get
from telesales.org.models import Absence, Employee, Role, TeamAssignment
from telesales.targets.workdays import WorkCalendar

DEFAULT_RAMP_UP = "40,70,100"
HUNDRED = Decimal(100)


def ramp_parse(text: str) -> tuple[Decimal, ...]:
    """'40,70,100' → (0.4, 0.7, 1): the factor of the 1st, 2nd, … month of service; the last
    one holds from then on."""
    try:
        factors = tuple(Decimal(part.strip()) / HUNDRED for part in str(text).split(",") if part)
    except ArithmeticError as exc:
        raise ValueError(
            _("Write the ramp-up as percentages separated by commas, e.g. 40,70,100.")
        ) from exc
    if not factors or any(f < 0 or f > 2 for f in factors):
        raise ValueError(
            _("Write the ramp-up as percentages between 0 and 200 separated by commas.")
        )
    return factors


def ramp_factors() -> tuple[Decimal, ...]:
    return ramp_parse(setting_get("targets.ramp_up"))


def months_of_service(hire_date: dt.date, day: dt.date) -> int:
    """0 in the first month after hire_date (up to the same day of the next month), 1 in
    the second, and so on."""
    months = (day.year - hire_date.year) * 12 + day.month - hire_date.month
    if day.day < hire_date.day:
        months -= 1
    return max(months, 0)


@dataclass(frozen=True)
class Person:
    """What the split and the phasing need to know of one employee."""

    id: int
    employee_no: str
    name: str
    role: str
    hire_date: dt.date
    leave_date: dt.date | None
    absences: tuple[tuple[dt.date, dt.date], ...] = ()
    teams: tuple[tuple[int, dt.date, dt.date | None], ...] = ()  # team, from, until (excl.)

    @property
    def label(self) -> str:
        return f"{self.employee_no} {self.name}"

    def employed_on(self, day: dt.date) -> bool:
        return self.hire_date <= day and (self.leave_date is None or day < self.leave_date)

    def absent_on(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.absences)

    def available_on(self, day: dt.date) -> bool:
        """Employed and not on leave (whether it is a working day is the calendar's say)."""
        return self.employed_on(day) and not self.absent_on(day)

    def team_on(self, day: dt.date) -> int | None:
        for team_id, start, end in self.teams:
            if start <= day and (end is None or day < end):
                return team_id
        return None

    def ramp(self, day: dt.date, factors: tuple[Decimal, ...]) -> Decimal:
        return factors[min(months_of_service(self.hire_date, day), len(factors) - 1)]


def people_load(employee_ids, start: dt.date, end: dt.date) -> dict[int, Person]:
    """The people with their leave and team history over the dates, in three queries."""
    absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for employee_id, first, last in Absence.objects.filter(
        employee_id__in=employee_ids, start__lte=end, end__gte=start
    ).values_list("employee_id", "start", "end"):
        absences[employee_id].append((first, last))
    teams: dict[int, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for employee_id, team_id, first, until in (
        TeamAssignment.objects.filter(employee_id__in=employee_ids, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .order_by("start")
        .values_list("employee_id", "team_id", "start", "end")
    ):
        teams[employee_id].append((team_id, first, until))
    people = {}
    for row in Employee.objects.filter(pk__in=employee_ids).values(
        "pk", "employee_no", "name", "role", "hire_date", "leave_date", "team_id"
    ):
        spans = teams.get(row["pk"]) or (
            [(row["team_id"], row["hire_date"], None)] if row["team_id"] else []
        )
        people[row["pk"]] = Person(
            id=row["pk"],
            employee_no=row["employee_no"],
            name=row["name"],
            role=row["role"],
            hire_date=row["hire_date"],
            leave_date=row["leave_date"],
            absences=tuple(absences.get(row["pk"], ())),
            teams=tuple(spans),
        )
    return people


def team_reps(team_id: int, start: dt.date, end: dt.date) -> dict[int, Person]:
    """The reps who belong to the team on at least one day between the dates (by the team
    history) and are employed then."""
    ids = set(
        TeamAssignment.objects.filter(team_id=team_id, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gt=start))
        .values_list("employee_id", flat=True)
    )
    ids |= set(
        Employee.objects.filter(team_id=team_id, hire_date__lte=end)
        .exclude(team_assignments__isnull=False)
        .values_list("pk", flat=True)
    )
    people = people_load(
        Employee.objects.filter(pk__in=ids, role=Role.REP)
        .employed_between(start, end)
        .values_list("pk", flat=True),
        start,
        end,
    )
    return dict(sorted(people.items(), key=lambda item: item[1].employee_no))


@dataclass(frozen=True)
class Availability:
    working_days: int  # working days employed, in the team and not on leave
    leave_days: int  # working days employed and in the team but on leave
    weighted_days: Decimal  # working days × ramp-up factor


def availability(
    person: Person,
    calendar: WorkCalendar,
    start: dt.date,
    end: dt.date,
    *,
    team_id: int | None = None,
    factors: tuple[Decimal, ...] = (Decimal(1),),
) -> Availability:
    working = leave = 0
    weighted = Decimal(0)
    for day in calendar.workdays(start, end):
        if not person.employed_on(day) or (team_id is not None and person.team_on(day) != team_id):
            continue
        if person.absent_on(day):
            leave += 1
            continue
        working += 1
        weighted += person.ramp(day, factors)
    return Availability(working, leave, weighted)


def day_weights(
    person: Person,
    calendar: WorkCalendar,
    start: dt.date,
    end: dt.date,
    factors: tuple[Decimal, ...],
) -> dict[dt.date, Decimal]:
    """The weight of each working day a person is available (their ramp-up factor that day)."""
    return {
        day: person.ramp(day, factors)
        for day in calendar.workdays(start, end)
        if person.available_on(day)
    }
