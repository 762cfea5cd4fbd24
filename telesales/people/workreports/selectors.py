"""Reads about work reports for the pages, the KPI and the appraisal: the due lists with
each report's state, timeliness and quality per author, and a report's history. Each costs a
fixed number of queries whatever the number of reports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from telesales.core.periods import Period
from telesales.org.access import user_employee
from telesales.org.models import Employee
from telesales.people.workreports import access
from telesales.people.workreports.models import ReportKind, WorkReport, WorkReportEvent
from telesales.people.workreports.schedule import (
    LATE,
    MISSING,
    ON_TIME,
    RETURNED,
    DueReport,
    DueRule,
    due_at,
    due_rule_current,
    period_containing,
    period_for,
    reports_due,
)

# Inbox filters beyond the states of a due report.
AWAITING_RATING = "awaiting_rating"
RATED = "rated"
NOT_YET_DUE = "not_yet_due"


def _open_periods(period: Period, today: dt.date, rule: DueRule):
    """The current week and month when they are due after the period: while the period
    runs, its page also offers the report being written now."""
    if not period.start <= today <= period.end:
        return []
    periods = [period_containing(kind, today) for kind in ReportKind.values]
    return [p for p in periods if timezone.localtime(due_at(p, rule)).date() > period.end]


def my_reports(
    employee: Employee,
    period: Period,
    *,
    now: dt.datetime | None = None,
    rule: DueRule | None = None,
) -> list[DueReport]:
    """The reports the employee owes that fall due in the period (and, in the running
    period, the ones being written now), oldest due first."""
    now = now or timezone.now()
    rule = rule or due_rule_current()
    return reports_due(
        first=period.start,
        last=period.end,
        author_ids=[employee.pk],
        rule=rule,
        extra_periods=_open_periods(period, timezone.localtime(now).date(), rule),
    )


def inbox_reports(user, period: Period) -> list[DueReport]:
    """The reports falling due in the period of everyone under the user on the manager line
    (everyone's for HR and administrators), the user's own left out."""
    authors = access.authors_visible_to(user)
    own = None if access.is_system(user) else user_employee(user)
    items = reports_due(first=period.start, last=period.end, author_ids=authors)
    return [item for item in items if own is None or item.author_id != own.pk]


def matches(item: DueReport, status: str, now: dt.datetime) -> bool:
    """Whether a due report passes the inbox's status filter ("" for all)."""
    if not status:
        return True
    report = item.report
    if status == AWAITING_RATING:
        return (
            report is not None
            and report.status == WorkReport.Status.SUBMITTED
            and report.rating is None
        )
    if status == RATED:
        return report is not None and report.rating is not None
    if status == NOT_YET_DUE:
        return not item.is_due(now) and item.submitted_at is None
    return item.state(now) == status


def timeliness_counts(items: list[DueReport], now: dt.datetime) -> tuple[int, int]:
    """(submitted by their due time, due) over the reports whose due time has passed."""
    due = [item for item in items if item.is_due(now)]
    return sum(1 for item in due if item.on_time), len(due)


@dataclass
class AuthorOverview:
    author: Employee
    due: int
    on_time: int
    late: int
    missing: int
    returned: int
    rated: int
    rating_total: int

    @property
    def timeliness(self) -> Decimal | None:
        return Decimal(self.on_time) / Decimal(self.due) if self.due else None

    @property
    def quality(self) -> Decimal | None:
        return Decimal(self.rating_total) / Decimal(self.rated) if self.rated else None


def overview(items: list[DueReport], now: dt.datetime) -> list[AuthorOverview]:
    """Each author's timeliness (submitted by the due time / due, as report_timeliness) and
    mean quality rating of their rated reports among `items`."""
    rows: dict[int, AuthorOverview] = {}
    for item in items:
        row = rows.setdefault(item.author_id, AuthorOverview(item.author, 0, 0, 0, 0, 0, 0, 0))
        state = item.state(now)
        if item.is_due(now):
            row.due += 1
            row.on_time += item.on_time
            row.late += item.submitted_at is not None and not item.on_time
            row.missing += state == MISSING
        row.returned += state == RETURNED
        if item.report is not None and item.report.rating is not None:
            row.rated += 1
            row.rating_total += item.report.rating
    return sorted(rows.values(), key=lambda r: r.author.employee_no)


@dataclass(frozen=True)
class QualityRating:
    """One quality rating, as the appraisal's rated KPI report_quality takes it in."""

    author_id: int
    rater_id: int | None
    rating: int
    comment: str
    rated_at: dt.datetime
    report_id: int


def quality_ratings(*, author_ids, period: Period) -> list[QualityRating]:
    """The current quality ratings of the authors' reports due in the period (the rater
    group is the superior: the author's manager line, or HR and administrators)."""
    items = reports_due(first=period.start, last=period.end, author_ids=author_ids)
    return [
        QualityRating(
            item.author_id,
            item.report.rater_id,
            item.report.rating,
            item.report.rating_comment,
            item.report.rated_at,
            item.report.pk,
        )
        for item in items
        if item.report is not None and item.report.rating is not None
    ]


def report_history(report: WorkReport) -> QuerySet[WorkReportEvent]:
    return report.events.select_related("actor").order_by("at", "id")


def state_counts(items: list[DueReport], now: dt.datetime) -> dict[str, int]:
    counts = {ON_TIME: 0, LATE: 0, MISSING: 0, RETURNED: 0}
    for item in items:
        state = item.state(now)
        if state in counts:
            counts[state] += 1
    return counts


def report_due(report: WorkReport, *, rule: DueRule | None = None) -> DueReport:
    """A stored report as an entry of its author's due list: its due time and state."""
    period = period_for(report.kind, report.period_start)
    rule = rule or due_rule_current()
    return DueReport(
        report.author_id, period, due_at(period, rule), frozenset(), report, report.author
    )
