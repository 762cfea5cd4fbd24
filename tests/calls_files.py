"""Calls for page tests, stored the way production stores them: an Asterisk Master.csv
(cdr_csv, 21 columns, no header) made in code and run through the real calls importer.

    give_extensions(org)                      # R1 8001, R2 8002, R3 8003, S1 8010
    import_calls([
        outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75),
        outbound("8001", "13900001111", "2026-09-01 10:05:00", disposition="NO ANSWER"),
        inbound("13700002222", "8002", "2026-09-02 11:00:00", billsec=30),
    ])

Times are company-local (Asia/Shanghai), as Asterisk writes them. Each row is its own call
(a unique uniqueid/linkedid) unless `linkedid` is given.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools

from telesales.core.imports.base import ImportResult
from telesales.core.imports.registry import get_importer
from telesales.core.imports.services import import_execute

EXTENSIONS = {"r1": "8001", "r2": "8002", "r3": "8003", "s1": "8010"}
_sequence = itertools.count(1)


def cdr_row(
    src: str,
    dst: str,
    start: str,
    *,
    billsec: int = 0,
    disposition: str | None = None,
    ring: int = 8,
    linkedid: str = "",
    uniqueid: str = "",
) -> list[str]:
    """One Asterisk cdr_csv record (21 columns). Answered when billsec > 0 unless a
    disposition is given."""
    disposition = disposition or ("ANSWERED" if billsec > 0 else "NO ANSWER")
    started = dt.datetime.fromisoformat(start)
    answered = disposition == "ANSWERED"
    answer = started + dt.timedelta(seconds=ring) if answered else None
    end = (answer or started) + dt.timedelta(seconds=billsec if answered else ring)
    stamp = "%Y-%m-%d %H:%M:%S"
    uniqueid = uniqueid or f"{int(started.timestamp())}.{next(_sequence)}"
    return [
        "",
        src,
        dst,
        "from-internal",
        f'"" <{src}>',
        f"PJSIP/{src}-00000001",
        f"PJSIP/{dst}-00000002",
        "Dial",
        f"PJSIP/{dst},60",
        started.strftime(stamp),
        answer.strftime(stamp) if answer else "",
        end.strftime(stamp),
        str(int((end - started).total_seconds())),
        str(billsec if answered else 0),
        disposition,
        "DOCUMENTATION",
        uniqueid,
        "",
        "",
        linkedid or uniqueid,
        "1",
    ]


def outbound(extension: str, customer: str, start: str, **kwargs) -> list[str]:
    return cdr_row(extension, customer, start, **kwargs)


def inbound(customer: str, extension: str, start: str, **kwargs) -> list[str]:
    return cdr_row(customer, extension, start, **kwargs)


def internal(extension: str, other: str, start: str, **kwargs) -> list[str]:
    return cdr_row(extension, other, start, **kwargs)


def master_csv(rows: list[list[str]]) -> bytes:
    """Rows as Asterisk writes Master.csv: every field quoted, no header."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode()


def import_calls(rows: list[list[str]], *, actor=None, options=None) -> ImportResult:
    """Store the rows through the real importer (attribution and daily roll-ups included)."""
    result, _info = import_execute(
        importer=get_importer("calls"),
        stream=io.BytesIO(master_csv(rows)),
        actor=actor,
        dry_run=False,
        options=options,
    )
    assert not result.rejected, result.rejected
    return result


def give_extensions(org, since: dt.date = dt.date(2025, 1, 6)) -> None:
    """R1 8001, R2 8002, R3 8003 and S1 8010 from their hire date."""
    from telesales.org.services import extension_assign

    for who, number in EXTENSIONS.items():
        extension_assign(actor=None, employee=getattr(org, who), number=number, valid_from=since)
