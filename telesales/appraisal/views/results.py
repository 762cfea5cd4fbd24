"""Appraisal pages: the use of results (PRODUCT.md §6.5) and the annual summary (§6.4).

- `appraisal-results` (`results/`): HR and administrators choose a quarter or a year and see
  the bonus, pay step, promotion, training and position-review rows with each rule's
  explanation and the settings used, and approve or reject the pay-step, promotion and
  position-review recommendations with a note (`results.result_decide`).
- `appraisal-results-export` (`results/export/`): the same as an Excel workbook.
- `appraisal-annual` (`annual/`): the annual summary of the people the viewer sees
  (supervisors and managers their people, a rep their own year, HR everyone).

Anyone else asking for an HR page gets a 404 and changes nothing."""

from __future__ import annotations

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from telesales.appraisal import access, results
from telesales.appraisal.annual import ANNUAL_WEIGHTS_SETTING, annual_compute, year_check
from telesales.appraisal.models import AppraisalStatus, CycleKind, DecisionStatus
from telesales.core.periods import period_of
from telesales.org.access import user_role
from telesales.org.models import Employee


def sees_results(user) -> bool:
    """The use of results is HR's and the administrators' (PRODUCT.md §2)."""
    return user_role(user) in access.ADMINISTERING_ROLES


def sees_annual(user) -> bool:
    return user_role(user) is not None


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _default_period() -> str:
    """The latest quarter with a published appraisal, else the current quarter."""
    from telesales.appraisal.models import Appraisal
    from telesales.appraisal.workflow import FROZEN

    latest = (
        Appraisal.objects.filter(cycle__kind=CycleKind.QUARTER, status__in=FROZEN)
        .order_by("-cycle__period")
        .values_list("cycle__period", flat=True)
        .first()
    )
    return latest or period_of(timezone.localdate(), "quarter").code


class DecisionForm(forms.Form):
    employee = forms.IntegerField(widget=forms.HiddenInput)
    rule = forms.ChoiceField(choices=[(rule, rule) for rule in results.DECIDED_RULES])
    verdict = forms.ChoiceField(
        label=gettext_lazy("HR decision"),
        choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Decline"))],
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=1000)


def _explanations(payload: dict) -> list[dict]:
    """Each rule with its explanation and the setting values used."""
    rules = payload["rules"]
    pairs = ", ".join
    coefficients = pairs(f"{g} {v:g}" for g, v in rules["coefficients"].items())
    steps = pairs(f"{g} {v:+d}" for g, v in rules["steps"].items())
    return [
        {
            "rule": results.RULE_LABELS["bonus"],
            "text": _(
                "Quarterly bonus = base bonus × the coefficient of the quarterly grade, rounded "
                "to 0.01 (%(coefficients)s)."
            )
            % {"coefficients": coefficients},
            "quarter": True,
        },
        {
            "rule": results.RULE_LABELS["training"],
            "text": _(
                "Every KPI scoring below %(threshold)s becomes an action of the personal "
                "improvement plan, due %(days)s days after publication."
            )
            % {"threshold": f"{rules['threshold']:g}", "days": rules["due_days"]},
            "quarter": True,
        },
        {
            "rule": results.RULE_LABELS[results.POSITION_REVIEW],
            "text": _(
                "%(count)s consecutive quarterly grades of D raise a position review for HR to "
                "decide."
            )
            % {"count": rules["review_after"]},
            "quarter": True,
        },
        {
            "rule": results.RULE_LABELS[results.PAY],
            "text": _("The annual grade recommends pay-grade steps (%(steps)s) for HR to approve.")
            % {"steps": steps},
            "quarter": False,
        },
        {
            "rule": results.RULE_LABELS[results.PROMOTION],
            "text": _(
                "Annual grades %(grades)s get priority for promotion and management training."
            )
            % {"grades": ", ".join(rules["promotion"]) or "—"},
            "quarter": False,
        },
    ]


def _payload_or_error(request, text):
    try:
        return results.results_compute(period=text, user=request.user), None
    except ValidationError as error:
        return None, " ".join(error.messages)


@login_required
@require_http_methods(["GET", "POST"])
def results_page(request):
    """The use of results of a quarter or a year; POST stores the recommendations as proposed
    decisions (“recompute”) or records HR's decision on one."""
    _require(sees_results(request.user))
    if request.method == "POST":
        return _results_post(request)
    text = request.GET.get("period") or _default_period()
    payload, error = _payload_or_error(request, text)
    context = {"period_text": text, "error": error, "payload": payload}
    if payload is not None:
        context["explanations"] = [
            item
            for item in _explanations(payload)
            if item["quarter"] == (payload["kind"] == "quarter")
        ]
        context["statuses"] = dict(AppraisalStatus.choices)
        context["decision_statuses"] = dict(DecisionStatus.choices)
        context["review_rows"] = [row for row in payload["rows"] if row.get("position_review")]
        context["training_rows"] = [
            {"row": row, "item": item}
            for row in payload["rows"]
            for item in row.get("training", [])
        ]
        context["promotion_rows"] = [row for row in payload["rows"] if row.get("promotion")]
        context["settings_url"] = reverse("settings")
        context["export_url"] = (
            reverse("appraisal-results-export") + "?" + urlencode({"period": payload["period"]})
        )
    return render(request, "appraisal/results.html", context)


def _results_post(request):
    period_text = request.POST.get("period", "")
    back = reverse("appraisal-results") + "?" + urlencode({"period": period_text})
    try:
        if request.POST.get("action") == "recompute":
            created, updated = results.result_decisions_sync(
                actor=request.user, period_code=period_text
            )
            messages.success(
                request,
                _("Recommendations stored: %(created)s new, %(updated)s updated.")
                % {"created": created, "updated": updated},
            )
            return redirect(back)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("The decision could not be read; please try again."))
        employee = Employee.objects.filter(pk=form.cleaned_data["employee"]).first()
        if employee is None:
            raise Http404
        results.result_decide(
            actor=request.user,
            employee=employee,
            period_code=period_text,
            rule=form.cleaned_data["rule"],
            approve=form.cleaned_data["verdict"] == "approve",
            note=form.cleaned_data["note"],
        )
        messages.success(
            request,
            _("Decision recorded for %(no)s %(name)s.")
            % {"no": employee.employee_no, "name": employee.name},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied:
        raise Http404 from None
    return redirect(back)


# --- the Excel export ----------------------------------------------------------------------


def _sheets(payload: dict) -> list[tuple[str, list[str], list[list]]]:
    """(sheet name, translated headers, rows) for each rule of the period."""
    no, name, team, grade, total = _("Employee no."), _("Name"), _("Team"), _("Grade"), _("Total")

    def decision(row, rule):
        stored = row["decisions"].get(rule)
        return str(dict(DecisionStatus.choices)[stored["status"]]) if stored else ""

    def note(row, rule):
        stored = row["decisions"].get(rule)
        return stored["note"] if stored else ""

    rows = payload["rows"]
    if payload["kind"] == "quarter":
        return [
            (
                _("Bonus"),
                [no, name, team, grade, total, _("Base bonus"), _("Coefficient"), _("Bonus")],
                [
                    [
                        r["employee_no"],
                        r["name"],
                        r["team"],
                        r["grade"],
                        r["total"],
                        r["base_bonus"],
                        r["coefficient"],
                        r["bonus"] if r["bonus"] is not None else r["bonus_note"],
                    ]
                    for r in rows
                ],
            ),
            (
                _("Training"),
                [no, name, _("KPI"), _("Score"), _("Action")],
                [
                    [r["employee_no"], r["name"], item["label"], item["score"], item["text"]]
                    for r in rows
                    for item in r["training"]
                ],
            ),
            (
                _("Position review"),
                [no, name, _("Grades"), _("Position review"), _("HR decision"), _("Note")],
                [
                    [
                        r["employee_no"],
                        r["name"],
                        " → ".join(f"{g['period']} {g['grade'] or '—'}" for g in r["grades"]),
                        _("yes") if r["position_review"] else _("no"),
                        decision(r, results.POSITION_REVIEW),
                        note(r, results.POSITION_REVIEW),
                    ]
                    for r in rows
                ],
            ),
        ]
    return [
        (
            _("Pay step"),
            [no, name, team, total, grade, _("Pay grade"), _("Steps"), _("HR decision"), _("Note")],
            [
                [
                    r["employee_no"],
                    r["name"],
                    r["team"],
                    r["total"],
                    r["grade"],
                    r["pay_grade"],
                    r["step"],
                    decision(r, results.PAY),
                    note(r, results.PAY),
                ]
                for r in rows
            ],
        ),
        (
            _("Promotion"),
            [no, name, total, grade, _("Priority"), _("HR decision"), _("Note")],
            [
                [
                    r["employee_no"],
                    r["name"],
                    r["total"],
                    r["grade"],
                    _("yes") if r["promotion"] else _("no"),
                    decision(r, results.PROMOTION),
                    note(r, results.PROMOTION),
                ]
                for r in rows
            ],
        ),
    ]


def _rules_sheet(payload: dict) -> list[list]:
    rows = [
        [_("Period"), payload["period"]],
    ]
    rows += [[str(item["rule"]), item["text"]] for item in _explanations(payload)]
    rows += [[key, str(value)] for key, value in results.rules_current()["text"].items()]
    from telesales.core.config import setting_get

    rows.append([ANNUAL_WEIGHTS_SETTING, str(setting_get(ANNUAL_WEIGHTS_SETTING))])
    return rows


@login_required
def results_export(request):
    """The use of results of the period as .xlsx: one sheet per rule and a sheet of the
    rules and settings used."""
    _require(sees_results(request.user))
    from openpyxl import Workbook

    payload, error = _payload_or_error(request, request.GET.get("period") or _default_period())
    if payload is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in _sheets(payload):
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    rules = workbook.create_sheet(title=_("Rules")[:31])
    rules.append([_("Rule"), _("Value")])
    for row in _rules_sheet(payload):
        rules.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="appraisal-results-{payload["period"]}.xlsx"'
    )
    return response


# --- the annual summary ---------------------------------------------------------------------


@login_required
def annual_page(request):
    """The annual summary of the people the viewer sees: published quarters only, or with
    `provisional=1` the provisional scores of the quarters not yet published too."""
    _require(sees_annual(request.user))
    text = request.GET.get("year") or str(timezone.localdate().year)
    # Provisional scores are computed from today's data for every open appraisal, which
    # takes a while; by default the page shows the published quarters only.
    provisional = request.GET.get("provisional") == "1"
    payload, error = None, None
    try:
        payload = annual_compute(
            year=year_check(text), user=request.user, published_only=not provisional
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return render(
        request,
        "appraisal/annual.html",
        {"year_text": text, "payload": payload, "error": error, "provisional": provisional},
    )


urlpatterns = [
    path("results/", results_page, name="appraisal-results"),
    path("results/export/", results_export, name="appraisal-results-export"),
    path("annual/", annual_page, name="appraisal-annual"),
]


def ready() -> None:
    """Menu entries, settings, importers and to-dos of this area, called by AppraisalConfig."""
    from telesales.appraisal import annual
    from telesales.core.navigation import MenuItem, menu_register

    annual.settings_declare()
    results.settings_declare()
    menu_register(
        MenuItem(
            "appraisal-annual",
            gettext_lazy("Annual summary"),
            "appraisal-annual",
            sees_annual,
            order=88,
            group="appraisal",
        )
    )
    menu_register(
        MenuItem(
            "appraisal-results",
            gettext_lazy("Use of results"),
            "appraisal-results",
            sees_results,
            order=89,
            group="appraisal",
        )
    )
