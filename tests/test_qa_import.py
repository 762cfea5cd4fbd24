"""`telesales import qa_reviews` (PRODUCT.md §7, §8; columns in docs/qa.md): reviews scored in
another system, one row per review; every bad row rejected with its line, column and reason;
the same file again stores nothing; run as a user, only the calls the user may review."""

from __future__ import annotations

import datetime as dt
import io
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from telesales.core.imports.registry import get_importer
from telesales.qa.models import Review
from tests.files import csv_bytes, xlsx_bytes
from tests.test_qa_support import make_calls, mapped

pytestmark = pytest.mark.usefixtures("english")

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HEADER = ["call_id", "reviewer_no", "reviewed_on", "template", "score", "instant_fail", "comment"]
CHINESE = ["通话ID", "质检员工号", "质检日期", "评分表", "得分", "一票否决", "评语"]


@pytest.fixture
def calls(org):
    """R1's calls on 2 and 3 March, R3's (T2) on 4 March, and R1's on 20 March."""
    mapped(org)
    made = make_calls(
        [
            ("R1", "2026-03-02 10:00:00", 120),
            ("R1", "2026-03-03 10:00:00", 200),
            ("R3", "2026-03-04 10:00:00", 90),
            ("R1", "2026-03-20 10:00:00", 60),
        ]
    )
    return {name: call.call_id for name, call in zip(("c1", "c2", "c3", "c4"), made, strict=True)}


def _good(calls) -> list[list[str]]:
    return [
        [calls["c1"], "S1", "2026-03-03", "default", "85", "否", "开场规范，异议处理可加强"],
        [calls["c2"], "S1", "2026-03-04 10:30", "", "72.5", "", ""],
        [calls["c3"], "S2", "2026/3/5", "default", "90", "是", "违规承诺"],
    ]


def _import(tmp_path, data: bytes, *extra, name: str = "qa.csv") -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "qa_reviews", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _stored() -> list[tuple]:
    return list(
        Review.objects.order_by("call__started_at").values_list(
            "call__employee__employee_no",
            "reviewer__employee_no",
            "version__scorecard__code",
            "score",
            "instant_failed",
            "passed",
            "status",
            "kind",
            "source",
        )
    )


EXPECTED = [
    ("R1", "S1", "default", Decimal("85.00"), False, True, "submitted", "regular", "import"),
    ("R1", "S1", "default", Decimal("72.50"), False, False, "submitted", "regular", "import"),
    ("R3", "S2", "default", Decimal("0.00"), True, False, "submitted", "regular", "import"),
]


def test_a_good_file_stores_every_review_with_passed_computed(calls, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(_good(calls), HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 3, "duplicates": 0, "rejected": []}
    assert _stored() == EXPECTED
    first = Review.objects.get(call__call_id=calls["c1"])
    assert first.reviewed_at == dt.datetime(2026, 3, 3, tzinfo=SHANGHAI)
    assert first.comment == "开场规范，异议处理可加强"
    second = Review.objects.get(call__call_id=calls["c2"])
    assert second.reviewed_at == dt.datetime(2026, 3, 4, 10, 30, tzinfo=SHANGHAI)


def test_running_the_same_file_again_stores_nothing(calls, tmp_path):
    # given
    _import(tmp_path, csv_bytes(_good(calls), HEADER))
    # when
    code, payload = _import(tmp_path, csv_bytes(_good(calls), HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 3, "stored": 0, "duplicates": 3, "rejected": []}
    assert _stored() == EXPECTED


def test_chinese_headers_and_a_workbook_store_the_same(calls, tmp_path):
    # when
    rows = _good(calls)
    code, payload = _import(tmp_path, csv_bytes(rows[:2], CHINESE, encoding="gbk"))
    typed = [[calls["c3"], "S2", dt.date(2026, 3, 5), "default", 90, "是", "违规承诺"]]
    code_x, payload_x = _import(tmp_path, xlsx_bytes(typed, CHINESE), name="qa.xlsx")
    # then
    assert (code, payload["stored"], code_x, payload_x["stored"]) == (0, 2, 0, 1)
    assert _stored() == EXPECTED


def test_bad_rows_are_rejected_with_line_column_and_reason(calls, tmp_path):
    # given
    good = _good(calls)
    rows = [
        good[0],
        ["nope", "S1", "2026-03-03", "", "80", "", ""],
        [calls["c2"], "X9", "2026-03-03", "", "80", "", ""],
        [calls["c2"], "S1", "2026-03-03", "", "101", "", ""],
        [calls["c2"], "S1", "2026-03-03", "", "good", "", ""],
        [calls["c2"], "S1", "2026-03-03", "", "80.123", "", ""],
        [calls["c2"], "S1", "2026-03-03", "", "80", "maybe", ""],
        [calls["c2"], "S1", "2026-03-03", "zzz", "80", "", ""],
        [calls["c2"], "R2", "2026-03-03", "", "80", "", ""],
        [calls["c2"], "S2", "2026-03-03", "", "80", "", ""],
        [calls["c2"], "S1", "2026-13-01", "", "80", "", ""],
        [calls["c4"], "S1", "2026-03-19", "", "80", "", ""],
        [calls["c4"], "S1", "2099-01-01", "", "80", "", ""],
        [calls["c1"], "M1", "2026-03-05", "", "60", "", ""],
        [calls["c1"], "S1", "2026-03-03", "", "60", "", ""],
        [calls["c2"], "R1", "2026-03-03", "", "80", "", ""],
        [calls["c2"], "S1", "", "", "80", "", ""],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert (payload["rows"], payload["stored"], payload["duplicates"]) == (17, 1, 0)
    assert [(r["row"], r["column"], r["reason"]) for r in payload["rejected"]] == [
        (3, "call_id", "There is no call with the id nope."),
        (4, "reviewer_no", "There is no employee X9."),
        (5, "score", "The score 101 is outside 0 to 100."),
        (6, "score", "“good” is not a number."),
        (7, "score", "A score has at most two decimal places."),
        (8, "instant_fail", "“maybe” is not yes or no (是/否)."),
        (9, "template", "There is no scorecard with the code zzz."),
        (
            10,
            "reviewer_no",
            "R2 is not a supervisor, manager, HR or administrator, so may not review calls.",
        ),
        (11, "reviewer_no", "S2 may not review the calls of R1."),
        (
            12,
            "reviewed_on",
            "“2026-13-01” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.",
        ),
        (13, "reviewed_on", "A call cannot be reviewed before it was made."),
        (14, "reviewed_on", "A review cannot be made in the future."),
        (
            15,
            "call_id",
            "Call " + calls["c1"] + " is already reviewed by S1; calibrate it in the app.",
        ),
        (
            16,
            "call_id",
            f"The review of call {calls['c1']} by S1 already appears on line 2 of this file "
            "with other values.",
        ),
        (17, "reviewer_no", "Nobody reviews their own calls."),
        (18, "reviewed_on", "A date is required."),
    ]
    assert _stored() == EXPECTED[:1]


def test_a_dry_run_stores_nothing(calls, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(_good(calls), HEADER), "--dry-run")
    # then
    assert (code, payload["stored"]) == (0, 3)
    assert Review.objects.count() == 0


def test_run_as_a_supervisor_only_their_teams_calls_and_people_exist(calls, tmp_path):
    # when: S2 imports S1's reviews of T1 calls and their own of R3's
    code, payload = _import(tmp_path, csv_bytes(_good(calls), HEADER), "--user", "s2")
    # then
    assert code == 1
    assert payload["stored"] == 1
    assert [(r["row"], r["column"], r["reason"]) for r in payload["rejected"]] == [
        (2, "call_id", f"There is no call with the id {calls['c1']}."),
        (3, "call_id", f"There is no call with the id {calls['c2']}."),
    ]
    assert _stored() == EXPECTED[2:]


def test_run_as_a_supervisor_naming_someone_outside_their_scope(calls, tmp_path):
    # when: S1 names S2 as the reviewer of a T1 call
    rows = [[calls["c1"], "S2", "2026-03-03", "", "85", "", ""]]
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER), "--user", "s1")
    # then
    assert code == 1
    assert payload["rejected"] == [
        {"row": 2, "column": "reviewer_no", "reason": "There is no employee S2."}
    ]
    assert Review.objects.count() == 0


def test_reps_and_staff_may_not_import_reviews(calls, tmp_path):
    # given
    path = tmp_path / "qa.csv"
    path.write_bytes(csv_bytes(_good(calls), HEADER))
    # when / then
    for username in ("r1", "c1"):
        with pytest.raises(CommandError, match="may not import qa_reviews"):
            call_command(
                "import", "qa_reviews", str(path), "--user", username, stdout=io.StringIO()
            )
    assert Review.objects.count() == 0
    importer = get_importer("qa_reviews")
    assert [c.key for c in importer.columns] == [
        "call_id",
        "system",
        "reviewer_no",
        "reviewed_on",
        "template",
        "score",
        "instant_fail",
        "comment",
    ]


def test_a_stored_review_with_other_values_is_not_changed(calls, tmp_path):
    # given
    _import(tmp_path, csv_bytes(_good(calls), HEADER))
    # when
    rows = [[calls["c1"], "S1", "2026-03-03", "default", "60", "否", ""]]
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert payload["rejected"] == [
        {
            "row": 2,
            "column": "call_id",
            "reason": f"S1 has already reviewed call {calls['c1']} with other values; it was "
            "not changed.",
        }
    ]
    assert _stored() == EXPECTED
