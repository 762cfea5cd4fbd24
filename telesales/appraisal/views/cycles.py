"""Appraisal pages: the cycles (PRODUCT.md §6.4), one cycle's appraisals with bulk moves
(§6.6), and the calibration of a cycle against the forced-distribution guide.

Who sees what: HR, administrators, managers and supervisors see the cycles page; each sees the
cycles that hold an appraisal they see (HR and administrators every cycle) and, in a cycle, the
appraisals `access.appraisals_visible` gives them. Only HR and administrators open cycles;
calibration is for HR, administrators and managers (the people in their scope). A cycle or an
appraisal out of scope answers 404 and changes nothing."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from telesales.appraisal import access, calibration
from telesales.appraisal.cycles import appraisal_open
from telesales.appraisal.models import Adjustment, Appraisal, AppraisalStatus, Cycle, Snapshot
from telesales.appraisal.models import Scheme as SchemeModel
from telesales.appraisal.schemes import SchemeNotFound
from telesales.appraisal.workflow import FROZEN, appraisal_moves_for, appraisal_transition
from telesales.core.periods import PeriodError
from telesales.org.access import user_role
from telesales.org.models import Role

CYCLE_ROLES = {Role.HR, Role.ADMIN, Role.MANAGER, Role.SUPERVISOR}
STATUSES = [value for value, _label in AppraisalStatus.choices]
STATUS_LABELS = dict(AppraisalStatus.choices)


def sees_cycles(user) -> bool:
    """The cycles pages: HR, administrators, managers and supervisors."""
    return user_role(user) in CYCLE_ROLES


def _require(condition: bool) -> None:
    if not condition:
        raise Http404


def _detail_url(pk: int) -> str | None:
    """The scorecard of an appraisal, once that page exists."""
    try:
        return reverse("appraisal-detail", args=[pk])
    except NoReverseMatch:
        return None


def _percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# -- forms -------------------------------------------------------------------------------------


class CycleOpenForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=gettext_lazy("Scheme"),
        queryset=SchemeModel.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
    )
    period = forms.CharField(
        label=gettext_lazy("Period"),
        max_length=20,
        help_text=gettext_lazy("A quarter (2026-Q3), a month (2026-09) or a year (2026)."),
    )


class BulkMoveForm(forms.Form):
    appraisal = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Appraisals"), coerce=int, choices=()
    )
    to_status = forms.ChoiceField(label=gettext_lazy("Move to"), choices=())
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Needed to reopen a published appraisal."),
    )

    def __init__(self, *args, appraisal_ids, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appraisal"].choices = [(pk, pk) for pk in appraisal_ids]
        self.fields["to_status"].choices = [(s, STATUS_LABELS[s]) for s in statuses]


class AdjustmentForm(forms.Form):
    appraisal = forms.IntegerField(widget=forms.HiddenInput)
    to_grade = forms.ChoiceField(label=gettext_lazy("New grade"), choices=())
    to_total = forms.DecimalField(
        label=gettext_lazy("New total (optional)"),
        required=False,
        min_value=0,
        max_value=120,
        decimal_places=2,
        max_digits=5,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, grades, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_grade"].choices = [(g, g) for g in grades]


# -- the cycles --------------------------------------------------------------------------------


def _status_counts(user, cycle_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per cycle, how many of the appraisals the user sees are in each status: one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        access.appraisals_visible(user)
        .filter(cycle_id__in=cycle_ids)
        .values("cycle_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[row["cycle_id"]][row["status"]] = row["n"]
    return counts


def _open_from_form(request, form: CycleOpenForm):
    """Open the form's cycle; the service's refusals become form errors."""
    try:
        return appraisal_open(
            actor=request.user,
            scheme_code=form.cleaned_data["scheme"].code,
            period_code=form.cleaned_data["period"].strip(),
        )
    except PeriodError as error:
        form.add_error("period", str(error))
    except SchemeNotFound as error:
        form.add_error("scheme", str(error))
    except ValidationError as error:
        form.add_error("period", error.messages)
    return None


def _opened_message(request, cycle: Cycle, created: int) -> None:
    messages.success(
        request,
        ngettext(
            "%(count)s appraisal opened in %(period)s · %(scheme)s.",
            "%(count)s appraisals opened in %(period)s · %(scheme)s.",
            created,
        )
        % {"count": created, "period": cycle.period, "scheme": cycle.scheme.code},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_list(request):
    user = request.user
    _require(sees_cycles(user))
    can_open = access.can_administer(user)
    form = None
    if request.method == "POST":
        _require(can_open)
        form = CycleOpenForm(request.POST)
        if form.is_valid():
            opened = _open_from_form(request, form)
            if opened is not None:
                cycle, created = opened
                _opened_message(request, cycle, created)
                return redirect("appraisal-cycle", pk=cycle.pk)
    elif can_open:
        form = CycleOpenForm()
    cycles = list(
        access.cycles_visible(user)
        .select_related("scheme", "opened_by")
        .order_by("-period", "scheme__code")[:200]
    )
    counts = _status_counts(user, [c.pk for c in cycles])
    for cycle in cycles:
        by_status = counts.get(cycle.pk, {})
        cycle.status_counts = [
            {"status": s, "label": STATUS_LABELS[s], "count": by_status[s]}
            for s in STATUSES
            if by_status.get(s)
        ]
        cycle.appraisal_count = sum(by_status.values())
    context = {"cycles": cycles, "form": form, "can_calibrate": access.can_calibrate(user)}
    return render(request, "appraisal/cycle_list.html", context)


# -- one cycle ---------------------------------------------------------------------------------


def _published(appraisal_ids: list[int]) -> dict[int, Snapshot]:
    """The latest snapshot of each published appraisal: one query."""
    latest: dict[int, Snapshot] = {}
    for snapshot in (
        Snapshot.objects.filter(appraisal_id__in=appraisal_ids)
        .order_by("appraisal_id", "-version")
        .only("appraisal_id", "version", "total", "grade")
    ):
        latest.setdefault(snapshot.appraisal_id, snapshot)
    return latest


def _cycle_appraisals(user, cycle: Cycle) -> list[Appraisal]:
    return list(
        access.appraisals_visible(user)
        .filter(cycle=cycle)
        .select_related("cycle__scheme", "employee__team", "rater")
        .order_by("employee__employee_no")
    )


def _bulk_move(request, cycle: Cycle, appraisals: list[Appraisal], form: BulkMoveForm) -> None:
    """Apply one move to every chosen appraisal, each on its own (a refusal leaves that one
    unchanged and the others moved), reporting per person what was refused and why."""
    to_status = form.cleaned_data["to_status"]
    reason = form.cleaned_data["reason"]
    chosen = set(form.cleaned_data["appraisal"])
    moved = 0
    for appraisal in appraisals:
        if appraisal.pk not in chosen:
            continue
        try:
            appraisal_transition(
                actor=request.user, appraisal=appraisal, to_status=to_status, reason=reason
            )
        except (PermissionDenied, ValidationError) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(
                request,
                _("%(no)s %(name)s: %(reason)s")
                % {
                    "no": appraisal.employee.employee_no,
                    "name": appraisal.employee.name,
                    "reason": text,
                },
            )
            continue
        moved += 1
    messages.success(
        request,
        ngettext(
            "%(count)s appraisal moved to “%(status)s”.",
            "%(count)s appraisals moved to “%(status)s”.",
            moved,
        )
        % {"count": moved, "status": STATUS_LABELS[to_status]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_detail(request, pk):
    user = request.user
    _require(sees_cycles(user))
    cycle = access.access_cycle(user, pk)
    can_open = access.can_administer(user)
    appraisals = _cycle_appraisals(user, cycle)
    moves = {a.pk: appraisal_moves_for(user, a) for a in appraisals}
    # The moves offered are those the viewer may make on at least one of the appraisals.
    targets = sorted({to for allowed in moves.values() for to in allowed}, key=STATUSES.index)
    move_form = BulkMoveForm(
        request.POST if request.POST.get("action") == "move" else None,
        appraisal_ids=[a.pk for a in appraisals],
        statuses=targets,
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "open":
            _require(can_open)
            opened, created = appraisal_open(
                actor=user, scheme_code=cycle.scheme.code, period_code=cycle.period
            )
            _opened_message(request, opened, created)
            return redirect("appraisal-cycle", pk=cycle.pk)
        if action != "move":
            raise Http404
        if move_form.is_valid():
            _bulk_move(request, cycle, appraisals, move_form)
            return redirect("appraisal-cycle", pk=cycle.pk)
        messages.error(request, _("Choose the appraisals and the move to make."))
    published = _published([a.pk for a in appraisals if a.status in FROZEN])
    computed = request.GET.get("compute") == "1"
    results = calibration.appraisal_results(appraisals) if computed else {}
    rows = []
    for appraisal in appraisals:
        snapshot = published.get(appraisal.pk)
        result = results.get(appraisal.pk)
        if snapshot is not None:
            total, grade, kind = snapshot.total, snapshot.grade, "published"
        elif result is not None:
            total, grade, kind = result["total"], result["grade"], "provisional"
        else:
            total, grade, kind = None, "", ""
        rows.append(
            {
                "appraisal": appraisal,
                "url": _detail_url(appraisal.pk),
                "moves": [STATUS_LABELS[s] for s in moves[appraisal.pk]],
                "total": total,
                "grade": grade,
                "kind": kind,
            }
        )
    context = {
        "cycle": cycle,
        "rows": rows,
        "move_form": move_form,
        "can_move": any(row["moves"] for row in rows),
        "can_open": can_open,
        "can_calibrate": access.can_calibrate(user),
        "computed": computed,
    }
    return render(request, "appraisal/cycle_detail.html", context)


# -- calibration -------------------------------------------------------------------------------


NOT_RATED = {
    "total": None,
    "grade": None,
    "computed_total": None,
    "computed_grade": None,
    "adjustment": None,
}


def _sort_key(item: dict):
    total = item["result"].get("total")
    return (total is None, -(total or 0), item["appraisal"].employee.employee_no)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_calibration(request, pk):
    user = request.user
    _require(access.can_calibrate(user) and sees_cycles(user))
    cycle = access.access_cycle(user, pk)
    appraisals = list(
        calibration.calibration_appraisals(user, cycle)
        .select_related("cycle__scheme", "employee__team", "rater")
        .order_by("employee__employee_no")
    )
    by_pk = {a.pk: a for a in appraisals}
    grades = calibration.scheme_grades(cycle)
    bound: AdjustmentForm | None = None
    if request.method == "POST":
        bound = AdjustmentForm(request.POST, grades=grades)
        target = by_pk.get(_int(request.POST.get("appraisal")))
        _require(target is not None)
        if bound.is_valid():
            try:
                calibration.adjustment_add(
                    actor=user,
                    appraisal=target,
                    to_grade=bound.cleaned_data["to_grade"],
                    to_total=bound.cleaned_data["to_total"],
                    reason=bound.cleaned_data["reason"],
                )
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as error:
                bound.add_error(None, error.messages)
            else:
                messages.success(
                    request,
                    _("%(no)s %(name)s: grade adjusted to %(grade)s.")
                    % {
                        "no": target.employee.employee_no,
                        "name": target.employee.name,
                        "grade": bound.cleaned_data["to_grade"],
                    },
                )
                return redirect("appraisal-calibration", pk=cycle.pk)
    # Calibration follows rating (PRODUCT.md §6.6): an appraisal not yet being rated has no
    # score to calibrate and is not scored here (the cycle page computes it on request).
    results = calibration.appraisal_results(
        a for a in appraisals if a.status not in calibration.BEFORE_RATING
    )
    for appraisal in appraisals:
        results.setdefault(appraisal.pk, dict(NOT_RATED))
    guide = calibration.forced_distribution_guide()
    distribution = calibration.grade_distribution(results.values(), grades, guide)
    for row in distribution["grades"]:
        row["percent"] = _percent(row["share"])
    for rule in distribution["rules"]:
        rule["percent"] = _percent(rule["share"])
        rule["limit_text"] = _percent(rule["limit"])
    items = []
    for appraisal in appraisals:
        result = results[appraisal.pk]
        adjustable = appraisal.status in calibration.ADJUSTABLE and calibration.can_adjust(
            user, appraisal
        )
        form = None
        if adjustable:
            if bound is not None and _int(request.POST.get("appraisal")) == appraisal.pk:
                form = bound
            else:
                form = AdjustmentForm(
                    initial={"appraisal": appraisal.pk, "to_grade": result.get("grade")},
                    grades=grades,
                    auto_id=f"adjust-{appraisal.pk}-%s",
                )
        items.append(
            {
                "appraisal": appraisal,
                "result": result,
                "form": form,
                "url": _detail_url(appraisal.pk),
            }
        )
    items.sort(key=_sort_key)
    adjustments = (
        Adjustment.objects.filter(appraisal_id__in=list(by_pk))
        .select_related("actor", "appraisal__employee")
        .order_by("-at", "-pk")
    )
    chart = {
        "grades": [row["grade"] for row in distribution["grades"]],
        "counts": [row["count"] for row in distribution["grades"]],
        "yTitle": _("Appraisals"),
    }
    context = {
        "cycle": cycle,
        "items": items,
        "distribution": distribution,
        "guide_text": ", ".join(f"{r.label} ≤ {_percent(r.limit)} %" for r in guide),
        "adjustments": adjustments,
        "chart": chart,
    }
    return render(request, "appraisal/calibration.html", context)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


urlpatterns = [
    path("cycles/", cycle_list, name="appraisal-cycles"),
    path("cycles/<int:pk>/", cycle_detail, name="appraisal-cycle"),
    path("cycles/<int:pk>/calibration/", cycle_calibration, name="appraisal-calibration"),
]


def ready() -> None:
    """Menu entries, settings, importers and to-dos of this area, called by AppraisalConfig."""
    from telesales.core.config import SettingDefinition, setting_declare
    from telesales.core.navigation import MenuItem, menu_register

    menu_register(
        MenuItem(
            "appraisal-cycles",
            gettext_lazy("Appraisal cycles"),
            "appraisal-cycles",
            sees_cycles,
            order=84,
            group="appraisal",
        )
    )
    setting_declare(
        SettingDefinition(
            key=calibration.FORCED_DISTRIBUTION_SETTING,
            label=gettext_lazy("Forced-distribution guide"),
            default=calibration.FORCED_DISTRIBUTION_DEFAULT,
            field=lambda: forms.CharField(
                required=False,
                max_length=200,
                validators=[calibration.forced_distribution_validate],
            ),
            help=gettext_lazy(
                "The highest share of each grade or group of grades at calibration, e.g. "
                "S:10,S+A:30 (S at most 10 per cent, S and A together at most 30 per cent). "
                "It is reported on the calibration page and never applied. Empty: no guide."
            ),
            order=71,
        )
    )
