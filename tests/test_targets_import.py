"""`telesales import targets` (PRODUCT.md §7 targets, §8)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from telesales.core.imports.base import RowError
from telesales.core.imports.registry import get_importer
from telesales.core.models import AuditEvent
from telesales.org.models import Role
from telesales.org.services import employee_hire
from telesales.targets.importers import TargetImporter, TargetRow
from telesales.targets.models import Method, Target
from tests.files import NOT_READABLE, PNG, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["scope", "period", "metric", "target"]
GOOD = [
    ["T1", "2026-Q3", "sales_amount", "300000"],
    ["R1", "2026-Q3", "Sales amount", "150000.50"],
    ["R2", "2026-07", "call_volume", "1800"],
    ["company", "2026", "销售额", "1200000"],
    ["team:T2", "2026-Q3", "重点产品销售额", "50000"],
    ["R3", "2026-q3", "成交单数", "30"],
]
EXPECTED = [
    ("R1", "2026-Q3", "sales_amount", D("150000.50")),
    ("R2", "2026-07", "call_volume", D("1800.00")),
    ("R3", "2026-Q3", "deals_won", D("30.00")),
    ("company", "2026", "sales_amount", D("1200000.00")),
    ("team:T1", "2026-Q3", "sales_amount", D("300000.00")),
    ("team:T2", "2026-Q3", "key_product_amount", D("50000.00")),
]


def _import(tmp_path, data: bytes, name: str = "targets.csv", *extra) -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "targets", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _active() -> list[tuple]:
    return sorted(
        (t.scope_code, t.period, t.metric, t.value)
        for t in Target.objects.filter(superseded_at__isnull=True).select_related(
            "team", "employee"
        )
    )


# -- parsing, without a database ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "metric"),
    [
        ("sales_amount", "sales_amount"),
        ("Sales amount", "sales_amount"),
        ("SALES AMOUNT", "sales_amount"),
        ("销售额", "sales_amount"),
        ("銷售額", "sales_amount"),
        ("key_product_amount", "key_product_amount"),
        ("Key-product sales amount", "key_product_amount"),
        ("重點產品銷售額", "key_product_amount"),
        ("Deals won", "deals_won"),
        ("成交单数", "deals_won"),
        ("通话量", "call_volume"),
        ("接通數", "connected_calls"),
        ("有效通话数", "effective_calls"),
        ("意向客户数", "intent_customers"),
        ("意向客户", "intent_customers"),
    ],
)
def test_a_metric_is_read_by_its_code_or_its_name_in_any_language(written, metric):
    # when
    row = TargetImporter().parse(
        {"scope": "R1", "period": "2026-Q3", "metric": written, "target": "10"}
    )
    # then
    assert row.metric == metric


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            {"scope": " 公司 ", "period": "2026", "metric": "sales_amount", "target": "1,000"},
            TargetRow("company", "2026", "sales_amount", D("1000.00")),
        ),
        (
            {"scope": "Team:T1", "period": "2026Q3", "metric": "deals_won", "target": "12.00"},
            TargetRow("team:T1", "2026-Q3", "deals_won", D("12.00")),
        ),
        (
            {"scope": "R1", "period": "2026-7", "metric": "sales_amount", "target": "￥99.9"},
            TargetRow("R1", "2026-07", "sales_amount", D("99.90")),
        ),
    ],
)
def test_parsing_is_pure_and_normalises_the_row(row, expected):
    assert TargetImporter().parse(row) == expected


def test_parsing_names_the_column_and_the_reason():
    # when
    with pytest.raises(RowError) as raised:
        TargetImporter().parse(
            {"scope": "R1", "period": "2026-W31", "metric": "sales_amount", "target": "1"}
        )
    # then
    assert raised.value.column == "period"
    assert raised.value.reason == (
        "“2026-W31” is not a year, a quarter or a month; write 2026, 2026-Q3 or 2026-07."
    )


def test_the_importer_declares_its_template_and_description():
    importer = get_importer("targets")
    assert isinstance(importer, TargetImporter)
    assert importer.master_data is True
    assert [c.key for c in importer.columns] == HEADER
    assert importer.example_row() == ["T1", "2026-Q3", "sales_amount", "300000"]
    assert str(importer.description).startswith("One row per target.")


# -- good files -----------------------------------------------------------------------------


def test_a_good_file_stores_every_target(org, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 6, "stored": 6, "duplicates": 0, "rejected": [], "updated": 0}
    assert _active() == EXPECTED
    assert set(Target.objects.values_list("method", flat=True)) == {Method.IMPORTED}


def test_a_workbook_with_typed_cells_stores_the_same_targets(org, tmp_path):
    # given: the year and the targets as Excel numbers
    rows = [
        ["T1", "2026-Q3", "sales_amount", 300000],
        ["R1", "2026-Q3", "Sales amount", 150000.5],
        ["R2", "2026-07", "call_volume", 1800],
        ["company", 2026, "销售额", 1200000],
        ["team:T2", "2026-Q3", "重点产品销售额", 50000],
        ["R3", "2026-q3", "成交单数", 30],
    ]
    # when
    code, payload = _import(tmp_path, xlsx_bytes(rows, HEADER), "targets.xlsx")
    # then
    assert code == 0
    assert payload == {"rows": 6, "stored": 6, "duplicates": 0, "rejected": [], "updated": 0}
    assert _active() == EXPECTED


def test_chinese_headers_in_a_gbk_file_with_crlf(org, tmp_path):
    # given
    data = csv_bytes(GOOD, ["范围", "期间", "指标", "目标"], newline="\r\n", encoding="gbk")
    # when
    code, payload = _import(tmp_path, data)
    # then
    assert code == 0
    assert payload["stored"] == 6
    assert _active() == EXPECTED


def test_running_the_same_file_again_stores_nothing_new(org, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    targets, audit = Target.objects.count(), AuditEvent.objects.exclude(action="import.run").count()
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 6, "stored": 0, "duplicates": 6, "rejected": [], "updated": 0}
    assert Target.objects.count() == targets
    assert AuditEvent.objects.exclude(action="import.run").count() == audit


def test_a_changed_target_becomes_a_new_version_and_the_old_one_is_kept(org, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    old = Target.objects.get(employee=org.r1)
    changed = [GOOD[0], ["R1", "2026-Q3", "sales_amount", "160000"], *GOOD[2:]]
    # when
    code, payload = _import(tmp_path, csv_bytes(changed, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 6, "stored": 0, "duplicates": 5, "rejected": [], "updated": 1}
    new = Target.objects.get(employee=org.r1, superseded_at__isnull=True)
    assert new.value == D("160000.00")
    old.refresh_from_db()
    assert (old.value, old.superseded_by) == (D("150000.50"), new)
    assert old.superseded_at is not None
    event = AuditEvent.objects.filter(action="target.set").latest("id")
    assert (event.before["value"], event.after["value"]) == ("150000.50", "160000.00")


def test_a_dry_run_counts_and_stores_nothing(org, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER), "targets.csv", "--dry-run")
    # then
    assert code == 0
    assert payload["stored"] == 6
    assert Target.objects.count() == 0


# -- bad rows -------------------------------------------------------------------------------


def test_bad_rows_are_rejected_with_their_line_column_and_reason(org, tmp_path):
    # given
    rows = [
        ["X9", "2026-Q3", "sales_amount", "100"],  # 2
        ["R1", "2026-07-15", "sales_amount", "100"],  # 3
        ["R1", "Q3", "sales_amount", "100"],  # 4
        ["R1", "2026-Q3", "revenue", "100"],  # 5
        ["R1", "2026-Q3", "sales_amount", "-5"],  # 6
        ["R1", "2026-Q3", "sales_amount", "lots"],  # 7
        ["R1", "2026-Q3", "call_volume", "10.5"],  # 8
        ["R1", "2026-Q3", "sales_amount", "9.999"],  # 9
        ["R1", "2026-Q3", "sales_amount", "1000"],  # 10: stored
        ["R1", "2026q3", "销售额", "2000"],  # 11
        ["", "2026-Q3", "sales_amount", "1"],  # 12
        ["R2", "2026-Q3", "sales_amount", ""],  # 13
        ["R2", "2026-Q3", "sales_amount", "1e13"],  # 14
        ["T1", "2026-08", "deals_won", "40"],  # 15: stored
        ["team:T1", "2026-08", "deals_won", "41"],  # 16
        ["R2", "2026-Q3", "deals_won", "12"],  # 17: stored
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert payload == {
        "rows": 16,
        "stored": 3,
        "duplicates": 0,
        "updated": 0,
        "rejected": [
            {
                "row": 2,
                "column": "scope",
                "reason": "“X9” is not an employee number or a team code whose targets you may "
                "set.",
            },
            {
                "row": 3,
                "column": "period",
                "reason": "“2026-07-15” is not a year, a quarter or a month; write 2026, "
                "2026-Q3 or 2026-07.",
            },
            {
                "row": 4,
                "column": "period",
                "reason": "“Q3” is not a year, a quarter or a month; write 2026, 2026-Q3 or "
                "2026-07.",
            },
            {
                "row": 5,
                "column": "metric",
                "reason": "“revenue” is not a metric with targets; write one of: sales_amount, "
                "key_product_amount, deals_won, call_volume, connected_calls, effective_calls, "
                "intent_customers.",
            },
            {"row": 6, "column": "target", "reason": "A target cannot be negative."},
            {"row": 7, "column": "target", "reason": "“lots” is not a number."},
            {
                "row": 8,
                "column": "target",
                "reason": "A target for Call volume is a whole number; 10.5 has decimals.",
            },
            {"row": 9, "column": "target", "reason": "A target has at most two decimal places."},
            {
                "row": 11,
                "column": "scope",
                "reason": "The sales_amount target of R1 for 2026-Q3 already appears on line 10 "
                "of this file.",
            },
            {"row": 12, "column": "scope", "reason": "A value is required."},
            {"row": 13, "column": "target", "reason": "A number is required."},
            {"row": 14, "column": "target", "reason": "The target is too large."},
            {
                "row": 16,
                "column": "scope",
                "reason": "The deals_won target of team:T1 for 2026-08 already appears on line "
                "15 of this file.",
            },
        ],
    }
    assert _active() == [
        ("R1", "2026-Q3", "sales_amount", D("1000.00")),
        ("R2", "2026-Q3", "deals_won", D("12.00")),
        ("team:T1", "2026-08", "deals_won", D("40.00")),
    ]


def test_a_code_that_is_both_an_employee_and_a_team_must_name_the_team(org, tmp_path):
    # given an employee whose number is T2's code, and one hired after the quarter
    employee_hire(
        actor=None,
        employee_no="T2",
        name="撞号",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2025, 3, 1),
    )
    employee_hire(
        actor=None,
        employee_no="R9",
        name="新人",
        role=Role.REP,
        team=org.t1,
        manager=org.s1,
        hire_date=dt.date(2026, 10, 8),
    )
    rows = [
        ["T2", "2026-Q3", "sales_amount", "100"],
        ["team:T2", "2026-Q3", "sales_amount", "200"],
        ["R9", "2026-Q3", "sales_amount", "300"],
        ["R9", "2026-10", "sales_amount", "400"],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert payload["rejected"] == [
        {
            "row": 2,
            "column": "scope",
            "reason": "“T2” is both an employee number and a team code; write team:T2 for the "
            "team's target.",
        },
        {
            "row": 4,
            "column": "scope",
            "reason": "R9 is not employed on any day of 2026-Q3.",
        },
    ]
    assert _active() == [
        ("R9", "2026-10", "sales_amount", D("400.00")),
        ("team:T2", "2026-Q3", "sales_amount", D("200.00")),
    ]


def test_a_file_that_cannot_be_read_is_refused_and_changes_nothing(org, tmp_path):
    # when
    code, payload = _import(tmp_path, PNG, "targets.csv")
    # then
    assert code == 2
    assert payload == {"error": NOT_READABLE}
    assert Target.objects.count() == 0


def test_a_missing_column_refuses_the_file(org, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes([["R1", "2026-Q3", "1"]], HEADER[:2] + ["target"]))
    # then
    assert code == 2
    assert payload == {
        "error": "The first row must name the columns. Missing: metric (Metric). "
        "Download the template to see the expected headers."
    }
    assert Target.objects.count() == 0


# -- scope ----------------------------------------------------------------------------------


def test_a_supervisor_sets_only_their_reps_targets(org, tmp_path):
    # given S1 leads T1 (R1, R2); T1's own target is their manager's, T2 and R3 are not theirs
    rows = [
        ["R1", "2026-Q3", "sales_amount", "100"],
        ["T1", "2026-Q3", "sales_amount", "200"],
        ["R3", "2026-Q3", "sales_amount", "300"],
        ["team:T2", "2026-Q3", "sales_amount", "400"],
        ["S1", "2026-Q3", "sales_amount", "500"],
        ["company", "2026-Q3", "sales_amount", "600"],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER), "targets.csv", "--user", "s1")
    # then
    assert code == 1
    unknown = "“%s” is not an employee number or a team code whose targets you may set."
    assert payload == {
        "rows": 6,
        "stored": 1,
        "duplicates": 0,
        "updated": 0,
        "rejected": [
            {"row": 3, "column": "scope", "reason": unknown % "T1"},
            {"row": 4, "column": "scope", "reason": unknown % "R3"},
            {"row": 5, "column": "scope", "reason": unknown % "team:T2"},
            {"row": 6, "column": "scope", "reason": unknown % "S1"},
            {"row": 7, "column": "scope", "reason": "You may not set the company's targets."},
        ],
    }
    assert _active() == [("R1", "2026-Q3", "sales_amount", D("100.00"))]
    assert Target.objects.get().created_by == org.s1.user


def test_rows_outside_the_users_scope_store_nothing(org, tmp_path):
    # given S2 (T2) imports targets of T1's reps only
    rows = [["R1", "2026-Q3", "sales_amount", "100"], ["R2", "2026-Q3", "sales_amount", "100"]]
    audit = AuditEvent.objects.exclude(action="import.run").count()
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER), "targets.csv", "--user", "s2")
    # then
    assert code == 1
    assert [r["row"] for r in payload["rejected"]] == [2, 3]
    assert payload["stored"] == 0
    assert Target.objects.count() == 0
    assert AuditEvent.objects.exclude(action="import.run").count() == audit


def test_a_manager_sets_team_and_company_targets(org, tmp_path):
    rows = [["T1", "2026-Q3", "sales_amount", "200"], ["company", "2026", "sales_amount", "900"]]
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER), "targets.csv", "--user", "m1")
    assert code == 0
    assert payload["stored"] == 2


@pytest.mark.parametrize(
    ("employee", "allowed"),
    [("admin", True), ("hr", True), ("manager", True), ("s1", True), ("r1", False)]
    + [("staff", False)],
)
def test_who_may_import_targets(org, employee, allowed):
    assert TargetImporter().allowed(getattr(org, employee).user) is allowed


def test_the_command_refuses_a_user_who_may_not_import_targets(org, tmp_path):
    # given
    path = tmp_path / "targets.csv"
    path.write_bytes(csv_bytes([["R1", "2026-Q3", "sales_amount", "100"]], HEADER))
    # when
    with pytest.raises(CommandError) as raised:
        call_command("import", "targets", str(path), "--user", "r1", stdout=io.StringIO())
    # then
    assert str(raised.value) == "User r1 may not import targets."
    assert raised.value.returncode == 2
    assert Target.objects.count() == 0


def test_the_summary_without_json(org, tmp_path):
    # given
    path = tmp_path / "targets.csv"
    path.write_bytes(csv_bytes([GOOD[0], ["R1", "2026-Q3", "sales_amount", "-1"]], HEADER))
    out = io.StringIO()
    # when
    with pytest.raises(SystemExit) as exited:
        call_command("import", "targets", str(path), "--no-progress", stdout=out)
    # then
    assert exited.value.code == 1
    assert out.getvalue().splitlines() == [
        "2 rows: 1 stored, 0 updated, 0 already stored, 1 rejected.",
        "row 3, target: A target cannot be negative.",
    ]
