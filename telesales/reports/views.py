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
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.calls.forms import PeriodForm
from telesales.calls.selectors import number_viewer
from telesales.core.periods import Period
from telesales.crm.customers.selectors import phone_viewer
from telesales.kpi import drill
from telesales.kpi.crm import CRM_KPIS
from telesales.kpi.drill import drill_for, drill_url
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.kpi.sales import SALES_KPIS
from telesales.org import access
from telesales.org.models import Employee, Role, Team
from telesales.org.scopes import KpiScope, scope_for_employee, scope_for_teams
from telesales.people.training.access import sessions_visible_to
from telesales.reports import selectors

PAGE_SIZE = 50
_WHO = re.compile(r"^(rep|team|lead)-(\d+)$")


@dataclass(frozen=True)
class Who:
    """The rep or teams a page is about, already checked against the user's scope."""

    code: str  # rep-12, team-3, lead-7 (the teams supervisor 7 leads) or all
    scope: KpiScope
    employee: Employee | None = None
    team: Team | None = None
    leader: Employee | None = None

    @property
    def is_rep(self) -> bool:
        return self.employee is not None


def _led_by(user, pk) -> Who:
    """The teams a supervisor leads (PRODUCT.md §5: a supervisor's team KPIs are those of
    the teams they lead), only when the user may see the supervisor and every one of those
    teams; 404 otherwise, as if they did not exist."""
    leader = access.access_employee(user, pk)
    teams = list(Team.objects.filter(supervisor=leader).order_by("code"))
    visible = set(access.teams_visible_to(user).values_list("pk", flat=True))
    if not teams or any(team.pk not in visible for team in teams):
        raise Http404
    scope = scope_for_teams(teams, f"supervisor:{leader.employee_no}")
    return Who(f"lead-{leader.pk}", scope, leader=leader)


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
    if match and match.group(1) == "lead":
        return _led_by(user, match.group(2))
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
    if who.leader is not None:
        options.append((who.code, _("Teams led by %(name)s") % {"name": who.leader}))
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


def _card(code: str, value, who: Who, period: Period) -> dict:
    """One KPI card: value, formula, numerator and denominator, and the link to its rows
    (telesales.kpi.drill, the one source of those links)."""
    definition = DEFINITIONS[code]
    rows = drill_for(code)
    return {
        "code": code,
        "label": definition.label,
        "formula": definition.formula,
        "value": display(value.value, definition.unit),
        "applicable": value.applicable,
        "numerator": _plain(value.numerator),
        "denominator": _plain(value.denominator),
        "is_ratio": value.denominator is not None or code == "key_product_attainment",
        "link": drill_url(code, who=who.code, period_code=period.code),
        "link_text": rows.text if rows is not None else "",
        "no_target": code == "key_product_attainment" and value.denominator is None,
    }


def _figures(who: Who, period: Period) -> list[dict]:
    values = kpis_compute(who.scope, period, groups=("sales", "targets", "crm"))
    return [
        _card(code, values[code], who, period)
        for code in (*SALES_KPIS, "key_product_attainment", *CRM_KPIS)
    ]


# The KPIs of call monitoring, training, the team and the work reports (issue 6), in the
# order of PRODUCT.md §5.
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
    return [_card(code, values[code], who, period) for code in TEAM_KPIS]


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


ROW_KINDS = set(drill.KINDS)

_TITLES = {
    "deals": gettext_lazy("Deals behind the figures"),
    "customers": gettext_lazy("Intent customers"),
    "calls": gettext_lazy("Connected calls and their outcomes"),
    "dialled": gettext_lazy("Dialled calls"),
    "surveys": gettext_lazy("Survey responses"),
    "complaints": gettext_lazy("Complaints opened in the period"),
    "reviews": gettext_lazy("QA reviews"),
    "sessions": gettext_lazy("Training sessions due"),
    "course-results": gettext_lazy("Course results before and after"),
    "skills": gettext_lazy("Skill assessments"),
    "headcount": gettext_lazy("Headcount and leavers"),
    "promotions": gettext_lazy("Promotions"),
    "attainment": gettext_lazy("Sales attainment in both periods"),
    "reports": gettext_lazy("Work reports due"),
}

# The filter chips of each kind: (label, filters); the first is the kind without filters.
_CHIPS = {
    "deals": [
        (gettext_lazy("Deals and refunds"), {}),
        (gettext_lazy("Deals won"), {"status": "won"}),
        (gettext_lazy("Refunds"), {"status": "refunded"}),
        (gettext_lazy("Key products"), {"key": "1"}),
    ],
    "customers": [
        (gettext_lazy("All intent customers"), {}),
        (gettext_lazy("Converted"), {"converted": "yes"}),
        (gettext_lazy("Not converted"), {"converted": "no"}),
    ],
    "calls": [
        (gettext_lazy("All connected calls"), {}),
        (gettext_lazy("With an outcome within 24 h"), {"timely": "yes"}),
        (gettext_lazy("Without a timely outcome"), {"timely": "no"}),
    ],
    "dialled": [
        (gettext_lazy("All dialled calls"), {}),
        (gettext_lazy("Connected"), {"answered": "yes"}),
        (gettext_lazy("Not connected"), {"answered": "no"}),
        (gettext_lazy("Effective"), {"effective": "yes"}),
        (gettext_lazy("Connected, not effective"), {"answered": "yes", "effective": "no"}),
    ],
    "surveys": [
        (gettext_lazy("All responses"), {}),
        (gettext_lazy("Satisfied (4 or 5)"), {"satisfied": "yes"}),
        (gettext_lazy("Not satisfied (1 to 3)"), {"satisfied": "no"}),
    ],
    "complaints": [
        (gettext_lazy("All opened"), {}),
        (gettext_lazy("Counted"), {"counted": "yes"}),
        (gettext_lazy("Resolved in time"), {"timely": "yes"}),
        (gettext_lazy("Not in time"), {"timely": "no"}),
        (gettext_lazy("Open, within their SLA (not counted)"), {"counted": "no"}),
    ],
    "reviews": [
        (gettext_lazy("All reviews"), {}),
        (gettext_lazy("Passed"), {"passed": "yes"}),
        (gettext_lazy("Not passed"), {"passed": "no"}),
    ],
    "sessions": [
        (gettext_lazy("All sessions due"), {}),
        (gettext_lazy("Held"), {"held": "yes"}),
        (gettext_lazy("Not held"), {"held": "no"}),
    ],
    "course-results": [],
    "skills": [],
    "headcount": [
        (gettext_lazy("Everyone counted"), {}),
        (gettext_lazy("On the first day"), {"on": "first"}),
        (gettext_lazy("On the last day"), {"on": "last"}),
        (gettext_lazy("Leavers"), {"left": "yes"}),
    ],
    "promotions": [],
    "attainment": [
        (gettext_lazy("All compared reps"), {}),
        (gettext_lazy("Improved"), {"improved": "yes"}),
        (gettext_lazy("Not improved"), {"improved": "no"}),
    ],
    "reports": [
        (gettext_lazy("All reports due"), {}),
        (gettext_lazy("On time"), {"on_time": "yes"}),
        (gettext_lazy("Late or missing"), {"on_time": "no"}),
    ],
}


def _chips(kind: str, who: Who, period: Period, filters: dict) -> list[dict]:
    return [
        {
            "label": label,
            "url": _query(who, period, **wanted),
            "current": wanted == filters,
        }
        for label, wanted in _CHIPS[kind]
    ]


def _visible(request, kind: str, found: drill.Rows):
    """The rows the user may see (rows of people in their scope; for training sessions,
    training's own rule), and how many others count in the figures."""
    user = request.user
    scope = access.scope_for(user)
    if found.is_list:
        if scope.company_wide:
            return found.items, 0
        shown = [
            row for row in found.items if getattr(row, f"{found.employee}_id") in scope.employee_ids
        ]
        return shown, len(found.items) - len(shown)
    if kind == "sessions":
        visible = found.items.filter(pk__in=sessions_visible_to(user).values("pk"))
    else:
        visible = found.items.filter(access.visible_q(user, found.employee))
    return visible, None


def _decorate(request, kind: str, page, found: drill.Rows) -> None:
    """Masked numbers and each row's state, on the page's rows only."""
    user = request.user
    if kind in ("deals", "customers", "surveys", "complaints"):
        viewer = phone_viewer(user)
        for row in page:
            customer = row if kind == "customers" else row.customer
            row.phone_shown = viewer.number(customer) if customer is not None else ""
    if kind in ("calls", "dialled"):
        viewer = number_viewer(user)
        threshold = found.totals.get("threshold")
        for call in page:
            call.customer_shown = viewer.number(call)
            if threshold is not None:
                call.effective = call.answered and call.talk_seconds >= threshold
    if kind == "reviews":
        viewer = number_viewer(user)
        for review in page:
            review.customer_shown = viewer.number(review.call)
    if kind == "complaints":
        now = timezone.now()
        for ticket in page:
            if ticket.resolved_at is not None:
                ticket.state = "timely" if ticket.resolved_at <= ticket.due_at else "late"
            else:
                ticket.state = "overdue" if ticket.due_at < now else "pending"
    if kind == "promotions":
        roles = dict(Role.choices)
        for event in page:
            event.from_shown = roles.get(event.from_value, event.from_value)
            event.to_shown = roles.get(event.to_value, event.to_value)
    if kind == "course-results":
        for result in page:
            result.change = result.score - result.pre_score
    if kind == "attainment":
        for row in page:
            row.before_shown = display(row.before, "rate")
            row.after_shown = display(row.after, "rate")


@login_required
def rows(request, kind):
    """The rows behind a figure (telesales.kpi.drill): the deals and refunds, the intent
    customers, the calls, the survey responses, the complaints, the QA reviews, the
    training sessions and results, the headcount, the promotions, the reps' attainments or
    the work reports of the rep or teams in the period; only rows of people the user sees
    are listed, and the page says how many others there are."""
    if kind not in ROW_KINDS:
        raise Http404
    who = _who(request)
    form, period = _period(request)
    context = _base_context(request, who, form, period)
    context["kind"] = kind
    context["title"] = _TITLES[kind]
    if period is None:
        return render(request, "reports/rows.html", context)
    filters = drill.clean_filters(kind, request.GET)
    found = drill.drill_rows(kind, who.scope, period, filters)
    visible, hidden = _visible(request, kind, found)
    page = Paginator(visible, PAGE_SIZE).get_page(request.GET.get("page"))
    if hidden is None:
        hidden = 0
        if not access.scope_for(request.user).company_wide or kind == "sessions":
            hidden = found.items.count() - page.paginator.count
    _decorate(request, kind, page, found)
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "page": page,
            "hidden": hidden,
            "query": query.urlencode(),
            "filters": filters,
            "keep": filters,
            "chips": _chips(kind, who, period, filters),
            "totals": found.totals,
            "rows_template": f"reports/rows/_{kind.replace('-', '_')}.html",
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
