"""`telesales import calls` (PRODUCT.md §4 calls and direction, §7 file contract, §8 JSON):
file quirks, dates and time zones, malformed rows, leg merging, re-imports, direction and
the generic export with a saved column mapping. No quirk may crash or silently drop a call:
rows read = calls stored + legs merged + rows rejected, exactly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command

from telesales.calls.models import Call, CallDay, ColumnMapping
from telesales.core.config import setting_set
from telesales.core.imports.reading import ImportFileError
from telesales.core.models import ImportRun
from telesales.core.periods import period_parse
from telesales.kpi.calls import call_kpis
from telesales.org.scopes import scope_for_employee
from tests.cdr_files import (
    MAPPED_FROM,
    ROLLUP_COUNTS,
    Leg,
    assert_rollups_exact,
    asterisk_csv,
    asterisk_csv_row,
    asterisk_custom,
    command,
    csv_file,
    freepbx,
    freeswitch,
    generic_csv,
    generic_xlsx,
    import_calls,
    map_extensions,
)

pytestmark = pytest.mark.usefixtures("english")

UTC = dt.UTC
BAD_TIME = "“{}” is not a date and time (2026-07-01 09:00:00, 2026/7/1 9:00 or 1/7/2026 9:00:00)."


@pytest.fixture
def mapped(org):
    map_extensions(org)
    return org


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def _calls(*fields: str) -> list[tuple]:
    fields = fields or (
        "started_at",
        "answered",
        "talk_seconds",
        "direction",
        "extension",
        "caller_name",
        "employee__employee_no",
    )
    return list(Call.objects.order_by("started_at", "call_id").values_list(*fields))


def _leg(n: int, src: str, dst: str, start: str, billsec=0, disposition=None, **kw) -> Leg:
    """A leg whose uniqueid (and, unless given, linkedid) is 1782867600.<n>."""
    uid = f"1782867600.{n}"
    kw.setdefault("linkedid", uid)
    if disposition is None:
        disposition = "ANSWERED" if billsec else "NO ANSWER"
    return Leg(src, dst, start, billsec, disposition=disposition, uniqueid=uid, **kw)


def _days() -> list[tuple]:
    return list(
        CallDay.objects.order_by("employee", "day").values_list(
            "employee__employee_no", "day", "team__code", *ROLLUP_COUNTS
        )
    )


# -- the quirks of real exports -------------------------------------------------------------


def _quirky_file(newline: str, encoding: str) -> bytes:
    """Asterisk cdr_csv (21 columns), written with minimal quoting so that empty fields are
    bare (`,,`): a caller name with commas and doubled quotes, Chinese caller names, a
    field with a line break, blank lines at the start, middle and end, two legs of one call
    apart from each other, a row with 20 columns and a row with a negative billsec."""
    rows = [
        # line 2: call 1, first leg read, not answered
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", linkedid="L-1"),
        # line 3: call 2, a caller name with commas and quotes, empty fields bare
        _leg(2, "8002", "13900139000", "2026-07-01 09:10:00", 75, clid='Zhang, "Boss" Er <8002>'),
        # line 5 (after a blank line): call 1, earlier leg from 8003, answered for 200 s
        _leg(3, "8003", "13800138000", "2026-07-01 08:59:30", 200, linkedid="L-1", clid="张三"),
        # line 6: 20 columns
        _leg(4, "8001", "13800138000", "2026-07-01 09:15:00"),
        # lines 7-8: call 3, inbound, a userfield with a line break in it
        _leg(
            5,
            "13700137000",
            "8001",
            "2026-07-01 09:20:00",
            30,
            clid="客户王",
            userfield=f"回拨{newline}第二行",
        ),
        # line 9: a negative billsec
        _leg(6, "8002", "13600136000", "2026-07-01 09:25:00", "-5"),
        # line 10: call 4, busy
        _leg(7, "8001", "13500135000", "2026-07-01 09:30:00", disposition="BUSY"),
    ]
    cells = [asterisk_csv_row(leg, 21) for leg in rows]
    cells[3] = cells[3][:20]
    data = csv_file(
        cells,
        quoting=csv.QUOTE_MINIMAL,
        newline=newline,
        encoding="gbk" if encoding == "gbk" else "utf-8",
        bom=encoding == "utf-8-sig",
        blank_lines=(0, 2),
    )
    return data + (newline * 2).encode()


QUIRKY_CALLS = [
    (utc(2026, 7, 1, 0, 59, 30), True, 200, "outbound", "8003", "张三", "R3"),
    (utc(2026, 7, 1, 1, 10), True, 75, "outbound", "8002", 'Zhang, "Boss" Er <8002>', "R2"),
    (utc(2026, 7, 1, 1, 20), True, 30, "inbound", "8001", "客户王", "R1"),
    (utc(2026, 7, 1, 1, 30), False, 0, "outbound", "8001", "", "R1"),
]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"], ids=["utf8", "bom", "gbk"])
def test_quirks_of_real_exports_neither_crash_nor_drop_a_call(mapped, tmp_path, newline, encoding):
    # given
    data = _quirky_file(newline, encoding)
    # when
    code, payload, _err = command(tmp_path, data)
    # then: 7 rows = 4 calls stored + 1 leg merged + 2 rejected
    assert code == 1
    assert payload == {
        "rows": 7,
        "stored": 4,
        "duplicates": 0,
        "rejected": [
            {
                "row": 6,
                "column": "",
                "reason": "This row has 20 columns where the file's layout has 21.",
            },
            {"row": 9, "column": "billsec", "reason": "“-5” is not a number of seconds."},
        ],
    }
    assert _calls() == QUIRKY_CALLS
    assert Call.objects.get(call_id="L-1").disposition == "ANSWERED"
    assert_rollups_exact()


def test_cells_padded_with_spaces_are_read_trimmed(mapped):
    # given: every field padded with a space
    rows = [
        [f" {cell} " for cell in asterisk_csv_row(leg, 21)]
        for leg in [
            _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61),
            _leg(2, "8002", "13900139000", "2026-07-01 09:05:00"),
        ]
    ]
    # when
    result, _info = import_calls(csv_file(rows, quoting=csv.QUOTE_ALL))
    # then
    assert (result.rows, result.stored, result.rejected) == (2, 2, [])
    assert _calls("call_id", "started_at", "answered", "talk_seconds", "src", "extension") == [
        ("1782867600.1", utc(2026, 7, 1, 1, 0), True, 61, "8001", "8001"),
        ("1782867600.2", utc(2026, 7, 1, 1, 5), False, 0, "8002", "8002"),
    ]


def test_an_answer_time_of_only_spaces_is_no_answer_time(mapped):
    # given: the second row's answer time is a space, its end time and billsec padded
    rows = [
        asterisk_csv_row(_leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61)),
        asterisk_csv_row(
            _leg(
                2,
                "8001",
                "13800138000",
                "2026-07-01 09:01:00",
                " 0 ",
                answer=" ",
                end=" 2026-07-01 09:01:20 ",
            )
        ),
    ]
    # when
    result, _info = import_calls(csv_file(rows, quoting=csv.QUOTE_ALL))
    # then
    assert (result.rows, result.stored, result.rejected) == (2, 2, [])
    assert _calls("call_id", "answered_at", "ended_at", "talk_seconds") == [
        ("1782867600.1", None, None, 61),
        ("1782867600.2", None, utc(2026, 7, 1, 1, 1, 20), 0),
    ]


@pytest.mark.parametrize(
    ("encode", "encoding"),
    [
        (lambda text: text.encode("utf-16"), "utf-16"),
        (lambda text: text.encode("gb18030"), "gb18030"),
        (lambda text: text.encode("utf-8"), "utf-8"),
    ],
    ids=["utf16-bom", "gb18030", "utf8"],
)
def test_every_text_encoding_gives_the_same_calls(mapped, encode, encoding):
    # given
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61, clid="张三 <8001>"),
        _leg(2, "8002", "13800138001", "2026-07-01 09:01:00", 0, clid="𠮷野家"),
    ]
    data = encode(asterisk_csv(legs).decode("utf-8"))
    # when
    result, info = import_calls(data)
    # then
    assert (info["encoding"], result.stored) == (encoding, 2)
    assert _calls("call_id", "caller_name") == [
        ("1782867600.1", "张三 <8001>"),
        ("1782867600.2", "𠮷野家"),
    ]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_a_generic_export_may_use_another_delimiter(mapped, delimiter):
    # given
    rows = [["d-1", "2026-07-01 09:00:00", "8001", "13800138000", "61"]]
    data = generic_csv(["call_id", "start", "src", "dst", "billsec"], rows)
    # when
    result, _info = import_calls(data.replace(b",", delimiter.encode()))
    # then
    assert (result.stored, result.rejected) == (1, [])
    assert _calls("call_id", "talk_seconds", "employee__employee_no") == [("d-1", 61, "R1")]


def test_an_invalid_utf8_byte_in_a_caller_name_keeps_the_call(mapped):
    # given: UTF-8 with one byte no encoding can read in a caller name
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61, clid="Zh@ng"),
        _leg(2, "8002", "13900139000", "2026-07-01 09:05:00", 10, clid="Li"),
    ]
    data = asterisk_csv(legs).replace(b"@", b"\xff")
    # when
    result, info = import_calls(data)
    # then
    assert (result.rows, result.stored, result.rejected) == (2, 2, [])
    assert info["encoding"] == "utf-8"
    assert _calls("call_id", "caller_name") == [
        ("1782867600.1", "Zh\ufffdng"),
        ("1782867600.2", "Li"),
    ]


def test_a_cut_utf8_character_in_one_caller_name_leaves_the_other_names_intact(mapped):
    # given: 张 (e5 bc a0) cut after two bytes in one name; the other names are valid UTF-8
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61, clid="张三"),
        _leg(2, "8002", "13900139000", "2026-07-01 09:05:00", 10, clid="@CUT@"),
        _leg(3, "8003", "13700137000", "2026-07-01 09:10:00", 10, clid="李四"),
    ]
    data = asterisk_csv(legs).replace(b"@CUT@", b"\xe5\xbc")
    # when
    result, _info = import_calls(data)
    # then
    assert result.stored == 3
    names = _calls("caller_name")
    assert names[0] == ("张三",)
    assert names[2] == ("李四",)
    assert names[1][0].startswith("\ufffd")


def test_a_gbk_file_keeps_chinese_caller_names(mapped):
    # given
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61, clid='"张伟" <8001>'),
        _leg(2, "13900139000", "8002", "2026-07-01 09:05:00", 10, clid="北京某某科技有限公司"),
    ]
    # when
    result, info = import_calls(asterisk_csv(legs, encoding="gbk"))
    # then
    assert info["encoding"] == "gb18030"
    assert result.stored == 2
    assert _calls("caller_name") == [('"张伟" <8001>',), ("北京某某科技有限公司",)]


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "options"),
    [
        ("2026-07-01 09:00:00", {}),
        ("2026-07-01T09:00:00", {}),
        ("2026/7/1 9:00", {}),
        ("2026/07/01 09:00:00", {}),
        ("1/7/2026 9:00:00", {"date_order": "dmy"}),
        ("7/1/2026 9:00:00", {"date_order": "mdy"}),
        ("01/07/2026 09:00", {"date_order": "dmy"}),
        ("1782867600", {}),
    ],
)
def test_every_date_form_gives_the_same_call(mapped, text, options):
    # given
    data = asterisk_csv([_leg(1, "8001", "13800138000", text, 61)])
    # when
    result, _info = import_calls(data, **options)
    # then
    assert (result.stored, result.rejected) == (1, [])
    assert _calls("started_at", "local_date") == [(utc(2026, 7, 1, 1), dt.date(2026, 7, 1))]


@pytest.mark.parametrize(
    ("starts", "expected"),
    [
        (["1/7/2026 9:00:00", "13/7/2026 9:00:00"], [dt.date(2026, 7, 1), dt.date(2026, 7, 13)]),
        (["7/1/2026 9:00:00", "7/13/2026 9:00:00"], [dt.date(2026, 7, 1), dt.date(2026, 7, 13)]),
    ],
    ids=["dmy", "mdy"],
)
def test_the_date_order_is_detected_when_a_day_above_12_appears(mapped, starts, expected):
    # given
    legs = [_leg(n, "8001", "13800138000", s, 61) for n, s in enumerate(starts)]
    # when
    result, info = import_calls(asterisk_csv(legs))
    # then
    assert (result.stored, result.rejected) == (2, [])
    assert [d for (d,) in _calls("local_date")] == expected
    assert info["notes"] == []


def test_ambiguous_year_last_dates_are_read_day_first_with_a_note(mapped):
    # given
    legs = [_leg(1, "8001", "13800138000", "1/7/2026 9:00:00", 61)]
    # when
    _result, info = import_calls(asterisk_csv(legs))
    # then
    assert _calls("local_date") == [(dt.date(2026, 7, 1),)]
    assert info["notes"] == [
        "Dates such as 1/7/2026 were read day first; if the month comes first, import again with the date order month/day/year (--date-order mdy)."
    ]


@pytest.mark.parametrize("options", [{}, {"date_order": "mdy"}], ids=["auto", "mdy"])
def test_a_month_first_file_whose_first_row_has_a_day_above_12_is_read(mapped, options):
    # given
    starts = ["7/13/2026 9:00:00", "7/1/2026 9:00:00"]
    legs = [_leg(n, "8001", "13800138000", s, 61) for n, s in enumerate(starts)]
    # when
    result, _info = import_calls(asterisk_csv(legs), **options)
    # then
    assert result.stored == 2
    assert [d for (d,) in _calls("local_date")] == [dt.date(2026, 7, 1), dt.date(2026, 7, 13)]


@pytest.mark.parametrize(
    ("order", "expected"), [("dmy", dt.date(2026, 7, 1)), ("mdy", dt.date(2026, 1, 7))]
)
def test_the_command_takes_a_date_order(mapped, tmp_path, order, expected):
    # given
    data = asterisk_csv([_leg(1, "8001", "13800138000", "1/7/2026 9:00:00", 61)])
    # when
    code, payload, _err = command(tmp_path, data, "--date-order", order)
    # then
    assert (code, payload["stored"]) == (0, 1)
    assert _calls("local_date") == [(expected,)]


# -- time zones --------------------------------------------------------------------------------


def test_a_call_at_2330_on_the_last_day_of_a_month_belongs_to_that_month(mapped, tmp_path):
    # given: Asia/Shanghai, the default zone of the file and the company
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-31 23:30:00", 90),
        _leg(2, "8001", "13800138000", "2026-08-01 00:00:00", 30),
    ]
    # when
    code, _payload, _err = command(tmp_path, asterisk_csv(legs))
    # then
    assert code == 0
    assert _calls("call_id", "started_at", "local_date") == [
        ("1782867600.1", utc(2026, 7, 31, 15, 30), dt.date(2026, 7, 31)),
        ("1782867600.2", utc(2026, 7, 31, 16, 0), dt.date(2026, 8, 1)),
    ]
    assert list(CallDay.objects.values_list("day", "out_calls", "out_talk_seconds")) == [
        (dt.date(2026, 7, 31), 1, 90),
        (dt.date(2026, 8, 1), 1, 30),
    ]
    r1 = scope_for_employee(mapped.r1)
    july = call_kpis(r1, period_parse("2026-07"))
    august = call_kpis(r1, period_parse("2026-08"))
    assert (july["call_volume"].value, july["avg_talk_seconds"].value) == (1, 90)
    assert (august["call_volume"].value, august["avg_talk_seconds"].value) == (1, 30)


@pytest.mark.parametrize(
    ("tz", "start", "utc_start", "local_date"),
    [
        ("UTC", "2026-07-31 20:00:00", utc(2026, 7, 31, 20), dt.date(2026, 8, 1)),
        ("UTC", "2026-07-31 15:59:59", utc(2026, 7, 31, 15, 59, 59), dt.date(2026, 7, 31)),
        ("America/New_York", "2026-07-31 12:00:00", utc(2026, 7, 31, 16), dt.date(2026, 8, 1)),
        ("America/New_York", "2026-01-15 09:00:00", utc(2026, 1, 15, 14), dt.date(2026, 1, 15)),
        ("Asia/Shanghai", "2026-07-31 23:30:00", utc(2026, 7, 31, 15, 30), dt.date(2026, 7, 31)),
    ],
)
def test_tz_names_the_zone_of_the_files_times(mapped, tmp_path, tz, start, utc_start, local_date):
    # given
    leg = _leg(1, "8001", "13800138000", start, 61)
    # when
    code, payload, _err = command(tmp_path, asterisk_csv([leg]), "--tz", tz)
    # then
    assert (code, payload["stored"]) == (0, 1)
    assert _calls("started_at", "local_date") == [(utc_start, local_date)]
    assert CallDay.objects.get().day == local_date
    assert ImportRun.objects.get(kind="calls").options == {"tz": tz}


def test_tz_applies_to_answer_and_end_times_too(mapped):
    # given
    leg = _leg(
        1,
        "8001",
        "13800138000",
        "2026-07-01 09:00:00",
        61,
        answer="2026-07-01 09:00:05",
        end="2026-07-01 09:01:06",
    )
    # when
    import_calls(asterisk_csv([leg]), tz="America/New_York")
    # then
    assert _calls("started_at", "answered_at", "ended_at") == [
        (utc(2026, 7, 1, 13, 0), utc(2026, 7, 1, 13, 0, 5), utc(2026, 7, 1, 13, 1, 6))
    ]


def test_an_unknown_time_zone_is_refused(mapped, tmp_path):
    # when
    code, payload, _err = command(
        tmp_path,
        asterisk_csv([_leg(1, "8001", "1", "2026-07-01 09:00:00")]),
        "--tz",
        "Mars/Olympus",
    )
    # then
    assert code == 2
    assert payload == {
        "error": "Unknown time zone “Mars/Olympus”; use a name such as Asia/Shanghai."
    }
    assert not Call.objects.exists()


# -- malformed rows ----------------------------------------------------------------------------


def test_malformed_rows_are_reported_by_line_and_column_and_the_others_stored(mapped, tmp_path):
    # given
    good = _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61)
    rows = [
        asterisk_csv_row(good),
        asterisk_csv_row(_leg(2, "8001", "13800138000", "2026-07-01 09:01:00"))[:20],
        asterisk_csv_row(_leg(3, "8001", "13800138000", "yesterday 9:00")),
        asterisk_csv_row(_leg(4, "8001", "13800138000", "2026-07-01 09:03:00", "-5")),
        asterisk_csv_row(_leg(5, "8001", "13800138000", "")),
        asterisk_csv_row(_leg(6, "8001", "13800138000", "2026-07-01 09:05:00", answer="soon")),
        asterisk_csv_row(_leg(7, "8001", "13800138000", "2026-07-01 09:06:00", end="2026-13-01")),
        asterisk_csv_row(_leg(8, "8001", "13800138000", "2026-07-01 09:07:00", duration="n/a")),
        asterisk_csv_row(_leg(9, "8001", "13800138000", "2026-07-01 09:08:00", "12s")),
        asterisk_csv_row(_leg(10, "8002", "13900139000", "2026-07-01 09:09:00", 5)),
        [*asterisk_csv_row(_leg(11, "8001", "13800138000", "2026-07-01 09:10:00")), "extra"],
    ]
    # when
    code, payload, _err = command(tmp_path, csv_file(rows))
    # then: 11 rows = 2 stored + 9 rejected
    assert code == 1
    assert payload == {
        "rows": 11,
        "stored": 2,
        "duplicates": 0,
        "rejected": [
            {
                "row": 2,
                "column": "",
                "reason": "This row has 20 columns where the file's layout has 21.",
            },
            {"row": 3, "column": "start", "reason": BAD_TIME.format("yesterday 9:00")},
            {"row": 4, "column": "billsec", "reason": "“-5” is not a number of seconds."},
            {"row": 5, "column": "start", "reason": "The start time is empty."},
            {"row": 6, "column": "answer", "reason": BAD_TIME.format("soon")},
            {"row": 7, "column": "end", "reason": BAD_TIME.format("2026-13-01")},
            {"row": 8, "column": "duration", "reason": "“n/a” is not a number of seconds."},
            {"row": 9, "column": "billsec", "reason": "“12s” is not a number of seconds."},
            {
                "row": 11,
                "column": "",
                "reason": "This row has 22 columns where the file's layout has 21.",
            },
        ],
    }
    assert _calls("call_id") == [("1782867600.1",), ("1782867600.10",)]
    run = ImportRun.objects.get(kind="calls")
    assert (run.rows, run.stored, len(run.rejected)) == (11, 2, 9)
    assert_rollups_exact()


def test_with_a_header_the_first_data_row_is_line_2(mapped, tmp_path):
    # given: a FreePBX export (header on line 1), a bad start time on line 3
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61),
        _leg(2, "8001", "13800138000", "2026-07-32 09:00:00", 61),
        _leg(3, "8002", "13900139000", "2026-07-01 09:02:00", 61),
    ]
    # when
    code, payload, _err = command(tmp_path, freepbx(legs))
    # then
    assert code == 1
    assert payload == {
        "rows": 3,
        "stored": 2,
        "duplicates": 0,
        "rejected": [
            {"row": 3, "column": "start", "reason": BAD_TIME.format("2026-07-32 09:00:00")}
        ],
    }


def test_the_text_summary_names_each_rejected_row(mapped, tmp_path):
    # given
    rows = [
        asterisk_csv_row(_leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61)),
        asterisk_csv_row(_leg(2, "8001", "13800138000", "2026-07-01 09:01:00", "-1")),
    ]
    path = tmp_path / "Master.csv"
    path.write_bytes(csv_file(rows))
    out = io.StringIO()
    # when
    with pytest.raises(SystemExit) as exited:
        call_command("import", "calls", str(path), stdout=out, stderr=io.StringIO())
    # then
    assert exited.value.code == 1
    assert out.getvalue().splitlines() == [
        "2 rows: 1 stored, 0 updated, 0 already stored, 1 rejected.",
        "row 2, billsec: “-1” is not a number of seconds.",
    ]


@pytest.mark.parametrize("billsec", ["inf", "1e30", "99999999999999999999", "3000000000"])
def test_an_impossible_billsec_is_rejected_and_the_other_rows_stored(mapped, billsec):
    # given
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61),
        _leg(2, "8001", "13800138000", "2026-07-01 09:01:00", billsec),
        _leg(3, "8002", "13900139000", "2026-07-01 09:02:00", 5),
    ]
    # when
    result, _info = import_calls(asterisk_csv(legs))
    # then
    assert (result.rows, result.stored) == (3, 2)
    assert [(r.row, r.column) for r in result.rejected] == [(2, "billsec")]


# -- merging legs --------------------------------------------------------------------------------


def _three_legs(key: str) -> list[Leg]:
    """One call in three legs, read out of order: the earliest (R2, 8002) not answered,
    R1's answered for 40 s, R3's answered for 95 s."""
    shared = {"linkedid": "1782867500.1"} if key == "linkedid" else {}
    uid = (lambda n: "1782867500.1") if key != "linkedid" else (lambda n: f"1782867500.{n}")
    return [
        Leg(
            "8001",
            "13800138000",
            "2026-07-01 09:00:10",
            40,
            answer="2026-07-01 09:00:15",
            end="2026-07-01 09:00:55",
            duration=45,
            uniqueid=uid(1),
            clid="R1 leg",
            **shared,
        ),
        Leg(
            "8002",
            "13800138000",
            "2026-07-01 09:00:00",
            0,
            disposition="NO ANSWER",
            end="2026-07-01 09:00:20",
            duration=20,
            uniqueid=uid(2),
            clid="R2 leg",
            **shared,
        ),
        Leg(
            "8003",
            "13800138000",
            "2026-07-01 09:00:30",
            95,
            answer="2026-07-01 09:00:32",
            end="2026-07-01 09:02:07",
            duration=97,
            uniqueid=uid(3),
            clid="R3 leg",
            **shared,
        ),
    ]


MERGED = (
    utc(2026, 7, 1, 1, 0, 0),  # earliest start
    utc(2026, 7, 1, 1, 0, 15),  # earliest answer
    utc(2026, 7, 1, 1, 2, 7),  # latest end
    True,  # a leg was answered
    "ANSWERED",
    95,  # the largest billsec
    97,
    "8002",  # the agent on the earliest leg
    "R2",
    "R2 leg",
)
MERGED_FIELDS = (
    "started_at",
    "answered_at",
    "ended_at",
    "answered",
    "disposition",
    "talk_seconds",
    "duration_seconds",
    "extension",
    "employee__employee_no",
    "caller_name",
)


@pytest.mark.parametrize(
    ("build", "key"),
    [
        pytest.param(lambda legs: asterisk_csv(legs, 21), "linkedid", id="cdr_csv-21-linkedid"),
        pytest.param(lambda legs: asterisk_csv(legs, 18), "uniqueid", id="cdr_csv-18-uniqueid"),
        pytest.param(lambda legs: asterisk_csv(legs, 17), "uniqueid", id="cdr_csv-17-uniqueid"),
        pytest.param(asterisk_custom, "uniqueid", id="cdr_custom-uniqueid"),
        pytest.param(freepbx, "linkedid", id="freepbx-linkedid"),
        pytest.param(freepbx, "uniqueid", id="freepbx-uniqueid"),
    ],
)
def test_legs_of_one_call_are_merged(mapped, build, key):
    # when
    result, info = import_calls(build(_three_legs(key)))
    # then: 3 rows = 1 call stored + 2 legs merged
    assert (result.rows, result.stored, result.duplicates, result.rejected) == (3, 1, 0, [])
    expected = MERGED
    if info["layout"] == "freepbx":  # the export has no answer and end times
        expected = (MERGED[0], None, None, *MERGED[3:])
    assert _calls(*MERGED_FIELDS) == [expected]
    assert Call.objects.get().call_id == "1782867500.1"
    assert_rollups_exact()


def test_freeswitch_records_sharing_a_uuid_are_one_call(mapped):
    # given: FreeSWITCH answers by billsec; the uuid is the call id
    legs = [g.with_(uniqueid="a1b2c3d4-0001") for g in _three_legs("uniqueid")]
    # when
    result, _info = import_calls(freeswitch(legs, 15))
    # then
    assert (result.rows, result.stored) == (3, 1)
    call = Call.objects.get()
    assert (call.call_id, call.system, call.answered, call.talk_seconds) == (
        "a1b2c3d4-0001",
        "freeswitch",
        True,
        95,
    )
    assert (call.started_at, call.employee.employee_no) == (utc(2026, 7, 1, 1), "R2")


def test_freeswitch_answered_is_billsec_above_zero_whatever_the_cause(mapped):
    # given
    legs = [
        Leg(
            "8001",
            "1380013800",
            "2026-07-01 09:00:00",
            0,
            uniqueid="u-1",
            hangup_cause="NORMAL_CLEARING",
        ),
        Leg(
            "8001", "1380013801", "2026-07-01 09:01:00", 3, uniqueid="u-2", hangup_cause="USER_BUSY"
        ),
        Leg(
            "8001", "1380013802", "2026-07-01 09:02:00", 0, uniqueid="u-3", hangup_cause="NO_ANSWER"
        ),
    ]
    # when
    import_calls(freeswitch(legs, 13))
    # then
    assert _calls("call_id", "answered", "disposition") == [
        ("u-1", False, "NORMAL_CLEARING"),
        ("u-2", True, "USER_BUSY"),
        ("u-3", False, "NO_ANSWER"),
    ]


def test_an_answered_asterisk_record_with_billsec_0_is_connected_with_no_talk(mapped):
    # given
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 0, disposition="ANSWERED"),
        _leg(2, "8001", "13800138001", "2026-07-01 09:01:00", 0, disposition="NO ANSWER"),
        _leg(3, "8001", "13800138002", "2026-07-01 09:02:00", 0, disposition="BUSY"),
        _leg(4, "8001", "13800138003", "2026-07-01 09:03:00", 0, disposition="FAILED"),
        _leg(5, "8001", "13800138004", "2026-07-01 09:04:00", 0, disposition="CONGESTION"),
    ]
    # when
    import_calls(asterisk_csv(legs))
    # then
    assert _calls("disposition", "answered", "talk_seconds") == [
        ("ANSWERED", True, 0),
        ("NO ANSWER", False, 0),
        ("BUSY", False, 0),
        ("FAILED", False, 0),
        ("CONGESTION", False, 0),
    ]
    day = CallDay.objects.get()
    assert (day.out_calls, day.out_connected, day.out_talk_seconds) == (5, 1, 0)


def _far_apart_legs() -> list[Leg]:
    """Call L in four legs with seven other calls between its first and its last legs."""
    others = [_leg(n, "8001", f"1380013800{n}", f"2026-07-01 09:0{n}:00", 5) for n in range(1, 8)]
    return [
        _leg(20, "8001", "13800138000", "2026-07-01 09:00:10", linkedid="L"),
        *others[:3],
        _leg(21, "8002", "13800138000", "2026-07-01 09:00:00", 100, linkedid="L"),
        *others[3:],
        _leg(22, "8003", "13800138000", "2026-07-01 09:00:20", 10, linkedid="L"),
        _leg(23, "8003", "13800138000", "2026-07-01 09:00:30", 10, linkedid="L"),
    ]


@pytest.fixture
def small_window(monkeypatch):
    """Legs are merged in memory within a window of recent calls, the rest in the
    database; a window of 2 calls and batches of 2 make the database do it here."""
    from telesales.calls import importer

    monkeypatch.setattr(importer, "WINDOW", 2)
    monkeypatch.setattr(importer.CallImporter, "batch_size", 2)


def test_legs_further_apart_than_the_merge_window_are_still_one_call(mapped, small_window):
    # when
    result, _info = import_calls(asterisk_csv(_far_apart_legs()))
    # then: 11 rows, 8 calls
    assert (result.rows, result.stored, result.rejected) == (11, 8, [])
    assert Call.objects.count() == 8
    merged = Call.objects.get(call_id="L")
    assert (merged.started_at, merged.answered, merged.talk_seconds) == (
        utc(2026, 7, 1, 1, 0),
        True,
        100,
    )
    assert (merged.extension, merged.employee.employee_no) == ("8002", "R2")
    assert_rollups_exact()


def test_legs_merged_past_the_window_are_not_reported_as_already_stored(
    mapped, small_window, tmp_path
):
    # when
    code, payload, _err = command(tmp_path, asterisk_csv(_far_apart_legs()))
    # then
    assert (code, payload) == (0, {"rows": 11, "stored": 8, "duplicates": 0, "rejected": []})


# -- re-imports -------------------------------------------------------------------------------------


def test_the_same_file_again_stores_nothing(mapped, tmp_path):
    # given: 5 rows, 4 calls (one in two legs)
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61),
        _leg(2, "8002", "13900139000", "2026-07-01 09:05:00"),
        _leg(3, "8003", "13700137000", "2026-07-01 09:10:00", 20),
        _leg(4, "8001", "13600136000", "2026-07-01 09:15:00", linkedid="1782867600.3"),
        _leg(5, "13500135000", "8002", "2026-07-02 10:00:00", 300),
    ]
    data = asterisk_csv(legs)
    first = command(tmp_path, data)
    calls, days = _calls(), _days()
    # when
    again = command(tmp_path, data)
    # then
    assert first[:2] == (0, {"rows": 5, "stored": 4, "duplicates": 0, "rejected": []})
    assert again[:2] == (0, {"rows": 5, "stored": 0, "duplicates": 4, "rejected": []})
    assert _calls() == calls
    assert _days() == days
    assert_rollups_exact()


def test_a_later_file_repeating_calls_and_adding_legs_merges_exactly(mapped):
    # given: the first export of the day
    x = _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", end="2026-07-01 09:00:25")
    y = _leg(2, "8002", "13900139000", "2026-07-01 09:05:00", 30)
    z = _leg(3, "8003", "13700137000", "2026-07-01 09:10:00", 100)
    import_calls(asterisk_csv([x, y, z]))
    # and the next export: y again, an earlier answered leg of x from 8002, a later and
    # shorter leg of z that changes nothing, and a new call w
    x2 = _leg(
        11,
        "8002",
        "13800138000",
        "2026-07-01 08:59:50",
        120,
        linkedid="1782867600.1",
        answer="2026-07-01 08:59:55",
        end="2026-07-01 09:01:55",
        duration=125,
    )
    z2 = _leg(13, "8001", "13700137000", "2026-07-01 09:10:30", 10, linkedid="1782867600.3")
    w = _leg(4, "8001", "13600136000", "2026-07-01 09:20:00", 75)
    # when
    result, _info = import_calls(asterisk_csv([y, x2, z2, w]))
    # then: 4 rows = 1 stored (w) + 1 merged into a stored call (x) + 2 already stored
    assert (result.rows, result.stored, result.updated, result.duplicates) == (4, 1, 1, 2)
    assert result.rejected == []
    assert _calls(
        "call_id",
        "started_at",
        "answered",
        "disposition",
        "talk_seconds",
        "extension",
        "employee__employee_no",
        "answered_at",
        "ended_at",
        "duration_seconds",
    ) == [
        (
            "1782867600.1",
            utc(2026, 7, 1, 0, 59, 50),
            True,
            "ANSWERED",
            120,
            "8002",
            "R2",
            utc(2026, 7, 1, 0, 59, 55),
            utc(2026, 7, 1, 1, 1, 55),
            125,
        ),
        ("1782867600.2", utc(2026, 7, 1, 1, 5), True, "ANSWERED", 30, "8002", "R2", None, None, 38),
        (
            "1782867600.3",
            utc(2026, 7, 1, 1, 10),
            True,
            "ANSWERED",
            100,
            "8003",
            "R3",
            None,
            None,
            108,
        ),
        (
            "1782867600.4",
            utc(2026, 7, 1, 1, 20),
            True,
            "ANSWERED",
            75,
            "8001",
            "R1",
            None,
            None,
            83,
        ),
    ]
    assert_rollups_exact()


def test_a_later_file_with_only_known_calls_reports_them_as_duplicates(mapped, tmp_path):
    # given
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61),
        _leg(2, "8002", "13900139000", "2026-07-01 09:05:00"),
    ]
    command(tmp_path, asterisk_csv(legs))
    # when: the same calls in another layout of the same system (FreePBX reads Asterisk)
    code, payload, _err = command(tmp_path, freepbx(legs), name="cdr-report.csv")
    # then
    assert (code, payload) == (0, {"rows": 2, "stored": 0, "duplicates": 2, "rejected": []})
    assert Call.objects.count() == 2


# -- direction -------------------------------------------------------------------------------------


def test_direction_follows_internal_and_external_numbers(mapped):
    # given
    legs = [
        # outbound: extension → customer
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61),
        # outbound placed from 8001 with the company's number as caller id
        _leg(
            2,
            "02161234567",
            "13900139000",
            "2026-07-01 09:01:00",
            20,
            channel="PJSIP/8001-00000002",
        ),
        # inbound: customer → extension
        _leg(3, "13700137000", "8002", "2026-07-01 09:02:00", 90),
        # inbound to the hotline, taken by 8003 (its channel)
        _leg(
            4,
            "13600136000",
            "4008001234",
            "2026-07-01 09:03:00",
            15,
            channel="PJSIP/trunk-00000004",
            dstchannel="PJSIP/8003-00000005",
        ),
        # internal: extension → extension
        _leg(5, "8001", "8002", "2026-07-01 09:04:00", 12),
        # outbound from an unmapped 6-digit extension
        _leg(6, "123456", "13500135000", "2026-07-01 09:05:00", 5),
        # inbound from a 7-digit number: not internal
        _leg(7, "1234567", "8001", "2026-07-01 09:06:00", 5),
    ]
    # when
    import_calls(asterisk_csv(legs))
    # then
    assert _calls(
        "call_id", "direction", "extension", "customer_number", "employee__employee_no"
    ) == [
        ("1782867600.1", "outbound", "8001", "13800138000", "R1"),
        ("1782867600.2", "outbound", "8001", "13900139000", "R1"),
        ("1782867600.3", "inbound", "8002", "13700137000", "R2"),
        ("1782867600.4", "inbound", "8003", "13600136000", "R3"),
        ("1782867600.5", "internal", "8001", "", "R1"),
        ("1782867600.6", "outbound", "123456", "13500135000", None),
        ("1782867600.7", "inbound", "8001", "1234567", "R1"),
    ]
    assert_rollups_exact()
    r1 = call_kpis(scope_for_employee(mapped.r1), period_parse("2026-07"))
    assert (r1["call_volume"].value, r1["connected_calls"].value) == (2, 2)
    r2 = call_kpis(scope_for_employee(mapped.r2), period_parse("2026-07"))
    assert r2["call_volume"].value == 0


def test_the_internal_number_pattern_setting_decides_what_is_internal(mapped):
    # given: only 8xxx numbers are internal; agent id A1001 is R1's in the map
    from telesales.org.services import extension_assign

    setting_set(actor=None, key="calls.internal_pattern", value=r"8\d{3}")
    extension_assign(actor=None, employee=mapped.r1, number="A1001", valid_from=MAPPED_FROM)
    legs = [
        _leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61),
        _leg(2, "123456", "13900139000", "2026-07-01 09:01:00", 20),
        _leg(3, "A1001", "13700137000", "2026-07-01 09:02:00", 30, channel=""),
        _leg(4, "9001", "8002", "2026-07-01 09:03:00", 30, channel=""),
    ]
    # when
    import_calls(asterisk_csv(legs))
    # then
    assert _calls(
        "call_id", "direction", "extension", "customer_number", "employee__employee_no"
    ) == [
        ("1782867600.1", "outbound", "8001", "13800138000", "R1"),
        ("1782867600.2", "inbound", "", "123456", None),
        ("1782867600.3", "outbound", "A1001", "13700137000", "R1"),
        ("1782867600.4", "inbound", "8002", "9001", "R2"),
    ]
    assert_rollups_exact()


def test_a_number_mapped_at_any_date_is_internal(mapped):
    # given: agent id A2002 was R3's in the first half of 2025 only
    from telesales.org.services import extension_assign

    extension_assign(
        actor=None,
        employee=mapped.r3,
        number="A2002",
        valid_from=dt.date(2025, 1, 6),
        valid_to=dt.date(2025, 7, 1),
    )
    extension_assign(actor=None, employee=mapped.r3, number="8003", valid_from=MAPPED_FROM)
    legs = [_leg(1, "A2002", "13800138000", "2026-07-01 09:00:00", 61, channel="")]
    # when
    import_calls(asterisk_csv(legs))
    # then: outbound from an internal number that nobody owns in 2026
    assert _calls("direction", "extension", "customer_number", "employee__employee_no") == [
        ("outbound", "A2002", "13800138000", None)
    ]


def test_an_inbound_call_on_a_dahdi_trunk_is_inbound(mapped):
    # given
    legs = [
        _leg(
            1,
            "13700137000",
            "8002",
            "2026-07-01 09:00:00",
            61,
            channel="DAHDI/1-1",
            dstchannel="PJSIP/8002-00000001",
        )
    ]
    # when
    import_calls(asterisk_csv(legs))
    # then
    assert _calls("direction", "extension", "customer_number", "employee__employee_no") == [
        ("inbound", "8002", "13700137000", "R2")
    ]


def test_17_columns_with_systemname_uniqueids_merge_legs(mapped):
    # given
    legs = [
        Leg(
            "8001",
            "13800138000",
            "2026-07-01 09:00:00",
            0,
            "NO ANSWER",
            uniqueid="pbx1-1782867600.11",
        ),
        Leg("8002", "13800138000", "2026-07-01 09:00:05", 30, uniqueid="pbx1-1782867600.11"),
    ]
    # when
    result, info = import_calls(asterisk_csv(legs, 17))
    # then
    assert info["notes"] == []
    assert (result.rows, result.stored) == (2, 1)
    assert _calls("call_id", "answered", "talk_seconds", "employee__employee_no") == [
        ("pbx1-1782867600.11", True, 30, "R1")  # answered: a leg was answered
    ]


# -- generic exports with a saved column mapping ----------------------------------------------------

CRM_HEADER = [
    "话单ID",
    "开始时间",
    "主叫号码",
    "被叫号码",
    "通话时长",
    "呼叫结果",
    "坐席工号",
    "备注",
]
CRM_COLUMNS = {
    "call_id": "话单ID",
    "start": "开始时间",
    "src": "主叫号码",
    "dst": "被叫号码",
    "billsec": "通话时长",
    "disposition": "呼叫结果",
    "extension": "坐席工号",
}
CRM_ROWS = [
    ["c-1", "7/1/2026 9:00", "8001", "13800138000", "61", "已接通", "8001", "首次"],
    ["c-2", "7/2/2026 10:30", "8002", "13900139000", "0", "未接通", "8002", ""],
    ["c-3", "7/13/2026 23:30", "8001", "13700137000", "15", "已接通", "8001", "回访"],
]
CRM_CALLS = [
    ("c-1", utc(2026, 7, 1, 1, 0), dt.date(2026, 7, 1), True, 61, "outbound", "8001", "R1"),
    ("c-2", utc(2026, 7, 2, 2, 30), dt.date(2026, 7, 2), False, 0, "outbound", "8002", "R2"),
    ("c-3", utc(2026, 7, 13, 15, 30), dt.date(2026, 7, 13), True, 15, "outbound", "8001", "R1"),
]
CRM_FIELDS = (
    "call_id",
    "started_at",
    "local_date",
    "answered",
    "talk_seconds",
    "direction",
    "extension",
    "employee__employee_no",
)


@pytest.fixture
def crm(mapped):
    return ColumnMapping.objects.create(name="crm", columns=CRM_COLUMNS, date_order="mdy")


@pytest.mark.parametrize("option", ["--format", "--mapping"])
def test_a_saved_mapping_is_chosen_by_name_on_the_command_line(crm, tmp_path, option):
    # given
    data = generic_csv(CRM_HEADER, CRM_ROWS)
    # when
    code, payload, _err = command(tmp_path, data, option, "crm", name="crm.csv")
    # then
    assert (code, payload) == (0, {"rows": 3, "stored": 3, "duplicates": 0, "rejected": []})
    assert _calls(*CRM_FIELDS) == CRM_CALLS
    assert set(Call.objects.values_list("system", flat=True)) == {"generic"}
    run = ImportRun.objects.get(kind="calls")
    assert run.detected == "Generic export with the saved mapping “crm” · utf-8"
    assert run.message == "Recognised because the column mapping “crm” was chosen."
    assert_rollups_exact()


def test_a_saved_mapping_is_chosen_with_the_mapping_option_for_a_workbook(crm):
    # given: Excel cells typed as Excel keeps them (datetimes, numbers)
    rows = [
        ["c-1", dt.datetime(2026, 7, 1, 9, 0), 8001, 13800138000, 61, "已接通", 8001, None],
        ["c-2", dt.datetime(2026, 7, 2, 10, 30), 8002, 13900139000, 0, "未接通", 8002, None],
        ["c-3", "7/13/2026 23:30", "8001", 13700137000, 15.0, "已接通", "8001", "回访"],
    ]
    # when
    result, info = import_calls(generic_xlsx(CRM_HEADER, rows), mapping="crm")
    # then
    assert (result.rows, result.stored, result.rejected) == (3, 3, [])
    assert info["layout_reason"] == "the column mapping “crm” was chosen"
    assert _calls(*CRM_FIELDS) == CRM_CALLS


def test_a_mapping_with_its_own_system_keeps_call_ids_apart(crm):
    # given: the same ids from another phone system
    ColumnMapping.objects.create(name="cloud", system="cloudpbx", columns=CRM_COLUMNS)
    data = generic_csv(CRM_HEADER, CRM_ROWS)
    # when
    first, _ = import_calls(data, mapping="crm")
    second, _ = import_calls(data, mapping="cloud")
    # then
    assert (first.stored, second.stored, second.duplicates) == (3, 3, 0)
    assert sorted(set(Call.objects.values_list("system", flat=True))) == ["cloudpbx", "generic"]


def test_a_mapping_naming_a_column_the_file_lacks_is_refused(crm, tmp_path):
    # given
    header = [h for h in CRM_HEADER if h != "被叫号码"]
    rows = [[c for i, c in enumerate(r) if i != 3] for r in CRM_ROWS]
    # when
    code, payload, _err = command(tmp_path, generic_csv(header, rows), "--format", "crm")
    # then
    assert code == 2
    assert payload == {
        "error": "The saved column mapping “crm” names columns this file lacks: dst "
        "(destination number)."
    }
    assert not Call.objects.exists()


def test_an_unknown_mapping_is_refused(mapped):
    with pytest.raises(ImportFileError) as refused:
        import_calls(generic_csv(CRM_HEADER, CRM_ROWS), mapping="nope")
    assert refused.value.message == "There is no saved column mapping or layout named “nope”."


def test_a_generic_export_without_disposition_is_answered_by_billsec(mapped):
    # given
    header = ["id", "start time", "caller", "callee", "talk seconds"]
    rows = [
        ["g-1", "2026-07-01 09:00:00", "8001", "13800138000", "61"],
        ["g-2", "2026-07-01 09:01:00", "8001", "13800138001", "0"],
    ]
    # when
    result, info = import_calls(generic_csv(header, rows))
    # then
    assert info["layout"] == "generic"
    assert result.stored == 2
    assert _calls("call_id", "answered", "talk_seconds") == [("g-1", True, 61), ("g-2", False, 0)]


def test_a_generic_export_with_a_chinese_header_is_recognised_without_a_mapping(mapped):
    # given
    header = ["通话ID", "开始时间", "主叫号码", "被叫号码", "通话时长", "接通状态"]
    rows = [
        ["g-1", "2026-07-01 09:00:00", "8001", "13800138000", "61", "已接通"],
        ["g-2", "2026-07-01 09:01:00", "8002", "13800138001", "0", "未接通"],
    ]
    # when
    result, info = import_calls(generic_csv(header, rows, encoding="gbk"))
    # then
    assert (info["layout"], info["encoding"]) == ("generic", "gb18030")
    assert info["layout_reason"] == (
        "the header names the columns: 通话ID, 开始时间, 主叫号码, 被叫号码, 通话时长, 接通状态"
    )
    assert result.stored == 2
    assert _calls("call_id", "answered", "talk_seconds", "employee__employee_no") == [
        ("g-1", True, 61, "R1"),
        ("g-2", False, 0, "R2"),
    ]


def test_a_workbook_reports_rejected_rows_by_sheet_row_and_skips_blank_rows(mapped):
    # given: header on row 1, a blank row 3, a bad start on row 5
    header = ["call_id", "start", "src", "dst", "billsec"]
    rows = [
        ["x-1", dt.datetime(2026, 7, 1, 9, 0), 8001, 13800138000, 61],
        [None, None, None, None, None],
        ["x-2", dt.datetime(2026, 7, 1, 9, 5), 8002, 13900139000, 0],
        ["x-3", "the day after", 8003, 13700137000, 10],
        ["x-4", "2026/7/1 9:10", 8003, 13700137000, 10],
    ]
    # when
    result, _info = import_calls(generic_xlsx(header, rows))
    # then: 4 rows = 3 stored + 1 rejected
    assert (result.rows, result.stored) == (4, 3)
    assert [r.as_dict() for r in result.rejected] == [
        {"row": 5, "column": "start", "reason": BAD_TIME.format("the day after")}
    ]
    assert _calls("call_id", "started_at") == [
        ("x-1", utc(2026, 7, 1, 1, 0)),
        ("x-2", utc(2026, 7, 1, 1, 5)),
        ("x-4", utc(2026, 7, 1, 1, 10)),
    ]


# -- dry run ------------------------------------------------------------------------------------------


def test_a_dry_run_counts_like_a_real_run_and_stores_nothing(mapped, tmp_path):
    # given
    data = _quirky_file("\n", "utf-8")
    # when
    dry = command(tmp_path, data, "--dry-run")
    # then
    assert dry[0] == 1
    assert (dry[1]["rows"], dry[1]["stored"], len(dry[1]["rejected"])) == (7, 4, 2)
    assert not Call.objects.exists()
    assert not CallDay.objects.exists()
    assert not ImportRun.objects.filter(kind="calls").exists()
    real = command(tmp_path, data)
    assert real[:2] == dry[:2]
    assert Call.objects.count() == 4


def test_a_dry_run_through_import_execute_rolls_back_merges_into_stored_calls(mapped):
    # given
    x = _leg(1, "8001", "13800138000", "2026-07-01 09:00:00")
    import_calls(asterisk_csv([x]))
    before = _calls()
    days = _days()
    earlier = _leg(2, "8002", "13800138000", "2026-07-01 08:59:00", 90, linkedid="1782867600.1")
    # when
    result, _info = import_calls(asterisk_csv([earlier]), dry_run=True)
    # then
    assert (result.stored, result.updated) == (0, 1)
    assert _calls() == before
    assert _days() == days


def test_only_an_administrator_may_import_calls(mapped, tmp_path):
    # given
    from django.core.management.base import CommandError

    path = tmp_path / "Master.csv"
    path.write_bytes(asterisk_csv([_leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61)]))
    # when: a rep tries
    with pytest.raises(CommandError) as refused:
        call_command("import", "calls", str(path), "--json", "--user", "r1")
    # then
    assert refused.value.returncode == 2
    assert str(refused.value) == "User r1 may not import calls."
    assert not Call.objects.exists()
    # and the administrator may
    code, payload, _err = command(tmp_path, path.read_bytes(), "--user", "a1")
    assert (code, payload["stored"]) == (0, 1)
    assert ImportRun.objects.get(kind="calls").user.username == "a1"


def test_json_output_is_one_object(mapped, tmp_path):
    # given
    path = tmp_path / "Master.csv"
    path.write_bytes(asterisk_csv([_leg(1, "8001", "13800138000", "2026-07-01 09:00:00", 61)]))
    out = io.StringIO()
    # when
    with pytest.raises(SystemExit):
        call_command("import", "calls", str(path), "--json", stdout=out, stderr=io.StringIO())
    # then
    assert json.loads(out.getvalue()) == {"rows": 1, "stored": 1, "duplicates": 0, "rejected": []}


def test_the_command_line_draws_a_progress_bar_on_standard_error(mapped, tmp_path, english):
    # given
    legs = [Leg("8001", "13800138000", f"2026-07-01 09:0{i}:00", 30) for i in range(5)]
    # when
    code, payload, err = command(tmp_path, asterisk_csv(legs))
    # then: standard output keeps only the JSON; the bar ends at 100% with the rows read
    assert (code, payload["stored"]) == (0, 5)
    lines = err.strip().splitlines()
    assert lines and lines[-1] == "[" + "#" * 30 + "] 100% 5 rows"


def test_no_progress_leaves_standard_error_empty(mapped, tmp_path):
    # given
    legs = [Leg("8001", "13800138000", "2026-07-01 09:00:00", 30)]
    # when
    code, payload, err = command(tmp_path, asterisk_csv(legs), "--no-progress")
    # then
    assert (code, payload["stored"], err) == (0, 1, "")
