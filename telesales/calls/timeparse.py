"""Timestamps as phone systems write them, turned into UTC quickly.

Accepted: ISO (`2026-07-01 09:00:00`, with `T`, fractions or an offset), slashes or dots
with the year first (`2026/7/1 9:00`), with the year last (`1/7/2026 9:00:00`, day or
month first by the date order), and Unix epoch seconds. A naive time is in the file's
time zone.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

UTC = dt.UTC
_LOOSE = re.compile(
    r"^\s*(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6}))?)?)?\s*$"
)
DATE_ORDERS = ("auto", "ymd", "dmy", "mdy")
# ":MM:SS", every valid one: a set lookup checks the minutes and seconds of a time.
_ISO_HOUR = re.compile(r"\d{4}-\d\d-\d\d[ T][0-2]\d")
_MINUTES_SECONDS = frozenset(f":{m:02d}:{s:02d}" for m in range(60) for s in range(60))


class TimeError(ValueError):
    pass


def guess_date_order(samples: list[str]) -> str | None:
    """dmy or mdy when a year-last sample proves it (a part above 12), else None."""
    for text in samples:
        match = _LOOSE.match(text or "")
        if not match or len(match.group(1)) == 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 >= second:
            return "dmy"
        if second > 12 >= first:
            return "mdy"
    return None


def loose_datetime(text: str, date_order: str) -> dt.datetime:
    """The slow path: anything fromisoformat does not take. Raises TimeError."""
    text = text.strip()
    if text.isdigit() and 9 <= len(text) <= 10:
        return dt.datetime.fromtimestamp(int(text), UTC)
    match = _LOOSE.match(text)
    if not match:
        raise TimeError(text)
    a, b, c, hour, minute, second, fraction = match.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif len(c) == 4:
        if date_order == "mdy":
            month, day = int(a), int(b)
        else:
            day, month = int(a), int(b)
        year = int(c)
    else:
        raise TimeError(text)
    micro = int((fraction or "0").ljust(6, "0")) if fraction else 0
    try:
        return dt.datetime(
            year, month, day, int(hour or 0), int(minute or 0), int(second or 0), micro
        )
    except ValueError as exc:
        raise TimeError(text) from exc


class Clock:
    """Converts the file's local times to UTC and to the company's local date."""

    def __init__(self, file_zone: str, company_zone: str, date_order: str = "dmy"):
        self.file_zone = zoneinfo.ZoneInfo(file_zone)
        self.company_zone = zoneinfo.ZoneInfo(company_zone)
        self.date_order = date_order
        self.fixed_offset = _fixed_offset(self.file_zone)
        self.same_zone = file_zone == company_zone and self.fixed_offset is not None
        self.company_fixed = _fixed_offset(self.company_zone)
        # Whole-hour zones (all of China's, and most): a time's UTC hour and local date
        # depend only on its date and hour, so they are worked out once an hour of data.
        self.by_hour = _whole_hours(self.file_zone) and _whole_hours(self.company_zone)
        self._hours: dict[str, tuple[str, str]] = {}

    def utc_text(self, text: str) -> tuple[str, str] | None:
        """(UTC time as 'YYYY-MM-DD HH:MM:SS', company-local date as 'YYYY-MM-DD'), the
        text forms the database stores; None for an empty cell. Raises TimeError."""
        if not text:
            return None
        if self.by_hour and len(text) == 19 and (rest := text[13:]) in _MINUTES_SECONDS:
            hour = self._hours.get(text[:13])
            if hour is None and _ISO_HOUR.fullmatch(text[:13]):
                # The date and hour, checked once: 2026-02-30 or hour 25 is refused here.
                value = self.parse(text[:13] + ":00:00")
                hour = self._hours[text[:13]] = (str(value)[:13], str(self.local_date(value)))
            if hour is not None:
                return hour[0] + rest, hour[1]
        value = self.parse(text.strip())
        return str(value), str(self.local_date(value))

    def parse(self, text: str) -> dt.datetime | None:
        """Naive UTC datetime, or None for an empty cell. Raises TimeError."""
        if not text:
            return None
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            value = loose_datetime(text, self.date_order)
        if value.tzinfo is not None:
            return value.astimezone(UTC).replace(tzinfo=None)
        if self.fixed_offset is not None:
            return value - self.fixed_offset
        return value.replace(tzinfo=self.file_zone).astimezone(UTC).replace(tzinfo=None)

    def local_date(self, utc_naive: dt.datetime) -> dt.date:
        if self.company_fixed is not None:
            return (utc_naive + self.company_fixed).date()
        return utc_naive.replace(tzinfo=UTC).astimezone(self.company_zone).date()


def _whole_hours(zone: zoneinfo.ZoneInfo) -> bool:
    return all(
        dt.datetime(year, month, 1, 12, tzinfo=zone).utcoffset() % dt.timedelta(hours=1)
        == dt.timedelta(0)
        for year in range(2000, 2041, 5)
        for month in (1, 4, 7, 10)
    )


def _fixed_offset(zone: zoneinfo.ZoneInfo) -> dt.timedelta | None:
    """The zone's offset when it has been the same since 2000 (no summer time), else None."""
    offsets = {
        dt.datetime(year, month, 1, 12, tzinfo=zone).utcoffset()
        for year in range(2000, 2041, 5)
        for month in (1, 4, 7, 10)
    }
    return offsets.pop() if len(offsets) == 1 else None
