import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from telesales.core.forms import ImportUploadForm, LanguageForm
from telesales.core.imports.registry import all_importers, get_importer
from telesales.core.imports.services import import_run_create
from telesales.core.models import ImportRun
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
    importer = _importer_or_404(request.user, kind)
    bound = request.method == "POST"
    form = ImportUploadForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = import_run_create(kind=kind, user=request.user, filename=upload.name, stream=upload)
        import_run_enqueue(run, dry_run=True)
        return redirect("import-run", pk=run.pk)
    return render(request, "core/import_upload.html", {"importer": importer, "form": form})


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
