"""The due schedule of work reports: ISO weeks and months, due times from the settings, and
who owes which report by the supervisors' history (hire, leave, role, team)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from telesales.core.config import setting_set
from telesales.org.models import Role
from telesales.org.services import (
    employee_leave,
    employee_promote,
    employee_transfer,
    team_ensure,
    team_set_supervisor,
)
from telesales.people.workreports.schedule import (
    DueRule,
    Leadership,
    due_at,
    due_rule_current,
    period_containing,
    period_for,
    periods_due_between,
    reports_due,
    time_parse,
)
from tests.conftest import _person

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _codes(items) -> list[tuple[str, str]]:
    return [(item.author.employee_no, item.period.code) for item in items]


# --- periods and due times --------------------------------------------------------------------


def test_weeks_are_iso_weeks_and_months_calendar_months():
    # when
    week = period_containing("weekly", D(2026, 3, 11))
    month = period_containing("monthly", D(2026, 2, 14))
    year_end = period_containing("weekly", D(2027, 1, 1))
    # then
    assert (week.start, week.end, week.code) == (D(2026, 3, 9), D(2026, 3, 15), "2026-W11")
    assert (month.start, month.end, month.code) == (D(2026, 2, 1), D(2026, 2, 28), "2026-02")
    assert (year_end.start, year_end.end, year_end.code) == (
        D(2026, 12, 28),
        D(2027, 1, 3),
        "2026-W53",
    )


def test_a_period_starts_on_a_monday_or_the_first():
    assert period_for("weekly", D(2026, 3, 10)) is None
    assert period_for("monthly", D(2026, 3, 2)) is None
    assert period_for("yearly", D(2026, 1, 1)) is None
    assert period_for("monthly", D(2026, 3, 1)).end == D(2026, 3, 31)


def test_default_due_times_are_monday_10_00_and_the_3rd_18_00(db):
    # given
    rule = due_rule_current()
    # when
    weekly = due_at(period_containing("weekly", D(2026, 3, 11)), rule)
    monthly = due_at(period_containing("monthly", D(2026, 3, 11)), rule)
    # then
    assert rule == DueRule(1, dt.time(10), 3, dt.time(18))
    assert weekly == _at("2026-03-16T10:00")
    assert monthly == _at("2026-04-03T18:00")


def test_due_times_follow_the_settings(db):
    # given: weekly reports due on the Friday after the week at 17:30, monthly on the 10th 09:00
    setting_set(actor=None, key="workreports.weekly_due_weekday", value=5)
    setting_set(actor=None, key="workreports.weekly_due_time", value="17:30")
    setting_set(actor=None, key="workreports.monthly_due_day", value=10)
    setting_set(actor=None, key="workreports.monthly_due_time", value="09:00")
    rule = due_rule_current()
    # when
    weekly = due_at(period_containing("weekly", D(2026, 3, 2)), rule)
    monthly = due_at(period_containing("monthly", D(2026, 2, 1)), rule)
    sunday = due_at(period_containing("weekly", D(2026, 3, 2)), DueRule(weekly_weekday=7))
    # then
    assert weekly == _at("2026-03-13T17:30")
    assert monthly == _at("2026-03-10T09:00")
    assert sunday == _at("2026-03-15T10:00")


def test_time_of_day_parsing():
    assert time_parse("9:05") == dt.time(9, 5)
    assert time_parse(" 18:00 ") == dt.time(18)
    for bad in ("24:00", "10", "10:60", "ten", ""):
        with pytest.raises(ValueError):
            time_parse(bad)


def test_periods_due_in_march_2026():
    # when: reports due on a local date in March 2026 (1 March is a Sunday)
    periods = periods_due_between(D(2026, 3, 1), D(2026, 3, 31), DueRule())
    # then
    assert [p.code for p in periods] == [
        "2026-W09",  # 23 Feb – 1 Mar, due Mon 2 Mar
        "2026-02",  # due 3 Mar
        "2026-W10",
        "2026-W11",
        "2026-W12",
        "2026-W13",  # 23–29 Mar, due Mon 30 Mar
    ]


# --- who owes what ----------------------------------------------------------------------------


def test_supervisors_owe_reps_and_others_do_not(org):
    # when
    items = reports_due(first=D(2026, 3, 1), last=D(2026, 3, 10))
    # then: S1 and S2 each owe W09, February and W10; M1, H1, reps owe nothing
    assert _codes(items) == [
        ("S1", "2026-W09"),
        ("S2", "2026-W09"),
        ("S1", "2026-02"),
        ("S2", "2026-02"),
        ("S1", "2026-W10"),
        ("S2", "2026-W10"),
    ]
    assert [item.due_at for item in items[:3:2]] == [
        _at("2026-03-02T10:00"),
        _at("2026-03-03T18:00"),
    ]
    assert {item.report for item in items} == {None}


def test_a_supervisor_who_started_mid_period_owes_from_the_period_they_lead_at_its_end(org):
    # given: S3 starts on Wednesday 11 March 2026, leading the new team T3
    t3 = team_ensure(actor=None, code="T3", department=org.sales, name="三组")
    s3 = _person("S3", "孙主管", Role.SUPERVISOR, team=t3, manager=org.manager, hire=D(2026, 3, 11))
    team_set_supervisor(actor=None, team=t3, supervisor=s3)
    # when
    items = reports_due(first=D(2026, 3, 1), last=D(2026, 4, 7), author_ids=[s3.pk])
    # then: not W09, February or W10 (ended before the start); W11 (ends Sun 15 March) on
    assert _codes(items) == [
        ("S3", "2026-W11"),
        ("S3", "2026-W12"),
        ("S3", "2026-W13"),
        ("S3", "2026-03"),
        ("S3", "2026-W14"),
    ]
    assert items[3].due_at == _at("2026-04-03T18:00")
    assert items[0].team_ids == frozenset({t3.pk})


def test_a_leaver_owes_the_periods_that_ended_before_leaving(org):
    # given: S2 leaves on Wednesday 18 March 2026
    employee_leave(actor=None, employee=org.s2, date=D(2026, 3, 18), voluntary=True)
    # when
    items = reports_due(first=D(2026, 3, 1), last=D(2026, 4, 30), author_ids=[org.s2.pk])
    # then
    assert [item.period.code for item in items] == ["2026-W09", "2026-02", "2026-W10", "2026-W11"]


def test_a_promoted_rep_owes_from_the_promotion_and_their_team_by_its_history(org):
    # given: R3 (T2) becomes a supervisor on 18 March and leads T2
    employee_promote(actor=None, employee=org.r3, date=D(2026, 3, 18), role=Role.SUPERVISOR)
    # when
    items = reports_due(first=D(2026, 3, 1), last=D(2026, 3, 31), author_ids=[org.r3.pk])
    team_t2 = reports_due(first=D(2026, 3, 1), last=D(2026, 3, 31), team_ids=[org.t2.pk])
    # then: W12 (ends 22 March) is the first; the team counts S2's and R3's
    assert [item.period.code for item in items] == ["2026-W12", "2026-W13"]
    assert [(no, code) for no, code in _codes(team_t2) if code in {"2026-W11", "2026-W12"}] == [
        ("S2", "2026-W11"),
        ("R3", "2026-W12"),
        ("S2", "2026-W12"),
    ]


def test_a_supervisor_moved_to_another_team_counts_for_each_team_by_date(org):
    # given: S1 moves from T1 to T2 on Monday 16 March; T1 still names S1 its supervisor
    employee_transfer(actor=None, employee=org.s1, team=org.t2, date=D(2026, 3, 16))
    # when
    leadership = Leadership([org.s1.pk])
    t1 = reports_due(first=D(2026, 3, 1), last=D(2026, 3, 31), team_ids=[org.t1.pk])
    # then
    assert leadership.teams_led_on(org.s1.pk, D(2026, 3, 15)) == {org.t1.pk}
    assert leadership.teams_led_on(org.s1.pk, D(2026, 3, 22)) == {org.t2.pk, org.t1.pk}
    assert [code for no, code in _codes(t1) if no == "S1"][:4] == [
        "2026-W09",
        "2026-02",
        "2026-W10",
        "2026-W11",
    ]


def test_a_supervisor_without_team_history_leads_the_teams_naming_them(org):
    # given: a supervisor hired without a team, then named supervisor of T3
    t3 = team_ensure(actor=None, code="T3", department=org.sales, name="三组")
    s3 = _person("S3", "孙主管", Role.SUPERVISOR, manager=org.manager, hire=D(2026, 1, 5))
    team_set_supervisor(actor=None, team=t3, supervisor=s3)
    # when
    led = Leadership([s3.pk]).teams_led_on(s3.pk, D(2026, 3, 1))
    # then
    assert led == {t3.pk}


def test_the_settings_page_fields_refuse_bad_due_times(db):
    # given
    from django.core.exceptions import ValidationError

    from telesales.core.config import setting_definitions

    fields = {d.key: d.field() for d in setting_definitions() if d.key.startswith("workreports.")}
    # then
    assert fields["workreports.weekly_due_weekday"].clean("5") == 5
    assert fields["workreports.weekly_due_time"].clean("9:30") == "9:30"
    for key, bad in (
        ("workreports.weekly_due_weekday", "8"),
        ("workreports.weekly_due_time", "25:00"),
        ("workreports.monthly_due_day", "29"),
        ("workreports.monthly_due_time", "noon"),
    ):
        with pytest.raises(ValidationError):
            fields[key].clean(bad)
