"""telesales scheme import FILE [--json] / telesales scheme export CODE (PRODUCT.md §8).

import stores a scheme file (a new code creates it, a known code replaces it); a file that
breaks a rule is refused with every message and nothing changes (exit 1); a file that cannot
be read exits 2. export prints the stored scheme as YAML; an unknown code exits 1."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from telesales.appraisal.schemes import SchemeNotFound, scheme_export, scheme_import


class Command(BaseCommand):
    help = "Import an appraisal scheme from a YAML file, or export one as YAML."
    requires_system_checks = []

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        importing = commands.add_parser("import", help="Store the scheme in a YAML file.")
        importing.add_argument("file", help="A YAML scheme file (PRODUCT.md §7).")
        importing.add_argument("--json", action="store_true", help="Print one JSON object.")
        exporting = commands.add_parser("export", help="Print a stored scheme as YAML.")
        exporting.add_argument("code", help="The scheme's code, e.g. supervisor-default.")

    def handle(self, *args, **options):
        if options["action"] == "export":
            return self._export(options["code"])
        return self._import(options["file"], options["json"])

    def _export(self, code: str) -> None:
        try:
            text = scheme_export(code)
        except SchemeNotFound as error:
            self.stderr.write(str(error))
            sys.exit(1)
        self.stdout.write(text, ending="")

    def _import(self, path: str, as_json: bool) -> None:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            message = _("The file %(file)s cannot be read: %(reason)s") % {
                "file": path,
                "reason": error,
            }
            self._refuse(as_json, [message], status=2)
        try:
            row = scheme_import(actor="command line", text=text)
        except ValidationError as error:
            self._refuse(as_json, error.messages, status=1)
        counts = {
            "categories": row.categories.count(),
            "kpis": sum(category.kpis.count() for category in row.categories.all()),
        }
        if as_json:
            payload = {
                "code": row.code,
                "name": row.name,
                "created": row.created,
                "changed": row.changed,
                "version": row.version,
                **counts,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if not row.changed:
            message = _("Scheme %(code)s (%(name)s) is already stored exactly so; nothing changed.")
            self.stdout.write(message % {"code": row.code, "name": row.name})
            return
        message = (
            _("Created scheme %(code)s (%(name)s). Categories: %(categories)s, KPIs: %(kpis)s.")
            if row.created
            else _(
                "Replaced scheme %(code)s (%(name)s), now version %(version)s. "
                "Categories: %(categories)s, KPIs: %(kpis)s."
            )
        )
        self.stdout.write(
            message % {"code": row.code, "name": row.name, "version": row.version, **counts}
        )

    def _refuse(self, as_json: bool, messages: list[str], *, status: int) -> None:
        if as_json:
            self.stdout.write(json.dumps({"errors": messages}, ensure_ascii=False))
        for message in messages:
            self.stderr.write(message)
        sys.exit(status)
