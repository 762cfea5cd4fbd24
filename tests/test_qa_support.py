"""What the call-monitoring tests share: calls made through the real calls import (an
Asterisk cdr_csv file), the default scorecard's checkpoints, and marks for a review.
(This module holds no tests of its own.)"""

from __future__ import annotations

from telesales.calls.models import Call
from telesales.qa.models import Scorecard, ScorecardVersion
from telesales.qa.services import Mark, scorecard_latest
from tests.cdr_files import EXTENSIONS, Leg, asterisk_csv, import_calls, map_extensions

_serial = iter(range(1, 10**6))


def make_calls(specs) -> list[Call]:
    """Calls of R1, R2 and R3 from (employee_no, "2026-03-02 10:00:00", billsec[, customer
    number]) in the company's time zone: answered when billsec > 0, else NO ANSWER; the
    extensions must be mapped first (map_extensions)."""
    legs, ids = [], []
    for spec in specs:
        employee_no, start, billsec = spec[:3]
        number = spec[3] if len(spec) > 3 else f"1380013{next(_serial):04d}"
        uid = f"1772000000.{next(_serial)}"
        ids.append(uid)
        legs.append(
            Leg(
                EXTENSIONS[employee_no],
                number,
                start,
                billsec,
                disposition="ANSWERED" if billsec else "NO ANSWER",
                uniqueid=uid,
                linkedid=uid,
            )
        )
    result, _info = import_calls(asterisk_csv(legs))
    assert result.rejected == []
    by_id = {c.call_id: c for c in Call.objects.filter(call_id__in=ids)}
    return [by_id[uid] for uid in ids]


def mapped(org):
    map_extensions(org)
    return org


def default_version() -> ScorecardVersion:
    return scorecard_latest(Scorecard.objects.get(code="default"))


def checkpoints(version: ScorecardVersion) -> dict[str, object]:
    """label → checkpoint of a version."""
    return {c.label: c for c in version.checkpoints.all()}


def marks(version: ScorecardVersion, awarded: dict[str, int], triggered=()) -> list[Mark]:
    """Marks by checkpoint label: the scored ones from `awarded` (full points when left out),
    the instant-fail items triggered when named in `triggered`."""
    result = []
    for checkpoint in version.checkpoints.all():
        if checkpoint.instant_fail:
            result.append(Mark(checkpoint.pk, triggered=checkpoint.label in triggered))
        else:
            result.append(
                Mark(checkpoint.pk, awarded=awarded.get(checkpoint.label, checkpoint.points))
            )
    return result
