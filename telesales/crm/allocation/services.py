"""Changes of lead owner (source §2.3.2): allocation by round robin, capacity or tier-to-skill
routing, reclaim of untouched leads, recycling by outcome, and reassignment by hand.

Each change is planned first (a Plan: pure, nothing stored, shown as a preview) and then
executed atomically: rows are locked, every lead changes owner only if it still has the owner
the plan saw (a conditional UPDATE whose row count is checked), and what was taken or changed
meanwhile is skipped and reported. Every change of owner is audited and put on the
customer's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telesales.core.audit import audit_record
from telesales.crm.allocation import selectors
from telesales.crm.models import AllocationItem, AllocationRun, Customer, CustomerEvent, Tier
from telesales.org import access
from telesales.org.models import Employee, Role

Kind = AllocationRun.Kind
Method = AllocationRun.Method
ALLOCATION_METHODS = (Method.ROUND_ROBIN, Method.CAPACITY, Method.SKILL)
TIER_ORDER = {tier: index for index, tier in enumerate(Tier.values)}


class AllocationDenied(PermissionDenied):
    """The actor may not allocate, or not to this rep, or not this customer."""


class SkipReason(models.TextChoices):
    """Why a lead in a plan or a run did not change owner."""

    DNC = "dnc", gettext_lazy("Do not call")
    MERGED = "merged", gettext_lazy("Merged into another customer")
    OWNED = "owned", gettext_lazy("Already has an owner")
    OWNER_OUT_OF_SCOPE = "owner_out_of_scope", gettext_lazy("Owned outside your teams")
    NO_CAPACITY = "no_capacity", gettext_lazy("No chosen rep has room left today")
    TAKEN = "taken", gettext_lazy("Taken or changed by someone else meanwhile")
    CAP_REACHED = "cap_reached", gettext_lazy("The rep reached their cap meanwhile")
    CHANGED = "changed", gettext_lazy("Worked meanwhile: no longer due")
    REP_UNAVAILABLE = "rep_unavailable", gettext_lazy("The rep can no longer take leads")
    MISSING = "missing", gettext_lazy("The customer no longer exists")


class RepSkipReason(models.TextChoices):
    NOT_REP = "not_rep", gettext_lazy("Not a sales rep")
    NOT_EMPLOYED = "not_employed", gettext_lazy("On leave or has left")


@dataclass(frozen=True)
class PlanItem:
    customer_id: int
    from_owner_id: int | None
    to_owner_id: int | None


@dataclass(frozen=True)
class PlanSkip:
    customer_id: int
    reason: str


@dataclass(frozen=True)
class Plan:
    """Who gets which lead; nothing is stored until it is executed."""

    kind: str
    method: str
    today: dt.date
    items: tuple[PlanItem, ...]
    skipped: tuple[PlanSkip, ...] = ()
    rep_ids: tuple[int, ...] = ()
    reps_skipped: tuple[tuple[int, str], ...] = ()
    params: dict[str, Any] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        """A JSON-safe form, carried from the preview to the confirmation."""
        return {
            "kind": self.kind,
            "method": self.method,
            "today": self.today.isoformat(),
            "items": [[i.customer_id, i.from_owner_id, i.to_owner_id] for i in self.items],
            "skipped": [[s.customer_id, s.reason] for s in self.skipped],
            "rep_ids": list(self.rep_ids),
            "reps_skipped": [list(r) for r in self.reps_skipped],
            "params": self.params,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Plan:
        return cls(
            kind=data["kind"],
            method=data["method"],
            today=dt.date.fromisoformat(data["today"]),
            items=tuple(PlanItem(*item) for item in data["items"]),
            skipped=tuple(PlanSkip(*skip) for skip in data["skipped"]),
            rep_ids=tuple(data["rep_ids"]),
            reps_skipped=tuple((pk, reason) for pk, reason in data["reps_skipped"]),
            params=data["params"],
        )


# -- checks ----------------------------------------------------------------------------------


def _allocator_check(actor) -> None:
    if not selectors.can_allocate(actor):
        raise AllocationDenied(_("Only supervisors, managers and administrators allocate leads."))


def _in_scope_ids(actor, employee_ids: Iterable[int]) -> bool:
    scope = access.scope_for(actor)
    return scope.company_wide or set(employee_ids) <= scope.employee_ids


def _reps_check(actor, reps: Iterable[Employee]) -> None:
    reps = list(reps)
    if not _in_scope_ids(actor, (r.pk for r in reps)):
        raise AllocationDenied(_("You can only give leads to reps in your teams."))


# -- the three methods: pure functions of leads, reps and room --------------------------------


@dataclass(frozen=True)
class PlanLead:
    """What a method needs to know of a lead."""

    customer_id: int
    from_owner_id: int | None
    tier: str


def assign_round_robin(
    leads: Sequence[PlanLead], rep_ids: Sequence[int], room: dict[int, int], start: int = 0
) -> dict[int, int | None]:
    """Leads in order, one rep after the other from `start`; a rep without room, or the
    lead's own owner, is passed over."""
    room = dict(room)
    assigned: dict[int, int | None] = {}
    count = len(rep_ids)
    position = start % count if count else 0
    for lead in leads:
        assigned[lead.customer_id] = None
        for step in range(count):
            rep = rep_ids[(position + step) % count]
            if room[rep] > 0 and rep != lead.from_owner_id:
                assigned[lead.customer_id] = rep
                room[rep] -= 1
                position = (position + step + 1) % count
                break
    return assigned


def capacity_quotas(total: int, rep_ids: Sequence[int], room: dict[int, int]) -> dict[int, int]:
    """Leads each rep takes, in proportion to the room they have left (largest remainders,
    ties to the earlier rep), never more than that room."""
    available = sum(room[r] for r in rep_ids)
    if total >= available:
        return {r: room[r] for r in rep_ids}
    exact = {r: Fraction(total * room[r], available) for r in rep_ids}
    quotas = {r: int(exact[r]) for r in rep_ids}
    left = total - sum(quotas.values())
    by_remainder = sorted(rep_ids, key=lambda r: (-(exact[r] - quotas[r]), rep_ids.index(r)))
    for rep in by_remainder[:left]:
        quotas[rep] += 1
    return quotas


def assign_by_capacity(
    leads: Sequence[PlanLead], rep_ids: Sequence[int], room: dict[int, int]
) -> dict[int, int | None]:
    """Each rep's share weighted by their room left, interleaved (smooth weighted round
    robin) so that every rep gets leads from the whole list, best tier first."""
    quotas = capacity_quotas(len(leads), rep_ids, room)
    left = dict(quotas)
    current = dict.fromkeys(rep_ids, 0)
    assigned: dict[int, int | None] = {}
    for lead in leads:
        open_reps = [r for r in rep_ids if left[r] > 0]
        for rep in open_reps:
            current[rep] += quotas[rep]
        candidates = [r for r in open_reps if r != lead.from_owner_id]
        if not candidates:
            assigned[lead.customer_id] = None
            continue
        chosen = max(candidates, key=lambda r: (current[r], -rep_ids.index(r)))
        current[chosen] -= sum(quotas[r] for r in open_reps)
        left[chosen] -= 1
        assigned[lead.customer_id] = chosen
    return assigned


def equal_quotas(total: int, rep_ids: Sequence[int], room: dict[int, int]) -> dict[int, int]:
    """An equal share of the leads for each rep, within each rep's room (the remainder to
    the earlier reps)."""
    quotas = dict.fromkeys(rep_ids, 0)
    given = 0
    while given < total:
        progress = False
        for rep in rep_ids:
            if given < total and quotas[rep] < room[rep]:
                quotas[rep] += 1
                given += 1
                progress = True
        if not progress:
            break
    return quotas


def assign_by_skill(
    leads: Sequence[PlanLead],
    rep_ids: Sequence[int],
    room: dict[int, int],
    scores: dict[tuple[int, str], float],
) -> dict[int, int | None]:
    """Tier-to-skill routing: every rep takes an equal share of the batch (within their
    room), and the leads are handed out best tier first, each to the rep with the best
    conversion on that tier who still has share left (ties: more share left, then order)."""
    left = equal_quotas(len(leads), rep_ids, room)
    assigned: dict[int, int | None] = {}
    for lead in sorted(leads, key=lambda lead: TIER_ORDER.get(lead.tier, len(TIER_ORDER))):
        candidates = [r for r in rep_ids if left[r] > 0 and r != lead.from_owner_id]
        if not candidates:
            assigned[lead.customer_id] = None
            continue
        chosen = max(
            candidates,
            key=lambda r: (scores.get((r, lead.tier), 0.0), left[r], -rep_ids.index(r)),
        )
        left[chosen] -= 1
        assigned[lead.customer_id] = chosen
    return assigned


def skill_scores(rep_ids: Sequence[int]) -> dict[tuple[int, str], float]:
    """(rep, tier) → the lower bound of the rep's conversion on leads of that tier."""
    return {
        key: selectors.wilson_lower_bound(wins, total)
        for key, (wins, total) in selectors.conversion_by_tier(rep_ids).items()
    }


def round_robin_start(rep_ids: Sequence[int]) -> int:
    """Where round robin goes on: after the last of these reps served by a round robin."""
    last = (
        AllocationItem.objects.filter(run__method=Method.ROUND_ROBIN, to_owner_id__in=list(rep_ids))
        .order_by("-run_id", "-id")
        .values_list("to_owner_id", flat=True)
        .first()
    )
    return rep_ids.index(last) + 1 if last is not None else 0


# -- allocation ------------------------------------------------------------------------------


def allocation_plan(
    *,
    actor,
    customers: Iterable[Customer],
    reps: Iterable[Employee],
    method: str,
    today: dt.date,
    reassign: bool = False,
    kind: str = Kind.ALLOCATE,
    params: dict[str, Any] | None = None,
) -> Plan:
    """Who would get which lead; stores nothing. Reps who are not reps or are not employed
    today are left out; do-not-call and merged customers are never allocated; customers
    with an owner are left alone unless this is a reassignment (of leads in scope)."""
    _allocator_check(actor)
    if method not in ALLOCATION_METHODS:
        raise ValueError(f"unknown allocation method {method!r}")
    # Read afresh: whether a rep is employed today is the database's word, not the caller's.
    reps = list(Employee.objects.filter(pk__in={r.pk for r in reps}).order_by("employee_no", "pk"))
    _reps_check(actor, reps)
    reps_skipped: list[tuple[int, str]] = []
    rep_ids: list[int] = []
    for rep in reps:
        if rep.role != Role.REP:
            reps_skipped.append((rep.pk, RepSkipReason.NOT_REP))
        elif not rep.is_employed_on(today):
            reps_skipped.append((rep.pk, RepSkipReason.NOT_EMPLOYED))
        else:
            rep_ids.append(rep.pk)

    scope = access.scope_for(actor)
    leads: list[PlanLead] = []
    skipped: list[PlanSkip] = []
    seen: set[int] = set()
    for customer in customers:
        if customer.pk in seen:
            continue
        seen.add(customer.pk)
        reason = None
        if customer.merged_into_id is not None:
            reason = SkipReason.MERGED
        elif customer.dnc:
            reason = SkipReason.DNC
        elif customer.owner_id is not None and not reassign:
            reason = SkipReason.OWNED
        elif customer.owner_id is not None and not (
            scope.company_wide or customer.owner_id in scope.employee_ids
        ):
            reason = SkipReason.OWNER_OUT_OF_SCOPE
        if reason:
            skipped.append(PlanSkip(customer.pk, reason))
        else:
            leads.append(PlanLead(customer.pk, customer.owner_id, customer.tier))

    room = {pk: r.remaining for pk, r in selectors.rep_room(rep_ids, today).items()}
    if not rep_ids:
        assigned: dict[int, int | None] = dict.fromkeys(lead.customer_id for lead in leads)
    elif method == Method.ROUND_ROBIN:
        assigned = assign_round_robin(leads, rep_ids, room, round_robin_start(rep_ids))
    elif method == Method.CAPACITY:
        assigned = assign_by_capacity(leads, rep_ids, room)
    else:
        assigned = assign_by_skill(leads, rep_ids, room, skill_scores(rep_ids))

    owner_of = {lead.customer_id: lead.from_owner_id for lead in leads}
    items = []
    for customer_id, rep in assigned.items():  # in the order the method handed them out
        if rep is None:
            skipped.append(PlanSkip(customer_id, SkipReason.NO_CAPACITY))
        else:
            items.append(PlanItem(customer_id, owner_of[customer_id], rep))
    return Plan(
        kind=kind,
        method=method,
        today=today,
        items=tuple(items),
        skipped=tuple(skipped),
        rep_ids=tuple(rep_ids),
        reps_skipped=tuple(reps_skipped),
        params={"reassign": reassign, **(params or {})},
    )


def allocation_execute(*, actor, plan: Plan) -> AllocationRun:
    """Store an allocation plan: every lead still as the plan saw it changes owner, the
    rest is skipped and reported (run.skipped)."""
    if plan.kind != Kind.ALLOCATE:
        raise ValueError(f"not an allocation plan: {plan.kind!r}")
    return _execute(actor=actor, plan=plan, enforce_room=True)


# -- reclaim ---------------------------------------------------------------------------------


def reclaim_plan(
    *,
    actor,
    days: int,
    today: dt.date,
    now: dt.datetime | None = None,
    team=None,
    rep=None,
) -> Plan:
    """Leads in scope untouched for `days` days go back to the pool (see
    selectors.reclaimable_leads); stores nothing."""
    _allocator_check(actor)
    if days < 1:
        raise ValueError("days must be at least 1")
    now = now or timezone.now()
    leads = selectors.reclaimable_leads(actor, days=days, now=now, today=today, team=team, rep=rep)
    items = tuple(PlanItem(c.pk, c.owner_id, None) for c in leads)
    params = {"days": days, "team": team.pk if team else None, "rep": rep.pk if rep else None}
    return Plan(kind=Kind.RECLAIM, method=Method.NONE, today=today, items=items, params=params)


def reclaim_execute(*, actor, plan: Plan) -> AllocationRun:
    """Clear the owner of every planned lead that is still untouched."""
    if plan.kind != Kind.RECLAIM:
        raise ValueError(f"not a reclaim plan: {plan.kind!r}")
    days = int(plan.params["days"])

    def still_due(ids: list[int], now: dt.datetime) -> set[int]:
        leads = selectors.reclaimable_leads(actor, days=days, now=now, today=plan.today)
        return set(leads.filter(pk__in=ids).values_list("pk", flat=True))

    return _execute(actor=actor, plan=plan, still_due=still_due)


# -- recycle ---------------------------------------------------------------------------------


def recycle_plan(
    *,
    actor,
    today: dt.date,
    now: dt.datetime | None = None,
    team=None,
    rep=None,
    reassign_to: Iterable[Employee] | None = None,
) -> Plan:
    """Leads whose last outcome recycles and whose delay is over (see
    selectors.recyclable_leads) go back to the pool, or, given reps, round robin to one of
    them other than their owner; attempts are kept. Stores nothing."""
    _allocator_check(actor)
    now = now or timezone.now()
    leads = list(selectors.recyclable_leads(actor, now=now, team=team, rep=rep))
    params = {"team": team.pk if team else None, "rep": rep.pk if rep else None}
    reassign_to = list(reassign_to or [])
    if reassign_to:
        return allocation_plan(
            actor=actor,
            customers=leads,
            reps=reassign_to,
            method=Method.ROUND_ROBIN,
            today=today,
            reassign=True,
            kind=Kind.RECYCLE,
            params=params,
        )
    items = tuple(PlanItem(c.pk, c.owner_id, None) for c in leads)
    return Plan(
        kind=Kind.RECYCLE,
        method=Method.NONE,
        today=today,
        items=items,
        params={"reassign": False, **params},
    )


def recycle_execute(*, actor, plan: Plan) -> AllocationRun:
    if plan.kind != Kind.RECYCLE:
        raise ValueError(f"not a recycle plan: {plan.kind!r}")

    def still_due(ids: list[int], now: dt.datetime) -> set[int]:
        leads = selectors.recyclable_leads(actor, now=now)
        return set(leads.filter(pk__in=ids).values_list("pk", flat=True))

    return _execute(actor=actor, plan=plan, still_due=still_due, enforce_room=True)


# -- by hand ---------------------------------------------------------------------------------


def lead_reassign(
    *, actor, customer: Customer, to_owner: Employee | None, today: dt.date, note: str = ""
) -> AllocationRun:
    """A supervisor gives one lead in their scope to a rep of theirs, or back to the pool.
    Caps do not apply: it is a deliberate decision."""
    _allocator_check(actor)
    scope = access.scope_for(actor)
    if customer.owner_id is not None and not (
        scope.company_wide or customer.owner_id in scope.employee_ids
    ):
        raise AllocationDenied(_("This customer belongs to someone outside your teams."))
    if to_owner is not None:
        to_owner = Employee.objects.get(pk=to_owner.pk)
        _reps_check(actor, [to_owner])
        if to_owner.role != Role.REP:
            raise ValidationError(_("Leads can only be given to sales reps."))
        if not to_owner.is_employed_on(today):
            raise ValidationError(
                _("%(rep)s is on leave or has left and cannot take leads.") % {"rep": to_owner}
            )
    if customer.merged_into_id is not None:
        raise ValidationError(_("This customer was merged into another one."))
    if customer.dnc and to_owner is not None:
        raise ValidationError(_("Do-not-call customers are never allocated."))
    if customer.owner_id == (to_owner.pk if to_owner else None):
        raise ValidationError(_("The lead already has this owner."))
    plan = Plan(
        kind=Kind.MANUAL,
        method=Method.NONE,
        today=today,
        items=(PlanItem(customer.pk, customer.owner_id, to_owner.pk if to_owner else None),),
        params={"note": note} if note else {},
    )
    with transaction.atomic():
        run = _execute(actor=actor, plan=plan, allow_dnc_to_pool=True)
        if run.count != 1:
            raise ValidationError(
                _("Someone else changed this lead's owner meanwhile; look again and retry.")
            )
    return run


# -- execution -------------------------------------------------------------------------------


def _lock_reps(rep_ids: Iterable[int]) -> dict[int, Employee]:
    """The receiving reps, locked (PostgreSQL) so that two runs count their room in turn."""
    return {
        e.pk: e
        for e in Employee.objects.select_for_update().filter(pk__in=list(rep_ids)).order_by("pk")
    }


def _lock_customers(customer_ids: Iterable[int]) -> dict[int, Customer]:
    """The planned customers, locked in id order (PostgreSQL; SQLite takes the whole
    database at the start of the transaction)."""
    return {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=list(customer_ids))
        .order_by("pk")
    }


def _owner_label(employee: Employee | None) -> str:
    return f"{employee.employee_no} {employee.name}" if employee else "—"


@transaction.atomic
def _execute(
    *,
    actor,
    plan: Plan,
    enforce_room: bool = False,
    still_due: Callable[[list[int], dt.datetime], set[int]] | None = None,
    allow_dnc_to_pool: bool = False,
) -> AllocationRun:
    _allocator_check(actor)
    to_ids = {i.to_owner_id for i in plan.items if i.to_owner_id is not None}
    from_ids = {i.from_owner_id for i in plan.items if i.from_owner_id is not None}
    if not _in_scope_ids(actor, to_ids):
        raise AllocationDenied(_("You can only give leads to reps in your teams."))
    if not _in_scope_ids(actor, from_ids):
        raise AllocationDenied(_("You can only move leads of reps in your teams."))

    now = timezone.now()
    reps = _lock_reps(to_ids)
    available = {
        pk for pk, e in reps.items() if e.role == Role.REP and e.is_employed_on(plan.today)
    }
    room = {pk: r.remaining for pk, r in selectors.rep_room(sorted(to_ids), plan.today).items()}
    ids = [i.customer_id for i in plan.items]
    customers = _lock_customers(ids)
    due = still_due(ids, now) if still_due is not None else None

    user = actor if getattr(actor, "pk", None) else None
    run = AllocationRun.objects.create(
        kind=plan.kind, method=plan.method, created_by=user, params=plan.params
    )
    applied: list[tuple[Customer, PlanItem]] = []
    skipped: list[PlanSkip] = []
    for item in plan.items:
        customer = customers.get(item.customer_id)
        reason = None
        if customer is None:
            reason = SkipReason.MISSING
        elif customer.merged_into_id is not None:
            reason = SkipReason.MERGED
        elif customer.dnc and not (allow_dnc_to_pool and item.to_owner_id is None):
            reason = SkipReason.DNC
        elif customer.owner_id != item.from_owner_id:
            reason = SkipReason.TAKEN
        elif due is not None and customer.pk not in due:
            reason = SkipReason.CHANGED
        elif item.to_owner_id is not None and item.to_owner_id not in available:
            reason = SkipReason.REP_UNAVAILABLE
        elif enforce_room and item.to_owner_id is not None and room[item.to_owner_id] <= 0:
            reason = SkipReason.CAP_REACHED
        elif not _owner_swap(customer, item, now):
            reason = SkipReason.TAKEN
        if reason:
            skipped.append(PlanSkip(item.customer_id, reason))
            continue
        if item.to_owner_id is not None:
            room[item.to_owner_id] -= 1
        applied.append((customer, item))

    owners = Employee.objects.in_bulk(
        ({i.from_owner_id for _c, i in applied} | {i.to_owner_id for _c, i in applied}) - {None}
    )
    AllocationItem.objects.bulk_create(
        AllocationItem(
            run=run,
            customer_id=item.customer_id,
            from_owner_id=item.from_owner_id,
            to_owner_id=item.to_owner_id,
        )
        for _customer, item in applied
    )
    CustomerEvent.objects.bulk_create(
        CustomerEvent(
            customer_id=item.customer_id,
            at=now,
            kind=CustomerEvent.Kind.OWNER,
            actor=user,
            text=(
                f"{_owner_label(owners.get(item.from_owner_id))} → "
                f"{_owner_label(owners.get(item.to_owner_id))}"
            )[:300],
            detail={
                "from": item.from_owner_id,
                "to": item.to_owner_id,
                "run": run.pk,
                "kind": plan.kind,
                "method": plan.method,
            },
        )
        for _customer, item in applied
    )
    for customer, item in applied:
        before = {"owner_id": item.from_owner_id, "owned_since": _iso(customer.owned_since)}
        customer.owner_id = item.to_owner_id
        customer.owned_since = now if item.to_owner_id is not None else None
        audit_record(
            actor=actor,
            action="customer.owner",
            obj=customer,
            before=before,
            after={"owner_id": item.to_owner_id, "owned_since": _iso(customer.owned_since)},
        )

    run.count = len(applied)
    run.params = {
        **plan.params,
        "reps": list(plan.rep_ids),
        "skipped": [[s.customer_id, s.reason] for s in skipped],
    }
    run.save(update_fields=["count", "params"])
    audit_record(
        actor=actor,
        action=f"allocation.{plan.kind}",
        obj=run,
        after={"kind": plan.kind, "method": plan.method, "count": run.count, **run.params},
    )
    run.skipped = skipped
    return run


def _owner_swap(customer: Customer, item: PlanItem, now: dt.datetime) -> bool:
    """The conditional UPDATE: the owner changes only if it is still the one planned from.
    Concurrent runs cannot both succeed, even where rows cannot be locked."""
    unchanged = Customer.objects.filter(
        pk=customer.pk, owner_id=item.from_owner_id, merged_into__isnull=True
    )
    if item.to_owner_id is not None:
        unchanged = unchanged.filter(dnc=False)
    return (
        unchanged.update(
            owner_id=item.to_owner_id,
            owned_since=now if item.to_owner_id is not None else None,
            updated_at=now,
        )
        == 1
    )


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
