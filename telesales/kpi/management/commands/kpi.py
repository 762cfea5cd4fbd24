"""telesales kpi --period 2026-09 --scope E001|team:T1 [--json] (PRODUCT.md §8)."""

import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from telesales.core.periods import PeriodError, period_parse
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.org.scopes import ScopeError, scope_parse


class Command(BaseCommand):
    help = "Print the KPIs of an employee or a team for a period."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2026, 2026-Q3, 2026-09 or 2026-09-15")
        parser.add_argument("--scope", required=True, help="E001 (employee number) or team:T1")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--user", help="Act as this user, within their scope.")

    def handle(self, *args, **options):
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                return self._fail(
                    options, _("There is no user %(user)s.") % {"user": options["user"]}
                )
        try:
            period = period_parse(options["period"])
            scope = scope_parse(options["scope"], user)
        except (PeriodError, ScopeError) as error:
            return self._fail(options, str(error))
        values = kpis_compute(scope, period)
        if options["json"]:
            payload = {
                "period": period.code,
                "scope": scope.code,
                "kpis": {code: value.as_json() for code, value in values.items()},
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{scope.label} · {period.code}")
        for code, value in values.items():
            definition = DEFINITIONS.get(code)
            shown = _("not applicable") if value.value is None else value.as_json()["value"]
            detail = ""
            if value.denominator is not None:
                detail = f"  ({value.as_json()['numerator']} / {value.as_json()['denominator']})"
            label = definition.label if definition else code
            self.stdout.write(f"{code:<22} {label}: {shown}{detail}")

    def _fail(self, options, message):
        if options["json"]:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        self.stderr.write(message)
        sys.exit(2)
