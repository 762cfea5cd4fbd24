"""Tiering (telesales.crm.customers.tiering): the first active rule whose conditions all hold
gives the tier, none → D; the reason names the rule and the customer's own values; tiers
are run again when the rules or the customer's facts change."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.crm.customers.configuration import (
    tier_rule_create,
    tier_rule_delete,
    tier_rule_move,
    tier_rule_update,
)
from telesales.crm.customers.services import customer_create, outcome_record
from telesales.crm.customers.tiering import (
    CustomerFacts,
    Rule,
    condition_clean,
    condition_text,
    customer_facts,
    customers_retier,
    reason_lines,
    tier_evaluate,
)
from telesales.crm.models import Customer, Disposition, TierRule

pytestmark = pytest.mark.usefixtures("english")

LEVELS = ["none", "low", "medium", "high"]


def _rule(tier, *conditions, name="r"):
    return Rule(
        None, name, tier, tuple({"field": f, "op": o, "value": v} for f, o, v in conditions)
    )


# --- evaluation (pure) ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "facts", "holds"),
    [
        (("intent_level", ">=", "medium"), CustomerFacts(intent_level="high"), True),
        (("intent_level", ">=", "medium"), CustomerFacts(intent_level="medium"), True),
        (("intent_level", ">=", "medium"), CustomerFacts(intent_level="low"), False),
        (("intent_level", "<=", "low"), CustomerFacts(intent_level="none"), True),
        (("intent_level", "==", "low"), CustomerFacts(intent_level="low"), True),
        (("intent_level", ">=", "none"), CustomerFacts(intent_level="unknown"), False),
        (("source", "==", "展会"), CustomerFacts(source=" 展会 "), True),
        (("source", "==", "Referral"), CustomerFacts(source="referral"), True),
        (("source", "in", ["官网", "展会"]), CustomerFacts(source="展会"), True),
        (("source", "in", ["官网", "展会"]), CustomerFacts(source=""), False),
        (("company_size", ">=", 100), CustomerFacts(company_size=100), True),
        (("company_size", ">=", 100), CustomerFacts(company_size=99), False),
        (("company_size", "<=", 100), CustomerFacts(company_size=None), False),
        (("last_activity_days", "<=", 30), CustomerFacts(last_activity_days=30), True),
        (("last_activity_days", "<=", 30), CustomerFacts(last_activity_days=31), False),
        (("last_activity_days", ">=", 30), CustomerFacts(last_activity_days=None), False),
        (("deals", ">=", 1), CustomerFacts(deals=1), True),
        (("deals", ">=", 1), CustomerFacts(deals=0), False),
        (("attempts", ">=", 3), CustomerFacts(attempts=3), True),
        (("attempts", "<=", 3), CustomerFacts(attempts=4), False),
        (("dnc", "==", True), CustomerFacts(dnc=True), True),
        (("dnc", "==", False), CustomerFacts(dnc=True), False),
    ],
)
def test_each_condition(condition, facts, holds):
    # when
    tier, _reason = tier_evaluate(facts, [_rule("A", condition)], LEVELS)
    # then
    assert tier == ("A" if holds else "D")


def test_the_first_rule_whose_conditions_all_hold_gives_the_tier():
    # given
    rules = [
        _rule("A", ("deals", ">=", 1), name="won"),
        _rule("B", ("company_size", ">=", 100), ("last_activity_days", "<=", 30), name="big"),
        _rule("C", ("company_size", ">=", 100), name="big, quiet"),
    ]
    facts = CustomerFacts(company_size=250, last_activity_days=45)
    # when
    tier, reason = tier_evaluate(facts, rules, LEVELS)
    # then: the second rule fails on activity, the third holds
    assert tier == "C"
    assert reason == {
        "rule": "big, quiet",
        "rule_id": None,
        "conditions": [{"field": "company_size", "op": ">=", "value": 100, "actual": 250}],
    }


def test_no_rule_holds_gives_d():
    tier, reason = tier_evaluate(CustomerFacts(), [_rule("A", ("deals", ">=", 1))], LEVELS)
    assert (tier, reason) == ("D", {"rule": None, "rule_id": None, "conditions": []})


def test_a_rule_without_conditions_holds_for_everyone():
    tier, reason = tier_evaluate(CustomerFacts(), [_rule("C")], LEVELS)
    assert (tier, reason["rule"]) == ("C", "r")


def test_intent_levels_compare_by_their_order_in_the_setting():
    # given: a list where "warm" ranks above "hot"
    levels = ["cold", "hot", "warm"]
    rule = _rule("A", ("intent_level", ">=", "warm"))
    # then
    assert tier_evaluate(CustomerFacts(intent_level="hot"), [rule], levels)[0] == "D"
    assert tier_evaluate(CustomerFacts(intent_level="warm"), [rule], levels)[0] == "A"


def test_days_since_the_last_activity_are_counted_to_the_day_read(db):
    # given: evaluated on 10 June, the last contact on 1 June
    rules = [_rule("C", ("last_activity_days", "<=", 30), name="近30天有接触")]
    facts = CustomerFacts(last_activity_days=9, last_activity_on=dt.date(2026, 6, 1))
    _tier, reason = tier_evaluate(facts, rules, LEVELS)
    # then: read on 20 June
    assert reason["conditions"][0]["since"] == "2026-06-01"
    assert reason_lines(reason, today=dt.date(2026, 6, 20)) == [
        "days since the last contact or outcome ≤ 30 — this customer: 19"
    ]


def test_a_rerun_on_a_later_day_does_not_rewrite_the_reasons(org):
    # given: contacted 3 days ago, tier C by 近30天有接触
    customer = customer_create(actor=None, phone="13800138000")
    Customer.objects.filter(pk=customer.pk).update(
        last_contact_at=timezone.now() - dt.timedelta(days=3)
    )
    customers_retier(actor=None)
    customer.refresh_from_db()
    stored = customer.tier_reason
    assert customer.tier == "C"
    # when: run again 10 days later, and 40 days later
    later = customers_retier(actor=None, today=timezone.localdate() + dt.timedelta(days=10))
    customer.refresh_from_db()
    assert (later, customer.tier_reason) == (0, stored)
    customers_retier(actor=None, today=timezone.localdate() + dt.timedelta(days=40))
    # then
    customer.refresh_from_db()
    assert customer.tier == "D"


def test_the_reason_reads_as_sentences():
    # given
    reason = {
        "rule": "中意向",
        "conditions": [
            {"field": "intent_level", "op": ">=", "value": "medium", "actual": "high"},
            {"field": "source", "op": "in", "value": ["展会", "官网"], "actual": "展会"},
            {"field": "last_activity_days", "op": "<=", "value": 30, "actual": None},
        ],
    }
    # then
    assert reason_lines(reason) == [
        "intent level ≥ medium — this customer: high",
        "source ∈ 展会, 官网 — this customer: 展会",
        "days since the last contact or outcome ≤ 30 — this customer: unknown",
    ]
    assert reason_lines({"rule": None, "conditions": []}) == ["No rule applies, so the tier is D."]
    assert reason_lines({"fixed": True}) == [
        "The tier was set by hand or in an import and is kept when the rules run."
    ]
    assert condition_text({"field": "dnc", "op": "==", "value": True}) == "do not call = yes"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ({"field": "intent_level", "op": ">=", "value": " high "}, "high"),
        (
            {"field": "source", "op": "in", "value": "展会, 官网，转介绍"},
            ["展会", "官网", "转介绍"],
        ),
        ({"field": "company_size", "op": ">=", "value": "100"}, 100),
        ({"field": "dnc", "op": "==", "value": "yes"}, True),
        ({"field": "dnc", "op": "==", "value": False}, False),
    ],
)
def test_conditions_are_cleaned(db, raw, cleaned):
    assert condition_clean(raw)["value"] == cleaned


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"field": "colour", "op": "==", "value": "red"},
            "“colour” is not a field a rule can test.",
        ),
        (
            {"field": "source", "op": ">=", "value": "x"},
            "source can be compared with == in, not “>=”.",
        ),
        ({"field": "intent_level", "op": ">=", "value": "hot"}, "“hot” is not an intent level"),
        (
            {"field": "company_size", "op": ">=", "value": "lots"},
            "company size is compared with a whole number",
        ),
        (
            {"field": "deals", "op": ">=", "value": "-1"},
            "Deals won less refunds cannot be negative.",
        ),
        ({"field": "dnc", "op": "==", "value": "maybe"}, "do not call is compared with yes or no."),
        ({"field": "source", "op": "in", "value": " , "}, "Give at least one source"),
    ],
)
def test_bad_conditions_are_refused(db, raw, message):
    with pytest.raises(ValidationError) as refused:
        condition_clean(raw)
    assert refused.value.messages[0].startswith(message)


# --- facts from the database ------------------------------------------------------------------------


def _deal(org, customer, no, status="won"):
    from telesales.sales.models import Deal, Product

    product, _created = Product.objects.get_or_create(code="P1", defaults={"name": "产品"})
    return Deal.objects.create(
        deal_no=no,
        employee=org.r1,
        customer=customer,
        product=product,
        amount=Decimal("100"),
        gross_profit=Decimal("10"),
        closed_on=timezone.localdate(),
        status=status,
    )


def test_the_facts_of_a_customer(org):
    # given: two deals and a refund, a contact 3 days ago
    customer = customer_create(
        actor=None, phone="13800138000", company_size=80, source="展会", intent_level="low"
    )
    _deal(org, customer, "D1")
    _deal(org, customer, "D2")
    _deal(org, customer, "R1", status="refunded")
    contact = timezone.now() - dt.timedelta(days=3)
    Customer.objects.filter(pk=customer.pk).update(last_contact_at=contact, attempts=4, dnc=True)
    # when
    facts = customer_facts(customer)
    # then
    assert facts == CustomerFacts(
        intent_level="low",
        source="展会",
        company_size=80,
        last_activity_days=3,
        deals=1,
        attempts=4,
        dnc=True,
        last_activity_on=timezone.localtime(contact).date(),
    )


def test_an_outcome_counts_as_activity(org):
    # given
    customer = customer_create(actor=None, phone="13800138000", owner=org.r1)
    assert customer_facts(customer).last_activity_days is None
    # when: a no-answer is an attempt, not a contact, but it is activity
    outcome_record(
        actor=None,
        customer=customer,
        disposition=Disposition.objects.get(code="no_answer"),
        employee=org.r1,
    )
    # then
    customer.refresh_from_db()
    assert customer.last_contact_at is None
    assert customer_facts(customer).last_activity_days == 0
    assert customer.tier == "C"  # 近30天有接触


# --- re-tiering -------------------------------------------------------------------------------------


def test_retiering_records_changes_and_keeps_fixed_tiers(org):
    # given
    loose = customer_create(actor=None, phone="13800138000", company_size=500)
    fixed = customer_create(actor=None, phone="13800138001", company_size=500, tier="C")
    assert loose.tier == "D"
    TierRule.objects.create(
        order=1,
        name="大客户",
        tier="A",
        conditions=[{"field": "company_size", "op": ">=", "value": 200}],
    )
    # when
    changed = customers_retier(actor=org.admin.user)
    # then
    loose.refresh_from_db()
    fixed.refresh_from_db()
    assert changed == 1
    assert (loose.tier, loose.tier_reason["rule"]) == ("A", "大客户")
    assert (fixed.tier, fixed.tier_reason) == ("C", {"fixed": True})
    event = loose.events.get(kind="tier")
    assert (event.text, event.actor, event.detail) == (
        "D → A",
        org.admin.user,
        {"from": "D", "to": "A", "rule": "大客户"},
    )
    assert not fixed.events.filter(kind="tier").exists()
    # a second run changes nothing
    assert customers_retier(actor=None) == 0


def test_merged_customers_are_not_tiered(org):
    # given
    keep = customer_create(actor=None, phone="13800138000")
    gone = customer_create(actor=None, phone="13800138001", company_size=500)
    Customer.objects.filter(pk=gone.pk).update(merged_into=keep)
    TierRule.objects.create(
        order=1, name="大", tier="A", conditions=[{"field": "company_size", "op": ">=", "value": 1}]
    )
    # when
    customers_retier(actor=None)
    # then
    gone.refresh_from_db()
    assert gone.tier == "D"


def test_a_sale_outcome_makes_an_a(org):
    # given
    customer = customer_create(actor=None, phone="13800138000", owner=org.r1)
    # when
    outcome_record(
        actor=org.r1.user,
        customer=customer,
        disposition=Disposition.objects.get(code="sale"),
        employee=org.r1,
    )
    # then: high intent (the top level) by 高意向
    customer.refresh_from_db()
    assert (customer.intent_level, customer.tier, customer.tier_reason["rule"]) == (
        "high",
        "A",
        "高意向",
    )
    assert customer.events.filter(kind="tier").get().text == "D → A"


# --- editing the rules -----------------------------------------------------------------------------


def test_a_new_rule_is_validated_audited_and_applied(org):
    # given
    customer = customer_create(actor=None, phone="13800138000", source="展会")
    # when
    rule = tier_rule_create(
        actor=org.admin.user,
        name="展会客户",
        tier="B",
        conditions=[{"field": "source", "op": "in", "value": "展会, 官网"}],
        order=5,
    )
    # then
    assert rule.conditions == [{"field": "source", "op": "in", "value": ["展会", "官网"]}]
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_reason["rule"]) == ("B", "展会客户")
    audit = AuditEvent.objects.get(action="tier_rule.create")
    assert (audit.actor, audit.after["name"]) == (org.admin.user, "展会客户")


def test_a_bad_rule_changes_nothing(org):
    # given
    count = TierRule.objects.count()
    # when
    with pytest.raises(ValidationError):
        tier_rule_create(
            actor=None,
            name="坏",
            tier="B",
            conditions=[{"field": "intent_level", "op": ">=", "value": "hot"}],
        )
    with pytest.raises(ValidationError):
        tier_rule_create(actor=None, name="坏", tier="E", conditions=[])
    with pytest.raises(ValidationError):
        tier_rule_create(actor=None, name=" ", tier="B", conditions=[])
    # then
    assert TierRule.objects.count() == count
    assert not AuditEvent.objects.filter(action__startswith="tier_rule").exists()


def test_editing_deleting_and_reordering_rules_retiers(org):
    # given: a referred customer is B by rule 50 (转介绍)
    customer = customer_create(actor=None, phone="13800138000", source="转介绍")
    referral = TierRule.objects.get(name="转介绍")
    assert customer.tier == "B"
    # when: the rule gives C instead
    tier_rule_update(actor=org.admin.user, rule=referral, tier="C")
    customer.refresh_from_db()
    # then
    assert customer.tier == "C"
    audit = AuditEvent.objects.get(action="tier_rule.update")
    assert (audit.before, audit.after) == ({"tier": "B"}, {"tier": "C"})
    # when: a catch-all A rule is moved above it, then moved back, then deleted
    catch_all = tier_rule_create(actor=None, name="全部", tier="A", conditions=[])
    customer.refresh_from_db()
    assert customer.tier == "C"  # the referral rule comes first
    for _step in range(TierRule.objects.count()):
        tier_rule_move(actor=None, rule=catch_all, up=True)
    customer.refresh_from_db()
    assert customer.tier == "A"
    assert list(TierRule.objects.values_list("name", flat=True))[0] == "全部"
    assert list(TierRule.objects.values_list("order", flat=True)) == [
        10 * n for n in range(1, TierRule.objects.count() + 1)
    ]
    tier_rule_delete(actor=org.admin.user, rule=catch_all)
    customer.refresh_from_db()
    # then
    assert customer.tier == "C"
    assert AuditEvent.objects.filter(action="tier_rule.delete").count() == 1
    assert [e.text for e in customer.events.filter(kind="tier").order_by("id")] == [
        "B → C",
        "C → A",
        "A → C",
    ]


def test_changing_the_intent_levels_retiers(org):
    # given: medium intent → B by rule 30 (≥ medium), not A by rule 20 (≥ high)
    from telesales.core.config import setting_set

    customer = customer_create(actor=None, phone="13800138000", intent_level="medium")
    assert (customer.tier, customer.tier_reason["rule"]) == ("B", "中意向")
    # when: medium now ranks above high
    setting_set(actor=None, key="crm.intent_levels", value=["none", "low", "high", "medium"])
    # then
    customer.refresh_from_db()
    assert (customer.tier, customer.tier_reason["rule"]) == ("A", "高意向")
    assert customer.tier_reason["conditions"][0]["actual"] == "medium"
