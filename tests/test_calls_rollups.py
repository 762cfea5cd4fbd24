"""The daily roll-ups (CallDay) stay exact (PRODUCT.md §4, §5): after every change that
touches calls — imports, re-imports, legs merged into stored calls, late extension
mappings, mapping end dates, leavers, team transfers and a new effective-call threshold —
every CallDay row equals a direct aggregation over the Call table."""

from __future__ import annotations

import datetime as dt

import pytest

from telesales.calls.models import Call, CallDay
from telesales.core.config import setting_set
from telesales.org.models import Extension, Role
from telesales.org.services import (
    employee_hire,
    employee_leave,
    employee_transfer,
    extension_assign,
)
from tests.cdr_files import (
    MAPPED_FROM,
    ROLLUP_COUNTS,
    Leg,
    assert_rollups_exact,
    asterisk_csv,
    import_calls,
    map_extensions,
)

pytestmark = pytest.mark.usefixtures("english")

JULY = dt.date(2026, 7, 1)


@pytest.fixture
def mapped(org):
    map_extensions(org)
    return org


def _day(n: int) -> dt.date:
    return dt.date(2026, 7, n)


_serial = iter(range(1, 10**6))


def _leg(src, dst, start, billsec=0, disposition=None, **kw) -> Leg:
    """A leg with a fresh uniqueid (its own call unless a linkedid says otherwise)."""
    uid = f"1782867600.{next(_serial)}"
    kw.setdefault("linkedid", uid)
    if disposition is None:
        disposition = "ANSWERED" if billsec else "NO ANSWER"
    return Leg(src, dst, start, billsec, disposition=disposition, uniqueid=uid, **kw)


def _import(legs):
    result, _info = import_calls(asterisk_csv(legs))
    assert result.rejected == []
    return result


def _days(employee=None) -> list[tuple]:
    days = CallDay.objects.order_by("employee__employee_no", "day")
    if employee is not None:
        days = days.filter(employee=employee)
    return [
        row
        for row in days.values_list("employee__employee_no", "day", "team__code", *ROLLUP_COUNTS)
        if any(row[3:])
    ]


def _rep(no: str, team, name: str = "新人"):
    return employee_hire(
        actor=None, employee_no=no, name=name, role=Role.REP, team=team, hire_date=MAPPED_FROM
    )


# -- imports ---------------------------------------------------------------------------------


def test_an_import_rolls_each_reps_day_up_by_direction(mapped):
    # given
    legs = [
        _leg("8001", "13800138000", "2026-07-01 09:00:00", 59),
        _leg("8001", "13800138001", "2026-07-01 09:05:00", 60),
        _leg("8001", "13800138002", "2026-07-01 09:10:00", 61),
        _leg("8001", "13800138003", "2026-07-01 09:15:00", disposition="BUSY"),
        _leg("8001", "13800138004", "2026-07-01 09:20:00", 0, disposition="ANSWERED"),
        _leg("13700137000", "8001", "2026-07-01 10:00:00", 120),
        _leg("13700137001", "8001", "2026-07-01 10:10:00"),
        _leg("8001", "8002", "2026-07-01 11:00:00", 30),
        _leg("8002", "13900139000", "2026-07-02 23:59:59", 300),
        _leg("8002", "13900139001", "2026-07-03 00:00:00", 10),
        _leg("123456", "13900139002", "2026-07-03 00:00:00", 10),  # unmapped extension
    ]
    # when
    _import(legs)
    # then
    assert _days() == [
        ("R1", _day(1), "T1", 5, 4, 180, 2, 2, 1, 120, 1, 1),
        ("R2", _day(2), "T1", 1, 1, 300, 1, 0, 0, 0, 0, 0),
        ("R2", _day(3), "T1", 1, 1, 10, 0, 0, 0, 0, 0, 0),
    ]
    assert_rollups_exact()


def test_imports_in_several_files_add_up(mapped):
    # when
    _import([_leg("8001", "13800138000", "2026-07-01 09:00:00", 70)])
    _import([_leg("8001", "13800138001", "2026-07-01 10:00:00", 20)])
    _import([_leg("13700137000", "8001", "2026-07-01 11:00:00", 65)])
    # then
    assert _days() == [("R1", _day(1), "T1", 2, 2, 90, 1, 1, 1, 65, 1, 0)]
    assert_rollups_exact()


def test_re_imports_and_later_legs_keep_the_rollups_exact(mapped):
    # given: a call R1 placed at 00:10 on 2 July, unanswered
    first = _leg("8001", "13800138000", "2026-07-02 00:10:00")
    other = _leg("8002", "13900139000", "2026-07-02 09:00:00", 45)
    data = asterisk_csv([first, other])
    import_calls(data)
    # when: the same file again, then a leg of the first call that started earlier, on
    # 1 July, from R3, answered for 95 s
    import_calls(data)
    assert_rollups_exact()
    earlier = _leg("8003", "13800138000", "2026-07-01 23:59:00", 95, linkedid=first.linkedid)
    result, _info = import_calls(asterisk_csv([earlier]))
    # then: the call moved to R3 and to 1 July; R1's 2 July is empty
    assert (result.stored, result.updated) == (0, 1)
    call = Call.objects.get(call_id=first.linkedid)
    assert (call.employee.employee_no, call.local_date, call.talk_seconds) == ("R3", _day(1), 95)
    assert _days() == [
        ("R2", _day(2), "T1", 1, 1, 45, 0, 0, 0, 0, 0, 0),
        ("R3", _day(1), "T2", 1, 1, 95, 1, 0, 0, 0, 0, 0),
    ]
    assert_rollups_exact()


# -- extension mappings after the import ---------------------------------------------------------


def test_a_mapping_added_after_the_import_attributes_the_calls_without_re_importing(org):
    # given: calls from 8004 before anyone has it
    map_extensions(org)
    r4 = _rep("R4", org.t1)
    _import(
        [
            _leg("8004", "13800138000", "2026-06-30 17:00:00", 80),
            _leg("8004", "13800138001", "2026-07-01 09:00:00", 80),
            _leg("8004", "13800138002", "2026-07-02 09:00:00"),
            _leg("13700137000", "8004", "2026-07-02 10:00:00", 20),
        ]
    )
    assert set(Call.objects.values_list("employee", flat=True)) == {None}
    assert _days() == []
    # when: R4 gets 8004 from 1 July
    extension_assign(actor=None, employee=r4, number="8004", valid_from=JULY)
    # then
    assert list(
        Call.objects.order_by("started_at").values_list("local_date", "employee__employee_no")
    ) == [(dt.date(2026, 6, 30), None), (_day(1), "R4"), (_day(2), "R4"), (_day(2), "R4")]
    assert _days() == [
        ("R4", _day(1), "T1", 1, 1, 80, 1, 0, 0, 0, 0, 0),
        ("R4", _day(2), "T1", 1, 0, 0, 0, 1, 1, 20, 0, 0),
    ]
    assert_rollups_exact()


def test_a_mapping_end_date_splits_the_calls_between_two_owners(org):
    # given
    map_extensions(org)
    r4, r5 = _rep("R4", org.t1), _rep("R5", org.t2)
    _import(
        [
            _leg("8005", "13800138000", "2026-07-10 09:00:00", 61),
            _leg("8005", "13800138001", "2026-07-14 23:59:59", 30),
            _leg("8005", "13800138002", "2026-07-15 00:00:00", 90),
            _leg("8005", "13800138003", "2026-07-20 09:00:00"),
        ]
    )
    # when: R4 has 8005 until 15 July (not included), R5 from 15 July
    extension_assign(actor=None, employee=r4, number="8005", valid_from=JULY, valid_to=_day(15))
    extension_assign(actor=None, employee=r5, number="8005", valid_from=_day(15))
    # then
    assert _days() == [
        ("R4", _day(10), "T1", 1, 1, 61, 1, 0, 0, 0, 0, 0),
        ("R4", _day(14), "T1", 1, 1, 30, 0, 0, 0, 0, 0, 0),
        ("R5", _day(15), "T2", 1, 1, 90, 1, 0, 0, 0, 0, 0),
        ("R5", _day(20), "T2", 1, 0, 0, 0, 0, 0, 0, 0, 0),
    ]
    assert_rollups_exact()
    # when: R4's range is cut short to 12 July
    extension_assign(actor=None, employee=r4, number="8005", valid_from=JULY, valid_to=_day(12))
    # then: the call of 14 July belongs to nobody
    assert [d[:2] for d in _days()] == [("R4", _day(10)), ("R5", _day(15)), ("R5", _day(20))]
    assert Call.objects.filter(employee__isnull=True).count() == 1
    assert_rollups_exact()


def test_a_mapping_given_first_then_ended_moves_the_later_calls(org):
    # given: R4 has 8006 open-ended, and its calls are imported
    map_extensions(org)
    r4, r5 = _rep("R4", org.t1), _rep("R5", org.t2)
    extension_assign(actor=None, employee=r4, number="8006", valid_from=JULY)
    _import(
        [
            _leg("8006", "13800138000", "2026-07-03 09:00:00", 61),
            _leg("8006", "13800138001", "2026-07-23 09:00:00", 62),
        ]
    )
    assert [d[:2] for d in _days()] == [("R4", _day(3)), ("R4", _day(23))]
    # when: the extension passes to R5 on 20 July
    extension_assign(actor=None, employee=r4, number="8006", valid_from=JULY, valid_to=_day(20))
    extension_assign(actor=None, employee=r5, number="8006", valid_from=_day(20))
    # then
    assert [d[:3] for d in _days()] == [("R4", _day(3), "T1"), ("R5", _day(23), "T2")]
    assert_rollups_exact()


def test_a_leaver_keeps_the_calls_before_leaving_and_loses_the_later_ones(mapped):
    # given
    _import(
        [
            _leg("8002", "13800138000", "2026-07-14 18:00:00", 61),
            _leg("8002", "13800138001", "2026-07-15 09:00:00", 61),
        ]
    )
    # when: R2 leaves on 15 July (the extension ends that day)
    employee_leave(actor=None, employee=mapped.r2, date=_day(15), voluntary=True)
    # then
    assert Extension.objects.get(number="8002").valid_to == _day(15)
    assert [d[:2] for d in _days()] == [("R2", _day(14))]
    assert_rollups_exact()


def test_removing_a_mapping_takes_the_calls_away(mapped):
    # given
    _import([_leg("8003", "13800138000", "2026-07-14 18:00:00", 61)])
    # when
    Extension.objects.get(number="8003").delete()
    # then
    assert Call.objects.get().employee is None
    assert _days() == []
    assert_rollups_exact()


def test_an_agent_id_mapped_later_owns_the_calls_it_placed(mapped):
    # given: calls from agent id A1001 (not a number the pattern calls internal)
    _import(
        [
            _leg("A1001", "13800138000", "2026-07-01 09:00:00", 61, channel=""),
            _leg("A1001", "8002", "2026-07-01 10:00:00", 20, channel=""),
        ]
    )
    # when: A1001 turns out to be R1's
    extension_assign(actor=None, employee=mapped.r1, number="A1001", valid_from=MAPPED_FROM)
    # then
    assert list(
        Call.objects.order_by("started_at").values_list(
            "direction", "extension", "employee__employee_no"
        )
    ) == [("outbound", "A1001", "R1"), ("internal", "A1001", "R1")]
    assert _days() == [("R1", _day(1), "T1", 1, 1, 61, 1, 0, 0, 0, 0, 1)]
    assert_rollups_exact()


def test_an_extension_renumbered_moves_its_calls(mapped):
    # given: calls from 8001 (R1's) and 8011 (nobody's)
    _import(
        [
            _leg("8001", "13800138000", "2026-07-01 09:00:00", 61),
            _leg("8011", "13800138001", "2026-07-01 10:00:00", 62),
        ]
    )
    # when: R1's extension was in fact 8011
    extension = Extension.objects.get(number="8001")
    extension.number = "8011"
    extension.save()
    # then
    assert list(
        Call.objects.order_by("started_at").values_list("extension", "employee__employee_no")
    ) == [("8001", None), ("8011", "R1")]
    assert _days() == [("R1", _day(1), "T1", 1, 1, 62, 1, 0, 0, 0, 0, 0)]
    assert_rollups_exact()


# -- team transfers ------------------------------------------------------------------------------


def test_a_transfer_gives_each_day_the_team_of_that_day(mapped):
    # given
    _import(
        [
            _leg("8001", "13800138000", "2026-07-10 09:00:00", 61),
            _leg("8001", "13800138001", "2026-07-20 09:00:00", 62),
        ]
    )
    # when: R1 moves to T2 on 16 July
    employee_transfer(actor=None, employee=mapped.r1, team=mapped.t2, date=_day(16))
    # then
    assert [d[:3] for d in _days()] == [("R1", _day(10), "T1"), ("R1", _day(20), "T2")]
    assert_rollups_exact()
    # when: calls on both sides of the move are imported after it
    _import(
        [
            _leg("8001", "13800138002", "2026-07-12 09:00:00", 30),
            _leg("8001", "13800138003", "2026-07-25 09:00:00", 30),
            _leg("8001", "13800138004", "2026-07-16 00:00:00", 30),
        ]
    )
    # then
    assert [d[:3] for d in _days()] == [
        ("R1", _day(10), "T1"),
        ("R1", _day(12), "T1"),
        ("R1", _day(16), "T2"),
        ("R1", _day(20), "T2"),
        ("R1", _day(25), "T2"),
    ]
    assert_rollups_exact()


def test_a_transfer_and_back_again(mapped):
    # given
    _import([_leg("8002", "13800138000", f"2026-07-{d:02d} 09:00:00", 61) for d in (5, 15, 25)])
    # when: R2 to T2 on 10 July, back to T1 on 20 July
    employee_transfer(actor=None, employee=mapped.r2, team=mapped.t2, date=_day(10))
    employee_transfer(actor=None, employee=mapped.r2, team=mapped.t1, date=_day(20))
    # then
    assert [d[:3] for d in _days()] == [
        ("R2", _day(5), "T1"),
        ("R2", _day(15), "T2"),
        ("R2", _day(25), "T1"),
    ]
    assert_rollups_exact()


def test_a_rep_taken_out_of_every_team_leaves_the_old_teams_later_days(mapped):
    # given
    from telesales.org.services import employee_update

    _import(
        [
            _leg("8001", "13800138000", "2026-07-10 09:00:00", 61),
            _leg("8001", "13800138001", "2026-07-20 09:00:00", 62),
        ]
    )
    # when: R1 is in no team from 16 July
    employee_update(actor=None, employee=mapped.r1, team=None, effective=_day(16))
    # then
    assert [d[:3] for d in _days()] == [("R1", _day(10), "T1"), ("R1", _day(20), None)]
    assert_rollups_exact()


# -- the effective-call threshold ------------------------------------------------------------------


def test_a_new_threshold_recomputes_every_rollup(mapped, django_capture_on_commit_callbacks):
    # given: talk times around both thresholds
    _import(
        [
            _leg("8001", "13800138000", "2026-07-01 09:00:00", 25),
            _leg("8001", "13800138001", "2026-07-01 09:10:00", 30),
            _leg("8001", "13800138002", "2026-07-01 09:20:00", 59),
            _leg("8001", "13800138003", "2026-07-01 09:30:00", 60),
            _leg("13700137000", "8001", "2026-07-01 09:40:00", 45),
            _leg("8003", "13800138004", "2026-07-02 09:00:00", 31),
        ]
    )
    assert [(d[0], d[6], d[10]) for d in _days()] == [("R1", 1, 0), ("R3", 0, 0)]
    # when
    with django_capture_on_commit_callbacks(execute=True):
        changed = setting_set(actor=None, key="calls.effective_seconds", value=30)
    # then
    assert changed is True
    assert [(d[0], d[6], d[10]) for d in _days()] == [("R1", 3, 1), ("R3", 1, 0)]
    assert_rollups_exact(threshold=30)
    # and an import after the change counts with the new threshold
    _import([_leg("8003", "13800138005", "2026-07-02 10:00:00", 30)])
    assert [(d[0], d[6]) for d in _days()] == [("R1", 3), ("R3", 2)]
    assert_rollups_exact(threshold=30)


def test_every_scenario_in_a_row_keeps_the_rollups_exact(org, django_capture_on_commit_callbacks):
    # given: everything above, one after another, checked after each step
    map_extensions(org)
    r4 = _rep("R4", org.t2)
    shared = _leg("8001", "13800138000", "2026-07-31 23:30:00")
    _import(
        [
            shared,
            _leg("8002", "13800138001", "2026-08-01 00:30:00", 90),
            _leg("8007", "13800138002", "2026-07-20 09:00:00", 75),
            _leg("13700137000", "8003", "2026-07-21 09:00:00", 40),
            _leg("8001", "8003", "2026-07-22 09:00:00", 40),
        ]
    )
    assert_rollups_exact()
    _import([_leg("8002", "13800138000", "2026-07-31 23:29:00", 200, linkedid=shared.linkedid)])
    assert_rollups_exact()
    extension_assign(actor=None, employee=r4, number="8007", valid_from=JULY)
    assert_rollups_exact()
    employee_transfer(actor=None, employee=org.r2, team=org.t2, date=_day(31))
    assert_rollups_exact()
    with django_capture_on_commit_callbacks(execute=True):
        setting_set(actor=None, key="calls.effective_seconds", value=100)
    assert_rollups_exact(threshold=100)
    employee_leave(actor=None, employee=org.r3, date=_day(22), voluntary=False)
    assert_rollups_exact(threshold=100)
    assert _days() == [
        ("R1", _day(22), "T1", 0, 0, 0, 0, 0, 0, 0, 0, 1),
        ("R2", _day(31), "T2", 1, 1, 200, 1, 0, 0, 0, 0, 0),
        ("R2", dt.date(2026, 8, 1), "T2", 1, 1, 90, 0, 0, 0, 0, 0, 0),
        ("R3", _day(21), "T2", 0, 0, 0, 0, 1, 1, 40, 0, 0),
        ("R4", _day(20), "T2", 1, 1, 75, 0, 0, 0, 0, 0, 0),
    ]
