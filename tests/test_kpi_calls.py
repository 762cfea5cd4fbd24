"""The call KPIs (PRODUCT.md §5) of a rep and of a team for a month, a quarter and a year,
with numerator and denominator, and `telesales kpi` (PRODUCT.md §8)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from telesales.core.periods import period_parse
from telesales.kpi.calls import CALL_KPIS, call_kpis
from telesales.kpi.values import KpiValue
from telesales.org.models import Role
from telesales.org.scopes import scope_for_employee, scope_for_teams, scope_parse
from telesales.org.services import employee_hire, employee_transfer, extension_assign
from tests.cdr_files import MAPPED_FROM, Leg, asterisk_csv, import_calls, map_extensions

pytestmark = pytest.mark.usefixtures("english")

_serial = iter(range(1, 10**6))


def _leg(src, dst, start, billsec=0, disposition=None) -> Leg:
    uid = f"1782867600.{next(_serial)}"
    if disposition is None:
        disposition = "ANSWERED" if billsec else "NO ANSWER"
    return Leg(src, dst, start, billsec, disposition=disposition, uniqueid=uid, linkedid=uid)


@pytest.fixture
def calls(org):
    """R1, R2, E001 in T1 (with supervisor S1), R3 in T2; their calls of 2026."""
    map_extensions(org)
    e001 = employee_hire(
        actor=None,
        employee_no="E001",
        name="王五",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=MAPPED_FROM,
    )
    extension_assign(actor=None, employee=e001, number="8010", valid_from=MAPPED_FROM)
    extension_assign(actor=None, employee=org.s1, number="8101", valid_from=MAPPED_FROM)
    legs = [
        # R1, July: 5 dialled, 3 connected (30 + 60 + 90 s), 2 effective; inbound and
        # internal calls do not count
        _leg("8001", "13800138000", "2026-07-01 09:00:00", 30),
        _leg("8001", "13800138001", "2026-07-02 09:00:00", 60),
        _leg("8001", "13800138002", "2026-07-31 23:30:00", 90),
        _leg("8001", "13800138003", "2026-07-03 09:00:00", disposition="NO ANSWER"),
        _leg("8001", "13800138004", "2026-07-03 09:10:00", disposition="BUSY"),
        _leg("13700137000", "8001", "2026-07-04 09:00:00", 100),
        _leg("8001", "8002", "2026-07-04 10:00:00", 100),
        # R1, August: 1 connected for 120 s; March: 1 failed
        _leg("8001", "13800138005", "2026-08-01 00:00:00", 120),
        _leg("8001", "13800138006", "2026-03-15 09:00:00", disposition="FAILED"),
        # R2, July: 2 dialled, none connected
        _leg("8002", "13900139000", "2026-07-05 09:00:00", disposition="NO ANSWER"),
        _leg("8002", "13900139001", "2026-07-05 09:10:00", disposition="CONGESTION"),
        # E001, July: 4 dialled, 2 connected (45 + 75 s), 1 effective
        _leg("8010", "13600136000", "2026-07-06 09:00:00", 45),
        _leg("8010", "13600136001", "2026-07-06 09:10:00", 75),
        _leg("8010", "13600136002", "2026-07-06 09:20:00", disposition="NO ANSWER"),
        _leg("8010", "13600136003", "2026-07-06 09:30:00", disposition="BUSY"),
        # S1 (a supervisor in T1), July: not one of T1's reps
        _leg("8101", "13500135000", "2026-07-07 09:00:00", 200),
        # R3 (T2): 30 September 23:30 is in Q3; 31 December 23:59 in 2026
        _leg("8003", "13300133000", "2026-09-30 23:30:00", 61),
        _leg("8003", "13300133001", "2026-12-31 23:59:00", 0, disposition="ANSWERED"),
    ]
    result, _info = import_calls(asterisk_csv(legs))
    assert (result.stored, result.rejected) == (len(legs), [])
    return org


def _values(kpis: dict[str, KpiValue]) -> dict[str, tuple]:
    return {code: (v.value, v.numerator, v.denominator) for code, v in kpis.items()}


def _rate(numerator: int, denominator: int) -> tuple:
    return (Decimal(numerator) / Decimal(denominator), numerator, denominator)


def _counts(volume, connected, talk, effective) -> dict[str, tuple]:
    """The six call KPIs from the four sums, as PRODUCT.md §5 defines them."""
    na = None
    return {
        "call_volume": (volume, volume, None),
        "connected_calls": (connected, connected, None),
        "connection_rate": _rate(connected, volume) if volume else (na, connected, volume),
        "avg_talk_seconds": _rate(talk, connected) if connected else (na, talk, connected),
        "effective_calls": (effective, effective, None),
        "effective_call_rate": _rate(effective, connected)
        if connected
        else (na, effective, connected),
    }


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2026-07", _counts(5, 3, 180, 2)),
        ("2026-08", _counts(1, 1, 120, 1)),
        ("2026-Q3", _counts(6, 4, 300, 3)),
        ("2026-Q1", _counts(1, 0, 0, 0)),
        ("2026", _counts(7, 4, 300, 3)),
        ("2025", _counts(0, 0, 0, 0)),
    ],
)
def test_a_reps_call_kpis_for_a_month_a_quarter_and_a_year(calls, period, expected):
    # when
    kpis = call_kpis(scope_for_employee(calls.r1), period_parse(period))
    # then
    assert set(kpis) == set(CALL_KPIS)
    assert _values(kpis) == expected


def test_the_rates_are_exact_fractions(calls):
    kpis = call_kpis(scope_for_employee(calls.r1), period_parse("2026-07"))
    assert kpis["connection_rate"].value == Decimal("0.6")
    assert kpis["avg_talk_seconds"].value == 60
    assert kpis["effective_call_rate"].value == Decimal(2) / Decimal(3)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        # R1 (5, 3, 180, 2) + R2 (2, 0, 0, 0) + E001 (4, 2, 120, 1); S1's call not counted
        ("2026-07", _counts(11, 5, 300, 3)),
        ("2026-Q3", _counts(12, 6, 420, 4)),
        ("2026", _counts(13, 6, 420, 4)),
    ],
)
def test_a_teams_call_kpis_count_its_reps(calls, period, expected):
    # when
    kpis = call_kpis(scope_for_teams([calls.t1]), period_parse(period))
    # then
    assert _values(kpis) == expected
    assert _values(call_kpis(scope_parse("team:T1"), period_parse(period))) == expected
    assert _values(call_kpis(scope_parse("supervisor:S1"), period_parse(period))) == expected


def test_a_supervisors_own_calls_are_their_own_kpis(calls):
    kpis = call_kpis(scope_for_employee(calls.s1), period_parse("2026-07"))
    assert _values(kpis) == _counts(1, 1, 200, 1)


def test_calls_at_the_end_of_a_quarter_and_a_year_count_in_it(calls):
    r3 = scope_for_employee(calls.r3)
    assert _values(call_kpis(r3, period_parse("2026-Q3"))) == _counts(1, 1, 61, 1)
    assert _values(call_kpis(r3, period_parse("2026-Q4"))) == _counts(1, 1, 0, 0)
    assert _values(call_kpis(r3, period_parse("2027")))["call_volume"] == (0, 0, None)
    assert _values(call_kpis(r3, period_parse("2026-09-30"))) == _counts(1, 1, 61, 1)


def test_rates_over_nothing_are_not_applicable_and_counts_are_zero(calls):
    # when: R3 in August made no call; R2 in July connected none
    nothing = call_kpis(scope_for_employee(calls.r3), period_parse("2026-08"))
    none_connected = call_kpis(scope_for_employee(calls.r2), period_parse("2026-07"))
    # then
    assert _values(nothing) == {
        "call_volume": (0, 0, None),
        "connected_calls": (0, 0, None),
        "connection_rate": (None, 0, 0),
        "avg_talk_seconds": (None, 0, 0),
        "effective_calls": (0, 0, None),
        "effective_call_rate": (None, 0, 0),
    }
    assert not nothing["connection_rate"].applicable
    assert _values(none_connected) == {
        "call_volume": (2, 2, None),
        "connected_calls": (0, 0, None),
        "connection_rate": (Decimal(0), 0, 2),
        "avg_talk_seconds": (None, 0, 0),
        "effective_calls": (0, 0, None),
        "effective_call_rate": (None, 0, 0),
    }
    assert none_connected["connection_rate"].applicable


def test_a_team_counts_each_rep_by_the_team_of_each_day(calls):
    # when: R1 moves to T2 on 4 July (calls of 1-3 July stay with T1)
    employee_transfer(actor=None, employee=calls.r1, team=calls.t2, date=dt.date(2026, 7, 4))
    # then: R1's July outbound calls: 1, 2, 3 July (4 calls, 2 connected: 30 + 60 s) in T1;
    # 31 July (90 s) in T2
    july = period_parse("2026-07")
    t1 = call_kpis(scope_for_teams([calls.t1]), july)
    t2 = call_kpis(scope_for_teams([calls.t2]), july)
    assert _values(t1) == _counts(4 + 2 + 4, 2 + 0 + 2, 90 + 0 + 120, 1 + 0 + 1)
    assert _values(t2) == _counts(1, 1, 90, 1)
    assert _values(call_kpis(scope_for_employee(calls.r1), july)) == _counts(5, 3, 180, 2)


def test_a_rep_promoted_later_still_counts_in_the_teams_earlier_periods(calls):
    # given
    from telesales.org.services import employee_promote

    july = period_parse("2026-07")
    before = _values(call_kpis(scope_for_teams([calls.t1]), july))
    # when: R1 becomes a supervisor on 1 August
    employee_promote(actor=None, employee=calls.r1, date=dt.date(2026, 8, 1), role=Role.SUPERVISOR)
    # then
    assert before == _counts(11, 5, 300, 3)
    assert _values(call_kpis(scope_for_teams([calls.t1]), july)) == before


# -- telesales kpi ----------------------------------------------------------------------------


def _kpi(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("kpi", *args, stdout=out, stderr=err)
    except SystemExit as exited:
        return exited.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _call_kpis_json(payload: dict) -> dict:
    return {code: payload["kpis"][code] for code in CALL_KPIS}


def test_kpi_json_for_an_employee(calls):
    # when
    code, out, _err = _kpi("--period", "2026-07", "--scope", "E001", "--json")
    # then
    assert code == 0
    payload = json.loads(out)
    assert (payload["period"], payload["scope"]) == ("2026-07", "E001")
    kpis = _call_kpis_json(payload)
    assert all(set(v) == {"value", "numerator", "denominator"} for v in kpis.values())
    assert {c: v["value"] for c, v in kpis.items()} == {
        "call_volume": 4,
        "connected_calls": 2,
        "connection_rate": 0.5,
        "avg_talk_seconds": 60,
        "effective_calls": 1,
        "effective_call_rate": 0.5,
    }
    assert kpis["connection_rate"] == {"value": 0.5, "numerator": 2, "denominator": 4}
    assert kpis["avg_talk_seconds"] == {"value": 60, "numerator": 120, "denominator": 2}
    assert kpis["effective_call_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}


def test_kpi_json_for_a_team(calls):
    # when
    code, out, _err = _kpi("--period", "2026-07", "--scope", "team:T1", "--json")
    # then
    assert code == 0
    payload = json.loads(out)
    assert (payload["period"], payload["scope"]) == ("2026-07", "team:T1")
    kpis = _call_kpis_json(payload)
    assert kpis["call_volume"]["value"] == 11
    assert kpis["connected_calls"]["value"] == 5
    assert kpis["connection_rate"] == {"value": 5 / 11, "numerator": 5, "denominator": 11}
    assert kpis["avg_talk_seconds"] == {"value": 60, "numerator": 300, "denominator": 5}
    assert kpis["effective_calls"]["value"] == 3
    assert kpis["effective_call_rate"] == {"value": 0.6, "numerator": 3, "denominator": 5}


def test_kpi_json_gives_null_when_not_applicable(calls):
    # when
    code, out, _err = _kpi("--period", "2026-08", "--scope", "R3", "--json")
    # then
    assert code == 0
    kpis = _call_kpis_json(json.loads(out))
    assert kpis["call_volume"]["value"] == 0
    assert kpis["connection_rate"] == {"value": None, "numerator": 0, "denominator": 0}
    assert kpis["avg_talk_seconds"] == {"value": None, "numerator": 0, "denominator": 0}
    assert kpis["effective_call_rate"] == {"value": None, "numerator": 0, "denominator": 0}


@pytest.mark.parametrize(
    ("period", "code"), [("2026-Q3", "2026-Q3"), ("2026q3", "2026-Q3"), ("2026", "2026")]
)
def test_kpi_json_for_a_quarter_and_a_year(calls, period, code):
    # when
    status, out, _err = _kpi("--period", period, "--scope", "R1", "--json")
    # then
    assert status == 0
    payload = json.loads(out)
    assert payload["period"] == code
    assert payload["kpis"]["call_volume"]["value"] == (6 if code == "2026-Q3" else 7)


def test_kpi_text_output_names_not_applicable_values(calls):
    # when
    code, out, _err = _kpi("--period", "2026-08", "--scope", "R3")
    # then
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "R3 张三 · 2026-08"
    assert any(
        line.startswith("connection_rate") and "not applicable" in line and "(0 / 0)" in line
        for line in lines
    )
    assert any(line.startswith("call_volume") and line.endswith(": 0") for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-13", "--scope", "R1"], "“2026-13” is not a valid date."),
        (
            ["--period", "July", "--scope", "R1"],
            "“July” is not a period; use 2026, 2026-Q3, 2026-09, 2026-09-15 or "
            "2026-09-01..2026-09-15.",
        ),
        (
            ["--period", "2026-07", "--scope", "E999"],
            "There is no employee E999; give an employee number, team:CODE or supervisor:NUMBER.",
        ),
        (["--period", "2026-07", "--scope", "team:T9"], "There is no team T9."),
        (["--period", "2026-07", "--scope", "supervisor:R1"], "R1 leads no team."),
        (
            ["--period", "2026-07", "--scope", "R1", "--user", "nobody"],
            "There is no user nobody.",
        ),
    ],
)
def test_a_bad_period_or_unknown_scope_exits_2_with_a_message(calls, args, message):
    # when
    code, out, err = _kpi(*args)
    code_json, out_json, _err = _kpi(*args, "--json")
    # then
    assert (code, code_json) == (2, 2)
    assert out == ""
    assert err.strip() == message
    assert json.loads(out_json) == {"error": message}


@pytest.mark.parametrize(
    ("user", "scope", "allowed"),
    [
        ("r1", "R1", True),
        ("r1", "R2", False),
        ("r1", "R3", False),
        ("r1", "E001", False),
        ("s1", "R2", True),
        ("s1", "team:T1", True),
        ("s1", "R3", False),
        ("s1", "team:T2", False),
        ("m1", "team:T2", True),
    ],
)
def test_user_sees_only_the_kpis_in_their_scope(calls, user, scope, allowed):
    # when
    code, out, err = _kpi("--period", "2026-07", "--scope", scope, "--user", user, "--json")
    # then
    if allowed:
        assert code == 0
        assert json.loads(out)["scope"] == scope
    else:
        assert code == 2
        assert "kpis" not in json.loads(out)
        team = scope.startswith("team:")
        assert err.strip() == (
            f"There is no team {scope[5:]}."
            if team
            else f"There is no employee {scope}; give an employee number, team:CODE or supervisor:NUMBER."
        )


def test_a_rep_asking_for_another_rep_learns_nothing_about_them(calls):
    # when: R1 asks for R2 (who exists) and for E999 (who does not)
    existing = _kpi("--period", "2026-07", "--scope", "R2", "--user", "r1", "--json")
    missing = _kpi("--period", "2026-07", "--scope", "E999", "--user", "r1", "--json")
    # then: the same refusal, but for the number
    assert existing[0] == missing[0] == 2
    assert json.loads(existing[1])["error"].replace("R2", "X") == json.loads(missing[1])[
        "error"
    ].replace("E999", "X")
