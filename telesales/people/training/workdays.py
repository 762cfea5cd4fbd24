"""Working days on the China calendar (public holidays and make-up working days), for the
onboarding days of a new hire and the dates of recurring sessions."""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def is_workday(day: dt.date) -> bool:
    """By the chinese_calendar library; for years it does not know yet, Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def workday_on_or_after(day: dt.date) -> dt.date:
    while not is_workday(day):
        day += dt.timedelta(days=1)
    return day


def nth_workday(start: dt.date, n: int) -> dt.date:
    """The n-th working day counted from `start` (n = 1: the first working day on or after
    `start`)."""
    day = workday_on_or_after(start)
    for _i in range(n - 1):
        day = workday_on_or_after(day + dt.timedelta(days=1))
    return day
