"""telesales demo [--if-empty] [--logins] [--today YYYY-MM-DD] [--seed N] (PRODUCT.md §8)."""

import datetime as dt
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from telesales.core.demo import DemoContext, demo_steps
from telesales.core.progress import ProgressBar
from telesales.org.demo import DEMO_SEED, DemoError, demo_build, demo_logins
from telesales.org.models import Employee


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def logins_table(logins) -> list[str]:
    header = [
        pgettext("demo logins", "username"),
        pgettext("demo logins", "password"),
        pgettext("demo logins", "role"),
        pgettext("demo logins", "name"),
        pgettext("demo logins", "team"),
    ]
    rows = [
        [login.username, login.password or _("(changed)"), login.role, login.name, login.team]
        for login in logins
    ]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        lines.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if row is header:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _date(value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--today must be a date as YYYY-MM-DD, not %(value)s.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Build the demo company 星辰科技: departments, three sales teams, a year of hires, "
        "leavers, transfers and promotions, products, and one login for every role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Build only when the database has no employees; otherwise do nothing.",
        )
        parser.add_argument(
            "--logins", action="store_true", help="Only print the demo logins; build nothing."
        )
        parser.add_argument(
            "--today", default=None, help="The date the demo's data ends on (default: today)."
        )
        parser.add_argument(
            "--seed", type=int, default=DEMO_SEED, help="Seed of the random choices."
        )
        parser.add_argument(
            "--calls-per-day",
            type=int,
            default=60,
            help="Calls each rep makes on a working day in the demo's 120 days (0: none).",
        )

    def handle(self, *args, **options):
        if options["logins"]:
            self._print_logins(demo_logins())
            return
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        if options["if_empty"] and Employee.objects.exists():
            self.stdout.write(_("The database already has employees; the demo was not built."))
            return
        try:
            summary = demo_build(today=today, seed=options["seed"])
        except DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Built the demo company %(company)s as of %(today)s: "
                "%(employees)s employees, %(reps)s reps on %(today)s (%(teams)s), "
                "%(leavers)s leavers, %(transfers)s transfers and %(promotions)s promotions "
                "in the last year, %(products)s products."
            )
            % {
                "company": summary.company,
                "today": summary.today.isoformat(),
                "employees": summary.employees,
                "reps": sum(summary.reps_on_today.values()),
                "teams": ", ".join(f"{code} {n}" for code, n in summary.reps_on_today.items()),
                "leavers": summary.leavers,
                "transfers": summary.transfers,
                "promotions": summary.promotions,
                "products": summary.products,
            }
        )
        context = DemoContext(
            today=today,
            seed=options["seed"],
            options={"calls_per_day": options["calls_per_day"]},
            progress=ProgressBar(self.stderr._out).update,
        )
        for step in demo_steps():
            line = step.run(context)
            if line:
                self.stdout.write(line)
        self._print_logins(summary.logins)

    def _print_logins(self, logins):
        if not logins:
            self.stdout.write(_("No demo logins found; run `telesales demo` to build the demo."))
            return
        self.stdout.write(_("Demo logins:"))
        for line in logins_table(logins):
            self.stdout.write(line)
