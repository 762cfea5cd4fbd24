"""report_timeliness (PRODUCT.md §5) on hand-computed examples: missing, late, returned and
submitted again, not yet due, for a supervisor, for a team by who led it at each period's
end, and not applicable for a rep; and in `telesales kpi`."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.kpi.registry import kpis_compute
from telesales.kpi.values import KpiValue
from telesales.kpi.workreports import report_timeliness
from telesales.org.models import Role
from telesales.org.scopes import scope_for_employee, scope_for_teams
from telesales.org.services import employee_leave, employee_promote, team_set_supervisor
from telesales.people.workreports.services import report_save, report_transition

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MARCH = period_parse("2026-03")
AFTER = dt.datetime(2026, 4, 15, tzinfo=SHANGHAI)
FULL = {"summary": "业绩", "problems": "问题", "actions": "措施", "plan": "计划"}


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _write(author, kind, start, at, *, submit=True):
    return report_save(
        actor=author.user,
        author=author,
        kind=kind,
        period_start=dt.date.fromisoformat(start),
        sections=FULL,
        submit=submit,
        at=_at(at),
    )


@pytest.fixture
def march(org):
    """Reports due in March 2026 (1 March is a Sunday): W09 (due Mon 2 Mar 10:00), February
    (due 3 Mar 18:00), W10 (9 Mar), W11 (16 Mar), W12 (23 Mar), W13 (30 Mar).

    S1: W09 on time; February late; W10 never written; W11 a draft only; W12 on time,
    returned and submitted again after its due time; W13 submitted exactly at its due time.
    S2 (T2) writes W09 and February on time and W10 late, never W11, and leaves on 18 March;
    R3 is promoted to supervisor of T2 on 18 March and writes W12 on time, never W13.
    """
    _write(org.s1, "weekly", "2026-02-23", "2026-03-01T20:00")
    _write(org.s1, "monthly", "2026-02-01", "2026-03-04T09:00")
    _write(org.s1, "weekly", "2026-03-09", "2026-03-14T11:00", submit=False)
    w12 = _write(org.s1, "weekly", "2026-03-16", "2026-03-22T17:00")
    report_transition(
        actor=org.manager.user,
        report=w12,
        to_status="returned",
        reason="请补充数据",
        at=_at("2026-03-24T09:00"),
    )
    report_transition(
        actor=org.s1.user, report=w12, to_status="submitted", at=_at("2026-03-25T09:00")
    )
    _write(org.s1, "weekly", "2026-03-23", "2026-03-30T10:00")
    # T2
    _write(org.s2, "weekly", "2026-02-23", "2026-03-02T09:00")
    _write(org.s2, "monthly", "2026-02-01", "2026-03-03T18:00")
    _write(org.s2, "weekly", "2026-03-02", "2026-03-09T10:01")
    employee_leave(actor=None, employee=org.s2, date=dt.date(2026, 3, 18), voluntary=True)
    employee_promote(actor=None, employee=org.r3, date=dt.date(2026, 3, 18), role=Role.SUPERVISOR)
    team_set_supervisor(actor=None, team=org.t2, supervisor=org.r3)
    _write(org.r3, "weekly", "2026-03-16", "2026-03-22T12:00")
    return org


def test_a_supervisors_timeliness_counts_missing_late_and_returned_reports(march):
    # when
    value = report_timeliness(scope_for_employee(march.s1), MARCH, now=AFTER)
    # then: on time W09, W12 (first submission kept), W13 (at the due time) of 6 due
    assert value == KpiValue(Decimal(3) / Decimal(6), 3, 6)


def test_a_report_not_yet_due_is_not_counted(march):
    # when: on Monday 23 March at noon, W12 is due (10:00) and W13 (30 March) is not
    value = report_timeliness(scope_for_employee(march.s1), MARCH, now=_at("2026-03-23T12:00"))
    before_ten = report_timeliness(scope_for_employee(march.s1), MARCH, now=_at("2026-03-23T09:59"))
    # then: W09, W12 on time of W09, February, W10, W11, W12
    assert value == KpiValue(Decimal(2) / Decimal(5), 2, 5)
    assert before_ten == KpiValue(Decimal(1) / Decimal(4), 1, 4)


def test_a_team_counts_the_reports_of_whoever_led_it_at_each_periods_end(march):
    # when
    t1 = report_timeliness(scope_for_teams([march.t1]), MARCH, now=AFTER)
    t2 = report_timeliness(scope_for_teams([march.t2]), MARCH, now=AFTER)
    both = report_timeliness(scope_for_teams([march.t1, march.t2]), MARCH, now=AFTER)
    # then: T2 — S2's W09, February (on time), W10 (late), W11 (missing); R3's W12 (on
    # time), W13 (missing): 3 of 6
    assert t1 == KpiValue(Decimal(3) / Decimal(6), 3, 6)
    assert t2 == KpiValue(Decimal(3) / Decimal(6), 3, 6)
    assert both == KpiValue(Decimal(6) / Decimal(12), 6, 12)


def test_a_leaver_and_a_promoted_rep_count_their_own_periods(march):
    s2 = report_timeliness(scope_for_employee(march.s2), MARCH, now=AFTER)
    r3 = report_timeliness(scope_for_employee(march.r3), MARCH, now=AFTER)
    assert s2 == KpiValue(Decimal(2) / Decimal(4), 2, 4)
    assert r3 == KpiValue(Decimal(1) / Decimal(2), 1, 2)


def test_a_rep_owes_no_report_not_applicable(march):
    # when
    value = report_timeliness(scope_for_employee(march.r1), MARCH, now=AFTER)
    manager = report_timeliness(scope_for_employee(march.manager), MARCH, now=AFTER)
    # then
    assert value == KpiValue(None, 0, 0)
    assert not value.applicable
    assert manager == KpiValue(None, 0, 0)


def test_a_period_before_anyone_led_is_not_applicable(org):
    value = report_timeliness(scope_for_teams([org.t1]), period_parse("2024-06"), now=AFTER)
    assert value == KpiValue(None, 0, 0)


def test_a_quarter_adds_up_its_months(march):
    # when: 2026-Q1 as of 15 April: January and February's reports were never written
    quarter = report_timeliness(scope_for_employee(march.s1), period_parse("2026-Q1"), now=AFTER)
    # then: due Jan–Mar: W01 (5 Jan) … W13 (30 Mar) = 13 weekly, December … February = 3
    # monthly; on time: W09, W12, W13
    assert quarter == KpiValue(Decimal(3) / Decimal(16), 3, 16)


def test_registered_and_shown_by_the_kpi_command(march):
    # when
    values = kpis_compute(scope_for_employee(march.s1), MARCH, groups={"workreports"})
    out = io.StringIO()
    call_command("kpi", period="2026-03", scope="S1", json=True, stdout=out)
    # then (the command runs now, long after March)
    assert values["report_timeliness"] == KpiValue(Decimal("0.5"), 3, 6)
    shown = json.loads(out.getvalue())["kpis"]["report_timeliness"]
    assert shown == {"value": 0.5, "numerator": 3, "denominator": 6}
