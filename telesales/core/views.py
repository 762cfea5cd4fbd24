import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from telesales.core.config import setting_definitions, setting_get, setting_set
from telesales.core.forms import ImportUploadForm, LanguageForm, SettingsForm
from telesales.core.imports.registry import all_importers, get_importer
from telesales.core.imports.services import import_run_create
from telesales.core.models import ImportRun, Setting
from telesales.core.navigation import menu_for
from telesales.core.tasks import import_run_enqueue


@require_POST
def language_set(request):
    """Switch language; a signed-in user keeps the choice on their account."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            request.user.language = language
            request.user.save(update_fields=["language"])
        response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 86400)
    return response


def _importer_or_404(user, kind):
    importer = get_importer(kind)
    if importer is None or not importer.allowed(user):
        raise Http404
    return importer


def access_import_run(user, pk) -> ImportRun:
    """An import run the user started (administrators see all), of a kind they may import."""
    run = ImportRun.objects.select_related("user").filter(pk=pk).first()
    if run is None:
        raise Http404
    importer = get_importer(run.kind)
    if importer is None or not importer.allowed(user):
        raise Http404
    if not user.is_superuser and run.user_id != user.pk:
        raise Http404
    return run


@login_required
def imports_index(request):
    importers = [i for i in all_importers() if i.allowed(request.user)]
    if not importers:
        raise Http404
    runs = ImportRun.objects.filter(kind__in=[i.kind for i in importers]).select_related("user")
    if not request.user.is_superuser:
        runs = runs.filter(user=request.user)
    labels = {i.kind: i.label for i in importers}
    runs = list(runs[:50])
    for run in runs:
        run.kind_label = labels.get(run.kind, run.kind)
    return render(request, "core/imports_index.html", {"importers": importers, "runs": runs})


@login_required
def import_upload(request, kind):
    """Upload a file for a preview. An importer may declare `options_form`, a form shown
    under the file whose cleaned values (empty ones left out) become the run's options."""
    importer = _importer_or_404(request.user, kind)
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    options_class = getattr(importer, "options_form", None)
    options_form = (
        options_class(request.POST if bound else None, prefix="options") if options_class else None
    )
    if bound and form.is_valid() and (options_form is None or options_form.is_valid()):
        upload = form.cleaned_data["file"]
        options = (
            {k: v for k, v in options_form.cleaned_data.items() if v not in ("", None)}
            if options_form is not None
            else {}
        )
        run = import_run_create(
            kind=kind, user=request.user, filename=upload.name, stream=upload, options=options
        )
        import_run_enqueue(run, dry_run=True)
        return redirect("import-run", pk=run.pk)
    context = {"importer": importer, "form": form, "options_form": options_form}
    return render(request, "core/import_upload.html", context)


@login_required
def import_run_detail(request, pk):
    run = access_import_run(request.user, pk)
    importer = get_importer(run.kind)
    context = {"run": run, "importer": importer, "rejected": run.rejected[:200]}
    if request.htmx:
        return render(request, "core/import_run.html#status", context)
    return render(request, "core/import_run.html", context)


@login_required
@require_POST
def import_run_confirm(request, pk):
    run = access_import_run(request.user, pk)
    if run.status != ImportRun.Status.PREVIEW:
        messages.error(request, _("This import has already been started."))
        return redirect("import-run", pk=run.pk)
    if request.POST.get("action") == "cancel":
        run.status = ImportRun.Status.CANCELLED
        run.save(update_fields=["status"])
        messages.info(request, _("The import was cancelled; nothing was stored."))
        return redirect("imports")
    import_run_enqueue(run, dry_run=False)
    return redirect("import-run", pk=run.pk)


@login_required
def import_run_rejected(request, pk):
    run = access_import_run(request.user, pk)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("row"), _("column"), _("reason")])
    for item in run.rejected:
        writer.writerow([item["row"], item["column"], item["reason"]])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{run.kind}-{run.pk}.csv"'
    return response


@login_required
def import_template(request, kind, fmt):
    """A file with the expected headers (in the user's language) and one example row."""
    importer = _importer_or_404(request.user, kind)
    headers = [str(c.label) for c in importer.columns]
    example = importer.example_row()
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = kind
        sheet.append(headers)
        if example:
            sheet.append(example)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        if example:
            writer.writerow(example)
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.{fmt}"'
    return response


def _menu_allows(user, key: str) -> bool:
    """Whether the app that lists a core page in the menu lets this user see it: core
    cannot know roles (they are org's), so the menu entry's rule is the page's rule."""
    return any(item["key"] == key for item in menu_for(user))


@login_required
def settings_page(request):
    """Every declared setting with its current value; saving changes each through
    setting_set(), which audits it and runs its change hook."""
    if not _menu_allows(request.user, "settings"):
        raise Http404
    definitions = setting_definitions()
    values = {d.key: setting_get(d.key) for d in definitions}
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        definitions=definitions,
        values=values,
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            changed = [
                d.label
                for d in definitions
                if setting_set(actor=request.user, key=d.key, value=form.value_of(d))
            ]
        if changed:
            messages.success(
                request,
                _("Saved: %(settings)s.") % {"settings": ", ".join(str(c) for c in changed)},
            )
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("settings")
    stored = Setting.objects.select_related("updated_by").in_bulk(field_name="key")
    rows = [
        {
            "definition": d,
            "field": form[form.field_name(d)],
            "value": values[d.key],
            "is_default": d.key not in stored,
            "stored": stored.get(d.key),
        }
        for d in definitions
    ]
    return render(request, "core/settings.html", {"form": form, "rows": rows})
