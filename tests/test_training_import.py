"""`telesales import training` (PRODUCT.md §7, §8; columns in docs/training.md): one row per
trainee per session with attendance and scores; duplicates, conflicts, bad rows and scope."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from telesales.people.training.models import (
    Assessment,
    AssessmentResult,
    Invitation,
    TrainingSession,
)
from telesales.people.training.services import recurring_plan_create, session_transition
from tests.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")

HEADER = [
    "date",
    "title",
    "topic",
    "trainer_no",
    "employee_no",
    "attended",
    "pre_score",
    "post_score",
    "pass_mark",
    "kind",
]
CHINESE = [
    "日期",
    "课程名称",
    "主题",
    "讲师工号",
    "工号",
    "出勤",
    "前测",
    "后测",
    "及格线",
    "考核类型",
]
GOOD = [
    ["2026-03-03", "异议处理", "selling_skills", "S1", "R1", "是", "55", "80", "60", "course"],
    ["2026-03-03", "异议处理", "", "S1", "R2", "否", "", "", "", ""],
    ["2026/3/3", "异议处理", "", "", "R3", "请假", "", "", "", ""],
    ["2026-03-31", "一季度技能考核", "销售技巧", "S1", "R1", "yes", "", "82", "60", "skill"],
    ["2026-03-31", "一季度技能考核", "", "", "R2", "excused", "", "", "", "技能"],
]


def _import(tmp_path, data: bytes, *extra, name="training.csv") -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "training", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _stored() -> dict:
    return {
        "sessions": sorted(
            TrainingSession.objects.values_list(
                "date", "title", "topic", "trainer__employee_no", "status"
            )
        ),
        "attendance": sorted(
            Invitation.objects.values_list("session__title", "employee__employee_no", "attendance")
        ),
        "assessments": sorted(
            Assessment.objects.values_list("session__title", "kind", "pass_mark")
        ),
        "results": sorted(
            AssessmentResult.objects.values_list(
                "assessment__session__title", "employee__employee_no", "pre_score", "score"
            )
        ),
    }


EXPECTED = {
    "sessions": [
        (dt.date(2026, 3, 3), "异议处理", "selling_skills", "S1", "held"),
        (dt.date(2026, 3, 31), "一季度技能考核", "selling_skills", "S1", "held"),
    ],
    "attendance": [
        ("一季度技能考核", "R1", "attended"),
        ("一季度技能考核", "R2", "excused"),
        ("异议处理", "R1", "attended"),
        ("异议处理", "R2", "absent"),
        ("异议处理", "R3", "excused"),
    ],
    "assessments": [
        ("一季度技能考核", "skill", Decimal("60.00")),
        ("异议处理", "course", Decimal("60.00")),
    ],
    "results": [
        ("一季度技能考核", "R1", None, Decimal("82.00")),
        ("异议处理", "R1", Decimal("55.00"), Decimal("80.00")),
    ],
}


def test_a_good_file_stores_sessions_attendance_and_scores(org, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert (code, payload) == (0, {"rows": 5, "stored": 5, "duplicates": 0, "rejected": []})
    assert _stored() == EXPECTED


def test_running_the_same_file_again_stores_nothing(org, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert (code, payload) == (0, {"rows": 5, "stored": 0, "duplicates": 5, "rejected": []})
    assert _stored() == EXPECTED


def test_chinese_headers_a_gbk_file_and_a_workbook_store_the_same(org, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD[:3], CHINESE, encoding="gbk", newline="\r\n"))
    typed = [
        [dt.date(2026, 3, 31), "一季度技能考核", "销售技巧", "S1", "R1", "是", None, 82, 60, "技能"]
    ]
    code_xlsx, payload_xlsx = _import(tmp_path, xlsx_bytes(typed, CHINESE), name="training.xlsx")
    # then
    assert (code, payload["stored"], code_xlsx, payload_xlsx["stored"]) == (0, 3, 0, 1)
    assert _stored()["results"] == EXPECTED["results"]


def test_bad_rows_are_rejected_with_row_column_and_reason_and_good_rows_stored(org, tmp_path):
    # given
    rows = [
        GOOD[0],
        ["2026-03-04", "A", "", "", "R1", "是", "", "101", "", ""],
        ["2026-03-04", "A", "", "", "X9", "是", "", "", "", ""],
        ["2026-13-04", "A", "", "", "R1", "是", "", "", "", ""],
        ["2026-03-04", "A", "", "", "R1", "是", "50", "", "", ""],
        ["2026-03-04", "A", "", "", "R1", "maybe", "", "", "", ""],
        ["2026-03-04", "A", "", "", "R1", "是", "50", "60", "", "skill"],
        ["2026-03-04", "A", "", "", "R1", "否", "", "70", "", ""],
        ["2030-01-07", "A", "", "", "R1", "是", "", "", "", ""],
        ["2026-03-04", "A", "", "Z1", "R1", "是", "", "", "", ""],
        ["2026-03-04", "A", "cooking", "", "R1", "是", "", "", "", ""],
        ["2026-03-04", "", "", "", "R1", "是", "", "", "", ""],
        ["2026-03-04", "A", "", "", "R1", "是", "", "80", "-1", ""],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert (payload["rows"], payload["stored"], payload["duplicates"]) == (13, 1, 0)
    assert payload["rejected"] == [
        {
            "row": 3,
            "column": "post_score",
            "reason": "“101” is not a score; a score is a number from 0 to 100.",
        },
        {"row": 4, "column": "employee_no", "reason": "There is no employee X9."},
        {
            "row": 5,
            "column": "date",
            "reason": "“2026-13-04” is not a date; write it as YYYY-MM-DD, for example 2026-07-01.",
        },
        {
            "row": 6,
            "column": "post_score",
            "reason": "A score before the course needs the score after it too.",
        },
        {
            "row": 7,
            "column": "attended",
            "reason": "“maybe” is not one of: yes, no, excused (是/否/请假).",
        },
        {
            "row": 8,
            "column": "pre_score",
            "reason": "A skill assessment has one score; write it in post_score and leave "
            "pre_score empty.",
        },
        {"row": 9, "column": "attended", "reason": "Only a trainee who attended has scores."},
        {
            "row": 10,
            "column": "date",
            "reason": "The session is in the future; it has no attendance yet.",
        },
        {"row": 11, "column": "trainer_no", "reason": "There is no employee Z1."},
        {
            "row": 12,
            "column": "topic",
            "reason": "“cooking” is not one of: product_knowledge, sales_process, call_scripts, "
            "compliance, systems, product_updates, selling_skills, industry_news, other.",
        },
        {"row": 13, "column": "title", "reason": "A value is required."},
        {
            "row": 14,
            "column": "pass_mark",
            "reason": "“-1” is not a score; a score is a number from 0 to 100.",
        },
    ]
    assert list(TrainingSession.objects.values_list("title", flat=True)) == ["异议处理"]


def test_values_that_contradict_the_stored_ones_are_rejected_naming_them(org, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    rows = [
        ["2026-03-03", "异议处理", "", "", "R1", "是", "55", "85", "", ""],
        ["2026-03-03", "异议处理", "", "", "R2", "是", "", "", "", ""],
        ["2026-03-03", "异议处理", "product_updates", "", "R1", "是", "55", "80", "", ""],
        ["2026-03-03", "异议处理", "", "", "R1", "是", "55", "80", "70", ""],
        ["2026-03-03", "异议处理", "", "S2", "R1", "是", "55", "80", "", ""],
        ["2026-03-31", "一季度技能考核", "", "", "R1", "是", "", "82", "", "course"],
        ["2026-03-03", "异议处理", "", "", "R1", "是", "55", "80", "60", "course"],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert (payload["stored"], payload["duplicates"]) == (0, 1)
    assert [(r["row"], r["column"], r["reason"]) for r in payload["rejected"]] == [
        (
            2,
            "post_score",
            "张一's scores are stored as 55.00 before and 80.00 after; nothing was changed.",
        ),
        (
            3,
            "attended",
            "张二 is stored as “Absent” in this session; the file says “Attended”. Nothing was "
            "changed.",
        ),
        (
            4,
            "topic",
            "The session is stored with the topic “Selling skills”; nothing was changed.",
        ),
        (5, "pass_mark", "The session's pass mark is stored as 60.00; nothing was changed."),
        (
            6,
            "trainer_no",
            "The session is stored with the trainer S1 李主管; nothing was changed.",
        ),
        (
            7,
            "kind",
            "The session's scores are stored as a Skill assessment; nothing was changed.",
        ),
    ]
    assert _stored() == EXPECTED


def test_two_rows_of_one_trainee_and_session_with_different_scores(org, tmp_path):
    # given
    rows = [GOOD[0], ["2026-03-03", "异议处理", "", "", "R1", "是", "60", "80", "", ""]]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert payload["rejected"] == [
        {
            "row": 3,
            "column": "post_score",
            "reason": "张一's scores are stored as 55.00 before and 80.00 after; nothing was "
            "changed.",
        }
    ]


def _weekly(org, team, title="周训练"):
    return recurring_plan_create(
        actor=None,
        title=title,
        topic="selling_skills",
        team=team,
        frequency="weekly",
        weekday=0,
        start_time=dt.time(16, 0),
        duration_minutes=60,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 10),
    )


def test_a_planned_session_of_a_plan_is_found_and_recorded_as_held(org, tmp_path):
    # given: T1's Monday sessions 2 and 9 March, inviting R1 and R2; the second cancelled
    plan = _weekly(org, org.t1)
    second = plan.sessions.get(date=dt.date(2026, 3, 9))
    session_transition(actor=None, session=second, to_status="cancelled")
    rows = [
        ["2026-03-02", "周训练", "", "", "R1", "是", "", "", "", ""],
        ["2026-03-09", "周训练", "", "", "R1", "是", "", "", "", ""],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert (code, payload["stored"]) == (1, 1)
    assert payload["rejected"] == [
        {
            "row": 3,
            "column": "title",
            "reason": "The session “周训练” on 2026-03-09 was cancelled; plan it again first.",
        }
    ]
    first = plan.sessions.get(date=dt.date(2026, 3, 2))
    assert first.status == "held"
    assert dict(first.invitations.values_list("employee__employee_no", "attendance")) == {
        "R1": "attended",
        "R2": "",
    }


def test_a_title_shared_by_two_sessions_on_a_day_is_ambiguous(org, tmp_path):
    # given
    _weekly(org, org.t1)
    _weekly(org, org.t2)
    # when
    code, payload = _import(
        tmp_path, csv_bytes([["2026-03-02", "周训练", "", "", "R1", "是", "", "", "", ""]], HEADER)
    )
    # then
    assert code == 1
    assert payload["rejected"][0]["column"] == "title"
    assert payload["rejected"][0]["reason"].startswith(
        "There is more than one session named “周训练” on 2026-03-02"
    )
    assert not Invitation.objects.exclude(attendance="").exists()


def test_a_supervisor_imports_only_the_training_of_their_reps(org, tmp_path):
    # given: T2's session on 2 March is S2's
    _weekly(org, org.t2, title="二组训练")
    rows = [
        GOOD[0],
        ["2026-03-03", "异议处理", "", "", "R3", "是", "", "", "", ""],
        ["2026-03-02", "二组训练", "", "", "R1", "是", "", "", "", ""],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER), "--user", "s1")
    # then
    assert code == 1
    assert payload["stored"] == 1
    assert payload["rejected"] == [
        {
            "row": 3,
            "column": "employee_no",
            "reason": "There is no employee R3 whose training you manage.",
        },
        {
            "row": 4,
            "column": "title",
            "reason": "The session “二组训练” on 2026-03-02 is not one whose training you manage.",
        },
    ]
    assert sorted(
        Invitation.objects.exclude(attendance="").values_list("employee__employee_no", flat=True)
    ) == ["R1"]


def test_reps_and_staff_may_not_import_training(org, tmp_path):
    path = tmp_path / "training.csv"
    path.write_bytes(csv_bytes(GOOD, HEADER))
    for username in ("r1", "c1"):
        with pytest.raises(CommandError, match="may not import training"):
            call_command("import", "training", str(path), "--user", username, stdout=io.StringIO())
    assert TrainingSession.objects.count() == 0


def test_a_dry_run_stores_nothing(org, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER), "--dry-run")
    # then
    assert (code, payload["stored"]) == (0, 5)
    assert TrainingSession.objects.count() == 0
    assert Invitation.objects.count() == 0


def test_parsing_is_pure():
    # given
    from telesales.people.training.importers import TrainingImporter, TrainingRow

    row = dict(zip(HEADER, GOOD[3], strict=True))
    # when
    parsed = TrainingImporter().parse(row)
    # then
    assert parsed == TrainingRow(
        date=dt.date(2026, 3, 31),
        title="一季度技能考核",
        topic="selling_skills",
        trainer_no="S1",
        employee_no="R1",
        attendance="attended",
        pre_score=None,
        score=Decimal("82.00"),
        pass_mark=Decimal("60.00"),
        kind="skill",
    )
