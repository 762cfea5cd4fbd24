"""Timestamps as phone systems write them (PRODUCT.md §4: times stored in UTC, the export's
time zone an option, default Asia/Shanghai; a call's period is its company-local date)."""

from __future__ import annotations

import datetime as dt

import pytest

from telesales.calls.timeparse import Clock, TimeError, guess_date_order, loose_datetime

JULY_1_9AM_SHANGHAI_IN_UTC = dt.datetime(2026, 7, 1, 1, 0, 0)


@pytest.mark.parametrize(
    "text",
    [
        "2026-07-01 09:00:00",
        "2026-07-01T09:00:00",
        "2026/7/1 9:00",
        "2026/07/01 09:00:00",
        "2026.7.1 9:00",
        "2026-7-1 9:00",
        "2026-07-01T09:00:00+08:00",
        "2026-07-01T01:00:00Z",
        "2026-07-01 10:00:00+09:00",
        "1782867600",  # Unix epoch seconds are absolute, whatever the file's zone
    ],
)
def test_every_accepted_form_gives_the_same_utc_time(text):
    # given
    clock = Clock("Asia/Shanghai", "Asia/Shanghai")
    # when
    value = clock.parse(text)
    # then
    assert value == JULY_1_9AM_SHANGHAI_IN_UTC
    assert value.tzinfo is None


def test_fractions_of_a_second_are_kept():
    clock = Clock("Asia/Shanghai", "Asia/Shanghai")
    assert clock.parse("2026-07-01 09:00:00.250") == dt.datetime(2026, 7, 1, 1, 0, 0, 250000)


@pytest.mark.parametrize(
    ("order", "expected"),
    [("dmy", dt.datetime(2026, 7, 1, 1)), ("mdy", dt.datetime(2026, 1, 7, 1))],
)
def test_year_last_dates_follow_the_date_order(order, expected):
    # given
    clock = Clock("Asia/Shanghai", "Asia/Shanghai", date_order=order)
    # when / then
    assert clock.parse("1/7/2026 9:00:00") == expected
    assert clock.parse("01/07/2026 09:00") == expected


def test_year_first_dates_ignore_the_date_order():
    clock = Clock("Asia/Shanghai", "Asia/Shanghai", date_order="mdy")
    assert clock.parse("2026/7/1 9:00") == JULY_1_9AM_SHANGHAI_IN_UTC


@pytest.mark.parametrize(
    ("zone", "text", "expected"),
    [
        ("UTC", "2026-07-31 23:30:00", dt.datetime(2026, 7, 31, 23, 30)),
        ("America/New_York", "2026-07-01 09:00:00", dt.datetime(2026, 7, 1, 13, 0)),  # EDT
        ("America/New_York", "2026-01-15 09:00:00", dt.datetime(2026, 1, 15, 14, 0)),  # EST
        ("Asia/Shanghai", "2026-07-31 23:30:00", dt.datetime(2026, 7, 31, 15, 30)),
        ("Asia/Kolkata", "2026-07-01 09:00:00", dt.datetime(2026, 7, 1, 3, 30)),
    ],
)
def test_a_naive_time_is_in_the_files_zone(zone, text, expected):
    clock = Clock(zone, "Asia/Shanghai")
    assert clock.parse(text) == expected


@pytest.mark.parametrize(
    ("utc", "local"),
    [
        (dt.datetime(2026, 7, 31, 15, 30), dt.date(2026, 7, 31)),
        (dt.datetime(2026, 7, 31, 15, 59, 59), dt.date(2026, 7, 31)),
        (dt.datetime(2026, 7, 31, 16, 0), dt.date(2026, 8, 1)),
        (dt.datetime(2026, 12, 31, 16, 0), dt.date(2027, 1, 1)),
    ],
)
def test_the_local_date_is_the_company_zones_date(utc, local):
    clock = Clock("UTC", "Asia/Shanghai")
    assert clock.local_date(utc) == local


def test_the_local_date_follows_summer_time_in_a_company_zone_that_has_it():
    clock = Clock("UTC", "America/New_York")
    assert clock.local_date(dt.datetime(2026, 7, 2, 3, 59)) == dt.date(2026, 7, 1)
    assert clock.local_date(dt.datetime(2026, 7, 2, 4, 0)) == dt.date(2026, 7, 2)
    assert clock.local_date(dt.datetime(2026, 1, 2, 4, 59)) == dt.date(2026, 1, 1)


def test_an_empty_cell_is_no_time():
    assert Clock("Asia/Shanghai", "Asia/Shanghai").parse("") is None


@pytest.mark.parametrize(
    "text",
    [
        "garbage",
        "2026-13-01 09:00:00",
        "2026-02-30 09:00:00",
        "2026-07-01 25:00:00",
        "31/31/2026 9:00",
        "1/7/26 9:00",
        "yesterday 9:00",
    ],
)
def test_what_is_not_a_time_raises_time_error(text):
    with pytest.raises(TimeError):
        Clock("Asia/Shanghai", "Asia/Shanghai").parse(text)


def test_loose_datetime_reads_day_or_month_first_by_the_order():
    assert loose_datetime("13/7/2026 9:05:07", "dmy") == dt.datetime(2026, 7, 13, 9, 5, 7)
    assert loose_datetime("7/13/2026 9:05", "mdy") == dt.datetime(2026, 7, 13, 9, 5)
    with pytest.raises(TimeError):
        loose_datetime("7/13/2026 9:05", "dmy")


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (["1/7/2026 9:00", "13/7/2026 9:00"], "dmy"),
        (["7/1/2026 9:00", "7/13/2026 9:00"], "mdy"),
        (["1/7/2026 9:00", "2/7/2026 9:00"], None),
        (["2026-07-13 09:00:00", "2026/7/13 9:00"], None),
        (["", "garbage"], None),
    ],
)
def test_the_date_order_is_guessed_only_when_a_part_above_12_proves_it(samples, expected):
    assert guess_date_order(samples) == expected
