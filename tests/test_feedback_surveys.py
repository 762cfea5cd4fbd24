"""`telesales import surveys` (PRODUCT.md §7, §8; columns in docs/feedback.md): scores 1–5
linked to the rep and, by the normalised phone number, the customer."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from telesales.core.imports.registry import get_importer
from telesales.crm.models import Customer
from telesales.feedback.customers import phone_e164
from telesales.feedback.models import SurveyResponse
from tests.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["response_id", "customer_phone", "employee_no", "score", "responded_on", "comment"]
GOOD = [
    ["S001", "138 0013 8000", "R1", "5", "2026-03-02", "服务很耐心"],
    ["S002", "+86 138-0013-8000", "R1", "4", "2026/3/3", ""],
    ["S003", "13900001111", "R2", "2", "2026-03-04", "回访太频繁"],
    ["S004", "", "R3", "3", "2026年3月5日", ""],
]


@pytest.fixture
def customers(org):
    return {
        "zhou": Customer.objects.create(phone="+8613800138000", name="周先生", owner=org.r1),
    }


def _import(tmp_path, data: bytes, name: str = "surveys.csv", *extra) -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "surveys", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _stored() -> list[tuple]:
    return list(
        SurveyResponse.objects.order_by("response_no").values_list(
            "response_no", "customer__name", "employee__employee_no", "score", "responded_on"
        )
    )


EXPECTED = [
    ("S001", "周先生", "R1", 5, dt.date(2026, 3, 2)),
    ("S002", "周先生", "R1", 4, dt.date(2026, 3, 3)),
    ("S003", None, "R2", 2, dt.date(2026, 3, 4)),
    ("S004", None, "R3", 3, dt.date(2026, 3, 5)),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("138 0013 8000", "+8613800138000"),
        ("+86 138-0013-8000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("010-12345678", "+861012345678"),
        ("12345", None),
        ("abc", None),
        ("", None),
    ],
)
def test_phone_numbers_are_normalised_for_china(text, expected):
    assert phone_e164(text) == expected


def test_a_good_file_stores_every_response_linked_to_rep_and_customer(customers, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 4, "duplicates": 0, "rejected": []}
    assert _stored() == EXPECTED
    assert SurveyResponse.objects.get(response_no="S001").comment == "服务很耐心"


def test_running_the_same_file_again_stores_nothing(customers, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER))
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 0, "duplicates": 4, "rejected": []}
    assert _stored() == EXPECTED


def test_a_gbk_file_with_crlf_and_a_workbook_store_the_same(customers, tmp_path):
    # when
    code, payload = _import(tmp_path, csv_bytes(GOOD[:2], HEADER, newline="\r\n", encoding="gbk"))
    typed = [["S003", 13900001111, "R2", 2, dt.date(2026, 3, 4), "回访太频繁"]]
    code_xlsx, payload_xlsx = _import(tmp_path, xlsx_bytes(typed, HEADER), "surveys.xlsx")
    # then
    assert (code, payload["stored"], code_xlsx, payload_xlsx["stored"]) == (0, 2, 0, 1)
    assert _stored() == EXPECTED[:3]


def test_bad_rows_are_rejected_with_their_line_and_good_rows_stored(customers, tmp_path):
    # given
    rows = [
        GOOD[0],
        ["S010", "", "R1", "6", "2026-03-02", ""],
        ["S011", "", "R1", "4.5", "2026-03-02", ""],
        ["S012", "", "R1", "", "2026-03-02", ""],
        ["S013", "", "R1", "good", "2026-03-02", ""],
        ["S014", "12345", "R1", "4", "2026-03-02", ""],
        ["S015", "", "X9", "4", "2026-03-02", ""],
        ["", "", "R1", "4", "2026-03-02", ""],
        ["S016", "", "R1", "4", "2026-02-30", ""],
        ["S001", "138 0013 8000", "R1", "1", "2026-03-02", ""],
        ["S001", "138 0013 8000", "R1", "5", "2026-03-02", "服务很耐心"],
        ["S017", "", "R2", "4.0", "2026-03-06", ""],
    ]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, HEADER))
    # then
    assert code == 1
    assert payload == {
        "rows": 12,
        "stored": 2,
        "duplicates": 1,
        "rejected": [
            {
                "row": 3,
                "column": "score",
                "reason": "“6” is not a score; a score is a whole number from 1 to 5.",
            },
            {
                "row": 4,
                "column": "score",
                "reason": "“4.5” is not a score; a score is a whole number from 1 to 5.",
            },
            {"row": 5, "column": "score", "reason": "A score is required."},
            {
                "row": 6,
                "column": "score",
                "reason": "“good” is not a score; a score is a whole number from 1 to 5.",
            },
            {"row": 7, "column": "customer_phone", "reason": "“12345” is not a phone number."},
            {"row": 8, "column": "employee_no", "reason": "There is no employee X9."},
            {"row": 9, "column": "response_id", "reason": "A value is required."},
            {
                "row": 10,
                "column": "responded_on",
                "reason": "“2026-02-30” is not a date; write it as YYYY-MM-DD, for example "
                "2026-07-01.",
            },
            {
                "row": 11,
                "column": "response_id",
                "reason": "Response S001 already appears on line 2 of this file with other values.",
            },
        ],
    }
    assert _stored() == [EXPECTED[0], ("S017", None, "R2", 4, dt.date(2026, 3, 6))]


def test_a_stored_response_is_never_changed_by_a_file(customers, tmp_path):
    # given
    _import(tmp_path, csv_bytes(GOOD, HEADER))
    changed = [["S003", "13900001111", "R2", "5", "2026-03-04", "回访太频繁"]]
    # when
    code, payload = _import(tmp_path, csv_bytes(changed, HEADER))
    # then
    assert code == 1
    assert payload["rejected"] == [
        {
            "row": 2,
            "column": "response_id",
            "reason": "Response S003 is already stored with other values; it was not changed.",
        }
    ]
    assert SurveyResponse.objects.get(response_no="S003").score == 2


def test_a_response_about_a_merged_customer_goes_to_the_surviving_one(org, tmp_path):
    # given
    keep = Customer.objects.create(phone="+8613900001111", name="留", owner=org.r2)
    Customer.objects.create(phone="+8613800138000", name="并", owner=org.r1, merged_into=keep)
    # when
    _import(tmp_path, csv_bytes(GOOD[:1], HEADER))
    # then
    assert SurveyResponse.objects.get().customer == keep


def test_a_file_without_the_score_column_is_refused_and_stores_nothing(org, tmp_path):
    # given
    header = [h for h in HEADER if h != "score"]
    rows = [[c for i, c in enumerate(row) if HEADER[i] != "score"] for row in GOOD]
    # when
    code, payload = _import(tmp_path, csv_bytes(rows, header))
    # then
    assert code == 2
    assert "score" in payload["error"]
    assert SurveyResponse.objects.count() == 0


def test_a_dry_run_stores_nothing(customers, tmp_path):
    code, payload = _import(tmp_path, csv_bytes(GOOD, HEADER), "surveys.csv", "--dry-run")
    assert (code, payload["stored"]) == (0, 4)
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize(("who", "allowed"), [("admin", True), ("hr", False), ("s1", False)])
def test_only_administrators_import_surveys_and_tickets(org, who, allowed):
    user = getattr(org, who).user
    assert get_importer("surveys").allowed(user) is allowed
    assert get_importer("tickets").allowed(user) is allowed


def test_the_command_refuses_a_user_who_may_not_import(org, tmp_path):
    path = tmp_path / "surveys.csv"
    path.write_bytes(csv_bytes(GOOD, HEADER))
    with pytest.raises(CommandError):
        call_command("import", "surveys", str(path), "--user", "r1", stdout=io.StringIO())
    assert SurveyResponse.objects.count() == 0


@pytest.mark.parametrize(
    ("rows", "note"),
    [
        (
            [["S010", "13900001111", "R2", "5", "2026-03-04", ""]],
            "1 response names a phone number of no customer; it was stored without one.",
        ),
        (
            [
                ["S010", "13900001111", "R2", "5", "2026-03-04", ""],
                ["S011", "13900002222", "R2", "4", "2026-03-04", ""],
            ],
            "2 responses name a phone number of no customer; they were stored without one.",
        ),
    ],
)
def test_responses_without_a_customer_are_noted_in_singular_or_plural(org, customers, rows, note):
    # given
    from telesales.core.imports.services import import_execute

    # when
    result, _info = import_execute(
        importer=get_importer("surveys"),
        stream=io.BytesIO(csv_bytes(rows, HEADER)),
        actor=None,
        dry_run=False,
    )
    # then
    assert (result.stored, result.notes) == (len(rows), [note])
