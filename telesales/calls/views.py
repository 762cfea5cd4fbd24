"""The calls pages: the call list and its export, call statistics of a rep and of a team,
the data-quality report, and saved column mappings. Every page reads through the
scoped selectors of telesales.org.access; anything out of scope is a 404."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telesales.calls import layouts, selectors, services
from telesales.calls.forms import (
    CallFilterForm,
    ColumnMappingForm,
    ExtensionMapForm,
    PeriodForm,
    SampleFileForm,
)
from telesales.calls.models import (
    RECORDING_URL_TEMPLATE,
    Call,
    ColumnMapping,
    Direction,
    recording_link,
)
from telesales.calls.rollups import effective_seconds
from telesales.core.config import setting_get
from telesales.core.imports.reading import ImportFileError, read_table
from telesales.core.periods import Period, PeriodError, period_of, period_range
from telesales.kpi.calls import CALL_KPIS, call_days, call_kpis, call_kpis_by_employee, call_trend
from telesales.kpi.registry import DEFINITIONS
from telesales.kpi.values import count, ratio
from telesales.org import access
from telesales.org.models import Employee, Role
from telesales.org.scopes import scope_for_employee, scope_for_teams

PAGE_SIZE = 50
COMMON_DISPOSITIONS = ("ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CONGESTION")


# -- the call list ---------------------------------------------------------------------------


def _call_filter(request) -> tuple[CallFilterForm, selectors.CallFilter | None]:
    """The filter form bound to the query string, the dates defaulting to the last 7 days."""
    if access.user_role(request.user) is None:
        raise Http404
    today = timezone.localdate()
    data = request.GET.copy()
    data.pop("page", None)
    for key, default in (("date_from", today - dt.timedelta(days=6)), ("date_to", today)):
        if not data.get(key):
            data[key] = default.isoformat()
    form = CallFilterForm(
        data,
        employees=access.employees_visible_to(request.user).order_by("employee_no"),
        teams=access.teams_visible_to(request.user),
        today=today,
    )
    return form, (form.criteria() if form.is_valid() else None)


@login_required
def call_list(request):
    form, criteria = _call_filter(request)
    viewer = selectors.number_viewer(request.user)
    calls = selectors.call_list(request.user, criteria) if criteria else Call.objects.none()
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    template = None  # the recording link setting, read once and only when needed
    for call in page:
        call.customer_shown = viewer.number(call)
        call.recording_shown = ""
        if call.recording:
            if template is None:
                template = setting_get(RECORDING_URL_TEMPLATE)
            call.recording_shown = recording_link(call.recording, template)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "dispositions": COMMON_DISPOSITIONS,
        "is_admin": access.can_administer_org(request.user),
    }
    return render(request, "calls/call_list.html", context)


class _Echo:
    """A file-like object whose write returns the line, for streaming CSV."""

    def write(self, value):
        return value


@login_required
def call_export(request):
    """The filtered list as CSV, with the page's scope and number masking."""
    form, criteria = _call_filter(request)
    if criteria is None:
        raise Http404
    viewer = selectors.number_viewer(request.user)
    calls = selectors.call_list(request.user, criteria)
    # Rows are written after the view returns: translate everything now.
    direction_names = {value: str(label) for value, label in Direction.choices}
    answered = {True: _("yes"), False: _("no")}
    zone = timezone.get_current_timezone()
    header = [
        _("Time"),
        _("Employee number"),
        _("Rep"),
        _("Extension"),
        _("Direction"),
        _("Customer number"),
        _("Disposition"),
        _("Answered"),
        _("Talk time (s)"),
    ]

    def rows():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow(header)
        for call in calls.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    call.started_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                    call.employee.employee_no if call.employee else "",
                    call.employee.name if call.employee else "",
                    call.extension,
                    direction_names.get(call.direction, call.direction),
                    viewer.number(call),
                    call.disposition,
                    answered[call.answered],
                    call.talk_seconds,
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    name = f"calls-{criteria.date_from.isoformat()}-{criteria.date_to.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# -- call statistics ---------------------------------------------------------------------------


def _period(request) -> tuple[PeriodForm, Period | None]:
    """The period of the query string, the current month by default."""
    text = request.GET.get("period") or timezone.localdate().strftime("%Y-%m")
    form = PeriodForm({"period": text})
    return form, (form.cleaned_data["period"] if form.is_valid() else None)


def _following(period: Period) -> Period:
    after = period.end + dt.timedelta(days=1)
    if period.kind in {"year", "quarter", "month"}:
        return period_of(after, period.kind)
    return period_range(after, after + dt.timedelta(days=period.days - 1))


def _neighbours(period: Period) -> dict[str, str]:
    found = {}
    for name, step in (("previous", Period.previous), ("next", _following)):
        try:
            found[name] = step(period).code
        except (PeriodError, ValueError, OverflowError):
            continue
    return found


def _one_place(value) -> str:
    """Rounded half-up for display only (number_format would cut the digits off)."""
    return number_format(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def _display(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "rate":
        return f"{_one_place(value * 100)}%"
    if unit == "seconds":
        return _("%(seconds)s s") % {"seconds": _one_place(value)}
    return number_format(value, 0, force_grouping=True)


def _count(value) -> str:
    return "" if value is None else number_format(value, 0, force_grouping=True)


def _calls_link(period: Period, **filters) -> str:
    query = {"date_from": period.start.isoformat(), "date_to": period.end.isoformat()}
    query.update({k: v for k, v in filters.items() if v not in (None, "")})
    return "?" + urlencode(query)


def _kpi_rows(values, period: Period, threshold: int, **who) -> list[dict]:
    """Each call KPI with its formula, numerator and denominator, and a link to the calls
    behind its numerator (PRODUCT.md §5)."""
    outbound = {"direction": Direction.OUTBOUND, **who}
    connected = {**outbound, "answered": "yes"}
    effective = {**connected, "talk_min": threshold}
    links = {
        "call_volume": outbound,
        "connected_calls": connected,
        "connection_rate": connected,
        "avg_talk_seconds": connected,
        "effective_calls": effective,
        "effective_call_rate": effective,
    }
    rows = []
    for code in CALL_KPIS:
        value = values[code]
        definition = DEFINITIONS[code]
        rows.append(
            {
                "code": code,
                "kpi": value,
                "label": definition.label,
                "formula": definition.formula,
                "applicable": value.applicable,
                "value": _display(value.value, definition.unit),
                "numerator": _count(value.numerator),
                "denominator": _count(value.denominator),
                "is_ratio": value.denominator is not None,
                "link": _calls_link(period, **links[code]),
            }
        )
    return rows


def _trend(scope, period: Period) -> dict:
    """Daily outbound calls, connected and effective calls, every day of the period up to
    today (a day without calls is 0), for the chart and its table."""
    rows = {row["day"]: row for row in call_trend(scope, period)}
    last = min(period.end, timezone.localdate())
    days, calls, connected, effective = [], [], [], []
    day = period.start
    while day <= last:
        row = rows.get(day, {})
        days.append(day.isoformat())
        calls.append(row.get("out_calls") or 0)
        connected.append(row.get("out_connected") or 0)
        effective.append(row.get("out_effective") or 0)
        day += dt.timedelta(days=1)
    return {
        "days": days,
        "series": [
            {"name": str(DEFINITIONS["call_volume"].label), "values": calls},
            {"name": str(DEFINITIONS["connected_calls"].label), "values": connected},
            {"name": str(DEFINITIONS["effective_calls"].label), "values": effective},
        ],
        "yTitle": _("Calls"),
    }


def _trend_table(trend: dict) -> list[tuple[str, list[tuple[str, int]]]]:
    return [
        (day, [(series["name"], series["values"][index]) for series in trend["series"]])
        for index, day in enumerate(trend["days"])
    ]


def _stats_context(scope, period: Period, **who) -> dict:
    trend = _trend(scope, period)
    threshold = effective_seconds()
    return {
        "kpis": _kpi_rows(call_kpis(scope, period), period, threshold, **who),
        "other": selectors.call_day_totals(call_days(scope, period)),
        "trend": trend,
        "trend_rows": _trend_table(trend),
        "threshold": threshold,
    }


@login_required
def stats_index(request):
    """Call statistics: a rep goes to their own page; others choose a team or a rep."""
    scope = access.scope_for(request.user)
    if scope.role == Role.REP:
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("call-stats-rep", args=[scope.employee.pk]) + query)
    if not scope.company_wide and not scope.team_ids:
        raise Http404
    form, period = _period(request)
    teams = list(access.teams_visible_to(request.user).select_related("supervisor"))
    today = timezone.localdate()
    reps = (
        access.employees_visible_to(request.user)
        .filter(role=Role.REP, team__in=teams)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
        .order_by("employee_no")
    )
    by_team: dict[int, list[Employee]] = {}
    for rep in reps:
        by_team.setdefault(rep.team_id, []).append(rep)
    for team in teams:
        team.reps = by_team.get(team.pk, [])
    context = {"form": form, "period": period, "teams": teams}
    return render(request, "calls/stats_index.html", context)


@login_required
def stats_rep(request, pk):
    employee = access.access_employee(request.user, pk)
    form, period = _period(request)
    context = {"employee": employee, "form": form, "period": period}
    if period is not None:
        context.update(_stats_context(scope_for_employee(employee), period, rep=employee.pk))
        context["neighbours"] = _neighbours(period)
    team = employee.team
    context["team"] = (
        team if team and access.teams_visible_to(request.user).filter(pk=team.pk).exists() else None
    )
    return render(request, "calls/stats_rep.html", context)


@login_required
def stats_team(request, pk):
    team = access.access_team(request.user, pk)
    form, period = _period(request)
    context = {"team": team, "form": form, "period": period}
    if period is not None:
        scope = scope_for_teams([team])
        context.update(_stats_context(scope, period, team=team.pk))
        context["neighbours"] = _neighbours(period)
        context["comparison"] = _comparison(request.user, team, scope, period)
    return render(request, "calls/stats_team.html", context)


# A rep of the team who made no call in the period.
_NO_CALLS = {
    "call_volume": count(0),
    "connected_calls": count(0),
    "connection_rate": ratio(0, 0),
    "avg_talk_seconds": ratio(0, 0),
    "effective_calls": count(0),
    "effective_call_rate": ratio(0, 0),
}


def _comparison(user, team, scope, period: Period) -> list[dict]:
    """The team's reps side by side: everyone with calls counted for the team in the period,
    and its current reps employed in the period (with zeros when they made no call)."""
    by_employee = call_kpis_by_employee(call_days(scope, period))
    members = (
        Employee.objects.filter(team=team, role=Role.REP, hire_date__lte=period.end)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=period.start))
        .values_list("pk", flat=True)
    )
    ids = set(by_employee) | set(members)
    visible = set(access.employees_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = []
    for employee in Employee.objects.filter(pk__in=ids).order_by("employee_no"):
        values = by_employee.get(employee.pk) or _NO_CALLS
        rows.append(
            {
                "employee": employee,
                "visible": employee.pk in visible,
                "cells": [
                    {
                        "code": code,
                        "label": DEFINITIONS[code].label,
                        "value": _display(values[code].value, DEFINITIONS[code].unit),
                        "applicable": values[code].applicable,
                    }
                    for code in CALL_KPIS
                ],
            }
        )
    return rows


# -- data quality ------------------------------------------------------------------------------


def _admin_only(user) -> None:
    if not access.can_administer_org(user):
        raise Http404


@login_required
def quality(request):
    _admin_only(request.user)
    return _quality_page(request)


def _quality_page(request, bound: ExtensionMapForm | None = None, status: int = 200):
    today = timezone.localdate()
    unmapped = selectors.unmapped_extensions()
    unmatched = bound  # a refused mapping whose extension is not listed shows at the top
    for index, row in enumerate(unmapped):
        if bound is not None and bound.data.get("number") == row["extension"]:
            row["form"], unmatched = bound, None
        else:
            row["form"] = ExtensionMapForm(
                initial={"number": row["extension"], "valid_from": row["first"]},
                auto_id=f"map-{index}-%s",
            )
    latest = selectors.latest_call_start()
    context = {
        "unmapped": unmapped,
        "unmatched": unmatched,
        "unattributed": selectors.unattributed_counts(),
        "employees": Employee.objects.filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
        .select_related("team")
        .order_by("employee_no"),
        "reps_without_extension": selectors.reps_without_extension(today),
        "runs": selectors.recent_call_imports(),
        "latest": latest,
        "latest_days": (today - timezone.localtime(latest).date()).days if latest else None,
        "today": today,
    }
    return render(request, "calls/quality.html", context, status=status)


@login_required
@require_POST
def extension_map(request):
    _admin_only(request.user)
    form = ExtensionMapForm(request.POST, auto_id="map-error-%s")
    if not form.is_valid():
        return _quality_page(request, bound=form, status=400)
    data = form.cleaned_data
    employee = data["employee_no"]
    try:
        attributed = services.extension_map(
            actor=request.user,
            number=data["number"],
            employee=employee,
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _quality_page(request, bound=form, status=400)
    messages.success(
        request,
        _(
            "Extension %(number)s belongs to %(employee)s from %(start)s; %(count)s of its calls are now theirs."
        )
        % {
            "number": data["number"],
            "employee": employee,
            "start": data["valid_from"].isoformat(),
            "count": attributed,
        },
    )
    return redirect("call-quality")


# -- column mappings ---------------------------------------------------------------------------


@login_required
def mapping_list(request):
    _admin_only(request.user)
    return render(
        request,
        "calls/mapping_list.html",
        {"mappings": selectors.column_mappings(), "fields": layouts.FIELDS},
    )


@login_required
def mapping_create(request):
    _admin_only(request.user)
    return _mapping_edit(request, None)


@login_required
def mapping_edit(request, pk):
    _admin_only(request.user)
    return _mapping_edit(request, get_object_or_404(ColumnMapping, pk=pk))


def _mapping_edit(request, mapping: ColumnMapping | None):
    sample = None
    # The sample file is optional when saving: no browser-side `required` on it.
    sample_form = SampleFileForm(use_required_attribute=False)
    if request.method == "POST" and request.POST.get("action") == "sample":
        sample_form = SampleFileForm(request.POST, request.FILES, use_required_attribute=False)
        initial = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        if sample_form.is_valid():
            try:
                sample = _sample_columns(sample_form.cleaned_data["sample"])
            except ImportFileError as error:
                sample_form.add_error("sample", error.message)
            else:
                for field, header in sample["guesses"].items():
                    if not initial.get(f"col_{field}"):
                        initial[f"col_{field}"] = header
        form = ColumnMappingForm(initial=initial)
    elif request.method == "POST":
        form = ColumnMappingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "name": data["name"],
                "system": data["system"],
                "date_order": data["date_order"],
                "columns": form.columns(),
            }
            try:
                if mapping is None:
                    saved = services.column_mapping_create(actor=request.user, **fields)
                else:
                    saved = services.column_mapping_update(
                        actor=request.user, mapping=mapping, **fields
                    )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("The column mapping “%(name)s” was saved.") % {"name": saved.name}
                )
                return redirect("call-mappings")
    else:
        form = ColumnMappingForm(initial=ColumnMappingForm.initial_for(mapping) if mapping else {})
    context = {"form": form, "mapping": mapping, "sample_form": sample_form, "sample": sample}
    return render(request, "calls/mapping_form.html", context)


def _sample_columns(upload) -> dict:
    """The header row of a sample export, an example value under each header, and our
    guess of which header holds which field."""
    table = read_table(upload)
    headers = [h for h in table.first_row]
    example = next(table.rows, (0, []))[1]
    guesses = layouts.header_index(headers)
    return {
        "columns": [
            (header, example[index] if index < len(example) else "")
            for index, header in enumerate(headers)
        ],
        "headers": [h for h in headers if h],
        "guesses": {field: headers[index] for field, index in guesses.items()},
    }


@login_required
@require_POST
def mapping_delete(request, pk):
    _admin_only(request.user)
    mapping = get_object_or_404(ColumnMapping, pk=pk)
    name = mapping.name
    services.column_mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, _("The column mapping “%(name)s” was deleted.") % {"name": name})
    return redirect("call-mappings")
