"""The target board of a team and the target page of one rep (source §2.1.3). The board is
for supervisors (their teams), managers (the teams under them), HR and administrators; a
rep is sent to their own page. Teams and people come through telesales.org.access: anything
out of scope is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.periods import period_of
from telesales.org import access
from telesales.org.models import Employee, Role
from telesales.targets import board as selectors
from telesales.targets.arithmetic import SplitError
from telesales.targets.decomposition import period_bounds
from telesales.targets.models import AMOUNT_METRICS, Metric
from telesales.targets.pace import Pace, PaceStatus

WINDOW_LABELS = {
    "today": gettext_lazy("Day"),
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
}
STATUS_CLASS = {
    PaceStatus.BEHIND: "bad",
    PaceStatus.AT_RISK: "warn",
    PaceStatus.ON_TRACK: "ok",
    PaceStatus.NOT_STARTED: "",
    PaceStatus.NO_TARGET: "",
}
DATE_INPUT = {"type": "date"}
AUTOSUBMIT = forms.Select(attrs={"data-autosubmit": True})


class BoardForm(forms.Form):
    metric = forms.ChoiceField(
        label=gettext_lazy("Metric"), choices=Metric.choices, required=False, widget=AUTOSUBMIT
    )
    window = forms.ChoiceField(
        label=gettext_lazy("Window"),
        choices=list(WINDOW_LABELS.items()),
        required=False,
        widget=AUTOSUBMIT,
    )
    on = forms.DateField(
        label=gettext_lazy("As of the end of"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )


class EmployeeTargetsForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=10,
        help_text=gettext_lazy("A year, a quarter or a month, e.g. 2026, 2026-Q3 or 2026-09."),
        widget=forms.TextInput(attrs={"size": 8}),
    )
    metric = forms.ChoiceField(
        label=gettext_lazy("Daily plan of"), choices=Metric.choices, required=False
    )
    on = forms.DateField(
        label=gettext_lazy("As of the end of"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )

    def clean_period(self):
        text = self.cleaned_data["period"]
        try:
            return period_bounds(text)
        except (SplitError, ValueError) as exc:
            raise forms.ValidationError(str(exc)) from exc


# -- formatting --------------------------------------------------------------------------------


def _rounded(value, metric: str) -> tuple[Decimal, int]:
    places = 2 if metric in AMOUNT_METRICS else 0
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), places


def number(value: Decimal | None, metric: str) -> str:
    """Amounts to the cent, counts (calls, deals, customers) in whole units; — for none."""
    if value is None:
        return "—"
    rounded, places = _rounded(value, metric)
    return number_format(rounded, places, force_grouping=True)


def signed(value: Decimal, metric: str) -> str:
    """Ahead with a plus sign, behind with a minus sign."""
    rounded, places = _rounded(value, metric)
    text = number_format(rounded, places, force_grouping=True)
    return f"+{text}" if rounded > 0 else text


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    shown = (Decimal(value) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{number_format(shown, 1)}%"


def pace_cells(pace: Pace, metric: str) -> dict:
    """What a page shows of one pace."""
    no_target = pace.status == PaceStatus.NO_TARGET
    return {
        "status": pace.status,
        "status_label": pace.get_status_display(),
        "status_class": STATUS_CLASS[PaceStatus(pace.status)],
        "target": number(pace.target, metric),
        "actual": number(pace.actual, metric),
        "attainment": percent(pace.attainment),
        "expected": number(pace.expected, metric),
        "pace_ratio": percent(pace.pace_ratio),
        "gap": "—" if no_target else signed(pace.actual - pace.expected, metric),
        "short": not no_target and pace.gap > 0,
        "forecast": number(pace.forecast, metric),
        "forecast_attainment": percent(pace.forecast_attainment),
        "method": pace.method,
        "days_elapsed": pace.days_elapsed,
        "days_left": pace.days_left,
    }


def _query(**params) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _today() -> dt.date:
    return timezone.localdate()


def _render(request, template: str, context: dict, partial: str | None = None):
    """A whole page, or with htmx only the named partial of it."""
    if partial and request.htmx:
        response = render(request, f"{template}#{partial}", context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _years_note(years: set[int]) -> str:
    if not years:
        return ""
    return _(
        "The China working-day calendar of %(years)s is not known yet: Monday to Friday "
        "count as working days until it is."
    ) % {"years": ", ".join(str(y) for y in sorted(years))}


# -- the board ---------------------------------------------------------------------------------


def _default_team(user, teams):
    """The team the user leads, else their own team, else the first they see."""
    me = access.user_employee(user)
    if me is not None:
        for team in teams:
            if team.supervisor_id == me.pk:
                return team
        for team in teams:
            if team.pk == me.team_id:
                return team
    return teams[0]


@login_required
def board(request):
    """Each rep's target, actual, pace and forecast in a team for the day, week, month and
    quarter around a date; the reps furthest behind first, the team's total below."""
    user = request.user
    role = access.user_role(user)
    if role == Role.REP:
        return redirect(reverse("target-mine"))
    if role not in selectors.BOARD_ROLES:
        raise Http404
    teams = list(access.teams_visible_to(user).order_by("code"))
    requested = request.GET.get("team")
    if requested:
        team = access.access_team(user, requested)
    elif teams:
        team = _default_team(user, teams)
    else:
        team = None
    form = BoardForm(
        {
            "metric": request.GET.get("metric") or Metric.SALES_AMOUNT,
            "window": request.GET.get("window") or "month",
            "on": request.GET.get("on") or _today().isoformat(),
        }
    )
    valid = form.is_valid()
    metric = form.cleaned_data.get("metric") or Metric.SALES_AMOUNT
    window = form.cleaned_data.get("window") or "month"
    on = form.cleaned_data.get("on") or _today()
    context = {
        "form": form,
        "teams": teams,
        "team": team,
        "metric": metric,
        "metric_label": Metric(metric).label,
        "window": window,
        "on": on,
    }
    if team is not None and valid:
        scope = access.scope_for(user)
        built = selectors.board_build(
            team=team,
            metric=metric,
            on=on,
            window=window,
            visible=None if scope.company_wide else (lambda pk: pk in scope.employee_ids),
        )
        context.update(_board_context(built))
    return _render(request, "targets/board.html", context, partial="board")


def _employee_link(board: selectors.Board, person) -> str:
    windows = board.windows
    if board.window == "month":
        period = windows["month"].start.strftime("%Y-%m")
    else:
        period = period_of(board.on, "quarter").code
    return reverse("target-employee", args=[person.id]) + _query(
        period=period, metric=board.metric, on=board.on.isoformat()
    )


def _board_context(board: selectors.Board) -> dict:
    metric = board.metric

    def row_view(row: selectors.BoardRow) -> dict:
        return {
            "person": row.person,
            "in_team": row.in_team,
            "agreement": row.agreement,
            "link": _employee_link(board, row.person) if row.person else "",
            "cells": pace_cells(row.paces[board.window], metric),
            "windows": [
                {
                    "key": key,
                    "label": WINDOW_LABELS[key],
                    **pace_cells(row.paces[key], metric),
                }
                for key in selectors.WINDOWS
            ],
        }

    base = {"team": board.team.pk, "metric": metric, "on": board.on.isoformat()}
    chosen = board.windows[board.window]
    counts = board.counts()
    return {
        "board": board,
        "rows": [row_view(row) for row in board.rows],
        "total": row_view(board.total),
        "span": chosen,
        "tabs": [
            {
                "key": key,
                "label": WINDOW_LABELS[key],
                "start": w.start,
                "end": w.end,
                "current": key == board.window,
                "url": reverse("target-board") + _query(**base, window=key),
            }
            for key, w in board.windows.items()
        ],
        "counts": [
            {
                "status": status,
                "label": PaceStatus(status).label,
                "class": STATUS_CLASS[status],
                "n": n,
            }
            for status, n in counts.items()
            if n
        ],
        "on_track_percent": number_format(board.thresholds.on_track * 100, 0),
        "at_risk_percent": number_format(board.thresholds.at_risk * 100, 0),
        "pipeline_counted": board.window in selectors.PIPELINE_WINDOWS,
        "years_note": _years_note(board.unknown_years),
    }


# -- one rep's targets -------------------------------------------------------------------------


@login_required
def mine(request):
    """The user's own targets; a friendly page when their login has no employee record."""
    employee = access.user_employee(request.user)
    if employee is None:
        return render(request, "targets/board_employee.html", {"no_employee": True})
    if access.user_role(request.user) in (None, Role.STAFF):
        raise Http404
    return _employee_page(request, employee, own=True)


@login_required
def employee(request, pk: int):
    """The targets of one rep, for those who see them; a rep's own goes to their page."""
    scope = access.scope_for(request.user)
    if scope.role == Role.REP and scope.employee is not None and scope.employee.pk == pk:
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(reverse("target-mine") + query)
    if scope.role not in selectors.BOARD_ROLES:
        raise Http404
    return _employee_page(request, access.access_employee(request.user, pk), own=False)


def _date_or_today(text: str | None) -> dt.date:
    try:
        return parse_date(text or "") or _today()
    except ValueError:
        return _today()


def _employee_page(request, employee: Employee, *, own: bool):
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = period_of(_date_or_today(data.get("on")), "quarter").code
    form = EmployeeTargetsForm(data)
    context = {"employee": employee, "own": own, "form": form}
    if not form.is_valid():
        return render(request, "targets/board_employee.html", context)
    as_of = form.cleaned_data["on"] or _today()
    code, start, end = form.cleaned_data["period"]
    chosen = form.cleaned_data["metric"] or None
    result = selectors.employee_targets(
        employee=employee, start=start, end=end, as_of=as_of, metric=chosen
    )
    base = {"period": code}
    if request.GET.get("on"):
        base["on"] = as_of.isoformat()
    here = request.path
    context.update(
        {
            "period_code": code,
            "start": start,
            "end": end,
            "as_of": as_of,
            "periods": [
                {"code": p, "url": here + _query(period=p), "current": p == code}
                for p in selectors.employee_periods(employee)
            ],
            "metrics": [
                {
                    "code": m.metric,
                    "label": m.label,
                    "targets": m.targets,
                    "url": here + _query(**base, metric=m.metric),
                    "current": result.daily is not None and m.metric == result.daily.metric,
                    "partial": m.partial,
                    "pace_start": m.pace.start,
                    "pace_end": m.pace.end,
                    **pace_cells(m.pace, m.metric),
                }
                for m in result.metrics
            ],
            "agreement": result.agreement,
            "today_label": _("today") if as_of == _today() else _("as of"),
            "years_note": _years_note(result.unknown_years),
        }
    )
    if result.daily is not None:
        context.update(_daily_context(result.daily))
    return render(request, "targets/board_employee.html", context)


def _daily_context(daily: selectors.DailyPlan) -> dict:
    metric = daily.metric

    def day_view(row: selectors.PlanDay) -> dict:
        return {
            "day": row.day,
            "workday": row.workday,
            "today": row.is_today,
            "planned": number(row.planned, metric),
            "actual": number(row.actual, metric),
            "plan_to_date": number(row.plan_to_date, metric),
            "actual_to_date": number(row.actual_to_date, metric),
            "difference": "—" if row.difference is None else signed(row.difference, metric),
            "short": row.difference is not None and row.difference < 0,
        }

    def group_view(group: selectors.PlanGroup) -> dict:
        return {
            "start": group.start,
            "end": group.end,
            "week": group.week,
            "workdays": group.workdays,
            "planned": number(group.planned, metric),
            "actual": number(group.actual, metric),
            "planned_value": group.planned,
            "actual_value": group.actual,
        }

    months = []
    for month in daily.months:
        view = group_view(month)
        view["weeks"] = []
        for week in month.weeks:
            week_view = group_view(week)
            week_view["days"] = [day_view(row) for row in week.days]
            view["weeks"].append(week_view)
        months.append(view)
    label = str(Metric(metric).label)
    return {
        "daily": daily,
        "daily_label": label,
        "months": months,
        "daily_planned": number(daily.planned, metric),
        "daily_actual": number(daily.actual, metric),
        "chart": daily.chart(_("Cumulative plan"), _("Cumulative actual"), label),
    }
