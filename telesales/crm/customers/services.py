"""Writes to customers: each is atomic, records its audit row and the customer's timeline in
the same transaction, and re-runs the tier rules when the customer's facts change."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.core.audit import audit_record, snapshot
from telesales.crm.customers.intent import (
    intent_label,
    intent_levels,
    intent_on_after,
    intent_raised,
    intent_threshold,
)
from telesales.crm.customers.phones import PhoneError, phone_normalise, phone_normalise_or_none
from telesales.crm.customers.tiering import (
    CustomerFacts,
    customer_retier,
    rules_active,
    tier_evaluate,
)
from telesales.crm.models import (
    Customer,
    CustomerEvent,
    Disposition,
    Outcome,
    ScriptVersion,
    Tier,
)
from telesales.org.models import Employee

CUSTOMER_FIELDS = [
    "phone",
    "name",
    "company",
    "company_size",
    "source",
    "tier",
    "tier_fixed",
    "intent_level",
    "intent_on",
    "owner_id",
    "dnc",
    "next_follow_up",
    "merged_into_id",
]
EDITABLE = {"phone", "name", "company", "company_size", "source", "tier", "intent_level"}
EDITABLE |= {"intent_on", "owner", "dnc", "next_follow_up"}


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _event(customer: Customer, kind: str, actor, text: str = "", **detail) -> CustomerEvent:
    return CustomerEvent.objects.create(
        customer=customer, kind=kind, actor=_user(actor), text=text[:300], detail=detail
    )


def customer_event_add(
    *, actor, customer: Customer, kind: str, text: str = "", at=None, **detail
) -> CustomerEvent:
    """A line on the customer's timeline written by another area (a deal, a ticket). A row
    the timeline reads from its own table names itself in detail (deal_id=…, ticket_id=…)
    and is then shown once."""
    if kind not in CustomerEvent.Kind.values:
        raise ValueError(f"unknown customer event kind {kind!r}")
    return CustomerEvent.objects.create(
        customer=customer,
        kind=kind,
        actor=_user(actor),
        text=text[:300],
        detail=detail,
        at=at or timezone.now(),
    )


def _phone(text: str) -> str:
    try:
        return phone_normalise(text)
    except PhoneError as error:
        raise ValidationError(error.message) from None


def _check_owner(owner: Employee | None) -> None:
    if owner is None:
        return
    leave_date = Employee.objects.filter(pk=owner.pk).values_list("leave_date", flat=True).get()
    if leave_date is not None and leave_date <= _today():
        raise ValidationError(
            _("%(employee)s has left and cannot own customers.") % {"employee": owner}
        )


def _check_level(level: str) -> None:
    levels = intent_levels()
    if level not in levels:
        raise ValidationError(
            _("“%(value)s” is not an intent level; the levels are %(levels)s.")
            % {"value": level, "levels": ", ".join(levels)}
        )


def _today() -> dt.date:
    return timezone.localdate()


def customer_by_phone(text: str) -> Customer | None:
    """The customer a number belongs to, following merges; None when there is none."""
    number = phone_normalise_or_none(text)
    if number is None:
        return None
    customer = Customer.objects.filter(phone=number).select_related("merged_into").first()
    while customer is not None and customer.merged_into_id is not None:
        customer = customer.merged_into
    return customer


@transaction.atomic
def customer_create(
    *,
    actor,
    phone: str,
    name: str = "",
    company: str = "",
    company_size: int | None = None,
    source: str = "",
    tier: str | None = None,
    intent_level: str | None = None,
    intent_on: dt.date | None = None,
    owner: Employee | None = None,
    dnc: bool = False,
    next_follow_up: dt.date | None = None,
) -> Customer:
    """A new customer or lead. A tier given is kept (set by hand); without one the rules
    give it. An intent_on given is taken as given; without one it is today when the level
    reaches the threshold."""
    number = _phone(phone)
    existing = Customer.objects.filter(phone=number).first()
    if existing is not None:
        raise ValidationError(
            _("A customer with the number %(phone)s already exists.") % {"phone": number}
        )
    _check_owner(owner)
    level = intent_level or intent_levels()[0]
    _check_level(level)
    if tier and tier not in Tier.values:
        raise ValidationError(_("“%(value)s” is not a tier (A, B, C or D).") % {"value": tier})
    fixed = bool(tier)
    now = timezone.now()
    if tier:
        reason = {"fixed": True}
    else:
        # A new customer has no history: its facts are what is given here.
        facts = CustomerFacts(intent_level=level, source=source, company_size=company_size, dnc=dnc)
        tier, reason = tier_evaluate(facts, rules_active(), intent_levels())
    customer = Customer.objects.create(
        phone=number,
        phone_raw=phone.strip()[:64],
        name=name,
        company=company,
        company_size=company_size,
        source=source,
        tier=tier,
        tier_fixed=fixed,
        tier_reason=reason,
        intent_level=level,
        intent_on=intent_on or intent_on_after(level=level, intent_on=None, day=_today()),
        owner=owner,
        owned_since=now if owner else None,
        dnc=dnc,
        next_follow_up=None if dnc else next_follow_up,
    )
    _event(customer, CustomerEvent.Kind.CREATED, actor)
    if owner is not None:
        _event(customer, CustomerEvent.Kind.OWNER, actor, f"— → {owner.name}", to=owner.pk)
    if dnc:
        _event(customer, CustomerEvent.Kind.DNC, actor, _("Marked do not call"), dnc=True)
    audit_record(
        actor=actor,
        action="customer.create",
        obj=customer,
        after=snapshot(customer, CUSTOMER_FIELDS),
    )
    return customer


@transaction.atomic
def customer_update(*, actor, customer: Customer, retier: bool = True, **changes) -> Customer:
    """Change a customer's record. tier=None (or "") hands the tier back to the rules; a new
    owner keeps the lead's attempts (recycling stops at the outcome's maximum whoever
    works the lead); intent_on is never cleared."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise TypeError(f"unknown customer fields: {sorted(unknown)}")
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.merged_into_id is not None:
        raise ValidationError(_("This customer was merged into another and cannot be changed."))
    before = snapshot(customer, CUSTOMER_FIELDS)
    old_owner, old_level, old_dnc = customer.owner, customer.intent_level, customer.dnc
    if "phone" in changes:
        number = _phone(changes.pop("phone"))
        if number != customer.phone:
            if Customer.objects.filter(phone=number).exclude(pk=customer.pk).exists():
                raise ValidationError(
                    _(
                        "Another customer already has the number %(phone)s; merge the two "
                        "customers instead."
                    )
                    % {"phone": number}
                )
            customer.phone = number
    if "tier" in changes:
        tier = changes.pop("tier") or None
        if tier is not None and tier not in Tier.values:
            raise ValidationError(_("“%(value)s” is not a tier (A, B, C or D).") % {"value": tier})
        if tier is None:
            customer.tier_fixed = False
        elif not customer.tier_fixed or customer.tier != tier:
            customer.tier, customer.tier_fixed, customer.tier_reason = tier, True, {"fixed": True}
    intent_on = changes.pop("intent_on", None)
    if "owner" in changes:
        owner = changes.pop("owner")
        if (owner.pk if owner else None) != customer.owner_id:
            _check_owner(owner)
            customer.owner = owner
            customer.owned_since = timezone.now() if owner else None
    if "intent_level" in changes:
        level = changes.pop("intent_level") or intent_levels()[0]
        _check_level(level)
        customer.intent_level = level
    for name, value in changes.items():
        setattr(customer, name, value)
    if customer.dnc:
        customer.next_follow_up = None
    customer.intent_on = intent_on or intent_on_after(
        level=customer.intent_level, intent_on=customer.intent_on, day=_today()
    )
    customer.save()
    after = snapshot(customer, CUSTOMER_FIELDS)
    changed = sorted(k for k in after if before[k] != after[k])
    if not changed:
        return customer
    if customer.owner_id != (old_owner.pk if old_owner else None):
        _event(
            customer,
            CustomerEvent.Kind.OWNER,
            actor,
            f"{old_owner.name if old_owner else '—'} → "
            f"{customer.owner.name if customer.owner else '—'}",
            **{"from": old_owner.pk if old_owner else None, "to": customer.owner_id},
        )
    if customer.intent_level != old_level:
        _intent_event(customer, actor, old_level)
    if customer.dnc != old_dnc:
        _event(
            customer,
            CustomerEvent.Kind.DNC,
            actor,
            _("Marked do not call") if customer.dnc else _("Do not call lifted"),
            dnc=customer.dnc,
        )
    others = [
        k for k in changed if k not in {"owner_id", "intent_level", "dnc", "tier", "tier_fixed"}
    ]
    if others or "tier" in changed or "tier_fixed" in changed:
        _event(customer, CustomerEvent.Kind.UPDATED, actor, ", ".join(changed), fields=changed)
    if retier and not customer.tier_fixed:
        customer_retier(actor=actor, customer=customer)
    audit_record(
        actor=actor,
        action="customer.update",
        obj=customer,
        before=before,
        after=snapshot(customer, CUSTOMER_FIELDS),
    )
    return customer


def _intent_event(customer: Customer, actor, old_level: str) -> None:
    _event(
        customer,
        CustomerEvent.Kind.INTENT,
        actor,
        f"{intent_label(old_level)} → {intent_label(customer.intent_level)}",
        **{"from": old_level, "to": customer.intent_level},
    )


# -- merging duplicates ------------------------------------------------------------------------------


@transaction.atomic
def customer_merge(*, actor, keep: Customer, merge: Customer) -> Customer:
    """Make two customers one: the outcomes, events, deals, tickets and survey responses of
    `merge` move to `keep`, blank facts of `keep` are filled from `merge`, and `merge` is
    marked merged into `keep`, so both histories stay on one timeline."""
    from telesales.feedback.models import SurveyResponse, Ticket
    from telesales.sales.models import Deal

    if keep.pk == merge.pk:
        raise ValidationError(_("A customer cannot be merged with itself."))
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=[keep.pk, merge.pk])
        .order_by("pk")
    }
    keep, merge = locked[keep.pk], locked[merge.pk]
    if keep.merged_into_id or merge.merged_into_id:
        raise ValidationError(_("A customer that was already merged cannot be merged again."))
    before_keep = snapshot(keep, CUSTOMER_FIELDS)
    before_merge = snapshot(merge, CUSTOMER_FIELDS)
    moved = {
        "outcomes": Outcome.objects.filter(customer=merge).update(customer=keep),
        "events": CustomerEvent.objects.filter(customer=merge).update(customer=keep),
        "deals": Deal.objects.filter(customer=merge).update(customer=keep),
        "tickets": Ticket.objects.filter(customer=merge).update(customer=keep),
        "surveys": SurveyResponse.objects.filter(customer=merge).update(customer=keep),
    }
    Customer.objects.filter(merged_into=merge).update(merged_into=keep)
    old_level = keep.intent_level
    for name in ("name", "company", "source"):
        if not getattr(keep, name):
            setattr(keep, name, getattr(merge, name))
    if keep.company_size is None:
        keep.company_size = merge.company_size
    keep.intent_level = intent_raised(keep.intent_level, merge.intent_level)
    dates = [d for d in (keep.intent_on, merge.intent_on) if d is not None]
    keep.intent_on = min(dates) if dates else None
    keep.dnc = keep.dnc or merge.dnc
    keep.attempts += merge.attempts
    if merge.last_contact_at and (
        keep.last_contact_at is None or merge.last_contact_at > keep.last_contact_at
    ):
        keep.last_contact_at = merge.last_contact_at
        keep.last_disposition_id = merge.last_disposition_id or keep.last_disposition_id
    follow = [d for d in (keep.next_follow_up, merge.next_follow_up) if d is not None]
    keep.next_follow_up = None if keep.dnc or not follow else min(follow)
    if keep.owner_id is None and merge.owner_id is not None:
        keep.owner_id, keep.owned_since = merge.owner_id, merge.owned_since
    if merge.tier_fixed and not keep.tier_fixed:
        keep.tier, keep.tier_fixed, keep.tier_reason = merge.tier, True, merge.tier_reason
    keep.save()
    merge.merged_into = keep
    merge.owner = None
    merge.owned_since = None
    merge.next_follow_up = None
    merge.save()
    _event(
        keep,
        CustomerEvent.Kind.MERGED,
        actor,
        _("Merged with %(phone)s") % {"phone": merge.phone},
        merged=merge.pk,
        phone=merge.phone,
        moved=moved,
    )
    _event(
        merge,
        CustomerEvent.Kind.MERGED,
        actor,
        _("Merged into %(phone)s") % {"phone": keep.phone},
        into=keep.pk,
        phone=keep.phone,
    )
    if keep.intent_level != old_level:
        _intent_event(keep, actor, old_level)
    if not keep.tier_fixed:
        customer_retier(actor=actor, customer=keep)
    audit_record(
        actor=actor,
        action="customer.merge",
        obj=keep,
        before=before_keep,
        after={**snapshot(keep, CUSTOMER_FIELDS), "merged": merge.pk, "moved": moved},
    )
    audit_record(
        actor=actor,
        action="customer.merged",
        obj=merge,
        before=before_merge,
        after=snapshot(merge, CUSTOMER_FIELDS),
    )
    keep.refresh_from_db()
    return keep


@transaction.atomic
def customers_deduplicate(*, actor) -> int:
    """Stored numbers written in another form (0086…, with spaces) are brought to E.164, and
    customers whose numbers are then the same are merged into the oldest. Returns merges."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, phone in (
        Customer.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", "phone")
    ):
        number = phone_normalise_or_none(phone)
        if number is not None:
            groups.setdefault(number, []).append((pk, phone))
    merges = 0
    for number, members in groups.items():
        if len(members) == 1 and members[0][1] == number:
            continue
        normal = [pk for pk, phone in members if phone == number]
        keep_pk = normal[0] if normal else members[0][0]
        for pk, _phone in members:
            if pk != keep_pk:
                customer_merge(
                    actor=actor,
                    keep=Customer.objects.get(pk=keep_pk),
                    merge=Customer.objects.get(pk=pk),
                )
                merges += 1
        keep = Customer.objects.get(pk=keep_pk)
        # A merged duplicate holding the number in its normal form keeps it on its row.
        if keep.phone != number and not Customer.objects.filter(phone=number).exists():
            customer_update(actor=actor, customer=keep, phone=number)
    return merges


# -- outcomes ---------------------------------------------------------------------------------------


@transaction.atomic
def outcome_record(
    *,
    actor,
    customer: Customer,
    disposition: Disposition,
    employee: Employee,
    call=None,
    notes: str = "",
    next_follow_up: dt.date | None = None,
    script_version: ScriptVersion | None = None,
) -> Outcome:
    """What came of a call or contact (PRODUCT.md §4): the customer's last contact, last
    outcome, attempts and next follow-up follow it; the intent flag raises the intent level
    to at least the threshold (a sale to the top); the dnc flag makes the customer do-not-call.
    The script version the rep used, when named, must be a published version of an active
    script (source §2.3.1)."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.merged_into_id is not None:
        raise ValidationError(_("This customer was merged into another; record it there."))
    if not disposition.is_active:
        raise ValidationError(
            _("The outcome “%(label)s” is no longer in use.") % {"label": disposition.label}
        )
    if call is not None:
        if call.employee_id != employee.pk:
            raise ValidationError(_("An outcome can only be recorded for one's own call."))
        if phone_normalise_or_none(call.customer_number) != customer.phone:
            raise ValidationError(_("The call was not made to this customer's number."))
    if next_follow_up is not None and next_follow_up < _today():
        raise ValidationError(_("The next follow-up cannot be in the past."))
    if script_version is not None and not (
        ScriptVersion.objects.filter(
            pk=script_version.pk,
            status=ScriptVersion.Status.PUBLISHED,
            script__is_active=True,
        ).exists()
    ):
        raise ValidationError(
            _("Only a published version of a script in use can be named on an outcome.")
        )
    now = timezone.now()
    before = snapshot(customer, CUSTOMER_FIELDS)
    outcome = Outcome.objects.create(
        customer=customer,
        employee=employee,
        call=call,
        disposition=disposition,
        notes=notes,
        next_follow_up=None if disposition.dnc else next_follow_up,
        recorded_at=now,
        script_version=script_version,
    )
    contact_at = call.started_at if call is not None else now
    customer.attempts += 1
    customer.last_disposition = disposition
    if disposition.contact and (
        customer.last_contact_at is None or contact_at > customer.last_contact_at
    ):
        customer.last_contact_at = contact_at
    customer.next_follow_up = outcome.next_follow_up
    old_level, old_dnc = customer.intent_level, customer.dnc
    levels = intent_levels()
    if disposition.sale:
        customer.intent_level = intent_raised(customer.intent_level, levels[-1], levels)
    elif disposition.intent:
        customer.intent_level = intent_raised(customer.intent_level, intent_threshold(), levels)
    customer.intent_on = intent_on_after(
        level=customer.intent_level,
        intent_on=customer.intent_on,
        day=timezone.localtime(contact_at).date(),
        levels=levels,
    )
    if disposition.dnc:
        customer.dnc = True
        customer.next_follow_up = None
    customer.save()
    _event(
        customer,
        CustomerEvent.Kind.OUTCOME,
        actor,
        disposition.label,
        outcome_id=outcome.pk,
        disposition=disposition.code,
        call_id=call.pk if call is not None else None,
    )
    if customer.intent_level != old_level:
        _intent_event(customer, actor, old_level)
    if customer.dnc and not old_dnc:
        _event(customer, CustomerEvent.Kind.DNC, actor, _("Marked do not call"), dnc=True)
    audit_record(actor=actor, action="outcome.record", obj=outcome, after=snapshot(outcome))
    audit_record(
        actor=actor,
        action="customer.update",
        obj=customer,
        before=before,
        after=snapshot(customer, CUSTOMER_FIELDS),
    )
    customer_retier(actor=actor, customer=customer)
    return outcome


@transaction.atomic
def customer_for_call(*, actor, call) -> Customer:
    """The customer a call was made to, created (owned by the call's rep) when new."""
    existing = customer_by_phone(call.customer_number)
    if existing is not None:
        return existing
    return customer_create(actor=actor, phone=call.customer_number, owner=call.employee)
