"""Reads for allocation (source §2.3.2): the pool of callable leads, who may receive leads,
each rep's capacity and load, conversion by tier, the leads due for reclaim or recycling,
and the allocation history. Every page reads through these, scoped by telesales.org.access."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import phonenumbers
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone

from telesales.calls.selectors import phone_mask
from telesales.crm.models import (
    AllocationItem,
    AllocationRun,
    Customer,
    Disposition,
    Outcome,
    RepCapacity,
)
from telesales.org import access
from telesales.org.models import Employee, Role
from telesales.sales.models import Deal

DEFAULT_DAILY_CAP = 30
DEFAULT_MAX_OPEN = 300
ALLOCATOR_ROLES = {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
WILSON_Z = 1.96  # 95 %

# A timestamp earlier than any real one, so that Greatest() over nullable columns behaves
# alike on PostgreSQL (which skips nulls) and SQLite (which returns null).
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


# -- who may allocate, and to whom ------------------------------------------------------------


def can_allocate(user) -> bool:
    """Supervisors (their teams), managers (the teams under them) and administrators."""
    return access.user_role(user) in ALLOCATOR_ROLES


def allocator_check(user) -> None:
    if not can_allocate(user):
        raise Http404


def reps_in_scope(user) -> QuerySet[Employee]:
    """Every rep the user may give leads to or take them from, employed or not."""
    return access.employees_visible_to(user).filter(role=Role.REP)


def reps_available(user, today: dt.date) -> QuerySet[Employee]:
    """The reps in scope who can take leads today: employed, not gone."""
    return (
        reps_in_scope(user)
        .filter(hire_date__lte=today)
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
        .select_related("team")
        .order_by("employee_no")
    )


def owner_in_scope_q(user, field: str = "owner") -> Q:
    scope = access.scope_for(user)
    if scope.company_wide:
        return Q()
    return Q(**{f"{field}_id__in": scope.employee_ids})


# -- leads ------------------------------------------------------------------------------------


def callable_customers() -> QuerySet[Customer]:
    """Customers that may be called: not do-not-call, not merged into another record."""
    return Customer.objects.filter(dnc=False, merged_into__isnull=True)


@dataclass(frozen=True)
class PoolFilter:
    tier: str = ""
    source: str = ""
    newer_than_days: int | None = None  # received within the last N days
    older_than_days: int | None = None  # received at least N days ago


def lead_pool(criteria: PoolFilter | None = None, *, now: dt.datetime | None = None):
    """Unowned callable leads, best tier first, then oldest first (they have waited longest)."""
    leads = callable_customers().filter(owner__isnull=True)
    criteria = criteria or PoolFilter()
    now = now or timezone.now()
    if criteria.tier:
        leads = leads.filter(tier=criteria.tier)
    if criteria.source:
        leads = leads.filter(source=criteria.source)
    if criteria.newer_than_days is not None:
        leads = leads.filter(created_at__gte=now - dt.timedelta(days=criteria.newer_than_days))
    if criteria.older_than_days is not None:
        leads = leads.filter(created_at__lte=now - dt.timedelta(days=criteria.older_than_days))
    return leads.select_related("last_disposition").order_by("tier", "created_at", "id")


def lead_sources() -> list[str]:
    return sorted(
        s
        for s in callable_customers()
        .filter(owner__isnull=True)
        .exclude(source="")
        .order_by()
        .values_list("source", flat=True)
        .distinct()
    )


def lead_phone_shown(phone: str) -> str:
    """A lead's number masked as 138****1234: the national form, first 3 and last 4 kept."""
    try:
        number = phonenumbers.parse(phone, "CN")
    except phonenumbers.NumberParseException:
        return phone_mask(phone)
    if number.country_code == 86:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        phone = "".join(c for c in national if c.isdigit())
    return phone_mask(phone)


def access_lead(user, pk) -> Customer:
    """A customer the user may reassign: unowned, or owned by someone in their scope."""
    allocator_check(user)
    try:
        return (
            Customer.objects.filter(merged_into__isnull=True)
            .filter(Q(owner__isnull=True) | owner_in_scope_q(user))
            .select_related("owner", "last_disposition")
            .get(pk=pk)
        )
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# -- capacity, load, conversion ---------------------------------------------------------------


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start and end of a local day, as aware datetimes."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def capacity_limits(rep_ids) -> dict[int, tuple[int, int]]:
    """rep id → (daily cap, open leads at most); the defaults when a rep has no row."""
    limits = {pk: (DEFAULT_DAILY_CAP, DEFAULT_MAX_OPEN) for pk in rep_ids}
    for pk, daily, most in RepCapacity.objects.filter(employee_id__in=rep_ids).values_list(
        "employee_id", "daily_cap", "max_open"
    ):
        limits[pk] = (daily, most)
    return limits


def allocated_on(rep_ids, day: dt.date) -> dict[int, int]:
    """rep id → leads given to them on that local day, by any allocation, recycling or hand."""
    start, end = day_bounds(day)
    rows = (
        AllocationItem.objects.filter(
            to_owner_id__in=rep_ids, run__created_at__gte=start, run__created_at__lt=end
        )
        .values("to_owner_id")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(rep_ids, 0)
    counts.update({row["to_owner_id"]: row["n"] for row in rows})
    return counts


def open_load(rep_ids) -> dict[int, int]:
    """rep id → open leads: callable customers they own that have not bought (no sale as
    the last outcome, no won deal)."""
    rows = (
        callable_customers()
        .filter(owner_id__in=rep_ids)
        .exclude(last_disposition__sale=True)
        .exclude(_won_deal())
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(rep_ids, 0)
    counts.update({row["owner_id"]: row["n"] for row in rows})
    return counts


@dataclass(frozen=True)
class RepRoom:
    daily_cap: int
    max_open: int
    allocated_today: int
    open_load: int

    @property
    def remaining(self) -> int:
        """Leads the rep can still take today: within both the daily cap and the open cap."""
        return max(0, min(self.daily_cap - self.allocated_today, self.max_open - self.open_load))


def rep_room(rep_ids, today: dt.date) -> dict[int, RepRoom]:
    rep_ids = list(rep_ids)
    limits = capacity_limits(rep_ids)
    today_counts = allocated_on(rep_ids, today)
    loads = open_load(rep_ids)
    return {
        pk: RepRoom(limits[pk][0], limits[pk][1], today_counts[pk], loads[pk]) for pk in rep_ids
    }


def wilson_lower_bound(wins: int, total: int, z: float = WILSON_Z) -> float:
    """The lower end of the 95 % Wilson interval: 1 of 1 ranks below 30 of 60."""
    if total <= 0:
        return 0.0
    p = wins / total
    z2 = z * z
    centre = p + z2 / (2 * total)
    spread = z * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return (centre - spread) / (1 + z2 / total)


def conversion_by_tier(rep_ids) -> dict[tuple[int, str], tuple[int, int]]:
    """(rep id, tier) → (customers of that tier the rep converted, customers of that tier the
    rep owned). Owned: owns now, was allocated, recorded an outcome on, or sold to.
    Converted: a sale outcome by the rep, a won deal of theirs, or owned with a sale as the
    last outcome. The tier is the customer's tier today."""
    rep_ids = list(rep_ids)
    owned: set[tuple[int, int, str]] = set()
    won: set[tuple[int, int, str]] = set()
    owned.update(
        Customer.objects.filter(owner_id__in=rep_ids).values_list("owner_id", "pk", "tier")
    )
    owned.update(
        AllocationItem.objects.filter(to_owner_id__in=rep_ids).values_list(
            "to_owner_id", "customer_id", "customer__tier"
        )
    )
    owned.update(
        Outcome.objects.filter(employee_id__in=rep_ids).values_list(
            "employee_id", "customer_id", "customer__tier"
        )
    )
    won.update(
        Outcome.objects.filter(employee_id__in=rep_ids, disposition__sale=True).values_list(
            "employee_id", "customer_id", "customer__tier"
        )
    )
    won.update(
        Deal.objects.filter(
            employee_id__in=rep_ids, customer__isnull=False, status=Deal.Status.WON
        ).values_list("employee_id", "customer_id", "customer__tier")
    )
    won.update(
        Customer.objects.filter(owner_id__in=rep_ids, last_disposition__sale=True).values_list(
            "owner_id", "pk", "tier"
        )
    )
    owned |= won
    stats: dict[tuple[int, str], list[int]] = {}
    for rep_id, _customer, tier in owned:
        stats.setdefault((rep_id, tier), [0, 0])[1] += 1
    for rep_id, _customer, tier in won:
        stats[(rep_id, tier)][0] += 1
    return {key: (wins, total) for key, (wins, total) in stats.items()}


# -- reclaim and recycle ----------------------------------------------------------------------


def _last_outcome_at() -> Subquery:
    return Subquery(
        Outcome.objects.filter(customer_id=OuterRef("pk"))
        .order_by()
        .values("customer_id")
        .annotate(last=Max("recorded_at"))
        .values("last")[:1],
        output_field=DateTimeField(),
    )


def _won_deal() -> Exists:
    return Exists(Deal.objects.filter(customer_id=OuterRef("pk"), status=Deal.Status.WON))


def _owned_leads(user, *, team=None, rep=None) -> QuerySet[Customer]:
    leads = callable_customers().filter(owner__isnull=False).filter(owner_in_scope_q(user))
    if team is not None:
        leads = leads.filter(owner__team=team)
    if rep is not None:
        leads = leads.filter(owner=rep)
    return leads


def reclaimable_leads(
    user, *, days: int, now: dt.datetime, today: dt.date, team=None, rep=None
) -> QuerySet[Customer]:
    """Leads untouched for `days` days: owned that long, with no outcome and no contact in
    that time. Kept: customers who bought (a sale outcome or a won deal) and leads with a
    follow-up planned for today or later."""
    epoch = Value(_EPOCH, output_field=DateTimeField())
    cutoff = now - dt.timedelta(days=days)
    return (
        _owned_leads(user, team=team, rep=rep)
        .annotate(
            last_outcome_at=_last_outcome_at(),
            won_deal=_won_deal(),
        )
        .annotate(
            last_touch=Greatest(
                Coalesce("owned_since", epoch),
                Coalesce("last_contact_at", epoch),
                Coalesce("last_outcome_at", epoch),
            )
        )
        .filter(last_touch__lte=cutoff, won_deal=False)
        .exclude(last_disposition__sale=True)
        .exclude(next_follow_up__gte=today)
        .select_related("owner", "last_disposition")
        .order_by("owner__employee_no", "last_touch", "id")
    )


def recycling_outcomes() -> QuerySet[Disposition]:
    """Outcomes that send a lead back: a recycling delay set, and not a sale, do-not-call or
    unworkable outcome (those never recycle)."""
    return Disposition.objects.filter(
        recycle_after_days__isnull=False, sale=False, dnc=False, unworkable=False
    )


def recyclable_leads(user, *, now: dt.datetime, team=None, rep=None) -> QuerySet[Customer]:
    """Leads whose last outcome recycles, left alone longer than the outcome's delay (since
    the last contact, outcome or change of owner), and tried fewer times than its maximum
    attempts (when it has one)."""
    epoch = Value(_EPOCH, output_field=DateTimeField())
    due = Q(pk__in=[])
    for pk, days in recycling_outcomes().values_list("pk", "recycle_after_days"):
        due |= Q(last_disposition_id=pk, last_touch__lte=now - dt.timedelta(days=days))
    return (
        _owned_leads(user, team=team, rep=rep)
        .filter(
            Q(last_disposition__max_attempts__isnull=True)
            | Q(attempts__lt=F("last_disposition__max_attempts"))
        )
        .annotate(last_outcome_at=_last_outcome_at(), won_deal=_won_deal())
        .annotate(
            last_touch=Greatest(
                Coalesce("owned_since", epoch),
                Coalesce("last_contact_at", epoch),
                Coalesce("last_outcome_at", epoch),
            )
        )
        .filter(due, won_deal=False)
        .select_related("owner", "last_disposition")
        .order_by("owner__employee_no", "last_touch", "id")
    )


# -- history ----------------------------------------------------------------------------------


def runs_visible_to(user) -> QuerySet[AllocationRun]:
    """Runs the user made, and runs that gave leads to or took them from someone in scope."""
    runs = AllocationRun.objects.all()
    scope = access.scope_for(user)
    if scope.company_wide:
        return runs
    touching = AllocationItem.objects.filter(run_id=OuterRef("pk")).filter(
        Q(to_owner_id__in=scope.employee_ids) | Q(from_owner_id__in=scope.employee_ids)
    )
    return runs.filter(Q(Exists(touching)) | Q(created_by=user))


def items_visible_to(user) -> QuerySet[AllocationItem]:
    items = AllocationItem.objects.all()
    scope = access.scope_for(user)
    if not scope.company_wide:
        items = items.filter(
            Q(to_owner_id__in=scope.employee_ids) | Q(from_owner_id__in=scope.employee_ids)
        )
    return items.select_related("customer", "from_owner", "to_owner").order_by("id")


def run_history(user, *, kind: str = "") -> QuerySet[AllocationRun]:
    """The user's allocation history, newest first, with the items they may see."""
    runs = runs_visible_to(user)
    if kind:
        runs = runs.filter(kind=kind)
    return runs.select_related("created_by").order_by("-created_at", "-id")


def run_items_prefetch(user) -> Prefetch:
    return Prefetch("items", queryset=items_visible_to(user), to_attr="visible_items")


def access_run(user, pk) -> AllocationRun:
    allocator_check(user)
    try:
        return run_history(user).prefetch_related(run_items_prefetch(user)).get(pk=pk)
    except (AllocationRun.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
