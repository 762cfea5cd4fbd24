"""Reads of the ledger, the recognition wall, team activities and check-ins for the pages,
always through the scoped querysets of telesales.people.morale.access. Each costs a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, F, Max, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber, TruncMonth

from telesales.core.periods import Period
from telesales.org.models import Employee, Team
from telesales.people.morale import access
from telesales.people.morale.models import CheckIn, LedgerEntry, TeamActivity

Kind = LedgerEntry.Kind
ZERO = Decimal(0)
WALL_SIZE = 60

# An entry stands when it is neither a reversal nor reversed: what counts as "given".
STANDING = Q(reverses__isnull=True, reversal__isnull=True)


# -- the ledger --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerFilter:
    period: Period
    employee: Employee | None = None
    team: Team | None = None
    kind: str = ""


def ledger_list(user, criteria: LedgerFilter) -> QuerySet[LedgerEntry]:
    """The user's entries dated in the period, newest first, each with what it reverses and
    what reversed it."""
    entries = access.ledger_visible_to(user).filter(
        date__gte=criteria.period.start, date__lte=criteria.period.end
    )
    if criteria.employee is not None:
        entries = entries.filter(employee=criteria.employee)
    if criteria.team is not None:
        entries = entries.filter(team=criteria.team)
    if criteria.kind:
        entries = entries.filter(kind=criteria.kind)
    return entries.select_related(
        "employee", "team", "granted_by", "granted_by__employee", "reverses", "reversal"
    ).order_by("-date", "-id")


def _totals() -> dict:
    """The aggregates of a group of entries: reversals carry negated values, so sums net
    them out; counts are of standing entries."""
    return {
        "recognitions": Count("pk", filter=Q(kind=Kind.RECOGNITION) & STANDING),
        "rewards": Count("pk", filter=Q(kind=Kind.REWARD) & STANDING),
        "penalties": Count("pk", filter=Q(kind=Kind.PENALTY) & STANDING),
        "points_given": Sum("points", filter=~Q(kind=Kind.PENALTY), default=0),
        "points_taken": Sum("points", filter=Q(kind=Kind.PENALTY), default=0),
        "reward_amount": Sum("amount", filter=Q(kind=Kind.REWARD), default=ZERO),
        "penalty_amount": Sum("amount", filter=Q(kind=Kind.PENALTY), default=ZERO),
    }


def _finish(row: dict) -> dict:
    row["points"] = row["points_given"] - row["points_taken"]
    row["net_amount"] = row["reward_amount"] - row["penalty_amount"]
    return row


def ledger_totals(entries: QuerySet[LedgerEntry]) -> dict:
    """Totals of the entries: counts of standing recognitions, rewards and penalties, net
    points (recognitions and rewards minus penalties), reward and penalty amounts."""
    return _finish(entries.order_by().aggregate(**_totals()))


def ledger_totals_by_person(entries: QuerySet[LedgerEntry]) -> list[dict]:
    """ledger_totals per employee, in one query."""
    rows = (
        entries.order_by()
        .values("employee_id", "employee__employee_no", "employee__name")
        .annotate(**_totals())
        .order_by("employee__employee_no")
    )
    return [_finish(row) for row in rows]


def ledger_totals_by_team(entries: QuerySet[LedgerEntry]) -> list[dict]:
    """ledger_totals per team (the employee's team on each entry's date), in one query."""
    rows = (
        entries.order_by()
        .values("team_id", "team__code", "team__name")
        .annotate(**_totals())
        .order_by("team__code")
    )
    return [_finish(row) for row in rows]


def wall_entries(team: Team, *, limit: int = WALL_SIZE) -> list[LedgerEntry]:
    """The team's standing recognitions, newest first: only recognitions, never rewards or
    penalties."""
    return list(
        LedgerEntry.objects.filter(team=team, kind=Kind.RECOGNITION)
        .filter(STANDING)
        .select_related("employee", "granted_by", "granted_by__employee")
        .order_by("-date", "-id")[:limit]
    )


def ledger_of(employee: Employee) -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(employee=employee)
        .select_related("granted_by", "granted_by__employee", "reverses", "reversal")
        .order_by("-date", "-id")
    )


# -- team activities ---------------------------------------------------------------------------


def activity_list(user, *, period: Period, team: Team | None = None) -> QuerySet[TeamActivity]:
    activities = access.activities_visible_to(user).filter(
        date__gte=period.start, date__lte=period.end
    )
    if team is not None:
        activities = activities.filter(team=team)
    return (
        activities.select_related("team")
        .annotate(people=Count("participants"))
        .order_by("-date", "-id")
    )


def activity_totals(activities: QuerySet[TeamActivity]) -> dict:
    return activities.order_by().aggregate(
        count=Count("pk", distinct=True), cost=Sum("cost", default=ZERO)
    )


# -- check-ins ---------------------------------------------------------------------------------


def checkins_of(employee: Employee) -> QuerySet[CheckIn]:
    """An employee's check-ins, oldest first (the trend reads left to right)."""
    return (
        CheckIn.objects.filter(employee=employee)
        .select_related("held_by", "team")
        .order_by("date", "id")
    )


def people_with_latest_checkin(people: QuerySet[Employee]) -> QuerySet[Employee]:
    """The people, each with the date and score of their latest check-in and their number
    of check-ins, in one query."""
    latest = CheckIn.objects.filter(employee=OuterRef("pk")).order_by("-date", "-id")
    return (
        people.select_related("team")
        .annotate(
            last_checkin=Max("checkins__date"),
            last_morale=Subquery(latest.values("morale")[:1]),
            checkin_count=Count("checkins", distinct=True),
        )
        .order_by("team__code", "employee_no")
    )


def latest_checkins(employee_ids, *, count: int = 3) -> dict[int, list[dict]]:
    """{employee: their latest `count` check-ins, newest first} in one query."""
    rows = (
        CheckIn.objects.filter(employee_id__in=list(employee_ids))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("employee_id")],
                order_by=[F("date").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=count)
        .values("employee_id", "date", "morale", "rank")
        .order_by("employee_id", "rank")
    )
    result: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        result[row["employee_id"]].append(row)
    return result


@dataclass(frozen=True)
class MonthAverage:
    month: dt.date
    average: Decimal
    count: int


def team_morale_by_month(
    team_ids, start: dt.date, end: dt.date
) -> dict[int, dict[dt.date, MonthAverage]]:
    """{team: {first day of month: mean morale of the check-ins held in its reps' team that
    month}} in one query; a check-in counts for the team the employee was in on its date."""
    rows = (
        CheckIn.objects.filter(team_id__in=list(team_ids), date__gte=start, date__lte=end)
        .annotate(month=TruncMonth("date"))
        .values("team_id", "month")
        .annotate(average=Avg("morale"), count=Count("pk"))
        .order_by("team_id", "month")
    )
    result: dict[int, dict[dt.date, MonthAverage]] = defaultdict(dict)
    for row in rows:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        result[row["team_id"]][month] = MonthAverage(
            month, Decimal(str(row["average"])), row["count"]
        )
    return result


def months_back(today: dt.date, count: int) -> list[dt.date]:
    """The first days of the last `count` months up to and including today's, oldest first."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))
