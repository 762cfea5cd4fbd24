"""The analysis pages (source §2.4.2): sales and CRM figures of a rep or a team with the rows
behind each, the funnel, and the comparison of reps with Wilson intervals.

Who is analysed comes from `who` in the query string — `rep-<id>`, `team-<id>` or `all`
(every team the user sees) — and goes through telesales.org.access: anything out of scope
is a 404. A rep always sees their own numbers only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.calls.forms import PeriodForm
from telesales.calls.selectors import number_viewer
from telesales.core.periods import Period
from telesales.crm.customers.selectors import phone_viewer
from telesales.kpi.crm import (
    CRM_KPIS,
    connected_calls_in_scope,
    converted,
    intent_customers_in_scope,
    timely,
)
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.kpi.sales import SALES_KPIS, deals_in_scope
from telesales.org import access
from telesales.org.models import Employee, Role, Team
from telesales.org.scopes import KpiScope, scope_for_employee, scope_for_teams
from telesales.reports import selectors

PAGE_SIZE = 50
_WHO = re.compile(r"^(rep|team)-(\d+)$")


@dataclass(frozen=True)
class Who:
    """The rep or teams a page is about, already checked against the user's scope."""

    code: str  # rep-12, team-3 or all
    scope: KpiScope
    employee: Employee | None = None
    team: Team | None = None

    @property
    def is_rep(self) -> bool:
        return self.employee is not None


def _who(request, *, reps: bool = True) -> Who:
    """The `who` of the query string; a rep is always themselves, others default to their
    only team, or to all their teams."""
    user = request.user
    if not selectors.can_view_analysis(user):
        raise Http404
    scope = access.scope_for(user)
    text = (request.GET.get("who") or "").strip()
    if scope.role == Role.REP:
        if text and text != f"rep-{scope.employee.pk}":
            raise Http404
        if not reps:
            raise Http404
        return Who(f"rep-{scope.employee.pk}", scope_for_employee(scope.employee), scope.employee)
    match = _WHO.match(text)
    if match and match.group(1) == "rep":
        if not reps:
            raise Http404
        employee = access.access_employee(user, match.group(2))
        return Who(text, scope_for_employee(employee), employee=employee)
    if match:
        team = access.access_team(user, match.group(2))
        return Who(text, scope_for_teams([team]), team=team)
    if text not in ("", "all"):
        raise Http404
    teams = list(access.teams_visible_to(user).order_by("code"))
    if not teams:
        raise Http404
    if len(teams) == 1 and not text:
        return Who(f"team-{teams[0].pk}", scope_for_teams(teams), team=teams[0])
    return Who("all", scope_for_teams(teams, "team:all"))


def _choices(user, who: Who, *, reps: bool = True) -> list[tuple[str, str]]:
    """The options of the `who` selector: all teams, each team, each current rep."""
    if access.scope_for(user).role == Role.REP:
        return [(who.code, str(who.employee))]
    teams = list(access.teams_visible_to(user).order_by("code"))
    options = [("all", _("All my teams"))] if len(teams) > 1 else []
    options += [(f"team-{t.pk}", _("Team %(team)s") % {"team": t}) for t in teams]
    if reps:
        today = timezone.localdate()
        people = (
            access.employees_visible_to(user)
            .filter(role=Role.REP)
            .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
            .order_by("employee_no")
        )
        options += [(f"rep-{e.pk}", str(e)) for e in people]
        if who.employee is not None and all(code != who.code for code, _label in options):
            options.append((who.code, str(who.employee)))
    return options


def _period(request) -> tuple[PeriodForm, Period | None]:
    text = request.GET.get("period") or timezone.localdate().strftime("%Y-%m")
    form = PeriodForm({"period": text})
    return form, (form.cleaned_data["period"] if form.is_valid() else None)


def _query(who: Who, period: Period, **extra) -> str:
    params = {"who": who.code, "period": period.code}
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return "?" + urlencode(params)


def _one_place(value) -> str:
    return number_format(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), 1)


def _money(value) -> str:
    return number_format(
        Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), 2, force_grouping=True
    )


def display(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "rate":
        return f"{_one_place(Decimal(value) * 100)}%"
    if unit == "amount":
        return _money(value)
    if unit == "score":  # QA and training scores, 0–100, shown as they are scored
        return number_format(Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP), 2)
    return number_format(value, 0, force_grouping=True)


def _plain(value) -> str:
    """A numerator or denominator: whole numbers without decimals, others as they are."""
    if value is None:
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(value.to_integral_value(), 0, force_grouping=True)
    return number_format(value.normalize(), force_grouping=True)


# What each figure's numbers are made of, and where its rows are.
_ROWS = {
    "sales_amount": ("deals", {}),
    "deals_won": ("deals", {"status": "won"}),
    "avg_order_value": ("deals", {}),
    "sales_per_head": ("deals", {}),
    "profit_per_head": ("deals", {}),
    "key_product_attainment": ("deals", {"key": "1"}),
    "intent_customers": ("customers", {}),
    "lead_conversion_rate": ("customers", {"converted": "yes"}),
    "crm_completeness": ("calls", {"timely": "no"}),
}
_LINK_TEXT = {
    "sales_amount": gettext_lazy("The deals and refunds"),
    "deals_won": gettext_lazy("The deals won"),
    "avg_order_value": gettext_lazy("The deals and refunds"),
    "sales_per_head": gettext_lazy("The deals and refunds"),
    "profit_per_head": gettext_lazy("The deals and refunds"),
    "key_product_attainment": gettext_lazy("The key-product deals"),
    "intent_customers": gettext_lazy("The intent customers"),
    "lead_conversion_rate": gettext_lazy("The converted customers"),
    "crm_completeness": gettext_lazy("The calls without a timely outcome"),
}


def _figures(who: Who, period: Period) -> list[dict]:
    values = kpis_compute(who.scope, period, groups=("sales", "targets", "crm"))
    cards = []
    for code in (*SALES_KPIS, "key_product_attainment", *CRM_KPIS):
        value, definition = values[code], DEFINITIONS[code]
        kind, filters = _ROWS[code]
        cards.append(
            {
                "code": code,
                "label": definition.label,
                "formula": definition.formula,
                "value": display(value.value, definition.unit),
                "applicable": value.applicable,
                "numerator": _plain(value.numerator),
                "denominator": _plain(value.denominator),
                "is_ratio": value.denominator is not None or code == "key_product_attainment",
                "link": reverse("analysis-rows", args=[kind]) + _query(who, period, **filters),
                "link_text": _LINK_TEXT[code],
                "no_target": code == "key_product_attainment" and value.denominator is None,
            }
        )
    return cards


# The KPIs of call monitoring, training, the team and the work reports (issue 6), in the
# order of PRODUCT.md §5; their rows are on each area's own pages.
TEAM_KPIS = (
    "qa_score_avg",
    "qa_pass_rate",
    "training_completion_rate",
    "training_effect",
    "skill_score_avg",
    "retention_rate",
    "promotions",
    "attainment_improved_share",
    "report_timeliness",
)


def _team_figures(who: Who, period: Period) -> list[dict]:
    values = kpis_compute(who.scope, period, groups=("qa", "training", "people", "workreports"))
    cards = []
    for code in TEAM_KPIS:
        value, definition = values[code], DEFINITIONS[code]
        cards.append(
            {
                "code": code,
                "label": definition.label,
                "formula": definition.formula,
                "value": display(value.value, definition.unit),
                "applicable": value.applicable,
                "numerator": _plain(value.numerator),
                "denominator": _plain(value.denominator),
                "is_ratio": value.denominator is not None,
            }
        )
    return cards


def _base_context(request, who: Who, form, period, *, reps: bool = True) -> dict:
    return {
        "who": who,
        "form": form,
        "period": period,
        "choices": _choices(request.user, who, reps=reps),
    }


@login_required
def analysis(request):
    """The sales and CRM figures of a rep or team for a period, each with its formula,
    numerator and denominator, and a link to the rows behind it."""
    who = _who(request)
    form, period = _period(request)
    context = _base_context(request, who, form, period)
    if period is not None:
        context["figures"] = _figures(who, period)
        context["team_figures"] = _team_figures(who, period)
    return render(request, "reports/analysis.html", context)


ROW_KINDS = {"deals", "customers", "calls"}


@login_required
def rows(request, kind):
    """The rows behind a figure: the deals and refunds, the intent customers, or the
    connected calls, of the rep or team in the period; only rows of people the user sees
    are listed, and the page says how many others there are."""
    if kind not in ROW_KINDS:
        raise Http404
    who = _who(request)
    form, period = _period(request)
    context = _base_context(request, who, form, period)
    context["kind"] = kind
    if period is None:
        return render(request, "reports/rows.html", context)
    if kind == "deals":
        queryset, field = deals_in_scope(who.scope, period), "employee"
        status = request.GET.get("status")
        if status in ("won", "refunded"):
            queryset = queryset.filter(status=status)
        if request.GET.get("key") == "1":
            queryset = queryset.filter(product__key_product=True)
        queryset = queryset.select_related("employee", "product", "customer").order_by(
            "-closed_on", "-id"
        )
    elif kind == "customers":
        queryset, field = (
            intent_customers_in_scope(who.scope, period).annotate(converted=converted(period)),
            "owner",
        )
        wanted = request.GET.get("converted")
        if wanted in ("yes", "no"):
            queryset = queryset.filter(converted=wanted == "yes")
        queryset = queryset.select_related("owner").order_by("intent_on", "id")
    else:
        queryset, field = (
            connected_calls_in_scope(who.scope, period).annotate(timely=timely()),
            "employee",
        )
        wanted = request.GET.get("timely")
        if wanted in ("yes", "no"):
            queryset = queryset.filter(timely=wanted == "yes")
        queryset = queryset.select_related("employee").order_by("-started_at", "-id")
    visible = queryset.filter(access.visible_q(request.user, field))
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    if kind == "deals":
        viewer = phone_viewer(request.user)
        for deal in page:
            deal.phone_shown = viewer.number(deal.customer) if deal.customer else ""
    elif kind == "customers":
        viewer = phone_viewer(request.user)
        for customer in page:
            customer.phone_shown = viewer.number(customer)
    else:
        viewer = number_viewer(request.user)
        for call in page:
            call.customer_shown = viewer.number(call)
    filters = {k: request.GET.get(k, "") for k in ("status", "key", "converted", "timely")}
    hidden = 0
    if not access.scope_for(request.user).company_wide:
        hidden = queryset.count() - page.paginator.count
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "page": page,
            "hidden": hidden,
            "query": query.urlencode(),
            "filters": filters,
            "keep": {k: v for k, v in filters.items() if v},
        }
    )
    return render(request, "reports/rows.html", context)


@login_required
def funnel(request):
    """Leads → contacted → intent → won for a rep or team and a period, with the
    conversion between steps; for teams, each rep's funnel too."""
    who = _who(request)
    form, period = _period(request)
    context = _base_context(request, who, form, period)
    if period is not None:
        by_owner = selectors.funnel_by_owner(who.scope, period)
        total = selectors.funnel_total(by_owner)
        context["steps"] = _funnel_steps(total)
        if not who.is_rep:
            people = access.employees_visible_to(request.user).filter(pk__in=by_owner)
            context["reps"] = [
                {"employee": e, "steps": _funnel_steps(by_owner[e.pk])}
                for e in people.order_by("employee_no")
            ]
            context["hidden"] = len(by_owner) - len(context["reps"])
    return render(request, "reports/funnel.html", context)


_STEP_LABELS = {
    "leads": gettext_lazy("Leads"),
    "contacted": gettext_lazy("Contacted"),
    "intent": gettext_lazy("Intent"),
    "won": gettext_lazy("Won"),
}


def _funnel_steps(counts: selectors.FunnelCounts) -> list[dict]:
    steps = counts.steps()
    for step in steps:
        step["label"] = _STEP_LABELS[step["code"]]
        step["width"] = float(step["share"] * 100)
        previous = step["from_previous"]
        step["from_previous_shown"] = "" if previous is None else display(previous.value, "rate")
        step["from_leads_shown"] = display(step["from_leads"].value, "rate")
    return steps


@login_required
def comparison(request):
    """The reps of a team (or of all the user's teams) side by side on each rate, with its
    95 % Wilson interval, ranked by the interval's lower bound. Not for reps: they see
    their own numbers only."""
    if not selectors.can_compare_reps(request.user):
        raise Http404
    who = _who(request, reps=False)
    form, period = _period(request)
    rank_by = request.GET.get("rank")
    if rank_by not in selectors.COMPARED_RATES:
        rank_by = selectors.COMPARED_RATES[0]
    context = _base_context(request, who, form, period, reps=False)
    context["rank_by"] = rank_by
    context["keep"] = {"rank": rank_by}
    context["rates"] = [
        {
            "code": code,
            "label": DEFINITIONS[code].label,
            "formula": DEFINITIONS[code].formula,
            "link": _query(who, period, rank=code) if period else "",
        }
        for code in selectors.COMPARED_RATES
    ]
    if period is not None:
        rows = selectors.rep_comparison(request.user, who.scope, period, rank_by=rank_by)
        context["rows"] = [
            {
                "rank": index if row.cells[rank_by].interval is not None else None,
                "employee": row.employee,
                "cells": [_rate_cell(row.cells[code]) for code in selectors.COMPARED_RATES],
            }
            for index, row in enumerate(rows, start=1)
        ]
    return render(request, "reports/comparison.html", context)


def _rate_cell(cell: selectors.RateCell) -> dict:
    shown = {
        "code": cell.code,
        "successes": cell.successes,
        "trials": cell.trials,
        "applicable": cell.interval is not None,
        "value": display(cell.value, "rate"),
    }
    if cell.interval is not None:
        low, high = cell.interval
        shown.update(
            {
                "low": display(low, "rate"),
                "high": display(high, "rate"),
                # Coordinates of the bar drawn in a 100-wide SVG: attributes, not styles,
                # so the Content-Security-Policy has nothing to refuse.
                "x": f"{low * 100:.2f}",
                "width": f"{max((high - low) * 100, 0.5):.2f}",
                "point": f"{float(cell.value) * 100:.2f}",
            }
        )
    return shown
