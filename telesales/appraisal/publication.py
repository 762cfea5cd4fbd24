"""An appraisal's result (PRODUCT.md §6.6): computed from today's data and ratings until it is
published, then frozen as a snapshot that later changes to deals, calls or ratings never alter.
Calibration adjustments count from the latest one; every snapshot version is kept."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from telesales.appraisal.inputs import appraisal_score
from telesales.appraisal.models import Adjustment, Appraisal, Snapshot, SnapshotKind
from telesales.appraisal.ratings import appraisal_ratings
from telesales.appraisal.schemes import scheme_dump, scheme_load
from telesales.appraisal.workflow import FROZEN
from telesales.core.audit import audit_record
from telesales.core.periods import period_parse


def _adjusted(result: dict, adjustment: Adjustment | None) -> dict:
    """The result with the calibration applied: the computed total and grade are kept, the
    total and grade are the adjustment's when there is one."""
    result["computed_total"] = result["total"]
    result["computed_grade"] = result["grade"]
    result["adjustment"] = None
    if adjustment is not None:
        result["adjustment"] = {
            "from_grade": adjustment.from_grade,
            "to_grade": adjustment.to_grade,
            "from_total": None if adjustment.from_total is None else float(adjustment.from_total),
            "to_total": None if adjustment.to_total is None else float(adjustment.to_total),
            "reason": adjustment.reason,
            "at": adjustment.at.isoformat(),
        }
        result["grade"] = adjustment.to_grade
        if adjustment.to_total is not None:
            result["total"] = float(adjustment.to_total)
    return result


def adjustment_current(appraisal: Appraisal) -> Adjustment | None:
    return appraisal.adjustments.order_by("-at", "-pk").first()


def result_live(appraisal: Appraisal, ratings: dict | None = None, scheme=None) -> dict:
    """The appraisal scored now from today's data and its ratings (provisional), with the
    latest calibration adjustment applied; `ratings` and `scheme` may be passed in bulk."""
    scheme = scheme or scheme_load(appraisal.cycle.scheme.code)
    if ratings is None:
        ratings = appraisal_ratings([appraisal.pk]).get(appraisal.pk, {})
    period = period_parse(appraisal.cycle.period)
    result = appraisal_score(scheme, appraisal.employee, period, ratings)
    result["status"] = appraisal.status
    result["scheme_version"] = appraisal.cycle.scheme.version
    return _adjusted(result, adjustment_current(appraisal))


def snapshot_current(appraisal: Appraisal) -> Snapshot | None:
    return appraisal.snapshots.order_by("-version").first()


def appraisal_result(appraisal: Appraisal, ratings: dict | None = None, scheme=None) -> dict:
    """What the appraisal's result is now: the latest snapshot once published (with the
    appraisal's current status), else the live, provisional score."""
    if appraisal.status in FROZEN:
        snapshot = snapshot_current(appraisal)
        if snapshot is not None:
            result = dict(snapshot.data)
            result["status"] = appraisal.status
            result["snapshot_version"] = snapshot.version
            return result
    return result_live(appraisal, ratings, scheme)


def snapshot_take(
    *,
    actor,
    appraisal: Appraisal,
    kind: str = SnapshotKind.PUBLISHED,
    reason: str = "",
    data: dict | None = None,
) -> Snapshot:
    """Freeze the appraisal's result as a new snapshot version: by default the live result
    (every KPI's actual, target, numerator, denominator and score, the categories, the
    redistributions, the calibration and the scheme as it stood); `data` for a revision on
    appeal. Audited."""
    scheme = scheme_load(appraisal.cycle.scheme.code)
    if data is None:
        data = result_live(appraisal, scheme=scheme)
        data["scheme_yaml"] = scheme_dump(scheme)
    data = {**data, "status": "published"}
    last = snapshot_current(appraisal)
    total = data.get("total")
    snapshot = Snapshot.objects.create(
        appraisal=appraisal,
        version=(last.version + 1) if last else 1,
        kind=kind,
        data=data,
        total=None if total is None else Decimal(str(total)),
        grade=data.get("grade") or "",
        reason=reason,
        created_by=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="appraisal.snapshot",
        obj=appraisal,
        after={"version": snapshot.version, "kind": kind, "total": total, "grade": snapshot.grade},
    )
    if kind == SnapshotKind.PUBLISHED:
        # §6.5 training: every KPI below the threshold becomes an improvement action.
        from telesales.appraisal.results import training_actions_create

        training_actions_create(actor=actor, appraisal=appraisal, snapshot=snapshot)
    return snapshot
