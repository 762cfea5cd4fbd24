"""Demo calls: 120 days of a real-looking Asterisk Master.csv for the demo reps, loaded
through the calls importer exactly as an administrator's upload would be."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

from django.conf import settings
from django.utils.translation import gettext as _

from telesales.calls.samples import master_rows, write_master_csv
from telesales.core.demo import DemoContext

DEMO_DAYS = 120


def _is_workday(day: dt.date) -> bool:
    try:
        import chinese_calendar

        return chinese_calendar.is_workday(day)
    except (ImportError, NotImplementedError):  # a year the calendar does not know yet
        return day.weekday() < 5


def demo_calls_rows(*, today: dt.date, seed: int, calls_per_day: int):
    """Each working day of the last 120 days (up to yesterday), calls by every rep who held
    an extension that day."""
    from telesales.org.models import Extension, Role

    spans = list(
        Extension.objects.filter(employee__role=Role.REP).values_list(
            "number", "valid_from", "valid_to"
        )
    )
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    for offset in range(DEMO_DAYS, 0, -1):
        day = today - dt.timedelta(days=offset)
        if not _is_workday(day):
            continue
        numbers = sorted(
            number for number, start, end in spans if start <= day and (end is None or day < end)
        )
        yield from master_rows(numbers, [day], calls_per_day, seed=seed * 1000 + offset, zone=zone)


def demo_calls(context: DemoContext) -> str:
    from telesales.core.imports.services import import_run_create, import_run_execute
    from telesales.org.models import Employee, Role

    calls_per_day = int(context.options.get("calls_per_day", 60))
    if calls_per_day <= 0:
        return ""
    buffer = io.StringIO()
    rows = write_master_csv(
        buffer, demo_calls_rows(today=context.today, seed=context.seed, calls_per_day=calls_per_day)
    )
    admin = Employee.objects.filter(role=Role.ADMIN, user__isnull=False).first()
    run = import_run_create(
        kind="calls",
        user=admin.user if admin else None,
        filename="Master.csv",
        stream=buffer.getvalue().encode(),
        source="demo",
    )
    result = import_run_execute(run, dry_run=False, on_progress=context.progress)
    return _(
        "Loaded %(rows)s rows of an Asterisk Master.csv for the last %(days)s days: "
        "%(stored)s calls stored."
    ) % {"rows": rows, "days": DEMO_DAYS, "stored": result.stored if result else 0}
