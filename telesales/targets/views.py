"""The target-plan pages (source §2.1.1, §3.4.1): the plans of a period from the company down
to each rep, setting a target, one target with its versions, splits, phasing and audit trail,
the split wizard (method → preview with manual adjustment → confirm), the target agreements,
and the working-day calendar.

Every page reads through telesales.targets.selectors: what the user cannot see is a 404; what
they see but may not change is a 403; a refusal changes nothing. Nothing of a split is stored
before its confirmation."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import chinese_calendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from telesales.core.models import AuditEvent
from telesales.org.access import (
    employees_visible_to,
    scope_for,
    teams_visible_to,
    user_role,
)
from telesales.org.models import Employee, Role, Team
from telesales.targets import selectors, services
from telesales.targets.arithmetic import SplitError
from telesales.targets.decomposition import (
    SplitPlan,
    changes_since_split,
    period_bounds,
    split_compute,
)
from telesales.targets.forms import (
    COMPANY,
    AgreementFilterForm,
    AgreementSignForm,
    CalendarDayForm,
    SplitAmountsForm,
    SplitChooseForm,
    TargetFilterForm,
    TargetSetForm,
    current_quarter,
    scope_parse,
    scope_value,
    share_field_name,
)
from telesales.targets.models import (
    AMOUNT_METRICS,
    Agreement,
    CalendarDay,
    Method,
    Metric,
    Target,
    TargetSplit,
)
from telesales.targets.phasing import PlanBook
from telesales.targets.services import AgreementError
from telesales.targets.workdays import WorkCalendar, days

METRIC_ORDER = {metric: i for i, metric in enumerate(Metric.values)}
CALENDAR_EDITORS = {Role.ADMIN, Role.HR}
AUDIT_LIMIT = 50
MIN_YEAR, MAX_YEAR = 1900, 2999  # the calendar's grid must stay within what dates can hold

HOLIDAY_NAMES = {
    "New Year's Day": gettext_lazy("New Year's Day"),
    "Spring Festival": gettext_lazy("Spring Festival"),
    "Tomb-sweeping Day": gettext_lazy("Tomb-sweeping Day"),
    "Labour Day": gettext_lazy("Labour Day"),
    "Dragon Boat Festival": gettext_lazy("Dragon Boat Festival"),
    "National Day": gettext_lazy("National Day"),
    "Mid-autumn Festival": gettext_lazy("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": gettext_lazy("Anti-Fascist 70th Day"),
}


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _today() -> dt.date:
    return timezone.localdate()


# -- how numbers and reasons are shown ---------------------------------------------------------


def value_shown(metric: str, value) -> str:
    """Amounts to the cent, counts in whole units, both with thousands separators."""
    if value is None:
        return "—"
    places = 2 if metric in AMOUNT_METRICS else 0
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(number, places, force_grouping=True)


def _plain_number(text) -> str:
    number = Decimal(str(text))
    return str(int(number)) if number == number.to_integral_value() else str(number.normalize())


def basis_items(basis: dict, metric: str) -> list[str]:
    """Why a child carries its share, in words: the basis the split recorded."""
    items = []
    if basis.get("left"):
        items.append(_("gone from then on: keeps what was planned before"))
    if "share" in basis:
        items.append(_("equal share (%(share)s)") % {"share": basis["share"]})
    if "working_days" in basis:
        count = int(basis["working_days"])
        items.append(
            ngettext("%(count)s working day", "%(count)s working days", count) % {"count": count}
        )
    if basis.get("leave_days"):
        count = int(basis["leave_days"])
        items.append(
            ngettext("%(count)s day on leave", "%(count)s days on leave", count) % {"count": count}
        )
    if "weighted_days" in basis:
        items.append(
            _("%(days)s ramp-weighted days") % {"days": _plain_number(basis["weighted_days"])}
        )
    if basis.get("ramp_up"):
        ramp = " / ".join(f"{_plain_number(p)}%" for p in str(basis["ramp_up"]).split(","))
        items.append(_("ramp-up by month of service: %(ramp)s") % {"ramp": ramp})
    if "history" in basis:
        items.append(
            _("%(amount)s achieved from %(from)s to %(until)s")
            % {
                "amount": value_shown(metric, basis["history"]),
                "from": basis.get("from", ""),
                "until": basis.get("until", ""),
            }
        )
    return items


def scope_label(target: Target) -> str:
    if target.employee_id:
        return str(target.employee)
    if target.team_id:
        return str(target.team)
    return _("The company")


def method_label(target: Target) -> str:
    label = target.get_method_display()
    based_on = target.split.based_on if target.split_id else ""
    if target.method == Method.MANUAL and based_on:
        return _("%(method)s (adjusted from %(based_on)s)") % {
            "method": label,
            "based_on": Method(based_on).label,
        }
    return label


def _user_label(user) -> str:
    if user is None:
        return _("system")
    return user.get_full_name() or user.get_username()


# -- the plans of a period ---------------------------------------------------------------------


def _target_row(target: Target, level: str, agreement: Agreement | None) -> dict:
    return {
        "target": target,
        "level": level,
        "label": scope_label(target),
        "value": value_shown(target.metric, target.value),
        "method": method_label(target),
        "agreement": agreement,
    }


def _target_groups(user, *, period: str, metric: str, team: Team | None) -> list[dict]:
    """The active targets of the period the user sees: the company's, then each team's own
    followed by its reps' (by each rep's current team)."""
    targets = (
        selectors.targets_visible_to(user)
        .filter(period=period, superseded_at__isnull=True)
        .select_related("employee__team", "team", "split")
    )
    if metric:
        targets = targets.filter(metric=metric)
    if team is not None:
        targets = targets.filter(Q(team=team) | Q(employee__team=team))
    targets = list(targets)
    owners = {t.employee_id for t in targets if t.employee_id}
    owners |= {t.team.supervisor_id for t in targets if t.team_id and t.team.supervisor_id}
    agreements = {
        a.employee_id: a
        for a in selectors.agreements_visible_to(user).filter(period=period, employee_id__in=owners)
    }
    company: list[dict] = []
    teams: dict[int | None, dict] = {}
    for target in sorted(targets, key=lambda t: METRIC_ORDER.get(t.metric, 99)):
        if target.employee_id:
            home = target.employee.team
            group = teams.setdefault(home.pk if home else None, {"team": home, "rows": []})
            row = _target_row(target, "rep", agreements.get(target.employee_id))
            group["rows"].append(row)
        elif target.team_id:
            group = teams.setdefault(target.team_id, {"team": target.team, "rows": []})
            row = _target_row(target, "team", agreements.get(target.team.supervisor_id))
            group["rows"].append(row)
        else:
            company.append(_target_row(target, "company", None))
    for group in teams.values():
        group["rows"].sort(
            key=lambda r: (
                r["level"] != "team",
                r["target"].employee.employee_no if r["target"].employee_id else "",
                METRIC_ORDER.get(r["target"].metric, 99),
            )
        )
    ordered = sorted(
        teams.values(), key=lambda g: (g["team"] is None, getattr(g["team"], "code", ""))
    )
    groups = [{"team": None, "company": True, "rows": company}] if company else []
    return groups + [{**g, "company": False} for g in ordered]


@login_required
def target_list(request):
    user = request.user
    _require(selectors.can_see_targets(user))
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = current_quarter(_today())
    scope = scope_for(user)
    teams = teams_visible_to(user).order_by("code")
    form = TargetFilterForm(data, teams=teams)
    context: dict = {
        "form": form,
        "show_teams": scope.role != Role.REP,
        "can_set": bool(_settable_scopes(user)),
        "groups": [],
    }
    if form.is_valid():
        context["period"] = form.cleaned_data["period"]
        context["groups"] = _target_groups(
            user,
            period=form.cleaned_data["period"],
            metric=form.cleaned_data["metric"],
            team=form.cleaned_data["team"],
        )
    if request.htmx:
        return render(request, "targets/target_list.html#table", context)
    return render(request, "targets/target_list.html", context, status=400 if form.errors else 200)


# -- setting a target --------------------------------------------------------------------------


def _settable_scopes(user) -> list:
    """The scopes the user may set a target for, as form choices: the company, teams, reps."""
    role = scope_for(user).role
    if role in {None, Role.REP, Role.STAFF}:
        return []
    today = _today()
    choices: list = []
    if selectors.can_set_target(user):
        choices.append((COMPANY, _("The company")))
    teams = [
        (scope_value(team=t), str(t))
        for t in teams_visible_to(user).filter(is_active=True).order_by("code")
        if selectors.can_set_target(user, team=t)
    ]
    if teams:
        choices.append((_("Teams"), teams))
    reps = [
        (scope_value(employee=e), str(e))
        for e in employees_visible_to(user)
        .filter(role=Role.REP)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
        .order_by("employee_no")
        if selectors.can_set_target(user, employee=e)
    ]
    if reps:
        choices.append((_("Reps"), reps))
    return choices


def _scope_objects(user, value: str) -> tuple[Team | None, Employee | None]:
    """The team or rep a posted scope names: a 404 for one out of the user's sight, a 403 for
    one they see but may not set; a malformed value is left to the form."""
    try:
        kind, pk = scope_parse(value)
    except ValueError:
        return None, None
    if kind == COMPANY:
        if not selectors.can_set_target(user):
            raise PermissionDenied
        return None, None
    if kind == "team":
        team = teams_visible_to(user).filter(pk=pk).select_related("supervisor").first()
        if team is None:
            raise Http404
        if not selectors.can_set_target(user, team=team):
            raise PermissionDenied
        return team, None
    employee = employees_visible_to(user).filter(pk=pk).first()
    if employee is None:
        raise Http404
    if not selectors.can_set_target(user, employee=employee):
        raise PermissionDenied
    return None, employee


@login_required
@require_http_methods(["GET", "POST"])
def target_new(request):
    user = request.user
    _require(selectors.can_see_targets(user))
    scopes = _settable_scopes(user)
    if not scopes:
        raise PermissionDenied
    if request.method == "POST":
        team, employee = _scope_objects(user, request.POST.get("scope", ""))
        form = TargetSetForm(request.POST, scopes=scopes)
        if form.is_valid():
            data = form.cleaned_data
            try:
                target, outcome = services.target_set(
                    actor=user,
                    metric=data["metric"],
                    period=data["period"],
                    value=data["value"],
                    team=team,
                    employee=employee,
                    note=data["note"],
                )
            except SplitError as error:
                form.add_error("value", str(error))
            else:
                _report_set(request, target, outcome)
                return redirect("target-detail", pk=target.pk)
        return render(request, "targets/target_form.html", {"form": form}, status=400)
    initial = {
        "period": request.GET.get("period") or current_quarter(_today()),
        "metric": request.GET.get("metric") or Metric.SALES_AMOUNT,
    }
    if request.GET.get("scope"):
        initial["scope"] = request.GET["scope"]
    if request.GET.get("value"):
        initial["value"] = request.GET["value"]
    form = TargetSetForm(initial=initial, scopes=scopes)
    return render(request, "targets/target_form.html", {"form": form})


def _report_set(request, target: Target, outcome: str) -> None:
    words = {
        "metric": target.get_metric_display(),
        "scope": scope_label(target),
        "period": target.period,
        "value": value_shown(target.metric, target.value),
    }
    if outcome == "unchanged":
        messages.info(
            request,
            _(
                "The %(metric)s target of %(scope)s for %(period)s is already %(value)s; "
                "nothing changed."
            )
            % words,
        )
    elif outcome == "updated":
        messages.success(
            request,
            _(
                "The %(metric)s target of %(scope)s for %(period)s is now %(value)s; the earlier "
                "value is kept in its history."
            )
            % words,
        )
    else:
        messages.success(
            request,
            _("The %(metric)s target of %(scope)s for %(period)s is set to %(value)s.") % words,
        )


# -- one target --------------------------------------------------------------------------------


def _child_rows(split: TargetSplit, metric: str) -> list[dict]:
    rows = []
    for child in split.children.all():
        items = basis_items(child.basis, metric)
        kept = Decimal(child.basis.get("kept") or 0)
        if kept:
            items.append(
                _("keeps %(amount)s planned before %(date)s")
                % {"amount": value_shown(metric, kept), "date": split.effective_from}
            )
        rows.append(
            {
                "target": child,
                "label": scope_label(child),
                "value": value_shown(metric, child.value),
                "basis": items,
            }
        )
    return rows


def _phasing(target: Target) -> dict:
    """A rep's target phased into months and weeks on the working-day calendar."""
    book = PlanBook(target.metric, target.start, target.end)
    daily = book.target_plan(target)
    calendar = book.calendar

    def stretch(label: str, first: dt.date, last: dt.date) -> dict:
        amount = sum((v for d, v in daily.items() if first <= d <= last), Decimal(0))
        return {
            "label": label,
            "first": first,
            "last": last,
            "working_days": calendar.count(first, last),
            "planned_days": sum(1 for d, v in daily.items() if first <= d <= last and v),
            "amount": value_shown(target.metric, amount),
        }

    months = []
    day = target.start
    while day <= target.end:
        last = min(
            dt.date(day.year, day.month, month_calendar.monthrange(day.year, day.month)[1]),
            target.end,
        )
        months.append(stretch(f"{day.year}-{day.month:02d}", day, last))
        day = last + dt.timedelta(days=1)
    weeks = []
    monday = target.start - dt.timedelta(days=target.start.weekday())
    while monday <= target.end:
        first, last = max(monday, target.start), min(monday + dt.timedelta(days=6), target.end)
        year, week, _weekday = monday.isocalendar()
        weeks.append(stretch(f"{year}-W{week:02d}", first, last))
        monday += dt.timedelta(days=7)
    return {
        "months": months,
        "weeks": weeks,
        "total": value_shown(target.metric, sum(daily.values(), Decimal(0))),
        "unknown_years": sorted(book.unknown_years),
    }


def _audit_rows(versions: list[Target], splits: list[TargetSplit]) -> list[dict]:
    events = (
        AuditEvent.objects.filter(
            Q(object_type="targets.target", object_id__in=[str(v.pk) for v in versions])
            | Q(object_type="targets.targetsplit", object_id__in=[str(s.pk) for s in splits])
        )
        .select_related("actor")
        .order_by("-at", "-id")[:AUDIT_LIMIT]
    )
    metric = versions[0].metric if versions else ""
    rows = []
    for event in events:
        after, before = event.after or {}, event.before or {}
        if event.action == "target.set":
            text = _("Target set to %(value)s") % {"value": value_shown(metric, after.get("value"))}
            if before.get("value") is not None:
                text += " " + _("(was %(value)s)") % {"value": value_shown(metric, before["value"])}
        elif event.action == "target.split":
            method = after.get("method", "")
            count = len(after.get("children", {}))
            text = ngettext(
                "Split by %(method)s from %(date)s into %(count)s target",
                "Split by %(method)s from %(date)s into %(count)s targets",
                count,
            ) % {
                "method": Method(method).label if method in Method.values else method,
                "date": after.get("effective_from", ""),
                "count": count,
            }
        else:
            text = event.action
        who = _user_label(event.actor) if event.actor_id else event.actor_label
        rows.append({"at": event.at, "who": who, "text": text})
    return rows


@login_required
def target_detail(request, pk):
    user = request.user
    target = selectors.access_target(user, pk)
    versions = list(
        Target.objects.filter(
            metric=target.metric,
            period=target.period,
            team_id=target.team_id,
            employee_id=target.employee_id,
        )
        .select_related("created_by", "split")
        .order_by("-created_at", "-id")
    )
    children = Prefetch(
        "children",
        queryset=Target.objects.select_related("employee", "team").order_by(
            "team__code", "employee__employee_no", "id"
        ),
    )
    splits = list(
        target.splits.select_related("created_by")
        .prefetch_related(children)
        .order_by("-created_at", "-id")
    )
    current = next((s for s in splits if s.superseded_at is None), None)
    may_split = target.is_active and selectors.can_split(user, target)
    changes = changes_since_split(target) if current is not None and target.is_active else []
    parent = None
    if target.split_id:
        parent = selectors.targets_visible_to(user).filter(pk=target.split.parent_id).first()
    owner = (
        target.employee
        if target.employee_id
        else (target.team.supervisor if target.team_id else None)
    )
    agreement = (
        selectors.agreements_visible_to(user).filter(employee=owner, period=target.period).first()
        if owner is not None
        else None
    )
    context = {
        "target": target,
        "label": scope_label(target),
        "value": value_shown(target.metric, target.value),
        "method": method_label(target),
        "active": next((v for v in versions if v.superseded_at is None), None),
        "versions": [
            {"target": v, "value": value_shown(v.metric, v.value), "method": method_label(v)}
            for v in versions
        ],
        "current_split": current,
        "children": _child_rows(current, target.metric) if current else [],
        "earlier_splits": [
            {"split": s, "children": _child_rows(s, target.metric)}
            for s in splits
            if s.superseded_at is not None
        ],
        "changes": changes,
        "may_split": may_split,
        "may_change": target.is_active
        and selectors.can_set_target(user, team=target.team, employee=target.employee),
        "change_query": urlencode(
            {
                "scope": scope_value(team=target.team, employee=target.employee),
                "period": target.period,
                "metric": target.metric,
                "value": target.value,
            }
        ),
        "parent": parent,
        "parent_label": scope_label(parent) if parent is not None else "",
        "agreement": agreement,
        "phasing": _phasing(target) if target.employee_id and target.is_active else None,
        "audit": _audit_rows(versions, splits),
    }
    return render(request, "targets/target_detail.html", context)


# -- the split wizard --------------------------------------------------------------------------


def _fingerprint(plan: SplitPlan) -> str:
    """What a preview showed: confirming it stores it only while this is still what a fresh
    computation gives."""
    data = [
        plan.parent.pk,
        str(plan.parent.value),
        plan.method,
        plan.effective_from.isoformat(),
        str(plan.amount),
        [[s.code, str(s.kept), str(s.share)] for s in plan.shares],
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


def _compute(target: Target, choose: SplitChooseForm) -> SplitPlan:
    data = choose.cleaned_data
    return split_compute(
        target,
        data["method"],
        effective_from=data["effective_from"],
        history_months=data["history_months"],
    )


def _adjusted(plan: SplitPlan, values: dict[str, Decimal]) -> SplitPlan:
    """The plan as computed when nothing was changed by hand, else the manual split (refused
    by SplitPlan.with_values unless it adds up)."""
    if all(values.get(s.code, s.share) == s.share for s in plan.shares):
        return plan
    return plan.with_values(values)


def _sum_context(plan: SplitPlan, amounts: SplitAmountsForm, metric: str) -> dict:
    entered = amounts.entered() if amounts.is_bound else {}
    total = Decimal(0)
    unreadable = 0
    for share in plan.shares:
        value = entered.get(share.code, share.share)
        if value is None or not value.is_finite():
            unreadable += 1
            continue
        total += value
    difference = total - plan.amount
    return {
        "sum_total": value_shown(metric, total),
        "sum_amount": value_shown(metric, plan.amount),
        "sum_difference": value_shown(metric, abs(difference)),
        "sum_state": "unreadable"
        if unreadable
        else ("exact" if difference == 0 else ("over" if difference > 0 else "under")),
        "sum_unreadable": unreadable,
    }


def _split_rows(plan: SplitPlan, amounts: SplitAmountsForm | None, metric: str) -> list[dict]:
    rows = []
    for share in plan.shares:
        field = None
        if amounts is not None and share_field_name(share.code) in amounts.fields:
            field = amounts[share_field_name(share.code)]
        rows.append(
            {
                "share": share,
                "basis": basis_items(share.basis, metric),
                "kept": value_shown(metric, share.kept),
                "computed": value_shown(metric, share.share),
                "value": value_shown(metric, share.value),
                "field": field,
            }
        )
    return rows


def _split_base(target: Target) -> dict:
    return {
        "target": target,
        "label": scope_label(target),
        "value": value_shown(target.metric, target.value),
        "method_help": [
            (Method.EQUAL.label, _("Everyone present gets the same part.")),
            (
                Method.HISTORY.label,
                _("In proportion to what each achieved in the months before the period."),
            ),
            (
                Method.CAPACITY.label,
                _(
                    "In proportion to the working days each is employed and not on leave, new "
                    "hires weighted by their ramp-up."
                ),
            ),
        ],
    }


def _choose_form(target: Target, data=None, initial=None) -> SplitChooseForm:
    return SplitChooseForm(data, initial=initial, start=target.start, end=target.end)


def _render_choose(
    request, target: Target, choose: SplitChooseForm, status: int = 200, changes=None
):
    current = target.splits.filter(superseded_at__isnull=True).first()
    if changes is None:
        changes = changes_since_split(target) if current is not None else []
    context = {
        **_split_base(target),
        "step": 1,
        "choose": choose,
        "current_split": current,
        "changes": changes,
    }
    return render(request, "targets/split.html", context, status=status)


def _render_preview(
    request, target, choose, plan, amounts, *, status: int = 200, partial: str = ""
):
    context = {
        **_split_base(target),
        "step": 2,
        "choose": choose,
        "query": choose.query(),
        "plan": plan,
        "plan_method": Method(plan.method).label,
        "fingerprint": _fingerprint(plan),
        "amounts": amounts,
        "rows": _split_rows(plan, amounts, target.metric),
        **_sum_context(plan, amounts, target.metric),
    }
    name = "targets/split.html" + (f"#{partial}" if partial else "")
    return render(request, name, context, status=status)


def _render_review(request, target, choose, plan: SplitPlan, amounts, *, status: int = 200):
    hidden = [(share_field_name(code), value) for code, value in amounts.values().items()]
    based_on = plan.params.get("adjusted_from")
    context = {
        **_split_base(target),
        "step": 3,
        "choose": choose,
        "query": choose.query(),
        "plan": plan,
        "plan_method": Method(plan.method).label,
        "based_on": Method(based_on).label if based_on else "",
        "fingerprint": request.POST.get("fingerprint", ""),
        "amounts": amounts,
        "hidden_amounts": hidden,
        "rows": _split_rows(plan, None, target.metric),
        "total": value_shown(target.metric, sum((s.value for s in plan.shares), Decimal(0))),
    }
    return render(request, "targets/split.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def target_split(request, pk):
    user = request.user
    target = selectors.access_target(user, pk)
    if not selectors.can_split(user, target):
        raise PermissionDenied
    if request.method == "POST":
        return _split_post(request, target)
    if not target.is_active:
        messages.error(
            request, _("This is an earlier version of the target; split the current one.")
        )
        return redirect("target-detail", pk=target.pk)
    if "method" not in request.GET:
        # A re-split starts, unless told otherwise, from the first change since the split.
        changes = changes_since_split(target)
        initial = {"method": Method.EQUAL}
        if request.GET.get("effective_from"):
            initial["effective_from"] = request.GET["effective_from"]
        elif changes:
            initial["effective_from"] = changes[0].date
        choose = _choose_form(target, initial=initial)
        return _render_choose(request, target, choose, changes=changes)
    choose = _choose_form(target, request.GET)
    if not choose.is_valid():
        return _render_choose(request, target, choose, status=400)
    try:
        plan = _compute(target, choose)
    except SplitError as error:
        choose.add_error(None, str(error))
        return _render_choose(request, target, choose, status=400)
    amounts = SplitAmountsForm(shares=plan.shares, metric=target.metric)
    return _render_preview(request, target, choose, plan, amounts)


def _split_post(request, target: Target):
    user = request.user
    action = request.POST.get("action", "")
    if action not in {"check", "review", "back", "confirm"}:
        return HttpResponseBadRequest()
    choose = _choose_form(target, request.POST)
    if not choose.is_valid():
        return _render_choose(request, target, choose, status=400)
    try:
        plan = _compute(target, choose)
    except SplitError as error:
        choose.add_error(None, str(error))
        return _render_choose(request, target, choose, status=400)
    amounts = SplitAmountsForm(request.POST, shares=plan.shares, metric=target.metric)
    if action == "check":
        partial = "sum" if request.htmx else ""
        return _render_preview(request, target, choose, plan, amounts, partial=partial)
    if action == "back":
        return _render_preview(request, target, choose, plan, amounts)
    if plan.parent.is_active and request.POST.get("fingerprint") != _fingerprint(plan):
        # Someone joined, left, took leave or was re-split meanwhile: show the new figures.
        fresh = SplitAmountsForm(shares=plan.shares, metric=target.metric)
        messages.error(
            request,
            _(
                "The people or the plans behind this split changed since the preview; here it "
                "is again with today's figures. Check it before you continue."
            ),
        )
        return _render_preview(request, target, choose, plan, fresh, status=409)
    if not amounts.is_valid():
        return _render_preview(request, target, choose, plan, amounts, status=400)
    try:
        final = _adjusted(plan, amounts.values())
    except SplitError as error:
        amounts.add_error(None, str(error))
        return _render_preview(request, target, choose, plan, amounts, status=400)
    if action == "review":
        return _render_review(request, target, choose, final, amounts)
    try:
        split = services.split_apply(actor=user, plan=final, reason=amounts.cleaned_data["reason"])
    except SplitError as error:
        amounts.add_error(None, str(error))
        return _render_review(request, target, choose, final, amounts, status=409)
    count = split.children.count()
    messages.success(
        request,
        ngettext(
            "The split is stored: %(count)s target set by %(method)s.",
            "The split is stored: %(count)s targets set by %(method)s.",
            count,
        )
        % {"count": count, "method": split.get_method_display()},
    )
    return redirect("target-detail", pk=target.pk)


# -- agreements --------------------------------------------------------------------------------


def _signatures(agreement: Agreement) -> dict:
    return {
        "employee_by": _user_label(agreement.employee_signed_by)
        if agreement.employee_signed_at
        else "",
        "superior_by": _user_label(agreement.superior_signed_by)
        if agreement.superior_signed_at
        else "",
    }


@login_required
def agreement_list(request):
    user = request.user
    _require(selectors.can_see_targets(user))
    data = request.GET.copy()
    if not data.get("period"):
        data["period"] = current_quarter(_today())
    scope = scope_for(user)
    form = AgreementFilterForm(data, teams=teams_visible_to(user).order_by("code"))
    context: dict = {"form": form, "show_teams": scope.role != Role.REP, "groups": []}
    if form.is_valid():
        period, start, end = period_bounds(form.cleaned_data["period"])
        team = form.cleaned_data["team"]
        wanted = form.cleaned_data["status"]
        agreements = selectors.agreements_visible_to(user).filter(period=period)
        people = (
            employees_visible_to(user)
            .filter(role__in=[Role.REP, Role.SUPERVISOR])
            .employed_between(start, end)
        )
        if team is not None:
            agreements = agreements.filter(employee__team=team)
            people = people.filter(team=team)
        agreements = {
            a.employee_id: a
            for a in agreements.select_related("employee_signed_by", "superior_signed_by")
        }
        everyone = {e.pk: e for e in people.select_related("team")}
        everyone.update({pk: a.employee for pk, a in agreements.items() if pk not in everyone})
        counts: Counter = Counter()
        groups: dict[int | None, dict] = defaultdict(lambda: {"team": None, "rows": []})
        for employee in everyone.values():
            agreement = agreements.get(employee.pk)
            status = agreement.status if agreement else ""
            counts[status] += 1
            if wanted and status != wanted:
                continue
            group = groups[employee.team_id]
            group["team"] = employee.team
            group["rows"].append(
                {
                    "employee": employee,
                    "agreement": agreement,
                    **(_signatures(agreement) if agreement else {}),
                }
            )
        for group in groups.values():
            group["rows"].sort(
                key=lambda r: (r["employee"].role != Role.SUPERVISOR, r["employee"].employee_no)
            )
        context.update(
            {
                "period": period,
                "groups": sorted(
                    groups.values(),
                    key=lambda g: (g["team"] is None, getattr(g["team"], "code", "")),
                ),
                "counts": [
                    {"status": value, "label": label, "count": counts[value]}
                    for value, label in Agreement.Status.choices
                ]
                + [{"status": "", "label": _("No targets yet"), "count": counts[""]}],
            }
        )
    return render(
        request, "targets/agreement_list.html", context, status=400 if form.errors else 200
    )


def _signs_for(user, agreement: Agreement, side: str) -> bool:
    """Whether the user is the person of this side at all (signed already or not)."""
    employee = scope_for(user).employee
    if employee is None:
        return False
    if side == "employee":
        return employee.pk == agreement.employee_id
    superior = services.agreement_superior(agreement)
    return superior is not None and superior.pk == employee.pk


@login_required
@require_http_methods(["GET", "POST"])
def agreement_detail(request, pk):
    user = request.user
    agreement = selectors.access_agreement(user, pk)
    if request.method == "POST":
        form = AgreementSignForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        side = form.cleaned_data["side"]
        if not _signs_for(user, agreement, side):
            raise PermissionDenied
        try:
            services.agreement_sign(
                actor=user, agreement=agreement, side=side, version=form.cleaned_data["version"]
            )
        except AgreementError as error:
            messages.error(request, str(error))
        else:
            agreement.refresh_from_db()
            if agreement.status == Agreement.Status.CONFIRMED:
                messages.success(
                    request, _("Signed. Both sides have signed: the agreement is confirmed.")
                )
            else:
                messages.success(request, _("Signed. The agreement now waits for the other side."))
        return redirect("agreement-detail", pk=agreement.pk)
    targets = list(selectors.agreement_targets(agreement))
    sides = services.agreement_sides(user, agreement)
    labels = dict(AgreementSignForm.SIDES)
    context = {
        "agreement": agreement,
        "superior": services.agreement_superior(agreement),
        "targets": [
            {
                "target": t,
                "label": scope_label(t),
                "value": value_shown(t.metric, t.value),
                "method": t.get_method_display(),
            }
            for t in targets
        ],
        "sign_forms": [
            {
                "side": side,
                "label": labels[side],
                "form": AgreementSignForm(initial={"side": side, "version": agreement.version}),
            }
            for side in ("employee", "superior")
            if side in sides
        ],
        **_signatures(agreement),
    }
    return render(request, "targets/agreement_detail.html", context)


# -- the working-day calendar ------------------------------------------------------------------


def _month_of(text: str, today: dt.date) -> dt.date:
    """The first day of the month asked for (2026-10); this month for anything else."""
    try:
        year, month = (int(part) for part in text.split("-"))
        if MIN_YEAR <= year <= MAX_YEAR:
            return dt.date(year, month, 1)
    except (ValueError, TypeError):
        pass
    return today.replace(day=1)


def _holiday_name(day: dt.date) -> str:
    try:
        _is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return ""
    return str(HOLIDAY_NAMES.get(name, name)) if name else ""


@login_required
@require_http_methods(["GET", "POST"])
def target_calendar(request):
    user = request.user
    _require(selectors.can_see_targets(user))
    editable = user_role(user) in CALENDAR_EDITORS
    today = _today()
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["date"]
            working = form.working()
            services.calendar_day_set(
                actor=user, date=day, working=working, note=form.cleaned_data["note"]
            )
            done = {
                None: _("%(date)s follows the China calendar again."),
                False: _("%(date)s is now a company day off."),
                True: _("%(date)s is now an extra working day."),
            }[working]
            messages.success(request, done % {"date": day.isoformat()})
            return redirect(f"{reverse('target-calendar')}?month={day:%Y-%m}")
        first = _month_of(request.POST.get("month", ""), today)
        status = 400
    else:
        first = _month_of(request.GET.get("month", ""), today)
        form = CalendarDayForm(initial={"date": first})
        status = 200
    last = dt.date(first.year, first.month, month_calendar.monthrange(first.year, first.month)[1])
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    calendar = WorkCalendar.load(grid_start, grid_end)
    notes = dict(
        CalendarDay.objects.filter(date__gte=grid_start, date__lte=grid_end).values_list(
            "date", "note"
        )
    )
    weeks, week = [], []
    for day in days(grid_start, grid_end):
        working = calendar.is_workday(day)
        week.append(
            {
                "date": day,
                "in_month": day.month == first.month,
                "working": working,
                "company": day in calendar.overrides,
                "note": notes.get(day, ""),
                "holiday": _holiday_name(day),
                "make_up": working and day.weekday() >= 5 and day not in calendar.overrides,
                "today": day == today,
            }
        )
        if len(week) == 7:
            weeks.append(week)
            week = []
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = last + dt.timedelta(days=1)
    context = {
        "form": form,
        "editable": editable,
        "month": first,
        "weeks": weeks,
        "working_days": calendar.count(first, last),
        # The grid's days of the neighbouring months may fall in another year; the warning is
        # about the month shown.
        "unknown_years": [first.year] if first.year in calendar.unknown_years else [],
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}",
        "exceptions": CalendarDay.objects.filter(date__year=first.year),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }
    return render(request, "targets/calendar.html", context, status=status)
