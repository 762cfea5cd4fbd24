"""Reads about calls for the pages: scoped call lists, masked numbers, the data-quality
report. Every query starts from calls_visible_to(), so scope is applied once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum

from telesales.calls.models import Call, CallDay, ColumnMapping, Direction
from telesales.core.models import ImportRun
from telesales.org import access
from telesales.org.models import Employee, Role, Team

MASK = "****"


def phone_mask(number: str) -> str:
    """A customer number as shown to someone who does not own the customer: 138****1234
    (first 3 and last 4 kept); a shorter number keeps a quarter at each end."""
    number = (number or "").strip()
    length = len(number)
    if length >= 11:
        return number[:3] + MASK + number[-4:]
    keep = length // 4
    return number[:keep] + "*" * (length - 2 * keep) + number[length - keep :]


@dataclass(frozen=True)
class NumberViewer:
    """Whose customer numbers a user sees in full: an administrator all, anyone else only
    those of their own calls (PRODUCT.md §2)."""

    employee_id: int | None
    sees_all: bool

    def number(self, call: Call) -> str:
        if self.sees_all or (self.employee_id is not None and call.employee_id == self.employee_id):
            return call.customer_number
        return phone_mask(call.customer_number)


def number_viewer(user) -> NumberViewer:
    scope = access.scope_for(user)
    return NumberViewer(
        employee_id=scope.employee.pk if scope.employee is not None else None,
        sees_all=scope.role == Role.ADMIN,
    )


def calls_visible_to(user) -> QuerySet[Call]:
    """Calls of the people in the user's scope; unattributed calls (no employee) only for
    company-wide roles."""
    return Call.objects.filter(access.visible_q(user, "employee"))


@dataclass(frozen=True)
class CallFilter:
    date_from: dt.date
    date_to: dt.date
    employee: Employee | None = None
    team: Team | None = None
    direction: str = ""
    disposition: str = ""
    answered: bool | None = None
    talk_min: int | None = None
    talk_max: int | None = None
    extension: str = ""


def call_list(user, criteria: CallFilter) -> QuerySet[Call]:
    """The user's calls matching the filter, newest first, with the rep joined in."""
    calls = calls_visible_to(user).filter(
        local_date__gte=criteria.date_from, local_date__lte=criteria.date_to
    )
    if criteria.employee is not None:
        calls = calls.filter(employee=criteria.employee)
    if criteria.team is not None:
        # A team's calls are those made by whoever was in the team on the call's date,
        # as the daily roll-up records it.
        calls = calls.filter(
            Exists(
                CallDay.objects.filter(
                    employee_id=OuterRef("employee_id"),
                    day=OuterRef("local_date"),
                    team=criteria.team,
                )
            )
        )
    if criteria.direction:
        calls = calls.filter(direction=criteria.direction)
    if criteria.disposition:
        calls = calls.filter(disposition=criteria.disposition.strip().upper())
    if criteria.answered is not None:
        calls = calls.filter(answered=criteria.answered)
    if criteria.talk_min is not None:
        calls = calls.filter(talk_seconds__gte=criteria.talk_min)
    if criteria.talk_max is not None:
        calls = calls.filter(talk_seconds__lte=criteria.talk_max)
    if criteria.extension:
        calls = calls.filter(extension=criteria.extension.strip())
    return calls.select_related("employee").order_by("-started_at", "-id")


def call_day_totals(days: QuerySet[CallDay]) -> dict[str, int]:
    """Inbound and internal calls of some roll-up rows: shown, not counted in the KPIs."""
    sums = days.aggregate(
        in_calls=Sum("in_calls"),
        in_connected=Sum("in_connected"),
        in_talk_seconds=Sum("in_talk_seconds"),
        in_effective=Sum("in_effective"),
        internal_calls=Sum("internal_calls"),
    )
    return {key: value or 0 for key, value in sums.items()}


# -- data quality ------------------------------------------------------------------------


def unmapped_extensions(limit: int = 200) -> list[dict]:
    """Extensions whose calls belong to nobody, most calls first: the extension map lacks
    them on those dates."""
    rows = (
        Call.objects.filter(employee__isnull=True)
        .exclude(extension="")
        .values("extension")
        .annotate(
            calls=Count("id"),
            first=Min("local_date"),
            last=Max("local_date"),
            outbound=Count("id", filter=Q(direction=Direction.OUTBOUND)),
            inbound=Count("id", filter=Q(direction=Direction.INBOUND)),
            internal=Count("id", filter=Q(direction=Direction.INTERNAL)),
        )
        .order_by("-calls", "extension")
    )
    return list(rows[:limit])


def unattributed_counts() -> dict[str, int]:
    """Calls without a rep: with an extension (mappable) and without one (inbound calls
    that reached no known extension)."""
    return Call.objects.filter(employee__isnull=True).aggregate(
        with_extension=Count("id", filter=~Q(extension="")),
        without_extension=Count("id", filter=Q(extension="")),
    )


def reps_without_extension(day: dt.date) -> QuerySet[Employee]:
    """Reps employed on `day` with no extension valid on it: their calls cannot be
    attributed."""
    from telesales.org.models import Extension

    valid = Extension.objects.filter(employee_id=OuterRef("pk"), valid_from__lte=day).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )
    return (
        Employee.objects.employed_on(day)
        .filter(role=Role.REP)
        .exclude(Exists(valid))
        .select_related("team")
        .order_by("employee_no")
    )


def recent_call_imports(limit: int = 20) -> list[ImportRun]:
    """Call imports that ran (not previews), newest first."""
    return list(
        ImportRun.objects.filter(
            kind="calls", status__in=[ImportRun.Status.DONE, ImportRun.Status.FAILED]
        )
        .select_related("user")
        .order_by("-created_at", "-id")[:limit]
    )


def latest_call_start() -> dt.datetime | None:
    return Call.objects.aggregate(latest=Max("started_at"))["latest"]


def column_mappings() -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.select_related("created_by").order_by("name")
