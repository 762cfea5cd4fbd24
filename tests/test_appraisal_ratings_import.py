"""`telesales import ratings` (PRODUCT.md §7 "ratings", §8) and `telesales appraisal remind`:
good rows stored with their requests marked answered, bad rows rejected with line, column and
reason, the same file again stores nothing, a changed score is updated; Chinese headers."""

from __future__ import annotations

import io
import json
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.management import call_command

from telesales.appraisal import ratings
from telesales.appraisal.models import Rating, RatingRequest
from telesales.appraisal.publication import result_live
from telesales.core.models import AuditEvent
from tests.files import csv_bytes, xlsx_bytes
from tests.test_appraisal_ratings import at
from tests.test_appraisal_ratings import rep as rep  # noqa: F401  (fixture)
from tests.test_appraisal_ratings import sup as sup  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["period", "appraisee_no", "rater_no", "rater_group", "kpi", "score", "comment"]
CHINESE = ["考核期间", "被考核人工号", "评价人工号", "评价人类别", "指标", "分数", "评语"]
GOOD = [
    ["2026-Q3", "S1", "M1", "superior", "collaboration", "4", ""],
    ["2026-Q3", "S1", "M1", "superior", "superior_evaluation.responsibility", "4", "有担当"],
    ["2026-Q3", "S1", "M1", "superior", "superior_evaluation.leadership", "5", ""],
    ["2026-Q3", "S1", "M1", "上级", "superior_evaluation.innovation", "3", ""],
    ["2026-Q3", "S1", "S2", "peer", "collaboration", "3", ""],
    ["2026-Q3", "S1", "R1", "下属", "collaboration", "5", ""],
    ["2026-Q3", "S1", "R2", "subordinate", "collaboration", "4.00", "沟通顺畅"],
]


def _import(tmp_path, data: bytes, name: str = "ratings.csv", *extra) -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "ratings", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _stored() -> list[tuple]:
    return list(
        Rating.objects.order_by("rater__employee_no", "kpi", "dimension").values_list(
            "rater__employee_no", "group", "kpi", "dimension", "score", "comment", "source"
        )
    )


EXPECTED = [
    ("M1", "superior", "collaboration", "", D(4), "", "import"),
    ("M1", "superior", "superior_evaluation", "innovation", D(3), "", "import"),
    ("M1", "superior", "superior_evaluation", "leadership", D(5), "", "import"),
    ("M1", "superior", "superior_evaluation", "responsibility", D(4), "有担当", "import"),
    ("R1", "subordinate", "collaboration", "", D(5), "", "import"),
    ("R2", "subordinate", "collaboration", "", D(4), "沟通顺畅", "import"),
    ("S2", "peer", "collaboration", "", D(3), "", "import"),
]


def test_a_good_file_stores_every_rating_and_marks_the_requests_answered(sup, tmp_path):
    # when
    code, summary = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert (code, summary) == (
        0,
        {"rows": 7, "stored": 7, "duplicates": 0, "rejected": [], "updated": 0},
    )
    assert _stored() == EXPECTED
    assert sorted(
        RatingRequest.objects.filter(submitted_at__isnull=False).values_list(
            "group", "rater__employee_no"
        )
    ) == [("peer", "S2"), ("subordinate", "R1"), ("subordinate", "R2"), ("superior", "M1")]
    # the same hand-computed score as entered in the app: 78 and 80, total 79
    result = result_live(sup)
    assert (result["total"], result["grade"]) == (79.0, "B")
    assert AuditEvent.objects.filter(action="appraisal.ratings_import").count() == 1


def test_the_same_file_again_stores_nothing_and_a_changed_score_is_updated(sup, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    changed = [row[:] for row in GOOD]
    changed[4][5] = "3.5"
    # when
    again = _import(tmp_path, csv_bytes(GOOD, HEADER))
    corrected = _import(tmp_path, csv_bytes(changed, HEADER), "ratings2.csv")
    # then
    assert again == (0, {"rows": 7, "stored": 0, "duplicates": 7, "rejected": [], "updated": 0})
    assert corrected == (
        0,
        {"rows": 7, "stored": 0, "duplicates": 6, "rejected": [], "updated": 1},
    )
    assert Rating.objects.get(rater__employee_no="S2").score == D("3.5")
    assert Rating.objects.count() == 7


def test_chinese_headers_and_a_workbook_store_the_same(sup, tmp_path):
    # when
    code, summary = _import(tmp_path, xlsx_bytes(GOOD, CHINESE), "ratings.xlsx")
    # then
    assert (code, summary["stored"]) == (0, 7)
    assert _stored() == EXPECTED


def test_bad_rows_are_rejected_with_their_line_and_good_rows_stored(org, sup, rep, tmp_path):
    # given R1's appraisal published
    at(rep, "published")
    rows = [
        GOOD[0],  # line 2, good
        ["2026-Q3", "S1", "S2", "peer", "collaboration", "6", ""],
        ["2026-Q3", "S1", "S2", "peer", "collaboration", "3.125", ""],
        ["2026-Q3", "S1", "S2", "peer", "sales_amount", "3", ""],
        ["2026-Q3", "S1", "M1", "superior", "superior_evaluation", "4", ""],
        ["2026-Q3", "S1", "M1", "superior", "collaboration.leadership", "4", ""],
        ["2026-Q3", "S1", "M1", "boss", "collaboration", "4", ""],
        ["2026-Q2", "S1", "M1", "superior", "collaboration", "4", ""],
        ["2026-Q3", "S9", "M1", "superior", "collaboration", "4", ""],
        ["2026-Q3", "R1", "S1", "superior", "collaboration", "4", ""],
        ["2026-Q3", "S1", "S1", "peer", "collaboration", "4", ""],
        ["2026-Q3", "S1", "M1", "superior", "collaboration", "5", ""],
        ["2026-13", "S1", "M1", "superior", "collaboration", "4", ""],
    ]
    # when
    code, summary = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert (summary["rows"], summary["stored"], summary["duplicates"]) == (13, 1, 0)
    assert summary["rejected"] == [
        {
            "row": 3,
            "column": "score",
            "reason": "6 given for collaboration is not a rating from 1 to 5.",
        },
        {
            "row": 4,
            "column": "score",
            "reason": "3.125 given for collaboration has more than 2 decimals.",
        },
        {
            "row": 5,
            "column": "kpi",
            "reason": "“sales_amount” is not a rated KPI; rated KPIs are process_compliance, "
            "report_quality, collaboration, superior_evaluation.",
        },
        {
            "row": 6,
            "column": "kpi",
            "reason": "superior_evaluation is rated on its dimensions; write one of: "
            "superior_evaluation.responsibility, superior_evaluation.leadership, "
            "superior_evaluation.innovation.",
        },
        {
            "row": 7,
            "column": "kpi",
            "reason": "collaboration has no dimensions; write collaboration alone.",
        },
        {
            "row": 8,
            "column": "rater_group",
            "reason": "“boss” is not one of: department, peer, self, subordinate, superior.",
        },
        {"row": 9, "column": "appraisee_no", "reason": "S1 has no appraisal in 2026-Q2."},
        {"row": 10, "column": "appraisee_no", "reason": "There is no employee S9."},
        {
            "row": 11,
            "column": "appraisee_no",
            "reason": "The appraisal of R1 in 2026-Q3 is published; its ratings change only "
            "after HR reopens it.",
        },
        {
            "row": 12,
            "column": "rater_group",
            "reason": "Only the appraisee rates as self, and the appraisee rates in no other group.",
        },
        {
            "row": 13,
            "column": "score",
            "reason": "This rating already appears on line 2 of this file with another score or "
            "comment.",
        },
        {
            "row": 14,
            "column": "period",
            "reason": "“2026-13” is not a period; write 2026-Q3, 2026-09 or 2026.",
        },
    ]
    assert _stored() == [EXPECTED[0]]


def test_two_appraisals_in_the_period_are_ambiguous(org, sup, tmp_path):
    # given S1 also in a second supervisor cycle of the quarter
    from telesales.appraisal.cycles import appraisal_open
    from telesales.appraisal.schemes import scheme_import
    from tests.test_appraisal_ratings import SUPERVISOR_360

    scheme_import(actor=None, text=SUPERVISOR_360.replace("sup-360", "sup-360b"))
    appraisal_open(actor=None, scheme_code="sup-360b", period_code="2026-Q3")
    # when
    code, summary = _import(tmp_path, csv_bytes([GOOD[0]], HEADER))
    # then
    assert (code, summary["rejected"]) == (
        1,
        [
            {
                "row": 2,
                "column": "appraisee_no",
                "reason": "S1 has 2 appraisals in 2026-Q3 (schemes sup-360, sup-360b); rate in "
                "the app instead.",
            }
        ],
    )
    assert Rating.objects.count() == 0


def test_a_dry_run_stores_nothing(sup, tmp_path):
    # when
    code, summary = _import(tmp_path, csv_bytes(GOOD, HEADER), "ratings.csv", "--dry-run")
    # then
    assert (code, summary["stored"]) == (0, 7)
    assert (Rating.objects.count(), RatingRequest.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("who", "allowed"), [("hr", True), ("admin", True), ("s1", False), ("manager", False)]
)
def test_only_hr_and_administrators_import_ratings(org, who, allowed):
    from telesales.core.imports.registry import get_importer

    assert get_importer("ratings").allowed(getattr(org, who).user) is allowed


# --- telesales appraisal remind -------------------------------------------------------------


def _remind(*args) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("appraisal", "remind", *args, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_the_remind_command_reminds_due_requests_once_a_day(org, rep):
    # given R2 (with an address) asked, due today
    org.r2.email = "r2@example.com"
    org.r2.save(update_fields=["email"])
    from django.utils import timezone

    today = timezone.localdate()
    ratings.rating_request_add(
        actor="test", appraisal=rep, rater=org.r2, group="peer", due_on=today
    )
    at(rep, "rating")
    # when
    first = _remind("--json")
    second = _remind("--json")
    text = _remind()
    # then
    assert (first[0], json.loads(first[1])) == (0, {"reminded": 1, "emailed": 1})
    assert (second[0], json.loads(second[1])) == (0, {"reminded": 0, "emailed": 0})
    assert text == (0, "0 raters reminded, 0 by e-mail.\n")
    assert len(mail.outbox) == 1


def test_the_remind_command_refuses_a_bad_date(org):
    code, out = _remind("--today", "2026-13-01", "--json")
    assert (code, json.loads(out)) == (
        1,
        {"error": "“2026-13-01” is not a date; write it as YYYY-MM-DD."},
    )
