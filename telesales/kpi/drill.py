"""The drill-down from every KPI to the rows behind it (PRODUCT.md §5: "every KPI shows its
formula, numerator and denominator, and links to the rows behind them").

`DRILL` maps each code of the catalogue (telesales.kpi.registry.DEFINITIONS) to a kind of
rows on the analysis rows page (/analysis/rows/<kind>/) and the filters that pick the rows
its numerator or denominator counts; `drill_url` builds the link for a rep (`rep-<pk>`),
a team (`team-<pk>`) or the teams a supervisor leads (`lead-<pk>`) and a period. The rated
KPIs (process_compliance, report_quality, collaboration, superior_evaluation) come from
ratings, not rows: they have no drill-down.

`drill_rows(kind, scope, period, filters)` gives those rows. Each kind reads the rows from
the same function its KPI counts (the calls' roll-up rule, telesales.kpi.feedback,
telesales.kpi.qa, telesales.people.training.selectors, telesales.kpi.people,
telesales.kpi.workreports), so the row count of a page equals the KPI's numerator or
denominator; it does not decide who may see them: the page removes the rows of people out
of the viewer's scope and counts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from telesales.core.periods import Period
from telesales.kpi.rated import RATED_KPIS
from telesales.org.scopes import KpiScope

# The KPIs whose value is the mean of ratings (PRODUCT.md §5): no rows behind them.
RATED = RATED_KPIS

YES, NO = "yes", "no"


@dataclass(frozen=True)
class Drill:
    """The rows behind one KPI: a kind of the rows page, its filters, and the link text."""

    kind: str
    filters: tuple[tuple[str, str], ...] = ()
    text: Promise | str = ""


def _drill(kind: str, text, **filters: str) -> Drill:
    return Drill(kind, tuple(sorted(filters.items())), text)


_DEALS = gettext_lazy("The deals and refunds")
_WON = gettext_lazy("The deals won")
_DIALLED = gettext_lazy("The dialled calls")
_CONNECTED = gettext_lazy("The connected calls")
_EFFECTIVE = gettext_lazy("The effective calls")
_INTENT = gettext_lazy("The intent customers")

DRILL: dict[str, Drill] = {
    # sales (telesales.kpi.sales, telesales.kpi.targets)
    "sales_amount": _drill("deals", _DEALS),
    "deals_won": _drill("deals", _WON, status="won"),
    "avg_order_value": _drill("deals", _DEALS),
    "sales_per_head": _drill("deals", _DEALS),
    "profit_per_head": _drill("deals", _DEALS),
    "sales_attainment": _drill("deals", _DEALS),
    "key_product_attainment": _drill("deals", gettext_lazy("The key-product deals"), key="1"),
    "deals_won_attainment": _drill("deals", _WON, status="won"),
    # CRM (telesales.kpi.crm)
    "intent_customers": _drill("customers", _INTENT),
    "intent_customers_attainment": _drill("customers", _INTENT),
    "lead_conversion_rate": _drill(
        "customers", gettext_lazy("The converted customers"), converted=YES
    ),
    "crm_completeness": _drill(
        "calls", gettext_lazy("The calls without a timely outcome"), timely=NO
    ),
    # calls (telesales.kpi.calls)
    "call_volume": _drill("dialled", _DIALLED),
    "call_volume_attainment": _drill("dialled", _DIALLED),
    "connected_calls": _drill("dialled", _CONNECTED, answered=YES),
    "connected_calls_attainment": _drill("dialled", _CONNECTED, answered=YES),
    "connection_rate": _drill("dialled", _CONNECTED, answered=YES),
    "avg_talk_seconds": _drill("dialled", _CONNECTED, answered=YES),
    "effective_calls": _drill("dialled", _EFFECTIVE, effective=YES),
    "effective_calls_attainment": _drill("dialled", _EFFECTIVE, effective=YES),
    "effective_call_rate": _drill("dialled", _EFFECTIVE, effective=YES),
    # feedback (telesales.kpi.feedback)
    "csat_rate": _drill("surveys", gettext_lazy("The satisfied responses"), satisfied=YES),
    "complaint_timely_rate": _drill(
        "complaints", gettext_lazy("The complaints counted"), counted=YES
    ),
    # QA (telesales.kpi.qa)
    "qa_score_avg": _drill("reviews", gettext_lazy("The QA reviews")),
    "qa_pass_rate": _drill("reviews", gettext_lazy("The QA reviews passed"), passed=YES),
    # training (telesales.kpi.training)
    "training_completion_rate": _drill("sessions", gettext_lazy("The training sessions due")),
    "training_effect": _drill("course-results", gettext_lazy("The course results")),
    "skill_score_avg": _drill("skills", gettext_lazy("The skill assessments")),
    # the team (telesales.kpi.people)
    "retention_rate": _drill("headcount", gettext_lazy("The headcount and the leavers")),
    "promotions": _drill("promotions", gettext_lazy("The promotions")),
    "attainment_improved_share": _drill(
        "attainment", gettext_lazy("The reps and their two attainments")
    ),
    # work reports (telesales.kpi.workreports)
    "report_timeliness": _drill("reports", gettext_lazy("The reports due")),
}

# The filters each kind understands, with the values each may take.
FILTERS: dict[str, dict[str, tuple[str, ...]]] = {
    "deals": {"status": ("won", "refunded"), "key": ("1",)},
    "customers": {"converted": (YES, NO)},
    "calls": {"timely": (YES, NO)},
    "dialled": {"answered": (YES, NO), "effective": (YES, NO)},
    "surveys": {"satisfied": (YES, NO)},
    "complaints": {"counted": (YES, NO), "timely": (YES, NO)},
    "reviews": {"passed": (YES, NO)},
    "sessions": {"held": (YES, NO)},
    "course-results": {},
    "skills": {},
    "headcount": {"on": ("first", "last"), "left": (YES,)},
    "promotions": {},
    "attainment": {"improved": (YES, NO)},
    "reports": {"on_time": (YES, NO)},
}
KINDS = tuple(FILTERS)


def drill_for(code: str) -> Drill | None:
    """The rows behind a KPI; None for a rated KPI (or a code the catalogue lacks)."""
    return DRILL.get(code)


def drill_url(code: str, *, who: str, period_code: str) -> str | None:
    """The URL of the rows behind a KPI for `who` (rep-<pk>, team-<pk> or lead-<pk>) and a
    period code (2026-09, 2026-Q3, 2026); None for the rated KPIs, which have no rows."""
    from django.urls import reverse

    drill = drill_for(code)
    if drill is None:
        return None
    params = {"who": who, "period": period_code, **dict(drill.filters)}
    return reverse("analysis-rows", args=[drill.kind]) + "?" + urlencode(params)


def clean_filters(kind: str, given) -> dict[str, str]:
    """The filters of the query string this kind understands; anything else is dropped."""
    allowed = FILTERS[kind]
    wanted = {}
    for name, values in allowed.items():
        value = (given.get(name) or "").strip()
        if value in values:
            wanted[name] = value
    return wanted


# -- the rows ----------------------------------------------------------------------------------


@dataclass
class Rows:
    """The rows of one kind for a scope and period, filtered: a queryset, or a list for the
    kinds computed in Python. `employee` names the field (queryset) or attribute (list) of
    the person each row belongs to, which decides whether the viewer sees it."""

    items: QuerySet | list
    employee: str = "employee"
    totals: dict = field(default_factory=dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.items, list)


def dialled_calls(scope: KpiScope, period: Period) -> QuerySet:
    """The outbound calls behind the call KPIs, by the rule of the daily roll-ups they are
    counted from (telesales.kpi.calls.call_days): a rep's calls, or, for a team, the calls
    of people whose roll-up of the call's date puts them in the team and a rep that day."""
    from telesales.calls.models import Call, CallDay, Direction

    calls = Call.objects.filter(
        direction=Direction.OUTBOUND,
        employee__isnull=False,
        local_date__gte=period.start,
        local_date__lte=period.end,
    )
    if not scope.is_team:
        return calls.filter(employee_id=scope.employee_id)
    day = CallDay.objects.filter(
        employee_id=OuterRef("employee_id"),
        day=OuterRef("local_date"),
        team_id__in=scope.team_ids,
        rep=True,
    )
    return calls.filter(Exists(day))


def effective_seconds() -> int:
    from telesales.calls.rollups import effective_seconds as current

    return current()


def _yes(value: str) -> bool:
    return value == YES


def _deals(scope, period, filters) -> Rows:
    from telesales.kpi.sales import deals_in_scope

    rows = deals_in_scope(scope, period)
    if "status" in filters:
        rows = rows.filter(status=filters["status"])
    if "key" in filters:
        rows = rows.filter(product__key_product=True)
    rows = rows.select_related("employee", "product", "customer").order_by("-closed_on", "-id")
    return Rows(rows)


def _customers(scope, period, filters) -> Rows:
    from telesales.kpi.crm import converted, intent_customers_in_scope

    rows = intent_customers_in_scope(scope, period).annotate(converted=converted(period))
    if "converted" in filters:
        rows = rows.filter(converted=_yes(filters["converted"]))
    return Rows(rows.select_related("owner").order_by("intent_on", "id"), "owner")


def _calls(scope, period, filters) -> Rows:
    from telesales.kpi.crm import connected_calls_in_scope, timely

    rows = connected_calls_in_scope(scope, period).annotate(timely=timely())
    if "timely" in filters:
        rows = rows.filter(timely=_yes(filters["timely"]))
    return Rows(rows.select_related("employee").order_by("-started_at", "-id"))


def _dialled(scope, period, filters) -> Rows:
    threshold = effective_seconds()
    effective = Q(answered=True, talk_seconds__gte=threshold)
    rows = dialled_calls(scope, period)
    if "answered" in filters:
        rows = rows.filter(answered=_yes(filters["answered"]))
    if "effective" in filters:
        rows = rows.filter(effective) if _yes(filters["effective"]) else rows.exclude(effective)
    rows = rows.select_related("employee").order_by("-started_at", "-id")
    return Rows(rows, totals={"threshold": threshold})


def _surveys(scope, period, filters) -> Rows:
    from telesales.kpi.feedback import SATISFIED_SCORE, survey_rows

    rows = survey_rows(scope, period)
    if "satisfied" in filters:
        satisfied = Q(score__gte=SATISFIED_SCORE)
        rows = rows.filter(satisfied) if _yes(filters["satisfied"]) else rows.exclude(satisfied)
    rows = rows.select_related("employee", "customer").order_by("-responded_on", "-id")
    return Rows(rows)


def complaint_conditions(now: dt.datetime) -> tuple[Q, Q]:
    """(counted, timely) as complaint_timely_rate decides them at `now`: counted when
    resolved or past its SLA; timely when resolved by its due time."""
    resolved = Q(resolved_at__isnull=False)
    return resolved | Q(due_at__lt=now), resolved & Q(resolved_at__lte=F("due_at"))


def _complaints(scope, period, filters, now=None) -> Rows:
    from telesales.kpi.feedback import complaint_rows

    counted, timely = complaint_conditions(now or timezone.now())
    rows = complaint_rows(scope, period)
    if "counted" in filters:
        rows = rows.filter(counted) if _yes(filters["counted"]) else rows.exclude(counted)
    if "timely" in filters:
        # "no": counted and not in time (resolved late, or still open past its SLA)
        rows = rows.filter(timely) if _yes(filters["timely"]) else rows.filter(counted & ~timely)
    rows = rows.select_related("employee", "customer").order_by("-opened_at", "-id")
    return Rows(rows)


def _reviews(scope, period, filters) -> Rows:
    from telesales.kpi.qa import review_rows

    rows = review_rows(scope, period)
    if "passed" in filters:
        rows = rows.filter(passed=True) if _yes(filters["passed"]) else rows.exclude(passed=True)
    rows = rows.select_related("call", "call__employee", "reviewer").order_by("-reviewed_at", "-id")
    return Rows(rows, "call__employee")


def _sessions(scope, period, filters) -> Rows:
    from telesales.people.training.models import TrainingSession
    from telesales.people.training.selectors import sessions_due

    rows = sessions_due(scope, period.start, period.end)
    held = Q(status=TrainingSession.Status.HELD)
    if "held" in filters:
        rows = rows.filter(held) if _yes(filters["held"]) else rows.exclude(held)
    rows = rows.select_related("plan", "trainer").order_by("-date", "-start_time", "-id")
    return Rows(rows, "")  # a session is no one person's: training's own rule decides


def _course_results(scope, period, filters) -> Rows:
    from telesales.people.training.selectors import course_results

    rows = course_results(scope, period.start, period.end)
    rows = rows.select_related("assessment", "assessment__session", "employee").order_by(
        "-assessment__date", "employee__employee_no", "id"
    )
    return Rows(rows)


def _skills(scope, period, filters) -> Rows:
    from telesales.people.training.selectors import skill_results

    rows = skill_results(scope, period.start, period.end)
    rows = rows.select_related("assessment", "assessment__session", "employee").order_by(
        "-assessment__date", "employee__employee_no", "id"
    )
    return Rows(rows)


@dataclass
class HeadcountRow:
    employee: object
    on_first: bool
    on_last: bool
    left_on: dt.date | None

    @property
    def employee_id(self) -> int:
        return self.employee.pk


def _headcount(scope, period, filters) -> Rows:
    """The reps on the period's first day, on its last day, and the leavers of
    retention_rate: headcount on the first day + on the last day = 2 × avg_headcount."""
    from telesales.kpi.people import leavers
    from telesales.org.membership import reps_on
    from telesales.org.models import Employee

    first = set(reps_on(scope, period.start).values_list("pk", flat=True))
    last = set(reps_on(scope, period.end).values_list("pk", flat=True))
    left = set(leavers(scope, period))
    people = Employee.objects.filter(pk__in=first | last | left).order_by("employee_no")
    items = [
        HeadcountRow(e, e.pk in first, e.pk in last, e.leave_date if e.pk in left else None)
        for e in people
    ]
    if filters.get("on") == "first":
        items = [row for row in items if row.on_first]
    elif filters.get("on") == "last":
        items = [row for row in items if row.on_last]
    if filters.get("left") == YES:
        items = [row for row in items if row.left_on is not None]
    totals = {"first": len(first), "last": len(last), "leavers": len(left)}
    totals["average"] = Decimal(len(first) + len(last)) / 2
    return Rows(items, totals=totals)


def _promotions(scope, period, filters) -> Rows:
    from telesales.kpi.people import promotion_events
    from telesales.org.models import Employee

    events = promotion_events(scope, period)
    people = Employee.objects.in_bulk({event.employee_id for event in events})
    for event in events:
        event.person = people.get(event.employee_id)
    events.sort(key=lambda e: (e.date, e.pk), reverse=True)
    return Rows(events)


@dataclass
class AttainmentRow:
    employee: object
    before: Decimal
    after: Decimal

    @property
    def employee_id(self) -> int:
        return self.employee.pk

    @property
    def improved(self) -> bool:
        return self.after > self.before


def _attainment(scope, period, filters) -> Rows:
    from telesales.kpi.people import attainment_changes
    from telesales.org.models import Employee

    changes = attainment_changes(scope, period)
    people = Employee.objects.in_bulk([pk for pk, _b, _a in changes])
    items = [AttainmentRow(people[pk], before, after) for pk, before, after in changes]
    items.sort(key=lambda row: row.employee.employee_no)
    if "improved" in filters:
        items = [row for row in items if row.improved == _yes(filters["improved"])]
    return Rows(items, totals={"previous": period.previous()})


def _reports(scope, period, filters, now=None) -> Rows:
    """The reports due in the period whose due time has passed (report_timeliness counts
    those), with whether each came in by its due time."""
    from telesales.kpi.workreports import report_rows

    now = now or timezone.now()
    items = [item for item in report_rows(scope, period) if item.is_due(now)]
    if "on_time" in filters:
        items = [item for item in items if item.on_time == _yes(filters["on_time"])]
    items.sort(key=lambda item: item.due_at, reverse=True)
    return Rows(items, "author")


_SOURCES = {
    "deals": _deals,
    "customers": _customers,
    "calls": _calls,
    "dialled": _dialled,
    "surveys": _surveys,
    "complaints": _complaints,
    "reviews": _reviews,
    "sessions": _sessions,
    "course-results": _course_results,
    "skills": _skills,
    "headcount": _headcount,
    "promotions": _promotions,
    "attainment": _attainment,
    "reports": _reports,
}


def drill_rows(kind: str, scope: KpiScope, period: Period, filters: dict[str, str]) -> Rows:
    """The rows of `kind` behind the KPIs of a scope and period, with the given filters
    (see clean_filters); every row, whoever may see it."""
    return _SOURCES[kind](scope, period, filters)
