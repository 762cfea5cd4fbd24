"""Large call files are parsed in a forked process while this one stores: same results."""

from __future__ import annotations

import datetime as dt
import io
import warnings

import pytest

from telesales.calls import importer as calls_importer
from telesales.calls.models import Call, CallDay
from telesales.calls.samples import master_rows, write_master_csv
from telesales.core.imports.registry import get_importer
from telesales.core.imports.services import import_execute
from telesales.org.services import extension_assign


def _file() -> bytes:
    text = io.StringIO()
    days = [dt.date(2026, 7, 1) + dt.timedelta(days=d) for d in range(3)]
    write_master_csv(text, master_rows(["8001", "8002", "8003"], days, 40, transfer_rate=0.2))
    body = text.getvalue().splitlines(keepends=True)
    body.insert(7, '"","8001","1380000"\n')  # a malformed row in the middle
    return "".join(body).encode()


def _import(data: bytes):
    return import_execute(
        importer=get_importer("calls"), stream=io.BytesIO(data), actor=None, dry_run=False
    )


def _snapshot():
    calls = list(
        Call.objects.order_by("call_id").values_list(
            "call_id", "started_at", "answered", "talk_seconds", "employee_id", "direction"
        )
    )
    days = list(CallDay.objects.order_by("employee_id", "day").values())
    for day in days:
        day.pop("id")
    return calls, days


@pytest.mark.django_db(transaction=True)
def test_forked_parsing_stores_exactly_what_in_process_parsing_stores(org, monkeypatch):
    # given
    for rep, number in ((org.r1, "8001"), (org.r2, "8002"), (org.r3, "8003")):
        extension_assign(actor=None, employee=rep, number=number, valid_from=dt.date(2026, 1, 1))
    data = _file()
    monkeypatch.setattr(calls_importer.CallImporter, "batch_size", 50)
    in_process, _info = _import(data)
    expected = _snapshot()
    Call.objects.all().delete()
    CallDay.objects.all().delete()
    # when
    monkeypatch.setattr(calls_importer, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(calls_importer, "can_fork", lambda: True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with xdist's threads
        forked, _info = _import(data)
    # then
    assert forked.rows == in_process.rows > forked.stored == in_process.stored > 0
    assert [r.as_dict() for r in forked.rejected] == [r.as_dict() for r in in_process.rejected]
    assert forked.rejected[0].row == 8
    assert _snapshot() == expected
