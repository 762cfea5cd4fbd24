"""Writes to target plans: each is atomic, audited, and keeps the old version of what it
changes. A change to a rep's targets, or to the targets of a team a supervisor leads, asks
both sides of that person's target agreement to sign again (source §3.4.1)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.org.models import Employee, Team
from telesales.targets.arithmetic import SplitError
from telesales.targets.decomposition import SplitPlan, period_bounds
from telesales.targets.models import Agreement, CalendarDay, Method, Metric, Target, TargetSplit
from telesales.targets.phasing import quantum_for

TARGET_FIELDS = ["metric", "period", "team_id", "employee_id", "value", "segments", "method"]
MAX_VALUE = Decimal("1e13")


def _check_value(metric: str, value: Decimal) -> Decimal:
    if value < 0:
        raise SplitError(_("A target cannot be negative."))
    if value >= MAX_VALUE:
        raise SplitError(_("The target is too large."))
    step = quantum_for(metric)
    if value % step:
        raise SplitError(
            _("A %(metric)s target is a whole number of %(step)s.")
            % {"metric": Metric(metric).label, "step": step}
        )
    return value.quantize(Decimal("0.01"))


def _active(metric: str, period: str, *, team=None, employee=None):
    return Target.objects.filter(
        metric=metric,
        period=period,
        team=team,
        employee=employee,
        superseded_at__isnull=True,
    )


def _retire(old: Target | None, now) -> None:
    """Take a target out of the active ones before its successor is stored (one active
    target per scope, metric and period)."""
    if old is not None:
        Target.objects.filter(pk=old.pk).update(superseded_at=now)


def _link(old: Target | None, new: Target) -> None:
    if old is not None:
        Target.objects.filter(pk=old.pk).update(superseded_by=new)


def _agreement_owner(target: Target) -> Employee | None:
    """Whose agreement a target belongs to: the rep's, or the supervisor's of the team."""
    if target.employee_id:
        return target.employee
    if target.team_id:
        return target.team.supervisor
    return None


def agreements_reopen(*, actor, targets: list[Target], note: str) -> None:
    """The agreements these targets belong to go back to proposed (created when missing)."""
    seen = set()
    for target in targets:
        owner = _agreement_owner(target)
        if owner is None or (owner.pk, target.period) in seen:
            continue
        seen.add((owner.pk, target.period))
        agreement = (
            Agreement.objects.select_for_update()
            .filter(employee=owner, period=target.period)
            .first()
        )
        if agreement is None:
            agreement = Agreement.objects.create(
                employee=owner,
                period=target.period,
                start=target.start,
                end=target.end,
                change_note=note[:300],
            )
            audit_record(
                actor=actor, action="agreement.propose", obj=agreement, after=snapshot(agreement)
            )
            continue
        agreement_transition(
            actor=actor, agreement=agreement, to=Agreement.Status.PROPOSED, note=note
        )


@transaction.atomic
def target_set(
    *,
    actor,
    metric: str,
    period: str,
    value: Decimal,
    team: Team | None = None,
    employee: Employee | None = None,
    method: str = Method.ENTERED,
    note: str = "",
) -> tuple[Target, str]:
    """Set the target of a scope (the company when neither team nor employee is given);
    returns the active target and "stored", "updated" or "unchanged"."""
    if team is not None and employee is not None:
        raise SplitError(_("A target is for the company, a team or an employee, not both."))
    code, start, end = period_bounds(period)
    value = _check_value(metric, value)
    current = _active(metric, code, team=team, employee=employee).select_for_update().first()
    if current is not None and current.value == value:
        return current, "unchanged"
    _retire(current, timezone.now())
    target = Target.objects.create(
        metric=metric,
        period=code,
        start=start,
        end=end,
        team=team,
        employee=employee,
        value=value,
        method=method,
        note=note[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _link(current, target)
    audit_record(
        actor=actor,
        action="target.set",
        obj=target,
        before=snapshot(current, TARGET_FIELDS) if current else {},
        after=snapshot(target, TARGET_FIELDS),
    )
    agreements_reopen(
        actor=actor,
        targets=[target],
        note=_("%(metric)s target %(value)s")
        % {"metric": target.get_metric_display(), "value": value},
    )
    return target, "updated" if current is not None else "stored"


@transaction.atomic
def split_apply(*, actor, plan: SplitPlan, reason: str = "") -> TargetSplit:
    """Store a split: the parent's current split and its children's active rows become
    history, and each share becomes the child's active target for the period."""
    parent = Target.objects.select_for_update().get(pk=plan.parent.pk)
    if parent.superseded_at is not None or parent.value != plan.parent.value:
        raise SplitError(_("The target changed while you were splitting it; start again."))
    total = sum((s.value for s in plan.shares), Decimal(0))
    if total != parent.value:
        raise SplitError(
            _("The shares add up to %(total)s, not %(amount)s.")
            % {"total": total, "amount": parent.value}
        )
    now = timezone.now()
    previous = parent.splits.filter(superseded_at__isnull=True).first()
    if (previous.pk if previous else None) != plan.current_split_id:
        # Someone stored another split of this target since this one was computed.
        raise SplitError(_("The target changed while you were splitting it; start again."))
    if previous is not None:
        TargetSplit.objects.filter(pk=previous.pk).update(superseded_at=now)
    split = TargetSplit.objects.create(
        parent=parent,
        method=plan.method,
        based_on=plan.params.get("adjusted_from", ""),
        effective_from=plan.effective_from,
        params={k: v for k, v in plan.params.items() if k != "adjusted_from"},
        reason=reason[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    teams = Team.objects.in_bulk({s.team_id for s in plan.shares if s.team_id})
    employees = Employee.objects.in_bulk({s.employee_id for s in plan.shares if s.employee_id})
    current = {
        (t.team_id, t.employee_id): t
        for t in Target.objects.filter(
            metric=parent.metric, period=parent.period, superseded_at__isnull=True
        ).exclude(team__isnull=True, employee__isnull=True)
    }
    children = []
    for share in plan.shares:
        team, employee = teams.get(share.team_id), employees.get(share.employee_id)
        old = current.get((share.team_id, share.employee_id))
        if share.value == 0 and old is None:
            continue
        _retire(old, now)
        segments = []
        if plan.is_resplit:
            # What was kept is phased before the date, the new share from it on: a joiner
            # keeps 0, and one who left or moved out has no share after the date.
            segments = [
                {"from": parent.start.isoformat(), "amount": str(share.kept)},
                {"from": plan.effective_from.isoformat(), "amount": str(share.share)},
            ]
        child = Target.objects.create(
            metric=parent.metric,
            period=parent.period,
            start=parent.start,
            end=parent.end,
            team=team,
            employee=employee,
            value=share.value,
            segments=segments,
            method=plan.method,
            split=split,
            basis={**share.basis, "weight": str(share.weight), "kept": str(share.kept)},
            created_by=split.created_by,
        )
        _link(old, child)
        children.append(child)
    audit_record(
        actor=actor,
        action="target.split",
        obj=split,
        after={
            "parent": parent.pk,
            "method": plan.method,
            "effective_from": plan.effective_from.isoformat(),
            "children": {c.scope_code: str(c.value) for c in children},
        },
    )
    agreements_reopen(
        actor=actor,
        targets=children,
        note=_("%(metric)s split (%(method)s)")
        % {"metric": parent.get_metric_display(), "method": split.get_method_display()},
    )
    return split


# -- agreements ---------------------------------------------------------------------------

S = Agreement.Status
# The one table of allowed moves: signing moves forward; a change to the targets goes back.
TRANSITIONS: dict[str, set[str]] = {
    S.PROPOSED: {S.EMPLOYEE_SIGNED, S.SUPERIOR_SIGNED, S.PROPOSED},
    S.EMPLOYEE_SIGNED: {S.CONFIRMED, S.PROPOSED},
    S.SUPERIOR_SIGNED: {S.CONFIRMED, S.PROPOSED},
    S.CONFIRMED: {S.PROPOSED},
}


class AgreementError(PermissionError):
    pass


def agreement_transition(*, actor, agreement: Agreement, to: str, note: str = "") -> Agreement:
    if to not in TRANSITIONS[agreement.status]:
        raise AgreementError(
            _("A target agreement cannot go from “%(from)s” to “%(to)s”.")
            % {"from": agreement.get_status_display(), "to": S(to).label}
        )
    before = snapshot(agreement, ["status", "version", "employee_signed_at", "superior_signed_at"])
    if to == S.PROPOSED:
        if agreement.status != S.PROPOSED:
            agreement.version += 1
        agreement.employee_signed_at = agreement.employee_signed_by = None
        agreement.superior_signed_at = agreement.superior_signed_by = None
        agreement.changed_at = timezone.now()
        agreement.change_note = note[:300]
    agreement.status = to
    agreement.save()
    audit_record(
        actor=actor,
        action=f"agreement.{to}",
        obj=agreement,
        before=before,
        after=snapshot(
            agreement, ["status", "version", "employee_signed_at", "superior_signed_at"]
        ),
    )
    return agreement


def agreement_superior(agreement: Agreement) -> Employee | None:
    """The superior who signs: the person's manager on the manager line."""
    return agreement.employee.manager


def agreement_sides(user, agreement: Agreement) -> set[str]:
    """Which sides this user may sign: "employee" for the person, "superior" for their
    manager. Nobody signs for someone else."""
    employee = getattr(user, "employee", None) if getattr(user, "is_authenticated", False) else None
    if employee is None:
        return set()
    sides = set()
    if employee.pk == agreement.employee_id and agreement.employee_signed_at is None:
        sides.add("employee")
    superior = agreement_superior(agreement)
    if superior is not None and superior.pk == employee.pk and agreement.superior_signed_at is None:
        sides.add("superior")
    return sides


@transaction.atomic
def agreement_sign(
    *, actor, agreement: Agreement, side: str, version: int | None = None
) -> Agreement:
    """Sign one side of an agreement; both sides signed make it confirmed. `version` is the
    version the signer saw: a change since then must be seen before signing."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if version is not None and version != agreement.version:
        raise AgreementError(
            _("The targets changed after you opened them; read them again before signing.")
        )
    if side not in agreement_sides(actor, agreement):
        raise AgreementError(_("You cannot sign this agreement on that side."))
    now = timezone.now()
    if side == "employee":
        agreement.employee_signed_at, agreement.employee_signed_by = now, actor
        to = S.CONFIRMED if agreement.superior_signed_at else S.EMPLOYEE_SIGNED
    else:
        agreement.superior_signed_at, agreement.superior_signed_by = now, actor
        to = S.CONFIRMED if agreement.employee_signed_at else S.SUPERIOR_SIGNED
    return agreement_transition(actor=actor, agreement=agreement, to=to)


# -- calendar -----------------------------------------------------------------------------


@transaction.atomic
def calendar_day_set(*, actor, date: dt.date, working: bool | None, note: str = "") -> None:
    """Mark a company day off (working=False), an extra working day (True), or go back to
    the China calendar (None)."""
    row = CalendarDay.objects.filter(date=date).first()
    before = snapshot(row, ["working", "note"]) if row else {}
    if working is None:
        if row is not None:
            audit_record(actor=actor, action="calendar.clear", obj=row, before=before, after={})
            row.delete()
        return
    row, _created = CalendarDay.objects.update_or_create(
        date=date, defaults={"working": working, "note": note[:200]}
    )
    audit_record(
        actor=actor,
        action="calendar.set",
        obj=row,
        before=before,
        after=snapshot(row, ["working", "note"]),
    )
