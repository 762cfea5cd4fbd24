"""Decomposition, phasing and re-splits of targets (issue 5), on hand-computed examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from telesales.org.models import Role
from telesales.org.services import absence_record, employee_hire, employee_leave
from telesales.targets.arithmetic import SplitError, split_exact
from telesales.targets.decomposition import changes_since_split, split_compute
from telesales.targets.models import CalendarDay, Method, Metric, Target
from telesales.targets.phasing import PlanBook
from telesales.targets.services import calendar_day_set, split_apply, target_set
from telesales.targets.workdays import WorkCalendar

Q3 = "2026-Q3"  # 23 + 21 + 22 = 66 working days on the China calendar


def _team_target(org, value, metric=Metric.SALES_AMOUNT, period=Q3, team=None):
    target, _outcome = target_set(
        actor=None, metric=metric, period=period, value=D(value), team=team or org.t1
    )
    return target


def _values(plan):
    return {s.code: s.value for s in plan.shares}


# -- exact arithmetic --------------------------------------------------------------------------


def test_split_exact_gives_the_remainder_cents_to_the_largest_remainders():
    # given 100.00 in three equal parts: 33.333… each, one cent left over
    # then the first part gets it, and the parts add up exactly
    assert split_exact(D("100.00"), [1, 1, 1]) == [D("33.34"), D("33.33"), D("33.33")]


def test_split_exact_with_awkward_amounts_always_adds_up():
    total = D("1234567.89")
    weights = [D("3.7"), D("0.4"), D("11.9"), D("2.2"), D("5.1"), D("0.7"), D("19")]
    parts = split_exact(total, weights)
    assert sum(parts) == total
    assert all(p == p.quantize(D("0.01")) for p in parts)
    # each part is within one cent of its exact share
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part - total * weight / whole) < D("0.01")


def test_split_exact_refuses_nothing_to_split_by(english):
    with pytest.raises(SplitError, match="Every share is zero"):
        split_exact(D("10"), [0, 0])
    with pytest.raises(SplitError, match="nobody"):
        split_exact(D("10"), [])


def test_split_exact_in_whole_units_for_counts():
    assert split_exact(D("10"), [1, 1, 1], D("1")) == [D("4"), D("3"), D("3")]


# -- the calendar ------------------------------------------------------------------------------


def test_national_day_and_its_make_up_working_days(db):
    calendar = WorkCalendar.load(dt.date(2026, 9, 1), dt.date(2026, 10, 31))
    # 1–7 October are the holiday; Sunday 20 September and Saturday 10 October are worked
    assert not any(calendar.is_workday(dt.date(2026, 10, d)) for d in range(1, 8))
    assert calendar.is_workday(dt.date(2026, 9, 20))
    assert calendar.is_workday(dt.date(2026, 10, 10))
    assert not calendar.is_workday(dt.date(2026, 10, 11))
    assert calendar.count(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == 18
    assert calendar.count(dt.date(2026, 9, 1), dt.date(2026, 9, 30)) == 22


def test_company_days_off_and_extra_working_days(db):
    # given the company closes on Friday 16 October and works Saturday 17 October
    calendar_day_set(actor=None, date=dt.date(2026, 10, 16), working=False, note="团建")
    calendar_day_set(actor=None, date=dt.date(2026, 10, 17), working=True)
    calendar = WorkCalendar.load(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert not calendar.is_workday(dt.date(2026, 10, 16))
    assert calendar.is_workday(dt.date(2026, 10, 17))
    # going back to the China calendar removes the exception
    calendar_day_set(actor=None, date=dt.date(2026, 10, 16), working=None)
    assert not CalendarDay.objects.filter(date=dt.date(2026, 10, 16)).exists()


def test_a_year_the_library_does_not_know_falls_back_to_weekdays(db):
    calendar = WorkCalendar.load(dt.date(2031, 1, 1), dt.date(2031, 1, 31))
    assert calendar.count(dt.date(2031, 1, 1), dt.date(2031, 1, 31)) == 23  # Mon–Fri
    assert calendar.unknown_years == {2031}


# -- the methods -------------------------------------------------------------------------------


def test_equal_split_of_a_team_target(org):
    # given T1 (R1, R2) with a quarter target of 100,000.01
    parent = _team_target(org, "100000.01")
    # when it is split equally
    plan = split_compute(parent, Method.EQUAL)
    # then each rep gets half, the odd cent to the first
    assert _values(plan) == {"R1": D("50000.01"), "R2": D("50000.00")}


def test_capacity_split_counts_leave_and_ramp_up(org):
    # given R2 takes 5 working days of leave in July, and R4 joins T1 on 1 July 2026
    absence_record(actor=None, employee=org.r2, start=dt.date(2026, 7, 6), end=dt.date(2026, 7, 10))
    employee_hire(
        actor=None,
        employee_no="R4",
        name="新人",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2026, 7, 1),
    )
    parent = _team_target(org, "100000")
    # when the target is split by capacity
    plan = split_compute(parent, Method.CAPACITY)
    basis = {s.code: s.basis for s in plan.shares}
    # then R1 has 66 working days, R2 61 (5 on leave), and R4 66 days at
    # 40 % in July (23), 70 % in August (21) and 100 % in September (22)
    assert basis["R1"]["working_days"] == 66
    assert basis["R2"]["working_days"] == 61
    assert basis["R2"]["leave_days"] == 5
    r4 = D("0.4") * 23 + D("0.7") * 21 + 22  # 9.2 + 14.7 + 22 = 45.9
    assert D(basis["R4"]["weighted_days"]) == r4
    whole = 66 + 61 + r4  # 172.9
    values = _values(plan)
    assert sum(values.values()) == D("100000")
    assert values["R1"] == (D("100000") * 66 / whole).quantize(D("0.01"))  # 38172.35
    assert values["R1"] == D("38172.35")
    assert values["R2"] == D("35280.51")
    assert values["R4"] == D("26547.14")


def test_history_split_by_last_months_actuals(org):
    from telesales.sales.services import product_upsert
    from tests.test_kpi_sales import deal

    product, _ = product_upsert(
        actor=None, code="P1", name="年费", key_product=False, unit_price=D("100")
    )
    # given R1 sold 30,000 and R2 10,000 net (12,000 less a 2,000 refund) in April–June
    deal("H1", org.r1, product, "30000", "0", "2026-04-15")
    deal("H2", org.r2, product, "12000", "0", "2026-05-15")
    deal("H3", org.r2, product, "2000", "0", "2026-06-01", status="refunded")
    deal("H4", org.r2, product, "99999", "0", "2026-03-31")  # before the window
    parent = _team_target(org, "80000")
    # when the quarter's target is split by the last 3 months
    plan = split_compute(parent, Method.HISTORY, history_months=3)
    # then R1 carries 3/4 and R2 1/4
    assert _values(plan) == {"R1": D("60000.00"), "R2": D("20000.00")}
    basis = {s.code: s.basis for s in plan.shares}
    assert basis["R2"] == {"from": "2026-04-01", "until": "2026-06-30", "history": "10000.00"}


def test_history_split_without_history_is_refused(org, english):
    parent = _team_target(org, "80000")
    with pytest.raises(SplitError, match="split equally or by capacity"):
        split_compute(parent, Method.HISTORY)


def test_company_target_split_among_teams(org):
    target, _ = target_set(actor=None, metric=Metric.DEALS_WON, period="2026-Q3", value=D(301))
    plan = split_compute(target, Method.CAPACITY)
    # T1 has two reps, T2 one, all available every working day: 2:1
    assert _values(plan) == {"team:T1": D("201"), "team:T2": D("100")}


def test_manual_adjustment_must_add_up(org, english):
    parent = _team_target(org, "100000")
    plan = split_compute(parent, Method.EQUAL)
    adjusted = plan.with_values({"R1": D("60000"), "R2": D("40000")})
    assert adjusted.method == Method.MANUAL
    assert _values(adjusted) == {"R1": D("60000"), "R2": D("40000")}
    with pytest.raises(SplitError, match=r"add up to 99999.99, not 100000.00: 0.01 too little"):
        plan.with_values({"R1": D("60000"), "R2": D("39999.99")})


def test_split_is_stored_and_the_old_version_kept(org):
    parent = _team_target(org, "100000")
    first = split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    second = split_apply(
        actor=None,
        plan=split_compute(parent, Method.EQUAL).with_values({"R1": D("70000"), "R2": D("30000")}),
    )
    active = Target.objects.filter(employee=org.r1, superseded_at__isnull=True).get()
    assert active.value == D("70000") and active.split == second
    old = Target.objects.filter(employee=org.r1, superseded_at__isnull=False).get()
    assert old.value == D("50000") and old.split == first and old.superseded_by == active
    first.refresh_from_db()
    assert first.superseded_at is not None


# -- phasing -----------------------------------------------------------------------------------


def test_a_reps_quarter_phases_into_months_and_days_exactly(org):
    parent = _team_target(org, "66000")
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    book = PlanBook(Metric.SALES_AMOUNT, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    plan = book.employee_plan(org.r1.pk)
    # 33,000 over 66 working days: 500 a working day
    assert plan.total(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == D("11500")  # 23 days
    assert plan.total(dt.date(2026, 8, 1), dt.date(2026, 8, 31)) == D("10500")  # 21 days
    assert plan.total(dt.date(2026, 9, 1), dt.date(2026, 9, 30)) == D("11000")  # 22 days
    assert plan.amounts.get(dt.date(2026, 7, 4)) is None  # a Saturday
    assert plan.total(dt.date(2026, 7, 1), dt.date(2026, 9, 30)) == D("33000")
    # a day outside every target has no target
    assert plan.total(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) is None


def test_phasing_across_national_day(org):
    target, _ = target_set(
        actor=None, metric=Metric.CALL_VOLUME, period="2026-10", value=D(1800), employee=org.r1
    )
    book = PlanBook(Metric.CALL_VOLUME, dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    plan = book.employee_plan(org.r1.pk)
    # 18 working days: 100 calls each; nothing in the holiday, 100 on the make-up Saturday
    assert plan.total(dt.date(2026, 10, 1), dt.date(2026, 10, 7)) == 0
    assert plan.amounts[dt.date(2026, 10, 10)] == 100
    assert plan.total(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == 1800


def test_a_new_hires_plan_ramps_up(org):
    rep = employee_hire(
        actor=None,
        employee_no="R4",
        name="新人",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2026, 7, 1),
    )
    target_set(actor=None, metric=Metric.SALES_AMOUNT, period=Q3, value=D("45900"), employee=rep)
    plan = PlanBook(Metric.SALES_AMOUNT, dt.date(2026, 7, 1), dt.date(2026, 9, 30)).employee_plan(
        rep.pk
    )
    # weights 0.4 × 23 + 0.7 × 21 + 1 × 22 = 45.9: 1,000 a full day
    assert plan.total(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == D("9200")
    assert plan.total(dt.date(2026, 8, 1), dt.date(2026, 8, 31)) == D("14700")
    assert plan.total(dt.date(2026, 9, 1), dt.date(2026, 9, 30)) == D("22000")


def test_a_month_target_wins_over_its_share_of_the_quarter(org):
    target_set(actor=None, metric=Metric.SALES_AMOUNT, period=Q3, value=D("66000"), employee=org.r1)
    target_set(
        actor=None, metric=Metric.SALES_AMOUNT, period="2026-08", value=D("5000"), employee=org.r1
    )
    plan = PlanBook(Metric.SALES_AMOUNT, dt.date(2026, 7, 1), dt.date(2026, 9, 30)).employee_plan(
        org.r1.pk
    )
    assert plan.total(dt.date(2026, 8, 1), dt.date(2026, 8, 31)) == D("5000")
    assert plan.total(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == D("23000")


def test_a_team_without_its_own_target_is_the_sum_of_its_reps(org):
    from telesales.targets.capacity import team_reps

    target_set(actor=None, metric=Metric.SALES_AMOUNT, period=Q3, value=D("66000"), employee=org.r1)
    target_set(actor=None, metric=Metric.SALES_AMOUNT, period=Q3, value=D("33000"), employee=org.r2)
    book = PlanBook(Metric.SALES_AMOUNT, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    members = team_reps(org.t1.pk, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    plan = book.team_plan(org.t1.pk, members)
    assert plan.total(dt.date(2026, 7, 1), dt.date(2026, 9, 30)) == D("99000")
    assert plan.total(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == D("34500")


# -- re-split ----------------------------------------------------------------------------------


def test_resplit_when_a_rep_leaves_keeps_the_part_before(org):
    # given T1's 66,000 split equally: 33,000 each, 500 a working day
    parent = _team_target(org, "66000")
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    # when R2 leaves on 3 August (their last day 31 July: 23 working days done)
    employee_leave(actor=None, employee=org.r2, date=dt.date(2026, 8, 3), voluntary=True)
    changes = changes_since_split(parent)
    assert [(c.code, c.kind, c.date) for c in changes] == [("R2", "left", dt.date(2026, 8, 3))]
    plan = split_compute(parent, Method.EQUAL, effective_from=changes[0].date)
    # then R2 keeps July's 11,500; R1 keeps their 11,500 and takes the whole rest: 43,000
    assert plan.amount == D("43000")
    assert _values(plan) == {"R1": D("54500.00"), "R2": D("11500.00")}
    split_apply(actor=None, plan=plan, reason="R2 left")
    book = PlanBook(Metric.SALES_AMOUNT, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    r1 = book.employee_plan(org.r1.pk)
    assert r1.total(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == D("11500")
    assert r1.total(dt.date(2026, 8, 3), dt.date(2026, 9, 30)) == D("43000")
    r2 = book.employee_plan(org.r2.pk)
    assert r2.total(dt.date(2026, 8, 1), dt.date(2026, 9, 30)) == 0
    # the first split and its children are kept, superseded
    assert Target.objects.filter(employee=org.r2).count() == 2
    assert parent.splits.count() == 2
    # and nothing is left to re-split
    assert changes_since_split(parent) == []


def test_resplit_when_a_rep_joins(org):
    parent = _team_target(org, "66000")
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    employee_hire(
        actor=None,
        employee_no="R4",
        name="新人",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2026, 9, 1),
    )
    changes = changes_since_split(parent)
    assert [(c.code, c.kind, c.date) for c in changes] == [("R4", "joined", dt.date(2026, 9, 1))]
    plan = split_compute(parent, Method.EQUAL, effective_from=dt.date(2026, 9, 1))
    # July and August (44 days × 500) stay; September's 22,000 is shared by three
    values = _values(plan)
    assert values["R4"] == D("7333.33")
    assert values["R1"] == D("22000") + D("7333.34")
    assert sum(values.values()) == D("66000")


def test_a_split_computed_before_another_was_stored_is_refused(org, english):
    # given two people open the wizard on the same target
    parent = _team_target(org, "100000")
    first = split_compute(parent, Method.EQUAL)
    second = split_compute(parent, Method.EQUAL).with_values({"R1": D("1"), "R2": D("99999")})
    # when the first stores theirs
    split_apply(actor=None, plan=first)
    # then the second is told to start again, and the first split stands
    with pytest.raises(SplitError, match="start again"):
        split_apply(actor=None, plan=second)
    assert Target.objects.get(employee=org.r1, superseded_at__isnull=True).value == D("50000")


def test_resplit_when_a_rep_moves_to_another_team_keeps_their_part_before_the_move(org):
    from telesales.org.services import employee_transfer

    # given T1's 66,000 split equally: 500 a working day each
    parent = _team_target(org, "66000")
    split_apply(actor=None, plan=split_compute(parent, Method.EQUAL))
    # when R2 moves to T2 on 3 August and the remainder is re-split from then
    employee_transfer(actor=None, employee=org.r2, team=org.t2, date=dt.date(2026, 8, 3))
    changes = changes_since_split(parent)
    assert [(c.code, c.kind, c.date) for c in changes] == [("R2", "left", dt.date(2026, 8, 3))]
    split_apply(
        actor=None, plan=split_compute(parent, Method.EQUAL, effective_from=changes[0].date)
    )
    # then R2's T1 target is July's 11,500, all of it due before the move (R2 is still employed
    # afterwards, so only the segments keep it there)
    plan = PlanBook(Metric.SALES_AMOUNT, dt.date(2026, 7, 1), dt.date(2026, 9, 30)).employee_plan(
        org.r2.pk
    )
    assert plan.total(dt.date(2026, 7, 1), dt.date(2026, 7, 31)) == D("11500")
    assert plan.total(dt.date(2026, 8, 3), dt.date(2026, 9, 30)) == 0
