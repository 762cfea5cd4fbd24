"""Appraisal pages: the schemes (PRODUCT.md §6, §7 "schemes"). Supervisors and everyone above
them read every scheme (they are appraised on one and appraise on another); a rep or a staff
member reads only a scheme one of their own appraisals uses. HR and administrators edit a
scheme's YAML in the page, checked as they type against every rule of `schemes.scheme_parse`,
and store it through `schemes.scheme_import`, the same service as `telesales scheme import`."""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import replace
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from telesales.appraisal import access, spec
from telesales.appraisal.models import (
    Appraisal,
    BandsOn,
    Curve,
    Cycle,
    WhenMissing,
)
from telesales.appraisal.models import Scheme as SchemeModel
from telesales.appraisal.schemes import (
    SchemeNotFound,
    scheme_dump,
    scheme_export,
    scheme_import,
    scheme_load,
    scheme_parse,
    scheme_spec,
)
from telesales.appraisal.scoring import LOWEST_GRADE
from telesales.appraisal.workflow import FROZEN
from telesales.core.models import AuditEvent
from telesales.kpi.targets import ATTAINMENTS
from telesales.org import access as org_access
from telesales.org.models import Role
from telesales.targets.models import Metric

IMPORT_ACTION = "scheme.import"  # the audit action written by schemes.scheme_import
MAX_FILE_BYTES = 256 * 1024
# Codes the pages' own addresses use (/appraisal/schemes/new/ …): a scheme of that code could
# not be opened in the browser, so the pages do not create one.
RESERVED_CODES = ("new", "import", "validate")
LIST_ROLES = {Role.SUPERVISOR, Role.MANAGER, Role.HR, Role.ADMIN}
EMPTY_TEMPLATE = """\
code: new-scheme
name: New scheme
applies_to: rep
grades: {S: 95, A: 85, B: 75, C: 60}
categories:
  - {code: results, name: Results, weight: 100, kpis: [
      {kpi: sales_attainment, weight: 100, curve: linear, cap: 120}]}
"""


# -- who may do what -----------------------------------------------------------------------


def can_list_schemes(user) -> bool:
    """The scheme list: supervisors, managers, HR and administrators (PRODUCT.md §2)."""
    return org_access.user_role(user) in LIST_ROLES


def can_edit_schemes(user) -> bool:
    """Editing, creating and importing schemes: HR and administrators."""
    return not access.is_system(user) and access.can_administer(user)


def access_scheme(user, code: str) -> SchemeModel:
    """The scheme of this code if the user may read it: everyone who may list schemes, and
    whoever has an appraisal (their own, or one in their scope) in a cycle of that scheme;
    404 otherwise, so that a scheme's existence is not told."""
    row = SchemeModel.objects.filter(code=code).first()
    if row is None:
        raise Http404
    if can_list_schemes(user):
        return row
    if access.appraisals_visible(user).filter(cycle__scheme=row).exists():
        return row
    raise Http404


def _require_editor(user) -> None:
    """A reader who may not edit is told so (403); anyone else gets a 404."""
    if can_edit_schemes(user):
        return
    if can_list_schemes(user):
        raise PermissionDenied
    raise Http404


def _url(name: str, *args) -> str | None:
    """A link to another area's page, or None while that page does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# -- display values --------------------------------------------------------------------------


def _num(value: Decimal | None) -> str:
    """40, 0.8, 150000: as written in a scheme file."""
    if value is None:
        return ""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def _kpi_labels() -> dict[str, str]:
    from telesales.kpi import registry

    registry._load()
    return {code: str(definition.label) for code, definition in registry.DEFINITIONS.items()}


def _bands_text(line: spec.KpiLine) -> str:
    return ", ".join(f"≥ {_num(band.min)} → {_num(band.score)}" for band in line.bands)


def _groups_text(groups: dict[str, Decimal]) -> str:
    return ", ".join(f"{group} {_num(weight)}" for group, weight in groups.items())


def _target_text(line: spec.KpiLine) -> str:
    """Where the line's target comes from, as `inputs.scheme_inputs` takes it."""
    if line.target is not None:
        return _num(line.target)
    needs_target = line.curve in ("linear", "linear_lower") or (
        line.curve == "bands" and line.bands_on == "ratio"
    )
    if not needs_target:
        return "—"
    if line.kpi in ATTAINMENTS:
        return _("1 (already a ratio to its target)")
    if line.kpi in Metric.values:
        return _("from the targets of the period")
    return _("none: not applicable until the scheme gives a target")


def _line_rows(category: spec.Category, labels: dict[str, str]) -> list[dict]:
    curves = dict(Curve.choices)
    missing = dict(WhenMissing.choices)
    bands_on = dict(BandsOn.choices)
    return [
        {
            "kpi": line.kpi,
            "label": labels.get(line.kpi, ""),
            "weight": _num(line.weight),
            "curve": curves.get(line.curve, line.curve),
            "target": _target_text(line),
            "cap": _num(line.cap) if line.curve != "rating" else "—",
            "floor": _num(line.floor) if line.curve in ("linear", "linear_lower") else "—",
            "bands": _bands_text(line),
            "bands_on": bands_on.get(line.bands_on, line.bands_on) if line.bands else "",
            "when_missing": missing.get(line.when_missing, line.when_missing),
            "rater_groups": _groups_text(line.rater_groups)
            if line.rater_groups
            else (_("superior only") if line.curve == "rating" else "—"),
            "dimensions": ", ".join(line.dimensions) or "—",
        }
        for line in category.kpis
    ]


def _grade_rows(grades: dict[str, Decimal]) -> list[dict]:
    rows = [
        {"grade": grade, "rule": _("total ≥ %(value)s") % {"value": _num(bound)}}
        for grade, bound in sorted(grades.items(), key=lambda item: item[1], reverse=True)
    ]
    if grades:
        lowest = min(grades.values())
        rows.append(
            {"grade": LOWEST_GRADE, "rule": _("total < %(value)s") % {"value": _num(lowest)}}
        )
    return rows


def _scheme_tables(scheme: spec.Scheme) -> dict:
    labels = _kpi_labels()
    return {
        "categories": [
            {
                "code": category.code,
                "name": category.name,
                "weight": _num(category.weight),
                "lines": _line_rows(category, labels),
            }
            for category in scheme.categories
        ],
        "grade_rows": _grade_rows(scheme.grades),
    }


# -- what changes between two versions ---------------------------------------------------------


def _line_values(line: spec.KpiLine) -> list[tuple[str, str]]:
    """The settings of a KPI line as the file names them, for comparing two versions."""
    return [
        ("weight", _num(line.weight)),
        ("curve", line.curve),
        ("target", _num(line.target) if line.target is not None else "—"),
        ("cap", _num(line.cap)),
        ("floor", _num(line.floor)),
        ("on", line.bands_on),
        ("bands", _bands_text(line) or "—"),
        ("when_missing", line.when_missing),
        ("rater_groups", _groups_text(line.rater_groups) or "—"),
        ("dimensions", ", ".join(line.dimensions) or "—"),
    ]


def _settings_changed(before: list[tuple[str, str]], after: list[tuple[str, str]]) -> str:
    old = dict(before)
    return "; ".join(f"{key} {old[key]} → {value}" for key, value in after if old[key] != value)


def scheme_changes(before: spec.Scheme | None, after: spec.Scheme) -> list[str]:
    """What storing `after` over `before` changes, one sentence a change (empty: nothing)."""
    if before is None:
        return [_("A new scheme.")]
    changes: list[str] = []
    if before.name != after.name:
        changes.append(_("Name: %(old)s → %(new)s.") % {"old": before.name, "new": after.name})
    if before.applies_to != after.applies_to:
        changes.append(
            _("Applies to: %(old)s → %(new)s.")
            % {"old": before.applies_to, "new": after.applies_to}
        )
    if before.grades != after.grades:
        changes.append(
            _("Grades: %(old)s → %(new)s.")
            % {"old": _groups_text(before.grades), "new": _groups_text(after.grades)}
        )
    old_categories = {category.code: category for category in before.categories}
    new_categories = {category.code: category for category in after.categories}
    for code, category in new_categories.items():
        if code not in old_categories:
            changes.append(
                _("Category “%(code)s” (%(name)s) added with weight %(weight)s.")
                % {"code": code, "name": category.name, "weight": _num(category.weight)}
            )
    for code in old_categories:
        if code not in new_categories:
            changes.append(_("Category “%(code)s” removed.") % {"code": code})
    for code, category in new_categories.items():
        old = old_categories.get(code)
        if old is None:
            continue
        if old.name != category.name:
            changes.append(
                _("Category “%(code)s”: name %(old)s → %(new)s.")
                % {"code": code, "old": old.name, "new": category.name}
            )
        if old.weight != category.weight:
            changes.append(
                _("Category “%(code)s”: weight %(old)s → %(new)s.")
                % {"code": code, "old": _num(old.weight), "new": _num(category.weight)}
            )
        changes.extend(_kpi_changes(code, old, category))
    common = [code for code in new_categories if code in old_categories]
    if [code for code in old_categories if code in new_categories] != common:
        changes.append(_("The order of the categories changed."))
    if not changes and before != after:
        changes.append(_("Only the order of the KPI lines changed."))
    return changes


def _kpi_changes(code: str, old: spec.Category, new: spec.Category) -> list[str]:
    changes = []
    old_lines = {line.kpi: line for line in old.kpis}
    new_lines = {line.kpi: line for line in new.kpis}
    for kpi, line in new_lines.items():
        previous = old_lines.get(kpi)
        if previous is None:
            changes.append(
                _("Category “%(code)s”: KPI “%(kpi)s” added with weight %(weight)s.")
                % {"code": code, "kpi": kpi, "weight": _num(line.weight)}
            )
        elif previous != line:
            changes.append(
                _("Category “%(code)s”, KPI “%(kpi)s”: %(changes)s.")
                % {
                    "code": code,
                    "kpi": kpi,
                    "changes": _settings_changed(_line_values(previous), _line_values(line)),
                }
            )
    for kpi in old_lines:
        if kpi not in new_lines:
            changes.append(
                _("Category “%(code)s”: KPI “%(kpi)s” removed.") % {"code": code, "kpi": kpi}
            )
    return changes


def _text_diff(before: spec.Scheme | None, after: spec.Scheme) -> str:
    """The stored file against the new one, both written out the same way, line by line."""
    old = scheme_dump(before).splitlines() if before is not None else []
    new = scheme_dump(after).splitlines()
    return "\n".join(
        difflib.unified_diff(old, new, _("stored version"), _("edited version"), lineterm="", n=1)
    )


# -- checking a text ---------------------------------------------------------------------------


def _summary(scheme: spec.Scheme) -> dict:
    return {
        "categories": len(scheme.categories),
        "kpis": sum(len(category.kpis) for category in scheme.categories),
        "category_sum": _num(sum((c.weight for c in scheme.categories), Decimal(0))),
        "sums": [
            {
                "code": category.code,
                "name": category.name,
                "weight": _num(category.weight),
                "kpis": len(category.kpis),
                "sum": _num(sum((line.weight for line in category.kpis), Decimal(0))),
            }
            for category in scheme.categories
        ],
    }


def scheme_check(text: str, *, edited: str | None = None, new: bool = False) -> dict:
    """A scheme text checked as the pages store it: every rule of scheme_parse, then the page
    rules (an edited scheme keeps its code; a new one takes a code not in use and not one of
    the pages' own words), and what storing it would change."""
    text = text.removeprefix("\ufeff")
    result: dict = {"errors": [], "valid": False, "changes": [], "diff": ""}
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        result["errors"] = [
            _("The scheme is larger than %(size)s KB; a scheme file is at most that large.")
            % {"size": MAX_FILE_BYTES // 1024}
        ]
        return result
    try:
        scheme = scheme_parse(text)
    except ValidationError as error:
        result["errors"] = list(error.messages)
        return result
    errors = []
    if edited is not None and scheme.code != edited:
        errors.append(
            _(
                "code: this page edits the scheme “%(edited)s”, but the text has the code "
                "“%(code)s”. Change the code back, or start a new scheme from a copy."
            )
            % {"edited": edited, "code": scheme.code}
        )
    stored = None
    if scheme.code in RESERVED_CODES:
        errors.append(
            _("code: “%(code)s” is a word the pages use; choose another code.")
            % {"code": scheme.code}
        )
    elif edited is None or scheme.code == edited:
        try:
            stored = scheme_load(scheme.code)
        except SchemeNotFound:
            stored = None
    if new and stored is not None:
        errors.append(
            _(
                "code: a scheme with the code “%(code)s” exists already; give the new scheme "
                "its own code, or edit that scheme."
            )
            % {"code": scheme.code}
        )
    if errors:
        result["errors"] = errors
        return result
    changes = scheme_changes(stored, scheme)
    result.update(
        valid=True,
        scheme=scheme,
        summary=_summary(scheme),
        stored=stored,
        same=stored is not None and stored == scheme,
        changes=changes if stored != scheme else [],
        diff=_text_diff(stored, scheme) if stored != scheme else "",
    )
    return result


def _store(request, text: str, check: dict) -> SchemeModel | None:
    """Store a checked text; a refusal (even one found only now) becomes the check's errors."""
    try:
        row = scheme_import(actor=request.user, text=text.removeprefix("\ufeff"))
    except ValidationError as error:
        check.update(valid=False, errors=list(error.messages))
        return None
    if getattr(row, "created", False):
        messages.success(
            request,
            _("The scheme “%(code)s” was created as version %(version)s.")
            % {"code": row.code, "version": row.version},
        )
    elif getattr(row, "changed", False):
        messages.success(
            request,
            _("The scheme “%(code)s” was stored as version %(version)s.")
            % {"code": row.code, "version": row.version},
        )
    else:
        messages.info(
            request,
            _("No change: the scheme “%(code)s” is already exactly this (version %(version)s).")
            % {"code": row.code, "version": row.version},
        )
    return row


# -- forms -----------------------------------------------------------------------------------


class SchemeTextForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Scheme (YAML)"),
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 28, "cols": 100, "spellcheck": "false", "class": "yaml"}
        ),
    )


class SchemeUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Scheme file (.yaml)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,text/yaml"}),
    )


def _read_upload(upload) -> str:
    """The uploaded file as text: at most MAX_FILE_BYTES, UTF-8 with or without BOM."""
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is %(size)s KB; a scheme file may be at most %(limit)s KB.")
            % {"size": (upload.size + 1023) // 1024, "limit": MAX_FILE_BYTES // 1024}
        )
    data = upload.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _(
                "The file is not UTF-8 text (it may be saved as GBK or as a Word document); "
                "save it as UTF-8 and upload it again. Nothing was stored."
            )
        ) from None


# -- pages -----------------------------------------------------------------------------------


def _status_counts(rows: list[SchemeModel]) -> dict[int, dict]:
    """Per scheme: how many of its appraisals are frozen (published or later) and how many are
    still open, in one query."""
    counts: dict[int, Counter] = {row.pk: Counter() for row in rows}
    for scheme_id, status in Appraisal.objects.filter(cycle__scheme__in=rows).values_list(
        "cycle__scheme_id", "status"
    ):
        counts[scheme_id]["frozen" if status in FROZEN else "open"] += 1
    return {pk: {"frozen": c["frozen"], "open": c["open"]} for pk, c in counts.items()}


def _cycles(row: SchemeModel) -> list[dict]:
    return [
        {"period": cycle.period, "url": _url("appraisal-cycle", cycle.pk)}
        for cycle in row.cycles.all()
    ]


@login_required
@require_GET
def scheme_list(request):
    if not can_list_schemes(request.user):
        raise Http404
    rows = list(SchemeModel.objects.prefetch_related("categories", "cycles").order_by("code"))
    applies = dict(SchemeModel._meta.get_field("applies_to").choices)
    schemes = [
        {
            "row": row,
            "applies_to": applies.get(row.applies_to, row.applies_to),
            "categories": [
                {"code": c.code, "name": c.name, "weight": _num(c.weight)}
                for c in sorted(row.categories.all(), key=lambda c: c.order)
            ],
            "cycles": _cycles(row),
        }
        for row in rows
    ]
    context = {"schemes": schemes, "can_edit": can_edit_schemes(request.user)}
    return render(request, "appraisal/schemes.html", context)


def _history(row: SchemeModel) -> list[dict]:
    events = AuditEvent.objects.filter(
        action=IMPORT_ACTION, object_type=SchemeModel._meta.label_lower, object_id=str(row.pk)
    ).select_related("actor")
    history = []
    for event in events:
        after = event.after or {}
        before = event.before or {}
        changes: list[str] = []
        try:
            new = scheme_parse(after["yaml"])
            old = scheme_parse(before["yaml"]) if before.get("yaml") else None
            changes = scheme_changes(old, new)
        except (KeyError, TypeError, ValidationError):
            changes = []  # an old row in another shape: who and when still show
        who = (event.actor.get_full_name() or event.actor.get_username()) if event.actor else ""
        history.append(
            {
                "at": event.at,
                "who": who or event.actor_label,
                "version": after.get("version"),
                "created": not before,
                "changes": changes,
            }
        )
    return history


@login_required
@require_GET
def scheme_detail(request, code):
    row = access_scheme(request.user, code)
    scheme = scheme_spec(row)
    cycles = list(Cycle.objects.filter(scheme=row).order_by("-period"))
    row_cycles = [{"period": c.period, "url": _url("appraisal-cycle", c.pk)} for c in cycles]
    history = _history(row)
    context = {
        "row": row,
        "scheme": scheme,
        **_scheme_tables(scheme),
        "applies_to": row.get_applies_to_display(),
        "cycles": row_cycles,
        "history": history,
        "installed": not any(entry["created"] for entry in history),
        "counts": _status_counts([row])[row.pk],
        "can_edit": can_edit_schemes(request.user),
        "can_list": can_list_schemes(request.user),
    }
    return render(request, "appraisal/scheme_detail.html", context)


@login_required
@require_GET
def scheme_download(request, code):
    row = access_scheme(request.user, code)
    response = HttpResponse(
        scheme_export(row.code).encode("utf-8"), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{row.code}.yaml"'
    return response


def _editor(request, *, row: SchemeModel | None, form, check: dict, source: str = "", status=200):
    counts = _status_counts([row])[row.pk] if row is not None else {"frozen": 0, "open": 0}
    context = {
        "row": row,
        "form": form,
        "check": check,
        "counts": counts,
        "source": source,
        "sources": list(SchemeModel.objects.order_by("code").values_list("code", "name")),
        "mode": "edit" if row is not None else "new",
    }
    return render(request, "appraisal/scheme_edit.html", context, status=status)


def _edit_post(request, *, row: SchemeModel | None):
    """The editor's form: `check` shows the check in the page (without JavaScript), `save`
    stores the text when it passes every rule, else shows the rules it breaks."""
    form = SchemeTextForm(request.POST)
    edited = row.code if row is not None else None
    if not form.is_valid():
        check = {"errors": [_("Write the scheme in the box.")], "valid": False}
        return _editor(request, row=row, form=form, check=check, status=400)
    text = form.cleaned_data["text"]
    check = scheme_check(text, edited=edited, new=row is None)
    if request.POST.get("action") != "save":
        return _editor(request, row=row, form=form, check=check)
    if not check["valid"]:
        return _editor(request, row=row, form=form, check=check, status=400)
    stored = _store(request, text, check)
    if stored is None:
        return _editor(request, row=row, form=form, check=check, status=400)
    return redirect("appraisal-scheme", code=stored.code)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request, code):
    _require_editor(request.user)
    row = access_scheme(request.user, code)
    if request.method == "POST":
        return _edit_post(request, row=row)
    text = scheme_export(row.code)
    form = SchemeTextForm(initial={"text": text})
    return _editor(request, row=row, form=form, check=scheme_check(text, edited=row.code))


@login_required
@require_http_methods(["GET", "POST"])
def scheme_new(request):
    _require_editor(request.user)
    if request.method == "POST":
        return _edit_post(request, row=None)
    source = request.GET.get("from", "")
    text = EMPTY_TEMPLATE
    if source:
        try:
            original = scheme_load(source)
        except SchemeNotFound as error:
            messages.error(request, str(error))
            source = ""
        else:
            text = scheme_dump(replace(original, code=f"{original.code[:45]}-copy"))
    form = SchemeTextForm(initial={"text": text})
    return _editor(request, row=None, form=form, check=scheme_check(text, new=True), source=source)


@login_required
@require_POST
def scheme_validate(request):
    """The check of the editor, as a partial for htmx: every broken rule, or "valid" with a
    summary and what storing would change. Stores nothing."""
    _require_editor(request.user)
    text = request.POST.get("text", "")
    edited = request.POST.get("edited") or None
    if text.strip():
        check = scheme_check(text, edited=edited, new=edited is None)
    else:
        check = {"errors": [_("Write the scheme in the box.")], "valid": False}
    return render(request, "appraisal/scheme_edit.html#check", {"check": check})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_upload(request):
    _require_editor(request.user)
    check = None
    status = 200
    if request.method == "POST":
        form = SchemeUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                text = _read_upload(form.cleaned_data["file"])
            except ValidationError as error:
                check = {"errors": list(error.messages), "valid": False}
            else:
                check = scheme_check(text)
                if check["valid"] and request.POST.get("action") == "save":
                    stored = _store(request, text, check)
                    if stored is not None:
                        return redirect("appraisal-scheme", code=stored.code)
        else:
            check = {"errors": [_("Choose a scheme file to upload.")], "valid": False}
        if check is not None and not check["valid"]:
            status = 400
    else:
        form = SchemeUploadForm()
    context = {"form": form, "check": check, "max_kb": MAX_FILE_BYTES // 1024}
    return render(request, "appraisal/scheme_import.html", context, status=status)


# -- wiring ----------------------------------------------------------------------------------

urlpatterns = [
    path("schemes/", scheme_list, name="appraisal-schemes"),
    path("schemes/new/", scheme_new, name="appraisal-scheme-new"),
    path("schemes/import/", scheme_upload, name="appraisal-scheme-import"),
    path("schemes/validate/", scheme_validate, name="appraisal-scheme-validate"),
    path("schemes/<slug:code>/", scheme_detail, name="appraisal-scheme"),
    path("schemes/<slug:code>/edit/", scheme_edit, name="appraisal-scheme-edit"),
    path("schemes/<slug:code>/export/", scheme_download, name="appraisal-scheme-export"),
]


def ready() -> None:
    """Menu entries, settings, importers and to-dos of this area, called by AppraisalConfig."""
    from telesales.core.navigation import MenuItem, menu_register

    menu_register(
        MenuItem(
            "appraisal-schemes",
            gettext_lazy("Appraisal schemes"),
            "appraisal-schemes",
            can_list_schemes,
            order=86,
            group="appraisal",
        )
    )
