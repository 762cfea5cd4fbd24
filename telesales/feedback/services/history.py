"""Facts brought in by the imports: tickets of an earlier system and survey responses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from telesales.crm.models import Customer, CustomerEvent
from telesales.feedback.models import (
    SlaRule,
    SurveyResponse,
    Ticket,
    TicketComment,
)
from telesales.feedback.services.common import user_of
from telesales.org.models import Department, Employee


@dataclass(frozen=True)
class TicketHistory:
    """A ticket as an earlier system recorded it (the tickets import)."""

    number: str
    kind: str
    priority: str
    status: str
    title: str
    body: str
    department: Department
    customer: Customer | None
    employee: Employee | None
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None


@transaction.atomic
def tickets_history_store(*, actor, tickets: Iterable[TicketHistory]) -> list[Ticket]:
    """Store imported tickets as they were, each due by today's SLA rule for its kind and
    priority, with an entry in its history and on its customer's timeline. The import run
    itself is the audit row (one a file, not one a ticket)."""
    hours = {(r.kind, r.priority): r.hours for r in SlaRule.objects.all()}
    rows = []
    for item in tickets:
        sla = hours.get((item.kind, item.priority))
        if sla is None:
            raise ValidationError(
                _("There is no SLA rule for %(kind)s tickets of %(priority)s priority.")
                % {"kind": item.kind, "priority": item.priority}
            )
        rows.append(
            Ticket(
                number=item.number,
                kind=item.kind,
                priority=item.priority,
                status=item.status,
                title=item.title,
                body=item.body,
                department=item.department,
                customer=item.customer,
                employee=item.employee,
                sla_hours=sla,
                opened_at=item.opened_at,
                due_at=item.opened_at + dt.timedelta(hours=sla),
                resolved_at=item.resolved_at,
                closed_at=item.closed_at,
                created_by=user_of(actor),
            )
        )
    created = Ticket.objects.bulk_create(rows)
    if created and created[0].pk is None:  # databases that do not return ids
        numbers = {
            t.number: t.pk for t in Ticket.objects.filter(number__in=[t.number for t in created])
        }
        for ticket in created:
            ticket.pk = numbers[ticket.number]
    TicketComment.objects.bulk_create(
        TicketComment(
            ticket=ticket,
            author=user_of(actor),
            at=ticket.opened_at,
            body=_("Imported from an earlier system."),
            to_status=ticket.status,
        )
        for ticket in created
    )
    CustomerEvent.objects.bulk_create(
        CustomerEvent(
            customer_id=ticket.customer_id,
            at=ticket.opened_at,
            kind=CustomerEvent.Kind.TICKET,
            actor=user_of(actor),
            text=f"{ticket.number} {ticket.title}"[:300],
            detail={"ticket": ticket.pk, "number": ticket.number, "kind": ticket.kind},
        )
        for ticket in created
        if ticket.customer_id is not None
    )
    return created


@dataclass(frozen=True)
class Survey:
    response_no: str
    customer: Customer | None
    employee: Employee | None
    score: int
    responded_on: dt.date
    comment: str


@transaction.atomic
def survey_responses_store(*, actor, responses: Iterable[Survey]) -> list[SurveyResponse]:
    """Store survey responses (facts: never changed afterwards). The import run is the
    audit row."""
    rows = [
        SurveyResponse(
            response_no=r.response_no,
            customer=r.customer,
            employee=r.employee,
            score=r.score,
            responded_on=r.responded_on,
            comment=r.comment,
        )
        for r in responses
    ]
    for row in rows:
        if not 1 <= row.score <= 5:
            raise ValidationError(_("A score is a whole number from 1 to 5."))
    return SurveyResponse.objects.bulk_create(rows)
