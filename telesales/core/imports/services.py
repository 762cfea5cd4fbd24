"""Running an import: read, parse every row, store in batches, report each rejected row."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any, BinaryIO

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record
from telesales.core.imports.base import (
    Column,
    Importer,
    ImportResult,
    RowError,
    StoreContext,
    normalise_header,
)
from telesales.core.imports.reading import ImportFileError, Table, read_table
from telesales.core.imports.registry import get_importer
from telesales.core.models import ImportRun

logger = logging.getLogger(__name__)


def import_run_create(
    *,
    kind: str,
    user,
    filename: str,
    stream: BinaryIO | bytes,
    source: str = "web",
    options: dict[str, Any] | None = None,
) -> ImportRun:
    """Keep the uploaded file with its run so the preview, the import and the history agree."""
    if get_importer(kind) is None:
        raise ValueError(f"unknown import kind {kind!r}")
    run = ImportRun(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        source=source,
        filename=filename[:255],
        options=options or {},
    )
    content = ContentFile(stream) if isinstance(stream, bytes) else File(stream)
    run.file.save(filename.replace("/", "_")[-100:] or "upload", content, save=False)
    run.bytes_total = run.file.size
    run.save()
    return run


def map_columns(importer: Importer, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Column key → index in the file; a missing required column refuses the whole file."""
    normalised = [normalise_header(h) for h in header]
    mapping: dict[str, int] = {}
    for column in importer.columns:
        names = column.header_names()
        for index, name in enumerate(normalised):
            if name in names and index not in mapping.values():
                mapping[column.key] = index
                break
    missing = [c for c in importer.columns if c.required and c.key not in mapping]
    if missing:
        raise ImportFileError(
            _(
                "The first row must name the columns. Missing: %(columns)s. "
                "Download the template to see the expected headers."
            )
            % {"columns": ", ".join(_column_title(c) for c in missing)}
        )
    ignored = [h for i, h in enumerate(header) if i not in mapping.values() and h]
    return mapping, ignored


def _column_title(column: Column) -> str:
    label = str(column.label)
    return column.key if label == column.key else f"{column.key} ({label})"


def _parsed_rows(
    importer: Importer, table: Table, mapping: dict[str, int], result: ImportResult
) -> Iterator[tuple[int, Any]]:
    for line, cells in table.rows:
        result.rows += 1
        row = {key: (cells[index] if index < len(cells) else "") for key, index in mapping.items()}
        try:
            yield line, importer.parse(row)
        except RowError as error:
            result.reject(line, error.column, error.reason)


def _batches(rows: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for item in rows:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    yield batch


def import_execute(
    *,
    importer: Importer,
    stream: BinaryIO,
    actor,
    dry_run: bool,
    options: dict[str, Any] | None = None,
    on_progress=None,
    preview_limit: int = 0,
    state: dict[str, Any] | None = None,
) -> tuple[ImportResult, dict[str, Any]]:
    """Import one file. Each batch is its own transaction and storing is idempotent, so a
    re-run after an interruption completes the file without doubling anything; a dry run
    rolls everything back. Raises ImportFileError, before storing anything, when the file
    cannot be read."""
    table = read_table(stream, raw=getattr(importer, "raw_cells", False))
    result = ImportResult()
    ctx = StoreContext(
        actor=actor, result=result, dry_run=dry_run, options=options or {}, state=dict(state or {})
    )
    execute_table = getattr(importer, "execute_table", None)
    if execute_table is not None:
        # Importers of files with their own layouts (phone-system exports) run the file.
        def run_layout() -> dict[str, Any]:
            return execute_table(table, ctx, on_progress=on_progress, preview_limit=preview_limit)

        if dry_run:
            with transaction.atomic():
                info = run_layout()
                transaction.set_rollback(True)
        else:
            info = run_layout()
        result.rejected.sort(key=lambda r: r.row)
        return result, info
    mapping, ignored = map_columns(importer, table.first_row)
    info: dict[str, Any] = {
        "format": table.format,
        "encoding": table.encoding,
        "columns": [c.key for c in importer.columns if c.key in mapping],
        "ignored": ignored,
        "preview": [],
    }
    rows = _parsed_rows(importer, table, mapping, result)
    if preview_limit:
        rows = _capture_preview(rows, info["preview"], preview_limit)

    def run_batches() -> None:
        for batch in _batches(rows, importer.batch_size):
            with transaction.atomic():
                if batch:
                    importer.store(batch, ctx)
            if on_progress:
                on_progress(result, table.position())
        with transaction.atomic():
            importer.finish(ctx)

    if dry_run:
        with transaction.atomic():
            run_batches()
            transaction.set_rollback(True)
    else:
        run_batches()
    result.rejected.sort(key=lambda r: r.row)
    return result, info


def _capture_preview(rows, preview: list, limit: int):
    for line, parsed in rows:
        if len(preview) < limit:
            preview.append({"row": line, "values": _preview_values(parsed)})
        yield line, parsed


def _preview_values(parsed: Any) -> dict[str, str]:
    """A parsed row (a dataclass) as text for the preview table."""
    values = {f.name: getattr(parsed, f.name) for f in dataclasses.fields(parsed)}
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _open_stored(run: ImportRun):
    """The run's file, opened directly when it is on disk: Django's file wrapper checks
    `closed` in Python on every line read, which large imports feel."""
    try:
        return open(run.file.path, "rb")  # noqa: SIM115 (closed by the caller's with)
    except (NotImplementedError, AttributeError):
        return run.file.open("rb")


def import_run_execute(run: ImportRun, *, dry_run: bool, on_progress=None) -> ImportResult | None:
    """Run a stored ImportRun (preview = dry run), recording progress and the outcome;
    `on_progress(rows, bytes_done, bytes_total)` also hears it (the command line's bar)."""
    importer = get_importer(run.kind)
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, dry_run=dry_run, bytes_done=0
    )

    def progress(result: ImportResult, position: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(rows=result.rows, bytes_done=position)
        if on_progress is not None:
            on_progress(result.rows, position, run.bytes_total)

    try:
        with _open_stored(run) as stream:
            result, info = import_execute(
                importer=importer,
                stream=stream,
                actor=run.user,
                dry_run=dry_run,
                options=run.options,
                on_progress=None if dry_run else progress,
                preview_limit=20 if dry_run else 0,
                state={"import_run_id": run.pk},
            )
    except ImportFileError as error:
        run.status = ImportRun.Status.FAILED
        run.message = error.message
        run.finished_at = timezone.now()
        run.save()
        return None
    except Exception:
        logger.exception("import run %s failed", run.pk)
        run.status = ImportRun.Status.FAILED
        run.message = _("The import stopped because of an internal error; nothing more was stored.")
        run.finished_at = timezone.now()
        run.save()
        raise
    run.rows = result.rows
    run.stored = result.stored
    run.updated = result.updated
    run.duplicates = result.duplicates
    run.rejected = [r.as_dict() for r in result.rejected]
    run.detected = " · ".join(str(p) for p in (info["format"], info["encoding"]) if p)[:255]
    run.bytes_done = run.bytes_total
    messages = []
    if info.get("layout_reason"):
        messages.append(_("Recognised because %(reason)s.") % {"reason": info["layout_reason"]})
    messages.extend(str(n) for n in info.get("notes", ()))
    messages.extend(str(n) for n in result.notes)
    if dry_run:
        run.status = ImportRun.Status.PREVIEW
        run.preview_rows = info["preview"]
        if info.get("ignored"):
            messages.append(
                _("Columns ignored: %(columns)s") % {"columns": ", ".join(info["ignored"])}
            )
    run.message = " ".join(messages)
    if not dry_run:
        run.status = ImportRun.Status.DONE
        run.finished_at = timezone.now()
    run.save()
    if not dry_run:
        audit_record(
            actor=run.user or "command line",
            action="import.run",
            obj=run,
            after={
                "kind": run.kind,
                "file": run.filename,
                "rows": run.rows,
                "stored": run.stored,
                "updated": run.updated,
                "duplicates": run.duplicates,
                "rejected": len(run.rejected),
            },
        )
    return result
