"""Background work of core: import runs. Idempotent, enqueued after commit."""

from django.db import transaction
from django.tasks import task
from django.utils import translation

from telesales.core.imports.services import import_run_execute
from telesales.core.models import ImportRun


@task()
def import_run_task(run_id: int, dry_run: bool, language: str) -> None:
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ImportRun.Status.DONE:
        return
    with translation.override(language):
        import_run_execute(run, dry_run=dry_run)


def import_run_enqueue(run: ImportRun, *, dry_run: bool) -> None:
    language = translation.get_language() or "zh-hans"
    if not dry_run:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.QUEUED)
    transaction.on_commit(lambda: import_run_task.enqueue(run.pk, dry_run, language))
