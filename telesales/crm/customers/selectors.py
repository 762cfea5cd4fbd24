"""Reads about customers for the pages: every query starts from customers_visible_to(), so
the scope of PRODUCT.md §2 is applied once; numbers are masked for all but the owner rep
and administrators."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.calls.selectors import phone_mask
from telesales.crm.customers.intent import intent_label
from telesales.crm.customers.phones import phone_display, phone_normalise_or_none
from telesales.crm.models import Customer, CustomerEvent, Outcome, Tier
from telesales.org import access
from telesales.org.models import Employee, Role

NEW_LEAD_DAYS = 2
EDITORS = {Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.REP}
MERGERS = {Role.ADMIN, Role.SUPERVISOR}
RULE_EDITORS = {Role.ADMIN, Role.SUPERVISOR}


# -- scope -----------------------------------------------------------------------------------------


def _in_scope(user) -> QuerySet[Customer]:
    """Customers the user may see, merged ones included: administrators and HR all; a
    supervisor their teams' customers and the unowned pool they allocate from; a manager
    the customers of the people below them; a rep their own; anyone else none."""
    scope = access.scope_for(user)
    customers = Customer.objects.all()
    if scope.role is None or scope.role == Role.STAFF:
        return customers.none()
    if scope.company_wide:
        return customers
    if scope.role == Role.SUPERVISOR:
        return customers.filter(Q(owner_id__in=scope.employee_ids) | Q(owner__isnull=True))
    return customers.filter(owner_id__in=scope.employee_ids)


def customers_visible_to(user) -> QuerySet[Customer]:
    """The customers the user may see and work: merged duplicates left out."""
    return _in_scope(user).filter(merged_into__isnull=True)


def access_customer(user, pk) -> Customer:
    """The customer with this id, if the user may see it (merged ones too); 404 otherwise."""
    customers = _in_scope(user).select_related("owner", "owner__team", "last_disposition")
    try:
        return customers.get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def customers_callable() -> QuerySet[Customer]:
    """Customers that may be called, allocated or recycled: never do-not-call ones, never
    merged duplicates."""
    return Customer.objects.filter(dnc=False, merged_into__isnull=True)


def can_create_customers(user) -> bool:
    return access.user_role(user) in EDITORS


def can_edit_customer(user, customer: Customer) -> bool:
    """Reps edit their own customers, supervisors and managers those in scope (the caller
    has fetched the customer through access_customer), administrators all; HR only reads."""
    if customer.merged_into_id is not None:
        return False
    return access.user_role(user) in EDITORS


def can_merge_customers(user) -> bool:
    return access.user_role(user) in MERGERS


def can_record_outcome(user, customer: Customer) -> bool:
    """Whoever works the customer records what came of a call, as themselves."""
    return can_edit_customer(user, customer) and access.user_employee(user) is not None


def can_edit_tier_rules(user) -> bool:
    return access.user_role(user) in RULE_EDITORS


def can_edit_dispositions(user) -> bool:
    return access.can_administer_org(user)


def can_see_customers(user) -> bool:
    role = access.user_role(user)
    return role is not None and role != Role.STAFF


def owners_visible_to(user) -> QuerySet[Employee]:
    """People a user may give customers to or filter on: reps (and supervisors) in scope who
    have not left."""
    today = timezone.localdate()
    return (
        access.employees_visible_to(user)
        .filter(role__in=[Role.REP, Role.SUPERVISOR])
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=today))
        .select_related("team")
        .order_by("employee_no")
    )


# -- numbers ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneViewer:
    """Whose numbers a user sees in full: an administrator all, a rep those they own."""

    employee_id: int | None
    sees_all: bool

    def sees(self, customer: Customer) -> bool:
        return self.sees_all or (
            self.employee_id is not None and customer.owner_id == self.employee_id
        )

    def number(self, customer: Customer) -> str:
        shown = phone_display(customer.phone)
        return shown if self.sees(customer) else phone_mask(shown)

    def shower(self, customer: Customer):
        """How numbers on this customer's page are shown (those of merged duplicates)."""
        if self.sees(customer):
            return phone_display
        return _masked


def phone_viewer(user) -> PhoneViewer:
    scope = access.scope_for(user)
    return PhoneViewer(
        employee_id=scope.employee.pk if scope.employee is not None else None,
        sees_all=scope.role == Role.ADMIN,
    )


# -- the list --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerFilter:
    tier: str = ""
    intent: str = ""
    owner: str = ""  # an employee id, "none" for the unowned pool, "" for anyone
    dnc: str = ""  # "yes", "no" or ""
    source: str = ""
    text: str = ""


def customer_list(user, criteria: CustomerFilter) -> QuerySet[Customer]:
    customers = customers_visible_to(user)
    if criteria.tier:
        customers = customers.filter(tier=criteria.tier)
    if criteria.intent:
        customers = customers.filter(intent_level=criteria.intent)
    if criteria.owner == "none":
        customers = customers.filter(owner__isnull=True)
    elif criteria.owner:
        customers = customers.filter(owner_id=criteria.owner)
    if criteria.dnc == "yes":
        customers = customers.filter(dnc=True)
    elif criteria.dnc == "no":
        customers = customers.filter(dnc=False)
    if criteria.source:
        customers = customers.filter(source__iexact=criteria.source.strip())
    if criteria.text:
        customers = customers.filter(_text_q(criteria.text))
    return customers.select_related("owner", "last_disposition").order_by("-updated_at", "-id")


def _text_q(text: str) -> Q:
    """Name or company contains the text; a whole number finds its customer; four or more
    digits match the end of a number (what a masked number shows anyway)."""
    text = text.strip()
    found = Q(name__icontains=text) | Q(company__icontains=text)
    number = phone_normalise_or_none(text)
    if number:
        found |= Q(phone=number)
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) >= 4 and digits == text.replace(" ", "").replace("-", ""):
        found |= Q(phone__endswith=digits)
    return found


def sources_visible_to(user) -> list[str]:
    return list(
        customers_visible_to(user)
        .exclude(source="")
        .order_by("source")
        .values_list("source", flat=True)
        .distinct()[:200]
    )


# -- the rep's day ----------------------------------------------------------------------------------


def today_list(user, *, day: dt.date, rep_ids: list[int] | None = None) -> QuerySet[Customer]:
    """What the reps should call today: follow-ups due, callbacks, and leads given to them in
    the last two days that nobody has called since; overdue first, then tier A→D, then the
    longest waiting. Do-not-call customers are never listed."""
    scope = access.scope_for(user)
    customers = customers_visible_to(user).filter(owner__isnull=False, dnc=False)
    if rep_ids is not None:
        customers = customers.filter(owner_id__in=rep_ids)
    elif not scope.company_wide and scope.role != Role.REP:
        customers = customers.filter(owner_id__in=scope.employee_ids)
    since = timezone.now() - dt.timedelta(days=NEW_LEAD_DAYS)
    called_since = Outcome.objects.filter(
        customer=OuterRef("pk"), recorded_at__gte=OuterRef("owned_since")
    )
    due = Q(next_follow_up__lte=day)
    callback = Q(last_disposition__callback=True) & (
        Q(next_follow_up__isnull=True) | Q(next_follow_up__lte=day)
    )
    new_lead = Q(owned_since__gte=since) & ~Exists(called_since)
    tier_rank = Case(
        *(When(tier=tier, then=Value(rank)) for rank, tier in enumerate(Tier.values)),
        default=Value(len(Tier.values)),
        output_field=IntegerField(),
    )
    return (
        customers.filter(due | callback | new_lead)
        .annotate(
            overdue=Case(
                When(next_follow_up__lt=day, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            tier_rank=tier_rank,
            waiting_since=Coalesce(
                F("next_follow_up"),
                TruncDate("last_contact_at"),
                TruncDate("owned_since"),
                TruncDate("created_at"),
            ),
            is_new_lead=Case(
                When(new_lead, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .select_related("owner", "last_disposition")
        .order_by("-overdue", "tier_rank", F("waiting_since").asc(nulls_first=True), "id")
    )


def today_reasons(customer: Customer, day: dt.date) -> list[str]:
    reasons = []
    if customer.next_follow_up is not None and customer.next_follow_up < day:
        reasons.append(_("Overdue since %(date)s") % {"date": customer.next_follow_up.isoformat()})
    elif customer.next_follow_up == day:
        reasons.append(_("Follow-up due today"))
    if customer.last_disposition is not None and customer.last_disposition.callback:
        reasons.append(_("Callback"))
    if getattr(customer, "is_new_lead", 0):
        reasons.append(_("New lead"))
    return reasons


# -- the timeline -----------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    at: dt.datetime
    kind: str
    label: str
    text: str = ""
    who: str = ""
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _at_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _field_names(names: list[str]) -> str:
    labels = []
    for name in names:
        try:
            labels.append(str(Customer._meta.get_field(name.removesuffix("_id")).verbose_name))
        except FieldDoesNotExist:  # a field that no longer exists
            labels.append(name)
    return ", ".join(labels)


def _event_text(event: CustomerEvent, show_phone) -> str:
    """What an event says, in the reader's language and with numbers as they may see them."""
    detail = event.detail or {}
    kind = CustomerEvent.Kind
    if event.kind == kind.CREATED:
        return ""
    if event.kind == kind.INTENT and "to" in detail:
        return f"{intent_label(detail.get('from', ''))} → {intent_label(detail['to'])}"
    if event.kind == kind.DNC and "dnc" in detail:
        return _("Marked do not call") if detail["dnc"] else _("Do not call lifted")
    if event.kind == kind.MERGED and "into" in detail:
        return _("Merged into %(phone)s") % {"phone": show_phone(detail.get("phone", ""))}
    if event.kind == kind.MERGED and "merged" in detail:
        return _("Merged with %(phone)s") % {"phone": show_phone(detail.get("phone", ""))}
    if event.kind == kind.UPDATED and "fields" in detail:
        return _field_names(detail["fields"])
    return event.text


def _masked(number: str) -> str:
    return phone_mask(phone_display(number))


def customer_timeline(
    customer: Customer, *, show_phone=_masked, limit: int = 200
) -> list[TimelineEntry]:
    """Everything that happened to the customer, newest first: its events, its outcomes,
    its deals and tickets (read from their own tables). `show_phone` shows a number the way
    the reader may see it."""
    from telesales.feedback.models import Ticket
    from telesales.sales.models import Deal

    entries: list[TimelineEntry] = []
    kinds = dict(CustomerEvent.Kind.choices)
    outcomes = list(
        Outcome.objects.filter(customer=customer)
        .select_related("disposition", "employee", "call")
        .order_by("-recorded_at", "-id")[:limit]
    )
    deals = list(
        Deal.objects.filter(customer=customer)
        .select_related("product", "employee")
        .order_by("-closed_on", "-id")[:limit]
    )
    tickets = list(
        Ticket.objects.filter(customer=customer)
        .select_related("department")
        .order_by("-opened_at", "-id")[:limit]
    )
    # Rows shown from their own tables are not shown again as the events noting them.
    shown = {
        CustomerEvent.Kind.OUTCOME: ({"outcome_id", "outcome"}, {o.pk for o in outcomes}),
        CustomerEvent.Kind.DEAL: ({"deal_id", "deal"}, {d.pk for d in deals}),
        CustomerEvent.Kind.TICKET: ({"ticket_id", "ticket"}, {t.pk for t in tickets}),
    }
    for event in (
        CustomerEvent.objects.filter(customer=customer)
        .select_related("actor")
        .order_by("-at", "-id")[:limit]
    ):
        keys, ids = shown.get(event.kind, (set(), set()))
        if any(event.detail.get(key) in ids for key in keys):
            continue
        entries.append(
            TimelineEntry(
                at=event.at,
                kind=event.kind,
                label=str(kinds.get(event.kind, event.kind)),
                text=_event_text(event, show_phone),
                who=(event.actor.get_full_name() or event.actor.get_username())
                if event.actor
                else "",
            )
        )
    for outcome in outcomes:
        entries.append(
            TimelineEntry(
                at=outcome.recorded_at,
                kind="outcome",
                label=str(kinds[CustomerEvent.Kind.OUTCOME]),
                text=outcome.disposition.label,
                who=outcome.employee.name,
                notes=outcome.notes,
                extra={
                    "next_follow_up": outcome.next_follow_up,
                    "call": outcome.call,
                },
            )
        )
    for deal in deals:
        refund = deal.status == Deal.Status.REFUNDED
        entries.append(
            TimelineEntry(
                at=_at_day(deal.closed_on),
                kind="deal",
                label=_("Refund") if refund else _("Deal"),
                text=f"{deal.deal_no} · {deal.product.name} · {'-' if refund else ''}{deal.amount}",
                who=deal.employee.name,
            )
        )
    for ticket in tickets:
        entries.append(
            TimelineEntry(
                at=ticket.opened_at,
                kind="ticket",
                label=ticket.get_kind_display(),
                text=f"{ticket.number} · {ticket.title} · {ticket.get_status_display()}",
                who=ticket.department.name,
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries[:limit]
