"""The script pages: the library, a script with its versions, writing and publishing
versions, the difference between two versions, and conversion by version with its test.
Every script and version is fetched through telesales.crm.scripts.access; anything out of
scope is a 404 and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from telesales.core.config import setting_get
from telesales.crm.models import ScriptVersion
from telesales.crm.scripts import access, selectors, services
from telesales.crm.scripts.forms import (
    DEFAULT_DAYS,
    CompareForm,
    DiffForm,
    MoveForm,
    ScriptEditForm,
    ScriptForm,
    VersionForm,
)
from telesales.crm.scripts.stats import Method, Verdict
from telesales.org import access as org_access
from telesales.org.models import Role

SIGNIFICANCE_SETTING = "scripts.significance_level"


def _require(allowed: bool) -> None:
    if not allowed:
        raise Http404


def _editor_or_404(user) -> None:
    _require(access.can_see_scripts(user) and access.can_edit_scripts(user))


# -- the library -----------------------------------------------------------------------------------


@login_required
def script_library(request):
    user = request.user
    _require(access.can_see_scripts(user))
    context = {
        "scripts": selectors.library(user),
        "can_edit": access.can_edit_scripts(user),
    }
    return render(request, "crm/scripts/library.html", context)


@login_required
def script_create(request):
    user = request.user
    _editor_or_404(user)
    form = ScriptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            script = services.script_create(
                actor=user,
                code=data["code"],
                title=data["title"],
                stage=data["stage"],
                product=data["product"],
                body=data["body"],
                change_note=data["change_note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The script was saved with its first version as a draft."))
            return redirect("script-detail", pk=script.pk)
    return render(request, "crm/scripts/script_form.html", {"form": form, "script": None})


# -- one script --------------------------------------------------------------------------------------


@login_required
def script_detail(request, pk):
    user = request.user
    _require(access.can_see_scripts(user))
    script = access.access_script(user, pk)
    versions = selectors.script_versions(user, script)
    can_edit = access.can_edit_scripts(user)
    for version in versions:
        version.moves = services.moves_from(version.status) if can_edit else []
    numbers = sorted(v.number for v in versions)
    diff_form = None
    if len(numbers) >= 2:
        diff_form = DiffForm(initial={"old": numbers[-2], "new": numbers[-1]}, numbers=numbers)
    context = {
        "script": script,
        "versions": versions,
        "can_edit": can_edit,
        "diff_form": diff_form,
    }
    return render(request, "crm/scripts/script_detail.html", context)


@login_required
def script_edit(request, pk):
    user = request.user
    _editor_or_404(user)
    script = access.access_script(user, pk)
    initial = {
        "title": script.title,
        "stage": script.stage,
        "product": script.product,
        "is_active": script.is_active,
    }
    form = ScriptEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.script_update(
                actor=user,
                script=script,
                title=data["title"],
                stage=data["stage"],
                product=data["product"],
                is_active=data["is_active"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The script was saved."))
            return redirect("script-detail", pk=script.pk)
    return render(request, "crm/scripts/script_form.html", {"form": form, "script": script})


@login_required
def version_create(request, pk):
    """A new version, its text prefilled from the latest version."""
    user = request.user
    _editor_or_404(user)
    script = access.access_script(user, pk)
    latest = script.versions.order_by("-number").first()
    initial = {"body": latest.body if latest else ""}
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.script_version_create(
                actor=user,
                script=script,
                body=form.cleaned_data["body"],
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(number)s was saved as a draft; publish it when it is ready.")
                % {"number": version.number},
            )
            return redirect("script-detail", pk=script.pk)
    context = {"form": form, "script": script, "version": None, "latest": latest}
    return render(request, "crm/scripts/version_form.html", context)


@login_required
def version_edit(request, pk):
    """A draft's text; a published or retired version is never edited."""
    user = request.user
    _editor_or_404(user)
    version = access.access_version(user, pk)
    script = version.script
    if version.status != ScriptVersion.Status.DRAFT:
        messages.error(
            request,
            _(
                "Version %(number)s is %(status)s: its text can no longer change. Write a new "
                "version instead."
            )
            % {"number": version.number, "status": version.get_status_display()},
        )
        return redirect("script-detail", pk=script.pk)
    initial = {"body": version.body, "change_note": version.change_note}
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.script_version_update(
                actor=user,
                version=version,
                body=form.cleaned_data["body"],
                change_note=form.cleaned_data["change_note"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("script-detail", pk=script.pk)
    context = {"form": form, "script": script, "version": version, "latest": None}
    return render(request, "crm/scripts/version_form.html", context)


@login_required
@require_POST
def version_move(request, pk):
    user = request.user
    _editor_or_404(user)
    version = access.access_version(user, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the version."))
        return redirect("script-detail", pk=version.script_id)
    try:
        moved = services.script_version_transition(
            actor=user, version=version, to_status=form.cleaned_data["to_status"]
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Version %(number)s is now %(status)s.")
            % {"number": moved.number, "status": moved.get_status_display()},
        )
    return redirect("script-detail", pk=version.script_id)


# -- the difference between two versions ------------------------------------------------------------


@login_required
def script_diff(request, pk):
    user = request.user
    _require(access.can_see_scripts(user))
    script = access.access_script(user, pk)
    versions = {v.number: v for v in selectors.script_versions(user, script)}
    numbers = sorted(versions)
    _require(len(numbers) >= 1)
    data = request.GET if {"old", "new"} <= set(request.GET) else None
    default = {"old": numbers[-2] if len(numbers) > 1 else numbers[0], "new": numbers[-1]}
    form = DiffForm(data, initial=default, numbers=numbers)
    old_number, new_number = default["old"], default["new"]
    if data is not None:
        if form.is_valid():
            old_number, new_number = form.cleaned_data["old"], form.cleaned_data["new"]
        else:
            old_number = new_number = None
    lines = []
    old = new = None
    if old_number is not None:
        old, new = versions[old_number], versions[new_number]
        lines = selectors.version_diff(old.body, new.body)
    context = {
        "script": script,
        "form": form,
        "old": old,
        "new": new,
        "lines": lines,
        "changed": any(line.kind != "same" for line in lines),
    }
    return render(request, "crm/scripts/diff.html", context, status=200 if old else 400)


# -- conversion by version ---------------------------------------------------------------------------


def _number(value: float, places: int) -> str:
    """A number rounded half up to so many places, in the language's format (number_format
    alone cuts a float off rather than rounding it)."""
    exponent = Decimal(1).scaleb(-places)
    return number_format(Decimal(repr(value)).quantize(exponent, ROUND_HALF_UP), places)


def _percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{_number(value * 100, 1)} %"


def _p_value(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return "< " + _number(0.001, 3)
    return _number(value, 3)


def _test_text(comparison) -> str:
    if comparison.test == Method.Z:
        return _("two-proportion z-test (z = %(z)s)") % {"z": _number(comparison.statistic, 2)}
    if comparison.test == Method.FISHER:
        return _("Fisher's exact test")
    return "—"


def _verdict_text(result, base) -> str:
    comparison, counts = result.comparison, result.counts
    if comparison.verdict == Verdict.BASELINE:
        return _("baseline")
    if comparison.verdict == Verdict.NOT_APPLICABLE:
        if counts.contacts > 0 and base is not None and base.result.counts.contacts == 0:
            return _("not applicable: the baseline has no contacts")
        return _("not applicable: no contacts")
    names = {"baseline": f"v{base.version.number}"}
    if comparison.verdict == Verdict.BETTER:
        return _("better than %(baseline)s") % names
    if comparison.verdict == Verdict.WORSE:
        return _("worse than %(baseline)s") % names
    return _(
        "no significant difference yet (sales / contacts: %(sales)s / %(contacts)s against "
        "%(base_sales)s / %(base_contacts)s)"
    ) % {
        "sales": counts.sales,
        "contacts": counts.contacts,
        "base_sales": base.result.counts.sales,
        "base_contacts": base.result.counts.contacts,
    }


CHART_LEFT, CHART_WIDTH, ROW_HEIGHT = 60, 520, 28


def _chart(rows) -> dict:
    """Conversion and its 95 % interval of each version on a common scale, as coordinates
    of the page's small SVG chart (a 600-unit wide view box)."""
    highs = [r.result.interval.high for r in rows if r.result.interval is not None]
    top = min(1.0, (max(highs, default=0) or 1.0) * 1.1)

    def x(value: float) -> float:
        return round(CHART_LEFT + CHART_WIDTH * value / top, 1)

    points = []
    for index, row in enumerate(rows):
        interval = row.result.interval
        y = 20 + index * ROW_HEIGHT
        point = {"label": f"v{row.version.number}", "y": y, "text_y": y + 4}
        if interval is not None:
            point.update(
                low=x(interval.low),
                high=x(interval.high),
                rate=x(row.result.conversion),
                verdict=str(row.result.comparison.verdict),
            )
        points.append(point)
    return {
        "points": points,
        "height": 30 + ROW_HEIGHT * len(rows),
        "axis_y": 8 + ROW_HEIGHT * len(rows),
        "left": CHART_LEFT,
        "right": CHART_LEFT + CHART_WIDTH,
        "top": _percent(top),
    }


@login_required
def script_compare(request, pk):
    user = request.user
    _require(access.can_see_scripts(user))
    script = access.access_script(user, pk)
    numbers = list(
        ScriptVersion.objects.filter(script=script, status__in=selectors.COMPARED)
        .order_by("number")
        .values_list("number", flat=True)
    )
    is_rep = org_access.user_role(user) == Role.REP
    teams = None if is_rep else org_access.teams_visible_to(user).order_by("code")
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("start", (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    data.setdefault("end", today.isoformat())
    form = CompareForm(data, teams=teams, numbers=numbers, today=today)
    alpha = float(setting_get(SIGNIFICANCE_SETTING))
    context = {
        "script": script,
        "form": form,
        "alpha": number_format(alpha),
        "is_rep": is_rep,
        "rows": None,
    }
    if not form.is_valid():
        return render(request, "crm/scripts/compare.html", context, status=400)
    data = form.cleaned_data
    rows, baseline = selectors.script_comparison(
        user,
        script,
        start=data["start"],
        end=data["end"],
        baseline=data.get("baseline"),
        alpha=alpha,
        team=data.get("team"),
    )
    base = next((row for row in rows if row.version.number == baseline), None)
    shown = []
    for row in rows:
        result = row.result
        interval = result.interval
        shown.append(
            {
                "version": row.version,
                "result": result,
                "conversion_text": _percent(result.conversion),
                "interval_text": (
                    f"{_percent(interval.low)} – {_percent(interval.high)}" if interval else "—"
                ),
                "test_text": _test_text(result.comparison),
                "p_text": _p_value(result.comparison.p_value),
                "verdict_text": _verdict_text(result, base),
            }
        )
    context.update(
        {
            "rows": shown,
            "baseline": base,
            "start": data["start"],
            "end": data["end"],
            "chart": _chart(rows),
            "totals": {
                "outcomes": sum(r.result.counts.outcomes for r in rows),
                "contacts": sum(r.result.counts.contacts for r in rows),
                "sales": sum(r.result.counts.sales for r in rows),
            },
        }
    )
    return render(request, "crm/scripts/compare.html", context)
