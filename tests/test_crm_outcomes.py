"""Call outcomes (PRODUCT.md §4): what a rep records after a call or contact, how it moves
the customer (last contact, attempts, follow-up, intent, do-not-call), and the table of
outcomes with its flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from telesales.calls.models import Call
from telesales.core.models import AuditEvent
from telesales.crm.customers.configuration import disposition_create, disposition_update
from telesales.crm.customers.services import (
    customer_create,
    customer_for_call,
    customer_merge,
    outcome_record,
)
from telesales.crm.models import Customer, Disposition, Outcome
from tests.calls_files import give_extensions, import_calls, outbound

pytestmark = pytest.mark.usefixtures("english")


def _d(code: str) -> Disposition:
    return Disposition.objects.get(code=code)


@pytest.fixture
def customer(org):
    return customer_create(actor=None, phone="13812341234", owner=org.r1, intent_level="low")


@pytest.fixture
def calls(org):
    """R1 called 138 1234 1234 on 1 September (75 s) and R2 called 139 0000 1111."""
    give_extensions(org)
    import_calls(
        [
            outbound("8001", "13812341234", "2026-09-01 10:00:00", billsec=75),
            outbound("8002", "13900001111", "2026-09-01 11:00:00", billsec=30),
        ]
    )
    return {c.employee_id: c for c in Call.objects.all()}


def test_an_outcome_moves_the_customer(org, customer):
    # given
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    # when
    outcome = outcome_record(
        actor=org.r1.user,
        customer=customer,
        disposition=_d("callback"),
        employee=org.r1,
        notes="明天下午再打",
        next_follow_up=tomorrow,
    )
    # then
    customer.refresh_from_db()
    assert (outcome.employee, outcome.notes, outcome.next_follow_up) == (
        org.r1,
        "明天下午再打",
        tomorrow,
    )
    assert customer.attempts == 1
    assert customer.last_disposition == _d("callback")
    assert customer.last_contact_at == outcome.recorded_at
    assert customer.next_follow_up == tomorrow
    assert customer.intent_level == "low"  # a callback is no intent
    event = customer.events.get(kind="outcome")
    assert (event.actor, event.detail["outcome_id"], event.detail["disposition"]) == (
        org.r1.user,
        outcome.pk,
        "callback",
    )
    assert AuditEvent.objects.filter(action="outcome.record", object_id=str(outcome.pk)).exists()


def test_no_answer_is_an_attempt_not_a_contact(org, customer):
    # given
    Customer.objects.filter(pk=customer.pk).update(next_follow_up=timezone.localdate())
    # when
    outcome_record(actor=None, customer=customer, disposition=_d("no_answer"), employee=org.r1)
    outcome_record(actor=None, customer=customer, disposition=_d("busy"), employee=org.r1)
    # then: the follow-up is done (none was set), nobody was reached
    customer.refresh_from_db()
    assert (customer.attempts, customer.last_contact_at, customer.next_follow_up) == (2, None, None)
    assert customer.last_disposition == _d("busy")


def test_an_outcome_against_a_call_dates_the_contact_and_the_intent(org, customer, calls):
    # given
    call = calls[org.r1.pk]
    # when
    outcome = outcome_record(
        actor=org.r1.user, customer=customer, disposition=_d("intent"), employee=org.r1, call=call
    )
    # then: raised to the threshold on the day of the call
    customer.refresh_from_db()
    assert outcome.call == call
    assert customer.last_contact_at == call.started_at
    assert (customer.intent_level, customer.intent_on) == ("medium", dt.date(2026, 9, 1))
    intent = customer.events.get(kind="intent")
    assert intent.detail == {"from": "low", "to": "medium"}
    assert customer.tier == "B"  # 中意向


def test_intent_never_lowers_the_level_and_a_sale_reaches_the_top(org, customer):
    # given
    Customer.objects.filter(pk=customer.pk).update(
        intent_level="high", intent_on=dt.date(2026, 1, 2)
    )
    # when
    outcome_record(actor=None, customer=customer, disposition=_d("intent"), employee=org.r1)
    # then
    customer.refresh_from_db()
    assert (customer.intent_level, customer.intent_on) == ("high", dt.date(2026, 1, 2))
    # when: a sale for another customer at none
    other = customer_create(actor=None, phone="13800138000", owner=org.r1)
    outcome_record(actor=None, customer=other, disposition=_d("sale"), employee=org.r1)
    # then
    other.refresh_from_db()
    assert (other.intent_level, other.intent_on) == ("high", timezone.localdate())


def test_do_not_call_stops_the_follow_ups(org, customer):
    # given
    outcome_record(
        actor=None,
        customer=customer,
        disposition=_d("contacted"),
        employee=org.r1,
        next_follow_up=timezone.localdate() + dt.timedelta(days=3),
    )
    # when: a follow-up date given with a do-not-call outcome is dropped
    outcome = outcome_record(
        actor=None,
        customer=customer,
        disposition=_d("dnc"),
        employee=org.r1,
        next_follow_up=timezone.localdate() + dt.timedelta(days=3),
    )
    # then
    customer.refresh_from_db()
    assert (customer.dnc, customer.next_follow_up, outcome.next_follow_up) == (True, None, None)
    assert customer.events.filter(kind="dnc").count() == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("someone else's call", "An outcome can only be recorded for one's own call."),
        ("another number", "The call was not made to this customer's number."),
        ("a past follow-up", "The next follow-up cannot be in the past."),
        ("an outcome no longer in use", "The outcome “已沟通，待跟进” is no longer in use."),
        ("a merged customer", "This customer was merged into another; record it there."),
    ],
)
def test_an_outcome_that_cannot_be_is_refused(org, customer, calls, case, message):
    # given
    disposition = _d("contacted")
    kwargs = {"customer": customer, "employee": org.r1, "disposition": disposition}
    if case == "someone else's call":
        kwargs["call"] = calls[org.r2.pk]
    elif case == "another number":
        kwargs.update(call=calls[org.r2.pk], employee=org.r2)
    elif case == "a past follow-up":
        kwargs["next_follow_up"] = timezone.localdate() - dt.timedelta(days=1)
    elif case == "an outcome no longer in use":
        Disposition.objects.filter(pk=disposition.pk).update(is_active=False)
        disposition.refresh_from_db()
    else:
        keep = customer_create(actor=None, phone="13800138000")
        customer_merge(actor=None, keep=keep, merge=customer)
    before = Customer.objects.get(pk=customer.pk).attempts
    # when
    with pytest.raises(ValidationError) as refused:
        outcome_record(actor=None, **kwargs)
    # then
    assert refused.value.messages == [message]
    assert not Outcome.objects.exists()
    assert Customer.objects.get(pk=customer.pk).attempts == before


def test_the_customer_of_a_call_is_found_or_created(org, calls):
    # given
    known = customer_create(actor=None, phone="+86 138 1234 1234", owner=org.r1)
    # when
    found = customer_for_call(actor=org.r1.user, call=calls[org.r1.pk])
    created = customer_for_call(actor=org.r2.user, call=calls[org.r2.pk])
    # then
    assert found == known
    assert (created.phone, created.owner) == ("+8613900001111", org.r2)
    assert Customer.objects.count() == 2


# --- the table of outcomes --------------------------------------------------------------------------


def test_an_outcome_is_added_and_changed_with_an_audit_row(org):
    # when
    added = disposition_create(
        actor=org.admin.user,
        code="voicemail",
        label="语音信箱",
        recycle_after_days=2,
        max_attempts=5,
        order=15,
    )
    changed = disposition_update(
        actor=org.admin.user, disposition=added, label="留言", code="renamed", is_active=False
    )
    # then: the code is kept
    assert (changed.code, changed.label, changed.is_active) == ("voicemail", "留言", False)
    actions = list(
        AuditEvent.objects.filter(object_type="crm.disposition")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["disposition.create", "disposition.update"]
    update = AuditEvent.objects.get(action="disposition.update")
    assert (update.before, update.after) == (
        {"is_active": True, "label": "语音信箱"},
        {"is_active": False, "label": "留言"},
    )


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            {"sale": True, "contact": True},
            "An outcome with the sale flag must also have the intent flag.",
        ),
        (
            {"intent": True},
            "An outcome with the intent or callback flag must also have the contact flag.",
        ),
        ({"unworkable": True, "contact": True}, "An unworkable number cannot also be a contact."),
    ],
)
def test_inconsistent_flags_are_refused(org, flags, message):
    with pytest.raises(ValidationError) as refused:
        disposition_create(actor=None, code="odd", label="怪", **flags)
    assert refused.value.messages == [message]
    assert not Disposition.objects.filter(code="odd").exists()


def test_a_code_is_used_once(org):
    with pytest.raises(ValidationError) as refused:
        disposition_create(actor=None, code="busy", label="忙")
    assert refused.value.messages == ["There is already an outcome with the code busy."]
