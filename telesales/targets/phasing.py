"""Phasing (source §2.1.1): a target spread over the working days of its period, so that the
months, weeks and days of a rep's quarter each have their part and the parts add up to the
target exactly. A rep's days are weighted by availability (employed, not on leave) and
ramp-up; a team's or the company's by working days. The target of any stretch of days is
the sum of its daily plan, taken from the most specific target that covers each day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal

from telesales.targets.arithmetic import CENT, ONE, split_exact
from telesales.targets.capacity import Person, day_weights, people_load, ramp_factors
from telesales.targets.models import AMOUNT_METRICS, Target
from telesales.targets.workdays import WorkCalendar, days

ZERO = Decimal(0)


def quantum_for(metric: str) -> Decimal:
    """Amounts split to the cent; counts (calls, deals, customers) to whole units."""
    return CENT if metric in AMOUNT_METRICS else ONE


def segments_of(target: Target) -> list[tuple[dt.date, dt.date, Decimal]]:
    """The pieces a target is phased in: (first day, last day, amount)."""
    if not target.segments:
        return [(target.start, target.end, target.value)]
    starts = [dt.date.fromisoformat(s["from"]) for s in target.segments]
    pieces = []
    for i, segment in enumerate(target.segments):
        last = starts[i + 1] - dt.timedelta(days=1) if i + 1 < len(starts) else target.end
        pieces.append((starts[i], last, Decimal(segment["amount"])))
    return pieces


def phase(
    pieces: Iterable[tuple[dt.date, dt.date, Decimal]],
    calendar: WorkCalendar,
    weights: Callable[[dt.date, dt.date], dict[dt.date, Decimal]],
    quantum: Decimal,
) -> dict[dt.date, Decimal]:
    """Each piece split over its days by their weights; a piece without a weighted day goes
    over its working days, and one without working days over all its days."""
    plan: dict[dt.date, Decimal] = {}
    for start, end, amount in pieces:
        weighted = {day: w for day, w in weights(start, end).items() if w > 0}
        if not weighted:
            weighted = {day: Decimal(1) for day in calendar.workdays(start, end)}
        if not weighted:
            weighted = {day: Decimal(1) for day in days(start, end)}
        for day, part in zip(
            weighted, split_exact(amount, list(weighted.values()), quantum), strict=True
        ):
            plan[day] = plan.get(day, ZERO) + part
    return plan


@dataclass
class Plan:
    """A daily plan: the amount due each day, and the days some target covers."""

    amounts: dict[dt.date, Decimal] = field(default_factory=dict)
    covered: set[dt.date] = field(default_factory=set)
    sources: dict[int, Target] = field(default_factory=dict)  # the targets it comes from

    def total(self, start: dt.date, end: dt.date) -> Decimal | None:
        """The target for the days; None when some day of them has no target."""
        if any(day not in self.covered for day in days(start, end)):
            return None
        return sum((v for day, v in self.amounts.items() if start <= day <= end), ZERO)

    def to_date(self, start: dt.date, through: dt.date) -> Decimal:
        """What is due from `start` up to and including `through`."""
        return sum((v for day, v in self.amounts.items() if start <= day <= through), ZERO)

    def add(self, other: Plan, only: Callable[[dt.date], bool] = lambda day: True) -> None:
        for day, value in other.amounts.items():
            if only(day):
                self.amounts[day] = self.amounts.get(day, ZERO) + value
        self.covered |= {day for day in other.covered if only(day)}
        self.sources.update(other.sources)


class PlanBook:
    """The active targets of one metric over some dates, phased once and read many times
    (the target board reads every rep's plan for four windows from one book)."""

    def __init__(
        self, metric: str, start: dt.date, end: dt.date, *, as_if_staying: bool = False
    ) -> None:
        self.metric = metric
        self.quantum = quantum_for(metric)
        self.targets = list(
            Target.objects.filter(
                metric=metric, superseded_at__isnull=True, start__lte=end, end__gte=start
            ).select_related("employee", "team")
        )
        first = min([t.start for t in self.targets] + [start])
        last = max([t.end for t in self.targets] + [end])
        self.calendar = WorkCalendar.load(first, last)
        self.factors = ramp_factors()
        employee_ids = {t.employee_id for t in self.targets if t.employee_id}
        self.people: dict[int, Person] = people_load(employee_ids, first, last)
        if as_if_staying:
            # The plan as it stood before anyone's leaving was known (a re-split keeps
            # what each child carried up to the change by this plan).
            self.people = {pk: replace(p, leave_date=None) for pk, p in self.people.items()}
        self._by_employee: dict[int, list[Target]] = defaultdict(list)
        self._by_team: dict[int, list[Target]] = defaultdict(list)
        self._company: list[Target] = []
        for target in self.targets:
            if target.employee_id:
                self._by_employee[target.employee_id].append(target)
            elif target.team_id:
                self._by_team[target.team_id].append(target)
            else:
                self._company.append(target)
        self._cache: dict[int, dict[dt.date, Decimal]] = {}

    def target_plan(self, target: Target) -> dict[dt.date, Decimal]:
        if target.pk not in self._cache:
            person = self.people.get(target.employee_id) if target.employee_id else None
            if person is not None:

                def weights(start, end, person=person):
                    return day_weights(person, self.calendar, start, end, self.factors)
            else:

                def weights(start, end):
                    return {day: Decimal(1) for day in self.calendar.workdays(start, end)}

            self._cache[target.pk] = phase(
                segments_of(target), self.calendar, weights, self.quantum
            )
        return self._cache[target.pk]

    def _specific(self, targets: list[Target]) -> Plan:
        """Each day from the shortest target that covers it (a month's own target wins over
        its share of the quarter's)."""
        plan = Plan()
        for target in sorted(targets, key=lambda t: ((t.end - t.start).days, t.pk)):
            fresh = {d for d in days(target.start, target.end) if d not in plan.covered}
            if not fresh:
                continue
            for day, value in self.target_plan(target).items():
                if day in fresh:
                    plan.amounts[day] = value
            plan.covered |= fresh
            plan.sources[target.pk] = target
        return plan

    def employee_plan(self, employee_id: int) -> Plan:
        return self._specific(self._by_employee.get(employee_id, []))

    def team_plan(self, team_id: int, members: dict[int, Person]) -> Plan:
        """The team's own targets where they exist; on other days, the sum of its members'
        plans on the days each was in the team (PRODUCT.md §5)."""
        plan = self._specific(self._by_team.get(team_id, []))
        own = set(plan.covered)
        for person in members.values():
            plan.add(
                self.employee_plan(person.id),
                only=lambda day, person=person: day not in own and person.team_on(day) == team_id,
            )
        return plan

    def company_plan(self, teams: dict[int, dict[int, Person]]) -> Plan:
        plan = self._specific(self._company)
        own = set(plan.covered)
        for team_id, members in teams.items():
            plan.add(self.team_plan(team_id, members), only=lambda day: day not in own)
        return plan

    @property
    def unknown_years(self) -> set[int]:
        return self.calendar.unknown_years
