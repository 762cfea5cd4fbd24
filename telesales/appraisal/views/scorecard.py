"""Appraisal pages: the list of appraisals (mine, those I rate, those in my scope) and the
scorecard of one appraisal (PRODUCT.md §5, §6, §6.6): the total and grade with the calibration,
every category and KPI with its numbers and a link to the rows behind them, every
redistribution in a sentence, the previous period beside this one, and the monthly tracking of
a quarter still open. Every page reads through `telesales.appraisal.access`; an appraisal the
user may not see is a 404 and nothing changes."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.appraisal import access
from telesales.appraisal.models import (
    AppliesTo,
    Appraisal,
    AppraisalStatus,
    CycleKind,
    Snapshot,
)
from telesales.appraisal.workflow import FROZEN
from telesales.org import access as org_access
from telesales.org.models import Role

PAGE_SIZE = 25
# Who sees the appraisals of the people in their scope (PRODUCT.md §2).
SCOPE_ROLES = frozenset({Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN})
# The rated KPIs of PRODUCT.md §5, which the KPI registry does not compute.
RATED_LABELS = {
    "process_compliance": gettext_lazy("Process execution and improvement"),
    "report_quality": gettext_lazy("Data and report quality"),
    "collaboration": gettext_lazy("Internal collaboration and cross-department communication"),
    "superior_evaluation": gettext_lazy("Overall evaluation by the superior"),
}
DASH = "—"


def _today() -> dt.date:
    return timezone.localdate()


# -- formatting ----------------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def fmt_score(value) -> str:
    """A score (or a weight) with 2 decimals, rounded half-up, as the user's language writes it."""
    number = _decimal(value)
    if number is None:
        return DASH
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return number_format(number, decimal_pos=2, force_grouping=True)


def fmt_number(value) -> str:
    """An amount or count with grouping, cents only when there are some."""
    number = _decimal(value)
    if number is None:
        return DASH
    number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return number_format(number, decimal_pos=2 if number % 1 else 0, force_grouping=True)


def fmt_percent(value) -> str:
    """A rate as a percentage with up to 2 decimals (0.4567 → 45.67%)."""
    number = _decimal(value)
    if number is None:
        return DASH
    percent = (number * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = number_format(percent, decimal_pos=2 if percent % 1 else 0, force_grouping=True)
    return f"{text}%"


def fmt_weight(value) -> str:
    """A weight: whole numbers as they are, exact shares (100/3) with 2 decimals."""
    number = _decimal(value)
    if number is None:
        return DASH
    if number == number.to_integral_value():
        return number_format(number.quantize(Decimal(1)), decimal_pos=0)
    return fmt_score(number)


def _kpi_meta(code: str) -> tuple[str, str]:
    """The KPI's label and unit (rate, amount, count, seconds, score or rating)."""
    if code in RATED_LABELS:
        return str(RATED_LABELS[code]), "rating"
    from telesales.kpi import registry

    registry._load()
    definition = registry.DEFINITIONS.get(code)
    if definition is None:
        return code, "number"
    return str(definition.label), definition.unit


def fmt_value(value, unit: str) -> str:
    if unit == "rate":
        return fmt_percent(value)
    if unit in ("score", "rating"):
        return fmt_score(value)
    if unit == "seconds":
        number = _decimal(value)
        return DASH if number is None else _("%(seconds)s s") % {"seconds": fmt_score(number)}
    return fmt_number(value)


# -- names -------------------------------------------------------------------------------------


def _who(user) -> str:
    """A login as people know it: the employee's name, else the login's own name."""
    if user is None:
        return _("the system")
    employee = org_access.user_employee(user)
    if employee is not None:
        return employee.name
    return user.get_full_name() or user.username


def _status_label(value: str) -> str:
    return str(dict(AppraisalStatus.choices).get(value, value))


# -- the list ----------------------------------------------------------------------------------


class AppraisalFilterForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    employee = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, periods, teams, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["period"].choices = everything + [(p, p) for p in periods]
        self.fields["status"].choices = everything + list(AppraisalStatus.choices)
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].choices = everything + [
                (str(team.pk), f"{team.code} · {team.name}") for team in teams
            ]


def _listed(queryset):
    """Appraisals as the list shows them: with their latest snapshot's total and grade,
    in a fixed number of queries whatever the number of rows (no score is computed)."""
    latest = Snapshot.objects.filter(appraisal=OuterRef("pk")).order_by("-version")
    return queryset.select_related("cycle__scheme", "employee__team", "rater").annotate(
        frozen_total=Subquery(latest.values("total")[:1]),
        frozen_grade=Subquery(latest.values("grade")[:1]),
        frozen_version=Subquery(latest.values("version")[:1]),
    )


def _filtered(queryset, criteria: dict):
    if criteria.get("period"):
        queryset = queryset.filter(cycle__period=criteria["period"])
    if criteria.get("status"):
        queryset = queryset.filter(status=criteria["status"])
    if criteria.get("team"):
        queryset = queryset.filter(employee__team_id=criteria["team"])
    if criteria.get("employee"):
        queryset = queryset.filter(employee_id=criteria["employee"])
    return queryset.order_by("-cycle__period", "cycle__scheme__code", "employee__employee_no")


def _page(queryset, request, key: str):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(key))
    for appraisal in page:
        frozen = appraisal.status in FROZEN and appraisal.frozen_version is not None
        appraisal.shown_total = fmt_score(appraisal.frozen_total) if frozen else DASH
        appraisal.shown_grade = (appraisal.frozen_grade or DASH) if frozen else DASH
        appraisal.provisional = not frozen
    return page


def _query_without(request, *keys: str) -> str:
    data = request.GET.copy()
    for key in keys:
        data.pop(key, None)
    return data.urlencode()


@login_required
def appraisal_home(request):
    """My appraisals, the ones I rate, and (supervisors, managers, HR, administrators) the
    appraisals of the people in my scope, filtered by period, status, team and person."""
    user = request.user
    if not access.can_see_appraisals(user):
        raise Http404
    scope = org_access.scope_for(user)
    me = scope.employee
    sees_scope = scope.role in SCOPE_ROLES
    visible = access.appraisals_visible(user)
    periods = sorted(
        set(access.cycles_visible(user).values_list("period", flat=True)), reverse=True
    )
    teams = list(org_access.teams_visible_to(user).order_by("code")) if sees_scope else None
    form = AppraisalFilterForm(request.GET or None, periods=periods, teams=teams)
    criteria = form.cleaned_data if form.is_bound and form.is_valid() else {}
    person = None
    if criteria.get("employee"):
        person = org_access.employees_visible_to(user).filter(pk=criteria["employee"]).first()
        if person is None:
            criteria = {**criteria, "employee": -1}  # nobody the user may see: nothing listed
    mine = rated = in_scope = None
    if me is not None:
        mine = _page(_filtered(_listed(visible.filter(employee=me)), criteria), request, "mine")
        rated = _page(
            _filtered(_listed(visible.filter(rater=me).exclude(employee=me)), criteria),
            request,
            "rated",
        )
    if sees_scope:
        others = visible if me is None else visible.exclude(employee=me)
        in_scope = _page(_filtered(_listed(others), criteria), request, "page")
    context = {
        "form": form,
        "person": person,
        "mine": mine,
        "rated": rated,
        "in_scope": in_scope,
        "sees_scope": sees_scope,
        "query_mine": _query_without(request, "mine"),
        "query_rated": _query_without(request, "rated"),
        "query_page": _query_without(request, "page"),
    }
    return render(request, "appraisal/home.html", context)


# -- the scorecard -----------------------------------------------------------------------------


def _scheme_names(appraisal: Appraisal, result: dict) -> dict[str, str]:
    """Category names by code: from the scheme as it was frozen, else as it stands."""
    text = result.get("scheme_yaml")
    if text:
        from telesales.appraisal.schemes import scheme_parse

        try:
            return {c.code: c.name for c in scheme_parse(text).categories}
        except ValidationError:
            pass  # a scheme text today's rules refuse: the names of the rows will do
    return dict(appraisal.cycle.scheme.categories.values_list("code", "name"))


def _drill_who(appraisal: Appraisal) -> str:
    """Whose rows a KPI's numbers come from: a supervisor's teams, or the rep (PRODUCT.md §5)."""
    if appraisal.cycle.scheme.applies_to == AppliesTo.SUPERVISOR:
        return f"lead-{appraisal.employee_id}"
    return f"rep-{appraisal.employee_id}"


def _drill_function():
    """`telesales.kpi.drill.drill_url`, when the drill-down is installed."""
    try:
        from telesales.kpi.drill import drill_url
    except ImportError:
        return None
    return drill_url


def _drill_url(code: str, who: str, period_code: str) -> str | None:
    """The address of the rows behind a KPI, when the drill-down knows the KPI."""
    drill_url = _drill_function()
    if drill_url is None:
        return None
    try:
        return drill_url(code, who=who, period_code=period_code)
    except NoReverseMatch:
        return None


def _shares_text(shares: list[dict], names: dict[str, str]) -> str:
    return _(", ").join(
        _("%(name)s +%(weight)s")
        % {"name": names.get(s["to"], s["to"]), "weight": fmt_weight(s["weight"])}
        for s in shares
    )


def redistribution_sentence(
    entry: dict, kpi_names: dict[str, str], category_names: dict[str, str]
) -> str:
    """One redistribution of PRODUCT.md §6.3 stated in one sentence."""
    if entry["level"] == "category":
        return _(
            "The category %(source)s has no applicable KPI: its weight of %(weight)s is shared "
            "among the other categories in proportion to their weights (%(shares)s)."
        ) % {
            "source": category_names.get(entry["source"], entry["source"]),
            "weight": fmt_weight(entry["weight"]),
            "shares": _shares_text(entry.get("shares") or [], category_names),
        }
    source = kpi_names.get(entry["source"], entry["source"])
    category = category_names.get(entry["category"], entry["category"])
    if entry.get("rule") in ("zero", "full"):
        return _(
            "%(source)s (%(category)s) is not applicable and scores %(score)s as the scheme "
            "says; it keeps its weight of %(weight)s."
        ) % {
            "source": source,
            "category": category,
            "score": fmt_score(entry.get("score")),
            "weight": fmt_weight(entry["weight"]),
        }
    return _(
        "%(source)s (%(category)s) is not applicable: its weight of %(weight)s is shared among "
        "the category's other KPIs in proportion to their weights (%(shares)s)."
    ) % {
        "source": source,
        "category": category,
        "weight": fmt_weight(entry["weight"]),
        "shares": _shares_text(entry.get("shares") or [], kpi_names),
    }


def scorecard_rows(appraisal: Appraisal, result: dict) -> dict:
    """The categories, each with its KPI lines formatted for the page, and the
    redistribution sentences."""
    category_names = _scheme_names(appraisal, result)
    kpi_meta = {k["kpi"]: _kpi_meta(k["kpi"]) for k in result.get("kpis", [])}
    kpi_names = {code: label for code, (label, _unit) in kpi_meta.items()}
    who = _drill_who(appraisal)
    period_code = appraisal.cycle.period
    from telesales.appraisal.schemes import RATED_KPIS

    by_category: dict[str, list[dict]] = {}
    for kpi in result.get("kpis", []):
        label, unit = kpi_meta[kpi["kpi"]]
        target_unit = "rate" if unit == "rate" else unit
        has_parts = kpi.get("numerator") is not None or kpi.get("denominator") is not None
        by_category.setdefault(kpi["category"], []).append(
            {
                "code": kpi["kpi"],
                "label": label,
                "applicable": kpi["applicable"],
                "reason": kpi.get("reason") or "",
                "actual": fmt_value(kpi.get("actual"), unit),
                "target": fmt_value(kpi.get("target"), target_unit),
                "numerator": fmt_number(kpi.get("numerator")) if has_parts else DASH,
                "denominator": fmt_number(kpi.get("denominator")) if has_parts else DASH,
                "score": fmt_score(kpi.get("score")),
                "weight": fmt_weight(kpi.get("weight")),
                "effective_weight": fmt_weight(kpi.get("effective_weight")),
                "rated": kpi["kpi"] in RATED_KPIS,
                "drill_url": None
                if kpi["kpi"] in RATED_KPIS
                else _drill_url(kpi["kpi"], who, period_code),
            }
        )
    categories = [
        {
            "code": c["code"],
            "name": category_names.get(c["code"], c["code"]),
            "weight": fmt_weight(c.get("weight")),
            "effective_weight": fmt_weight(c.get("effective_weight")),
            "score": fmt_score(c.get("score")),
            "kpis": by_category.get(c["code"], []),
        }
        for c in result.get("categories", [])
    ]
    sentences = [
        redistribution_sentence(entry, kpi_names, category_names)
        for entry in result.get("redistributions", [])
    ]
    return {"categories": categories, "redistributions": sentences, "names": category_names}


def previous_appraisal(appraisal: Appraisal) -> Appraisal | None:
    """The same person's appraisal of the period just before, of the same kind (the previous
    quarter for a quarter, the previous month for a month) on a scheme for the same role;
    the same scheme first."""
    from telesales.core.periods import PeriodError, period_parse

    try:
        previous = period_parse(appraisal.cycle.period).previous()
    except PeriodError:
        return None
    candidates = Appraisal.objects.filter(
        employee_id=appraisal.employee_id,
        cycle__kind=appraisal.cycle.kind,
        cycle__period=previous.code,
        cycle__scheme__applies_to=appraisal.cycle.scheme.applies_to,
    ).select_related("cycle__scheme", "employee")
    found = list(candidates)
    found.sort(key=lambda a: (a.cycle.scheme_id != appraisal.cycle.scheme_id, a.cycle.scheme.code))
    return found[0] if found else None


def _score_number(value) -> float | None:
    number = _decimal(value)
    return None if number is None else float(number.quantize(Decimal("0.01"), ROUND_HALF_UP))


def comparison_chart(appraisal: Appraisal, result: dict, names: dict[str, str]) -> dict:
    """The category scores of this appraisal and of the previous period's, for the chart and
    the table under it. `previous` is None when there is no earlier appraisal."""
    from telesales.appraisal.publication import appraisal_result

    earlier = previous_appraisal(appraisal)
    now = {c["code"]: _score_number(c.get("score")) for c in result.get("categories", [])}
    before: dict[str, float | None] = {}
    previous = None
    if earlier is not None:
        earlier_result = appraisal_result(earlier)
        before = {
            c["code"]: _score_number(c.get("score")) for c in earlier_result.get("categories", [])
        }
        previous = {
            "period": earlier.cycle.period,
            "pk": earlier.pk,
            "total": fmt_score(earlier_result.get("total")),
            "grade": earlier_result.get("grade") or DASH,
            "provisional": earlier.status not in FROZEN,
        }
    codes = list(now) + [code for code in before if code not in now]
    labels = [names.get(code, code) for code in codes]
    series = [{"name": appraisal.cycle.period, "values": [now.get(code) for code in codes]}]
    if previous is not None:
        series.append({"name": previous["period"], "values": [before.get(code) for code in codes]})
    rows = [
        {
            "name": label,
            "now": fmt_score(now.get(code)),
            "before": fmt_score(before.get(code)),
        }
        for code, label in zip(codes, labels, strict=True)
    ]
    return {
        "data": {"categories": labels, "series": series, "yTitle": _("Score")},
        "rows": rows,
        "previous": previous,
    }


def monthly_tracking(appraisal: Appraisal, ratings: dict | None = None) -> list[dict]:
    """For a quarter not yet frozen: each month of it up to today with the provisional total
    and grade on the appraisal's scheme and ratings, and the pace of the sales target in that
    month (PRODUCT.md §6.4, source §3.2 monthly tracking). At most three scorings and one read
    of the targets and sales."""
    if appraisal.cycle.kind != CycleKind.QUARTER or appraisal.status in FROZEN:
        return []
    from telesales.appraisal.inputs import appraisal_score, appraisee_scope
    from telesales.appraisal.ratings import appraisal_ratings
    from telesales.appraisal.schemes import scheme_load
    from telesales.core.periods import period_parse
    from telesales.org.models import Team
    from telesales.targets.actuals import actual_by_day, actual_by_employee_day
    from telesales.targets.capacity import people_load, team_reps
    from telesales.targets.models import Metric
    from telesales.targets.pace import PaceStatus, Thresholds, pace_compute
    from telesales.targets.phasing import Plan, PlanBook

    quarter = period_parse(appraisal.cycle.period)
    today = _today()
    months = []
    for offset in range(3):
        month = quarter.start.month + offset
        period = period_parse(f"{quarter.start.year}-{month:02d}")
        if period.start <= today:
            months.append(period)
    if not months:
        return []
    scheme = scheme_load(appraisal.cycle.scheme.code)
    if ratings is None:
        ratings = appraisal_ratings([appraisal.pk]).get(appraisal.pk, {})
    employee = appraisal.employee
    metric = Metric.SALES_AMOUNT
    book = PlanBook(metric, quarter.start, quarter.end)
    person = None
    if appraisal.cycle.scheme.applies_to == AppliesTo.SUPERVISOR:
        plan = Plan()
        for team in Team.objects.filter(supervisor=employee).order_by("code"):
            plan.add(book.team_plan(team.pk, team_reps(team.pk, quarter.start, quarter.end)))
        scope = appraisee_scope(employee)
        actuals = actual_by_day(metric, scope, quarter.start, quarter.end) if scope.team_ids else {}
    else:
        plan = book.employee_plan(employee.pk)
        actuals = actual_by_employee_day(metric, [employee.pk], quarter.start, quarter.end).get(
            employee.pk, {}
        )
        person = people_load([employee.pk], quarter.start, quarter.end).get(employee.pk)
    thresholds = Thresholds.current()
    rows = []
    for period in months:
        scored = appraisal_score(scheme, employee, period, ratings)
        pace = pace_compute(
            plan=plan,
            actual_by_day=actuals,
            start=period.start,
            end=period.end,
            as_of=min(today, period.end),
            calendar=book.calendar,
            thresholds=thresholds,
            person=person,
        )
        rows.append(
            {
                "period": period.code,
                "start": period.start,
                "current": period.start <= today <= period.end,
                "total": fmt_score(scored.get("total")),
                "grade": scored.get("grade") or DASH,
                "status": pace.status,
                "status_label": pace.get_status_display(),
                "status_class": {
                    PaceStatus.ON_TRACK: "ok",
                    PaceStatus.BEHIND: "bad",
                }.get(pace.status, ""),
                "target": fmt_number(pace.target),
                "expected": fmt_number(pace.expected),
                "actual": fmt_number(pace.actual),
            }
        )
    return rows


def _panel(request, template: str, context: dict, appraisal) -> str:
    """Another area's panel on the scorecard: the process (views.process) and the 360 ratings
    (views.ratings)."""
    return render_to_string(template, {"appraisal": appraisal, **context}, request=request)


@login_required
def appraisal_detail(request, pk: int):
    """The scorecard of one appraisal (PRODUCT.md §6.6): provisional until published, then
    the frozen snapshot; the user must see the appraisal (404 otherwise)."""
    from telesales.appraisal.publication import appraisal_result, snapshot_current
    from telesales.appraisal.ratings import appraisal_ratings
    from telesales.appraisal.views.process import process_context
    from telesales.appraisal.views.ratings import ratings_context

    appraisal = access.access_appraisal(request.user, pk)
    frozen = appraisal.status in FROZEN
    ratings = None if frozen else appraisal_ratings([appraisal.pk]).get(appraisal.pk, {})
    result = appraisal_result(appraisal, ratings=ratings)
    snapshot = snapshot_current(appraisal) if frozen else None
    rows = scorecard_rows(appraisal, result)
    chart = comparison_chart(appraisal, result, rows["names"])
    adjustment = result.get("adjustment")
    context = {
        "appraisal": appraisal,
        "employee": appraisal.employee,
        "cycle": appraisal.cycle,
        "scheme": appraisal.cycle.scheme,
        "scheme_version": result.get("scheme_version") or appraisal.cycle.scheme.version,
        "status_label": _status_label(appraisal.status),
        "frozen": frozen and snapshot is not None,
        "snapshot": snapshot,
        "total": fmt_score(result.get("total")),
        "grade": result.get("grade") or DASH,
        "computed_total": fmt_score(result.get("computed_total")),
        "computed_grade": result.get("computed_grade") or DASH,
        "adjustment": adjustment,
        "adjustment_from_total": fmt_score((adjustment or {}).get("from_total")),
        "adjustment_to_total": fmt_score((adjustment or {}).get("to_total")),
        "categories": rows["categories"],
        "redistributions": rows["redistributions"],
        "chart": chart,
        "months": monthly_tracking(appraisal, ratings),
        "process_html": _panel(
            request,
            "appraisal/_process.html",
            process_context(request, appraisal, result=None if frozen else result),
            appraisal,
        ),
        "ratings_html": _panel(
            request, "appraisal/_ratings_panel.html", ratings_context(request, appraisal), appraisal
        ),
    }
    return render(request, "appraisal/scorecard.html", context)


# -- versions and history ----------------------------------------------------------------------


@login_required
def appraisal_versions(request, pk: int):
    """Every snapshot version, every status move and every calibration adjustment of one
    appraisal, for everyone who may see it, the appraisee included; no 360 rater is named."""
    appraisal = access.access_appraisal(request.user, pk)
    snapshots = [
        {
            "version": s.version,
            "kind": s.get_kind_display(),
            "at": s.at,
            "by": _who(s.created_by),
            "total": fmt_score(s.total),
            "grade": s.grade or DASH,
            "reason": s.reason,
        }
        for s in appraisal.snapshots.select_related("created_by__employee").order_by("-version")
    ]
    events = [
        {
            "from": _status_label(e.from_status),
            "to": _status_label(e.to_status),
            "by": _who(e.actor),
            "at": e.at,
            "reason": e.reason,
        }
        for e in appraisal.events.select_related("actor__employee").order_by("at", "pk")
    ]
    adjustments = [
        {
            "from_grade": a.from_grade or DASH,
            "from_total": fmt_score(a.from_total),
            "to_grade": a.to_grade,
            "to_total": fmt_score(a.to_total),
            "reason": a.reason,
            "by": _who(a.actor),
            "at": a.at,
        }
        for a in appraisal.adjustments.select_related("actor__employee").order_by("-at", "-pk")
    ]
    context = {
        "appraisal": appraisal,
        "status_label": _status_label(appraisal.status),
        "snapshots": snapshots,
        "events": events,
        "adjustments": adjustments,
    }
    return render(request, "appraisal/scorecard_versions.html", context)


urlpatterns = [
    path("", appraisal_home, name="appraisal-home"),
    path("<int:pk>/", appraisal_detail, name="appraisal-detail"),
    path("<int:pk>/versions/", appraisal_versions, name="appraisal-versions"),
]


# -- wiring ------------------------------------------------------------------------------------


def _sees_own_only(user) -> bool:
    role = org_access.user_role(user)
    return role is not None and role not in SCOPE_ROLES


def _sees_scope(user) -> bool:
    return org_access.user_role(user) in SCOPE_ROLES


def may_see_appraisals_of(user, employee) -> bool:
    """The profile chip: the person is appraised (a rep or a supervisor) and is the user or in
    the user's scope."""
    if employee.role not in AppliesTo.values:
        return False
    scope = org_access.scope_for(user)
    if scope.role is None:
        return False
    if scope.employee is not None and scope.employee.pk == employee.pk:
        return True
    if scope.role not in SCOPE_ROLES:
        return False
    return scope.company_wide or employee.pk in scope.employee_ids


def _profile_url(employee) -> str:
    return f"{reverse('appraisal-home')}?employee={employee.pk}"


def ready() -> None:
    """Menu entries, settings, importers and to-dos of this area, called by AppraisalConfig."""
    from telesales.core.navigation import (
        MenuItem,
        ProfileLink,
        menu_register,
        profile_link_register,
    )

    menu_register(
        MenuItem(
            "appraisal-mine",
            gettext_lazy("My appraisal"),
            "appraisal-home",
            _sees_own_only,
            80,
            group="appraisal",
        )
    )
    menu_register(
        MenuItem(
            "appraisal-list",
            gettext_lazy("Appraisals"),
            "appraisal-home",
            _sees_scope,
            80,
            group="appraisal",
        )
    )
    profile_link_register(
        ProfileLink(
            "appraisals",
            gettext_lazy("Appraisals"),
            _profile_url,
            may_see_appraisals_of,
            60,
        )
    )
