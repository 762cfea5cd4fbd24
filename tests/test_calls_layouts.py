"""Which phone-system export a calls file is (PRODUCT.md §7 calls, §8): every layout is
recognised without --format and named with its reason; --format overrides detection; a
file that is not a call export is refused with exit status 2 and nothing stored."""

from __future__ import annotations

import datetime as dt

import pytest

from telesales.calls.models import Call, CallDay
from telesales.core.imports.reading import ImportFileError
from telesales.core.models import ImportRun
from tests.cdr_files import (
    FREEPBX_HEADER,
    Leg,
    asterisk_csv,
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
from tests.files import NOT_READABLE, PNG

pytestmark = pytest.mark.usefixtures("english")

UTC = dt.UTC

# Two calls as every layout carries them: R1 (8001) connected for 125 s, R2 (8002) not.
ANSWERED = Leg(
    "8001",
    "13800138000",
    "2026-07-01 09:00:00",
    125,
    answer="2026-07-01 09:00:07",
    end="2026-07-01 09:02:12",
    duration=132,
    uniqueid="1782867600.11",
    linkedid="1782867600.11",
    clid='"Zhang Yi" <8001>',
)
NOT_ANSWERED = Leg(
    "8002",
    "13900139000",
    "2026-07-01 09:05:00",
    0,
    disposition="NO ANSWER",
    end="2026-07-01 09:05:30",
    duration=30,
    uniqueid="1782867900.12",
    linkedid="1782867900.12",
    clid='"Zhang Er" <8002>',
)
LEGS = [ANSWERED, NOT_ANSWERED]
GENERIC_HEADER = ["call_id", "start", "src", "dst", "billsec", "disposition"]


def _generic_rows(legs):
    return [[g.uniqueid, g.start, g.src, g.dst, g.billsec, g.disposition] for g in legs]


def _freeswitch_legs():
    return [
        ANSWERED.with_(uniqueid="6f1c2a6e-0001"),
        NOT_ANSWERED.with_(uniqueid="6f1c2a6e-0002", hangup_cause="NO_ANSWER"),
    ]


NO_HEADER = "no header; {n} columns with a start time in column {s} and talk seconds in column {b}"
# id, file, layout, label (format), reason, system, call ids (None: made from the row)
LAYOUTS = [
    pytest.param(
        asterisk_csv(LEGS, 16),
        "asterisk-csv",
        "Asterisk cdr_csv (16 columns)",
        NO_HEADER.format(n=16, s=10, b=14),
        "asterisk",
        None,
        id="asterisk-csv-16",
    ),
    pytest.param(
        asterisk_csv(LEGS, 17),
        "asterisk-csv",
        "Asterisk cdr_csv (17 columns)",
        NO_HEADER.format(n=17, s=10, b=14),
        "asterisk",
        ["1782867600.11", "1782867900.12"],
        id="asterisk-csv-17",
    ),
    pytest.param(
        asterisk_csv(LEGS, 18),
        "asterisk-csv",
        "Asterisk cdr_csv (18 columns)",
        NO_HEADER.format(n=18, s=10, b=14),
        "asterisk",
        ["1782867600.11", "1782867900.12"],
        id="asterisk-csv-18",
    ),
    pytest.param(
        asterisk_csv(LEGS, 21),
        "asterisk-csv",
        "Asterisk cdr_csv (21 columns)",
        NO_HEADER.format(n=21, s=10, b=14),
        "asterisk",
        ["1782867600.11", "1782867900.12"],
        id="asterisk-csv-21",
    ),
    pytest.param(
        asterisk_custom(LEGS),
        "asterisk-custom",
        "Asterisk cdr_custom, default mapping (19 columns)",
        NO_HEADER.format(n=19, s=9, b=13),
        "asterisk",
        ["1782867600.11", "1782867900.12"],
        id="asterisk-custom-19",
    ),
    pytest.param(
        freeswitch(_freeswitch_legs(), 13),
        "freeswitch-default",
        "FreeSWITCH mod_cdr_csv, default template (13 columns)",
        NO_HEADER.format(n=13, s=5, b=9),
        "freeswitch",
        ["6f1c2a6e-0001", "6f1c2a6e-0002"],
        id="freeswitch-default-13",
    ),
    pytest.param(
        freeswitch(_freeswitch_legs(), 15),
        "freeswitch-example",
        "FreeSWITCH mod_cdr_csv, example template (15 columns)",
        NO_HEADER.format(n=15, s=5, b=9),
        "freeswitch",
        ["6f1c2a6e-0001", "6f1c2a6e-0002"],
        id="freeswitch-example-15",
    ),
    pytest.param(
        freepbx(LEGS),
        "freepbx",
        "FreePBX CDR Reports export",
        "the header names calldate, uniqueid, billsec and disposition",
        "asterisk",
        ["1782867600.11", "1782867900.12"],
        id="freepbx",
    ),
    pytest.param(
        generic_csv(GENERIC_HEADER, _generic_rows(LEGS)),
        "generic",
        "Generic export with a header",
        "the header names the columns: call_id, start, src, dst, billsec, disposition",
        "generic",
        ["1782867600.11", "1782867900.12"],
        id="generic-csv",
    ),
    pytest.param(
        generic_xlsx(GENERIC_HEADER, _generic_rows(LEGS)),
        "generic",
        "Generic export with a header",
        "the header names the columns: call_id, start, src, dst, billsec, disposition",
        "generic",
        ["1782867600.11", "1782867900.12"],
        id="generic-xlsx",
    ),
]


@pytest.fixture
def mapped(org):
    map_extensions(org)
    return org


def _calls() -> list[tuple]:
    return list(
        Call.objects.order_by("started_at").values_list(
            "started_at",
            "local_date",
            "answered",
            "talk_seconds",
            "direction",
            "src",
            "dst",
            "extension",
            "customer_number",
            "employee__employee_no",
        )
    )


EXPECTED_CALLS = [
    (
        dt.datetime(2026, 7, 1, 1, 0, tzinfo=UTC),
        dt.date(2026, 7, 1),
        True,
        125,
        "outbound",
        "8001",
        "13800138000",
        "8001",
        "13800138000",
        "R1",
    ),
    (
        dt.datetime(2026, 7, 1, 1, 5, tzinfo=UTC),
        dt.date(2026, 7, 1),
        False,
        0,
        "outbound",
        "8002",
        "13900139000",
        "8002",
        "13900139000",
        "R2",
    ),
]


@pytest.mark.parametrize(("data", "layout", "label", "reason", "system", "ids"), LAYOUTS)
def test_every_layout_is_recognised_and_named_with_its_reason(
    mapped, data, layout, label, reason, system, ids
):
    # when
    result, info = import_calls(data)
    # then
    assert info["layout"] == layout
    assert info["format"] == label
    assert info["layout_reason"] == reason
    assert (result.rows, result.stored, result.duplicates, result.rejected) == (2, 2, 0, [])
    assert _calls() == EXPECTED_CALLS
    stored = list(Call.objects.order_by("started_at").values_list("system", "call_id"))
    assert {s for s, _ in stored} == {system}
    if ids is None:
        assert all(call_id.startswith("h:") for _s, call_id in stored)
        assert len({call_id for _s, call_id in stored}) == 2
    else:
        assert [call_id for _s, call_id in stored] == ids


@pytest.mark.parametrize(("data", "layout", "label", "reason", "system", "ids"), LAYOUTS)
def test_the_command_records_the_layout_and_why_in_the_import_run(
    mapped, tmp_path, data, layout, label, reason, system, ids
):
    # given
    name = "calls.xlsx" if data.startswith(b"PK") else "calls.csv"
    # when
    code, payload, _err = command(tmp_path, data, name=name)
    # then
    assert code == 0
    assert payload == {"rows": 2, "stored": 2, "duplicates": 0, "rejected": []}
    run = ImportRun.objects.get(kind="calls")
    assert run.status == ImportRun.Status.DONE
    assert run.detected == (label if name.endswith(".xlsx") else f"{label} · utf-8")
    assert run.message.startswith(f"Recognised because {reason}.")
    assert set(Call.objects.values_list("import_run_id", flat=True)) == {run.pk}


def test_16_columns_have_no_uniqueid_so_each_row_is_one_call_and_reimports_match(mapped):
    # given
    data = asterisk_csv(LEGS, 16)
    # when
    first, info = import_calls(data)
    again, _info = import_calls(data)
    # then
    assert info["notes"] == [
        "This export has no uniqueid column, so each row is one call, identified by its "
        "start time, channel and numbers."
    ]
    assert (first.stored, first.duplicates) == (2, 0)
    assert (again.stored, again.duplicates) == (0, 2)
    assert Call.objects.count() == 2


def test_17_columns_whose_last_is_a_userfield_are_read_without_uniqueid(mapped):
    # given: cdr_csv with loguserfield but not loguniqueid
    legs = [ANSWERED.with_(uniqueid="vip"), NOT_ANSWERED.with_(uniqueid="")]
    # when
    result, info = import_calls(asterisk_csv(legs, 17))
    # then
    assert info["layout"] == "asterisk-csv"
    assert info["notes"] and "no uniqueid column" in info["notes"][0]
    assert result.stored == 2
    assert all(c.startswith("h:") for c in Call.objects.values_list("call_id", flat=True))
    assert _calls() == EXPECTED_CALLS


def test_a_gbk_freepbx_export_with_crlf_and_chinese_caller_names_is_recognised(mapped):
    # given: FreePBX with Chinese caller names, saved in GBK with CRLF
    legs = [ANSWERED.with_(clid='"张一" <8001>'), NOT_ANSWERED.with_(clid='"张二" <8002>')]
    # when
    result, info = import_calls(freepbx(legs, encoding="gbk", newline="\r\n"))
    # then
    assert (info["layout"], info["encoding"]) == ("freepbx", "gb18030")
    assert result.stored == 2
    assert sorted(Call.objects.values_list("caller_name", flat=True)) == [
        '"张一" <8001>',
        '"张二" <8002>',
    ]


# -- --format ---------------------------------------------------------------------------


def test_format_freepbx_reads_a_header_that_detection_would_call_generic(mapped, tmp_path):
    # given: a FreePBX export cut down to a few columns (no uniqueid, no disposition)
    header = ["calldate", "src", "dst", "billsec"]
    rows = [[g.start, g.src, g.dst, g.billsec] for g in LEGS]
    data = csv_file(rows, header)
    detected = import_calls(data, dry_run=True)[1]
    # when
    code, payload, _err = command(tmp_path, data, "--format", "freepbx")
    # then
    assert detected["layout"] == "generic"
    assert code == 0
    assert payload["stored"] == 2
    run = ImportRun.objects.get(kind="calls")
    assert run.options == {"format": "freepbx"}
    assert run.detected == "FreePBX CDR Reports export · utf-8"
    assert set(Call.objects.values_list("system", flat=True)) == {"asterisk"}
    assert [c[:4] for c in _calls()] == [c[:4] for c in EXPECTED_CALLS]


def test_format_generic_reads_a_freepbx_export_as_a_generic_one(mapped):
    # when
    result, info = import_calls(freepbx(LEGS), format="generic")
    # then
    assert info["layout"] == "generic"
    assert result.stored == 2
    assert set(Call.objects.values_list("system", flat=True)) == {"generic"}
    assert _calls() == EXPECTED_CALLS


@pytest.mark.parametrize(
    ("data", "forced", "layout"),
    [
        (asterisk_csv(LEGS, 21), "asterisk-csv", "asterisk-csv"),
        (asterisk_custom(LEGS), "asterisk-custom", "asterisk-custom"),
        (freeswitch(_freeswitch_legs(), 13), "freeswitch-default", "freeswitch-default"),
        (freeswitch(_freeswitch_legs(), 15), "freeswitch-example", "freeswitch-example"),
    ],
)
def test_a_forced_headerless_layout_says_it_was_chosen(mapped, data, forced, layout):
    # when
    result, info = import_calls(data, format=forced)
    # then
    assert info["layout"] == layout
    assert info["layout_reason"].startswith(f"chosen with --format {forced}; no header; ")
    assert result.stored == 2


@pytest.mark.parametrize("forced", ["freepbx", "generic"])
def test_a_forced_header_layout_says_it_was_chosen(mapped, forced):
    # when
    _result, info = import_calls(freepbx(LEGS), format=forced)
    # then
    assert info["layout_reason"].startswith(f"chosen with --format {forced}")


@pytest.mark.parametrize(
    ("data", "forced", "columns"),
    [
        (asterisk_custom(LEGS), "asterisk-csv", 19),
        (asterisk_csv(LEGS, 21), "asterisk-custom", 21),
        (asterisk_csv(LEGS, 21), "freeswitch-default", 21),
        (freeswitch(_freeswitch_legs(), 13), "asterisk-csv", 13),
    ],
)
def test_a_forced_layout_that_does_not_fit_is_refused(mapped, tmp_path, data, forced, columns):
    # when
    code, payload, err = command(tmp_path, data, "--format", forced)
    # then
    message = f"The first row has {columns} columns, which does not fit the layout {forced}."
    assert code == 2
    assert payload == {"error": message}
    assert message in err
    assert not Call.objects.exists()


def test_format_freeswitch_example_on_a_13_column_file_is_refused(mapped):
    with pytest.raises(ImportFileError) as refused:
        import_calls(freeswitch(_freeswitch_legs(), 13), format="freeswitch-example")
    assert refused.value.message == (
        "The first row has 13 columns, which does not fit the layout freeswitch-example."
    )
    assert not Call.objects.exists()


def test_format_asterisk_csv_on_a_file_with_a_header_is_refused(mapped, tmp_path):
    # when
    code, payload, _err = command(tmp_path, freepbx(LEGS), "--format", "asterisk-csv")
    # then
    assert code == 2
    assert payload == {
        "error": f"The first row has {len(FREEPBX_HEADER)} columns, which does not fit the "
        "layout asterisk-csv."
    }
    assert not Call.objects.exists()


def test_an_unknown_format_name_is_refused(mapped, tmp_path):
    # when
    code, payload, _err = command(tmp_path, asterisk_csv(LEGS), "--format", "avaya")
    # then
    assert code == 2
    assert payload == {"error": "There is no saved column mapping or layout named “avaya”."}
    assert not Call.objects.exists()


# -- files that are not call exports ------------------------------------------------------

EMPLOYEES = csv_file(
    [
        ["E001", "张伟", "T9", "rep", "S009", "2026-01-05", "", "8101", "a@example.com", "P3"],
        ["E002", "李娜", "T9", "rep", "S009", "2026-01-05", "", "8102", "", "P3"],
    ],
    [
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
    ],
    quoting=0,
)
NOT_CDR = (
    "This does not look like a phone-system call export: the first row has {n} columns and "
    "no start time where Asterisk (16, 17, 18, 19 or 21 columns) or FreeSWITCH (13 or 15 "
    "columns) put it, and no header naming the columns. Nothing was stored."
)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(EMPLOYEES, "employees.csv", NOT_CDR.format(n=10), id="employees-csv"),
        pytest.param(
            b"Dear team,\nplease find the call report attached.\nRegards\n",
            "notes.txt",
            NOT_CDR.format(n=2),
            id="random-text",
        ),
        pytest.param(b"", "empty.csv", "The file is empty.", id="empty"),
        pytest.param(b"\n\r\n  \n", "blank.csv", "The file is empty.", id="only-blank-lines"),
        pytest.param(PNG, "photo.png", NOT_READABLE, id="png"),
        pytest.param(
            asterisk_csv(LEGS, 21).replace(b"2026-07-01 09:0", b"tomorrow at 9:0"),
            "Master.csv",
            NOT_CDR.format(n=21),
            id="21-columns-without-start-times",
        ),
        pytest.param(
            csv_file([["1", "2", "3"]], ["call id", "status", "agent"], quoting=0),
            "calls.csv",
            "This file has a header but it is not a phone-system export we know, and these "
            "columns could not be found: start (start time), src (source number), dst "
            "(destination number). Save a column mapping for it on the Column mappings page "
            "of Calls, then choose it when importing.",
            id="header-without-start",
        ),
    ],
)
def test_a_file_that_is_not_a_call_export_is_refused_and_nothing_is_stored(
    mapped, tmp_path, data, name, message
):
    # when
    code, payload, err = command(tmp_path, data, name=name)
    # then
    assert code == 2
    assert payload == {"error": message}
    assert message in err
    assert not Call.objects.exists()
    assert not CallDay.objects.exists()
    run = ImportRun.objects.get(kind="calls")
    assert (run.status, run.stored, run.message) == (ImportRun.Status.FAILED, 0, message)


def test_an_employees_workbook_is_refused(mapped, tmp_path):
    # given
    data = generic_xlsx(
        ["employee_no", "name", "team", "role", "hire_date"],
        [["E001", "张伟", "T9", "rep", dt.date(2026, 1, 5)]],
    )
    # when
    code, payload, _err = command(tmp_path, data, name="employees.xlsx")
    # then
    assert code == 2
    assert payload == {"error": NOT_CDR.format(n=5)}
    assert not Call.objects.exists()
