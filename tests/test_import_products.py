"""`telesales import products` (PRODUCT.md §7 products, §8)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from telesales.core.imports.registry import get_importer
from telesales.core.imports.services import import_execute
from telesales.core.models import AuditEvent
from telesales.sales.models import Product
from tests.files import csv_bytes

HEADER = ["product_code", "name", "key_product", "unit_price"]
GOOD = [
    ["P001", "企业版年费", "yes", "19800"],
    ["P002", "基础版", "no", "1,200.50"],
    ["P003", "增值包", "是", "￥99.9"],
    ["P004", "培训服务", "否", ""],
]
EXPECTED = [
    ("P001", "企业版年费", True, Decimal("19800.00")),
    ("P002", "基础版", False, Decimal("1200.50")),
    ("P003", "增值包", True, Decimal("99.90")),
    ("P004", "培训服务", False, None),
]


pytestmark = pytest.mark.usefixtures("english")


def _csv(rows, header=HEADER, **options) -> bytes:
    return csv_bytes(rows, header, **options)


def _import(tmp_path, data: bytes, name: str = "products.csv", *extra) -> tuple[int, dict]:
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "products", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _products() -> list[tuple]:
    return list(
        Product.objects.order_by("code").values_list("code", "name", "key_product", "unit_price")
    )


def test_a_good_file_stores_every_product(db, tmp_path):
    # when
    code, payload = _import(tmp_path, _csv(GOOD))
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 4, "duplicates": 0, "rejected": [], "updated": 0}
    assert _products() == EXPECTED


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("YES", True),
        ("y", True),
        ("true", True),
        ("1", True),
        ("是", True),
        ("no", False),
        ("No", False),
        ("n", False),
        ("false", False),
        ("0", False),
        ("否", False),
        ("", False),
    ],
)
def test_key_product_accepts_yes_no_and_chinese(db, value, expected):
    # given
    data = _csv([["P001", "企业版年费", value, "19800"]])
    # when
    result, _info = import_execute(
        importer=get_importer("products"), stream=io.BytesIO(data), actor=None, dry_run=False
    )
    # then
    assert result.rejected == []
    assert Product.objects.get(code="P001").key_product is expected


def test_a_gbk_file_with_crlf_stores_the_same_products(db, tmp_path):
    # when
    code, payload = _import(tmp_path, _csv(GOOD, newline="\r\n", encoding="gbk"))
    # then
    assert code == 0
    assert payload["stored"] == 4
    assert _products() == EXPECTED


def test_a_workbook_with_typed_cells_stores_the_same_products(db, tmp_path):
    # given: booleans and numbers as Excel stores them
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["P001", "企业版年费", True, 19800])
    sheet.append(["P002", "基础版", False, 1200.5])
    sheet.append(["P003", "增值包", "是", 99.9])
    sheet.append(["P004", "培训服务", "否", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # when
    code, payload = _import(tmp_path, buffer.getvalue(), "products.xlsx")
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 4, "duplicates": 0, "rejected": [], "updated": 0}
    assert _products() == EXPECTED


def test_the_name_column_may_be_headed_in_chinese(db, tmp_path):
    # given
    data = _csv(GOOD, ["product_code", "名称", "key_product", "unit_price"])
    # when
    code, payload = _import(tmp_path, data)
    # then
    assert code == 0
    assert payload["stored"] == 4
    assert _products() == EXPECTED


def test_bad_rows_are_rejected_with_their_line_and_good_rows_stored(db, tmp_path):
    # given
    rows = [
        GOOD[0],
        ["P005", "单价错", "yes", "abc"],
        ["P006", "负价", "no", "-5"],
        ["P007", "三位小数", "no", "9.999"],
        ["P008", "非数", "no", "NaN"],
        ["P009", "重点?", "maybe", "10"],
        ["P010", "", "yes", "10"],
        ["P001", "重复", "yes", "10"],
        GOOD[1],
    ]
    # when
    code, payload = _import(tmp_path, _csv(rows))
    # then
    assert code == 1
    assert payload == {
        "rows": 9,
        "stored": 2,
        "duplicates": 0,
        "updated": 0,
        "rejected": [
            {"row": 3, "column": "unit_price", "reason": "“abc” is not a number."},
            {"row": 4, "column": "unit_price", "reason": "The number must be at least 0."},
            {
                "row": 5,
                "column": "unit_price",
                "reason": "A price has at most two decimal places.",
            },
            {"row": 6, "column": "unit_price", "reason": "“NaN” is not a number."},
            {"row": 7, "column": "key_product", "reason": "“maybe” is not yes or no (是/否)."},
            {"row": 8, "column": "name", "reason": "A value is required."},
            {
                "row": 9,
                "column": "product_code",
                "reason": "Product P001 already appears on line 2 of this file.",
            },
        ],
    }
    assert _products() == EXPECTED[:2]


def test_a_bad_price_after_a_multi_line_name_keeps_its_file_line(db, tmp_path):
    # given: the quoted name of line 2 runs over lines 2–3
    data = (
        "product_code,name,key_product,unit_price\r\n"
        'P001,"企业版\r\n年费",yes,19800\r\n'
        "\r\n"
        "P002,基础版,no,12.3.4\r\n"
    ).encode()
    # when
    code, payload = _import(tmp_path, data)
    # then
    assert code == 1
    assert payload["rejected"] == [
        {"row": 5, "column": "unit_price", "reason": "“12.3.4” is not a number."}
    ]
    assert Product.objects.get().name == "企业版\r\n年费"


def test_running_the_same_file_again_stores_nothing(db, tmp_path):
    # given
    _import(tmp_path, _csv(GOOD))
    products, audit = Product.objects.count(), AuditEvent.objects.count()
    # when
    code, payload = _import(tmp_path, _csv(GOOD))
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 0, "duplicates": 4, "rejected": [], "updated": 0}
    assert Product.objects.count() == products
    assert AuditEvent.objects.count() == audit + 1
    assert AuditEvent.objects.order_by("-id").first().action == "import.run"
    assert _products() == EXPECTED


def test_changed_rows_are_counted_in_updated(db, tmp_path):
    # given
    _import(tmp_path, _csv(GOOD))
    changed = [
        ["P001", "企业版年费", "yes", "21800"],
        ["P002", "基础版", "是", "1200.5"],
        ["P003", "增值包", "是", "¥99.90"],
        ["P004", "培训服务（新）", "否", ""],
    ]
    # when
    code, payload = _import(tmp_path, _csv(changed))
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 0, "duplicates": 1, "rejected": [], "updated": 3}
    assert _products() == [
        ("P001", "企业版年费", True, Decimal("21800.00")),
        ("P002", "基础版", True, Decimal("1200.50")),
        ("P003", "增值包", True, Decimal("99.90")),
        ("P004", "培训服务（新）", False, None),
    ]
    assert AuditEvent.objects.filter(action="product.update").count() == 3


def test_dry_run_stores_nothing(db, tmp_path):
    # when
    code, payload = _import(tmp_path, _csv(GOOD), "products.csv", "--dry-run")
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 4, "duplicates": 0, "rejected": [], "updated": 0}
    assert Product.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_a_missing_product_code_header_refuses_the_file(db, tmp_path):
    # when
    code, payload = _import(tmp_path, _csv([r[1:] for r in GOOD], HEADER[1:]))
    # then
    assert code == 2
    assert payload == {
        "error": "The first row must name the columns. Missing: product_code (Product code). "
        "Download the template to see the expected headers."
    }
    assert Product.objects.count() == 0


def test_a_file_without_the_optional_columns_keeps_key_product_and_price(db, tmp_path):
    # given
    _import(tmp_path, _csv(GOOD))
    # when
    code, payload = _import(tmp_path, _csv([r[:2] for r in GOOD], HEADER[:2]))
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 0, "duplicates": 4, "rejected": [], "updated": 0}
    assert _products() == EXPECTED
