"""Phone-system call exports made in code (PRODUCT.md §7 calls), and the helpers the calls
tests share: running an import, mapping extensions, and the roll-up cross-check.

A `Leg` is one CDR record; the `*_row` functions place it where each layout puts its
fields, and the file functions turn rows into the bytes an export would hold:

- Asterisk cdr_csv (16, 17, 18 or 21 columns, no header; text quoted, numbers bare),
- Asterisk cdr_custom with its default mapping (19 columns, every field quoted),
- FreeSWITCH mod_cdr_csv `default` (13 columns) and `example` (15 columns) templates,
- the FreePBX "CDR Reports" export (with its header),
- a generic CSV or XLSX with a header.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zlib
from dataclasses import dataclass, replace

from django.core.management import call_command
from django.db.models import Case, IntegerField, Q, Sum, When
from openpyxl import Workbook

# -- one CDR record -----------------------------------------------------------------------


@dataclass(frozen=True)
class Leg:
    """One record of a phone-system export. Times are written as given (the file's text)."""

    src: str
    dst: str
    start: str
    billsec: int | str = 0
    disposition: str = "ANSWERED"
    answer: str = ""
    end: str = ""
    duration: int | str | None = None  # billsec + 8 s of ringing when None
    uniqueid: str = ""
    linkedid: str = ""
    clid: str = ""
    channel: str | None = None  # PJSIP/<src>-… when None
    dstchannel: str = ""
    accountcode: str = ""
    userfield: str = ""
    sequence: str = "1"
    hangup_cause: str = ""  # FreeSWITCH; derived from billsec when empty
    bleg_uuid: str = ""

    def with_(self, **changes) -> Leg:
        return replace(self, **changes)

    @property
    def duration_value(self) -> int | str:
        if self.duration is not None:
            return self.duration
        return self.billsec + 8 if isinstance(self.billsec, int) else self.billsec

    @property
    def channel_value(self) -> str:
        if self.channel is not None:
            return self.channel
        return f"PJSIP/{self.src}-{zlib.crc32(self.start.encode()):08x}"

    @property
    def cause(self) -> str:
        if self.hangup_cause:
            return self.hangup_cause
        return "NORMAL_CLEARING" if self.billsec else "NO_ANSWER"


# -- rows of each layout ------------------------------------------------------------------


def asterisk_csv_row(leg: Leg, columns: int = 21) -> list:
    """cdr_csv: accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp,
    lastdata, start, answer, end, duration, billsec, disposition, amaflags, then uniqueid
    (17+), userfield (18+), peeraccount, linkedid, sequence (21)."""
    assert columns in (16, 17, 18, 21)
    row = [
        leg.accountcode,
        leg.src,
        leg.dst,
        "from-internal",
        leg.clid,
        leg.channel_value,
        leg.dstchannel,
        "Dial",
        f"PJSIP/{leg.dst}@trunk,60",
        leg.start,
        leg.answer,
        leg.end,
        leg.duration_value,
        leg.billsec,
        leg.disposition,
        "DOCUMENTATION",
    ]
    if columns >= 17:
        row.append(leg.uniqueid)
    if columns >= 18:
        row.append(leg.userfield)
    if columns == 21:
        row += [leg.accountcode, leg.linkedid, leg.sequence]
    return row


def asterisk_custom_row(leg: Leg) -> list:
    """cdr_custom default mapping (19): clid, src, dst, dcontext, channel, dstchannel,
    lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags,
    accountcode, uniqueid, userfield, sequence."""
    return [
        leg.clid,
        leg.src,
        leg.dst,
        "from-internal",
        leg.channel_value,
        leg.dstchannel,
        "Dial",
        f"PJSIP/{leg.dst}@trunk,60",
        leg.start,
        leg.answer,
        leg.end,
        leg.duration_value,
        leg.billsec,
        leg.disposition,
        "DOCUMENTATION",
        leg.accountcode,
        leg.uniqueid,
        leg.userfield,
        leg.sequence,
    ]


def freeswitch_row(leg: Leg, columns: int = 13) -> list:
    """mod_cdr_csv default (13): caller_id_name, caller_id_number, destination_number,
    context, start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid,
    bleg_uuid, accountcode; the example template (15) adds read_codec, write_codec."""
    assert columns in (13, 15)
    row = [
        leg.clid,
        leg.src,
        leg.dst,
        "default",
        leg.start,
        leg.answer,
        leg.end,
        leg.duration_value,
        leg.billsec,
        leg.cause,
        leg.uniqueid,
        leg.bleg_uuid,
        leg.accountcode,
    ]
    if columns == 15:
        row += ["PCMA", "PCMA"]
    return row


FREEPBX_HEADER = [
    "calldate",
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "userfield",
    "did",
    "cnum",
    "cnam",
    "outbound_cnum",
    "outbound_cnam",
    "dst_cnam",
    "recordingfile",
    "linkedid",
    "peeraccount",
    "sequence",
]


def freepbx_row(leg: Leg) -> list:
    return [
        leg.start,
        leg.clid,
        leg.src,
        leg.dst,
        "from-internal",
        leg.channel_value,
        leg.dstchannel,
        "Dial",
        f"PJSIP/{leg.dst}@trunk,60",
        leg.duration_value,
        leg.billsec,
        leg.disposition,
        "3",
        leg.accountcode,
        leg.uniqueid,
        leg.userfield,
        "",
        leg.src,
        leg.clid,
        "",
        "",
        "",
        "",
        leg.linkedid,
        "",
        leg.sequence,
    ]


# -- files -----------------------------------------------------------------------------


def csv_file(
    rows,
    header: list[str] | None = None,
    *,
    quoting: int = csv.QUOTE_NONNUMERIC,
    newline: str = "\n",
    encoding: str = "utf-8",
    bom: bool = False,
    blank_lines: tuple[int, ...] = (),
) -> bytes:
    """Rows as CSV bytes. QUOTE_NONNUMERIC (the default) writes text quoted and numbers
    bare, as cdr_csv does; QUOTE_MINIMAL writes empty fields bare (`,,`). `blank_lines`
    inserts an empty line before the row of that 0-based index (header not counted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=quoting, lineterminator=newline)
    if header is not None:
        writer.writerow(header)
    for position, row in enumerate(rows):
        for _ in range(blank_lines.count(position)):
            buffer.write(newline)
        writer.writerow(row)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def asterisk_csv(legs, columns: int = 21, **options) -> bytes:
    return csv_file([asterisk_csv_row(leg, columns) for leg in legs], **options)


def asterisk_custom(legs, **options) -> bytes:
    options.setdefault("quoting", csv.QUOTE_ALL)
    return csv_file([asterisk_custom_row(leg) for leg in legs], **options)


def freeswitch(legs, columns: int = 13, **options) -> bytes:
    options.setdefault("quoting", csv.QUOTE_ALL)
    return csv_file([freeswitch_row(leg, columns) for leg in legs], **options)


def freepbx(legs, **options) -> bytes:
    options.setdefault("quoting", csv.QUOTE_ALL)
    return csv_file([freepbx_row(leg) for leg in legs], FREEPBX_HEADER, **options)


def generic_csv(header: list[str], rows, **options) -> bytes:
    options.setdefault("quoting", csv.QUOTE_MINIMAL)
    return csv_file(rows, header, **options)


def generic_xlsx(header: list[str], rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- running imports ------------------------------------------------------------------------


def import_calls(data: bytes, *, dry_run: bool = False, **options):
    """import_execute on bytes; returns (ImportResult, info)."""
    from telesales.core.imports.registry import get_importer
    from telesales.core.imports.services import import_execute

    return import_execute(
        importer=get_importer("calls"),
        stream=io.BytesIO(data),
        actor=None,
        dry_run=dry_run,
        options=options,
    )


def command(tmp_path, data: bytes, *args: str, name: str = "Master.csv") -> tuple[int, dict, str]:
    """`telesales import calls FILE --json ARGS`: (exit status, JSON object, stderr)."""
    path = tmp_path / name
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", "calls", str(path), "--json", *args, stdout=out, stderr=err)
    except SystemExit as exited:
        code = exited.code
    else:  # pragma: no cover - the command always exits with its status
        code = None
    return code, json.loads(out.getvalue()), err.getvalue()


# -- the organisation's extensions -----------------------------------------------------------

EXTENSIONS = {"R1": "8001", "R2": "8002", "R3": "8003"}
MAPPED_FROM = dt.date(2025, 1, 6)


def map_extensions(org) -> None:
    """R1 → 8001, R2 → 8002, R3 → 8003 from their hire date, open-ended."""
    from telesales.org.services import extension_assign

    for employee in (org.r1, org.r2, org.r3):
        extension_assign(
            actor=None,
            employee=employee,
            number=EXTENSIONS[employee.employee_no],
            valid_from=MAPPED_FROM,
        )


# -- the roll-up cross-check -----------------------------------------------------------------


def expected_rollups(threshold: int | None = None) -> dict:
    """(employee_id, day) → (team_id, counts…) aggregated straight from the Call table,
    the team being the employee's team on that day (TeamAssignment, else current team)."""
    from telesales.calls.models import Call
    from telesales.calls.rollups import effective_seconds
    from telesales.org.models import Employee, TeamAssignment

    threshold = effective_seconds() if threshold is None else threshold

    def n(condition: Q) -> Sum:
        return Sum(Case(When(condition, then=1), default=0, output_field=IntegerField()))

    def talk(condition: Q) -> Sum:
        return Sum(
            Case(When(condition, then="talk_seconds"), default=0, output_field=IntegerField())
        )

    out_q, in_q = Q(direction="outbound"), Q(direction="inbound")
    ok = Q(answered=True)
    effective = Q(answered=True, talk_seconds__gte=threshold)
    rows = (
        Call.objects.filter(employee__isnull=False)
        .order_by()
        .values("employee_id", "local_date")
        .annotate(
            out_calls=n(out_q),
            out_connected=n(out_q & ok),
            out_talk_seconds=talk(out_q & ok),
            out_effective=n(out_q & effective),
            in_calls=n(in_q),
            in_connected=n(in_q & ok),
            in_talk_seconds=talk(in_q & ok),
            in_effective=n(in_q & effective),
            internal_calls=n(Q(direction="internal")),
        )
    )
    current = dict(Employee.objects.values_list("pk", "team_id"))
    spans: dict[int, list] = {}
    for assignment in TeamAssignment.objects.order_by("-start"):
        spans.setdefault(assignment.employee_id, []).append(assignment)

    def team_on(employee_id, day):
        for a in spans.get(employee_id, ()):
            if a.start <= day and (a.end is None or a.end > day):
                return a.team_id
        return current.get(employee_id)

    return {
        (r["employee_id"], r["local_date"]): (
            team_on(r["employee_id"], r["local_date"]),
            *(r[c] for c in ROLLUP_COUNTS),
        )
        for r in rows
    }


ROLLUP_COUNTS = (
    "out_calls",
    "out_connected",
    "out_talk_seconds",
    "out_effective",
    "in_calls",
    "in_connected",
    "in_talk_seconds",
    "in_effective",
    "internal_calls",
)


def stored_rollups() -> dict:
    from telesales.calls.models import CallDay

    return {
        (d["employee_id"], d["day"]): (d["team_id"], *(d[c] for c in ROLLUP_COUNTS))
        for d in CallDay.objects.values("employee_id", "day", "team_id", *ROLLUP_COUNTS)
    }


def assert_rollups_exact(threshold: int | None = None) -> None:
    """Every CallDay row equals a direct aggregation over the calls, and no day is missing
    or left over (a day whose calls all moved away has no row, or a row of zeros)."""
    expected = expected_rollups(threshold)
    stored = stored_rollups()
    zero = (0,) * len(ROLLUP_COUNTS)
    leftovers = {k: v for k, v in stored.items() if k not in expected and v[1:] != zero}
    assert leftovers == {}
    assert {k: v for k, v in stored.items() if k in expected} == expected
