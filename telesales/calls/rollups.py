"""The daily roll-up per employee (CallDay), kept exact: imports add what they insert,
and anything that changes stored calls (a merged leg, a late extension mapping, a new
effective-call threshold, a team change) rebuilds the days it touched from the calls."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection

from telesales.calls.models import CallDay

_COUNTS = (
    "out_calls",
    "out_connected",
    "out_talk_seconds",
    "out_effective",
    "in_calls",
    "in_connected",
    "in_talk_seconds",
    "in_effective",
    "internal_calls",
)
_TEAM_ON_DAY = """COALESCE(
    (SELECT ta.team_id FROM org_teamassignment ta
      WHERE ta.employee_id = {emp} AND ta.start <= {day}
        AND (ta."end" IS NULL OR ta."end" > {day})
      ORDER BY ta.start DESC LIMIT 1),
    (SELECT e.team_id FROM org_employee e WHERE e.id = {emp}))"""


_ROLE_ON_DAY = """(COALESCE(
    (SELECT ev.from_value FROM org_employeeevent ev
      WHERE ev.employee_id = {emp} AND ev.date > {day}
        AND ev.kind IN ('promotion', 'role_change') AND ev.from_value IN ({roles})
      ORDER BY ev.date, ev.id LIMIT 1),
    (SELECT e.role FROM org_employee e WHERE e.id = {emp})) = 'rep')"""


def _role_codes() -> str:
    from telesales.org.models import Role

    return ", ".join(f"'{code}'" for code in Role.values)


def effective_seconds() -> int:
    from telesales.core.config import setting_get

    return int(setting_get("calls.effective_seconds"))


def _aggregate_sql(where: str) -> str:
    team = _TEAM_ON_DAY.format(emp="c.employee_id", day="c.local_date")
    rep = _ROLE_ON_DAY.format(emp="c.employee_id", day="c.local_date", roles=_role_codes())
    return f"""
        INSERT INTO calls_callday (employee_id, day, team_id, rep, {", ".join(_COUNTS)})
        SELECT c.employee_id, c.local_date, {team}, {rep},
          SUM(CASE WHEN c.direction = 'outbound' THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.direction = 'outbound' AND c.answered THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.direction = 'outbound' AND c.answered THEN c.talk_seconds ELSE 0 END),
          SUM(CASE WHEN c.direction = 'outbound' AND c.answered AND c.talk_seconds >= %s
              THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.direction = 'inbound' THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.direction = 'inbound' AND c.answered THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.direction = 'inbound' AND c.answered THEN c.talk_seconds ELSE 0 END),
          SUM(CASE WHEN c.direction = 'inbound' AND c.answered AND c.talk_seconds >= %s
              THEN 1 ELSE 0 END),
          SUM(CASE WHEN c.direction = 'internal' THEN 1 ELSE 0 END)
        FROM calls_call c
        WHERE c.employee_id IS NOT NULL {where}
        GROUP BY c.employee_id, c.local_date"""


def rollup_rebuild(
    employee_ids: Iterable[int] | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    threshold: int | None = None,
) -> None:
    """Recompute the roll-ups of these employees (all when None) for start..end inclusive."""
    threshold = effective_seconds() if threshold is None else threshold
    ids = None if employee_ids is None else sorted(set(employee_ids))
    if ids == []:
        return
    day_filter = CallDay.objects.all()
    where, params = "", [threshold, threshold]
    if ids is not None:
        day_filter = day_filter.filter(employee_id__in=ids)
        where += f" AND c.employee_id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    if start is not None:
        day_filter = day_filter.filter(day__gte=start)
        where += " AND c.local_date >= %s"
        params.append(start)
    if end is not None:
        day_filter = day_filter.filter(day__lte=end)
        where += " AND c.local_date <= %s"
        params.append(end)
    day_filter.delete()
    with connection.cursor() as cursor:
        cursor.execute(_aggregate_sql(where), params)


def rollup_rebuild_keys(keys: Iterable[tuple[int | None, dt.date]]) -> None:
    """Recompute the given (employee, day) roll-ups, one date range per employee."""
    ranges: dict[int, list[dt.date]] = {}
    for employee_id, day in keys:
        if employee_id is None:
            continue
        span = ranges.setdefault(employee_id, [day, day])
        span[0], span[1] = min(span[0], day), max(span[1], day)
    threshold = effective_seconds()
    by_range: dict[tuple[dt.date, dt.date], list[int]] = defaultdict(list)
    for employee_id, (first, last) in ranges.items():
        by_range[(first, last)].append(employee_id)
    for (first, last), ids in by_range.items():
        rollup_rebuild(ids, first, last, threshold=threshold)


def rollup_add(rows: list[tuple]) -> None:
    """Add the counts of newly inserted calls to their days, creating the days; a row is
    (employee, day, team, rep, then the counts in _COUNTS order)."""
    if not rows:
        return
    columns = ", ".join(_COUNTS)
    updates = ", ".join(f"{c} = calls_callday.{c} + excluded.{c}" for c in _COUNTS)
    sql = (
        f"INSERT INTO calls_callday (employee_id, day, team_id, rep, {columns}) "
        f"VALUES ({', '.join(['%s'] * (4 + len(_COUNTS)))}) "
        f"ON CONFLICT (employee_id, day) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def rollup_refresh_people(employee_id: int) -> None:
    """After a team or role change: each of the employee's days takes that day's team and
    whether they were a rep that day."""
    emp, day = "calls_callday.employee_id", "calls_callday.day"
    team = _TEAM_ON_DAY.format(emp=emp, day=day)
    rep = _ROLE_ON_DAY.format(emp=emp, day=day, roles=_role_codes())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE calls_callday SET team_id = {team}, rep = {rep} WHERE employee_id = %s",
            [employee_id],
        )


class TeamCalendar:
    """Each employee's team and role on any date, loaded once (for an import's roll-ups)."""

    def __init__(self):
        from telesales.org.models import Employee, EmployeeEvent, Role, TeamAssignment

        self.spans: dict[int, list[tuple[dt.date, dt.date | None, int]]] = defaultdict(list)
        for employee_id, team_id, start, end in TeamAssignment.objects.order_by(
            "-start"
        ).values_list("employee_id", "team_id", "start", "end"):
            self.spans[employee_id].append((start, end, team_id))
        self.current = dict(Employee.objects.values_list("pk", "team_id"))
        self.roles = dict(Employee.objects.values_list("pk", "role"))
        self.role_changes: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
        for employee_id, day, role in EmployeeEvent.objects.filter(
            kind__in=[EmployeeEvent.Kind.PROMOTION, EmployeeEvent.Kind.ROLE_CHANGE],
            from_value__in=Role.values,
        ).values_list("employee_id", "date", "from_value"):
            self.role_changes[employee_id].append((day, role))  # ordered by date, id

    def rep_on(self, employee_id: int, day: dt.date) -> bool:
        for changed, previous_role in self.role_changes.get(employee_id, ()):
            if changed > day:
                return previous_role == "rep"
        return self.roles.get(employee_id) == "rep"

    def people_on(self, employee_id: int, day: dt.date) -> tuple[int | None, bool]:
        return self.team_on(employee_id, day), self.rep_on(employee_id, day)

    def team_on(self, employee_id: int, day: dt.date) -> int | None:
        for start, end, team_id in self.spans.get(employee_id, ()):
            if start <= day and (end is None or end > day):
                return team_id
        return self.current.get(employee_id)
