"""Decomposition (source §2.1.1): a parent target shared among its children — the company's
among its teams, a team's among its reps — by equal shares, by each child's share of the
last months' actuals, or by capacity (available working days × ramp-up), exactly to the
cent. A re-split keeps what each child carried before a date and shares the open remainder
among those present from then on. Computing a split stores nothing; services store it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from telesales.core.periods import period_parse
from telesales.org.models import Role, Team
from telesales.org.scopes import scope_for_teams
from telesales.targets.actuals import actual_by_employee, actual_total
from telesales.targets.arithmetic import SplitError, split_exact
from telesales.targets.capacity import (
    Person,
    availability,
    people_load,
    ramp_factors,
    team_reps,
)
from telesales.targets.models import Method, Target
from telesales.targets.phasing import PlanBook, quantum_for
from telesales.targets.workdays import WorkCalendar

ZERO = Decimal(0)
DEFAULT_HISTORY_MONTHS = 3


@dataclass(frozen=True)
class Share:
    """One child's part: its scope, what it keeps from before a re-split, its share of what
    is split, and why (the basis shown in the wizard)."""

    code: str  # E001 or team:T1
    label: str
    employee_id: int | None
    team_id: int | None
    weight: Decimal
    share: Decimal
    kept: Decimal = ZERO
    basis: dict = field(default_factory=dict)

    @property
    def value(self) -> Decimal:
        return self.kept + self.share


@dataclass(frozen=True)
class SplitPlan:
    parent: Target
    method: str
    effective_from: dt.date
    amount: Decimal  # what is shared: the parent's value, or the open remainder
    shares: tuple[Share, ...]
    params: dict
    notes: tuple[str, ...] = ()
    current_split_id: int | None = None  # the split this one replaces, as seen when computed

    @property
    def is_resplit(self) -> bool:
        return self.effective_from > self.parent.start

    def with_values(self, values: dict[str, Decimal]) -> SplitPlan:
        """The same split with some shares set by hand; refused unless they still add up to
        the amount shared, with the difference named."""
        shares = []
        for share in self.shares:
            new = values.get(share.code, share.share)
            if new < 0:
                raise SplitError(_("A share cannot be negative."))
            if new.as_tuple().exponent < -2 or new % quantum_for(self.parent.metric):
                raise SplitError(
                    _("%(code)s: %(value)s is not a whole number of %(step)s.")
                    % {"code": share.code, "value": new, "step": quantum_for(self.parent.metric)}
                )
            shares.append(
                Share(
                    share.code,
                    share.label,
                    share.employee_id,
                    share.team_id,
                    share.weight,
                    new,
                    share.kept,
                    share.basis,
                )
            )
        total = sum((s.share for s in shares), ZERO)
        if total != self.amount:
            message = (
                _("The shares add up to %(total)s, not %(amount)s: %(difference)s too much.")
                if total > self.amount
                else _("The shares add up to %(total)s, not %(amount)s: %(difference)s too little.")
            )
            raise SplitError(
                message
                % {"total": total, "amount": self.amount, "difference": abs(total - self.amount)}
            )
        return SplitPlan(
            self.parent,
            Method.MANUAL,
            self.effective_from,
            self.amount,
            tuple(shares),
            {**self.params, "adjusted_from": self.method},
            self.notes,
            self.current_split_id,
        )


def _history_window(start: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The `months` whole months before `start`."""
    year, month = start.year, start.month - months
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), start - dt.timedelta(days=1)


@dataclass(frozen=True)
class _Child:
    code: str
    label: str
    employee_id: int | None
    team_id: int | None
    members: dict[int, Person]  # a rep: themselves; a team: its reps


def children_of(parent: Target, start: dt.date) -> list[_Child]:
    """Who a target is split among from `start` to its end: a team's reps present then, or
    the company's active teams with reps then."""
    if parent.employee_id:
        raise SplitError(_("A rep's target has nobody under it to split among."))
    if parent.team_id:
        return [
            _Child(p.employee_no, p.label, p.id, None, {p.id: p})
            for p in team_reps(parent.team_id, start, parent.end).values()
        ]
    children = []
    for team in Team.objects.filter(is_active=True).order_by("code"):
        members = team_reps(team.pk, start, parent.end)
        if members:
            children.append(_Child(f"team:{team.code}", str(team), None, team.pk, members))
    return children


def _weights(
    parent: Target,
    method: str,
    children: list[_Child],
    start: dt.date,
    calendar: WorkCalendar,
    history_months: int,
) -> list[tuple[Decimal, dict]]:
    end = parent.end
    if method == Method.EQUAL:
        return [(Decimal(1), {"share": f"1/{len(children)}"}) for _child in children]
    if method == Method.CAPACITY:
        factors = ramp_factors()
        result = []
        for child in children:
            working = leave = 0
            weighted = ZERO
            for person in child.members.values():
                got = availability(
                    person, calendar, start, end, team_id=child.team_id or None, factors=factors
                )
                working, leave = working + got.working_days, leave + got.leave_days
                weighted += got.weighted_days
            result.append(
                (
                    weighted,
                    {
                        "working_days": working,
                        "leave_days": leave,
                        "weighted_days": str(weighted),
                        "ramp_up": ",".join(str(f * 100) for f in factors),
                    },
                )
            )
        return result
    if method == Method.HISTORY:
        first, last = _history_window(parent.start, history_months)
        if parent.team_id:
            actuals = actual_by_employee(
                parent.metric, [c.employee_id for c in children], first, last
            )
            values = [actuals.get(c.employee_id, ZERO) for c in children]
        else:
            values = [
                actual_total(
                    parent.metric,
                    scope_for_teams(Team.objects.filter(pk=c.team_id)),
                    first,
                    last,
                )
                for c in children
            ]
        values = [max(v, ZERO) for v in values]
        basis = {"from": first.isoformat(), "until": last.isoformat()}
        step = quantum_for(parent.metric)
        return [(v, {**basis, "history": str(v.quantize(step))}) for v in values]
    raise SplitError(_("Choose equal, history or capacity."))


def split_compute(
    parent: Target,
    method: str,
    *,
    effective_from: dt.date | None = None,
    history_months: int = DEFAULT_HISTORY_MONTHS,
) -> SplitPlan:
    """The split of `parent` by `method`; with `effective_from` after the period's start, a
    re-split: each child of the current split keeps its plan up to the day before, and the
    rest of the parent is shared among the children present from that day."""
    start = max(effective_from or parent.start, parent.start)
    if start > parent.end:
        raise SplitError(
            _("%(date)s is after the end of %(period)s.") % {"date": start, "period": parent.period}
        )
    children = children_of(parent, start)
    if not children:
        raise SplitError(
            _("%(scope)s has nobody to split the target among in %(period)s.")
            % {"scope": parent.scope_code, "period": parent.period}
        )
    kept: dict[str, tuple[Decimal, str, int | None, int | None]] = {}
    if start > parent.start:
        book = PlanBook(parent.metric, parent.start, parent.end, as_if_staying=True)
        before = start - dt.timedelta(days=1)
        for child in _current_children(parent):
            part = book.target_plan(child)
            label = (
                str(child.employee.employee_no + " " + child.employee.name)
                if child.employee_id
                else str(child.team)
            )
            kept[child.scope_code] = (
                sum((v for d, v in part.items() if d <= before), ZERO),
                label,
                child.employee_id,
                child.team_id,
            )
    amount = parent.value - sum((k[0] for k in kept.values()), ZERO)
    if amount < 0:
        raise SplitError(
            _("More than the target was already planned before %(date)s.") % {"date": start}
        )
    calendar = WorkCalendar.load(min(start, parent.start), parent.end)
    weights = _weights(parent, method, children, start, calendar, history_months)
    if not any(w for w, _basis in weights):
        if method == Method.HISTORY:
            raise SplitError(
                _(
                    "Nobody has any %(metric)s in the %(months)s months before %(period)s; "
                    "split equally or by capacity instead."
                )
                % {
                    "metric": parent.get_metric_display(),
                    "months": history_months,
                    "period": parent.period,
                }
            )
        raise SplitError(
            _("Nobody is available on a working day of %(period)s from %(date)s.")
            % {"period": parent.period, "date": start}
        )
    parts = split_exact(amount, [w for w, _basis in weights], quantum_for(parent.metric))
    shares = []
    for child, (weight, basis), part in zip(children, weights, parts, strict=True):
        carried = kept.pop(child.code, (ZERO,))[0]
        shares.append(
            Share(
                child.code,
                child.label,
                child.employee_id,
                child.team_id,
                weight,
                part,
                carried,
                basis,
            )
        )
    # Children of the current split who are gone by then keep what they carried.
    for code, (carried, label, employee_id, team_id) in kept.items():
        shares.append(Share(code, label, employee_id, team_id, ZERO, ZERO, carried, {"left": True}))
    notes = []
    if calendar.unknown_years:
        notes.append(
            _(
                "The China holiday calendar of %(years)s is not known yet: Monday to Friday are "
                "taken as working days. Add the public holidays as company days off."
            )
            % {"years": ", ".join(str(y) for y in sorted(calendar.unknown_years))}
        )
    params = {"history_months": history_months} if method == Method.HISTORY else {}
    current = parent.splits.filter(superseded_at__isnull=True).values_list("pk", flat=True).first()
    return SplitPlan(parent, method, start, amount, tuple(shares), params, tuple(notes), current)


def _current_children(parent: Target) -> list[Target]:
    """The active children of the parent's current split."""
    split = parent.splits.filter(superseded_at__isnull=True).first()
    if split is None:
        return []
    return list(
        split.children.filter(superseded_at__isnull=True).select_related("employee", "team")
    )


@dataclass(frozen=True)
class Change:
    """Someone who joined or left after the current split, so its remainder needs a re-split."""

    code: str
    label: str
    kind: str  # joined or left
    date: dt.date


def changes_since_split(parent: Target) -> list[Change]:
    """Reps (or teams) who joined the parent's scope after its current split took effect, and
    children who left it (left the company or moved out) after that, within the period."""
    split = parent.splits.filter(superseded_at__isnull=True).first()
    if split is None:
        return []
    current = {c.scope_code: c for c in _current_children(parent)}
    present = {c.code: c for c in children_of(parent, split.effective_from)}
    changes: list[Change] = []
    for code, child in present.items():
        if code in current:
            continue
        first_day = _first_day(child, split.effective_from, parent)
        changes.append(Change(code, child.label, "joined", first_day))
    if parent.team_id:
        ids = [c.employee_id for c in current.values() if c.employee_id]
        people = people_load(ids, parent.start, parent.end)
        for code, child in current.items():
            person = people.get(child.employee_id)
            if person is None:
                continue
            last = _last_day_in_team(person, parent.team_id, parent.end)
            if last is not None and split.effective_from <= last < parent.end:
                changes.append(Change(code, person.label, "left", last + dt.timedelta(days=1)))
    return sorted(changes, key=lambda c: (c.date, c.code))


def _first_day(child: _Child, since: dt.date, parent: Target) -> dt.date:
    """The first day a new child was present (in the team and employed) on or after `since`."""
    firsts = []
    for person in child.members.values():
        day = max(since, person.hire_date)
        while day <= parent.end:
            team = child.team_id or parent.team_id
            if person.employed_on(day) and person.team_on(day) == team:
                firsts.append(day)
                break
            day += dt.timedelta(days=1)
    return min(firsts, default=since)


def _last_day_in_team(person: Person, team_id: int, end: dt.date) -> dt.date | None:
    """The last day up to `end` the person was employed and in the team, when they are gone
    before `end`; None while they stay."""
    if person.role != Role.REP:
        return None
    day = end
    if person.employed_on(day) and person.team_on(day) == team_id:
        return None
    candidates = []
    if person.leave_date is not None and person.leave_date <= end:
        candidates.append(person.leave_date - dt.timedelta(days=1))
    for span_team, _start, until in person.teams:
        if span_team == team_id and until is not None and until <= end:
            candidates.append(until - dt.timedelta(days=1))
    return min(candidates, default=None)


def period_bounds(code: str) -> tuple[str, dt.date, dt.date]:
    """A target's period (2026, 2026-Q3 or 2026-07) as its code and first and last day."""
    period = period_parse(code)
    if period.kind not in {"year", "quarter", "month"}:
        raise SplitError(_("A target is for a year, a quarter or a month, e.g. 2026-Q3."))
    return period.code, period.start, period.end
