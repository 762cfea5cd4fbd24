"""`telesales import employees` and import_execute (PRODUCT.md §7 employees, §8)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from telesales.core.imports.registry import get_importer
from telesales.core.imports.services import import_execute
from telesales.core.models import AuditEvent, ImportRun
from telesales.org.models import (
    Department,
    Employee,
    EmployeeEvent,
    Extension,
    Role,
    Team,
    TeamAssignment,
)
from telesales.org.services import extension_assign
from tests.files import NOT_READABLE, PNG, csv_bytes, xlsx_bytes

LOCALE_DIR = Path(__file__).resolve().parent.parent / "telesales" / "locale"

HEADER = [
    "employee_no",
    "name",
    "team",
    "role",
    "manager_no",
    "hire_date",
    "leave_date",
    "extension",
    "email",
    "pay_grade",
]
GOOD = [
    ["E001", "张伟", "T9", "rep", "S009", "2026-01-05", "", "8101", "zhang.wei@example.com", "P3"],
    ["E002", "李娜", "T9", "rep", "S009", "2026-01-05", "2026-06-30", "8102", "", "P3"],
    ["S009", "王芳", "T9", "supervisor", "", "2025-06-01", "", "8109", "", "P5"],
]


pytestmark = pytest.mark.usefixtures("english")


def _csv(rows, header=HEADER, **options) -> bytes:
    return csv_bytes(rows, header, **options)


def _xlsx(rows, header=HEADER) -> bytes:
    return xlsx_bytes(rows, header)


def _write(tmp_path, data: bytes, name: str = "employees.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _command(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import", "employees", *args, stdout=out, stderr=err)
    return exited.value.code, out.getvalue(), err.getvalue()


def _import_json(path: str, *extra) -> tuple[int, dict]:
    code, out, _err = _command(path, "--json", *extra)
    return code, json.loads(out)


def _execute(data: bytes, *, dry_run: bool = False, actor=None):
    return import_execute(
        importer=get_importer("employees"), stream=io.BytesIO(data), actor=actor, dry_run=dry_run
    )


def _counts() -> dict[str, int]:
    return {
        "employees": Employee.objects.count(),
        "events": EmployeeEvent.objects.count(),
        "assignments": TeamAssignment.objects.count(),
        "extensions": Extension.objects.count(),
        "teams": Team.objects.count(),
        "departments": Department.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def _people() -> list[tuple]:
    """Everything the import sets, per employee, in a comparable form."""
    return [
        (
            e.employee_no,
            e.name,
            e.team.code if e.team else None,
            e.role,
            e.manager.employee_no if e.manager else None,
            e.hire_date,
            e.leave_date,
            e.email,
            e.pay_grade,
            [(x.number, x.valid_from, x.valid_to) for x in e.extensions.order_by("number")],
        )
        for e in Employee.objects.select_related("team", "manager").order_by("employee_no")
    ]


EXPECTED_PEOPLE = [
    (
        "E001",
        "张伟",
        "T9",
        "rep",
        "S009",
        dt.date(2026, 1, 5),
        None,
        "zhang.wei@example.com",
        "P3",
        [("8101", dt.date(2026, 1, 5), None)],
    ),
    (
        "E002",
        "李娜",
        "T9",
        "rep",
        "S009",
        dt.date(2026, 1, 5),
        dt.date(2026, 6, 30),
        "",
        "P3",
        [("8102", dt.date(2026, 1, 5), dt.date(2026, 6, 30))],
    ),
    (
        "S009",
        "王芳",
        "T9",
        "supervisor",
        None,
        dt.date(2025, 6, 1),
        None,
        "",
        "P5",
        [("8109", dt.date(2025, 6, 1), None)],
    ),
]


# --- a good file ------------------------------------------------------------------------------


def test_a_good_file_stores_every_employee(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 3, "duplicates": 0, "rejected": [], "updated": 0}
    assert _people() == EXPECTED_PEOPLE


def test_a_team_named_that_does_not_exist_is_created_with_the_value_as_code(db, tmp_path):
    # given
    assert not Team.objects.filter(code="T9").exists()
    path = _write(tmp_path, _csv(GOOD))
    # when
    code, _payload = _import_json(path)
    # then
    assert code == 0
    team = Team.objects.select_related("department").get(code="T9")
    assert (team.code, team.name, team.department.code) == ("T9", "T9", "sales")
    assert sorted(team.members.values_list("employee_no", flat=True)) == ["E001", "E002", "S009"]


def test_a_supervisor_leads_the_team_in_their_team_column(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    _import_json(path)
    # then
    assert Team.objects.get(code="T9").supervisor.employee_no == "S009"


def test_manager_no_may_name_a_later_row(db, tmp_path):
    # given: E001 and E002 come before their manager S009
    path = _write(tmp_path, _csv(GOOD))
    # when
    _import_json(path)
    # then
    managers = dict(Employee.objects.values_list("employee_no", "manager__employee_no"))
    assert managers == {"E001": "S009", "E002": "S009", "S009": None}


def test_manager_no_may_name_an_existing_employee(org, tmp_path):
    # given
    row = ["E101", "新人", "T1", "rep", "S1", "2026-09-01", "", "", "", ""]
    path = _write(tmp_path, _csv([row]))
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload["stored"] == 1
    employee = Employee.objects.get(employee_no="E101")
    assert (employee.manager, employee.team) == (org.s1, org.t1)


def test_the_extension_belongs_to_the_employee_from_hire_date_to_leave_date(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    _import_json(path)
    # then
    extension = Extension.objects.get(number="8102")
    assert (extension.employee.employee_no, extension.valid_from, extension.valid_to) == (
        "E002",
        dt.date(2026, 1, 5),
        dt.date(2026, 6, 30),
    )


def test_a_leaver_gets_hire_and_leave_history_and_a_closed_team_assignment(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    _import_json(path)
    # then
    e002 = Employee.objects.get(employee_no="E002")
    assert [(e.kind, e.date) for e in e002.events.all()] == [
        ("hire", dt.date(2026, 1, 5)),
        ("leave", dt.date(2026, 6, 30)),
    ]
    assert [(a.team.code, a.start, a.end) for a in e002.team_assignments.all()] == [
        ("T9", dt.date(2026, 1, 5), dt.date(2026, 6, 30))
    ]


def test_the_command_records_its_run_and_one_audit_row(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    _import_json(path)
    # then
    run = ImportRun.objects.get()
    assert (run.kind, run.source, run.status, run.filename) == (
        "employees",
        "cli",
        "done",
        "employees.csv",
    )
    assert (run.rows, run.stored, run.updated, run.duplicates, run.rejected) == (3, 3, 0, 0, [])
    audit = AuditEvent.objects.get(action="import.run")
    assert audit.actor_label == "command line"
    assert audit.after == {
        "kind": "employees",
        "file": "employees.csv",
        "rows": 3,
        "stored": 3,
        "updated": 0,
        "duplicates": 0,
        "rejected": 0,
    }


def test_the_summary_without_json(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    code, out, _err = _command(path)
    # then
    assert code == 0
    assert out == "3 rows: 3 stored, 0 updated, 0 already stored, 0 rejected.\n"


def test_json_output_has_exactly_the_documented_keys(db, tmp_path):
    # given
    path = _write(
        tmp_path, _csv([*GOOD, ["E009", "", "T9", "rep", "", "2026-01-05", "", "", "", ""]])
    )
    # when
    code, out, _err = _command(path, "--json")
    # then
    assert code == 1
    assert out.count("\n") <= 1
    payload = json.loads(out)
    assert set(payload) == {"rows", "stored", "duplicates", "rejected", "updated"}
    assert payload["rejected"] == [{"row": 5, "column": "name", "reason": "A value is required."}]
    assert all(isinstance(payload[k], int) for k in ("rows", "stored", "duplicates", "updated"))


def test_the_command_acts_as_the_named_user(org, tmp_path):
    # given
    path = _write(tmp_path, _csv([["E101", "新人", "T1", "rep", "", "2026-09-01", "", "", "", ""]]))
    # when
    code, _payload = _import_json(path, "--user", "h1")
    # then
    assert code == 0
    assert ImportRun.objects.get().user == org.hr.user
    hire = AuditEvent.objects.get(action="employee.hire", object_repr="E101 新人")
    assert hire.actor == org.hr.user


def test_the_command_refuses_a_user_who_may_not_import_employees(org, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    with pytest.raises(CommandError) as raised:
        call_command("import", "employees", path, "--user", "r1", stdout=io.StringIO())
    # then
    assert str(raised.value) == "User r1 may not import employees."
    assert raised.value.returncode == 2
    assert not Employee.objects.filter(employee_no="E001").exists()


# --- bad rows ---------------------------------------------------------------------------------

BAD_FILE = (
    "employee_no,name,team,role,manager_no,hire_date,leave_date,extension,email,pay_grade\n"
    "E001,张伟,T9,rep,S009,2026-01-05,,8101,,P3\n"
    "E002,李娜,T9,rep,,2026-13-01,,,,P3\n"
    "\n"
    'E003,"Wang, Fang",T9,boss,,2026-01-05,,,,\n'
    'E004,"Multi\nline",T9,rep,X999,2026-01-05,,,,\n'
    "E001,张伟二,T9,rep,,2026-02-01,,,,\n"
    "E005,赵六,T9,rep,,2026-03-01,2026-02-01,,,\n"
    "S009,王芳,T9,supervisor,,2025-06-01,,8109,,P5\n"
).encode()

BAD_REJECTED = [
    {
        "row": 3,
        "column": "hire_date",
        "reason": "“2026-13-01” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.",
    },
    {
        "row": 5,
        "column": "role",
        "reason": "“boss” is not one of: admin, hr, manager, rep, staff, supervisor.",
    },
    {
        "row": 6,
        "column": "manager_no",
        "reason": "No employee X999 exists in this file or in the system.",
    },
    {
        "row": 8,
        "column": "employee_no",
        "reason": "Employee E001 already appears on line 2 of this file.",
    },
    {"row": 9, "column": "leave_date", "reason": "The leave date is before the hire date."},
]


def test_bad_rows_are_reported_with_line_and_column_and_good_rows_stored(db, tmp_path):
    # given
    path = _write(tmp_path, BAD_FILE)
    # when
    code, payload = _import_json(path)
    # then
    assert code == 1
    assert payload == {
        "rows": 7,
        "stored": 2,
        "duplicates": 0,
        "rejected": BAD_REJECTED,
        "updated": 0,
    }
    e001 = Employee.objects.get(employee_no="E001")
    assert (e001.name, e001.manager.employee_no) == ("张伟", "S009")
    assert sorted(Employee.objects.values_list("employee_no", flat=True)) == ["E001", "S009"]
    assert ImportRun.objects.get().rejected == BAD_REJECTED


def test_bad_rows_through_import_execute(db):
    # when
    result, info = _execute(BAD_FILE)
    # then
    assert (result.rows, result.stored, result.updated, result.duplicates) == (7, 2, 0, 0)
    assert [r.as_dict() for r in result.rejected] == BAD_REJECTED
    assert info["format"] == "csv"
    assert info["columns"] == HEADER


def test_bad_rows_in_text_output(db, tmp_path):
    # given
    path = _write(tmp_path, BAD_FILE)
    # when
    code, out, _err = _command(path)
    # then
    assert code == 1
    assert out.splitlines() == [
        "7 rows: 2 stored, 0 updated, 0 already stored, 5 rejected.",
        *(f"row {r['row']}, {r['column']}: {r['reason']}" for r in BAD_REJECTED),
    ]


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"employee_no": ""}, "employee_no", "A value is required."),
        ({"name": ""}, "name", "A value is required."),
        ({"hire_date": ""}, "hire_date", "A date is required."),
        (
            {"hire_date": "05/01/2026"},
            "hire_date",
            "“05/01/2026” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.",
        ),
        (
            {"leave_date": "2026-02-30"},
            "leave_date",
            "“2026-02-30” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.",
        ),
        ({"manager_no": "E001"}, "manager_no", "An employee cannot be their own manager."),
        ({"email": "zhang.example.com"}, "email", "“zhang.example.com” is not an email address."),
        ({"extension": "80 01"}, "extension", "“80 01” is not an extension or agent id."),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_bad_cell_is_reported_on_its_column(db, cells, column, reason):
    # given
    row = dict(zip(HEADER, GOOD[0], strict=True)) | {"manager_no": ""} | cells
    data = _csv([[row[k] for k in HEADER], GOOD[2]])
    # when
    result, _info = _execute(data)
    # then
    assert [r.as_dict() for r in result.rejected] == [
        {"row": 2, "column": column, "reason": reason}
    ]
    assert list(Employee.objects.values_list("employee_no", flat=True)) == ["S009"]


@pytest.mark.parametrize(
    ("column", "value"), [("team", "T" * 41), ("pay_grade", "P" * 21), ("position", "X" * 101)]
)
def test_a_value_too_long_for_its_column_rejects_the_row(db, column, value):
    # given
    header = ["employee_no", "name", "role", "hire_date", column]
    data = _csv([["E001", "张伟", "rep", "2026-01-05", value]], header)
    # when
    result, _info = _execute(data)
    # then
    assert [(r.row, r.column) for r in result.rejected] == [(2, column)]
    assert Employee.objects.count() == 0


def test_a_base_bonus_with_three_decimals_is_not_updated_on_every_run(db, tmp_path):
    # given
    header = ["employee_no", "name", "role", "hire_date", "base_bonus"]
    path = _write(tmp_path, _csv([["E001", "张伟", "rep", "2026-01-05", "5000.555"]], header))
    _import_json(path)
    # when
    _code, payload = _import_json(path)
    # then
    assert (payload["stored"], payload["updated"]) == (0, 0)


@pytest.mark.parametrize(
    "hire_date", ["2026/01/05", "2026.1.5", "2026年1月5日", "20260105", "2026-01-05 00:00:00"]
)
def test_common_date_spellings_are_accepted(db, hire_date):
    # given
    data = _csv([["E001", "张伟", "", "rep", "", hire_date, "", "", "", ""]])
    # when
    result, _info = _execute(data)
    # then
    assert result.rejected == []
    assert Employee.objects.get().hire_date == dt.date(2026, 1, 5)


def test_roles_may_be_given_by_their_label(db):
    # given
    data = _csv([["E001", "张伟", "", "Sales manager", "", "2026-01-05", "", "", "", ""]])
    # when
    result, _info = _execute(data)
    # then
    assert result.rejected == []
    assert Employee.objects.get().role == Role.MANAGER


def test_an_extension_owned_by_someone_else_is_rejected(org, tmp_path):
    # given
    extension_assign(actor=None, employee=org.r1, number="8001", valid_from=dt.date(2025, 1, 6))
    path = _write(
        tmp_path, _csv([["E101", "新人", "T1", "rep", "", "2026-09-01", "", "8001", "", ""]])
    )
    # when
    code, payload = _import_json(path)
    # then
    assert code == 1
    assert payload["rejected"] == [
        {"row": 2, "column": "extension", "reason": "Extension 8001 already belongs to R1 张一."}
    ]
    assert not Employee.objects.filter(employee_no="E101").exists()


def test_an_extension_freed_by_a_leaver_may_be_given_to_a_new_hire(db):
    # given: E001 leaves on 2026-03-01, E002 starts that day on the same extension
    data = _csv(
        [
            ["E001", "张伟", "", "rep", "", "2026-01-05", "2026-03-01", "8101", "", ""],
            ["E002", "李娜", "", "rep", "", "2026-03-01", "", "8101", "", ""],
        ]
    )
    # when
    result, _info = _execute(data)
    # then
    assert result.rejected == []
    assert [
        (x.employee.employee_no, x.valid_from, x.valid_to)
        for x in Extension.objects.filter(number="8101")
    ] == [
        ("E001", dt.date(2026, 1, 5), dt.date(2026, 3, 1)),
        ("E002", dt.date(2026, 3, 1), None),
    ]


def test_two_rows_of_one_file_with_the_same_extension_reject_the_second(db, tmp_path):
    # given
    rows = [
        ["E001", "张伟", "", "rep", "", "2026-01-05", "", "8101", "", ""],
        ["E002", "李娜", "", "rep", "", "2026-02-01", "", "8101", "", ""],
    ]
    path = _write(tmp_path, _csv(rows))
    # when
    code, payload = _import_json(path)
    # then
    assert code == 1
    assert [(r["row"], r["column"]) for r in payload["rejected"]] == [(3, "extension")]
    assert list(Employee.objects.values_list("employee_no", flat=True)) == ["E001"]


def test_a_row_whose_manager_row_was_rejected_is_not_stored_without_its_manager(org, tmp_path):
    # given: S009's extension belongs to R1, so S009 is rejected; E001 names S009 as manager
    extension_assign(actor=None, employee=org.r1, number="8001", valid_from=dt.date(2025, 1, 6))
    rows = [
        ["E001", "张伟", "T1", "rep", "S009", "2026-01-05", "", "", "", ""],
        ["S009", "王芳", "T1", "supervisor", "", "2025-06-01", "", "8001", "", ""],
    ]
    path = _write(tmp_path, _csv(rows))
    # when
    code, payload = _import_json(path)
    # then
    assert code == 1
    assert [(r["row"], r["column"]) for r in payload["rejected"]] == [
        (2, "manager_no"),
        (3, "extension"),
    ]
    assert not Employee.objects.filter(employee_no="E001").exists()


# --- exit status and unreadable files ----------------------------------------------------------


def test_an_unreadable_file_exits_2_and_stores_nothing(db, tmp_path):
    # given: PNG bytes named .csv
    path = _write(tmp_path, PNG, "employees.csv")
    before = _counts()
    # when
    code, out, err = _command(path, "--json")
    # then
    assert code == 2
    assert json.loads(out) == {"error": NOT_READABLE}
    assert err == NOT_READABLE + "\n"
    assert _counts() == before
    run = ImportRun.objects.get()
    assert (run.status, run.message, run.stored) == ("failed", NOT_READABLE, 0)


def test_a_missing_file_exits_2(db, tmp_path):
    # given
    path = str(tmp_path / "nope.csv")
    # when
    code, out, _err = _command(path, "--json")
    # then
    assert code == 2
    assert json.loads(out) == {"error": f"The file {path} does not exist."}


@pytest.mark.parametrize(
    ("drop", "named"),
    [
        (["hire_date"], "hire_date (Hire date)"),
        (["employee_no", "role"], "employee_no (Employee number), role (Role)"),
    ],
)
def test_a_missing_required_header_refuses_the_file_naming_the_column(db, tmp_path, drop, named):
    # given
    keep = [i for i, key in enumerate(HEADER) if key not in drop]
    data = _csv([[row[i] for i in keep] for row in GOOD], [HEADER[i] for i in keep])
    path = _write(tmp_path, data)
    before = _counts()
    # when
    code, payload = _import_json(path)
    # then
    assert code == 2
    assert payload == {
        "error": f"The first row must name the columns. Missing: {named}. "
        "Download the template to see the expected headers."
    }
    assert _counts() == before


def test_a_file_of_data_without_a_header_row_is_refused(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD, header=None))
    # when
    code, payload = _import_json(path)
    # then
    assert code == 2
    assert payload["error"].startswith("The first row must name the columns. Missing: ")
    assert Employee.objects.count() == 0


# --- re-runs and updates ----------------------------------------------------------------------


def test_running_the_same_file_again_stores_nothing(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    _import_json(path)
    before = _counts()
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 0, "duplicates": 3, "rejected": [], "updated": 0}
    after = _counts()
    assert after == before | {"audit": before["audit"] + 1}
    assert AuditEvent.objects.order_by("-id").first().action == "import.run"
    assert _people() == EXPECTED_PEOPLE


FULL_HEADER = [*HEADER, "department", "position", "base_bonus"]


def test_running_a_file_with_every_column_again_stores_nothing(org, tmp_path):
    # given: the optional columns too, some cells left empty
    rows = [
        [
            "E101",
            "新人一",
            "T1",
            "rep",
            "S1",
            "2026-09-01",
            "",
            "8201",
            "",
            "P3",
            "sales",
            "",
            "5000",
        ],
        ["H101", "人事二", "", "hr", "", "2026-09-01", "", "", "", "", "hr", "HRBP", ""],
        ["C101", "客服二", "", "staff", "", "2026-09-01", "", "", "", "", "", "", ""],
    ]
    path = _write(tmp_path, _csv(rows, FULL_HEADER))
    _import_json(path)
    before = _counts()
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 0, "duplicates": 3, "rejected": [], "updated": 0}
    assert _counts() == before | {"audit": before["audit"] + 1}
    e101 = Employee.objects.get(employee_no="E101")
    assert (e101.department.code, e101.base_bonus) == ("sales", Decimal("5000.00"))


def test_running_a_file_with_an_empty_department_cell_again_stores_nothing(org, tmp_path):
    # given: a team member whose department cell is empty (the template has the column)
    rows = [["E102", "新人二", "T1", "rep", "S1", "2026-09-01", "", "8202", "", "P3", "", "", ""]]
    path = _write(tmp_path, _csv(rows, FULL_HEADER))
    _import_json(path)
    before = _counts()
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 1, "stored": 0, "duplicates": 1, "rejected": [], "updated": 0}
    assert _counts() == before | {"audit": before["audit"] + 1}
    assert Employee.objects.get(employee_no="E102").department == org.sales


def test_a_changed_team_is_counted_as_updated_and_becomes_a_transfer(db, tmp_path):
    # given
    _import_json(_write(tmp_path, _csv(GOOD), "first.csv"))
    changed = [GOOD[0][:2] + ["T8"] + GOOD[0][3:], GOOD[1], GOOD[2]]
    path = _write(tmp_path, _csv(changed), "second.csv")
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 0, "duplicates": 2, "rejected": [], "updated": 1}
    e001 = Employee.objects.get(employee_no="E001")
    assert e001.team.code == "T8"
    today = timezone.localdate()
    assert [
        (e.kind, e.date, e.from_team.code if e.from_team else None, e.to_team.code)
        for e in e001.events.all()
    ] == [
        ("hire", dt.date(2026, 1, 5), None, "T9"),
        ("transfer", today, "T9", "T8"),
    ]
    assert [(a.team.code, a.start, a.end) for a in e001.team_assignments.all()] == [
        ("T9", dt.date(2026, 1, 5), today),
        ("T8", today, None),
    ]


def test_a_changed_pay_grade_is_counted_as_updated_without_new_history(db, tmp_path):
    # given
    _import_json(_write(tmp_path, _csv(GOOD), "first.csv"))
    events_before = EmployeeEvent.objects.count()
    changed = [GOOD[0], GOOD[1][:9] + ["P4"], GOOD[2]]
    path = _write(tmp_path, _csv(changed), "second.csv")
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 0, "duplicates": 2, "rejected": [], "updated": 1}
    assert Employee.objects.get(employee_no="E002").pay_grade == "P4"
    assert EmployeeEvent.objects.count() == events_before
    update = AuditEvent.objects.filter(action="employee.update").latest("id")
    assert (update.before, update.after) == ({"pay_grade": "P3"}, {"pay_grade": "P4"})


def test_a_changed_manager_is_counted_as_updated(org, tmp_path):
    # given
    row = ["E101", "新人", "T1", "rep", "S1", "2026-09-01", "", "", "", ""]
    _import_json(_write(tmp_path, _csv([row]), "first.csv"))
    path = _write(tmp_path, _csv([row[:4] + ["M1"] + row[5:]]), "second.csv")
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 1, "stored": 0, "duplicates": 0, "rejected": [], "updated": 1}
    assert Employee.objects.get(employee_no="E101").manager == org.manager


def test_a_file_without_optional_columns_keeps_the_stored_values(db, tmp_path):
    # given: E001 and S009 re-sent with the required columns only
    _import_json(_write(tmp_path, _csv(GOOD), "first.csv"))
    before = _counts()
    header = ["employee_no", "name", "role", "hire_date"]
    rows = [[r[0], r[1], r[3], r[5]] for r in (GOOD[0], GOOD[2])]
    path = _write(tmp_path, _csv(rows, header), "second.csv")
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 2, "stored": 0, "duplicates": 2, "rejected": [], "updated": 0}
    assert _people() == EXPECTED_PEOPLE
    assert _counts() == before | {"audit": before["audit"] + 1}


def test_a_file_without_the_leave_date_column_keeps_stored_leave_dates(db, tmp_path):
    # given: E002 left on 2026-06-30; the second file has no leave_date column
    _import_json(_write(tmp_path, _csv(GOOD), "first.csv"))
    before = _counts()
    header = ["employee_no", "name", "role", "hire_date"]
    rows = [[r[0], r[1], r[3], r[5]] for r in GOOD]
    path = _write(tmp_path, _csv(rows, header), "second.csv")
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 0, "duplicates": 3, "rejected": [], "updated": 0}
    assert Employee.objects.get(employee_no="E002").leave_date == dt.date(2026, 6, 30)
    assert _counts() == before | {"audit": before["audit"] + 1}


def test_a_new_row_added_to_a_known_file_is_the_only_one_stored(db, tmp_path):
    # given
    _import_json(_write(tmp_path, _csv(GOOD), "first.csv"))
    extra = ["E003", "赵六", "T9", "rep", "S009", "2026-10-08", "", "8103", "", "P3"]
    path = _write(tmp_path, _csv([*GOOD, extra]), "second.csv")
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 1, "duplicates": 3, "rejected": [], "updated": 0}
    assert Employee.objects.get(employee_no="E003").manager.employee_no == "S009"


# --- dry run ----------------------------------------------------------------------------------


def test_dry_run_counts_but_stores_nothing(db, tmp_path):
    # given
    path = _write(tmp_path, BAD_FILE)
    before = _counts()
    # when
    code, payload = _import_json(path, "--dry-run")
    # then
    assert code == 1
    assert payload == {
        "rows": 7,
        "stored": 2,
        "duplicates": 0,
        "rejected": BAD_REJECTED,
        "updated": 0,
    }
    assert _counts() == before
    assert ImportRun.objects.count() == 0


def test_dry_run_summary_says_nothing_was_stored(db, tmp_path):
    # given
    path = _write(tmp_path, _csv(GOOD))
    # when
    code, out, _err = _command(path, "--dry-run")
    # then
    assert code == 0
    assert (
        out
        == "3 rows: 3 stored, 0 updated, 0 already stored, 0 rejected (dry run, nothing stored).\n"
    )
    assert Employee.objects.count() == 0


def test_dry_run_through_import_execute_rolls_back(db):
    # given
    before = _counts()
    # when
    result, _info = _execute(_csv(GOOD), dry_run=True)
    # then
    assert (result.rows, result.stored, result.rejected) == (3, 3, [])
    assert _counts() == before


# --- encodings, line ends, workbooks, header spellings -----------------------------------------


def _utf8_lf() -> bytes:
    return _csv(GOOD)


def _gbk_crlf() -> bytes:
    return _csv(GOOD, newline="\r\n", encoding="gbk")


def _gb18030_cr() -> bytes:
    return _csv(GOOD, newline="\r", encoding="gb18030")


def _bom_cr() -> bytes:
    return b"\xef\xbb\xbf" + _csv(GOOD, newline="\r")


def _utf16_tabs() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\r\n")
    writer.writerows([HEADER, *GOOD])
    return buffer.getvalue().encode("utf-16")


def _workbook() -> bytes:
    return _xlsx(GOOD)


def _workbook_typed() -> bytes:
    """Dates as date cells and extensions as numbers, as Excel users type them."""
    typed = [
        [
            *r[:5],
            dt.date.fromisoformat(r[5]),
            dt.date.fromisoformat(r[6]) if r[6] else None,
            int(r[7]),
            r[8] or None,
            r[9],
        ]
        for r in GOOD
    ]
    return _xlsx(typed)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (_utf8_lf, "employees.csv"),
        (_gbk_crlf, "employees.csv"),
        (_gb18030_cr, "employees.csv"),
        (_bom_cr, "employees.csv"),
        (_utf16_tabs, "employees.txt"),
        (_workbook, "employees.xlsx"),
        (_workbook_typed, "employees.xlsx"),
    ],
    ids=["utf8-lf", "gbk-crlf", "gb18030-cr", "bom-cr", "utf16-tab", "xlsx", "xlsx-typed"],
)
def test_every_encoding_line_end_and_workbook_imports_the_same_employees(db, tmp_path, build, name):
    # given
    path = _write(tmp_path, build(), name)
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 3, "duplicates": 0, "rejected": [], "updated": 0}
    assert _people() == EXPECTED_PEOPLE


def test_a_gbk_file_then_the_same_rows_as_xlsx_is_a_duplicate(db, tmp_path):
    # given
    _import_json(_write(tmp_path, _gbk_crlf(), "employees.csv"))
    path = _write(tmp_path, _workbook_typed(), "employees.xlsx")
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 0, "duplicates": 3, "rejected": [], "updated": 0}


def test_headers_may_be_english_labels_in_any_case_and_order(db, tmp_path):
    # given
    header = [
        "Hire Date",
        "EMPLOYEE NUMBER",
        " Name ",
        "team",
        "Role",
        "Manager number",
        "Extension",
        "unknown",
    ]
    rows = [[r[5], r[0], r[1], r[2], r[3], r[4], r[7], "x"] for r in GOOD]
    # when
    result, info = _execute(_csv(rows, header))
    # then
    assert result.rejected == []
    assert result.stored == 3
    assert info["ignored"] == ["unknown"]
    assert Team.objects.get(code="T9").supervisor.employee_no == "S009"


def _catalogue(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


@pytest.mark.skipif(
    not (_catalogue("zh_Hans").exists() and _catalogue("zh_Hant").exists()),
    reason="Chinese column headers are the column labels translated into zh-hans/zh-hant; "
    "telesales/locale has no compiled catalogue yet",
)
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_chinese_headers_are_the_translated_labels(db, tmp_path, language):
    # given
    importer = get_importer("employees")
    labels = {c.key: c.label for c in importer.columns}
    with translation.override(language):
        header = [str(labels[key]) for key in HEADER]
    english = [str(labels[key]) for key in HEADER]
    assert all(h != e for h, e in zip(header, english, strict=True)), header
    path = _write(tmp_path, _csv(GOOD, header, encoding="gbk"))
    # when
    code, payload = _import_json(path)
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 3, "duplicates": 0, "rejected": [], "updated": 0}
    assert _people() == EXPECTED_PEOPLE
