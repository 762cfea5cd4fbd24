"""read_table(): any CSV encoding and line ending, or XLSX, into numbered rows (PRODUCT.md §7)."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile

import pytest
from openpyxl import Workbook

from telesales.core.imports.reading import ImportFileError, read_table
from tests.files import NOT_READABLE

pytestmark = pytest.mark.usefixtures("english")


def _read(data: bytes):
    table = read_table(io.BytesIO(data))
    return table, list(table.rows)


def _xlsx(rows_by_number: dict[int, list]) -> bytes:
    """A workbook whose first sheet has the given rows at the given 1-based sheet rows."""
    workbook = Workbook()
    sheet = workbook.active
    for number, values in rows_by_number.items():
        for column, value in enumerate(values, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CHINESE_CSV = "员工编号,姓名,团队\nE001,张伟,一组\nE002,李娜,二组\n"


def test_utf8_csv_gives_header_and_numbered_rows():
    # given
    data = b"employee_no,name\nE001,Zhang Wei\nE002,Li Na\n"
    # when
    table, rows = _read(data)
    # then
    assert table.format == "csv"
    assert table.encoding == "utf-8"
    assert table.first_row == ["employee_no", "name"]
    assert rows == [(2, ["E001", "Zhang Wei"]), (3, ["E002", "Li Na"])]
    assert table.bytes_total == len(data)


def test_utf8_with_bom_drops_the_bom_from_the_first_header():
    # given
    data = b"\xef\xbb\xbf" + CHINESE_CSV.encode("utf-8")
    # when
    table, rows = _read(data)
    # then
    assert table.encoding == "utf-8-sig"
    assert table.first_row == ["员工编号", "姓名", "团队"]
    assert rows == [(2, ["E001", "张伟", "一组"]), (3, ["E002", "李娜", "二组"])]


def test_utf8_without_bom_reads_chinese_headers():
    # given
    data = CHINESE_CSV.encode("utf-8")
    # when
    table, rows = _read(data)
    # then
    assert table.encoding == "utf-8"
    assert table.first_row == ["员工编号", "姓名", "团队"]
    assert rows == [(2, ["E001", "张伟", "一组"]), (3, ["E002", "李娜", "二组"])]


@pytest.mark.parametrize("codec", ["gbk", "gb18030"])
def test_gbk_and_gb18030_bytes_are_decoded(codec):
    # given
    data = CHINESE_CSV.encode(codec)
    # when
    table, rows = _read(data)
    # then
    assert table.encoding == "gb18030"
    assert table.first_row == ["员工编号", "姓名", "团队"]
    assert rows == [(2, ["E001", "张伟", "一组"]), (3, ["E002", "李娜", "二组"])]


def test_gb18030_four_byte_characters_outside_gbk_are_decoded():
    # given: 𠮷 (U+20BB7) exists in GB18030 only, as a four-byte sequence
    data = "员工编号,姓名\nE001,𠮷祥\n".encode("gb18030")
    # when
    table, rows = _read(data)
    # then
    assert table.first_row == ["员工编号", "姓名"]
    assert rows == [(2, ["E001", "𠮷祥"])]


def test_gbk_text_after_the_first_256_kib_of_ascii_is_decoded():
    # given: 20000 ASCII rows (about 400 KB), then one row with Chinese
    ascii_rows = "".join(f"E{i:05d},Zhang Wei,T1\n" for i in range(20000))
    data = ("employee_no,name,team\n" + ascii_rows + "E99999,张伟,一组\n").encode("gbk")
    # when
    table, rows = _read(data)
    # then
    assert len(rows) == 20001
    assert rows[-1] == (20002, ["E99999", "张伟", "一组"])


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_every_line_ending_gives_the_same_rows(newline):
    # given
    data = newline.join(["no,name", "E001,张伟", "E002,李娜", ""]).encode("utf-8")
    # when
    table, rows = _read(data)
    # then
    assert table.first_row == ["no", "name"]
    assert rows == [(2, ["E001", "张伟"]), (3, ["E002", "李娜"])]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_quoted_fields_keep_commas_quotes_and_newlines_and_number_the_starting_line(newline):
    # given
    lines = [
        "no,note",
        'E001,"Beijing, Chaoyang"',
        'E002,"say ""hi"""',
        f'E003,"first{newline}second{newline}third"',
        "E004,plain",
        "",
    ]
    data = newline.join(lines).encode("utf-8")
    # when
    table, rows = _read(data)
    # then
    assert table.first_row == ["no", "note"]
    assert rows == [
        (2, ["E001", "Beijing, Chaoyang"]),
        (3, ["E002", 'say "hi"']),
        (4, ["E003", f"first{newline}second{newline}third"]),
        (7, ["E004", "plain"]),
    ]


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"], ids=["crlf", "lf", "cr"])
def test_blank_lines_are_skipped_but_counted(newline):
    # given
    lines = ["no,name", "", "E001,张伟", "", ",", "  ,  ", "E002,李娜", "", ""]
    data = newline.join(lines).encode("utf-8")
    # when
    table, rows = _read(data)
    # then
    assert table.first_row == ["no", "name"]
    assert rows == [(3, ["E001", "张伟"]), (7, ["E002", "李娜"])]


def test_cells_are_stripped_of_surrounding_spaces():
    # given
    data = b" no , name \n E001 ,  Zhang Wei  \n"
    # when
    table, rows = _read(data)
    # then
    assert table.first_row == ["no", "name"]
    assert rows == [(2, ["E001", "Zhang Wei"])]


@pytest.mark.parametrize("delimiter", ["\t", ";", "|"], ids=["tab", "semicolon", "pipe"])
def test_other_delimiters_are_recognised_from_the_header(delimiter):
    # given
    data = delimiter.join(["no", "name", "team"]).encode() + b"\n"
    data += delimiter.join(["E001", "Zhang, Wei", "T1"]).encode() + b"\n"
    # when
    table, rows = _read(data)
    # then
    assert table.first_row == ["no", "name", "team"]
    assert rows == [(2, ["E001", "Zhang, Wei", "T1"])]


def test_xlsx_is_read_through_the_same_function_with_sheet_row_numbers():
    # given
    data = _xlsx(
        {
            1: ["employee_no", "name", "hire_date", "extension", "active"],
            2: ["E001", "张伟", dt.date(2026, 1, 5), 8001, True],
            4: ["E002", "李娜", dt.datetime(2026, 2, 1, 9, 30), 8002.0, False],
            5: ["E003", "王芳", "2026-03-01", None, None],
        }
    )
    # when
    table, rows = _read(data)
    # then
    assert table.format == "xlsx"
    assert table.encoding == ""
    assert table.first_row == ["employee_no", "name", "hire_date", "extension", "active"]
    assert rows == [
        (2, ["E001", "张伟", "2026-01-05", "8001", "yes"]),
        (4, ["E002", "李娜", "2026-02-01 09:30:00", "8002", "no"]),
        (5, ["E003", "王芳", "2026-03-01", "", ""]),
    ]


def test_xlsx_row_numbers_stay_sheet_row_numbers_after_leading_blank_rows():
    # given: rows 1 and 2 of the sheet are empty
    data = _xlsx({3: ["employee_no", "name"], 4: ["E001", "张伟"], 6: ["E002", "李娜"]})
    # when
    table, rows = _read(data)
    # then
    assert table.first_row == ["employee_no", "name"]
    assert rows == [(4, ["E001", "张伟"]), (6, ["E002", "李娜"])]


def test_xlsx_with_an_empty_first_sheet_is_refused():
    # given
    data = _xlsx({})
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(data))
    # then
    assert raised.value.message == "The workbook's first sheet has no rows."


@pytest.mark.parametrize("data", [b"", b"   ", b"\r\n\r\n", b"\n\n\n"], ids=repr)
def test_an_empty_file_is_refused(data):
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(data))
    # then
    assert raised.value.message == "The file is empty."


def test_a_file_of_only_empty_cells_has_no_rows():
    # given
    data = b",,\n,,\n"
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(data))
    # then
    assert raised.value.message == "The file has no rows."


def test_a_png_is_refused():
    # given
    data = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(data))
    # then
    assert raised.value.message == NOT_READABLE


def test_a_random_binary_file_is_refused():
    # given: fixed seed, and not starting with a BOM or a zip/OLE signature
    data = b"\x07\x01" + random.Random(20260701).randbytes(8192)
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(data))
    # then
    assert raised.value.message == NOT_READABLE


def test_binary_without_nul_bytes_but_full_of_control_characters_is_refused():
    # given
    data = bytes(b % 8 + 1 for b in range(2000))
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(data))
    # then
    assert raised.value.message == NOT_READABLE


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + b"garbage" * 50,
        b"PK\x03\x04" + random.Random(7).randbytes(4096),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    ],
    ids=["zip-garbage", "zip-random", "ole-empty"],
)
def test_a_corrupt_workbook_is_refused(data):
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(data))
    # then
    assert raised.value.message.startswith("The Excel workbook could not be opened (")


def test_a_zip_that_is_not_a_workbook_is_refused():
    # given
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "employee_no,name\nE001,张伟\n")
    # when
    with pytest.raises(ImportFileError) as raised:
        read_table(io.BytesIO(buffer.getvalue()))
    # then
    assert raised.value.message.startswith("The Excel workbook could not be opened (")


def test_utf16_with_bom_is_read():
    # given
    data = CHINESE_CSV.encode("utf-16")
    # when
    table, rows = _read(data)
    # then
    assert table.encoding == "utf-16"
    assert table.first_row == ["员工编号", "姓名", "团队"]
    assert rows == [(2, ["E001", "张伟", "一组"]), (3, ["E002", "李娜", "二组"])]
