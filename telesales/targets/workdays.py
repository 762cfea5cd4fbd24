"""Working days on the China calendar (public holidays and make-up working days, from the
chinese-calendar library) with the company's own extra days off and extra working days.
A year the library does not know yet falls back to Monday–Friday, and says so."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import chinese_calendar


def days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def _library_workday(day: dt.date) -> bool | None:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


@dataclass
class WorkCalendar:
    """The working days between two dates, with the company's exceptions read once."""

    start: dt.date
    end: dt.date
    overrides: dict[dt.date, bool] = field(default_factory=dict)
    unknown_years: set[int] = field(default_factory=set)
    _cache: dict[dt.date, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, start: dt.date, end: dt.date) -> WorkCalendar:
        from telesales.targets.models import CalendarDay

        overrides = dict(
            CalendarDay.objects.filter(date__gte=start, date__lte=end).values_list(
                "date", "working"
            )
        )
        return cls(start, end, overrides)

    def is_workday(self, day: dt.date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        if day in self.overrides:
            result = self.overrides[day]
        else:
            known = _library_workday(day)
            if known is None:
                self.unknown_years.add(day.year)
                known = day.weekday() < 5
            result = known
        self._cache[day] = result
        return result

    def workdays(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return [day for day in days(start, end) if self.is_workday(day)]

    def count(self, start: dt.date, end: dt.date) -> int:
        return sum(1 for day in days(start, end) if self.is_workday(day))
