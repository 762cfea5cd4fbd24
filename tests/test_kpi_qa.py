"""qa_score_avg and qa_pass_rate (PRODUCT.md §5) on hand-computed examples: submitted regular
reviews only, by the review's local date, an instant fail counting as 0 and not passed, a
team by each rep's team and role on the call's date, and not applicable without reviews."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.kpi.qa import qa_kpis, qa_pass_rate, qa_score_avg
from telesales.kpi.registry import DEFINITIONS, kpis_compute
from telesales.kpi.values import KpiValue
from telesales.org.models import Role
from telesales.org.scopes import scope_for_employee, scope_for_teams
from telesales.org.services import employee_promote, employee_transfer
from telesales.qa.services import review_save
from tests.test_qa_support import default_version, make_calls, mapped, marks

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MARCH = period_parse("2026-03")
S87 = {"开场白规范": 9, "需求挖掘": 16, "产品介绍准确": 18, "异议处理": 14}  # 87
S70 = {"需求挖掘": 10, "产品介绍准确": 10, "异议处理": 10}  # 70
S90 = {"需求挖掘": 10}  # 90
S60 = {"需求挖掘": 0, "产品介绍准确": 10, "异议处理": 10}  # 60
S50 = {"需求挖掘": 0, "产品介绍准确": 0, "异议处理": 10}  # 50


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def _review(user, call, awarded, at, *, triggered=(), submit=True, calibrates=None):
    version = default_version()
    return review_save(
        actor=user,
        call=call,
        version=version,
        marks=marks(version, awarded, triggered),
        submit=submit,
        calibrates=calibrates,
        at=_at(at),
    )


@pytest.fixture
def reviews(org):
    """R3 moves from T2 to T1 on 16 March; R2 becomes a supervisor on 20 March."""
    mapped(org)
    employee_transfer(actor=None, employee=org.r3, team=org.t1, date=dt.date(2026, 3, 16))
    employee_promote(actor=None, employee=org.r2, date=dt.date(2026, 3, 20), role=Role.SUPERVISOR)
    r1a, r1b, r1c, r1d, r1e, r1f, r2a, r2b, r3a, r3b = make_calls(
        [
            ("R1", "2026-03-02 10:00:00", 100),
            ("R1", "2026-03-09 10:00:00", 100),
            ("R1", "2026-03-30 10:00:00", 100),
            ("R1", "2026-03-31 10:00:00", 100),
            ("R1", "2026-03-12 10:00:00", 100),
            ("R1", "2026-02-27 10:00:00", 100),
            ("R2", "2026-03-05 10:00:00", 100),
            ("R2", "2026-03-25 10:00:00", 100),
            ("R3", "2026-03-10 10:00:00", 100),
            ("R3", "2026-03-17 10:00:00", 100),
        ]
    )
    admin = org.admin.user
    # R1 in March: 87 (passed), an instant fail (0), 70 (failed, reviewed 23:30 on the 31st)
    first = _review(org.s1.user, r1a, S87, "2026-03-04 09:00")
    _review(org.s1.user, r1b, {}, "2026-03-10 09:00", triggered={"辱骂或不尊重客户"})
    _review(org.s1.user, r1c, S70, "2026-03-31 23:30")
    # not in March: reviewed 00:10 on 1 April (still 31 March in UTC); a February call
    # reviewed in February; not counted anywhere: a calibration and a draft
    _review(org.s1.user, r1d, S50, "2026-04-01 00:10")
    _review(org.s1.user, r1f, S50, "2026-02-28 12:00")
    _review(org.manager.user, r1a, S50, "2026-03-05 09:00", calibrates=first)
    _review(org.s1.user, r1e, S50, "2026-03-13 09:00", submit=False)
    # R2: 90 as a rep; 50 on a call made after the promotion
    _review(admin, r2a, S90, "2026-03-06 09:00")
    _review(admin, r2b, S50, "2026-03-26 09:00")
    # R3: 60 on a call made in T2 (reviewed after the move), 100 on a call made in T1
    _review(admin, r3a, S60, "2026-03-20 09:00")
    _review(admin, r3b, {}, "2026-03-18 09:00")
    return org


def test_a_reps_mean_score_counts_an_instant_fail_as_0(reviews):
    # when: (87 + 0 + 70) / 3
    value = qa_score_avg(scope_for_employee(reviews.r1), MARCH)
    # then
    assert value == KpiValue(Decimal("157.00") / 3, Decimal("157.00"), 3)
    assert round(value.value, 4) == Decimal("52.3333")


def test_a_reps_pass_rate_counts_an_instant_fail_as_failed(reviews):
    assert qa_pass_rate(scope_for_employee(reviews.r1), MARCH) == KpiValue(Decimal(1) / 3, 1, 3)


def test_a_reps_kpis_count_every_review_of_their_calls_whatever_their_role(reviews):
    # R2: 90 and 50 (after the promotion the calls are still R2's)
    assert qa_kpis(scope_for_employee(reviews.r2), MARCH) == {
        "qa_score_avg": KpiValue(Decimal(70), Decimal("140.00"), 2),
        "qa_pass_rate": KpiValue(Decimal("0.5"), 1, 2),
    }


def test_a_team_counts_its_reps_by_their_team_and_role_on_the_calls_date(reviews):
    # T1: R1 87, 0, 70; R2 90 (as a rep); R3 100 (called in T1) → 347 / 5, 3 passed
    assert qa_kpis(scope_for_teams([reviews.t1]), MARCH) == {
        "qa_score_avg": KpiValue(Decimal("347.00") / 5, Decimal("347.00"), 5),
        "qa_pass_rate": KpiValue(Decimal("0.6"), 3, 5),
    }
    # T2: R3's call made before the move, 60
    assert qa_kpis(scope_for_teams([reviews.t2]), MARCH) == {
        "qa_score_avg": KpiValue(Decimal(60), Decimal("60.00"), 1),
        "qa_pass_rate": KpiValue(Decimal(0), 0, 1),
    }


def test_the_review_date_is_the_local_date(reviews):
    # the review at 00:10 on 1 April (Shanghai) is April's
    april = qa_kpis(scope_for_employee(reviews.r1), period_parse("2026-04"))
    assert april["qa_score_avg"] == KpiValue(Decimal(50), Decimal("50.00"), 1)
    february = qa_kpis(scope_for_employee(reviews.r1), period_parse("2026-02"))
    assert february["qa_pass_rate"] == KpiValue(Decimal(0), 0, 1)


def test_without_reviews_both_kpis_are_not_applicable(reviews):
    # when
    may = qa_kpis(scope_for_employee(reviews.r1), period_parse("2026-05"))
    nobody = qa_kpis(scope_for_employee(reviews.staff), MARCH)
    # then
    assert (
        may
        == nobody
        == {
            "qa_score_avg": KpiValue(None, 0, 0),
            "qa_pass_rate": KpiValue(None, 0, 0),
        }
    )
    assert not may["qa_score_avg"].applicable


def test_the_kpis_are_in_the_registry_and_the_command(reviews):
    # when
    values = kpis_compute(scope_for_employee(reviews.r1), MARCH, groups={"qa"})
    out = io.StringIO()
    call_command("kpi", "--period", "2026-03", "--scope", "R1", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    # then
    assert set(values) == {"qa_score_avg", "qa_pass_rate"}
    assert (DEFINITIONS["qa_score_avg"].unit, DEFINITIONS["qa_pass_rate"].unit) == ("score", "rate")
    assert payload["kpis"]["qa_score_avg"] == {
        "value": float(Decimal("157.00") / 3),
        "numerator": 157,
        "denominator": 3,
    }
    assert payload["kpis"]["qa_pass_rate"]["numerator"] == 1
