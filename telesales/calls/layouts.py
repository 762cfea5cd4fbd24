"""The phone-system export layouts of PRODUCT.md §7 and how a file's layout is recognised.

A layout says where each field of a call sits in a row. Layouts without a header are
recognised by their column count and by what the cells hold (a start time where the
start should be, a whole number of seconds where billsec should be, a uniqueid that
looks like one); layouts with a header by their column names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.imports.base import normalise_header

# The fields a layout can place; `start` is the only one every layout needs.
FIELDS = (
    "call_id",
    "linkedid",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "src",
    "dst",
    "clid",
    "channel",
    "dstchannel",
    "extension",
    "recording",
)
FIELD_LABELS = {
    "call_id": gettext_lazy("call id (uniqueid, uuid)"),
    "linkedid": gettext_lazy("linked id (legs of one call)"),
    "start": gettext_lazy("start time"),
    "answer": gettext_lazy("answer time"),
    "end": gettext_lazy("end time"),
    "duration": gettext_lazy("duration (s)"),
    "billsec": gettext_lazy("talk time (billsec, s)"),
    "disposition": gettext_lazy("disposition / hangup cause"),
    "src": gettext_lazy("source number"),
    "dst": gettext_lazy("destination number"),
    "clid": gettext_lazy("caller id / name"),
    "channel": gettext_lazy("channel"),
    "dstchannel": gettext_lazy("destination channel"),
    "extension": gettext_lazy("extension / agent id"),
    "recording": gettext_lazy("recording file or link"),
}
REQUIRED_FIELDS = ("start", "src", "dst")

ASTERISK_CSV = [
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
]
ASTERISK_CUSTOM = [
    "clid",
    "src",
    "dst",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "accountcode",
    "uniqueid",
    "userfield",
    "sequence",
]
FREESWITCH = [
    "caller_id_name",
    "caller_id_number",
    "destination_number",
    "context",
    "start_stamp",
    "answer_stamp",
    "end_stamp",
    "duration",
    "billsec",
    "hangup_cause",
    "uuid",
    "bleg_uuid",
    "accountcode",
]
# Source names → our fields, shared by every layout (and by FreePBX and generic headers).
SOURCE_NAMES = {
    "uniqueid": "call_id",
    "uuid": "call_id",
    "linkedid": "linkedid",
    "start": "start",
    "calldate": "start",
    "start_stamp": "start",
    "answer": "answer",
    "answer_stamp": "answer",
    "end": "end",
    "end_stamp": "end",
    "duration": "duration",
    "billsec": "billsec",
    "disposition": "disposition",
    "hangup_cause": "disposition",
    "src": "src",
    "caller_id_number": "src",
    "dst": "dst",
    "destination_number": "dst",
    "clid": "clid",
    "caller_id_name": "clid",
    "channel": "channel",
    "dstchannel": "dstchannel",
    "recordingfile": "recording",  # FreePBX CDR Reports
}
# Header names a generic export may use for each field, besides our field names.
HEADER_ALIASES = {
    "call_id": (
        "call id",
        "callid",
        "uniqueid",
        "uuid",
        "id",
        "通话id",
        "通話id",
        "呼叫id",
        "话单id",
    ),
    "linkedid": ("linkedid", "linked id", "关联id", "關聯id"),
    "start": (
        "start",
        "start time",
        "calldate",
        "call date",
        "start_stamp",
        "开始时间",
        "開始時間",
        "呼叫时间",
        "呼叫時間",
        "通话时间",
        "通話時間",
    ),
    "answer": (
        "answer",
        "answer time",
        "answer_stamp",
        "接听时间",
        "接聽時間",
        "应答时间",
        "應答時間",
    ),
    "end": ("end", "end time", "end_stamp", "结束时间", "結束時間", "挂机时间", "掛機時間"),
    "duration": ("duration", "总时长", "總時長", "呼叫时长", "呼叫時長"),
    "billsec": (
        "billsec",
        "talk time",
        "talk seconds",
        "talk_seconds",
        "通话时长",
        "通話時長",
        "计费时长",
        "計費時長",
        "接通时长",
        "接通時長",
    ),
    "disposition": (
        "disposition",
        "status",
        "result",
        "hangup_cause",
        "状态",
        "狀態",
        "呼叫结果",
        "呼叫結果",
        "接通状态",
        "接通狀態",
    ),
    "src": ("src", "source", "caller", "from", "caller_id_number", "主叫", "主叫号码", "主叫號碼"),
    "dst": (
        "dst",
        "destination",
        "callee",
        "to",
        "destination_number",
        "被叫",
        "被叫号码",
        "被叫號碼",
    ),
    "clid": ("clid", "caller name", "caller_id_name", "cnam", "主叫名称", "主叫名稱"),
    "channel": ("channel", "通道"),
    "dstchannel": ("dstchannel", "destination channel", "被叫通道"),
    "extension": (
        "extension",
        "agent",
        "agent id",
        "agent_id",
        "分机",
        "分機",
        "分机号",
        "分機號",
        "坐席",
        "坐席工号",
        "座席工號",
        "工号",
    ),
    "recording": (
        "recordingfile",
        "recording file",
        "recording url",
        "recording link",
        "录音",
        "錄音",
        "录音文件",
        "錄音檔",
        "錄音檔案",
        "录音地址",
        "錄音地址",
        "录音链接",
        "錄音連結",
    ),
}
_SOURCE_NORMALISED = {normalise_header(k): v for k, v in SOURCE_NAMES.items()}
# epoch.sequence, with the system name in front when Asterisk has `systemname` set
_UNIQUEID = re.compile(r"^(?:[\w.-]+-)?\d{6,}\.\d+$")


@dataclass
class Layout:
    """Where each field sits in a row, and how answered is decided."""

    name: str
    label: str
    system: str
    columns: int | None  # exact column count for headerless layouts
    index: dict[str, int]
    has_header: bool = False
    answered_by_billsec: bool = False  # FreeSWITCH: answered when billsec > 0
    reason: str = ""
    date_order: str = "auto"
    notes: list[str] = field(default_factory=list)


def _index(names: list[str]) -> dict[str, int]:
    return {SOURCE_NAMES[n]: i for i, n in enumerate(names) if n in SOURCE_NAMES}


def asterisk_csv(columns: int, uniqueid_at_16: bool = True) -> Layout:
    names = list(ASTERISK_CSV)
    if columns >= 17:
        names.append("uniqueid" if (columns > 17 or uniqueid_at_16) else "userfield")
    if columns >= 18:
        names.append("userfield")
    if columns == 21:
        names += ["peeraccount", "linkedid", "sequence"]
    return Layout(
        name="asterisk-csv",
        label=_("Asterisk cdr_csv (%(n)s columns)") % {"n": columns},
        system="asterisk",
        columns=columns,
        index=_index(names),
    )


def asterisk_custom() -> Layout:
    return Layout(
        name="asterisk-custom",
        label=_("Asterisk cdr_custom, default mapping (19 columns)"),
        system="asterisk",
        columns=19,
        index=_index(ASTERISK_CUSTOM),
    )


def freeswitch(columns: int) -> Layout:
    names = FREESWITCH + (["read_codec", "write_codec"] if columns == 15 else [])
    name = "freeswitch-example" if columns == 15 else "freeswitch-default"
    label = (
        _("FreeSWITCH mod_cdr_csv, example template (15 columns)")
        if columns == 15
        else _("FreeSWITCH mod_cdr_csv, default template (13 columns)")
    )
    return Layout(
        name=name,
        label=label,
        system="freeswitch",
        columns=columns,
        index=_index(names),
        answered_by_billsec=True,
    )


NAMED_LAYOUTS = {
    "asterisk-csv": "Asterisk cdr_csv",
    "asterisk-custom": "Asterisk cdr_custom",
    "freeswitch-default": "FreeSWITCH default",
    "freeswitch-example": "FreeSWITCH example",
    "freepbx": "FreePBX CDR Reports",
    "generic": "generic",
}


class LayoutError(ValueError):
    """The file is not a call export we can read; the message says why."""


def header_index(header: list[str], columns: dict[str, str] | None = None) -> dict[str, int]:
    """Field → column position, from a saved mapping (field → header name) or the aliases."""
    normalised = [normalise_header(h) for h in header]
    found: dict[str, int] = {}
    if columns:
        for field_name, header_name in columns.items():
            if not header_name:
                continue
            wanted = normalise_header(str(header_name))
            if wanted in normalised:
                found[field_name] = normalised.index(wanted)
        return found
    for field_name in FIELDS:
        names = {normalise_header(a) for a in (field_name, *HEADER_ALIASES.get(field_name, ()))}
        for position, name in enumerate(normalised):
            if name in names and position not in found.values():
                found[field_name] = position
                break
    return found


def _looks_like_header(row: list[str]) -> bool:
    known = {normalise_header(a) for aliases in HEADER_ALIASES.values() for a in aliases}
    known |= set(_SOURCE_NORMALISED)
    return sum(1 for cell in row if normalise_header(cell) in known) >= 2


def _forced(forced: str, reason: str) -> str:
    if not forced:
        return reason
    return _("chosen with --format %(name)s") % {"name": forced} + "; " + reason


def _missing_message(index: dict[str, int], required=REQUIRED_FIELDS) -> str:
    missing = [f for f in required if f not in index]
    return ", ".join(f"{f} ({FIELD_LABELS[f]})" for f in missing)


def detect(
    first_row: list[str],
    *,
    forced: str = "",
    mapping=None,
    parses_as_time,
) -> Layout:
    """The layout of a file from its first row. `parses_as_time(text)` says whether a cell
    is a timestamp. Raises LayoutError with a translated reason."""
    first_row = [cell.strip() for cell in first_row]
    count = len(first_row)
    if mapping is not None:
        index = header_index(first_row, mapping.columns)
        if missing := _missing_message(index):
            raise LayoutError(
                _("The saved column mapping “%(name)s” names columns this file lacks: %(missing)s.")
                % {"name": mapping.name, "missing": missing}
            )
        return Layout(
            name="generic",
            label=_("Generic export with the saved mapping “%(name)s”") % {"name": mapping.name},
            system=mapping.system or "generic",
            columns=None,
            index=index,
            has_header=True,
            reason=_("the column mapping “%(name)s” was chosen") % {"name": mapping.name},
            date_order=mapping.date_order,
        )
    if forced in {"freepbx", "generic"} or (not forced and _looks_like_header(first_row)):
        normalised = {normalise_header(c) for c in first_row}
        freepbx = {"calldate", "uniqueid", "billsec", "disposition"} <= normalised
        if forced == "freepbx" or (freepbx and forced != "generic"):
            index = {}
            for position, cell in enumerate(first_row):
                target = _SOURCE_NORMALISED.get(normalise_header(cell))
                if target and target not in index:
                    index[target] = position
            if "calldate" not in normalised or "billsec" not in normalised:
                raise LayoutError(
                    _(
                        "A FreePBX CDR Reports export has calldate and billsec columns; this file lacks at least one of them."
                    )
                )
            return Layout(
                name="freepbx",
                label=_("FreePBX CDR Reports export"),
                system="asterisk",
                columns=None,
                index=index,
                has_header=True,
                reason=_forced(
                    forced, _("the header names calldate, uniqueid, billsec and disposition")
                ),
            )
        index = header_index(first_row)
        if missing := _missing_message(index):
            raise LayoutError(
                _(
                    "This file has a header but it is not a phone-system export we know, and "
                    "these columns could not be found: %(missing)s. Save a column mapping for it "
                    "on the Column mappings page of Calls, then choose it when importing."
                )
                % {"missing": missing}
            )
        return Layout(
            name="generic",
            label=_("Generic export with a header"),
            system="generic",
            columns=None,
            index=index,
            has_header=True,
            reason=_forced(
                forced,
                _("the header names the columns: %(columns)s")
                % {"columns": ", ".join(first_row[i] for i in sorted(index.values()))},
            ),
        )
    candidates: list[Layout] = []
    if forced in {"", "asterisk-csv"} and count in {16, 17, 18, 21}:
        unique17 = count != 17 or bool(_UNIQUEID.match(first_row[16]))
        candidates.append(asterisk_csv(count, uniqueid_at_16=unique17))
    if forced in {"", "asterisk-custom"} and count == 19:
        candidates.append(asterisk_custom())
    freeswitch_names = {13: "freeswitch-default", 15: "freeswitch-example"}
    if forced in {"", freeswitch_names.get(count)} and count in freeswitch_names:
        candidates.append(freeswitch(count))
    for layout in candidates:
        start = layout.index["start"]
        billsec = first_row[layout.index["billsec"]]
        if parses_as_time(first_row[start]) and billsec.lstrip("-").isdigit():
            layout.reason = _(
                "no header; %(count)s columns with a start time in column %(start)s and "
                "talk seconds in column %(billsec)s"
            ) % {"count": count, "start": start + 1, "billsec": layout.index["billsec"] + 1}
            layout.reason = _forced(forced, layout.reason)
            if layout.name == "asterisk-csv" and "call_id" not in layout.index:
                layout.notes.append(
                    _(
                        "This export has no uniqueid column, so each row is one call, "
                        "identified by its start time, channel and numbers."
                    )
                )
            return layout
    if forced and forced not in NAMED_LAYOUTS:
        raise LayoutError(
            _("Unknown layout %(name)s; choose one of %(names)s or a saved column mapping.")
            % {"name": forced, "names": ", ".join(NAMED_LAYOUTS)}
        )
    if forced:
        raise LayoutError(
            _("The first row has %(count)s columns, which does not fit the layout %(name)s.")
            % {"count": count, "name": forced}
        )
    raise LayoutError(
        _(
            "This does not look like a phone-system call export: the first row has %(count)s "
            "columns and no start time where Asterisk (16, 17, 18, 19 or 21 columns) or "
            "FreeSWITCH (13 or 15 columns) put it, and no header naming the columns. Nothing "
            "was stored."
        )
        % {"count": count}
    )
