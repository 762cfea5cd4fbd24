"""Customers and leads (issue 4): writing them by hand, intent_on, merging duplicates,
`telesales import customers` (PRODUCT.md §7) and the demo customers."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from telesales.core.models import AuditEvent
from telesales.crm.customers.selectors import customer_timeline, customers_callable
from telesales.crm.customers.services import (
    customer_by_phone,
    customer_create,
    customer_merge,
    customer_update,
    customers_deduplicate,
    outcome_record,
)
from telesales.crm.models import Customer, CustomerEvent, Disposition, Outcome
from tests.files import csv_bytes

pytestmark = pytest.mark.usefixtures("english")

TODAY = timezone.localdate


def _disposition(code: str) -> Disposition:
    return Disposition.objects.get(code=code)


# --- creating and changing customers ---------------------------------------------------------------


def test_a_customer_is_created_with_its_number_in_e164(org):
    # when
    customer = customer_create(
        actor=org.s1.user, phone="138-0013-8000", name="王先生", owner=org.r1, source="官网"
    )
    # then
    customer.refresh_from_db()
    assert (customer.phone, customer.phone_raw) == ("+8613800138000", "138-0013-8000")
    assert (customer.owner, customer.tier, customer.tier_fixed) == (org.r1, "D", False)
    assert customer.owned_since is not None
    assert customer.tier_reason == {"rule": None, "rule_id": None, "conditions": []}
    kinds = list(customer.events.order_by("id").values_list("kind", "actor"))
    assert kinds == [("created", org.s1.user.pk), ("owner", org.s1.user.pk)]
    audit = AuditEvent.objects.get(action="customer.create")
    assert (audit.actor, audit.object_id) == (org.s1.user, str(customer.pk))
    assert audit.after["phone"] == "+8613800138000"
    assert audit.after["owner_id"] == org.r1.pk


def test_the_rules_give_a_tier_and_a_tier_given_is_kept(org):
    # when
    referred = customer_create(actor=None, phone="13800138001", source="转介绍")
    fixed = customer_create(actor=None, phone="13800138002", source="转介绍", tier="A")
    # then
    assert (referred.tier, referred.tier_fixed) == ("B", False)
    assert referred.tier_reason["rule"] == "转介绍"
    assert referred.tier_reason["conditions"] == [
        {"field": "source", "op": "in", "value": ["referral", "转介绍"], "actual": "转介绍"}
    ]
    assert (fixed.tier, fixed.tier_fixed, fixed.tier_reason) == ("A", True, {"fixed": True})


@pytest.mark.parametrize(
    ("phone", "message"),
    [
        ("+86 138 0013 8000", "A customer with the number +8613800138000 already exists."),
        ("12345", "“12345” is not a valid phone number"),
    ],
)
def test_a_duplicate_or_invalid_number_is_refused(org, phone, message):
    # given
    customer_create(actor=None, phone="13800138000")
    # when
    with pytest.raises(ValidationError) as refused:
        customer_create(actor=None, phone=phone)
    # then
    assert refused.value.messages[0].startswith(message)
    assert Customer.objects.count() == 1


def test_a_leaver_cannot_own_customers(org):
    # given
    from telesales.org.services import employee_leave

    employee_leave(actor=None, employee=org.r2, date=TODAY(), voluntary=True)
    # when
    with pytest.raises(ValidationError) as refused:
        customer_create(actor=None, phone="13800138000", owner=org.r2)
    # then
    assert "has left" in refused.value.messages[0]
    assert not Customer.objects.exists()


def test_a_new_owner_is_on_the_timeline_and_keeps_the_count_of_attempts(org):
    # given
    customer = customer_create(actor=None, phone="13800138000", owner=org.r1)
    outcome_record(
        actor=org.r1.user, customer=customer, disposition=_disposition("no_answer"), employee=org.r1
    )
    # when
    customer = customer_update(actor=org.s1.user, customer=customer, owner=org.r2)
    # then
    assert (customer.owner, customer.attempts) == (org.r2, 1)  # recycling counts per lead
    event = customer.events.filter(kind="owner").order_by("-id").first()
    assert event.detail == {"from": org.r1.pk, "to": org.r2.pk}
    assert event.text == f"{org.r1.name} → {org.r2.name}"
    audit = AuditEvent.objects.filter(action="customer.update").order_by("-id").first()
    assert (audit.before["owner_id"], audit.after["owner_id"]) == (org.r1.pk, org.r2.pk)


def test_changing_the_number_to_another_customers_is_refused(org):
    # given
    first = customer_create(actor=None, phone="13800138000")
    customer_create(actor=None, phone="13800138001")
    # when
    with pytest.raises(ValidationError) as refused:
        customer_update(actor=None, customer=first, phone="138 0013 8001")
    # then
    assert "merge the two customers instead" in refused.value.messages[0]
    first.refresh_from_db()
    assert first.phone == "+8613800138000"


def test_handing_the_tier_back_to_the_rules(org):
    # given
    customer = customer_create(actor=None, phone="13800138000", tier="A", source="转介绍")
    # when
    customer = customer_update(actor=None, customer=customer, tier=None)
    # then
    assert (customer.tier, customer.tier_fixed, customer.tier_reason["rule"]) == (
        "B",
        False,
        "转介绍",
    )


# --- intent_on (PRODUCT.md §4) -----------------------------------------------------------------------


def test_intent_on_is_the_day_the_level_first_reaches_the_threshold(org):
    # given: below the threshold, no date
    customer = customer_create(actor=None, phone="13800138000", intent_level="low")
    assert customer.intent_on is None
    # when: medium (the threshold) today
    customer = customer_update(actor=None, customer=customer, intent_level="medium")
    # then
    assert customer.intent_on == TODAY()
    # when: a date in the past is set, then the level rises and falls
    Customer.objects.filter(pk=customer.pk).update(intent_on=dt.date(2026, 1, 5))
    customer = customer_update(actor=None, customer=customer, intent_level="high")
    customer = customer_update(actor=None, customer=customer, intent_level="none")
    # then: never moved later, never cleared
    assert customer.intent_on == dt.date(2026, 1, 5)
    intents = list(customer.events.filter(kind="intent").order_by("id").values_list("detail"))
    assert [d[0]["to"] for d in intents] == ["medium", "high", "none"]


def test_a_given_intent_on_is_taken_as_given(org):
    # when
    customer = customer_create(
        actor=None, phone="13800138000", intent_level="medium", intent_on=dt.date(2026, 3, 1)
    )
    # then
    assert customer.intent_on == dt.date(2026, 3, 1)


def test_the_threshold_is_a_setting(org):
    # given
    from telesales.core.config import setting_set

    setting_set(actor=None, key="crm.intent_threshold", value="high")
    # when
    medium = customer_create(actor=None, phone="13800138000", intent_level="medium")
    high = customer_create(actor=None, phone="13800138001", intent_level="high")
    # then
    assert (medium.intent_on, high.intent_on) == (None, TODAY())


def test_an_unknown_intent_level_is_refused(org):
    with pytest.raises(ValidationError) as refused:
        customer_create(actor=None, phone="13800138000", intent_level="hot")
    assert refused.value.messages == [
        "“hot” is not an intent level; the levels are none, low, medium, high."
    ]


# --- merging duplicates ---------------------------------------------------------------------------------


@pytest.fixture
def twins(org):
    """The same person as two customers, each with an outcome, a deal, a ticket and a survey."""
    from telesales.feedback.models import SurveyResponse, Ticket
    from telesales.sales.models import Deal
    from telesales.sales.services import product_upsert

    keep = customer_create(actor=None, phone="13800138000", owner=org.r1, name="王先生")
    merge = customer_create(
        actor=None, phone="13900139000", company="华信科技", company_size=300, intent_level="high"
    )
    product, _created = product_upsert(
        actor=None, code="P1", name="产品", key_product=False, unit_price=None
    )
    now = timezone.now()
    for n, customer in enumerate((keep, merge)):
        outcome_record(
            actor=None, customer=customer, disposition=_disposition("contacted"), employee=org.r1
        )
        Deal.objects.create(
            deal_no=f"D{n}",
            employee=org.r1,
            customer=customer,
            product=product,
            amount=Decimal("100"),
            gross_profit=Decimal("10"),
            closed_on=TODAY(),
        )
        Ticket.objects.create(
            number=f"T{n}",
            kind="complaint",
            title="慢",
            customer=customer,
            department=org.staff.department,
            sla_hours=24,
            due_at=now + dt.timedelta(hours=24),
        )
        SurveyResponse.objects.create(
            response_no=f"S{n}", customer=customer, employee=org.r1, score=5, responded_on=TODAY()
        )
    return keep, merge


def test_merging_moves_everything_to_the_kept_customer(org, twins):
    # given
    from telesales.feedback.models import SurveyResponse, Ticket
    from telesales.sales.models import Deal

    keep, merge = twins
    merge_events = set(merge.events.values_list("pk", flat=True))
    # when
    kept = customer_merge(actor=org.s1.user, keep=keep, merge=merge)
    # then
    merge.refresh_from_db()
    assert merge.merged_into == kept
    assert merge.owner is None
    for model in (Outcome, Deal, Ticket, SurveyResponse):
        assert set(model.objects.values_list("customer", flat=True)) == {kept.pk}, model
    assert merge_events <= set(kept.events.values_list("pk", flat=True))
    # blank facts filled from the duplicate, the higher intent kept, attempts added up
    assert (kept.name, kept.company, kept.company_size) == ("王先生", "华信科技", 300)
    assert (kept.intent_level, kept.attempts, kept.owner) == ("high", 2, org.r1)
    assert kept.tier == "A"  # a deal and high intent
    merged = kept.events.get(kind="merged")
    assert merged.detail["merged"] == merge.pk
    assert merged.detail["moved"] == {
        "outcomes": 1,
        "events": len(merge_events),
        "deals": 1,
        "tickets": 1,
        "surveys": 1,
    }
    assert merge.events.get(kind="merged").detail["into"] == kept.pk
    assert set(
        AuditEvent.objects.filter(action__startswith="customer.merge").values_list(
            "action", "object_id"
        )
    ) == {("customer.merge", str(kept.pk)), ("customer.merged", str(merge.pk))}
    # both histories on one timeline
    timeline = customer_timeline(kept)
    assert sum(1 for e in timeline if e.kind == "outcome") == 2
    assert sum(1 for e in timeline if e.kind == "deal") == 2
    assert sum(1 for e in timeline if e.kind == "ticket") == 2
    assert any(e.kind == "merged" and "139****9000" in e.text for e in timeline)
    # the duplicate's number now finds the kept customer
    assert customer_by_phone("13900139000") == kept


def test_a_customer_is_not_merged_with_itself_nor_twice(org, twins):
    # given
    keep, merge = twins
    customer_merge(actor=None, keep=keep, merge=merge)
    # when / then
    with pytest.raises(ValidationError):
        customer_merge(actor=None, keep=keep, merge=keep)
    with pytest.raises(ValidationError):
        customer_merge(actor=None, keep=keep, merge=merge)
    with pytest.raises(ValidationError):
        customer_update(actor=None, customer=merge, name="x")


def test_numbers_stored_in_another_form_are_deduplicated(org):
    # given: rows written before numbers were normalised (another system's data)
    a = Customer.objects.create(phone="008613800138000", name="甲")
    b = Customer.objects.create(phone="+8613800138000", company="乙公司")
    c = Customer.objects.create(phone="138 0013 8001")
    Outcome.objects.create(
        customer=a,
        employee=org.r1,
        disposition=_disposition("contacted"),
        recorded_at=timezone.now(),
    )
    # when
    merges = customers_deduplicate(actor=None)
    # then: the one already in E.164 is kept; a lone odd number is written in E.164
    assert merges == 1
    a.refresh_from_db()
    b.refresh_from_db()
    c.refresh_from_db()
    assert a.merged_into == b
    assert (b.name, b.company, b.outcomes.count()) == ("甲", "乙公司", 1)
    assert c.phone == "+8613800138001"
    assert customers_deduplicate(actor=None) == 0


def test_callable_customers_leave_out_do_not_call_and_merged_ones(org, twins):
    # given
    keep, merge = twins
    customer_merge(actor=None, keep=keep, merge=merge)
    dnc = customer_create(actor=None, phone="13700137000", dnc=True)
    fine = customer_create(actor=None, phone="13700137001")
    # when
    callable_ids = set(customers_callable().values_list("pk", flat=True))
    # then
    assert callable_ids == {keep.pk, fine.pk}
    assert dnc.pk not in callable_ids


# --- the import (PRODUCT.md §7 customers) ---------------------------------------------------------------

HEADER = [
    "phone",
    "name",
    "company",
    "source",
    "tier",
    "intent_level",
    "intent_on",
    "owner_employee_no",
]


def _import(tmp_path, rows, *extra, header=HEADER) -> tuple[int, dict]:
    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(rows, header))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command(
            "import", "customers", str(path), "--json", *extra, stdout=out, stderr=io.StringIO()
        )
    return exited.value.code, json.loads(out.getvalue())


def _stored() -> list[tuple]:
    return list(
        Customer.objects.order_by("phone").values_list(
            "phone", "name", "tier", "tier_fixed", "intent_level", "intent_on", "owner__employee_no"
        )
    )


GOOD = [
    ["13800138000", "王先生", "华信科技", "官网", "", "medium", "2026-05-04", "R1"],
    ["010-12345678", "李女士", "", "转介绍", "", "", "", "R2"],
    ["+86 139 0013 9000", "赵总", "恒达贸易", "展会", "A", "high", "", ""],
    ["0755 1234 5678", "", "", "", "", "low", "", "R3"],
]


def test_a_good_file_stores_every_customer(org, tmp_path):
    # when
    code, payload = _import(tmp_path, GOOD)
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 4, "duplicates": 0, "rejected": [], "updated": 0}
    assert _stored() == [
        ("+861012345678", "李女士", "B", False, "none", None, "R2"),
        ("+8613800138000", "王先生", "B", False, "medium", dt.date(2026, 5, 4), "R1"),
        ("+8613900139000", "赵总", "A", True, "high", TODAY(), None),
        ("+8675512345678", "", "D", False, "low", None, "R3"),
    ]
    assert CustomerEvent.objects.filter(kind="created").count() == 4


def test_running_the_same_file_again_stores_nothing_new(org, tmp_path):
    # given
    _import(tmp_path, GOOD)
    before = _stored()
    # when
    code, payload = _import(tmp_path, GOOD)
    # then
    assert code == 0
    assert payload == {"rows": 4, "stored": 0, "duplicates": 4, "rejected": [], "updated": 0}
    assert _stored() == before


def test_a_known_number_written_another_way_is_updated(org, tmp_path):
    # given
    _import(tmp_path, GOOD)
    # when: the same numbers, written differently, with new values
    code, payload = _import(
        tmp_path,
        [
            ["8613800138000", "王总", "", "", "C", "", "", ""],
            ["(010)12345678", "", "", "", "", "", "", "R1"],
            ["13900139000", "", "", "", "", "", "", ""],
        ],
    )
    # then: empty cells keep what is stored
    assert payload == {"rows": 3, "stored": 0, "duplicates": 1, "rejected": [], "updated": 2}
    stored = {row[0]: row for row in _stored()}
    assert stored["+8613800138000"][1:4] == ("王总", "C", True)
    assert stored["+861012345678"][6] == "R1"
    assert Customer.objects.get(phone="+861012345678").attempts == 0


def test_bad_rows_are_rejected_with_their_line(org, tmp_path):
    # when
    code, payload = _import(
        tmp_path,
        [
            ["13800138000", "甲", "", "", "", "", "", ""],
            ["1234", "乙", "", "", "", "", "", ""],
            ["13800138001", "丙", "", "", "E", "", "", ""],
            ["13800138002", "丁", "", "", "", "hot", "", ""],
            ["13800138003", "戊", "", "", "", "", "2026-13-01", ""],
            ["13800138004", "己", "", "", "", "", "", "NOBODY"],
            ["", "庚", "", "", "", "", "", ""],
        ],
    )
    # then
    assert code == 1
    assert payload["stored"] == 1
    assert [(r["row"], r["column"]) for r in payload["rejected"]] == [
        (3, "phone"),
        (4, "tier"),
        (5, "intent_level"),
        (6, "intent_on"),
        (7, "owner_employee_no"),
        (8, "phone"),
    ]
    reasons = {r["row"]: r["reason"] for r in payload["rejected"]}
    assert reasons[3] == "“1234” has too few digits for a phone number."
    assert reasons[7] == "No employee NOBODY exists."
    assert reasons[8] == "A phone number is required."
    assert list(Customer.objects.values_list("name", flat=True)) == ["甲"]


def test_one_number_twice_in_a_file_is_one_customer(org, tmp_path):
    # when
    code, payload = _import(
        tmp_path,
        [
            ["13800138000", "甲", "", "", "", "", "", ""],
            ["138-0013-8000", "甲", "", "", "", "", "", ""],
            ["+8613800138000", "甲乙", "", "", "", "", "", ""],
        ],
    )
    # then
    assert (payload["stored"], payload["duplicates"], payload["updated"]) == (1, 1, 1)
    assert list(Customer.objects.values_list("name", flat=True)) == ["甲乙"]


def test_only_the_phone_column_is_required(org, tmp_path):
    # when
    code, payload = _import(tmp_path, [["13800138000"]], header=["电话"])
    # then
    assert (code, payload["stored"]) == (0, 1)


def test_the_dry_run_stores_nothing(org, tmp_path):
    # when
    code, payload = _import(tmp_path, GOOD, "--dry-run")
    # then
    assert (code, payload["stored"]) == (0, 4)
    assert not Customer.objects.exists()


def test_a_supervisor_imports_within_their_teams(org, tmp_path):
    # given: a T2 customer, out of S1's scope
    customer_create(actor=None, phone="13700137000", owner=org.r3, name="T2的")
    # when
    code, payload = _import(
        tmp_path,
        [
            ["13800138000", "甲", "", "", "", "", "", "R1"],
            ["13700137000", "改名", "", "", "", "", "", ""],
            ["13800138001", "乙", "", "", "", "", "", "R3"],
        ],
        "--user",
        "s1",
    )
    # then
    assert code == 1
    assert [(r["row"], r["column"]) for r in payload["rejected"]] == [
        (3, "phone"),
        (4, "owner_employee_no"),
    ]
    assert Customer.objects.get(phone="+8613700137000").name == "T2的"
    assert Customer.objects.get(phone="+8613800138000").owner == org.r1


@pytest.mark.parametrize("who", ["r1", "manager", "hr", "staff"])
def test_only_administrators_and_supervisors_import_customers(org, tmp_path, who):
    # given
    from django.core.management import CommandError

    path = tmp_path / "customers.csv"
    path.write_bytes(csv_bytes(GOOD, HEADER))
    # when
    with pytest.raises(CommandError) as refused:
        call_command(
            "import",
            "customers",
            str(path),
            "--user",
            getattr(org, who).user.username,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    # then
    assert refused.value.returncode == 2
    assert not Customer.objects.exists()


def test_an_import_tiers_the_customers_it_touched(org, tmp_path):
    # given
    _import(tmp_path, [["13800138000", "甲", "", "官网", "", "", "", ""]])
    assert Customer.objects.get().tier == "D"
    # when: a later file says it came by referral
    _import(tmp_path, [["13800138000", "", "", "转介绍", "", "", "", ""]])
    # then
    customer = Customer.objects.get()
    assert (customer.tier, customer.tier_reason["rule"]) == ("B", "转介绍")
    assert customer.events.filter(kind="tier").get().text == "D → B"


# --- the demo --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_customers_follow_from_the_demo_calls(settings):
    # given / when
    from telesales.calls.models import Call
    from telesales.crm.customers.phones import phone_normalise
    from telesales.crm.customers.tiering import customers_retier

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", today="2026-06-30", calls_per_day=4, stdout=io.StringIO())
    # then: a customer for every number the reps dialled
    outbound = Call.objects.filter(direction="outbound").exclude(customer_number="")
    numbers = {phone_normalise(n) for n in outbound.values_list("customer_number", flat=True)}
    customers = Customer.objects.filter(merged_into__isnull=True)
    called = set(customers.filter(phone__in=numbers).values_list("phone", flat=True))
    assert called == numbers
    # the owner is the rep who called the number most (unless they have left, or the demo
    # allocation moved the lead since)
    from telesales.crm.models import AllocationItem

    kept = customers.filter(owner__isnull=False, phone__in=numbers).exclude(
        pk__in=AllocationItem.objects.values("customer")
    )
    assert kept.exists()
    for customer in kept[:50]:
        counts: dict[int, int] = {}
        for rep in outbound.filter(customer_number=customer.phone[3:]).values_list(
            "employee", flat=True
        ):
            counts[rep] = counts.get(rep, 0) + 1
        assert counts[customer.owner_id] == max(counts.values())
    # outcomes belong to the call's rep and number, and fit the call
    outcomes = Outcome.objects.select_related("call", "disposition", "customer")
    assert outcomes.exists()
    for outcome in outcomes.filter(call__isnull=False)[:500]:
        assert outcome.employee_id == outcome.call.employee_id
        assert "+86" + outcome.call.customer_number == outcome.customer.phone
        if outcome.call.answered:
            assert outcome.disposition.code not in {"no_answer", "busy"}
        else:
            assert outcome.disposition.code in {"no_answer", "busy"}
        assert outcome.recorded_at >= outcome.call.started_at
    codes = set(outcomes.values_list("disposition__code", flat=True))
    assert {"no_answer", "contacted", "callback", "intent"} <= codes
    # intent customers, do-not-call customers and an unowned pool of new leads
    intent = customers.filter(intent_on__isnull=False)
    assert intent.exists()
    for customer in intent[:50]:
        first = (
            customer.outcomes.filter(disposition__intent=True)
            .select_related("call")
            .order_by("call__started_at")
            .first()
        )
        assert customer.intent_on == timezone.localtime(first.call.started_at).date()
    dnc = customers.filter(dnc=True)
    assert dnc.exists()
    assert not dnc.filter(next_follow_up__isnull=False).exists()
    pool = customers.filter(owner__isnull=True, outcomes__isnull=True)
    assert pool.count() >= 200
    # the tiers are the rules' (on the demo's date)
    assert set(customers.values_list("tier", flat=True)) >= {"A", "B", "D"}
    assert customers_retier(actor=None, today=dt.date(2026, 6, 30)) == 0
