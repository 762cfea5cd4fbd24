"""Reads about deals for the pages, the import and the form. Every list starts from
deals_visible_to(), and a page gets one deal only through access_deal()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from telesales.crm.models import Customer
from telesales.org import access
from telesales.org.models import Employee, Role, Team, TeamAssignment
from telesales.sales.models import Deal, Product

# Who enters deals: a rep their own, a supervisor or manager for the reps in their scope,
# an administrator for anyone. HR and department staff do not.
DEAL_ENTRY_ROLES = {Role.REP, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}
# Who sees the deals page: everyone in the sales line, and HR (appraisal administration).
DEAL_VIEW_ROLES = DEAL_ENTRY_ROLES | {Role.HR}


def can_view_deals(user) -> bool:
    return access.user_role(user) in DEAL_VIEW_ROLES


def can_enter_deals(user) -> bool:
    return access.user_role(user) in DEAL_ENTRY_ROLES


def can_import_deals(user) -> bool:
    """The deals import stores rows for many reps: supervisors (their reps), managers and
    administrators."""
    return access.user_role(user) in {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN}


def deals_visible_to(user) -> QuerySet[Deal]:
    if not can_view_deals(user):
        return Deal.objects.none()
    return Deal.objects.filter(access.visible_q(user, "employee"))


def access_deal(user, pk) -> Deal:
    """The deal with this id, if the user may see it; 404 otherwise."""
    try:
        return deals_visible_to(user).select_related("employee", "product", "customer").get(pk=pk)
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deal_reps_for(user, *, include: Employee | None = None) -> QuerySet[Employee]:
    """Whose deals the user may enter: a rep only their own; others the reps in their scope
    who have not left (and `include`, the rep of a deal being corrected)."""
    if not can_enter_deals(user):
        return Employee.objects.none()
    scope = access.scope_for(user)
    if scope.role == Role.REP:
        return Employee.objects.filter(pk=scope.employee.pk)
    today = timezone.localdate()
    current = Q(leave_date__isnull=True) | Q(leave_date__gt=today)
    if include is not None:
        current |= Q(pk=include.pk)
    return (
        access.employees_visible_to(user)
        .filter(role=Role.REP)
        .filter(current)
        .order_by("employee_no")
    )


def employees_for_import(user) -> QuerySet[Employee]:
    """The employees whose deals an import may store: anyone from the command line without
    a user; otherwise the people in the user's scope."""
    if user is None:
        return Employee.objects.all()
    return access.employees_visible_to(user)


def customers_for_phones(phones, *, user=None) -> dict[str, Customer]:
    """Phone (E.164) → its customer, followed to the record it was merged into; for a user,
    only customers owned in their scope (anyone's for company-wide roles)."""
    customers = Customer.objects.filter(phone__in=set(phones))
    if user is not None:
        customers = customers.filter(access.visible_q(user, "owner"))
    found = {c.phone: c for c in customers.select_related("merged_into")}
    for phone, customer in found.items():
        seen: set[int] = set()
        while customer.merged_into_id is not None and customer.pk not in seen:
            seen.add(customer.pk)
            customer = customer.merged_into
        found[phone] = customer
    return found


def customer_for_phone(phone: str, *, user=None) -> Customer | None:
    return customers_for_phones([phone], user=user).get(phone)


def products_for_deals(*, include: Product | None = None) -> QuerySet[Product]:
    """Active products, and `include` (the product of a deal being corrected)."""
    wanted = Q(is_active=True)
    if include is not None:
        wanted |= Q(pk=include.pk)
    return Product.objects.filter(wanted).order_by("code")


@dataclass(frozen=True)
class DealFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    employee: Employee | None = None
    team: Team | None = None
    status: str = ""
    product: Product | None = None
    key_only: bool = False
    deal_no: str = ""


def deal_list(user, criteria: DealFilter) -> QuerySet[Deal]:
    """The user's deals matching the filter, latest first, with rep, product and customer."""
    deals = deals_visible_to(user)
    if criteria.date_from is not None:
        deals = deals.filter(closed_on__gte=criteria.date_from)
    if criteria.date_to is not None:
        deals = deals.filter(closed_on__lte=criteria.date_to)
    if criteria.employee is not None:
        deals = deals.filter(employee=criteria.employee)
    if criteria.team is not None:
        # A team's deals are those of whoever was in the team on the day the deal closed.
        day = OuterRef("closed_on")
        deals = deals.filter(
            Exists(
                TeamAssignment.objects.filter(
                    employee_id=OuterRef("employee_id"), team=criteria.team, start__lte=day
                ).filter(Q(end__isnull=True) | Q(end__gt=day))
            )
        )
    if criteria.status:
        deals = deals.filter(status=criteria.status)
    if criteria.product is not None:
        deals = deals.filter(product=criteria.product)
    if criteria.key_only:
        deals = deals.filter(product__key_product=True)
    if criteria.deal_no:
        deals = deals.filter(deal_no__icontains=criteria.deal_no.strip())
    return deals.select_related("employee", "product", "customer").order_by("-closed_on", "-id")


def deal_totals(deals: QuerySet[Deal]) -> dict:
    """Won, refunded and net amounts and gross profit of some deals, in one query."""
    won, refunded = Q(status=Deal.Status.WON), Q(status=Deal.Status.REFUNDED)
    sums = deals.order_by().aggregate(
        won_count=Count("id", filter=won),
        refunded_count=Count("id", filter=refunded),
        won_amount=Sum("amount", filter=won),
        refunded_amount=Sum("amount", filter=refunded),
        won_profit=Sum("gross_profit", filter=won),
        refunded_profit=Sum("gross_profit", filter=refunded),
    )
    zero = Decimal("0")
    for key in ("won_amount", "refunded_amount", "won_profit", "refunded_profit"):
        sums[key] = sums[key] or zero
    sums["net_amount"] = sums["won_amount"] - sums["refunded_amount"]
    sums["net_profit"] = sums["won_profit"] - sums["refunded_profit"]
    return sums


def customer_link_allowed(user, customer: Customer | None) -> bool:
    """Whether the customer's own page is the user's to open (its owner is in their scope)."""
    if customer is None:
        return False
    scope = access.scope_for(user)
    return scope.company_wide or customer.owner_id in scope.employee_ids
