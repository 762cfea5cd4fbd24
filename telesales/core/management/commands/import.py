"""telesales import KIND FILE [--dry-run] [--json] (PRODUCT.md §8)."""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from telesales.core.imports.reading import ImportFileError
from telesales.core.imports.registry import all_importers, get_importer
from telesales.core.imports.services import import_execute, import_run_create, import_run_execute
from telesales.core.progress import ProgressBar


class Command(BaseCommand):
    help = "Import a CSV or Excel file: exit 0 when every row was stored, 1 when rows were rejected, 2 when the file could not be read."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(i.kind for i in all_importers()))
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count, store nothing."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--user", help="Act as this user, within their scope.")
        parser.add_argument(
            "--format", default="", help="Force a file layout (importers that have several)."
        )
        parser.add_argument(
            "--tz", default="", help="Time zone of the file's timestamps (default: the company's)."
        )
        parser.add_argument(
            "--date-order",
            default="",
            choices=["", "auto", "ymd", "dmy", "mdy"],
            help="How to read dates such as 1/7/2026: dmy (day first) or mdy (month first).",
        )
        parser.add_argument("--mapping", default="", help="A saved column mapping (calls).")
        parser.add_argument(
            "--system", default="", help="Name of the phone system the calls come from."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not draw the progress bar."
        )

    def handle(self, *args, **options):
        importer = get_importer(options["kind"])
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None or not importer.allowed(actor):
                raise CommandError(
                    _("User %(user)s may not import %(kind)s.")
                    % {"user": options["user"], "kind": options["kind"]},
                    returncode=2,
                )
        path = Path(options["file"])
        if not path.is_file():
            return self._fail(options, _("The file %(path)s does not exist.") % {"path": path})
        run_options = {
            k: options[k] for k in ("format", "tz", "date_order", "mapping", "system") if options[k]
        }
        bar = None if options["no_progress"] else ProgressBar(self.stderr._out)
        try:
            if options["dry_run"]:
                size = path.stat().st_size
                with path.open("rb") as stream:
                    result, info = import_execute(
                        importer=importer,
                        stream=stream,
                        actor=actor,
                        dry_run=True,
                        options=run_options,
                        on_progress=bar and (lambda r, pos: bar.update(r.rows, pos, size)),
                    )
            else:
                with path.open("rb") as stream:
                    run = import_run_create(
                        kind=importer.kind,
                        user=actor,
                        filename=path.name,
                        stream=stream,
                        source="cli",
                        options=run_options,
                    )
                result = import_run_execute(run, dry_run=False, on_progress=bar and bar.update)
                if result is None:
                    run.refresh_from_db()
                    return self._fail(options, run.message)
        except ImportFileError as error:
            if bar:
                bar.close()
            return self._fail(options, error.message)
        if bar:
            bar.close()
        payload = result.as_json(master_data=importer.master_data)
        if options["json"]:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
        else:
            self.stdout.write(
                _(
                    "%(rows)s rows: %(stored)s stored, %(updated)s updated, %(duplicates)s already stored, %(rejected)s rejected%(dry)s."
                )
                % {
                    "rows": result.rows,
                    "stored": result.stored,
                    "updated": result.updated,
                    "duplicates": result.duplicates,
                    "rejected": len(result.rejected),
                    "dry": _(" (dry run, nothing stored)") if options["dry_run"] else "",
                }
            )
            for note in result.notes:
                self.stdout.write(str(note))
            for item in result.rejected:
                self.stdout.write(_("row %(row)s, %(column)s: %(reason)s") % item.as_dict())
        sys.exit(1 if result.rejected else 0)

    def _fail(self, options, message):
        if options["json"]:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        self.stderr.write(message)
        sys.exit(2)
