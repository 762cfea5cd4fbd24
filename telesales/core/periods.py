"""Periods of PRODUCT.md §5: a year (2026), a quarter (2026-Q3), a month (2026-09), a day
(2026-09-15) or a range of days (2026-09-01..2026-09-15). Dates are company-local."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    code: str
    start: dt.date
    end: dt.date  # inclusive
    kind: str  # year, quarter, month, day, range

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.kind == "year":
            return period_parse(str(self.start.year - 1))
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            year, quarter = (
                (self.start.year, quarter - 1) if quarter > 1 else (self.start.year - 1, 4)
            )
            return period_parse(f"{year}-Q{quarter}")
        if self.kind == "month":
            first = self.start - dt.timedelta(days=1)
            return period_parse(f"{first.year}-{first.month:02d}")
        end = self.start - dt.timedelta(days=1)
        return period_range(end - dt.timedelta(days=self.days - 1), end)

    def __str__(self) -> str:
        return self.code


def period_of(day: dt.date, kind: str) -> Period:
    """The year, quarter or month that contains `day`."""
    if kind == "year":
        return period_parse(str(day.year))
    if kind == "quarter":
        return period_parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind == "month":
        return period_parse(f"{day.year}-{day.month:02d}")
    raise ValueError(kind)


def period_range(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PeriodError(_("The period ends before it starts."))
    if start == end:
        return Period(start.isoformat(), start, end, "day")
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end, "range")


def period_parse(text: str) -> Period:
    """Raises PeriodError with a translated message for anything else."""
    text = (text or "").strip()
    try:
        if m := _YEAR.match(text):
            year = int(m.group(1))
            return Period(text, dt.date(year, 1, 1), dt.date(year, 12, 31), "year")
        if m := _QUARTER.match(text):
            year, quarter = int(m.group(1)), int(m.group(2))
            first_month = 3 * (quarter - 1) + 1
            last_month = first_month + 2
            return Period(
                f"{year}-Q{quarter}",
                dt.date(year, first_month, 1),
                dt.date(year, last_month, calendar.monthrange(year, last_month)[1]),
                "quarter",
            )
        if m := _MONTH.match(text):
            year, month = int(m.group(1)), int(m.group(2))
            return Period(
                f"{year}-{month:02d}",
                dt.date(year, month, 1),
                dt.date(year, month, calendar.monthrange(year, month)[1]),
                "month",
            )
        if m := _DAY.match(text):
            day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return Period(day.isoformat(), day, day, "day")
        if ".." in text:
            first, last = text.split("..", 1)
            return period_range(
                dt.date.fromisoformat(first.strip()), dt.date.fromisoformat(last.strip())
            )
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(_("“%(text)s” is not a valid date.") % {"text": text}) from exc
    raise PeriodError(
        _(
            "“%(text)s” is not a period; use 2026, 2026-Q3, 2026-09, 2026-09-15 or "
            "2026-09-01..2026-09-15."
        )
        % {"text": text}
    )
