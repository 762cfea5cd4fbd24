"""The customer's record as a checker reads it (the CRM is read here, never written): the
latest outcomes and events, the facts kept with a check and the hints for the checklist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from telesales.qa.followups.rules import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    RECENT_EVENTS,
    RECENT_OUTCOMES,
)


@dataclass
class CustomerRecord:
    """What a checker reads of one customer: the latest outcomes and timeline events."""

    outcomes: list = field(default_factory=list)
    events: list = field(default_factory=list)


def customer_records(
    customer_ids: list[int], *, until: dt.datetime | None = None
) -> dict[int, CustomerRecord]:
    """The last RECENT_OUTCOMES outcomes and RECENT_EVENTS other events of each customer
    (up to `until`, when given), in two queries whatever the number of customers."""
    from telesales.crm.models import CustomerEvent, Outcome

    records = {pk: CustomerRecord() for pk in customer_ids}
    if not customer_ids:
        return records
    outcomes = Outcome.objects.filter(customer_id__in=customer_ids)
    events = CustomerEvent.objects.filter(customer_id__in=customer_ids).exclude(
        kind=CustomerEvent.Kind.OUTCOME
    )
    if until is not None:
        outcomes = outcomes.filter(recorded_at__lte=until)
        events = events.filter(at__lte=until)
    for outcome in (
        outcomes.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id")],
                order_by=[F("recorded_at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=RECENT_OUTCOMES)
        .select_related("disposition", "employee")
        .order_by("customer_id", "-recorded_at", "-id")
    ):
        records[outcome.customer_id].outcomes.append(outcome)
    for event in (
        events.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id")],
                order_by=[F("at").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=RECENT_EVENTS)
        .order_by("customer_id", "-at", "-id")
    ):
        event.shown_text = event_text(event)
        records[event.customer_id].events.append(event)
    return records


def event_text(event) -> str:
    """What an event says, without numbers (a merge names the other number: left out)."""
    from telesales.crm.customers.intent import intent_label
    from telesales.crm.models import Customer, CustomerEvent

    detail = event.detail or {}
    if event.kind == CustomerEvent.Kind.MERGED:
        return ""
    if event.kind == CustomerEvent.Kind.INTENT and "to" in detail:
        return f"{intent_label(detail.get('from', ''))} → {intent_label(detail['to'])}"
    if event.kind == CustomerEvent.Kind.DNC and "dnc" in detail:
        return _("Marked do not call") if detail["dnc"] else _("Do not call lifted")
    if event.kind == CustomerEvent.Kind.UPDATED and "fields" in detail:
        labels = []
        for name in detail["fields"]:
            try:
                labels.append(str(Customer._meta.get_field(name.removesuffix("_id")).verbose_name))
            except FieldDoesNotExist:
                labels.append(name)
        return ", ".join(labels)
    return event.text


def record_facts(customer) -> dict:
    """The customer's record as it stands, kept with a submitted check."""
    return {
        "name": customer.name,
        "company": customer.company,
        "tier": customer.tier,
        "intent_level": customer.intent_level,
        "next_follow_up": customer.next_follow_up.isoformat() if customer.next_follow_up else None,
        "last_contact_at": timezone.localtime(customer.last_contact_at).strftime("%Y-%m-%d %H:%M")
        if customer.last_contact_at
        else None,
        "last_outcome": customer.last_disposition.label if customer.last_disposition else "",
        "attempts": customer.attempts,
        "dnc": customer.dnc,
    }


def followup_hints(customer, outcomes: list, today: dt.date) -> dict[str, str]:
    """Suggestions from the record for the points the data can decide (the checker judges
    and may change them). No outcome and no contact yet: outcome and notes not applicable.
    Next step and date: set → met; missing after a contact that was neither a sale nor a
    refusal → not met; otherwise (no contact, do-not-call, sale, not interested) not
    applicable. Follow-up on time: do-not-call → not applicable; a next follow-up (or the
    date the latest outcome planned) before today → not met; else the latest outcome
    recorded on or before the date the outcome before it planned → met, after it → not met;
    no outcome → not applicable. `outcomes` are the latest outcomes, newest first."""
    hints: dict[str, str] = {}
    if not outcomes and customer.last_contact_at is None:
        hints["outcome_recorded"] = NOT_APPLICABLE
        hints["notes_meaningful"] = NOT_APPLICABLE
    if customer.dnc:
        hints["next_step_set"] = NOT_APPLICABLE
        hints["follow_up_on_time"] = NOT_APPLICABLE
        return hints
    last = customer.last_disposition
    if customer.next_follow_up is not None:
        hints["next_step_set"] = MET
    elif last is not None and last.contact and not (last.sale or last.not_interested):
        hints["next_step_set"] = NOT_MET
    else:
        hints["next_step_set"] = NOT_APPLICABLE
    # a date planned by the latest outcome that has passed: nothing was recorded since
    planned = [outcomes[0].next_follow_up] if outcomes else []
    due = [d for d in [customer.next_follow_up, *planned] if d is not None]
    if any(d < today for d in due):
        hints["follow_up_on_time"] = NOT_MET
    elif len(outcomes) >= 2 and outcomes[1].next_follow_up is not None:
        done_on = timezone.localtime(outcomes[0].recorded_at).date()
        hints["follow_up_on_time"] = MET if done_on <= outcomes[1].next_follow_up else NOT_MET
    elif not outcomes:
        hints["follow_up_on_time"] = NOT_APPLICABLE
    return hints
